"""The demo's tracking plan describes exactly what the clean demo sends.

The check is written here in plain Python, independent of the ingestion's plan checker, so
a bug in one cannot hide a bug in the other: every track event is planned, every property
it carries is planned for it with the right type, allowed value and pattern, and every
required property is present.
"""

from __future__ import annotations

import collections
import re
from typing import Any

from betterheap.demo.plan import MARKETPLACE_PLAN
from betterheap.taxonomy.plan import PlannedProperty

PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def type_fits(value: Any, planned: str) -> bool:
    """JSON value against a planned type; ``True`` is a boolean, never a number."""
    if isinstance(value, bool):
        return planned == "boolean"
    return isinstance(value, PYTHON_TYPES[planned])


def _planned(event: str, key: str) -> PlannedProperty | None:
    definition = MARKETPLACE_PLAN.event(event)
    assert definition is not None
    common = {p.name: p for p in MARKETPLACE_PLAN.common_properties}
    return definition.property(key) or common.get(key)


def test_every_track_event_of_the_clean_demo_fits_the_plan(messages: list[dict[str, Any]]) -> None:
    checked = 0
    for message in messages:
        if message["type"] != "track":
            continue
        event, properties = message["event"], message["properties"]
        definition = MARKETPLACE_PLAN.event(event)
        assert definition is not None, f"{event!r} is sent but not planned"
        for key, value in properties.items():
            planned = _planned(event, key)
            assert planned is not None, f"{event}.{key} is sent but not planned"
            assert type_fits(value, planned.type), f"{event}.{key} = {value!r} is not {planned.type}"
            if planned.allowed:
                assert value in planned.allowed, f"{event}.{key} = {value!r} not in {planned.allowed}"
            if planned.pattern:
                assert re.fullmatch(planned.pattern, value), f"{event}.{key} = {value!r} vs {planned.pattern}"
        for planned in definition.properties:
            if planned.required:
                assert properties.get(planned.name) is not None, f"{event} without {planned.name}"
        checked += 1
    assert checked > 50_000


def test_every_planned_event_and_property_is_sent(messages: list[dict[str, Any]]) -> None:
    """No stale definitions: the plan lists nothing the demo never sends."""
    sent: dict[str, set[str]] = collections.defaultdict(set)
    for message in messages:
        if message["type"] == "track":
            sent[message["event"]].update(message["properties"])
    for definition in MARKETPLACE_PLAN.events:
        assert definition.name in sent, f"{definition.name} is planned but never sent"
        assert {p.name for p in definition.properties} == sent[definition.name], definition.name


def test_identify_and_page_views_use_reserved_names_and_email_is_pii(messages: list[dict[str, Any]]) -> None:
    kinds = {message["type"] for message in messages}
    assert kinds == {"page", "track", "identify"}  # stored as $pageview and $identify
    assert not any(name.startswith("$") for name in MARKETPLACE_PLAN.event_names)
    assert "email" in MARKETPLACE_PLAN.pii_properties()
    traits = next(m["traits"] for m in messages if m["type"] == "identify")
    assert traits["email"].endswith("@example.com")


def test_filters_and_policies() -> None:
    filters, policies = MARKETPLACE_PLAN.filters, MARKETPLACE_PLAN.policies
    assert MARKETPLACE_PLAN.product_kind == "ecommerce"
    assert filters.internal_hosts == ("staging.craftly.example",)
    assert filters.internal_ips == ("10.0.0.0/8",)
    assert filters.internal_flag == "$internal" and filters.bots and filters.scrub_pii
    assert (policies.unplanned_event, policies.unplanned_property) == ("flag", "flag")
    assert (policies.missing_required, policies.wrong_type) == ("quarantine", "move_aside")
    assert (policies.not_allowed, policies.pattern_mismatch) == ("flag", "flag")


def test_the_ids_metrics_depend_on_are_required() -> None:
    def required(event: str) -> set[str]:
        definition = MARKETPLACE_PLAN.event(event)
        assert definition is not None
        return {p.name for p in definition.properties if p.required}

    for event in ("product_viewed", "product_added", "product_favorited"):
        assert "product_id" in required(event)
    assert {"order_id", "revenue", "currency"} <= required("order_completed")
    assert {"shop_id", "order_id"} <= required("order_shipped")
    assert {"revenue", "plan"} <= required("subscription_renewed")
