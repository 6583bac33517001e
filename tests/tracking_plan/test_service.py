"""Deploying: what is refused before it can reach the pipeline or a query."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from betterheap.meta.plans import PlanVersions
from betterheap.meta.projects import ProjectDirectory
from betterheap.taxonomy.plan import Action, PlannedEvent, TrackingPlan
from betterheap.tracking_plan import service

PLAN = TrackingPlan(events=(PlannedEvent(name="order_completed"),))


@pytest.fixture
def plans(tmp_path: Path) -> Iterator[PlanVersions]:
    directory = ProjectDirectory(f"sqlite:///{tmp_path / 'meta.db'}")
    directory.ensure_default()
    yield PlanVersions(directory.engine)
    directory.close()


def test_a_plan_for_a_project_that_does_not_exist_is_refused(plans: PlanVersions) -> None:
    with pytest.raises(ValueError, match="there is no project 42"):
        service.deploy(plans, 42, PLAN)
    assert service.deploy(plans, 1, PLAN)["version"] == 1


def test_an_action_selector_the_matcher_cannot_answer_is_refused_at_deploy(plans: PlanVersions) -> None:
    bad = PLAN.model_copy(update={"actions": (Action(name="bad_clicked", selector="button[["),)})
    with pytest.raises(ValueError, match="action 'bad_clicked': unsupported selector"):
        service.deploy(plans, 1, bad)
    assert service.versions(plans, 1) == []


def test_the_same_plan_twice_is_not_a_new_version(plans: PlanVersions) -> None:
    service.deploy(plans, 1, PLAN)
    with pytest.raises(ValueError, match="nothing to deploy"):
        service.deploy(plans, 1, PLAN)
