"""Root-cause analysis: why did a metric or an event change on one day?

The day is compared with its baseline, the same weekday in the 4 weeks before (weekly
seasonality is the strongest pattern in product data). The change is decomposed across
every dimension — each value's own change and its share of the total — and the segment
that explains most of it is drilled into along the other dimensions, so "US" becomes "US
on iOS" when that is where the change is. Each segment's change is tested against Poisson
noise around its baseline (z-score); the answer says what explains the change, with the
numbers, or that nothing stands out.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from betterheap.chat.semantic import METRICS
from betterheap.insights import charts, service
from betterheap.query.ir import Filter, Property
from betterheap.store.protocol import EventStore
from betterheap.taxonomy.plan import Action

BASELINE_WEEKS: Final = 4
DIMENSIONS: Final = ("country", "os", "device_type", "browser", "channel")
#: |z| from which a segment's change is more than noise (about 1 in 1,000 by chance).
SIGNIFICANT_Z: Final = 3.0
#: A drill-down keeps a sub-segment that carries at least this share of its parent's change.
DRILL_SHARE: Final = 0.6
#: ...and only when the rest of the parent is at least this share of it (else the
#: sub-segment is the parent under another name).
REST_SHARE: Final = 0.1


@dataclass(frozen=True)
class Segment:
    conditions: tuple[tuple[str, str], ...]
    value: float
    baseline: float

    @property
    def delta(self) -> float:
        return self.value - self.baseline

    @property
    def z(self) -> float:
        return self.delta / math.sqrt(max(self.baseline, 1.0))

    @property
    def label(self) -> str:
        return " and ".join(f"{d} = {v}" for d, v in self.conditions) or "everyone"


def explain(
    store: EventStore, project_id: int, subject: str, day: date, actions: Mapping[str, Action]
) -> tuple[str, list[dict[str, Any]], dict[str, Any] | None]:
    """The change of ``subject`` (a metric name or an event) on ``day``, explained."""
    baseline_days = [day - timedelta(weeks=k) for k in range(1, BASELINE_WEEKS + 1)]
    days = [day, *baseline_days]
    total = _segment(_values(store, project_id, subject, days, None, (), actions), (), day, baseline_days)
    weekday = f"{day:%A}"
    head = (
        f"{subject} on {day:%a %b %-d, %Y} was {_fmt(total.value)} against {_fmt(total.baseline)} "
        f"on average on the {BASELINE_WEEKS} {weekday}s before "
        f"({_change(total.value, total.baseline)}, z = {total.z:+.1f})."
    )
    if abs(total.z) < SIGNIFICANT_Z / 1.5 or not total.delta:
        return head + " That is within the normal range of a day's noise: nothing to explain.", [], None
    candidates: list[Segment] = []
    for dimension in DIMENSIONS:
        by_value = _values(store, project_id, subject, days, dimension, (), actions)
        candidates += [
            _segment(v, ((dimension, value),), day, baseline_days) for value, v in by_value.items()
        ]
    direction = 1 if total.delta > 0 else -1
    ranked = sorted(candidates, key=lambda s: -direction * s.delta)
    top = ranked[0]
    found = top
    while len(found.conditions) < 3:
        subs = _drill(store, project_id, subject, days, found, day, baseline_days, actions, direction)
        deeper = next((sub for sub in subs if _narrows(found, sub, direction)), None)
        if deeper is None:
            break
        found = deeper
    share = found.delta / total.delta
    rest = total.delta - found.delta
    text = (
        f"{head} The change is in {found.label}: {_fmt(found.value)} against {_fmt(found.baseline)} "
        f"({_change(found.value, found.baseline)}, z = {found.z:+.1f}), "
        + (f"{share:.0%} of the whole change" if share <= 1 else "more than the whole change")
        + f" ({_fmt(found.delta, signed=True)} of {_fmt(total.delta, signed=True)})."
    )
    if abs(found.z) < SIGNIFICANT_Z:
        text = (
            f"{head} No single segment stands out: the largest change is {found.label} "
            f"({_fmt(found.delta, signed=True)}, z = {found.z:+.1f})."
        )
    else:
        text += f" Everyone else together changed by {_fmt(rest, signed=True)}."
    rows = [
        {
            "segment": s.label,
            "value": round(s.delta, 2),
            "on_day": s.value,
            "baseline": round(s.baseline, 2),
            "z": round(s.z, 2),
        }
        for s in [found, *ranked[:8]]
    ]
    unique = list({r["segment"]: r for r in rows}.values())
    return text, unique, charts.bar(unique, "segment", f"change of {subject} vs baseline", "+,.1f")


def _narrows(parent: Segment, sub: Segment, direction: int) -> bool:
    """Whether ``sub`` says more than ``parent``: it carries most of the parent's change,
    while the rest of the parent — a real part of it — moved less than half as much the
    same way (or the other way)."""
    if sub.delta * direction < DRILL_SHARE * parent.delta * direction:
        return False
    rest_baseline = parent.baseline - sub.baseline
    if rest_baseline < REST_SHARE * parent.baseline:
        return False
    rest_change = (parent.value - sub.value - rest_baseline) / rest_baseline
    sub_change = sub.delta / sub.baseline if sub.baseline else float(direction)
    return rest_change * direction < sub_change * direction / 2


def _drill(
    store: EventStore,
    project_id: int,
    subject: str,
    days: list[date],
    parent: Segment,
    day: date,
    baseline_days: list[date],
    actions: Mapping[str, Action],
    direction: int,
) -> list[Segment]:
    """The parent's sub-segments along every other dimension, largest change first."""
    used = {d for d, _ in parent.conditions}
    subs: list[Segment] = []
    for dimension in DIMENSIONS:
        if dimension in used:
            continue
        by_value = _values(store, project_id, subject, days, dimension, parent.conditions, actions)
        subs += [
            _segment(v, (*parent.conditions, (dimension, value)), day, baseline_days)
            for value, v in by_value.items()
        ]
    return sorted(subs, key=lambda s: -direction * s.delta)


