"""The query IR: small frozen descriptions of what to compute, with no SQL in them.

Every node is validated when built, so the compiler only ever sees well-formed input:
property names match ``PROPERTY_NAME``, ranges are ordered, windows are positive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

PROPERTY_NAME: Final = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.:-]{0,199}$")

Measure = Literal["count", "unique_users", "sum"]
Interval = Literal["day", "week", "month"]
Period = Literal["day", "week"]


@dataclass(frozen=True)
class Property:
    """An event property: a promoted column or a top-level key of the JSON properties."""

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not PROPERTY_NAME.match(self.name):
            raise ValueError(
                f"invalid property name {self.name!r}: use letters, digits, _ $ . : - "
                "(must start with a letter, _ or $; at most 200 characters)"
            )


MAX_RANGE_DAYS = 3660


@dataclass(frozen=True)
class DateRange:
    """Inclusive range of UTC days."""

    date_from: date
    date_to: date

    def __post_init__(self) -> None:
        if self.date_from > self.date_to:
            raise ValueError(
                f"date_from {self.date_from.isoformat()} is after "
                f"date_to {self.date_to.isoformat()}"
            )
        if (self.date_to - self.date_from).days >= MAX_RANGE_DAYS or self.date_to.year > 9000:
            raise ValueError(
                f"a date range spans at most {MAX_RANGE_DAYS} days (about 10 years) and ends "
                f"before the year 9000; got {self.date_from.isoformat()} to {self.date_to.isoformat()}"
            )


@dataclass(frozen=True)
class LatestEvent:
    """The timestamp of the project's latest stored event (column ``latest``)."""


@dataclass(frozen=True)
class ActiveUsers:
    """Distinct persons with any event in the ``window_days`` days ending on each day."""

    range: DateRange
    window_days: int

    def __post_init__(self) -> None:
        if self.window_days < 1:
            raise ValueError("window_days must be at least 1")


@dataclass(frozen=True)
class NewUsers:
    """Persons whose first event ever falls on each day, optionally by a first-event property."""

    range: DateRange
    breakdown: Property | None = None


@dataclass(frozen=True)
class EventTrend:
    """Count, distinct persons or sum of a property per interval."""

    range: DateRange
    event: str | None
    measure: Measure
    interval: Interval
    property: Property | None = None
    breakdown: Property | None = None

    def __post_init__(self) -> None:
        if self.measure not in ("count", "unique_users", "sum"):
            raise ValueError(f"unknown measure {self.measure!r}: use count, unique_users or sum")
        if self.interval not in ("day", "week", "month"):
            raise ValueError(f"unknown interval {self.interval!r}: use day, week or month")
        if self.measure == "sum" and self.property is None:
            raise ValueError("measure 'sum' needs a property to sum")


@dataclass(frozen=True)
class EventTotals:
    """Occurrences and distinct persons of one event (or action, or any) over the whole range:
    one row ``{"events", "people"}``, where a trend would give one per interval."""

    range: DateRange
    #: None: every event.
    event: str | None


@dataclass(frozen=True)
class Funnel:
    """Ordered steps; one row per breakdown value with per-step counts and medians."""

    steps: tuple[str, ...]
    window_seconds: int
    range: DateRange
    breakdown: Property | None = None
    first_day: bool = False

    def __post_init__(self) -> None:
        if len(self.steps) < 2:
            raise ValueError("a funnel needs at least 2 steps")
        if len(self.steps) > 20:
            raise ValueError("a funnel has at most 20 steps")
        if self.window_seconds <= 0:
            raise ValueError("the funnel window must be positive")


@dataclass(frozen=True)
class Retention:
    """First-time cohort retention counts: one row per (cohort or segment, k)."""

    start_event: str | None
    return_event: str | None
    period: Period
    range: DateRange
    periods: int
    segment_funnel: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.period not in ("day", "week"):
            raise ValueError(f"unknown period {self.period!r}: use day or week")
        if self.periods < 0:
            raise ValueError("periods must be 0 or more")
        if self.segment_funnel is not None and len(self.segment_funnel) < 1:
            raise ValueError("by_first_day_funnel needs at least one step")


Query = LatestEvent | ActiveUsers | NewUsers | EventTrend | EventTotals | Funnel | Retention

#: Values one filter may list.
MAX_FILTER_VALUES: Final = 100


@dataclass(frozen=True)
class Filter:
    """Events whose property, as text, is one of ``values`` (none of them with ``negate``).
    A missing property is no value: it never passes a filter, negated or not."""

    property: Property
    values: tuple[str, ...]
    negate: bool = False

    def __post_init__(self) -> None:
        if not self.values or len(self.values) > MAX_FILTER_VALUES:
            raise ValueError(f"a filter on {self.property.name} needs 1 to {MAX_FILTER_VALUES} values")


@dataclass(frozen=True)
class DidEvent:
    """Events of people who did ``event`` at least once, at any time ("for buyers" is the
    people who ever completed an order); with ``negate``, of people who never did."""

    event: str
    negate: bool = False


@dataclass(frozen=True)
class Filtered:
    """A query over only the events that pass every filter: "DAU from Germany on mobile"
    is ``Filtered(ActiveUsers(...), (country is DE, device_type is mobile))``."""

    query: Query
    filters: tuple[Filter | DidEvent, ...]
