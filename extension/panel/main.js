// The side panel: the connection to a BetterHeap server, the page it works on (the active
// tab of its window, or the tab named by ?tab= when opened as a page), and three views.
import { debuggerView } from "./debug.js";
import { labeler } from "./label.js";
import { connect } from "./server.js";
import { setupChat } from "./setup.js";

const $ = (selector) => document.querySelector(selector);
const fixedTab = new URLSearchParams(location.search).get("tab");
let server = null;
let project = null;
let tabId = fixedTab === null ? null : Number(fixedTab);

const context = {
  server: () => server,
  tabId: () => tabId,
  planChanged(version) {
    if (project) project.plan_version = version;
    drawConnection();
  },
};
const views = [
  setupChat($("#setup"), context),
  labeler($("#label"), context),
  debuggerView($("#debug"), context),
];

for (const tab of document.querySelectorAll("[role=tab]")) {
  tab.addEventListener("click", () => choose(tab.dataset.tab));
}

function choose(name) {
  for (const tab of document.querySelectorAll("[role=tab]")) tab.setAttribute("aria-selected", String(tab.dataset.tab === name));
  for (const panel of document.querySelectorAll("[role=tabpanel]")) panel.hidden = panel.id !== name;
  chrome.storage.local.set({ tab: name });
  const index = ["setup", "label", "debug"].indexOf(name);
  if (server && views[index] && views[index].shown) views[index].shown();
}

function drawConnection() {
  $("#connection").textContent = project ? `${project.project} · plan v${project.plan_version}` : "not connected";
  $("#connection").title = project ? `${server.url}, project ${project.project_id}, as ${project.who} (${project.role})` : "";
  $("#connection").className = project ? "ok" : "muted";
}

$("#settings").addEventListener("click", () => ($("#connect").hidden = !$("#connect").hidden));

$("#connect").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  $("#connect-error").textContent = "";
  try {
    const found = await connect(form.server.value, form.token.value, form.project.value);
    await chrome.storage.local.set({ server: found.server.url, token: found.server.token, project: found.server.projectId });
    await chrome.storage.local.remove("key"); // a write key saved by an earlier version
    connected(found);
  } catch (error) {
    $("#connect-error").textContent = error.message;
  }
});

function connected(found) {
  server = found.server;
  project = found.project;
  $("#connect").hidden = true;
  drawConnection();
  for (const view of views) view.connected();
}

async function followActiveTab() {
  if (fixedTab !== null) return;
  const [active] = await chrome.tabs.query({ active: true, currentWindow: true });
  const next = active ? active.id : null;
  if (next !== tabId) {
    const cancel = tabId;
    tabId = next;
    if (cancel !== null) chrome.tabs.sendMessage(cancel, { type: "betterheap:cancel-pick" }).catch(() => {});
    views[1].tabChanged();
    views[2].tabChanged();
  }
}

async function main() {
  const saved = await chrome.storage.local.get(["server", "token", "project", "tab"]);
  if (saved.tab) choose(saved.tab);
  const form = $("#connect");
  if (saved.server) form.server.value = saved.server;
  if (saved.token) form.token.value = saved.token;
  if (saved.project) form.project.value = saved.project;
  await followActiveTab();
  chrome.tabs.onActivated.addListener(followActiveTab);
  if (saved.server && saved.token) {
    try {
      return connected(await connect(saved.server, saved.token, saved.project));
    } catch (error) {
      $("#connect-error").textContent = error.message;
    }
  }
  form.hidden = false;
  views[2].connected(); // the debugger lists events even before a server answers
}

main();
