"""The payloads are valid Segment batches, deterministic, and as many as asked for."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

import orjson

from betterheap.demo import generate
from betterheap.demo.catalog import COUNTRIES, PLATFORM_BY_USER_AGENT
from tests.demo.conftest import END, EVENTS

COUNTRY_CODES = {country.code for country in COUNTRIES}


def _bytes(payloads: Any) -> list[bytes]:
    return [orjson.dumps(payload) for payload in payloads]


def test_same_arguments_give_byte_identical_payloads() -> None:
    first = _bytes(generate(events=8000, seed=3, end_date=END))
    assert first == _bytes(generate(events=8000, seed=3, end_date=END))
    assert first != _bytes(generate(events=8000, seed=4, end_date=END))


def test_default_end_date_is_yesterday() -> None:
    payload = next(iter(generate(events=500, seed=1)))
    newest = max(m["timestamp"] for m in payload["batch"])
    assert newest < datetime.now().date().isoformat() + "T23:59:59"


def test_message_count_is_close_to_the_request(messages: list[dict[str, Any]]) -> None:
    assert abs(len(messages) - EVENTS) / EVENTS < 0.05
    small = sum(len(p["batch"]) for p in generate(events=5000, seed=11, end_date=END))
    assert abs(small - 5000) / 5000 < 0.05


def test_batches_are_full_and_carry_sent_at(payloads: list[dict[str, Any]]) -> None:
    assert all(len(p["batch"]) == 1000 for p in payloads[:-1])
    for payload in payloads:
        assert set(payload) == {"batch", "sentAt"}
        assert payload["sentAt"] == max(m["timestamp"] for m in payload["batch"])


def test_messages_follow_the_segment_spec(messages: list[dict[str, Any]]) -> None:
    ids = set()
    for message in messages:
        ids.add(message["messageId"])
        assert message["timestamp"].endswith("Z")
        datetime.fromisoformat(message["timestamp"].replace("Z", "+00:00"))
        assert message.get("anonymousId") or message.get("userId")
        context = message["context"]
        assert context["library"] == {"name": "betterheap-demo", "version": "1"}
        assert context["location"]["country"] in COUNTRY_CODES
        kind = message["type"]
        if kind == "track":
            assert isinstance(message["event"], str) and isinstance(message["properties"], dict)
        elif kind == "page":
            assert message["name"] and message["properties"]["url"].startswith("https://")
        else:
            assert kind == "identify" and message["userId"] and message["traits"]["role"]
        if "userAgent" in context:  # browser messages; billing jobs send none
            assert context["userAgent"] in PLATFORM_BY_USER_AGENT
            assert context["sessionId"]
            assert set(context["page"]) == {"url", "path", "referrer", "title"}
        if "revenue" in message.get("properties", {}):
            properties = message["properties"]
            assert properties["currency"] == "USD" and properties["revenue"] > 0
            assert properties["revenue_type"] in {"purchase", "subscription", "ads"}
    assert len(ids) == len(messages)


def test_campaign_context_only_on_the_first_page_of_a_tagged_visit(
    messages: list[dict[str, Any]],
) -> None:
    seen_sessions: set[str] = set()
    tagged = 0
    for message in messages:
        session = message["context"].get("sessionId")
        if session is None:
            continue
        if "campaign" in message["context"]:
            tagged += 1
            assert message["type"] == "page" and session not in seen_sessions
            assert (
                "utm_medium=" + message["context"]["campaign"]["medium"]
                in (message["properties"]["url"])
            )
        seen_sessions.add(session)
    assert tagged > 100


def test_all_ninety_days_are_present(messages: list[dict[str, Any]]) -> None:
    days = {m["timestamp"][:10] for m in messages}
    assert len(days) == 90
    assert max(days) == END.isoformat()
    assert min(days) == date.fromordinal(END.toordinal() - 89).isoformat()


def test_identity_anonymous_until_identify_then_logged_in(
    messages: list[dict[str, Any]],
) -> None:
    identified: dict[str, str] = {}
    logged_in_later = 0
    for message in messages:
        anonymous_id = message.get("anonymousId")
        if message["type"] == "identify":
            identified[anonymous_id] = message["userId"]
        elif anonymous_id in identified:
            assert message["userId"] == identified[anonymous_id]
            logged_in_later += 1
    assert len(identified) > 200 and logged_in_later > 1000


def test_every_platform_and_main_country_appears(messages: list[dict[str, Any]]) -> None:
    agents = {m["context"].get("userAgent") for m in itertools.islice(messages, 60_000)}
    browsers = {
        (PLATFORM_BY_USER_AGENT[a].os, PLATFORM_BY_USER_AGENT[a].browser) for a in agents if a
    }
    assert {
        ("Windows", "Edge"),
        ("iOS", "Safari"),
        ("Android", "Chrome"),
        ("macOS", "Firefox"),
    } <= browsers
