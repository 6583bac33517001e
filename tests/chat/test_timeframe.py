"""find_timeframe: the time phrase and the comparison phrase of a question, as inclusive day ranges."""

from __future__ import annotations

from datetime import date

import pytest

from betterheap.chat.timeframe import Period, TimeFrame, find_timeframe

MONDAY = date(2026, 11, 30)  # the usual "today" of these tests
SUNDAY = date(2026, 11, 29)
IN_MARCH = date(2026, 3, 15)  # a Sunday
NEW_YEAR = date(2026, 1, 1)  # a Thursday
LEAP_END_OF_MARCH = date(2024, 3, 31)

Span = tuple[date, date]


def d(year: int, month: int, day: int) -> date:
    return date(year, month, day)


def days(first: date, last: date) -> Span:
    return first, last


def one(day: date) -> Span:
    return day, day


# (question, today, period, comparison or None)
CASES: list[tuple[str, date, Span, Span | None]] = [
    # today, yesterday
    ("How many signups today?", MONDAY, one(d(2026, 11, 30)), None),
    ("signups yesterday", MONDAY, one(d(2026, 11, 29)), None),
    ("Signups yesterday?", NEW_YEAR, one(d(2025, 12, 31)), None),
    # weeks: Monday..Sunday
    ("DAU this week", MONDAY, one(d(2026, 11, 30)), None),
    ("DAU this week", SUNDAY, days(d(2026, 11, 23), d(2026, 11, 29)), None),
    ("DAU this week", NEW_YEAR, days(d(2025, 12, 29), d(2026, 1, 1)), None),
    ("DAU last week", MONDAY, days(d(2026, 11, 23), d(2026, 11, 29)), None),
    ("What was DAU the last week?", MONDAY, days(d(2026, 11, 23), d(2026, 11, 29)), None),
    ("signups in the previous week", MONDAY, days(d(2026, 11, 23), d(2026, 11, 29)), None),
    ("last week", SUNDAY, days(d(2026, 11, 16), d(2026, 11, 22)), None),
    ("last week", NEW_YEAR, days(d(2025, 12, 22), d(2025, 12, 28)), None),
    ("last week's signups", MONDAY, days(d(2026, 11, 23), d(2026, 11, 29)), None),
    # months, quarters, years
    ("revenue this month", MONDAY, days(d(2026, 11, 1), d(2026, 11, 30)), None),
    ("revenue this month", IN_MARCH, days(d(2026, 3, 1), d(2026, 3, 15)), None),
    ("revenue last month", MONDAY, days(d(2026, 10, 1), d(2026, 10, 31)), None),
    ("revenue previous month", NEW_YEAR, days(d(2025, 12, 1), d(2025, 12, 31)), None),
    ("last month", LEAP_END_OF_MARCH, days(d(2024, 2, 1), d(2024, 2, 29)), None),
    ("signups this year", MONDAY, days(d(2026, 1, 1), d(2026, 11, 30)), None),
    ("signups this year", NEW_YEAR, one(d(2026, 1, 1)), None),
    ("signups last year", MONDAY, days(d(2025, 1, 1), d(2025, 12, 31)), None),
    ("signups last quarter", MONDAY, days(d(2026, 7, 1), d(2026, 9, 30)), None),
    ("signups last quarter", IN_MARCH, days(d(2025, 10, 1), d(2025, 12, 31)), None),
    ("signups this quarter", MONDAY, days(d(2026, 10, 1), d(2026, 11, 30)), None),
    ("signups in Q3", MONDAY, days(d(2026, 7, 1), d(2026, 9, 30)), None),
    ("signups in Q1 2025", MONDAY, days(d(2025, 1, 1), d(2025, 3, 31)), None),
    ("signups in 2025", MONDAY, days(d(2025, 1, 1), d(2025, 12, 31)), None),
    # rolling: N days / weeks / months ending today
    ("signups last 7 days", MONDAY, days(d(2026, 11, 24), d(2026, 11, 30)), None),
    ("signups in the last 30 days", MONDAY, days(d(2026, 11, 1), d(2026, 11, 30)), None),
    ("signups the last 30 days", SUNDAY, days(d(2026, 10, 31), d(2026, 11, 29)), None),
    ("signups past 14 days, by country", MONDAY, days(d(2026, 11, 17), d(2026, 11, 30)), None),
    ("signups over the past two weeks", MONDAY, days(d(2026, 11, 17), d(2026, 11, 30)), None),
    ("signups last 2 weeks", MONDAY, days(d(2026, 11, 17), d(2026, 11, 30)), None),
    ("signups in the past ninety days", MONDAY, days(d(2026, 9, 2), d(2026, 11, 30)), None),
    ("last twenty days", MONDAY, days(d(2026, 11, 11), d(2026, 11, 30)), None),
    ("last 7 days", NEW_YEAR, days(d(2025, 12, 26), d(2026, 1, 1)), None),
    ("sessions over the last 3 months", MONDAY, days(d(2026, 8, 31), d(2026, 11, 30)), None),
    ("sessions last 3 months", IN_MARCH, days(d(2025, 12, 16), d(2026, 3, 15)), None),
    ("last 1 month", LEAP_END_OF_MARCH, days(d(2024, 3, 1), d(2024, 3, 31)), None),
    ("last twelve months", MONDAY, days(d(2025, 12, 1), d(2026, 11, 30)), None),
    ("in the past week", MONDAY, days(d(2026, 11, 24), d(2026, 11, 30)), None),
    ("3 days ago", MONDAY, one(d(2026, 11, 27)), None),
    # a named month: the most recent one that has started
    ("signups in March", MONDAY, days(d(2026, 3, 1), d(2026, 3, 31)), None),
    ("signups in march 2026", MONDAY, days(d(2026, 3, 1), d(2026, 3, 31)), None),
    ("signups during March", IN_MARCH, days(d(2026, 3, 1), d(2026, 3, 31)), None),
    ("signups in April", IN_MARCH, days(d(2025, 4, 1), d(2025, 4, 30)), None),
    ("signups in December", NEW_YEAR, days(d(2025, 12, 1), d(2025, 12, 31)), None),
    ("signups in May", MONDAY, days(d(2026, 5, 1), d(2026, 5, 31)), None),
    ("signups in Sept 2025", MONDAY, days(d(2025, 9, 1), d(2025, 9, 30)), None),
    ("D7 retention of March cohorts", MONDAY, days(d(2026, 3, 1), d(2026, 3, 31)), None),
    # a single day: the most recent one not after today
    ("signups on May 3", MONDAY, one(d(2026, 5, 3)), None),
    ("signups on 3 May", MONDAY, one(d(2026, 5, 3)), None),
    ("signups on May 3rd?", MONDAY, one(d(2026, 5, 3)), None),
    ("signups on the 3rd of May", MONDAY, one(d(2026, 5, 3)), None),
    ("signups on 2026-05-03", MONDAY, one(d(2026, 5, 3)), None),
    ("signups on May 3, 2025", MONDAY, one(d(2025, 5, 3)), None),
    ("signups on March 20", IN_MARCH, one(d(2025, 3, 20)), None),
    ("signups on Dec 31", NEW_YEAR, one(d(2025, 12, 31)), None),
    ("signups on Jan 1", NEW_YEAR, one(d(2026, 1, 1)), None),
    ("signups on Feb 29", IN_MARCH, one(d(2024, 2, 29)), None),
    # a weekday: the most recent one strictly before today
    ("signups last Tuesday", MONDAY, one(d(2026, 11, 24)), None),
    ("signups on Monday", MONDAY, one(d(2026, 11, 23)), None),
    ("signups on Sunday", MONDAY, one(d(2026, 11, 29)), None),
    ("signups last Sunday", SUNDAY, one(d(2026, 11, 22)), None),
    ("signups on Saturday", SUNDAY, one(d(2026, 11, 28)), None),
    ("signups Friday", NEW_YEAR, one(d(2025, 12, 26)), None),
    # since: that day .. today
    ("signups since May 3", MONDAY, days(d(2026, 5, 3), d(2026, 11, 30)), None),
    ("signups since last Monday", MONDAY, days(d(2026, 11, 23), d(2026, 11, 30)), None),
    ("signups since Wednesday", MONDAY, days(d(2026, 11, 25), d(2026, 11, 30)), None),
    ("signups since 2026-05-03", MONDAY, days(d(2026, 5, 3), d(2026, 11, 30)), None),
    ("signups since Dec 25", NEW_YEAR, days(d(2025, 12, 25), d(2026, 1, 1)), None),
    ("signups since last week", MONDAY, days(d(2026, 11, 23), d(2026, 11, 30)), None),
    ("signups since the start of the month", MONDAY, days(d(2026, 11, 1), d(2026, 11, 30)), None),
    ("revenue since March", MONDAY, days(d(2026, 3, 1), d(2026, 11, 30)), None),
    # between / from-to / a dash
    ("signups between May 3 and May 10", MONDAY, days(d(2026, 5, 3), d(2026, 5, 10)), None),
    ("signups from May 3 to May 10", MONDAY, days(d(2026, 5, 3), d(2026, 5, 10)), None),
    ("signups May 3 - May 10", MONDAY, days(d(2026, 5, 3), d(2026, 5, 10)), None),
    ("signups May 3–10", MONDAY, days(d(2026, 5, 3), d(2026, 5, 10)), None),
    ("signups from 2026-05-03 to 2026-05-10", MONDAY, days(d(2026, 5, 3), d(2026, 5, 10)), None),
    ("signups 3 May 2025 to 10 May 2025", MONDAY, days(d(2025, 5, 3), d(2025, 5, 10)), None),
    ("signups from Dec 20 to Jan 5", NEW_YEAR, days(d(2025, 12, 20), d(2026, 1, 5)), None),
    ("signups from Dec 20 to Jan 5, 2026", MONDAY, days(d(2025, 12, 20), d(2026, 1, 5)), None),
    ("signups from March to May", MONDAY, days(d(2026, 3, 1), d(2026, 5, 31)), None),
    ("signups between March 1 and today", MONDAY, days(d(2026, 3, 1), d(2026, 11, 30)), None),
    ("signups from May 3 until now", MONDAY, days(d(2026, 5, 3), d(2026, 11, 30)), None),
    ("signups from last Monday to yesterday", MONDAY, days(d(2026, 11, 23), d(2026, 11, 29)), None),
    # comparisons next to a named period
    (
        "What was our DAU last week vs the week before?",
        MONDAY,
        days(d(2026, 11, 23), d(2026, 11, 29)),
        days(d(2026, 11, 16), d(2026, 11, 22)),
    ),
    (
        "DAU last week versus the previous week",
        MONDAY,
        days(d(2026, 11, 23), d(2026, 11, 29)),
        days(d(2026, 11, 16), d(2026, 11, 22)),
    ),
    (
        "DAU last week compared to the week before",
        SUNDAY,
        days(d(2026, 11, 16), d(2026, 11, 22)),
        days(d(2026, 11, 9), d(2026, 11, 15)),
    ),
    (  # a week in progress: the same weekdays of the week before
        "DAU this week vs the prior week",
        date(2026, 11, 25),
        days(d(2026, 11, 23), d(2026, 11, 25)),
        days(d(2026, 11, 16), d(2026, 11, 18)),
    ),
    (  # longer than a week: the same length right before
        "signups last 14 days vs the week before",
        MONDAY,
        days(d(2026, 11, 17), d(2026, 11, 30)),
        days(d(2026, 11, 3), d(2026, 11, 16)),
    ),
    (  # "last week" as a comparison: the whole calendar week before the period's
        "DAU this week vs last week",
        date(2026, 11, 25),
        days(d(2026, 11, 23), d(2026, 11, 25)),
        days(d(2026, 11, 16), d(2026, 11, 22)),
    ),
    (
        "signups in the last 30 days vs the previous period",
        MONDAY,
        days(d(2026, 11, 1), d(2026, 11, 30)),
        days(d(2026, 10, 2), d(2026, 10, 31)),
    ),
    (
        "signups last 7 days compared with the prior period",
        MONDAY,
        days(d(2026, 11, 24), d(2026, 11, 30)),
        days(d(2026, 11, 17), d(2026, 11, 23)),
    ),
    (
        "signups this month vs last month",
        IN_MARCH,
        days(d(2026, 3, 1), d(2026, 3, 15)),
        days(d(2026, 2, 1), d(2026, 2, 28)),
    ),
    (
        "signups this month compared to last month",
        MONDAY,
        days(d(2026, 11, 1), d(2026, 11, 30)),
        days(d(2026, 10, 1), d(2026, 10, 31)),
    ),
    (
        "signups last month month over month",
        MONDAY,
        days(d(2026, 10, 1), d(2026, 10, 31)),
        days(d(2026, 9, 1), d(2026, 9, 30)),
    ),
    (  # a month to date: the same days of the month before
        "signups this month MoM",
        IN_MARCH,
        days(d(2026, 3, 1), d(2026, 3, 15)),
        days(d(2026, 2, 1), d(2026, 2, 15)),
    ),
    (
        "signups in March vs last year",
        MONDAY,
        days(d(2026, 3, 1), d(2026, 3, 31)),
        days(d(2025, 3, 1), d(2025, 3, 31)),
    ),
    (
        "signups this month vs the same period last year",
        MONDAY,
        days(d(2026, 11, 1), d(2026, 11, 30)),
        days(d(2025, 11, 1), d(2025, 11, 30)),
    ),
    (
        "signups last week year over year",
        MONDAY,
        days(d(2026, 11, 23), d(2026, 11, 29)),
        days(d(2025, 11, 23), d(2025, 11, 29)),
    ),
    (  # Feb 29 has no twin a year earlier: clamp to Feb 28
        "signups on Feb 29, 2024 YoY",
        MONDAY,
        one(d(2024, 2, 29)),
        one(d(2023, 2, 28)),
    ),
    (  # and a leap February's twin ends on the 29th
        "signups in February 2025 yoy",
        MONDAY,
        days(d(2025, 2, 1), d(2025, 2, 28)),
        days(d(2024, 2, 1), d(2024, 2, 29)),
    ),
    (  # a named period as the comparison
        "signups in March vs February",
        MONDAY,
        days(d(2026, 3, 1), d(2026, 3, 31)),
        days(d(2026, 2, 1), d(2026, 2, 28)),
    ),
    (
        "compare signups today to yesterday",
        MONDAY,
        one(d(2026, 11, 30)),
        one(d(2026, 11, 29)),
    ),
    (
        "compare March to April",
        MONDAY,
        days(d(2026, 3, 1), d(2026, 3, 31)),
        days(d(2026, 4, 1), d(2026, 4, 30)),
    ),
    # only a comparison: the period it implies
    (
        "DAU week over week",
        MONDAY,
        days(d(2026, 11, 23), d(2026, 11, 29)),
        days(d(2026, 11, 16), d(2026, 11, 22)),
    ),
    ("DAU WoW", SUNDAY, days(d(2026, 11, 16), d(2026, 11, 22)), days(d(2026, 11, 9), d(2026, 11, 15))),
    (
        "signups week-over-week?",
        NEW_YEAR,
        days(d(2025, 12, 22), d(2025, 12, 28)),
        days(d(2025, 12, 15), d(2025, 12, 21)),
    ),
    (
        "revenue month over month",
        MONDAY,
        days(d(2026, 10, 1), d(2026, 10, 31)),
        days(d(2026, 9, 1), d(2026, 9, 30)),
    ),
    ("revenue mom", IN_MARCH, days(d(2026, 2, 1), d(2026, 2, 28)), days(d(2026, 1, 1), d(2026, 1, 31))),
    (
        "revenue year over year",
        MONDAY,
        days(d(2025, 1, 1), d(2025, 12, 31)),
        days(d(2024, 1, 1), d(2024, 12, 31)),
    ),
    ("revenue yoy", MONDAY, days(d(2025, 1, 1), d(2025, 12, 31)), days(d(2024, 1, 1), d(2024, 12, 31))),
    (
        "revenue vs last year",
        MONDAY,
        days(d(2026, 1, 1), d(2026, 11, 30)),
        days(d(2025, 1, 1), d(2025, 11, 30)),
    ),
    (
        "revenue vs last month",
        MONDAY,
        days(d(2026, 11, 1), d(2026, 11, 30)),
        days(d(2026, 10, 1), d(2026, 10, 31)),
    ),
    (
        "DAU vs the week before",
        MONDAY,
        days(d(2026, 11, 23), d(2026, 11, 29)),
        days(d(2026, 11, 16), d(2026, 11, 22)),
    ),
    (
        "DAU vs the previous period",
        MONDAY,
        days(d(2026, 11, 1), d(2026, 11, 30)),
        days(d(2026, 10, 2), d(2026, 10, 31)),
    ),
]


