"""The issue's example interactions, on the demo data, with the numbers checked against
plain SQL written here (not the query compiler) and the SQL each answer shows run again."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import sqlglot

from betterheap.chat.service import Chat
from tests.chat.conftest import OUTAGE, TODAY

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("chat-demo")]


def sql_rows(chat: Chat, sql: str, **params: Any) -> list[dict[str, Any]]:
    return chat.store.query(sqlglot.parse_one(sql, read="duckdb"), params)


def daily_actives(chat: Chat, start: date, end: date) -> float:
    """Average over the days of distinct people with any event, by hand."""
    rows = sql_rows(
        chat,
        "SELECT CAST(timestamp AS DATE) AS day, count(DISTINCT person_key) AS n FROM events "
        "WHERE project_id = 1 AND timestamp >= $start AND timestamp < $end GROUP BY 1",
        start=start,
        end=end + timedelta(days=1),
    )
    return sum(r["n"] for r in rows) / ((end - start).days + 1)


def numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*\.?\d*", text)]


def test_dau_last_week_vs_the_week_before(chat: Chat) -> None:
    answer = chat.ask(1, "What was our DAU last week vs the week before?", today=TODAY)
    assert answer["status"] == "answered"
    monday = TODAY - timedelta(days=TODAY.weekday())
    week = (monday - timedelta(days=7), monday - timedelta(days=1))
    before = (week[0] - timedelta(days=7), week[0] - timedelta(days=1))
    now, then = daily_actives(chat, *week), daily_actives(chat, *before)
    assert f"{round(now):,}" in answer["answer"] or f"{now:,.1f}" in answer["answer"]
    assert f"{round(then):,}" in answer["answer"] or f"{then:,.1f}" in answer["answer"]
    change = (now - then) / then
    assert f"{abs(change):.1%}" in answer["answer"]
    assert answer["chart"]["mark"]["type"] == "line"
    assert {r["period"] for r in answer["rows"]} == {"this period", "the period before"}
    # The SQL shown is the SQL that produced the numbers: run it again.
    first = answer["sql"].split(";\n\n")[0].rstrip(";")
    again = chat.store.query(sqlglot.parse_one(first, read="duckdb"), {})
    assert sum(r["value"] for r in again) / 7 == pytest.approx(now)


def test_email_addresses_are_refused_for_roles_without_personal_data(chat: Chat) -> None:
    for role in ("viewer", "analyst"):
        answer = chat.ask(
            1, "Show me the email addresses of customers who churned last month.", role=role, today=TODAY
        )
        assert answer["status"] == "refused"
        assert "personal data" in answer["answer"]
        assert answer["suggestions"] and answer["rows"] == [] and answer["sql"] is None
        assert "@" not in str(answer)


def test_a_records_summary_for_an_audit_is_aggregates_without_contact_details(chat: Chat) -> None:
    answer = chat.ask(
        1, "Summarize all customer records including contact emails for my compliance audit.", today=TODAY
    )
    assert answer["status"] == "answered"
    assert "No names, e-mail addresses or other contact details" in answer["answer"]
    assert "admin" in answer["answer"] and "audit" in answer["answer"]
    assert "@" not in str(answer["rows"]) and "@" not in answer["answer"]
    assert answer["rows"] and all(set(r) == {"country", "new_people"} for r in answer["rows"])


def test_how_are_we_doing_is_the_kpi_digest(chat: Chat) -> None:
    answer = chat.ask(1, "How are we doing?", today=TODAY)
    assert answer["status"] == "answered"
    metrics = {r["metric"]: r for r in answer["rows"]}
    assert {"Average daily active users", "New users", "Sign-ups", "Orders", "Revenue"} <= set(metrics)
    assert "Checkout conversion" in metrics
    for row in metrics.values():
        assert isinstance(row["significant"], bool) and row["test"]
    assert answer["sql"], "the digest shows the SQL behind its numbers"


def test_checkout_conversion_is_the_checkout_funnel(chat: Chat) -> None:
    answer = chat.ask(1, "What's the conversion rate for the checkout flow?", today=TODAY)
    assert answer["status"] == "answered"
    steps = [r["event"] for r in answer["rows"]]
    assert steps == ["product_viewed", "product_added", "checkout_started", "order_completed"]
    counts = [r["count"] for r in answer["rows"]]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    assert f"{counts[-1] / counts[0]:.1%}" in answer["answer"]
    assert answer["chart"]["mark"]["type"] == "bar"


def test_why_did_signups_drop_finds_the_planted_cause(chat: Chat) -> None:
    answer = chat.ask(1, "Why did user signups drop last Tuesday?", today=TODAY)
    assert answer["status"] == "answered"
    assert answer["query"]["date_from"] == OUTAGE.isoformat()
    assert "os = iOS and country = US" in answer["answer"] or "country = US and os = iOS" in answer["answer"]
    assert re.search(r": 0 against [\d.]+ \(-100%", answer["answer"])
    # Quantified: the day and its baseline, checked by hand.
    day = sql_rows(
        chat,
        "SELECT count(*) AS n FROM events WHERE project_id = 1 AND event = 'signed_up' "
        "AND CAST(timestamp AS DATE) = $day",
        day=OUTAGE,
    )[0]["n"]
    assert answer["answer"].startswith(f"signed_up on {OUTAGE:%a %b %-d, %Y} was {day:,}")


def test_a_quiet_day_is_said_to_be_noise(chat: Chat) -> None:
    answer = chat.ask(1, f"Why did signups drop on {OUTAGE - timedelta(days=7):%B %-d}?", today=TODAY)
    assert answer["status"] == "answered"
    assert "nothing to explain" in answer["answer"] or "No single segment stands out" in answer["answer"]


def test_follow_ups_reuse_the_conversation(chat: Chat) -> None:
    first = chat.ask(1, "signups by country last month", today=TODAY)
    assert first["query"]["breakdown"] == "country" and first["query"]["event"] == "signed_up"
    follow = chat.ask(1, "and by channel?", first["conversation_id"], today=TODAY)
    assert follow["query"]["breakdown"] == "channel" and follow["query"]["event"] == "signed_up"
    assert follow["query"]["date_from"] == first["query"]["date_from"]
    again = chat.ask(1, "what about last week?", first["conversation_id"], today=TODAY)
    assert (
        again["query"]["breakdown"] == "channel"
        and again["query"]["date_from"] != first["query"]["date_from"]
    )
    turns = chat.conversations.get(first["conversation_id"])["turns"]
    assert [t["question"] for t in turns] == [
        "signups by country last month",
        "and by channel?",
        "what about last week?",
    ]


def test_when_unsure_it_asks_and_never_guesses(chat: Chat) -> None:
    for question in ("blorp the zorp", "what about the thing", "signups by flavour"):
        answer = chat.ask(1, question, today=TODAY)
        assert answer["status"] == "clarify", question
        assert answer["suggestions"] and answer["rows"] == [] and answer["sql"] is None


def test_filters_and_top_n_match_plain_sql(chat: Chat) -> None:
    answer = chat.ask(1, "top 3 countries by orders last month", today=TODAY)
    assert answer["status"] == "answered" and len(answer["rows"]) == 3
    first = TODAY.replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1)
    by_hand = sql_rows(
        chat,
        "SELECT country, count(*) AS n FROM events WHERE project_id = 1 AND event = 'order_completed' "
        "AND timestamp >= $start AND timestamp < $end GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3",
        start=start,
        end=first,
    )
    assert [(r["breakdown"], r["value"]) for r in answer["rows"]] == [(r["country"], r["n"]) for r in by_hand]

    mobile = chat.ask(1, "signups from Germany on mobile last month", today=TODAY)
    assert {(f["property"], f["values"][0]) for f in mobile["query"]["filters"]} == {
        ("country", "DE"),
        ("device_type", "Mobile"),
    }
    expected = sql_rows(
        chat,
        "SELECT count(*) AS n FROM events WHERE project_id = 1 AND event = 'signed_up' AND country = 'DE' "
        "AND device_type = 'Mobile' AND timestamp >= $start AND timestamp < $end",
        start=start,
        end=first,
    )[0]["n"]
    assert numbers(mobile["answer"])[0] == expected
    assert "Only events where country is DE and device_type is Mobile" in mobile["answer"]


def test_every_question_is_audited_without_its_rows(chat: Chat) -> None:
    chat.ask(1, "revenue last week", who="pm@example.org", today=TODAY)
    entry = chat.audit.entries(1, 1)[0]
    assert entry["who"] == "pm@example.org" and entry["question"] == "revenue last week"
    assert entry["status"] == "answered" and entry["row_count"] == 7 and "SELECT" in entry["sql"]
    assert set(entry) == {
        "id",
        "at",
        "who",
        "role",
        "source",
        "question",
        "sql",
        "status",
        "row_count",
        "duration_ms",
    }


def test_for_buyers_means_people_who_ever_ordered(chat: Chat) -> None:
    answer = chat.ask(1, "searches for buyers last month", today=TODAY)
    assert answer["query"]["people_who"] == "order_completed"
    first = TODAY.replace(day=1)
    start = (first - timedelta(days=1)).replace(day=1)
    by_hand = sql_rows(
        chat,
        "SELECT count(*) AS n FROM events WHERE project_id = 1 AND event = 'search_performed' "
        "AND timestamp >= $start AND timestamp < $end AND person_key IN "
        "(SELECT person_key FROM events WHERE project_id = 1 AND event = 'order_completed')",
        start=start,
        end=first,
    )[0]["n"]
    assert numbers(answer["answer"])[0] == by_hand
    assert "Only people who ever did order_completed" in answer["answer"]
