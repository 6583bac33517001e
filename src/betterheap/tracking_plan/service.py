"""Deploying, reading and comparing tracking plans; the quality report and the quarantine
replay under the current plan. The functions the CLI and the REST API call."""

from __future__ import annotations

from datetime import date
from typing import Any

from betterheap.insights.service import resolve_range
from betterheap.meta.plans import DeployedPlan, PlanVersions
from betterheap.pipeline.tracking_plan import compile_plan
from betterheap.query.actions import selector_pattern
from betterheap.store.protocol import EventStore
from betterheap.taxonomy.naming import to_convention
from betterheap.taxonomy.plan import NO_PLAN, Action, TrackingPlan
from betterheap.taxonomy.plan_file import diff_plans, plan_to_yaml
from betterheap.tracking_plan import quality, quarantine


def current(plans: PlanVersions, project_id: int) -> tuple[int, TrackingPlan]:
    """``(version, plan)``; ``(0, NO_PLAN)`` before the first deploy."""
    deployed = plans.current(project_id)
    return (deployed.version, deployed.plan) if deployed is not None else (0, NO_PLAN)


def naming_problems(plan: TrackingPlan) -> list[str]:
    """Planned names that do not follow the plan's own naming convention."""
    problems = []
    for event in plan.events:
        expected = to_convention(event.name, plan.naming)
        if expected != event.name:
            problems.append(f"{event.name!r} does not follow {plan.naming} (it would be {expected!r})")
    return problems


def action_problems(plan: TrackingPlan) -> list[str]:
    """Actions whose selector our matcher cannot answer (caught at deploy, not at query time)."""
    problems = []
    for action in plan.actions:
        if action.selector:
            try:
                selector_pattern(action.selector)
            except ValueError as error:
                problems.append(f"action {action.name!r}: {error}")
    return problems


def check_deployable(plan: TrackingPlan) -> None:
    """What stops ``plan`` from being deployed, in words (ValueError); nothing when it can be."""
    problems = naming_problems(plan)
    if problems:
        raise ValueError("the plan breaks its naming convention:\n  " + "\n  ".join(problems))
    problems = action_problems(plan)
    if problems:
        raise ValueError("the plan has actions that cannot be matched:\n  " + "\n  ".join(problems))


def deploy(
    plans: PlanVersions,
    project_id: int,
    plan: TrackingPlan,
    note: str = "",
    author: str = "",
    based_on: int | None = None,
) -> dict[str, Any]:
    """Deploy ``plan`` as the next version; returns the version and its diff. With
    ``based_on``, only as the version right after it (``PlanConflict`` otherwise)."""
    check_deployable(plan)
    _, before = current(plans, project_id)
    changes = diff_plans(before, plan)
    if plans.current(project_id) is not None and not changes:
        raise ValueError("the plan is the same as the deployed one; nothing to deploy")
    deployed = plans.deploy(project_id, plan, note, author, based_on)
    return {"version": deployed.version, "changes": changes}


def describe(deployed: DeployedPlan) -> dict[str, Any]:
    return {
        "version": deployed.version,
        "note": deployed.note,
        "author": deployed.author,
        "created_at": deployed.created_at.isoformat(),
        "events": len(deployed.plan.events),
        "actions": len(deployed.plan.actions),
    }


def show(plans: PlanVersions, project_id: int, version: int | None = None) -> dict[str, Any]:
    if version is None:
        number, plan = current(plans, project_id)
    else:
        deployed = plans.get(project_id, version)
        if deployed is None:
            raise ValueError(f"project {project_id} has no plan version {version}")
        number, plan = deployed.version, deployed.plan
    return {"version": number, "plan": plan.model_dump(mode="json"), "yaml": plan_to_yaml(plan)}


def versions(plans: PlanVersions, project_id: int) -> list[dict[str, Any]]:
    return [describe(deployed) for deployed in plans.versions(project_id)]


def diff(
    plans: PlanVersions,
    project_id: int,
    from_version: int | None = None,
    to_version: int | None = None,
    candidate: TrackingPlan | None = None,
) -> dict[str, Any]:
    """Changes between two versions (default: the previous and the current one), or from
    the current version to a ``candidate`` plan that is not deployed yet."""
    latest, _ = current(plans, project_id)
    if candidate is not None:
        old_number, old = current(plans, project_id)
        return {"from": old_number, "to": "file", "changes": diff_plans(old, candidate)}
    to_number = latest if to_version is None else to_version
    from_number = max(to_number - 1, 0) if from_version is None else from_version
    return {
        "from": from_number,
        "to": to_number,
        "changes": diff_plans(
            _version(plans, project_id, from_number), _version(plans, project_id, to_number)
        ),
    }


def _version(plans: PlanVersions, project_id: int, number: int) -> TrackingPlan:
    if number == 0:
        return NO_PLAN
    deployed = plans.get(project_id, number)
    if deployed is None:
        raise ValueError(f"project {project_id} has no plan version {number}")
    return deployed.plan


def quality_report(
    store: EventStore, plans: PlanVersions, project_id: int, date_from: date | None, date_to: date | None
) -> dict[str, Any]:
    version, plan = current(plans, project_id)
    days = resolve_range(store, project_id, date_from, date_to)
    return quality.quality_report(store, project_id, plan, days, version)


def replay(store: EventStore, plans: PlanVersions, project_id: int) -> dict[str, Any]:
    version, plan = current(plans, project_id)
    result = quarantine.replay(store, project_id, compile_plan(plan, version))
    return result.as_dict() | {"plan_version": version}


def actions(plans: PlanVersions | None, project_id: int) -> dict[str, Action]:
    """The current plan's actions (virtual events) by name, for the query layer."""
    if plans is None:
        return {}
    _, plan = current(plans, project_id)
    return {action.name: action for action in plan.actions}
