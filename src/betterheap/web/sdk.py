"""The browser tracking script, its install snippet, and CORS for the ingestion endpoints.

The script is built from ``sdk-js/`` by ``make install`` (esbuild, from the npm registry)
into ``web/static/sdk.js`` and served here; nothing is fetched at run time. ``/sdk.js``
is cached briefly; ``/sdk.js?v=<version>`` (what the snippet uses) is immutable, so a new
build reaches browsers as soon as pages carry the new snippet.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from fastapi import APIRouter, HTTPException, Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from betterheap.web.deps import ProjectId, RuntimeDep

SCRIPT: Final = Path(__file__).parent / "static" / "sdk.js"
#: Paths browsers post events to from the customer's own origin.
INGEST_PATHS: Final = ("/v1/", "/capture/", "/batch/", "/e/", "/i/v0/e/")
CORS_HEADERS: Final = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Content-Encoding, Authorization",
    "Access-Control-Max-Age": "86400",
}

router = APIRouter(tags=["tracking script"])


@lru_cache(maxsize=4)
def _script(mtime_ns: int) -> tuple[bytes, str]:
    body = SCRIPT.read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:12]


def script() -> tuple[bytes, str]:
    """The built script and its version (a hash of its bytes)."""
    try:
        return _script(SCRIPT.stat().st_mtime_ns)
    except FileNotFoundError:
        raise HTTPException(
            503, "the tracking script is not built: run `make install` (or `npm run build` in sdk-js/)"
        ) from None


@router.get("/sdk.js", include_in_schema=False)
def sdk_js(request: Request) -> Response:
    body, version = script()
    etag = f'"{version}"'
    immutable = request.query_params.get("v") == version
    headers = {
        "ETag": etag,
        "Cache-Control": "public, max-age=31536000, immutable" if immutable else "public, max-age=300",
        "Access-Control-Allow-Origin": "*",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/javascript", headers=headers)


def snippet(host: str, write_key: str, version: str) -> str:
    """The HTML a developer pastes into every page's ``<head>``: a stub that queues calls
    until the script arrives, then the script itself, loaded without blocking the page."""
    methods = json.dumps(["init", "track", "page", "identify", "alias", "group", "reset", "optOut", "optIn"])
    return (
        "<script>\n"
        "!function(w){var b=w.betterheap=w.betterheap||[];"
        f"{methods}.forEach(function(m){{b[m]=b[m]||function(){{b.push([m].concat([].slice.call(arguments)))}}}})}}(window);\n"
        f"betterheap.init({json.dumps(write_key)}, {{host: {json.dumps(host)}}});\n"
        "</script>\n"
        f'<script async src="{host}/sdk.js?v={version}"></script>\n'
    )


@router.get("/api/install")
def install(request: Request, runtime: RuntimeDep, project_id: ProjectId = 1) -> dict[str, Any]:
    """The install snippet for a project, with the script's URL and version."""
    if runtime.projects is None:
        raise HTTPException(503, "this server has no metadata store")
    project = next((p for p in runtime.projects.list() if p.id == project_id), None)
    if project is None:
        raise HTTPException(404, f"there is no project {project_id}; `betterheap project list` shows them")
    _, version = script()
    host = str(request.base_url).rstrip("/")
    return {
        "project_id": project_id,
        "write_key": project.write_key,
        "script_url": f"{host}/sdk.js?v={version}",
        "version": version,
        "snippet": snippet(host, project.write_key, version),
    }


class IngestCors:
    """Lets pages on any origin post events (the write key is public by design) and answer
    preflights; the rest of the API stays same-origin. Plain ASGI: it is on the hot path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(INGEST_PATHS):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await Response(status_code=204, headers=CORS_HEADERS)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(CORS_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_cors)