@pytest.mark.parametrize(("question", "today", "period", "comparison"), CASES)
def test_periods_and_comparisons(question: str, today: date, period: Span, comparison: Span | None) -> None:
    frame = find_timeframe(question, today)
    assert frame is not None, question
    assert (frame.period.date_from, frame.period.date_to) == period
    if comparison is None:
        assert frame.comparison is None
    else:
        assert frame.comparison is not None
        assert (frame.comparison.date_from, frame.comparison.date_to) == comparison


@pytest.mark.parametrize(
    "question",
    [
        "How many signups do we have?",
        "top 5 countries",
        "Which are the top 5 countries by signups?",
        "D7 retention",
        "What's our D30 retention by country?",
        "7-day retention",
        "weekly active users",
        "signups per day",
        "signups by country",
        "users who may churn",
        "top 3 may churn",
        "What did jan look like",  # a bare abbreviation needs "in"
        "sessions per user in 2 clicks",
        "signups on 05/03",  # ambiguous slash dates are not read
        "signups on Feb 30",
        "signups on 2026-13-01",
        "signups last 0 days",
        "signups on Mondays",
        "the 2026 plan",  # a bare year needs "in"
        "hey, wow, what's new",
        "",
    ],
)
def test_no_time_phrase(question: str) -> None:
    assert find_timeframe(question, MONDAY) is None


