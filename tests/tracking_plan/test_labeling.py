"""Labeling a picked element: the proposed action, its retroactive count (checked against a
count made in Python over the same clicks), and saving it as the plan's next version."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from betterheap.insights import service as insights
from betterheap.meta.plans import PlanConflict
from betterheap.query.actions import selector_pattern, text_pattern
from betterheap.runtime import Runtime, open_runtime
from betterheap.settings import Settings
from betterheap.taxonomy.plan import Action, PlannedEvent, TrackingPlan
from betterheap.tracking_plan import labeling, service
from factories import stored_event

CARD = 'div.product-card:nth-child="2"nth-of-type="1";body:nth-child="2"nth-of-type="1"'
BUTTON = 'button.add-to-cart.css-1x2y3z:text="Add to cart"nth-child="1"nth-of-type="1";' + CARD
ICON = (
    'svg.icon:nth-child="1"nth-of-type="1";button.add-to-cart.css-1x2y3z:nth-child="3"nth-of-type="1";' + CARD
)
WISH = 'button.wish:text="Add to wishlist"nth-child="2"nth-of-type="2";' + CARD
#: (chain, url, person, day of November 2026)
CLICKS = [
    *((BUTTON, "https://shop.example/p/1", f"u{i % 4}", 1 + i % 9) for i in range(13)),
    *((ICON, "https://shop.example/p/2", "u9", 3) for _ in range(2)),
    *((WISH, "https://shop.example/p/1", f"u{i}", 5) for i in range(5)),
    (BUTTON, "https://shop.example/p/1", "u1", 20),  # outside the preview range below
]


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    opened = open_runtime(Settings(data_dir=tmp_path / "data", loader_processes=0))
    try:
        events = [
            stored_event("$autocapture", person, f"2026-11-{day:02d}T10:00:00", elements_chain=chain, url=url)
            for chain, url, person, day in CLICKS
        ]
        opened.store.write_batch(events, [], None)
        yield opened
    finally:
        opened.close()


def test_a_picked_button_is_proposed_with_a_stable_selector_and_its_label(runtime: Runtime) -> None:
    assert runtime.plans is not None
    found = labeling.suggest(runtime.plans, 1, BUTTON, "https://shop.example/p/1")
    assert found["action"] == {
        "name": "add_to_cart_clicked",
        "description": "",
        "selector": "button.add-to-cart",
        "text": "Add to cart",
        "url": None,
    }
    assert found["already_named"] == []
    inside = labeling.suggest(runtime.plans, 1, ICON, None)["action"]
    assert inside["selector"] == "button.add-to-cart, button.add-to-cart *"
    with pytest.raises(ValueError, match="no element chain"):
        labeling.suggest(runtime.plans, 1, "", None)


def _expected(
    selector: str | None, text: str | None, url: str | None, first: int, last: int
) -> tuple[int, int]:
    """Clicks and distinct persons matching, counted in Python from the fixture's list."""
    matched = [
        person
        for chain, page, person, day in CLICKS
        if first <= day <= last
        and (selector is None or re.search(selector_pattern(selector), chain))
        and (text is None or re.search(text_pattern(text), chain))
        and (url is None or page == url)
    ]
    return len(matched), len(set(matched))


@pytest.mark.parametrize(
    ("selector", "text", "url"),
    [
        ("button.add-to-cart", None, None),
        ("button.add-to-cart, button.add-to-cart *", None, None),
        ("button.add-to-cart", "Add to cart", None),
        (None, "Add to wishlist", None),
        ("div.product-card button", None, "https://shop.example/p/1"),
    ],
)
def test_the_preview_counts_the_clicks_already_stored(
    runtime: Runtime, selector: str | None, text: str | None, url: str | None
) -> None:
    counted = labeling.preview(runtime.store, 1, selector, text, url, date(2026, 11, 1), date(2026, 11, 10))
    clicks, people = _expected(selector, text, url, 1, 10)
    assert clicks > 0
    assert (counted["clicks"], counted["people"]) == (clicks, people)
    assert len(counted["by_day"]) == 10
    assert sum(row["value"] for row in counted["by_day"]) == clicks


def test_the_preview_refuses_what_it_cannot_count(runtime: Runtime) -> None:
    with pytest.raises(ValueError, match="give a selector, a text or a url"):
        labeling.preview(runtime.store, 1, None, "", None, None, None)
    with pytest.raises(ValueError, match="pseudo-classes"):
        labeling.preview(runtime.store, 1, "button:hover", None, None, None, None)


