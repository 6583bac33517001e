"""Turning a request body into JSON: gzip, base64 and form-encoded bodies, with size limits."""

from __future__ import annotations

import base64
import binascii
import zlib
from typing import Any
from urllib.parse import parse_qs

import orjson

from betterheap.ingest.errors import PayloadError, PayloadTooLarge


def decode_body(
    raw: bytes,
    *,
    max_bytes: int,
    content_encoding: str | None = None,
    content_type: str | None = None,
    compression: str | None = None,
) -> Any:
    """The JSON value a client sent, whatever envelope it used.

    ``compression`` is PostHog's ``?compression=`` query parameter (``gzip``, ``gzip-js``,
    ``base64``). Bodies that are still not JSON but look like base64 are decoded once more,
    as posthog-js's older transports send them that way.
    """
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"the body is {len(raw)} bytes; the limit is {max_bytes}")
    encoding = (content_encoding or "").lower().strip()
    mode = (compression or "").lower().strip()
    if (content_type or "").startswith("application/x-www-form-urlencoded"):
        try:
            fields = parse_qs(raw.decode("ascii"), errors="strict")
            raw = fields["data"][0].encode("utf-8") if "data" in fields else b""
        except (UnicodeDecodeError, UnicodeEncodeError) as error:
            raise PayloadError([f"a form-encoded body must be URL-encoded UTF-8: {error}"]) from error
        if not raw:
            raise PayloadError(["a form-encoded body needs a 'data' field"])
        if "compression" in fields and not mode:
            mode = fields["compression"][0]
    if encoding == "gzip" or mode in ("gzip", "gzip-js") or raw[:2] == b"\x1f\x8b":
        raw = _gunzip(raw, max_bytes)
    elif encoding not in ("", "identity"):
        raise PayloadError([f"unsupported Content-Encoding {encoding!r}; use gzip or none"])
    if mode == "base64" or (raw[:1] not in (b"{", b"[", b" ", b"\n", b"\t", b"\r") and raw):
        raw = _unbase64(raw)
    if not raw.strip():
        raise PayloadError(["the body is empty"])
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise PayloadError([f"the body is not valid JSON: {error}"]) from error


def _gunzip(raw: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as error:
        raise PayloadError([f"the body is not valid gzip: {error}"]) from error
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise PayloadTooLarge(f"the decompressed body exceeds the limit of {max_bytes} bytes")
    return out


def _unbase64(raw: bytes) -> bytes:
    text = raw.strip()
    try:
        decoded = base64.b64decode(text + b"=" * (-len(text) % 4), validate=False)
    except (binascii.Error, ValueError) as error:
        raise PayloadError(["the body is neither JSON nor base64-encoded JSON"]) from error
    return decoded
