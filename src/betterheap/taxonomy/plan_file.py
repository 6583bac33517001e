"""The tracking plan as a readable YAML file, and the diff between two versions.

The file is what a team keeps in its own repository and deploys from CI with
``betterheap plan deploy tracking-plan.yaml``. Only values that differ from the defaults
are written, so a plan reads like a list of events and their properties.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import ValidationError

from betterheap.taxonomy.plan import Action, PlannedEvent, PlannedProperty, TrackingPlan


class PlanFileError(ValueError):
    """A plan file that cannot be read, with every problem located in the file."""


def plan_from_yaml(text: str) -> TrackingPlan:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise PlanFileError(f"not valid YAML: {error}") from None
    if data is None:
        # A truncated or blank file in CI must not deploy a plan that drops every event.
        raise PlanFileError("the plan file is empty; an empty plan is written `events: []`")
    if not isinstance(data, dict):
        raise PlanFileError("a tracking plan file is a mapping with keys such as 'events' and 'policies'")
    return plan_from_dict(data)


def plan_from_dict(data: dict[str, Any]) -> TrackingPlan:
    try:
        return TrackingPlan.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = _location(data, item["loc"])
            problems.append(f"{where}: {item['msg']}" if where else item["msg"])
        raise PlanFileError("the tracking plan has problems:\n  " + "\n  ".join(problems)) from None


def _location(data: Any, path: tuple[int | str, ...]) -> str:
    """``events[2] (order_completed).properties[0] (revenue).type``: readable, by name."""
    parts: list[str] = []
    node = data
    for key in path:
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
            name = node.get("name") if isinstance(node, dict) else None
            parts[-1] += f"[{key}]" + (f" ({name})" if isinstance(name, str) else "") if parts else f"[{key}]"
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return ".".join(parts)


def plan_to_yaml(plan: TrackingPlan) -> str:
    data = plan.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _property_changes(where: str, old: PlannedProperty, new: PlannedProperty) -> list[str]:
    changes = []
    for field in ("type", "required", "allowed", "pattern", "pii", "description"):
        before, after = getattr(old, field), getattr(new, field)
        if before != after:
            changes.append(f"~ {where}.{new.name}: {field} {_show(before)} → {_show(after)}")
    return changes


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if value is None or value == "":
        return "(none)"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _event_changes(old: PlannedEvent, new: PlannedEvent) -> list[str]:
    changes: list[str] = []
    before = {p.name: p for p in old.properties}
    after = {p.name: p for p in new.properties}
    for name, planned in after.items():
        if name not in before:
            flags = ", required" if planned.required else ""
            changes.append(f"+ property {new.name}.{name} ({planned.type}{flags})")
        else:
            changes.extend(_property_changes(new.name, before[name], planned))
    changes.extend(f"- property {new.name}.{name}" for name in before if name not in after)
    if old.aliases != new.aliases:
        added = [a for a in new.aliases if a not in old.aliases]
        removed = [a for a in old.aliases if a not in new.aliases]
        if added:
            changes.append(f"+ aliases of {new.name}: {', '.join(added)}")
        if removed:
            changes.append(f"- aliases of {new.name}: {', '.join(removed)}")
    if old.description != new.description:
        changes.append(f"~ {new.name}: description changed")
    return changes


def _action_text(action: Action) -> str:
    parts = [
        f"{key} {value!r}"
        for key, value in (("selector", action.selector), ("text", action.text), ("url", action.url))
        if value
    ]
    return ", ".join(parts)


def diff_plans(old: TrackingPlan, new: TrackingPlan) -> list[str]:
    """What changed from ``old`` to ``new``, one line per change (``+`` added, ``-``
    removed, ``~`` changed); empty when they are the same plan."""
    changes: list[str] = []
    before = {e.name: e for e in old.events}
    after = {e.name: e for e in new.events}
    for name, event in after.items():
        if name not in before:
            count = len(event.properties)
            changes.append(f"+ event {name} ({count} propert{'y' if count == 1 else 'ies'})")
        else:
            changes.extend(_event_changes(before[name], event))
    changes.extend(f"- event {name}" for name in before if name not in after)
    old_actions = {a.name: a for a in old.actions}
    new_actions = {a.name: a for a in new.actions}
    for name, action in new_actions.items():
        if name not in old_actions:
            changes.append(f"+ action {name} ({_action_text(action)})")
        elif old_actions[name] != action:
            changes.append(f"~ action {name}: {_action_text(old_actions[name])} → {_action_text(action)}")
    changes.extend(f"- action {name}" for name in old_actions if name not in new_actions)
    old_common = {p.name: p for p in old.common_properties}
    for planned in new.common_properties:
        if planned.name not in old_common:
            changes.append(f"+ common property {planned.name} ({planned.type})")
        else:
            changes.extend(_property_changes("common", old_common[planned.name], planned))
    new_common = {p.name for p in new.common_properties}
    changes.extend(f"- common property {name}" for name in old_common if name not in new_common)
    for section in ("filters", "policies"):
        old_part = getattr(old, section).model_dump()
        new_part = getattr(new, section).model_dump()
        for key, value in new_part.items():
            if old_part.get(key) != value:
                changes.append(f"~ {section}.{key}: {_show(old_part.get(key))} → {_show(value)}")
    for key in ("name", "product_kind", "naming"):
        if getattr(old, key) != getattr(new, key):
            changes.append(f"~ {key}: {getattr(old, key)} → {getattr(new, key)}")
    return changes
