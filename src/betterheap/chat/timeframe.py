"""Find the time phrase, and the comparison phrase, in an analytics question.

``find_timeframe`` reads questions such as "DAU last week vs the week before", "signups since
May 3" or "D7 retention of March cohorts" relative to a reference day that the caller passes in
(the clock is never read). It returns inclusive day ranges with readable labels, the natural
grain to chart them by, and the exact substrings it understood so the caller can strip them.

Conventions: weeks start on Monday; every range is inclusive; matching ignores case. A date
without a year means its most recent occurrence that has started (``in March`` in November is
this year's March, in February last year's); a weekday means the most recent one strictly
before the reference day. Standard library only, no side effects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final, Literal

Interval = Literal["day", "week", "month"]

_ONE_DAY: Final = timedelta(days=1)
#: The period used when a question asks for "the previous period" but names no period.
DEFAULT_DAYS: Final = 30
#: Longest range charted by day, and by week; anything longer is charted by month.
DAY_GRAIN_MAX_DAYS: Final = 62
WEEK_GRAIN_MAX_DAYS: Final = 366


@dataclass(frozen=True)
class Period:
    """An inclusive range of days, named in words and charted at its natural grain."""

    date_from: date
    date_to: date
    label: str
    interval: Interval


@dataclass(frozen=True)
class TimeFrame:
    """The period a question asks about, what to compare it with, and the words that said so."""

    period: Period
    comparison: Period | None
    matched: tuple[str, ...]


# --- dates and labels --------------------------------------------------------------------------

_MONTH_NAMES: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_NUMBERS: Final = {name[:3].lower(): number for number, name in enumerate(_MONTH_NAMES, 1)}
_WEEKDAY_NAMES: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NUMBER_WORDS: Final = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
}


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_of_next - _ONE_DAY


def _is_month_end(day: date) -> bool:
    return (day + _ONE_DAY).day == 1


def _add_months(day: date, months: int, *, keep_month_end: bool = False) -> date:
    """``day`` moved by whole months, clamped to the month's end (Mar 31 - 1 month = Feb 28)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    end = _month_end(year, month0 + 1)
    if keep_month_end and _is_month_end(day):
        return end
    return date(year, month0 + 1, min(day.day, end.day))


def _short(day: date, *, with_year: bool = True) -> str:
    text = f"{_MONTH_NAMES[day.month - 1][:3]} {day.day}"
    return f"{text}, {day.year}" if with_year else text


def _describe(first: date, last: date, *, calendar: bool = True) -> str:
    """Readable name of a range: a day, a calendar month, quarter or year, or "Nov 16 – Nov 22, 2026".

    With ``calendar`` False (a rolling range) the dates are always spelled out.
    """
    if first == last:
        return _short(first)
    if calendar and first.day == 1 and _is_month_end(last) and first.year == last.year:
        if first.month == last.month:
            return f"{_MONTH_NAMES[first.month - 1]} {first.year}"
        if first.month == 1 and last.month == 12:
            return str(first.year)
        if first.month % 3 == 1 and last.month == first.month + 2:
            return f"Q{(first.month + 2) // 3} {first.year}"
    if first.year == last.year:
        return f"{_short(first, with_year=False)} – {_short(last)}"
    return f"{_short(first)} – {_short(last)}"


def _interval(first: date, last: date) -> Interval:
    days = (last - first).days + 1
    if days <= DAY_GRAIN_MAX_DAYS:
        return "day"
    return "week" if days <= WEEK_GRAIN_MAX_DAYS else "month"


def _period(first: date, last: date, words: str = "", *, calendar: bool = True) -> Period:
    described = _describe(first, last, calendar=calendar)
    return Period(first, last, f"{words} ({described})" if words else described, _interval(first, last))


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


# --- regular expressions -----------------------------------------------------------------------


def _without_names(source: str) -> str:
    """The pattern with its named groups made non-capturing, to embed it in a larger pattern."""
    return re.sub(r"\(\?P<\w+>", "(?:", source)


_MONTH: Final = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
_DAY: Final = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b"
_YEAR: Final = r"(?:19|20)\d\d\b"
_WEEKDAY: Final = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
_NUMBER: Final = r"(?:\d{1,4}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"