def _segment(
    values: Mapping[date, float],
    conditions: tuple[tuple[str, str], ...],
    day: date,
    baseline_days: list[date],
) -> Segment:
    baseline = sum(values.get(d, 0.0) for d in baseline_days) / len(baseline_days)
    return Segment(conditions, values.get(day, 0.0), baseline)


def _values(
    store: EventStore,
    project_id: int,
    subject: str,
    days: list[date],
    breakdown: str | None,
    conditions: tuple[tuple[str, str], ...],
    actions: Mapping[str, Action],
) -> Any:
    """Per day (and per breakdown value when given) values of the subject over ``days``."""
    filters = tuple(Filter(Property(d), (v,)) for d, v in conditions)
    start, end = min(days), max(days)
    if subject == "revenue":
        rows = service.trend(
            store, project_id, None, "sum", "revenue", "day", start, end, breakdown, filters=filters
        )
    elif subject in {m.name for m in METRICS}:
        # new users as themselves; every active-people metric by its daily actives
        name = "new_users" if subject == "new_users" else "dau"
        rows = service.metric(store, project_id, name, start, end, breakdown, filters)
    else:
        rows = service.trend(
            store, project_id, subject, "count", None, "day", start, end, breakdown, actions, filters
        )
    wanted = set(days)
    if breakdown is None:
        return {
            date.fromisoformat(r["date"]): float(r["value"] or 0)
            for r in rows
            if date.fromisoformat(r["date"]) in wanted
        }
    by: dict[str, dict[date, float]] = defaultdict(dict)
    for r in rows:
        on = date.fromisoformat(r["date"])
        if on in wanted and r.get("breakdown") is not None:
            by[str(r["breakdown"])][on] = float(r["value"] or 0)
    return by


def _fmt(value: float, signed: bool = False) -> str:
    text = f"{value:+,.1f}" if signed else f"{value:,.1f}"
    return text.replace(".0", "") if text.endswith(".0") else text


def _change(value: float, baseline: float) -> str:
    if not baseline:
        return "new" if value else "none on either"
    delta = (value - baseline) / baseline
    return f"{delta:+.0%}"
