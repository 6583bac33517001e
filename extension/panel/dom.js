// A tiny element builder: h("button", {class: "x", onclick}, "text", child...).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function number(value) {
  return Number(value || 0).toLocaleString("en-US");
}

// Bars for a series of {date, value}, with the day and value as a tooltip.
export function bars(rows, width = 280, height = 48) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "bars");
  svg.setAttribute("role", "img");
  const top = Math.max(1, ...rows.map((r) => r.value));
  const step = width / Math.max(rows.length, 1);
  rows.forEach((row, i) => {
    const bar = document.createElementNS(ns, "rect");
    const tall = Math.max(row.value ? 2 : 0, (row.value / top) * (height - 2));
    bar.setAttribute("x", String(i * step + 1));
    bar.setAttribute("y", String(height - tall));
    bar.setAttribute("width", String(Math.max(step - 2, 1)));
    bar.setAttribute("height", String(tall));
    const title = document.createElementNS(ns, "title");
    title.textContent = `${row.date}: ${number(row.value)}`;
    bar.append(title);
    svg.append(bar);
  });
  svg.setAttribute("aria-label", `clicks per day, at most ${number(top)}`);
  return svg;
}
