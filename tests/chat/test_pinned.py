"""A pinned answer on a dashboard is its structured query computed again: a question about
the last days moves on with the calendar, one about a named month does not, and personal
data stays with admins."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from betterheap.chat.service import Chat
from tests.chat.conftest import TODAY

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("chat-demo")]


def test_a_pinned_question_about_the_last_days_moves_on(chat: Chat) -> None:
    asked = chat.ask(1, "signups last 7 days", today=TODAY)
    assert asked["status"] == "answered"
    later = TODAY + timedelta(days=3)
    again = chat.recompute(1, asked["query"], "viewer", "signups last 7 days", today=later, asked_on=TODAY)
    for end in ("date_from", "date_to"):
        moved = date.fromisoformat(again["query"][end]) - date.fromisoformat(asked["query"][end])
        assert moved == timedelta(days=3), end
    assert again["query"]["event"] == asked["query"]["event"] and again["status"] == "answered"
    unknown_day = chat.recompute(1, asked["query"], "viewer", "signups last 7 days", today=later)
    assert unknown_day["query"] == asked["query"], "a pin without its day of asking keeps its dates"


def test_named_dates_follow_ups_and_other_windows_keep_their_dates(chat: Chat) -> None:
    month = chat.ask(1, "signups in October", today=TODAY)
    a_year_on = TODAY + timedelta(days=400)
    kept = chat.recompute(1, month["query"], "viewer", "signups in October", today=a_year_on, asked_on=TODAY)
    assert (kept["query"]["date_from"], kept["query"]["date_to"]) == ("2026-10-01", "2026-10-31")
    follow = chat.ask(1, "and pageviews?", month["conversation_id"], today=TODAY)
    assert follow["status"] == "answered" and follow["query"]["date_from"] == "2026-10-01"
    later = TODAY + timedelta(days=3)
    moved = chat.recompute(1, follow["query"], "viewer", "and pageviews?", today=later, asked_on=TODAY)
    assert moved["query"] == follow["query"], "a follow-up took its dates from the turn before"
    week = chat.ask(1, "signups last 7 days", today=TODAY)
    other_window = week["query"] | {"date_from": "2026-11-01"}  # as an LLM might have chosen
    again = chat.recompute(1, other_window, "viewer", "signups last 7 days", today=later, asked_on=TODAY)
    assert again["query"] == other_window


def test_a_pinned_answer_is_computed_for_the_role_that_opens_it(chat: Chat) -> None:
    asked = chat.ask(1, "signups last 7 days by country", today=TODAY)
    personal = asked["query"] | {"breakdown": "email"}
    with pytest.raises(PermissionError, match="email is personal data"):
        chat.recompute(1, personal, "viewer", "by email", today=TODAY, who="vera")
    refused = chat.audit.entries(1, 1)[0]
    assert (refused["who"], refused["status"], refused["source"]) == ("vera", "refused", "dashboard")
    with pytest.raises(ValueError, match="unknown role"):
        chat.recompute(1, asked["query"], "owner", today=TODAY)


def test_opening_a_pinned_answer_is_audited(chat: Chat) -> None:
    asked = chat.ask(1, "signups last 7 days", today=TODAY)
    chat.recompute(1, asked["query"], "viewer", "signups last 7 days", today=TODAY, who="vera")
    entry = chat.audit.entries(1, 1)[0]
    assert (entry["who"], entry["role"], entry["source"]) == ("vera", "viewer", "dashboard")
    assert entry["question"] == "signups last 7 days" and "SELECT" in entry["sql"]
