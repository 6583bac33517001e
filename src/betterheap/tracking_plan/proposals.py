"""Proposals learned from the events a project already received, approved one at a time:
each group of raw names and each frequent click, with what approving it alone would change
in the plan in force. The learning is the setup assistant's (:meth:`setup.Observed.proposed`),
so clicks an action already counts are never proposed again.

An approval is deployed only right after the version the proposals were shown for
(``based_on``): :class:`Stale` when another was deployed since, before anything is picked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from betterheap.meta.plans import PlanConflict, PlanVersions
from betterheap.store.protocol import EventStore
from betterheap.taxonomy.learn import DYNAMIC_ID, ClickProposal, NameGroup, dynamic_shapes, learned_plan
from betterheap.taxonomy.plan import Action, TrackingPlan
from betterheap.taxonomy.plan_file import diff_plans
from betterheap.tracking_plan import labeling, service, setup

_ID: Final = re.compile(DYNAMIC_ID)


class Stale(PlanConflict):
    """A version was deployed after the one the proposals were shown for."""

    def __init__(self, version: int, based_on: int) -> None:
        super().__init__(f"version {version} was deployed after version {based_on}")
        #: The version in force now.
        self.version = version


class NotOpen(LookupError):
    """The proposal picked is not (or no longer) open."""


@dataclass(frozen=True)
class GroupProposal:
    """Raw names that mean one event, and what approving them changes in the plan."""

    group: NameGroup
    changes: list[str]
    #: One of many names differing by an id (``viewed_product_123``): fix it at the source.
    dynamic: bool


@dataclass(frozen=True)
class Proposals:
    """What plan ``version`` would learn, one proposal at a time."""

    version: int
    plan: TrackingPlan
    groups: list[GroupProposal]
    clicks: list[tuple[ClickProposal, list[str]]]

    @property
    def open_groups(self) -> list[GroupProposal]:
        """Groups approving would change the plan with."""
        return [g for g in self.groups if g.changes and not g.dynamic]

    @property
    def dynamic_groups(self) -> list[GroupProposal]:
        """Names with an id inside: never proposed as events."""
        return [g for g in self.groups if g.dynamic]

    @property
    def mapped_groups(self) -> list[GroupProposal]:
        """Groups the plan already resolves entirely."""
        return [g for g in self.groups if not g.changes and not g.dynamic]

    @property
    def open_clicks(self) -> list[tuple[ClickProposal, list[str]]]:
        return [(click, changes) for click, changes in self.clicks if changes]


def base(version: int, plan: TrackingPlan) -> TrackingPlan:
    """The plan a proposal is added to: before the first deploy, one that accepts
    everything as before (as :func:`labeling.add_action` does)."""
    return plan.model_copy(update={"name": TrackingPlan().name}) if version == 0 else plan


def propose(version: int, plan: TrackingPlan, observed: setup.Observed) -> Proposals:
    """What plan ``version`` (``plan``) would learn from ``observed``, each proposal with
    the changes approving it alone would make."""
    start = base(version, plan)
    groups, clicks = observed.proposed(plan)
    dynamic = dynamic_shapes(group.canonical for group in groups if not group.planned)
    proposed = [
        GroupProposal(
            group,
            diff_plans(start, learned_plan(start, [group], [])),
            not group.planned and _ID.sub("#", group.canonical) in dynamic,
        )
        for group in groups
    ]
    named = [(click, diff_plans(start, learned_plan(start, [], [click]))) for click in clicks]
    return Proposals(version, plan, proposed, named)


def find(store: EventStore, plans: PlanVersions, project_id: int) -> Proposals:
    """The proposals for the plan in force, from the events the project received."""
    version, plan = service.current(plans, project_id)
    return propose(version, plan, setup.observe(store, project_id))


def _current(store: EventStore, plans: PlanVersions, project_id: int, based_on: int | None) -> Proposals:
    found = find(store, plans, project_id)
    if based_on is not None and based_on != found.version:
        raise Stale(found.version, based_on)
    return found


def approve_names(
    store: EventStore,
    plans: PlanVersions,
    project_id: int,
    canonical: str,
    based_on: int | None = None,
    author: str = "",
) -> dict[str, Any]:
    """Deploy the open group of raw names ``canonical`` (aliases of a planned event, or a
    new event) as the version right after ``based_on`` (None: the one in force):
    ``{"version", "changes"}``. :class:`Stale`, :class:`NotOpen`, ``PlanConflict`` (a
    deploy in between), ``ValueError`` (a plan that cannot be deployed)."""
    found = _current(store, plans, project_id, based_on)
    for proposal in found.open_groups:
        if proposal.group.canonical == canonical:
            names = ", ".join(v.name for v in proposal.group.variants)
            updated = learned_plan(base(found.version, found.plan), [proposal.group], [])
            note = f"approved proposal: {canonical} as sent as {names}"
            return service.deploy(plans, project_id, updated, note, author, found.version)
    raise NotOpen(f"no open proposal of names for {canonical!r}")


def approve_click(
    store: EventStore,
    plans: PlanVersions,
    project_id: int,
    name: str,
    based_on: int | None = None,
    author: str = "",
) -> dict[str, Any]:
    """Add the open click proposal ``name`` to the plan as an action, as the version right
    after ``based_on`` (None: the one in force): ``{"version", "changes", "action"}``.
    Raises as :func:`approve_names` does."""
    found = _current(store, plans, project_id, based_on)
    for click, _ in found.open_clicks:
        if click.name == name:
            action = _action(found, click)
            note = f"approved proposal: action {name} ({click.count} clicks)"
            return labeling.add_action(
                plans, project_id, action.model_dump(mode="json"), note, author, found.version
            )
    raise NotOpen(f"no open click proposal named {name!r}")


def _action(found: Proposals, click: ClickProposal) -> Action:
    """The action approving ``click`` adds (an open one always adds one, last)."""
    return learned_plan(base(found.version, found.plan), [], [click]).actions[-1]