#: One calendar reference ("anchor"), in the order the alternatives are tried.
_ANCHOR_FORMS: Final = (
    ("iso", r"(?P<y>(?:19|20)\d\d)[-/](?P<m>\d\d?)[-/](?P<d>\d\d?)\b"),
    ("month_day", rf"(?P<mon>{_MONTH})\.?\s+(?P<d>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?"),
    ("day_month", rf"(?P<d>{_DAY})(?:\s+of)?\s+(?P<mon>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?"),
    ("quarter", rf"q(?P<q>[1-4])\b(?:,?\s+(?P<y>{_YEAR}))?"),
    ("month", rf"(?P<mon>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?"),
    ("year", rf"(?P<y>{_YEAR})"),
    ("weekday", rf"(?:(?:last|past|this\s+past|previous)\s+)?(?P<wd>{_WEEKDAY})"),
    ("today", r"today\b"),
    ("yesterday", r"yesterday\b"),
)
_ANCHOR_PARSERS: Final = tuple((kind, re.compile(source, re.I)) for kind, source in _ANCHOR_FORMS)
_ANCHOR: Final = "(?:" + "|".join(_without_names(source) for _, source in _ANCHOR_FORMS) + ")"

#: Relative periods that have a name.
_NAMED_CORE: Final = (
    r"(?:the\s+)?(?:"
    r"(?P<this_week>(?:this|current)\s+week|week\s+to\s+date|wtd)"
    r"|(?P<last_week>(?:last|previous|prior)\s+(?:full\s+|calendar\s+)?week)"
    r"|(?P<this_month>(?:this|current)\s+month|month\s+to\s+date|mtd)"
    r"|(?P<last_month>(?:last|previous|prior)\s+(?:full\s+|calendar\s+)?month)"
    r"|(?P<this_quarter>(?:this|current)\s+quarter|quarter\s+to\s+date|qtd)"
    r"|(?P<last_quarter>(?:last|previous|prior)\s+(?:full\s+|calendar\s+)?quarter)"
    r"|(?P<this_year>(?:this|current)\s+year|year\s+to\s+date|ytd)"
    r"|(?P<last_year>(?:last|previous|prior)\s+(?:full\s+|calendar\s+)?year)"
    r")\b"
)
_NAMED_PARSER: Final = re.compile(_NAMED_CORE, re.I)
_START_OF: Final = (
    r"(?:the\s+)?(?:start|beginning)\s+of\s+(?:the\s+|this\s+)?(?P<unit>week|month|quarter|year)\b"
)
_START_OF_PARSER: Final = re.compile(_START_OF, re.I)

#: A preposition that may lead a time phrase; it is part of what was understood.
_PREP: Final = (
    r"(?:(?P<prep>in|on|during|for|over|of|throughout|from|within)\s+"
    r"(?:the\s+(?:(?:month|year|quarter)\s+of\s+)?)?)?"
)

_ANCHOR_RE: Final = re.compile(rf"\b{_PREP}(?P<anchor>{_ANCHOR})", re.I)
_NAMED_RE: Final = re.compile(rf"\b{_PREP}{_NAMED_CORE}", re.I)
_LAST_N_RE: Final = re.compile(
    rf"\b{_PREP}(?:the\s+)?(?:(?:last|past|previous|prior|trailing)\s+(?P<n>{_NUMBER})|past)"
    r"\s+(?P<unit>day|week|month|quarter|year)s?\b",
    re.I,
)
_DAYS_AGO_RE: Final = re.compile(rf"\b(?P<n>{_NUMBER})\s+days?\s+ago\b", re.I)
_SINCE_RE: Final = re.compile(
    rf"\bsince\s+(?:the\s+)?(?P<target>{_ANCHOR}|{_without_names(_NAMED_CORE)}|{_without_names(_START_OF)})",
    re.I,
)
_RANGE_END: Final = rf"(?:{_ANCHOR}|now\b|{_DAY})"
_BETWEEN_RE: Final = re.compile(rf"\bbetween\s+(?P<a>{_ANCHOR})\s+and\s+(?P<b>{_RANGE_END})", re.I)
_FROM_TO_RE: Final = re.compile(
    rf"\b{_PREP}(?P<a>{_ANCHOR})(?P<sep>\s*[-–—]\s*|\s+(?:to|through|thru|until|till)\s+)(?P<b>{_RANGE_END})",
    re.I,
)
_DAY_ONLY_RE: Final = re.compile(_DAY, re.I)
_NOW_RE: Final = re.compile(r"now", re.I)
_DIGITS_MAY_RE: Final = re.compile(r"\d+\s+may", re.I)

