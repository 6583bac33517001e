"""Labeling an element after the fact: what the Chrome extension's picker calls.

A person points at an element on their own site; :func:`suggest` turns its element chain
(built in the page by the tracking script's own code) into a proposed action, :func:`preview`
counts the clicks that action matches in the history already stored, and
:func:`add_action` deploys it as the plan's next version, so trends, funnels and retention
can name it at once and count last month's clicks too.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from betterheap.insights import service as insights
from betterheap.meta.plans import PlanConflict, PlanVersions
from betterheap.query.actions import matches_click
from betterheap.store.protocol import EventStore
from betterheap.taxonomy.learn import label_click
from betterheap.taxonomy.plan import Action, TrackingPlan
from betterheap.taxonomy.plan_file import plan_from_dict
from betterheap.tracking_plan import service

#: Tries to add an action while other deploys keep landing in between.
_ATTEMPTS: Final = 5
#: The name an action is counted under while its own name is still being typed.
_PREVIEWED: Final = "previewed_action"


def suggest(
    plans: PlanVersions, project_id: int, elements_chain: str, page_url: str | None
) -> dict[str, Any]:
    """The action proposed for one picked element, and the plan's actions that already
    count clicks on it (so nobody names the same button twice)."""
    _, plan = service.current(plans, project_id)
    label = label_click(elements_chain, plan)
    if label is None:
        raise ValueError("the picked element has no element chain; pick an element on the page")
    return {
        "action": _public(label),
        "page_url": page_url,
        "already_named": [
            action.name for action in plan.actions if matches_click(action, elements_chain, page_url)
        ],
    }


def preview(
    store: EventStore,
    project_id: int,
    selector: str | None,
    text: str | None,
    url: str | None,
    date_from: date | None,
    date_to: date | None,
) -> dict[str, Any]:
    """How often an action with these conditions happened: clicks per day, in all and the
    distinct persons, over the range (default: the 30 days to the latest stored event)."""
    if not (selector or text or url):
        raise ValueError("give a selector, a text or a url to count the clicks they match")
    action = Action(name=_PREVIEWED, selector=selector or None, text=text or None, url=url or None)
    days = insights.resolve_range(store, project_id, date_from, date_to)
    actions = {_PREVIEWED: action}
    by_day = insights.trend(
        store, project_id, _PREVIEWED, "count", None, "day", days.date_from, days.date_to, actions=actions
    )
    total = insights.totals(store, project_id, _PREVIEWED, days.date_from, days.date_to, actions=actions)
    return {
        "from": total["from"],
        "to": total["to"],
        "clicks": total["events"],
        "people": total["people"],
        "by_day": by_day,
    }


def add_action(
    plans: PlanVersions,
    project_id: int,
    action: dict[str, Any],
    note: str = "",
    author: str = "",
    based_on: int | None = None,
) -> dict[str, Any]:
    """Deploy the current plan plus ``action`` (an :class:`Action` as JSON) as the next
    version, by ``author``. A project without a plan gets one that accepts everything as
    before and names this action. Made from the version in force and deployed only right
    after it: a plan deployed meanwhile is read again, so two people labeling at once lose
    nothing. With ``based_on`` (the version a person was shown), deployed only right after
    that version, with no second try: :class:`PlanConflict` when another came first."""
    for _ in range(_ATTEMPTS if based_on is None else 1):
        version, plan = service.current(plans, project_id)
        name = action.get("name")
        if isinstance(name, str) and (name in plan.event_names or plan.action(name) is not None):
            raise ValueError(
                f"the tracking plan already has an event or action named {name!r}; choose another name"
            )
        data = plan.model_dump(mode="json")
        data["actions"].append(action)
        if version == 0:
            data["name"] = TrackingPlan().name
        updated = plan_from_dict(data)
        added = updated.actions[-1]
        note = note or f"action {added.name} labeled"
        try:
            deployed = service.deploy(
                plans, project_id, updated, note, author, version if based_on is None else based_on
            )
        except PlanConflict:
            if based_on is not None:
                raise
            continue
        return deployed | {"action": _public(added)}
    raise RuntimeError("the tracking plan kept changing while the action was being added; try again")


def _public(action: Action) -> dict[str, Any]:
    return action.model_dump(mode="json")
