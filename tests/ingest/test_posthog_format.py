"""The PostHog capture API as posthog-js and posthog-python send it."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from betterheap.events.model import IncomingEvent
from betterheap.events.time import HOUR_US, MICROS, parse_timestamp
from betterheap.ingest.errors import PayloadError
from betterheap.ingest.formats import posthog
from betterheap.ingest.formats.common import Receipt

RECEIVED = parse_timestamp("2024-06-01T10:00:00Z") or 0
RECEIPT = Receipt(project_id=3, received_at=RECEIVED)


def parse(body: Any, receipt: Receipt = RECEIPT) -> list[IncomingEvent]:
    return posthog.parse_body(body, receipt, max_messages=100)


def test_single_event() -> None:
    [event] = parse(
        {
            "api_key": "phc_1",
            "event": "signed_up",
            "distinct_id": "u1",
            "properties": {"plan": "pro"},
            "timestamp": "2024-06-01T09:30:00Z",
        }
    )
    assert event["event"] == "signed_up"
    assert event["type"] == "track"
    assert event["distinct_id"] == "u1"
    assert event["properties"] == {"plan": "pro"}
    assert event["timestamp"] == RECEIVED - HOUR_US // 2
    assert event["source"] == "posthog"
    assert event["project_id"] == 3


def test_pageview_is_a_page() -> None:
    [event] = parse({"event": "$pageview", "distinct_id": "u1", "properties": {"$current_url": "/x"}})
    assert event["type"] == "page"
    assert event["event"] == "$pageview"


def test_batch_object_with_sent_at() -> None:
    events = parse(
        {
            "api_key": "phc_1",
            "sent_at": "2024-06-01T12:00:00Z",  # client clock two hours fast
            "batch": [
                {"event": "a", "distinct_id": "u1", "timestamp": "2024-06-01T11:59:00Z"},
                {"event": "b", "distinct_id": "u2", "timestamp": "2024-06-01T11:58:00Z"},
            ],
        }
    )
    assert [e["event"] for e in events] == ["a", "b"]
    assert [(RECEIVED - e["timestamp"]) // (60 * MICROS) for e in events] == [1, 2]


def test_bare_list_of_events() -> None:
    events = parse(
        [
            {"event": "a", "properties": {"distinct_id": "u1", "token": "phc_1"}},
            {"event": "b", "properties": {"$distinct_id": "u2", "token": "phc_1"}},
        ]
    )
    assert [(e["event"], e["distinct_id"]) for e in events] == [("a", "u1"), ("b", "u2")]
    # The project token is routing, not an event property.
    assert all("token" not in e["properties"] for e in events)


@pytest.mark.parametrize(
    "body",
    [
        {"api_key": "phc_1", "event": "a", "distinct_id": "u"},
        {"token": "phc_1", "event": "a", "distinct_id": "u"},
        {"event": "a", "distinct_id": "u", "properties": {"token": "phc_1"}},
        {"api_key": "phc_1", "batch": [{"event": "a", "distinct_id": "u"}]},
        {"batch": [{"event": "a", "distinct_id": "u", "api_key": "phc_1"}]},
        {"batch": [{"event": "a", "properties": {"distinct_id": "u", "token": "phc_1"}}]},
        [{"event": "a", "distinct_id": "u", "api_key": "phc_1"}],
        [{"event": "a", "distinct_id": "u", "token": "phc_1"}],
        [{"event": "a", "properties": {"distinct_id": "u", "token": "phc_1"}}],
    ],
)
def test_the_project_key_is_found_wherever_clients_put_it(body: Any) -> None:
    assert posthog.write_key(body) == "phc_1"


def test_no_key_anywhere() -> None:
    assert posthog.write_key({"event": "a", "distinct_id": "u"}) is None
    assert posthog.write_key([]) is None
    assert posthog.write_key("phc_1") is None


def test_identify_links_the_anonymous_id_to_the_identified_one() -> None:
    [event] = parse(
        {
            "event": "$identify",
            "distinct_id": "user@example.com",
            "properties": {"$anon_distinct_id": "anon-1", "$set": {"plan": "pro"}},
        }
    )
    assert event["type"] == "identify"
    assert event["user_id"] == "user@example.com"
    assert event["links"] == [("anon-1", "user@example.com")]
    assert event["properties"]["$set"] == {"plan": "pro"}


def test_identify_with_top_level_set_from_posthog_python() -> None:
    [event] = parse({"event": "$identify", "distinct_id": "u1", "$set": {"email": "a@b.c"}})
    assert event["properties"]["$set"] == {"email": "a@b.c"}
    assert "links" not in event


def test_identify_of_the_same_id_links_nothing() -> None:
    [event] = parse({"event": "$identify", "distinct_id": "u1", "properties": {"$anon_distinct_id": "u1"}})
    assert "links" not in event


def test_create_alias_links_the_two_ids() -> None:
    [event] = parse({"event": "$create_alias", "distinct_id": "u1", "properties": {"alias": "anon-7"}})
    assert event["links"] == [("u1", "anon-7")]


def test_create_alias_without_alias_is_rejected() -> None:
    with pytest.raises(PayloadError, match="alias"):
        parse({"event": "$create_alias", "distinct_id": "u1"})


def test_offset_instead_of_timestamp_counts_back_from_receipt() -> None:
    [event] = parse({"event": "a", "distinct_id": "u", "offset": 1500})
    assert event["timestamp"] == RECEIVED - 1500 * 1000
    assert event["client_timestamp"] is None


def test_timestamp_wins_over_offset() -> None:
    [event] = parse({"event": "a", "distinct_id": "u", "offset": 1500, "timestamp": "2024-06-01T09:00:00Z"})
    assert event["timestamp"] == RECEIVED - HOUR_US


def test_a_negative_offset_cannot_place_an_event_far_in_the_future() -> None:
    [event] = parse({"event": "a", "distinct_id": "u", "offset": -100 * 3600 * 1000})
    assert event["timestamp"] - RECEIVED <= 23 * HOUR_US


def test_missing_distinct_id_is_an_error() -> None:
    with pytest.raises(PayloadError, match="distinct_id"):
        parse({"event": "a", "properties": {}})


def test_errors_in_a_batch_name_the_index() -> None:
    with pytest.raises(PayloadError) as caught:
        parse(
            {
                "batch": [
                    {"event": "a", "distinct_id": "u"},
                    {"event": "b"},
                    {"distinct_id": "u"},
                    {"event": "c", "distinct_id": "u", "timestamp": "soon"},
                ]
            }
        )
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["batch[1]", "batch[2]", "batch[3]"]
    assert "distinct_id" in problems[0]
    assert "event" in problems[1]


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("hello", "JSON object or a list"),
        ({"batch": "nope"}, "'batch' must be a list"),
        ([1], "must be a JSON object"),
        ({"event": "  ", "distinct_id": "u"}, "non-empty 'event'"),
    ],
)
def test_malformed_bodies_are_payload_errors(body: Any, fragment: str) -> None:
    with pytest.raises(PayloadError, match=fragment):
        parse(body)


def test_a_batch_over_the_limit_is_rejected() -> None:
    with pytest.raises(PayloadError, match="at most 2"):
        posthog.parse_body([{"event": "a", "distinct_id": "u"}] * 3, RECEIPT, max_messages=2)


def test_event_uuid_is_the_dedup_key() -> None:
    given = str(uuid.uuid4())
    [kept] = parse({"event": "a", "distinct_id": "u", "uuid": given})
    assert kept["uuid"] == given
    [first] = parse({"event": "a", "distinct_id": "u", "uuid": "not-a-uuid"})
    [again] = parse({"event": "a", "distinct_id": "u", "uuid": "not-a-uuid"})
    assert first["uuid"] == again["uuid"]
    [elsewhere] = parse({"event": "a", "distinct_id": "u", "uuid": "not-a-uuid"}, Receipt(4, RECEIVED))
    assert elsewhere["uuid"] != first["uuid"]
