"""The pages' front-end packages come from the npm registry at set-up and are served by the
app itself: nothing is fetched from a CDN at run time."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from server import Server

WEB = Path(__file__).resolve().parents[2] / "src" / "betterheap" / "web"


def test_vendor_packages_are_served_locally(server: Server) -> None:
    versions = json.loads((WEB / "static" / "vendor" / "versions.json").read_text())
    assert set(versions) == {"htmx.min.js", "vega.min.js", "vega-lite.min.js", "vega-embed.min.js"}
    for name in versions:
        answer = httpx.get(f"{server.url}/static/vendor/{name}", timeout=30)
        assert answer.status_code == 200 and "javascript" in answer.headers["content-type"]
        assert len(answer.content) > 10_000


def test_no_page_loads_anything_from_another_origin() -> None:
    sources = [p.read_text() for p in (WEB / "templates").glob("*.html")] + [(WEB / "pages.py").read_text()]
    for text in sources:
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "a CDN or external asset"
