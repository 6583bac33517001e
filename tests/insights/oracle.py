"""A deliberately simple, slow reference for every insight, in plain Python over raw rows.

It shares no code with the SQL compiler: persons, days, windows and funnel paths are worked
out by brute force from docs/metrics.md, so a disagreement points at one of the two.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

PROMOTED = {"country", "channel", "revenue", "revenue_type", "event"}


@dataclass(frozen=True)
class Row:
    event: str
    distinct_id: str
    ts: datetime
    props: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    columns: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


class Oracle:
    def __init__(self, rows: list[Row], links: dict[str, str]) -> None:
        self.rows = rows
        self.links = links

    def person(self, row: Row) -> str:
        return self.links.get(row.distinct_id, row.distinct_id)

    def value(self, row: Row, name: str | None) -> Any:
        if name is None:
            return None
        if name == "event":
            return row.event
        if name in PROMOTED:
            return row.columns.get(name)
        raw = row.props.get(name)
        if raw is None:
            return None
        if isinstance(raw, bool):
            return str(raw).lower()
        return str(raw)

    def text(self, row: Row, name: str | None) -> str | None:
        raw = self.value(row, name)
        return None if raw is None else str(raw)

    def first_rows(self) -> dict[str, Row]:
        first: dict[str, Row] = {}
        for row in self.rows:
            p = self.person(row)
            if p not in first or row.ts < first[p].ts:
                first[p] = row
        return first

    # -- core metrics ------------------------------------------------------------------
    def active(self, d_from: date, d_to: date, window: int) -> list[dict[str, Any]]:
        days: dict[date, set[str]] = defaultdict(set)
        for row in self.rows:
            days[row.ts.date()].add(self.person(row))
        out = []
        for d in _days(d_from, d_to):
            seen: set[str] = set()
            for back in range(window):
                seen |= days.get(d - timedelta(days=back), set())
            out.append({"date": d.isoformat(), "value": len(seen)})
        return out

    def new_users(self, d_from: date, d_to: date, breakdown: str | None) -> list[dict[str, Any]]:
        counts: dict[tuple[date, str | None], int] = defaultdict(int)
        for row in self.first_rows().values():
            if d_from <= row.ts.date() <= d_to:
                counts[(row.ts.date(), self.text(row, breakdown))] += 1
        return _shape(counts, d_from, d_to, "day", breakdown is not None)

    def trend(
        self,
        event: str | None,
        measure: str,
        prop: str | None,
        interval: str,
        d_from: date,
        d_to: date,
        breakdown: str | None,
    ) -> list[dict[str, Any]]:
        buckets: dict[tuple[date, str | None], list[Row]] = defaultdict(list)
        for row in self.rows:
            if d_from <= row.ts.date() <= d_to and (event is None or row.event == event):
                buckets[(_start(row.ts.date(), interval), self.text(row, breakdown))].append(row)
        values: dict[tuple[date, str | None], Any] = {}
        for key, rows in buckets.items():
            if measure == "count":
                values[key] = len(rows)
            elif measure == "unique_users":
                values[key] = len({self.person(r) for r in rows})
            else:
                nums = [_float(self.value(r, prop)) for r in rows]
                present = [n for n in nums if n is not None]
                if present:
                    values[key] = sum(present)
        return _shape(values, d_from, d_to, interval, breakdown is not None)

    # -- funnels ---------------------------------------------------------------------
    def funnel(
        self,
        steps: list[str],
        window: int,
        d_from: date,
        d_to: date,
        breakdown: str | None = None,
        first_day: bool = False,
    ) -> list[dict[str, Any]]:
        by_person: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows:
            by_person[self.person(row)].append(row)
        first = {p: r.ts.date() for p, r in self.first_rows().items()}
        best: dict[str | None, list[tuple[int, list[datetime]]]] = defaultdict(list)
        for p, rows in by_person.items():
            events = sorted((r.ts, r.event) for r in rows)
            candidates = []
            for r in rows:
                if r.event != steps[0] or not d_from <= r.ts.date() <= d_to:
                    continue
                if first_day and r.ts.date() != first[p]:
                    continue
                end = r.ts + timedelta(seconds=window)
                day_end = datetime.combine(first[p] + timedelta(days=1), datetime.min.time())
                path = best_path(events, steps, r.ts, end, day_end if first_day else None)
                bd = self.text(r, breakdown)
                candidates.append((-len(path), r.ts, bd is None, bd or "", path, bd))
            if candidates:
                chosen = min(candidates, key=lambda c: c[:4])
                best[chosen[5] if breakdown else None].append((len(chosen[4]), chosen[4]))
        if not best and breakdown is None:
            best[None] = []
        out = []
        order = sorted(best, key=lambda b: (-len(best[b]), b is None, b or ""))
        for bd in order:
            people = best[bd]
            counts = [
                sum(1 for reached, _ in people if reached >= k) for k in range(1, len(steps) + 1)
            ]
            for k, name in enumerate(steps, start=1):
                gaps = [
                    (path[k - 1] - path[k - 2]).total_seconds()
                    for reached, path in people
                    if reached >= k and k > 1
                ]
                row: dict[str, Any] = {
                    "step": k,
                    "event": name,
                    "count": counts[k - 1],
                    "conversion_from_start": counts[k - 1] / counts[0] if counts[0] else 0.0,
                    "conversion_from_previous": (
                        counts[k - 1] / counts[max(k - 2, 0)] if counts[max(k - 2, 0)] else 0.0
                    ),
                    "median_seconds_to_convert": statistics.median(gaps) if gaps else None,
                }
                if breakdown is not None:
                    row["breakdown"] = bd
                out.append(row)
        return out

    # -- retention -------------------------------------------------------------------
    def retention(
        self,
        start_event: str | None,
        return_event: str | None,
        period: str,
        d_from: date,
        d_to: date,
        periods: int,
        segment_funnel: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        step = 7 if period == "week" else 1
        cohort: dict[str, date] = {}
        returns: dict[str, set[date]] = defaultdict(set)
        for row in self.rows:
            p = self.person(row)
            if start_event is None or row.event == start_event:
                start = _start(row.ts.date(), period)
                cohort[p] = min(cohort.get(p, start), start)
            if (return_event is None or row.event == return_event) and row.ts.date() <= d_to:
                returns[p].add(_start(row.ts.date(), period))
        low = _start(d_from, period)
        members = {p: c for p, c in cohort.items() if low <= c <= d_to}
        groups: dict[Any, list[str]] = defaultdict(list)
        segment = self._segments(segment_funnel) if segment_funnel else {}
        for p, c in members.items():
            groups[segment.get(p, 0) if segment_funnel else c].append(p)
        out = []
        for key in sorted(groups):
            people = groups[key]
            first = min(members[p] for p in people)
            last_k = min(periods, (d_to - first).days // step)
            values = [len(people)] + [
                sum(1 for p in people if members[p] + timedelta(days=k * step) in returns[p])
                for k in range(1, last_k + 1)
            ]
            if segment_funnel:
                label = f"step {key}: {segment_funnel[key - 1]}" if key else "step 0: none"
                out.append({"segment": label, "size": len(people), "values": values})
            else:
                out.append({"cohort": key.isoformat(), "size": len(people), "values": values})
        return out

    def _segments(self, steps: list[str]) -> dict[str, int]:
        by_person: dict[str, list[Row]] = defaultdict(list)
        for row in self.rows:
            by_person[self.person(row)].append(row)
        reached: dict[str, int] = {}
        for p, rows in by_person.items():
            day = min(r.ts for r in rows).date()
            day_end = datetime.combine(day + timedelta(days=1), datetime.min.time())
            events = sorted((r.ts, r.event) for r in rows)
            for r in rows:
                if r.event == steps[0] and r.ts.date() == day:
                    path = best_path(events, steps, r.ts, r.ts + timedelta(days=1), day_end)
                    reached[p] = max(reached.get(p, 0), len(path))
        return reached


def best_path(
    events: list[tuple[datetime, str]],
    steps: list[str],
    t1: datetime,
    end: datetime,
    day_end: datetime | None,
) -> list[datetime]:
    """Exhaustive search: the longest valid path from ``t1``; among those the earliest
    (lexicographically by step times)."""

    def ok(ts: datetime) -> bool:
        return ts <= end and (day_end is None or ts < day_end)

    @cache
    def search(k: int, prev: datetime) -> tuple[datetime, ...]:
        if k == len(steps):
            return ()
        best: tuple[datetime, ...] = ()
        for ts, name in events:  # time order: the first longest path found is the earliest
            if name != steps[k] or not ok(ts):
                continue
            if ts < prev or (ts == prev and steps[k] == steps[k - 1]):
                continue
            path = (ts, *search(k + 1, ts))
            if len(path) > len(best):
                best = path
        return best

    return [t1, *search(1, t1)]


def _days(d_from: date, d_to: date) -> list[date]:
    return [d_from + timedelta(days=i) for i in range((d_to - d_from).days + 1)]


def _start(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _float(raw: Any) -> float | None:
    try:
        return None if raw is None else float(raw)
    except ValueError:
        return None


def _shape(
    values: dict[tuple[date, str | None], Any],
    d_from: date,
    d_to: date,
    interval: str,
    broken_down: bool,
) -> list[dict[str, Any]]:
    if broken_down:
        return [
            {"date": d.isoformat(), "breakdown": b, "value": v}
            for (d, b), v in sorted(values.items(), key=lambda kv: (kv[0][0], kv[0][1] is None,
                                                                    kv[0][1] or ""))
        ]
    starts = sorted({_start(d, interval) for d in _days(d_from, d_to)})
    return [{"date": s.isoformat(), "value": values.get((s, None), 0)} for s in starts]
