"""The plan as a YAML file: what is refused, and where the problem is said to be."""

from __future__ import annotations

import pytest

from betterheap.taxonomy.plan import Action, Filters, PlannedEvent, PlannedProperty, TrackingPlan
from betterheap.taxonomy.plan_file import PlanFileError, diff_plans, plan_from_yaml, plan_to_yaml

PLAN = TrackingPlan(
    events=(
        PlannedEvent(name="order_completed", properties=(PlannedProperty(name="revenue", type="number"),)),
    ),
    actions=(Action(name="buy_clicked", selector="button.buy", text="Buy"),),
    filters=Filters(internal_ips=("10.0.0.0/8", "2001:db8::/32")),
)


def test_a_plan_survives_its_file() -> None:
    assert plan_from_yaml(plan_to_yaml(PLAN)) == PLAN
    assert diff_plans(PLAN, plan_from_yaml(plan_to_yaml(PLAN))) == []


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_an_empty_file_is_refused_rather_than_deployed_as_an_empty_plan(text: str) -> None:
    with pytest.raises(PlanFileError, match="empty"):
        plan_from_yaml(text)
    assert plan_from_yaml("events: []") == TrackingPlan()


def test_a_bad_internal_network_is_refused_with_its_place() -> None:
    with pytest.raises(PlanFileError) as raised:
        plan_from_yaml("filters:\n  internal_ips: [10.0.0.0/8, notanip]\n")
    assert "filters.internal_ips" in str(raised.value) and "'notanip'" in str(raised.value)


def test_other_problems_are_located() -> None:
    with pytest.raises(PlanFileError) as raised:
        plan_from_yaml(
            "events:\n  - name: order_completed\n    properties:\n      - {name: revenue, type: money}\n"
        )
    assert "events[0] (order_completed).properties[0] (revenue).type" in str(raised.value)
    with pytest.raises(PlanFileError, match="not valid YAML"):
        plan_from_yaml("events: [")
