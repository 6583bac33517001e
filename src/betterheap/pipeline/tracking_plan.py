"""Applying the tracking plan to one event: normalize the name, coerce and validate the
properties, and decide by the plan's policies what happens to each violation.

The plan is compiled once per version (:func:`compile_plan`) into lookups the hot loop can
use directly; :func:`apply_plan` then costs a few dictionary lookups per property. It never
mutates its input: an event that changes (renamed, a value coerced or moved aside) is a new
dict with a new ``properties`` dict, so the raw event stays available for the quarantine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final, Literal, NamedTuple

from betterheap.events.model import IncomingEvent
from betterheap.pipeline.coerce import coerce
from betterheap.pipeline.filters import InternalTraffic
from betterheap.taxonomy.naming import NameResolver
from betterheap.taxonomy.plan import NO_PLAN, PlannedProperty, Policy, TrackingPlan, ViolationKind

Route = Literal["store", "quarantine", "filter"]
Violation = dict[str, Any]  # {"kind": ViolationKind, "property": str | None, "detail": str}

# Properties SDKs set themselves ($browser, $set, $elements_chain...): never "unplanned".
_RESERVED_PREFIX: Final = "$"
_SHOWN_VALUE_CHARS: Final = 60


@dataclass(frozen=True)
class PlannedShape:
    """One planned event, compiled: its properties by name (the plan's common properties
    included), its required ones, and for properties with nothing to check but the type,
    the Python classes that pass as they are (the hot loop's fast path)."""

    properties: dict[str, PlannedProperty]
    required: tuple[str, ...]
    patterns: dict[str, re.Pattern[str]]
    plain: dict[str, frozenset[type]] = field(default_factory=dict)


# Values of these classes already have the planned type (JSON gives no other classes).
_CLASSES: Final[dict[str, frozenset[type]]] = {
    "string": frozenset({str}),
    "number": frozenset({int, float}),
    "integer": frozenset({int}),
    "boolean": frozenset({bool}),
    "object": frozenset({dict}),
    "array": frozenset({list}),
    "any": frozenset({str, int, float, bool, dict, list}),
}


@dataclass
class CompiledPlan:
    version: int
    plan: TrackingPlan
    resolver: NameResolver
    shapes: dict[str, PlannedShape]
    policies: dict[ViolationKind, Policy]
    internal: InternalTraffic
    pii: frozenset[str]
    #: False for a project without a plan: names and properties pass as sent.
    enforce: bool = True
    action_names: frozenset[str] = field(default_factory=frozenset)
    # Flags read once per event by pipeline.shape (cheaper than the pydantic settings).
    bots: bool = False
    internal_traffic: bool = False
    filtering: bool = False
    scrubbing: bool = False


def _shape(properties: tuple[PlannedProperty, ...], common: tuple[PlannedProperty, ...] = ()) -> PlannedShape:
    every = {p.name: p for p in common} | {p.name: p for p in properties}
    return PlannedShape(
        every,
        tuple(p.name for p in properties if p.required),
        {p.name: re.compile(p.pattern) for p in every.values() if p.pattern},
        {
            p.name: _CLASSES[p.type]
            for p in every.values()
            if p.type in _CLASSES and not p.allowed and not p.pattern
        },
    )


def compile_plan(plan: TrackingPlan, version: int) -> CompiledPlan:
    policies = plan.policies
    internal = InternalTraffic(plan.filters)
    return CompiledPlan(
        version=version,
        plan=plan,
        resolver=NameResolver(plan),
        shapes={event.name: _shape(event.properties, plan.common_properties) for event in plan.events},
        policies={
            "unplanned_event": policies.unplanned_event,
            "unplanned_property": policies.unplanned_property,
            "missing_required": policies.missing_required,
            "wrong_type": policies.wrong_type,
            "not_allowed": policies.not_allowed,
            "pattern_mismatch": policies.pattern_mismatch,
        },
        internal=internal,
        pii=plan.pii_properties(),
        enforce=plan is not NO_PLAN and bool(plan.events or plan.common_properties),
        action_names=frozenset(a.name for a in plan.actions),
        bots=plan.filters.bots,
        internal_traffic=bool(internal),
        filtering=plan.filters.bots or bool(internal),
        scrubbing=plan.filters.scrub_pii or plan.filters.truncate_ip,
    )


class Outcome(NamedTuple):
    """What the plan made of one event."""

    event: IncomingEvent
    route: Route
    #: The violation kind that sent it to the quarantine, or the filter reason.
    reason: str | None
    #: Violations kept with a stored event (flagged or moved aside), or None.
    violations: list[Violation] | None
    #: Properties moved out of ``properties`` by a ``move_aside`` policy, or None.
    set_aside: dict[str, Any] | None
    #: The name as sent, when the plan renamed the event.
    original_event: str | None
    #: Properties whose value the plan converted losslessly ("12.50" → 12.5), or None.
    coerced: list[str] | None = None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_VALUE_CHARS else text[: _SHOWN_VALUE_CHARS - 1] + "…"


def _check(
    key: str, value: Any, planned: PlannedProperty, pattern: re.Pattern[str] | None
) -> tuple[ViolationKind | None, Any, str]:
    """(violation or None, the value to keep, detail) for one planned property."""
    ok, fitted = coerce(value, planned.type)
    if not ok:
        return "wrong_type", value, f"{key} = {_shown(value)} is not {planned.type}"
    if planned.allowed and fitted not in planned.allowed:
        return "not_allowed", fitted, f"{key} = {_shown(fitted)} is not one of {list(planned.allowed)}"
    if pattern is not None and fitted.__class__ is str and not pattern.fullmatch(fitted):
        return "pattern_mismatch", fitted, f"{key} = {_shown(fitted)} does not match {planned.pattern}"
    return None, fitted, ""


def apply_plan(event: IncomingEvent, compiled: CompiledPlan) -> Outcome | None:
    """Rename, coerce and validate one event; the policies decide its route. None: the
    event fits the plan as sent (the common case, so it allocates nothing)."""
    if not compiled.enforce:
        return None
    raw = event["event"]
    name, match = compiled.resolver.resolve(raw)
    shape = compiled.shapes.get(name)
    policies = compiled.policies
    violations: list[tuple[ViolationKind, str | None, str]] = []
    properties = event["properties"]
    changed: dict[str, Any] | None = None  # a copy of properties, made on the first change
    coerced: list[str] | None = None
    if shape is None:
        if match != "reserved":
            violations.append(("unplanned_event", None, f"{raw!r} is not in the tracking plan"))
    else:
        plain = shape.plain
        planned_properties = shape.properties
        for key, value in properties.items():
            classes = plain.get(key)
            if classes is not None and value.__class__ in classes:
                continue  # planned, of the planned type, nothing else to check
            planned = planned_properties.get(key)
            if planned is None:
                if key[:1] != _RESERVED_PREFIX:
                    violations.append(("unplanned_property", key, f"{key} is not planned for {name}"))
                continue
            if value is None:
                continue
            kind, fitted, detail = _check(key, value, planned, shape.patterns.get(key))
            if fitted is not value:
                if changed is None:
                    changed = dict(properties)
                changed[key] = fitted
                if coerced is None:
                    coerced = []
                coerced.append(key)
            if kind is not None:
                violations.append((kind, key, detail))
        for key in shape.required:
            if properties.get(key) is None:
                violations.append(("missing_required", key, f"{name} needs {key}"))
    renamed = name != raw
    if not violations and not renamed and changed is None:
        return None

    kept: list[Violation] = []
    set_aside: dict[str, Any] | None = None
    for kind, prop, detail in violations:
        policy = policies[kind]
        if policy == "quarantine":
            as_found = [{"kind": k, "property": p, "detail": d} for k, p, d in violations]
            return Outcome(event, "quarantine", kind, as_found, None, None)
        if policy == "accept":
            continue
        kept.append({"kind": kind, "property": prop, "detail": detail})
        if policy == "move_aside" and prop is not None and prop in properties:
            if changed is None:
                changed = dict(properties)
            if set_aside is None:
                set_aside = {}
            set_aside[prop] = changed.pop(prop, properties[prop])
    shaped = event
    if renamed or changed is not None:
        shaped = dict(event)  # type: ignore[assignment]
        shaped["event"] = name
        if changed is not None:
            shaped["properties"] = changed
    return Outcome(shaped, "store", None, kept or None, set_aside, raw if renamed else None, coerced)