#: Words that introduce the thing compared with; "to", "with" and "and" only after "compare".
_PREFIX: Final = r"(?:vs\.?|versus|compared\s+(?:to|with)|comparing\s+(?:to|with)|against|relative\s+to|than)"
_LOOSE_PREFIX: Final = _PREFIX[:-1] + r"|to|with|and)"
_COMPARE_VERB_RE: Final = re.compile(r"\bcompar(?:e|ing)\b", re.I)


def _comparison_source(prefix: str) -> str:
    lead = rf"{prefix}\s+(?:the\s+)?"
    return (
        r"\b(?:"
        rf"(?P<year_last>(?:{prefix}\s+)?(?:the\s+)?same\s+(?:period|time|dates?|days?|week|month|quarter)"
        r"\s+(?:of\s+)?(?:last|a|the\s+previous|previous|prior)\s+year(?:\s+ago)?"
        rf"|{lead}(?:last\s+year|a\s+year\s+ago))"
        rf"|(?P<year_before>{lead}(?:year\s+before|previous\s+year|prior\s+year|preceding\s+year))"
        rf"|(?P<week_last>{lead}(?:last\s+week|a\s+week\s+ago))"
        rf"|(?P<week_before>{lead}(?:week\s+before|previous\s+week|prior\s+week|preceding\s+week))"
        rf"|(?P<month_last>{lead}(?:last\s+month|a\s+month\s+ago))"
        rf"|(?P<month_before>{lead}(?:month\s+before|previous\s+month|prior\s+month|preceding\s+month))"
        rf"|(?P<period_before>{lead}(?:(?:previous|prior|preceding|last)\s+period|period\s+before))"
        r"|(?P<wow>week[\s-]+over[\s-]+week|wow(?!\s*[,!])|w/w)"  # not the exclamation "wow, ..."
        r"|(?P<mom>month[\s-]+over[\s-]+month|mom|m/m)"
        r"|(?P<yoy>year[\s-]+over[\s-]+year|yoy|y/y)"
        r")\b"
    )


_COMPARE_RE: Final = re.compile(_comparison_source(_PREFIX), re.I)
_LOOSE_COMPARE_RE: Final = re.compile(_comparison_source(_LOOSE_PREFIX), re.I)
_PREFIX_END_RE: Final = re.compile(rf"\b{_PREFIX}\s+$", re.I)
_LOOSE_PREFIX_END_RE: Final = re.compile(rf"\b{_LOOSE_PREFIX}\s+$", re.I)


# --- anchors: one calendar reference, possibly without a year -----------------------------------


@dataclass(frozen=True)
class _Anchor:
    """A day, month, quarter or year (``year`` None when not said), or a fixed range of days."""

    kind: Literal["day", "month", "quarter", "year", "fixed"]
    year: int | None = None
    number: int = 0  # the month, or the quarter
    day: int = 0
    fixed: tuple[date, date] | None = None
    words: str = ""  # how to name a fixed anchor: "last Tuesday"
    bare: bool = False  # counts as time only after a preposition: "may", "jan", "2026"

    def span(self, year: int) -> tuple[date, date] | None:
        """The anchor's days in ``year``; None when it does not exist (Feb 30, Feb 29 2026)."""
        try:
            if self.kind == "day":
                day = date(year, self.number, self.day)
                return day, day
            if self.kind == "month":
                return date(year, self.number, 1), _month_end(year, self.number)
            if self.kind == "quarter":
                first = 3 * self.number - 2
                return date(year, first, 1), _month_end(year, first + 2)
            if self.kind == "year":
                return date(year, 1, 1), date(year, 12, 31)
        except ValueError:
            return None
        return self.fixed

    @property
    def resolved(self) -> bool:
        return self.fixed is not None or self.year is not None


