"""Real headless Chromium (Debian's, driven by Playwright) against a real BetterHeap server
and a small test site served from another origin, as a customer's site would be."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server import Server, free_port

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's Chromium is not installed (/usr/bin/chromium): `make test` installs it",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Playwright, sync_playwright  # noqa: E402


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
    yield launched
    launched.close()


class Site:
    """Static pages on their own loopback port (a different origin from the server)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def page(self, name: str, body: str, head: str = "") -> str:
        (self.root / name).write_text(
            f"<!doctype html><html><head><title>{name}</title>{head}</head><body>{body}</body></html>"
        )
        return f"{self.url}/{name}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    served = Site(tmp_path / "site")
    served.root.mkdir()
    try:
        yield served
    finally:
        served.close()


def install_snippet(server: Server) -> str:
    answer = httpx.get(f"{server.url}/api/install", timeout=30)
    answer.raise_for_status()
    snippet: str = answer.json()["snippet"]
    return snippet


def wait_stored(server: Server, count: int, timeout: float = 20) -> None:
    """Until ``count`` events are stored: a beacon sent as a tab closes reaches the server
    some time after Playwright has closed the page."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = server.wait_loaded()
        if status["stored"] >= count:
            return
        time.sleep(0.1)
    raise TimeoutError(f"fewer than {count} events stored after {timeout} s: {status}")
