"""Ingestion endpoints speaking the Segment and PostHog wire formats.

Thin: read the body, hand it to the gateway, shape the answer. A 2xx is sent only after
the gateway has fsynced the events to the spool.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from betterheap.ingest.decoding import decode_body
from betterheap.ingest.errors import PayloadError, PayloadTooLarge, UnknownWriteKey
from betterheap.ingest.gateway import Gateway, WireFormat
from betterheap.web.deps import RuntimeDep

router = APIRouter(tags=["ingest"])

SEGMENT_TYPES = ("track", "identify", "page", "screen", "group", "alias")


def _basic_auth_user(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user = decoded.split(":", 1)[0]
    return user or None


def _error(status: int, error: str, detail: str, problems: list[str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": error, "detail": detail}
    if problems:
        body["problems"] = problems[:50]
    return JSONResponse(body, status_code=status)


async def _ingest(
    request: Request,
    gateway: Gateway | None,
    wire: WireFormat,
    implied_type: str | None,
    success: dict[str, Any],
) -> JSONResponse:
    if gateway is None:
        return _error(503, "not_accepting", "this server does not accept events")
    limit = gateway.limits.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return _error(413, "too_large", f"the body is {declared} bytes; the limit is {limit}")
    raw = bytearray()
    async for chunk in request.stream():  # also bounds bodies sent without Content-Length
        raw += chunk
        if len(raw) > limit:
            return _error(413, "too_large", f"the body exceeds the limit of {limit} bytes")
    try:
        body = decode_body(
            bytes(raw),
            max_bytes=limit,
            content_encoding=request.headers.get("content-encoding"),
            content_type=request.headers.get("content-type"),
            compression=request.query_params.get("compression"),
        )
        key = _basic_auth_user(request) if wire == "segment" else None
        count = await gateway.accept(wire, body, key=key, implied_type=implied_type)
    except PayloadTooLarge as error:
        return _error(413, "too_large", str(error))
    except UnknownWriteKey as error:
        return _error(401, "unauthorized", str(error))
    except PayloadError as error:
        return _error(400, "invalid_payload", str(error), error.problems)
    return JSONResponse({**success, "accepted": count})


def _segment_route(kind: str | None) -> Any:
    async def endpoint(request: Request, runtime: RuntimeDep) -> JSONResponse:
        return await _ingest(request, runtime.gateway, "segment", kind, {"success": True})

    endpoint.__name__ = f"segment_{kind or 'batch'}"
    endpoint.__doc__ = f"Segment HTTP Tracking API: {kind or 'batch'} (write key as Basic-auth user)."
    return endpoint


for _kind in SEGMENT_TYPES:
    router.add_api_route(f"/v1/{_kind}", _segment_route(_kind), methods=["POST"])
router.add_api_route("/v1/batch", _segment_route(None), methods=["POST"])
router.add_api_route("/v1/import", _segment_route(None), methods=["POST"], include_in_schema=False)


async def posthog_capture(request: Request, runtime: RuntimeDep) -> JSONResponse:
    """PostHog capture API (single event, batch or list; gzip and base64 bodies)."""
    return await _ingest(request, runtime.gateway, "posthog", None, {"status": 1})


for _path in ("/capture/", "/batch/", "/e/", "/i/v0/e/"):
    router.add_api_route(_path, posthog_capture, methods=["POST"], name=f"posthog{_path}")
