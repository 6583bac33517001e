"""Timestamp parsing and clock-skew correction: when did an event really happen?"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from betterheap.events.time import (
    HOUR_US,
    MICROS,
    BadTimestamp,
    corrected_timestamp,
    parse_timestamp,
)

# 2024-01-02T03:04:05.5Z
T = 1_704_164_645_500_000


def _us(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()) * MICROS


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-02T03:04:05.5Z",
        "2024-01-02T03:04:05.500Z",
        "2024-01-02T03:04:05.500000Z",
        "2024-01-02T03:04:05.5z",
        "2024-01-02T03:04:05.5+00:00",
        "2024-01-02T04:04:05.5+01:00",
        "2024-01-01T22:04:05.5-05:00",
        "2024-01-02T08:34:05.5+05:30",
        "2024-01-02T03:04:05.5",  # naive means UTC
        "2024-01-02 03:04:05.5",
        "2024-01-02 03:04:05.5 UTC",
        "2024-01-02T03:04:05.5 UTC",
        1_704_164_645.5,  # epoch seconds
        1_704_164_645_500,  # epoch milliseconds (JavaScript Date.now())
        1_704_164_645_500.0,
    ],
)
def test_every_accepted_spelling_of_one_instant_parses_to_the_same_microsecond(value: object) -> None:
    assert parse_timestamp(value) == T


def test_whole_epoch_seconds_are_seconds_not_milliseconds() -> None:
    assert parse_timestamp(1_704_164_645) == 1_704_164_645 * MICROS
    # Well before 1973 in seconds, still read as seconds (the ms cut-off is 10^11).
    assert parse_timestamp(86_400) == 86_400 * MICROS


def test_milliseconds_keep_millisecond_precision() -> None:
    assert parse_timestamp(1_704_164_645_123) == 1_704_164_645_123_000


def test_timestamps_before_the_epoch_are_negative() -> None:
    assert parse_timestamp("1969-12-31T23:59:59Z") == -MICROS


def test_offsets_are_applied_not_dropped() -> None:
    assert parse_timestamp("2024-06-01T12:00:00+02:00") == _us("2024-06-01T10:00:00")


@pytest.mark.parametrize("value", [None, ""])
def test_absent_timestamps_are_none(value: object) -> None:
    assert parse_timestamp(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2024-13-01T00:00:00Z",
        "2024-01-32",
        "2024-01-02T25:00:00Z",
        "   ",
        "1704164645",  # a number in a string is not ISO 8601
        True,
        False,
        [2024, 1, 2],
        {"at": "2024-01-02"},
    ],
)
def test_bad_values_raise_bad_timestamp(value: object) -> None:
    with pytest.raises(BadTimestamp):
        parse_timestamp(value)


def test_bad_timestamp_is_a_value_error_naming_the_value() -> None:
    with pytest.raises(ValueError, match="yesterday"):
        parse_timestamp("yesterday")


@pytest.mark.parametrize("value", [1.5e16, -1.5e16, 1e17, 10**30])
def test_epoch_numbers_beyond_the_storable_range_are_bad_timestamps(value: float) -> None:
    with pytest.raises(BadTimestamp):
        parse_timestamp(value)


# -- clock-skew correction ------------------------------------------------------------------


def test_a_client_clock_ahead_of_ours_is_moved_back() -> None:
    received = _us("2024-06-01T10:00:00")
    # The client's clock runs 5 minutes fast: it stamped the event 1 s before sending.
    sent_at = received + 300 * MICROS
    client = sent_at - MICROS
    assert corrected_timestamp(client, sent_at, received) == received - MICROS


def test_a_client_clock_behind_ours_is_moved_forward() -> None:
    received = _us("2024-06-01T10:00:00")
    sent_at = received - 2 * HOUR_US  # two hours slow (e.g. wrong time zone set as UTC)
    client = sent_at - 10 * MICROS
    assert corrected_timestamp(client, sent_at, received) == received - 10 * MICROS


def test_without_sent_at_the_client_timestamp_is_kept() -> None:
    received = _us("2024-06-01T10:00:00")
    client = received - 3 * HOUR_US
    assert corrected_timestamp(client, None, received) == client


def test_without_a_client_timestamp_the_receive_time_is_used() -> None:
    received = _us("2024-06-01T10:00:00")
    assert corrected_timestamp(None, None, received) == received
    assert corrected_timestamp(None, received + HOUR_US, received) == received


def test_events_more_than_23_hours_in_the_future_are_clamped_to_receive_time() -> None:
    received = _us("2024-06-01T10:00:00")
    assert corrected_timestamp(received + 24 * HOUR_US, None, received) == received
    assert corrected_timestamp(received + 23 * HOUR_US + 1, None, received) == received
    # After skew correction still in the future: clamped too.
    assert corrected_timestamp(received + 30 * HOUR_US, received + HOUR_US, received) == received


def test_events_22_hours_in_the_future_are_kept() -> None:
    received = _us("2024-06-01T10:00:00")
    assert corrected_timestamp(received + 22 * HOUR_US, None, received) == received + 22 * HOUR_US
    assert corrected_timestamp(received + 23 * HOUR_US, None, received) == received + 23 * HOUR_US


def test_the_future_clamp_is_configurable() -> None:
    received = _us("2024-06-01T10:00:00")
    assert corrected_timestamp(received + 2 * HOUR_US, None, received, future_clamp_hours=1) == received
    assert corrected_timestamp(received + 2 * HOUR_US, None, received, future_clamp_hours=3) == (
        received + 2 * HOUR_US
    )


def test_old_events_are_never_clamped() -> None:
    received = _us("2024-06-01T10:00:00")
    long_ago = _us("2019-01-01T00:00:00")
    assert corrected_timestamp(long_ago, None, received) == long_ago


_RECEIVED = st.integers(min_value=0, max_value=4_000_000_000 * MICROS)
_SKEW = st.integers(min_value=-10 * 365 * 24 * HOUR_US, max_value=10 * 365 * 24 * HOUR_US)
_DELAY = st.integers(min_value=0, max_value=7 * 24 * HOUR_US)


@settings(max_examples=200, deadline=None)
@given(received=_RECEIVED, skew=_SKEW, delay=_DELAY, transit=st.integers(0, 60 * MICROS))
def test_correction_recovers_the_true_time_for_any_clock_skew(
    received: int, skew: int, delay: int, transit: int
) -> None:
    # The event happened `delay` before it was sent; the request took `transit` to arrive.
    # The client's clock reads `skew` off ours for both its timestamp and its sent_at.
    true_sent = received - transit
    true_event = true_sent - delay
    corrected = corrected_timestamp(true_event + skew, true_sent + skew, received)
    # Exact up to the transit time, which nobody can measure.
    assert corrected == true_event + transit


@settings(max_examples=100, deadline=None)
@given(received=_RECEIVED, client=_RECEIVED, sent_at=st.none() | _RECEIVED)
def test_the_corrected_time_is_never_more_than_23_hours_ahead(
    received: int, client: int, sent_at: int | None
) -> None:
    corrected = corrected_timestamp(client, sent_at, received)
    assert corrected - received <= 23 * HOUR_US