def _parse_anchor(text: str, today: date) -> _Anchor | None:
    for kind, parser in _ANCHOR_PARSERS:
        match = parser.fullmatch(text)
        if match is None:
            continue
        found = match.groupdict()
        year = int(found["y"]) if found.get("y") else None
        if kind == "iso":
            return _Anchor("day", year, int(found["m"]), int(found["d"]))
        if kind in ("month_day", "day_month"):
            day_number = int(re.sub(r"\D", "", found["d"]))
            token = found["mon"].lower()
            bare = _DIGITS_MAY_RE.fullmatch(text) is not None  # "top 3 may churn"
            return _Anchor("day", year, _MONTH_NUMBERS[token[:3]], day_number, bare=bare)
        if kind == "quarter":
            return _Anchor("quarter", year, int(found["q"]))
        if kind == "month":
            token = found["mon"].lower()
            bare = year is None and (token == "may" or (len(token) <= 4 and token not in ("june", "july")))
            return _Anchor("month", year, _MONTH_NUMBERS[token[:3]], bare=bare)
        if kind == "year":
            return _Anchor("year", year, bare=True)
        if kind == "weekday":
            weekday = _WEEKDAY_NAMES.index(found["wd"].capitalize())
            before = today - timedelta(days=(today.weekday() - weekday) % 7 or 7)
            return _Anchor("fixed", fixed=(before, before), words=f"last {_WEEKDAY_NAMES[weekday]}")
        fixed = today if kind == "today" else today - _ONE_DAY
        return _Anchor("fixed", fixed=(fixed, fixed), words=kind)
    return None


def _latest(anchor: _Anchor, not_after: date) -> tuple[date, date] | None:
    """The anchor's most recent occurrence that starts on or before ``not_after``."""
    if anchor.fixed is not None:
        return anchor.fixed
    if anchor.year is not None:
        return anchor.span(anchor.year)
    for year in range(not_after.year, not_after.year - 9, -1):
        span = anchor.span(year)
        if span is not None and span[0] <= not_after:
            return span
    return None


def _earliest(anchor: _Anchor, not_before: date) -> tuple[date, date] | None:
    """The anchor's first occurrence that ends on or after ``not_before``."""
    if anchor.fixed is not None:
        return anchor.fixed
    if anchor.year is not None:
        return anchor.span(anchor.year)
    for year in range(not_before.year, not_before.year + 9):
        span = anchor.span(year)
        if span is not None and span[1] >= not_before:
            return span
    return None


# --- period phrases ---------------------------------------------------------------------------


def _named(kind: str, today: date) -> Period:
    unit = kind.split("_")[1]
    if unit == "week":
        first = _week_start(today)
    elif unit == "month":
        first = today.replace(day=1)
    elif unit == "quarter":
        first = _quarter_start(today)
    else:
        first = date(today.year, 1, 1)
    if kind.startswith("this_"):
        return _period(first, today, f"this {unit}", calendar=False)
    if unit == "week":
        previous = first - timedelta(days=7)
    else:
        previous = _add_months(first, -{"month": 1, "quarter": 3, "year": 12}[unit])
    return _period(previous, first - _ONE_DAY, f"last {unit}")


def _number(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text.lower()]


def _on_anchor(match: re.Match[str], today: date, loose: bool) -> Period | None:
    anchor = _parse_anchor(match["anchor"], today)
    if anchor is None or (anchor.bare and match["prep"] is None):
        return None
    span = _latest(anchor, today)
    return None if span is None else _period(*span, anchor.words)


def _on_named(match: re.Match[str], today: date, loose: bool) -> Period | None:
    return _named(match.lastgroup or "", today)


def _on_last_n(match: re.Match[str], today: date, loose: bool) -> Period | None:
    count = _number(match["n"]) if match["n"] else 1
    unit = match["unit"].lower()
    if count < 1:
        return None
    if unit == "day":
        first = today - timedelta(days=count - 1)
    elif unit == "week":
        first = today - timedelta(days=7 * count - 1)
    else:
        months = count * {"month": 1, "quarter": 3, "year": 12}[unit]
        first = _add_months(today, -months) + _ONE_DAY
    words = f"the last {count} {unit}s" if count > 1 else f"the past {unit}"
    return _period(first, today, words, calendar=False)


def _on_days_ago(match: re.Match[str], today: date, loose: bool) -> Period | None:
    count = _number(match["n"])
    day = today - timedelta(days=count)
    return _period(day, day, f"{count} day{'s' if count != 1 else ''} ago")


