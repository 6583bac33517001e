"""The Segment HTTP Tracking API as clients send it, turned into IncomingEvents."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from betterheap.events.model import IncomingEvent
from betterheap.events.time import HOUR_US, MICROS, parse_timestamp
from betterheap.ingest.errors import PayloadError
from betterheap.ingest.formats import segment
from betterheap.ingest.formats.common import Receipt

RECEIVED = parse_timestamp("2024-06-01T10:00:00Z") or 0
RECEIPT = Receipt(project_id=7, received_at=RECEIVED)


def parse_one(message: dict[str, Any], kind: str | None = None, receipt: Receipt = RECEIPT) -> IncomingEvent:
    """A single-message endpoint (``/v1/<kind>``): the type comes from the URL."""
    events = segment.parse_body(message, receipt, kind or message["type"], max_messages=100)
    assert len(events) == 1
    return events[0]


def parse_batch(body: dict[str, Any], receipt: Receipt = RECEIPT) -> list[IncomingEvent]:
    return segment.parse_body(body, receipt, None, max_messages=100)


def test_track() -> None:
    event = parse_one(
        {
            "userId": "u1",
            "event": " Order Completed ",
            "properties": {"revenue": 12.5},
            "context": {"ip": "1.2.3.4"},
            "timestamp": "2024-06-01T09:00:00Z",
        },
        "track",
    )
    assert event["type"] == "track"
    assert event["event"] == "Order Completed"
    assert event["distinct_id"] == "u1"
    assert event["user_id"] == "u1"
    assert event["anonymous_id"] is None
    assert event["properties"] == {"revenue": 12.5}
    assert event["context"] == {"ip": "1.2.3.4"}
    assert event["timestamp"] == RECEIVED - HOUR_US
    assert event["received_at"] == RECEIVED
    assert event["project_id"] == 7
    assert event["source"] == "segment"
    assert "links" not in event


def test_page_names_the_event_pageview_and_keeps_the_page_name() -> None:
    event = parse_one({"anonymousId": "a1", "name": "Pricing", "properties": {"path": "/pricing"}}, "page")
    assert (event["type"], event["event"]) == ("page", "$pageview")
    assert event["distinct_id"] == "a1"
    assert event["properties"] == {"path": "/pricing", "name": "Pricing"}


def test_screen() -> None:
    event = parse_one({"userId": "u1", "name": "Home"}, "screen")
    assert (event["type"], event["event"]) == ("screen", "$screen")
    assert event["properties"]["name"] == "Home"


def test_identify_keeps_traits_as_set_and_links_the_anonymous_id() -> None:
    event = parse_one({"userId": "u1", "anonymousId": "anon-1", "traits": {"plan": "pro"}}, "identify")
    assert (event["type"], event["event"]) == ("identify", "$identify")
    assert event["distinct_id"] == "u1"
    assert event["anonymous_id"] == "anon-1"
    assert event["properties"]["$set"] == {"plan": "pro"}
    assert event["links"] == [("anon-1", "u1")]


def test_group() -> None:
    event = parse_one({"userId": "u1", "groupId": 42, "traits": {"name": "Acme"}}, "group")
    assert (event["type"], event["event"]) == ("group", "$groupidentify")
    assert event["properties"]["$group_id"] == "42"
    assert event["properties"]["$group_set"] == {"name": "Acme"}


def test_alias_links_the_previous_id_to_the_user_id() -> None:
    event = parse_one({"previousId": "anon-9", "userId": "u9"}, "alias")
    assert (event["type"], event["event"]) == ("alias", "$create_alias")
    assert event["distinct_id"] == "u9"
    assert event["links"] == [("anon-9", "u9")]


def test_alias_without_previous_id_is_rejected() -> None:
    with pytest.raises(PayloadError, match="previousId"):
        parse_one({"userId": "u9"}, "alias")


def test_any_message_with_both_ids_links_them() -> None:
    event = parse_one({"userId": "u1", "anonymousId": "anon-1", "event": "Signed Up"}, "track")
    assert event["links"] == [("anon-1", "u1")]
    same = parse_one({"userId": "u1", "anonymousId": "u1", "event": "Signed Up"}, "track")
    assert "links" not in same


def test_user_id_sent_as_a_number_becomes_a_string() -> None:
    event = parse_one({"userId": 12345, "event": "x"}, "track")
    assert event["distinct_id"] == "12345"
    assert event["user_id"] == "12345"


def test_blank_user_id_falls_back_to_anonymous_id() -> None:
    event = parse_one({"userId": "  ", "anonymousId": "anon-1", "event": "x"}, "track")
    assert event["distinct_id"] == "anon-1"
    assert event["user_id"] is None


def test_the_type_in_the_url_wins_over_the_body() -> None:
    event = parse_one({"type": "identify", "userId": "u1", "event": "x"}, "track")
    assert event["type"] == "track"


def test_batch_with_every_type_and_batch_level_sent_at() -> None:
    # The client's clock runs one hour fast; the batch says when it was sent.
    body = {
        "sentAt": "2024-06-01T11:00:00Z",
        "batch": [
            {"type": "track", "userId": "u1", "event": "a", "timestamp": "2024-06-01T10:59:00Z"},
            {"type": "page", "anonymousId": "x", "timestamp": "2024-06-01T10:58:00Z"},
            {"type": "screen", "userId": "u1", "timestamp": "2024-06-01T10:57:00Z"},
            {"type": "identify", "userId": "u1", "anonymousId": "x", "timestamp": "2024-06-01T10:56:00Z"},
            {"type": "group", "userId": "u1", "groupId": "g", "timestamp": "2024-06-01T10:55:00Z"},
            {"type": "alias", "userId": "u1", "previousId": "old", "timestamp": "2024-06-01T10:54:00Z"},
        ],
    }
    events = parse_batch(body)
    assert [e["type"] for e in events] == ["track", "page", "screen", "identify", "group", "alias"]
    minutes_before = [(RECEIVED - e["timestamp"]) // (60 * MICROS) for e in events]
    assert minutes_before == [1, 2, 3, 4, 5, 6]
    assert all(e["sent_at"] == RECEIVED + HOUR_US for e in events)
    assert events[0]["client_timestamp"] == RECEIVED + HOUR_US - 60 * MICROS


def test_a_message_sent_at_overrides_the_batch_sent_at() -> None:
    body = {
        "sentAt": "2024-06-01T11:00:00Z",
        "batch": [
            {
                "type": "track",
                "userId": "u1",
                "event": "a",
                "timestamp": "2024-06-01T10:00:00Z",
                "sentAt": "2024-06-01T10:00:00Z",
            }
        ],
    }
    assert parse_batch(body)[0]["timestamp"] == RECEIVED


def test_original_timestamp_is_used_when_timestamp_is_absent() -> None:
    event = parse_one({"userId": "u", "event": "x", "originalTimestamp": "2024-06-01T08:00:00Z"}, "track")
    assert event["timestamp"] == RECEIVED - 2 * HOUR_US


def test_errors_name_every_offending_index() -> None:
    good = {"type": "track", "userId": "u", "event": "ok"}
    body = {
        "batch": [
            good,
            good,
            good,
            {"type": "track", "userId": "u"},  # no event name
            good,
            {"type": "track", "event": "x"},  # no id
            {"type": "launch", "userId": "u"},
            "not an object",
            {"type": "track", "userId": "u", "event": "x", "timestamp": "last tuesday"},
        ]
    }
    with pytest.raises(PayloadError) as caught:
        parse_batch(body)
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "batch[3]",
        "batch[5]",
        "batch[6]",
        "batch[7]",
        "batch[8]",
    ]
    assert "event" in problems[0]
    assert "userId" in problems[1] and "anonymousId" in problems[1]
    assert "launch" in problems[2]
    assert "last tuesday" in problems[4]


@pytest.mark.parametrize(
    "body, fragment",
    [
        ([], "JSON object"),
        ({"batch": {"type": "track"}}, "'batch' must be a list"),
        ({}, "'batch' must be a list"),
        ({"batch": [{"type": "track", "userId": "u", "event": "x", "properties": [1]}]}, "properties"),
        ({"batch": [{"type": "identify", "userId": "u", "traits": "pro"}]}, "traits"),
        ({"batch": [{"type": "track", "userId": True, "event": "x"}]}, "ids must be strings or numbers"),
    ],
)
def test_malformed_bodies_are_payload_errors(body: Any, fragment: str) -> None:
    with pytest.raises(PayloadError, match=fragment):
        parse_batch(body)


def test_a_batch_over_the_message_limit_is_rejected() -> None:
    body = {"batch": [{"type": "track", "userId": "u", "event": "x"}] * 11}
    with pytest.raises(PayloadError, match="at most 10"):
        segment.parse_body(body, RECEIPT, None, max_messages=10)


def test_a_non_string_type_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match=r"batch\[0\]"):
        parse_batch({"batch": [{"type": ["track"], "userId": "u", "event": "x"}]})


# -- message ids ---------------------------------------------------------------------------


def test_a_uuid_message_id_is_kept() -> None:
    message_id = str(uuid.uuid4())
    assert parse_one({"userId": "u", "event": "x", "messageId": message_id}, "track")["uuid"] == message_id


def test_an_uppercase_uuid_message_id_maps_to_its_canonical_form() -> None:
    message_id = str(uuid.uuid4())
    event = parse_one({"userId": "u", "event": "x", "messageId": message_id.upper()}, "track")
    assert event["uuid"] == message_id


def test_the_same_non_uuid_message_id_always_gets_the_same_uuid() -> None:
    first = parse_one({"userId": "u", "event": "x", "messageId": "ajs-next-1717236000-abc"}, "track")
    retry = parse_one({"userId": "u", "event": "x", "messageId": "ajs-next-1717236000-abc"}, "track")
    other = parse_one({"userId": "u", "event": "x", "messageId": "ajs-next-1717236000-abd"}, "track")
    assert first["uuid"] == retry["uuid"]
    assert first["uuid"] != other["uuid"]
    assert uuid.UUID(first["uuid"])  # a real UUID the store's UUID column takes


def test_non_uuid_message_ids_are_mapped_per_project() -> None:
    message = {"userId": "u", "event": "x", "messageId": "msg-1"}
    in_seven = parse_one(message, "track", Receipt(7, RECEIVED))
    in_eight = parse_one(message, "track", Receipt(8, RECEIVED))
    assert in_seven["uuid"] != in_eight["uuid"]


def test_numeric_message_ids_are_stable() -> None:
    first = parse_one({"userId": "u", "event": "x", "messageId": 99}, "track")
    again = parse_one({"userId": "u", "event": "x", "messageId": "99"}, "track")
    assert first["uuid"] == again["uuid"]


def test_messages_without_message_id_get_distinct_uuids() -> None:
    events = parse_batch({"batch": [{"type": "track", "userId": "u", "event": "x"}] * 3})
    assert len({e["uuid"] for e in events}) == 3


def test_write_key_comes_from_the_body() -> None:
    assert segment.write_key({"writeKey": "wk_1", "batch": []}) == "wk_1"
    assert segment.write_key({"batch": []}) is None
    assert segment.write_key({"writeKey": ""}) is None
