"""How long each pre-built dashboard takes to render fully in a real browser: from the start
of navigation to every panel computed and every chart drawn (each panel's
``data-state="ready"``), measured in the page with ``performance.now()``.

Run: ``.venv/bin/python -m bench.dashboards --data-dir DIR [--runs 5]``. Starts
``betterheap serve`` on DIR (stop any other server on it first), adds a ``bench`` admin,
signs in with headless Chromium (``/usr/bin/chromium``) and opens every dashboard
``--runs`` times after one warm-up visit, each time over another 30-day range (the last 30
days of data, then shifted back a day per visit) so no visit reuses what another computed.
Prints the median and the slowest run per dashboard; targets: ≤ 1 s at 1M events, ≤ 2 s at 10M (issue #6).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Page, sync_playwright

from betterheap.insights.dashboards import DASHBOARDS
from betterheap.server_link import running_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]  # fmt: skip
READY = """() => {
  const panels = [...document.querySelectorAll('.panel')];
  return panels.length > 0 && panels.every(p => p.dataset.state === 'ready' || p.dataset.state === 'error');
}"""


def serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "betterheap", "serve", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise TimeoutError("the server did not start")


def render(page: Page, url: str) -> float:
    """Seconds from navigation start until every panel is drawn."""
    page.goto(url)
    page.wait_for_function(READY, timeout=60_000)
    states = page.eval_on_selector_all(".panel", "ps => ps.map(p => p.dataset.state)")
    if set(states) != {"ready"}:
        raise RuntimeError(f"{url}: panels not drawn: {states}")
    return float(page.evaluate("performance.now()")) / 1000


def _range(end: date, shift: int) -> str:
    last = end - timedelta(days=shift)
    return f"date_from={last - timedelta(days=29)}&date_to={last}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    password = secrets.token_urlsafe(16)
    name = f"bench-{secrets.token_hex(3)}"
    subprocess.run(
        [sys.executable, "-m", "betterheap", "users", "add", name, "--role", "admin", "--password", password,
         "--data-dir", str(args.data_dir)],
        check=True, capture_output=True, env={**os.environ},
    )  # fmt: skip
    server = serve(args.data_dir, args.port)
    base = f"http://127.0.0.1:{args.port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/signin")
            page.fill("input[name=name]", name)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            print(f"{'dashboard':<14} {'median s':>9} {'slowest s':>10} {'warm-up s':>12}  runs: {args.runs}")
            medians = []
            link = running_server(args.data_dir / "server.json")  # the command line's token: local-cli
            headers = link.headers() if link is not None else {}
            dau = httpx.get(f"{base}/api/metrics/dau", headers=headers, timeout=60)
            dau.raise_for_status()
            end = date.fromisoformat(dau.json()[-1]["date"])
            for slug, title in DASHBOARDS.items():
                # Each visit a different 30-day range: nothing computed for one visit is reused
                # by the next (panels of one visit share their queries, as they do for a user).
                urls = [f"{base}/dashboards/{slug}?{_range(end, shift)}" for shift in range(args.runs + 1)]
                first = render(page, urls[0])
                times = [render(page, url) for url in urls[1:]]
                medians.append(statistics.median(times))
                print(f"{title:<14} {statistics.median(times):>9.3f} {max(times):>10.3f} {first:>12.3f}")
            print(f"{'slowest median':<14} {max(medians):>9.3f}")
            browser.close()
    finally:
        server.terminate()
        server.wait(30)
        subprocess.run(
            [sys.executable, "-m", "betterheap", "users", "revoke", name, "--data-dir", str(args.data_dir)],
            capture_output=True,
        )


if __name__ == "__main__":
    main()