def test_top_five_is_not_five_days() -> None:
    frame = find_timeframe("top 5 countries by signups in the last 7 days", MONDAY)
    assert frame is not None
    assert (frame.period.date_from, frame.period.date_to) == (d(2026, 11, 24), d(2026, 11, 30))
    assert frame.matched == ("in the last 7 days",)


def test_d7_is_not_a_time_but_the_cohort_month_is() -> None:
    frame = find_timeframe("D7 retention of March cohorts", MONDAY)
    assert frame == TimeFrame(Period(d(2026, 3, 1), d(2026, 3, 31), "March 2026", "day"), None, ("of March",))


@pytest.mark.parametrize(
    ("question", "today", "label"),
    [
        ("DAU last week", SUNDAY, "last week (Nov 16 – Nov 22, 2026)"),
        ("signups yesterday", MONDAY, "yesterday (Nov 29, 2026)"),
        ("signups today", MONDAY, "today (Nov 30, 2026)"),
        ("signups the last 30 days", SUNDAY, "the last 30 days (Oct 31 – Nov 29, 2026)"),
        ("signups in the last 30 days", MONDAY, "the last 30 days (Nov 1 – Nov 30, 2026)"),
        ("signups in the past week", MONDAY, "the past week (Nov 24 – Nov 30, 2026)"),
        ("signups in March", MONDAY, "March 2026"),
        ("signups last month", MONDAY, "last month (October 2026)"),
        ("signups this month", MONDAY, "this month (Nov 1 – Nov 30, 2026)"),
        ("signups last year", MONDAY, "last year (2025)"),
        ("signups last quarter", MONDAY, "last quarter (Q3 2026)"),
        ("signups on May 3", MONDAY, "May 3, 2026"),
        ("signups last Tuesday", MONDAY, "last Tuesday (Nov 24, 2026)"),
        ("signups since last Monday", MONDAY, "since last Monday (Nov 23 – Nov 30, 2026)"),
        ("signups from May 3 to May 10", MONDAY, "May 3 – May 10, 2026"),
        ("signups from Dec 20 to Jan 5", NEW_YEAR, "Dec 20, 2025 – Jan 5, 2026"),
        ("signups this week", NEW_YEAR, "this week (Dec 29, 2025 – Jan 1, 2026)"),
    ],
)
def test_labels(question: str, today: date, label: str) -> None:
    frame = find_timeframe(question, today)
    assert frame is not None
    assert frame.period.label == label


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("DAU last week vs the week before", "the week before (Nov 16 – Nov 22, 2026)"),
        ("signups this month vs last month", "the month before (October 2026)"),
        ("signups last 30 days vs the prior period", "the previous period (Oct 2 – Oct 31, 2026)"),
        ("signups last month yoy", "the same period a year earlier (October 2025)"),
    ],
)
def test_comparison_labels(question: str, label: str) -> None:
    frame = find_timeframe(question, MONDAY)
    assert frame is not None and frame.comparison is not None
    assert frame.comparison.label == label


