"""The structured query: the one target of every path to an answer.

The no-LLM parser and an LLM's tool call both produce a :class:`StructuredQuery`; it is
validated against the project's vocabulary (:func:`validate`) and then answered by the
query layer, so no path writes SQL of its own.

>>> from datetime import date
>>> q = StructuredQuery(kind="metric", metric="dau", date_from=date(2026, 11, 16), date_to=date(2026, 11, 22))
>>> q.days
7
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from betterheap.chat.semantic import Vocabulary

Kind = Literal["metric", "event", "funnel", "retention", "digest", "why"]
Chart = Literal["line", "bar", "funnel", "heatmap", "number", "table"]


class FilterSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    property: str
    values: tuple[str, ...] = Field(min_length=1, max_length=100)
    negate: bool = False


class StructuredQuery(BaseModel):
    """What to compute, in names of the semantic layer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Kind
    #: ``kind="metric"``: dau, wau, mau, new_users, revenue, arpu.
    metric: str | None = None
    #: ``kind="event"``: an event or action, counted or by distinct people; ``"why"``: the
    #: event or metric whose change to explain.
    event: str | None = None
    measure: Literal["count", "unique_users"] = "count"
    #: ``kind="funnel"``: the steps in order.
    steps: tuple[str, ...] = ()
    #: ``kind="retention"``: the day (or week) of return to report, and cohorts' grain.
    retention_day: int | None = Field(default=None, ge=1, le=90)
    period: Literal["day", "week"] = "day"
    date_from: date
    date_to: date
    compare_from: date | None = None
    compare_to: date | None = None
    interval: Literal["day", "week", "month"] = "day"
    breakdown: str | None = None
    filters: tuple[FilterSpec, ...] = ()
    #: Only people who did this event at least once ("for buyers": order_completed).
    people_who: str | None = None
    #: Top-N of the breakdown, by the total over the period.
    limit: int | None = Field(default=None, ge=1, le=100)
    chart: Chart = "line"

    @model_validator(mode="after")
    def _consistent(self) -> StructuredQuery:
        if self.date_from > self.date_to:
            raise ValueError("the period starts after it ends")
        if (self.compare_from is None) != (self.compare_to is None):
            raise ValueError("a comparison needs both its start and its end")
        if self.kind == "metric" and not self.metric:
            raise ValueError("a metric query names its metric")
        if self.kind in ("event", "why") and not (self.event or self.metric):
            raise ValueError(f"a {self.kind} query names its event")
        if self.kind == "funnel" and len(self.steps) < 2:
            raise ValueError("a funnel needs at least two steps")
        return self

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1


class InvalidQuery(ValueError):
    """A structured query naming something the project does not have."""


def validate(query: StructuredQuery, vocab: Vocabulary) -> StructuredQuery:
    """``query`` when every name in it exists in the vocabulary; :class:`InvalidQuery`
    (saying what is unknown and what is close) otherwise."""
    known_metrics = set(vocab.metrics.values())
    if query.metric and query.metric not in known_metrics:
        raise InvalidQuery(f"unknown metric {query.metric!r}; metrics: {', '.join(sorted(known_metrics))}")
    for event in (query.event, *query.steps, query.people_who):
        if event and query.kind != "why" and event not in vocab.event_names:
            raise InvalidQuery(f"unknown event {event!r}")
    if query.kind == "why" and query.event and query.event not in vocab.event_names | known_metrics:
        raise InvalidQuery(f"unknown event or metric {query.event!r}")
    readable = set(vocab.dimensions.values())
    for name in (query.breakdown, *(f.property for f in query.filters)):
        if name is None:
            continue
        if name in vocab.pii_properties:
            raise InvalidQuery(f"{name!r} is personal data; it cannot be broken down or filtered on here")
        if name not in readable:
            raise InvalidQuery(f"unknown property {name!r}")
    return query