def _on_since(match: re.Match[str], today: date, loose: bool) -> Period | None:
    target = match["target"]
    anchor = _parse_anchor(target, today)
    if anchor is not None:
        span = _latest(anchor, today)
        if span is None:
            return None
        first, words = span[0], anchor.words or _describe(*span)
    elif (named := _NAMED_PARSER.fullmatch(target)) is not None:
        first, words = _named(named.lastgroup or "", today).date_from, " ".join(target.lower().split())
    elif (start_of := _START_OF_PARSER.fullmatch(target)) is not None:
        first = _named(f"this_{start_of['unit'].lower()}", today).date_from
        words = " ".join(target.lower().split())
    else:  # pragma: no cover - the pattern only admits the three forms above
        return None
    return None if first > today else _period(first, today, f"since {words}", calendar=False)


def _range(start_text: str, end_text: str, today: date, allow_bare: bool) -> Period | None:
    start = _parse_anchor(start_text, today)
    if start is None or (start.bare and not allow_bare):
        return None
    end: _Anchor | None
    if _DAY_ONLY_RE.fullmatch(end_text):  # "May 3-10": the end day is in the start's month
        end_day = int(re.sub(r"\D", "", end_text))
        if start.kind != "day" or end_day < start.day:
            return None
        end = replace(start, day=end_day)
    elif _NOW_RE.fullmatch(end_text):
        end = _Anchor("fixed", fixed=(today, today))
    else:
        end = _parse_anchor(end_text, today)
    if end is None:
        return None
    if not start.resolved and end.resolved:  # "Dec 20 to Jan 5, 2026": the start is the Dec before
        end_span = _latest(end, today)
        start_span = None if end_span is None else _latest(start, end_span[1])
    else:
        start_span = _latest(start, today)
        end_span = None if start_span is None else _earliest(end, start_span[0])
    if start_span is None or end_span is None or start_span[0] > end_span[1]:
        return None
    return _period(start_span[0], end_span[1])


def _on_between(match: re.Match[str], today: date, loose: bool) -> Period | None:
    return _range(match["a"], match["b"], today, allow_bare=True)


def _on_from_to(match: re.Match[str], today: date, loose: bool) -> Period | None:
    if loose and match["prep"] is None and match["sep"].strip().lower() == "to":
        return None  # "compare March to April" is a comparison, not a range
    return _range(match["a"], match["b"], today, allow_bare=match["prep"] is not None)


_Handler = Callable[[re.Match[str], date, bool], Period | None]
_PERIOD_PATTERNS: Final[tuple[tuple[re.Pattern[str], _Handler], ...]] = (
    (_BETWEEN_RE, _on_between),
    (_FROM_TO_RE, _on_from_to),
    (_SINCE_RE, _on_since),
    (_NAMED_RE, _on_named),
    (_LAST_N_RE, _on_last_n),
    (_DAYS_AGO_RE, _on_days_ago),
    (_ANCHOR_RE, _on_anchor),
)


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    period: Period

    @property
    def rank(self) -> tuple[int, int]:
        """Leftmost first, then longest: "since last Monday" beats "last Monday"."""
        return self.start, self.start - self.end


def _candidates(text: str, today: date, loose: bool) -> Iterator[_Found]:
    for pattern, handler in _PERIOD_PATTERNS:
        position = 0
        while (match := pattern.search(text, position)) is not None:
            position = match.start() + 1  # overlapping: a rejected match must not hide a later one
            try:
                period = handler(match, today, loose)
            except (ValueError, OverflowError):  # a date outside what datetime can represent
                continue
            if period is not None:
                yield _Found(match.start(), match.end(), period)


# --- comparisons ------------------------------------------------------------------------------

#: What a comparison phrase implies when the question names no period of its own.
_DEFAULT_PERIOD: Final[dict[str, Callable[[date], Period]]] = {
    "week_last": lambda today: _named("this_week", today),
    "week_before": lambda today: _named("last_week", today),
    "wow": lambda today: _named("last_week", today),
    "month_last": lambda today: _named("this_month", today),
    "month_before": lambda today: _named("last_month", today),
    "mom": lambda today: _named("last_month", today),
    "year_last": lambda today: _named("this_year", today),
    "year_before": lambda today: _named("last_year", today),
    "yoy": lambda today: _named("last_year", today),
    "period_before": lambda today: _period(
        today - timedelta(days=DEFAULT_DAYS - 1), today, f"the last {DEFAULT_DAYS} days", calendar=False
    ),
}