@pytest.mark.parametrize(
    ("question", "matched"),
    [
        ("What was our DAU last week vs the week before?", ("last week", "vs the week before")),
        ("DAU week over week", ("week over week",)),
        ("Signups In March 2026, by country", ("In March 2026",)),
        ("signups since last Monday", ("since last Monday",)),
        ("signups between May 3 and May 10?", ("between May 3 and May 10",)),
        (
            "signups in the last 30 days compared with the prior period",
            ("in the last 30 days", "compared with the prior period"),
        ),
        ("signups this month vs the same period last year", ("this month", "vs the same period last year")),
        ("signups in March vs February", ("in March", "vs February")),
    ],
)
def test_matched_substrings_come_from_the_question(question: str, matched: tuple[str, ...]) -> None:
    frame = find_timeframe(question, MONDAY)
    assert frame is not None
    assert frame.matched == matched
    assert all(part in question for part in frame.matched)


def test_matching_a_lowercased_question_gives_lowercase_substrings() -> None:
    frame = find_timeframe("dau last tuesday vs the week before", MONDAY)
    assert frame is not None
    assert frame.matched == ("last tuesday", "vs the week before")
    assert frame.comparison is not None
    assert (frame.comparison.date_from, frame.period.date_from) == (d(2026, 11, 17), d(2026, 11, 24))


