"""Request bodies in every envelope clients use: gzip, base64, form-encoded; with size limits."""

from __future__ import annotations

import base64
import gzip
import time
import tracemalloc
import zlib
from typing import Any
from urllib.parse import quote, urlencode

import orjson
import pytest

from betterheap.ingest.decoding import decode_body
from betterheap.ingest.errors import PayloadError, PayloadTooLarge

LIMIT = 64 * 1024
BODY: Any = {"batch": [{"event": "a", "distinct_id": "u1", "properties": {"n": i}} for i in range(20)]}
RAW = orjson.dumps(BODY)
FORM = "application/x-www-form-urlencoded"


def decode(raw: bytes, **options: Any) -> Any:
    return decode_body(raw, max_bytes=LIMIT, **options)


def test_plain_json() -> None:
    assert decode(RAW, content_type="application/json") == BODY
    assert decode(b"  \n" + RAW) == BODY
    assert decode(b'[{"event": "a"}]') == [{"event": "a"}]


def test_gzip_by_content_encoding() -> None:
    assert decode(gzip.compress(RAW), content_encoding="gzip") == BODY
    assert decode(gzip.compress(RAW), content_encoding=" GZIP ") == BODY


def test_gzip_by_posthog_compression_parameter() -> None:
    assert decode(gzip.compress(RAW), compression="gzip-js") == BODY
    assert decode(gzip.compress(RAW), compression="gzip") == BODY


def test_gzip_is_recognised_by_its_magic_bytes_without_any_header() -> None:
    assert decode(gzip.compress(RAW), content_type="text/plain") == BODY


def test_base64_body() -> None:
    assert decode(base64.b64encode(RAW)) == BODY
    assert decode(base64.b64encode(RAW), compression="base64") == BODY


def test_base64_without_padding() -> None:
    encoded = base64.b64encode(b'{"event":"ab"}')
    assert encoded.endswith(b"=")
    assert decode(encoded.rstrip(b"=")) == {"event": "ab"}


def test_form_encoded_data_field_as_posthog_js_sends_it() -> None:
    # posthog-js (sendBeacon / older transports): data=<base64 of the JSON>, URL-encoded.
    form = urlencode({"data": base64.b64encode(RAW).decode()}).encode()
    assert decode(form, content_type=FORM) == BODY
    form_with_charset = urlencode({"data": RAW.decode()}).encode()
    assert decode(form_with_charset, content_type=FORM + "; charset=UTF-8") == BODY


def test_form_without_data_field() -> None:
    with pytest.raises(PayloadError, match="'data'"):
        decode(b"payload=abc", content_type=FORM)


def test_form_encoded_json_with_non_latin_characters() -> None:
    body = {"event": "price in €", "distinct_id": "u"}
    form = b"data=" + quote(orjson.dumps(body).decode()).encode()
    assert decode(form, content_type=FORM) == body


def test_form_encoded_json_with_accented_characters() -> None:
    body = {"event": "café", "distinct_id": "u"}
    form = b"data=" + quote(orjson.dumps(body).decode()).encode()
    assert decode(form, content_type=FORM) == body


def test_non_ascii_json_body_round_trips() -> None:
    body = {"event": "café ☕ €", "distinct_id": "ü"}
    assert decode(orjson.dumps(body)) == body
    assert decode(gzip.compress(orjson.dumps(body)), content_encoding="gzip") == body


def test_invalid_json_is_a_readable_payload_error() -> None:
    with pytest.raises(PayloadError) as caught:
        decode(b'{"event": "a", }')
    message = str(caught.value)
    assert message.startswith("the body is not valid JSON")
    assert "line 1" in message  # says where
    assert caught.value.problems == [message]


@pytest.mark.parametrize("raw", [b"", b"   ", b"\n"])
def test_empty_body_is_a_payload_error(raw: bytes) -> None:
    with pytest.raises(PayloadError, match="empty"):
        decode(raw)


def test_binary_garbage_is_a_payload_error_not_a_crash() -> None:
    with pytest.raises(PayloadError):
        decode(bytes(range(256)))


def test_corrupt_gzip_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="gzip"):
        decode(b"\x1f\x8b\x08\x00garbage-garbage", content_encoding="gzip")


def test_unsupported_content_encoding() -> None:
    with pytest.raises(PayloadError, match="br"):
        decode(RAW, content_encoding="br")


def test_body_above_the_limit_is_too_large() -> None:
    with pytest.raises(PayloadTooLarge, match=str(LIMIT)):
        decode(b" " * LIMIT + b"{}")


def test_body_at_the_limit_is_accepted() -> None:
    raw = b"{}" + b" " * (LIMIT - 2)
    assert decode(raw) == {}


def test_compressed_body_whose_content_exceeds_the_limit_is_too_large() -> None:
    raw = orjson.dumps({"pad": "x" * LIMIT})
    compressed = gzip.compress(raw)
    assert len(compressed) < LIMIT
    with pytest.raises(PayloadTooLarge):
        decode(compressed, content_encoding="gzip")


def _gzip_bomb(decompressed_bytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1024 * 1024)
    parts = [packer.compress(b'{"pad":"')]
    for _ in range(decompressed_bytes // len(chunk)):
        parts.append(packer.compress(chunk))
    parts.append(packer.flush())
    return b"".join(parts)


def test_a_gzip_bomb_is_rejected_without_inflating_it() -> None:
    bomb = _gzip_bomb(128 * 1024 * 1024)  # 128 MiB of zeros in ~130 KiB
    limit = 1024 * 1024
    assert len(bomb) < limit
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(PayloadTooLarge):
            decode_body(bomb, max_bytes=limit, content_encoding="gzip")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * limit, f"inflated {peak} bytes to reject a {limit}-byte limit"
    assert time.monotonic() - started < 2