def _compare(kind: str, period: Period) -> Period:
    first, last = period.date_from, period.date_to
    length = last - first + _ONE_DAY
    right_before = first - length, first - _ONE_DAY
    if kind in ("week_before", "wow"):
        week = timedelta(days=7)
        if length <= week:  # the same weekdays a week earlier; for a full week, the week before it
            return _period(first - week, last - week, "the week before")
        return _period(*right_before, "the previous period", calendar=False)
    if kind == "week_last":
        monday = _week_start(first)
        return _period(monday - timedelta(days=7), monday - _ONE_DAY, "the week before")
    if kind in ("month_last", "month_before"):
        month_start = first.replace(day=1)
        return _period(_add_months(month_start, -1), month_start - _ONE_DAY, "the month before")
    if kind == "mom":
        if last < _add_months(first, 1):  # the same days a month earlier; a calendar month's predecessor
            return _period(
                _add_months(first, -1), _add_months(last, -1, keep_month_end=True), "the month before"
            )
        return _period(*right_before, "the previous period", calendar=False)
    if kind in ("year_last", "year_before", "yoy"):
        span = _add_months(first, -12), _add_months(last, -12, keep_month_end=True)
        return _period(*span, "the same period a year earlier")
    return _period(*right_before, "the previous period", calendar=False)


# --- the entry point ----------------------------------------------------------------------------


def find_timeframe(question: str, today: date) -> TimeFrame | None:
    """The period ``question`` asks about relative to ``today``, and what to compare it with.

    None when the question names no time at all. When it names only a comparison ("DAU week
    over week") the period is the one the comparison implies (last week). ``matched`` lists the
    understood substrings of ``question`` in order, so the caller can remove them.

    >>> frame = find_timeframe("What was our DAU last week vs the week before?", date(2026, 11, 30))
    >>> frame.period.label
    'last week (Nov 23 – Nov 29, 2026)'
    >>> frame.comparison.label
    'the week before (Nov 16 – Nov 22, 2026)'
    >>> frame.matched
    ('last week', 'vs the week before')
    """
    loose = _COMPARE_VERB_RE.search(question) is not None
    special = (_LOOSE_COMPARE_RE if loose else _COMPARE_RE).search(question)
    text = question
    if special is not None:  # blank it out so "vs last month" is not also read as the period
        text = (
            question[: special.start()] + " " * (special.end() - special.start()) + question[special.end() :]
        )

    prefix_end = _LOOSE_PREFIX_END_RE if loose else _PREFIX_END_RE
    plain: list[_Found] = []
    introduced: list[_Found] = []  # "vs March": a period named as the thing compared with
    for found in _candidates(text, today, loose):
        prefix = prefix_end.search(text, 0, found.start)
        if prefix is None:
            plain.append(found)
        else:
            introduced.append(_Found(prefix.start(), found.end, found.period))

    chosen = min(plain, key=lambda found: found.rank, default=None)
    if special is not None:
        kind = special.lastgroup or "period_before"
        period = chosen.period if chosen is not None else _DEFAULT_PERIOD[kind](today)
        spans = [(special.start(), special.end())] + ([] if chosen is None else [(chosen.start, chosen.end)])
        return _frame(question, period, _compare(kind, period), spans)
    if chosen is None:
        if not introduced:
            return None
        alone = min(introduced, key=lambda found: found.rank)
        return _frame(question, alone.period, None, [(alone.start, alone.end)])
    others = [found for found in introduced if found.end <= chosen.start or found.start >= chosen.end]
    other = min(others, key=lambda found: found.rank, default=None)
    if other is None:
        return _frame(question, chosen.period, None, [(chosen.start, chosen.end)])
    return _frame(
        question, chosen.period, other.period, [(chosen.start, chosen.end), (other.start, other.end)]
    )


def _frame(
    question: str, period: Period, comparison: Period | None, spans: list[tuple[int, int]]
) -> TimeFrame:
    return TimeFrame(period, comparison, tuple(question[start:end] for start, end in sorted(spans)))