def test_saving_deploys_the_action_and_it_counts_retroactively(runtime: Runtime) -> None:
    assert runtime.plans is not None
    service.deploy(runtime.plans, 1, TrackingPlan(events=(PlannedEvent(name="order_completed"),)))
    action = labeling.suggest(runtime.plans, 1, BUTTON, None)["action"]
    saved = labeling.add_action(runtime.plans, 1, action)
    assert saved["version"] == 2
    assert saved["changes"] == [
        "+ action add_to_cart_clicked (selector 'button.add-to-cart', text 'Add to cart')"
    ]
    _, plan = service.current(runtime.plans, 1)
    assert plan.event_names == {"order_completed"}
    series = insights.trend(
        runtime.store,
        1,
        "add_to_cart_clicked",
        "count",
        None,
        "day",
        date(2026, 11, 1),
        date(2026, 11, 30),
        actions=service.actions(runtime.plans, 1),
    )
    assert (
        sum(row["value"] for row in series) == _expected("button.add-to-cart", "Add to cart", None, 1, 30)[0]
    )
    # The same button again is named as already counted, and its name is taken.
    again = labeling.suggest(runtime.plans, 1, BUTTON, None)
    assert again["already_named"] == ["add_to_cart_clicked"]
    assert again["action"]["name"] != "add_to_cart_clicked"
    with pytest.raises(ValueError, match="already has an event or action named 'order_completed'"):
        labeling.add_action(runtime.plans, 1, {"name": "order_completed", "selector": "button"})


def test_a_project_without_a_plan_gets_one_that_still_accepts_everything(runtime: Runtime) -> None:
    assert runtime.plans is not None
    labeling.add_action(runtime.plans, 1, {"name": "wish_clicked", "selector": "button.wish"})
    version, plan = service.current(runtime.plans, 1)
    assert version == 1
    assert plan.actions == (Action(name="wish_clicked", selector="button.wish"),)
    assert plan.policies.unplanned_event == "accept" and plan.filters.bots is False


def test_a_bad_action_is_refused_with_where_the_problem_is(runtime: Runtime) -> None:
    assert runtime.plans is not None
    with pytest.raises(ValueError, match=r"actions\[0\] \(Bad Name!\)\.name"):
        labeling.add_action(runtime.plans, 1, {"name": "Bad Name!", "selector": "button"})
    with pytest.raises(ValueError, match="needs a selector, a text or a url"):
        labeling.add_action(runtime.plans, 1, {"name": "nothing_clicked"})
    with pytest.raises(ValueError, match="cannot be matched"):
        labeling.add_action(runtime.plans, 1, {"name": "hover_clicked", "selector": "a:hover"})
    assert service.current(runtime.plans, 1)[0] == 0


def test_an_action_saved_while_another_deploy_lands_keeps_both(runtime: Runtime) -> None:
    """A deploy that lands between reading the plan and deploying it: the action is added
    to the plan deployed meanwhile, not to the stale one it was first made from."""
    plans = runtime.plans
    assert plans is not None

    class Busy(type(plans)):  # type: ignore[misc]
        raced = False

        def current(self, project_id: int) -> Any:
            found = super().current(project_id)
            if not Busy.raced:
                Busy.raced = True
                wish = Action(name="wish_clicked", selector="button.wish")
                super().deploy(project_id, TrackingPlan(actions=(wish,)), "someone else")
            return found

    plans.__class__ = Busy
    saved = labeling.add_action(plans, 1, {"name": "add_to_cart_clicked", "selector": "button.add-to-cart"})
    assert Busy.raced and saved["version"] == 2
    _, plan = service.current(plans, 1)
    assert [a.name for a in plan.actions] == ["wish_clicked", "add_to_cart_clicked"]
    with pytest.raises(PlanConflict, match="version 2 was deployed after version 1"):
        plans.deploy(1, TrackingPlan(), based_on=1)


def test_an_action_is_deployed_by_its_author_and_only_after_the_version_shown(runtime: Runtime) -> None:
    """A person who saw version 1 labels a button: deployed as version 2 under their name;
    had someone deployed meanwhile, nothing is deployed (no retry on top of unseen work)."""
    assert runtime.plans is not None
    service.deploy(runtime.plans, 1, TrackingPlan(events=(PlannedEvent(name="order_completed"),)))
    action = {"name": "wish_clicked", "selector": "button.wish"}
    saved = labeling.add_action(runtime.plans, 1, action, author="ana", based_on=1)
    assert saved["version"] == 2
    assert [(v.version, v.author, v.note) for v in runtime.plans.versions(1)][1:] == [
        (2, "ana", "action wish_clicked labeled")
    ]
    with pytest.raises(PlanConflict, match="version 2 was deployed after version 1"):
        labeling.add_action(runtime.plans, 1, {"name": "buy_clicked", "selector": "button.buy"}, based_on=1)
    assert service.current(runtime.plans, 1)[0] == 2
