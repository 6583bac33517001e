"""Timestamp parsing and clock-skew correction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

MICROS = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_FIRST_SECOND = -62_135_596_800  # 0001-01-01T00:00:00Z
_LAST_SECOND = 253_402_300_799  # 9999-12-31T23:59:59Z
HOUR_US = 3600 * MICROS


class BadTimestamp(ValueError):
    """A timestamp that is neither ISO 8601 nor a number of (milli)seconds since the epoch."""


def now_us() -> int:
    return int(datetime.now(UTC).timestamp() * MICROS)


def parse_timestamp(value: object) -> int | None:
    """Parse an ISO 8601 string (``Z`` or offset; naive means UTC) or epoch number to µs.

    Numbers above 10^11 are taken as milliseconds (JavaScript ``Date.now()``), others as
    seconds.

    >>> parse_timestamp("2024-01-02T03:04:05.5Z")
    1704164645500000
    >>> parse_timestamp(1704164645500)
    1704164645500000
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadTimestamp(f"not a timestamp: {value!r}")
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) > 1e11 else float(value)
        if not _FIRST_SECOND <= seconds <= _LAST_SECOND:  # also refuses NaN
            raise BadTimestamp(f"timestamp out of range (years 1-9999): {value!r}")
        return int(round(seconds * MICROS))
    if not isinstance(value, str):
        raise BadTimestamp(f"not a timestamp: {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = _parse_lenient(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return (parsed - _EPOCH) // _ONE_US


@lru_cache(maxsize=1024)
def _parse_lenient(value: str) -> datetime:
    text = value.strip()
    if text.endswith(" UTC"):
        text = text[:-4] + "+00:00"
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise BadTimestamp(f"not an ISO 8601 timestamp: {value!r}") from error


def corrected_timestamp(
    client_timestamp: int | None,
    sent_at: int | None,
    received_at: int,
    future_clamp_hours: float = 23.0,
) -> int:
    """When the event really happened, in server time.

    The client's clock may be off: ``timestamp - (sent_at - received_at)`` moves the event by
    the difference between the client's clock and ours. Events still more than
    ``future_clamp_hours`` in the future are clamped to the receive time.

    >>> corrected_timestamp(100 * MICROS, 110 * MICROS, 50 * MICROS)
    40000000
    """
    if client_timestamp is None:
        return received_at
    timestamp = client_timestamp
    if sent_at is not None:
        timestamp = client_timestamp - (sent_at - received_at)
    if timestamp - received_at > future_clamp_hours * HOUR_US:
        return received_at
    return timestamp


def to_datetime(micros: int) -> datetime:
    return datetime.fromtimestamp(micros / MICROS, tz=UTC)
