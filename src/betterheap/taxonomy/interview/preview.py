"""What a proposed plan looks like before it is approved: its events and properties, and
the questions its data will answer.

The questions are the point: a person approving a plan judges it by what they will be
able to ask, so only questions whose events are all in the plan are shown.

>>> from betterheap.taxonomy.templates import TEMPLATES
>>> shown = preview(TEMPLATES["ecommerce"].plan(["order_completed", "product_viewed"]))
>>> shown.questions[0]
'What share of product views lead to an order within a day?'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

from betterheap.taxonomy.plan import PlannedEvent, PlannedProperty, Scalar, TrackingPlan
from betterheap.taxonomy.templates import TEMPLATES

MOST_QUESTIONS: Final = 8
FEWEST_QUESTIONS: Final = 5


@dataclass(frozen=True)
class PropertyRow:
    name: str
    type: str
    required: bool
    allowed: tuple[Scalar, ...]
    pii: bool
    pattern: str | None
    description: str


@dataclass(frozen=True)
class EventRow:
    name: str
    description: str
    properties: tuple[PropertyRow, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Preview:
    title: str
    naming: str
    events: tuple[EventRow, ...]
    common_properties: tuple[PropertyRow, ...]
    actions: tuple[tuple[str, str], ...]
    #: Questions the data will answer once the plan is tracked.
    questions: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, for the web API and the browser extension."""
        return asdict(self)


def preview(plan: TrackingPlan) -> Preview:
    """The plan as a table, with 5–8 questions its data answers (fewer only for tiny plans)."""
    return Preview(
        title=plan.name,
        naming=plan.naming,
        events=tuple(_event_row(e) for e in plan.events),
        common_properties=tuple(_property_row(p) for p in plan.common_properties),
        actions=tuple((a.name, a.description) for a in plan.actions),
        questions=_questions(plan),
    )


def _property_row(planned: PlannedProperty) -> PropertyRow:
    return PropertyRow(
        name=planned.name,
        type=planned.type,
        required=planned.required,
        allowed=planned.allowed,
        pii=planned.pii,
        pattern=planned.pattern,
        description=planned.description,
    )


def _event_row(planned: PlannedEvent) -> EventRow:
    return EventRow(
        name=planned.name,
        description=planned.description,
        properties=tuple(_property_row(p) for p in planned.properties),
        aliases=planned.aliases,
    )


def _questions(plan: TrackingPlan) -> tuple[str, ...]:
    # An event renamed during review keeps its template name as an alias, so the
    # template's questions still find it.
    known = {name for e in plan.events for name in (e.name, *e.aliases)}
    template = TEMPLATES[plan.product_kind]
    found = [q.text for q in template.example_questions if set(q.events) <= known]
    for planned in plan.events:
        if len(found) >= FEWEST_QUESTIONS:
            break
        generic = f"How often does {planned.name} happen each week, and for how many people?"
        if generic not in found:
            found.append(generic)
    return tuple(found[:MOST_QUESTIONS])


def _flags(row: PropertyRow) -> str:
    flags = [row.type]
    if row.required:
        flags.append("required")
    if row.pii:
        flags.append("pii")
    if row.allowed:
        flags.append("allowed: " + ", ".join(str(v) for v in row.allowed))
    if row.pattern:
        flags.append(f"pattern: {row.pattern}")
    return "  ".join(flags)


def _property_lines(rows: tuple[PropertyRow, ...], indent: str) -> list[str]:
    width = max((len(r.name) for r in rows), default=0)
    return [f"{indent}{r.name.ljust(width)}  {_flags(r)}" for r in rows]


def render_preview(shown: Preview) -> str:
    """The preview as plain text for a terminal: one block per event, then the questions."""
    lines = [f"{shown.title} ({len(shown.events)} events, {shown.naming} names)", ""]
    for row in shown.events:
        lines.append(f"{row.name} — {row.description}" if row.description else row.name)
        lines.extend(_property_lines(row.properties, "    "))
        if row.aliases:
            lines.append(f"    also arrives as: {', '.join(row.aliases)}")
        lines.append("")
    if shown.common_properties:
        lines.append("On every event:")
        lines.extend(_property_lines(shown.common_properties, "    "))
        lines.append("")
    if shown.actions:
        lines.append("Actions (matched from auto-captured clicks):")
        lines.extend(f"    {name} — {description}" for name, description in shown.actions)
        lines.append("")
    if shown.questions:
        lines.append("Questions this data will answer:")
        lines.extend(f"    {i}. {q}" for i, q in enumerate(shown.questions, 1))
    return "\n".join(lines).rstrip() + "\n"