@pytest.mark.parametrize(
    ("question", "interval"),
    [
        ("signups yesterday", "day"),
        ("signups in the last 30 days", "day"),
        ("signups last 62 days", "day"),
        ("signups last 63 days", "week"),
        ("signups last 3 months", "week"),
        ("signups last year", "week"),
        ("signups last 2 years", "month"),
        ("signups since 2025", "month"),
    ],
)
def test_interval_is_the_natural_grain(question: str, interval: str) -> None:
    frame = find_timeframe(question, MONDAY)
    assert frame is not None
    assert frame.period.interval == interval


def test_the_longest_phrase_at_a_place_wins() -> None:
    frame = find_timeframe("signups since last Monday", MONDAY)
    assert frame is not None and frame.matched == ("since last Monday",)
    frame = find_timeframe("signups May 3 - May 10", MONDAY)
    assert frame is not None and frame.matched == ("May 3 - May 10",)


def test_a_comparison_phrase_is_not_also_read_as_the_period() -> None:
    frame = find_timeframe("signups vs last month", MONDAY)
    assert frame is not None
    assert frame.period.date_from == d(2026, 11, 1)  # this month, compared with last month
    assert frame.matched == ("vs last month",)


def test_huge_counts_are_ignored_rather_than_crashing() -> None:
    assert find_timeframe("signups last 9999 years", MONDAY) is None
