"""Proposals learned from the events received, approved one at a time (what the dashboard's
proposals page shows and does, and what ``GET /api/setup/proposals`` lists): each comes with
what approving it alone changes, clicks an action already counts are never proposed again,
and an approval lands only right after the version it was shown for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from betterheap.meta.plans import PlanConflict
from betterheap.runtime import Runtime, open_runtime
from betterheap.settings import Settings
from betterheap.taxonomy.learn import ObservedClick, ObservedName
from betterheap.taxonomy.plan import Action, PlannedEvent, TrackingPlan
from betterheap.tracking_plan import proposals, service, setup
from factories import stored_event

PLAN = TrackingPlan(
    events=(PlannedEvent(name="order_completed", aliases=("purchase",)),),
    actions=(Action(name="buy_clicked", selector="button.buy"),),
)
CART = 'form.cart:nth-child="2"nth-of-type="1"'
#: Counted by the plan's ``buy_clicked`` (``button.buy``), though reduced to another selector.
BUY = 'button.btn.buy:text="Buy now"nth-child="1"nth-of-type="1";' + CART
SAVE = 'button.save-for-later:text="Save for later"nth-child="2"nth-of-type="2";' + CART
OBSERVED = setup.Observed(
    names=(
        ObservedName("Wishlist Added", 7),
        ObservedName("wishlist-added", 3),
        ObservedName("order_completed", 40),
        ObservedName("purchase", 5),
        ObservedName("Order Completed", 2),
        *(ObservedName(f"viewed_product_{n}", 4) for n in (101, 102, 103)),
    ),
    clicks=(
        ObservedClick(BUY, "https://shop.example/p/1", 30),
        ObservedClick(SAVE, "https://shop.example/p/1", 25),
    ),
)


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    opened = open_runtime(Settings(data_dir=tmp_path / "data", loader_processes=0))
    try:
        events = [
            stored_event(name, f"u{i}", f"2026-11-0{1 + i % 5}T10:00:00")
            for name, count in (("Wishlist Added", 3), ("wishlist-added", 2), ("order_completed", 4))
            for i in range(count)
        ] + [
            stored_event("$autocapture", f"u{i}", f"2026-11-0{1 + i % 5}T10:00:00", elements_chain=chain)
            for chain in (BUY, SAVE)
            for i in range(30)
        ]
        opened.store.write_batch(events, [], None)
        yield opened
    finally:
        opened.close()


def test_each_proposal_comes_with_what_approving_it_alone_changes() -> None:
    found = proposals.propose(1, PLAN, OBSERVED)
    assert found.version == 1 and found.plan == PLAN
    (wishlist,) = found.open_groups
    assert wishlist.group.canonical == "wishlist_added" and not wishlist.group.planned
    assert wishlist.changes == ["+ event wishlist_added (0 properties)"]
    # Names with an id inside are set apart, never proposed as events.
    assert sorted(p.group.canonical for p in found.dynamic_groups) == [
        "viewed_product_101",
        "viewed_product_102",
        "viewed_product_103",
    ]
    assert all(not p.changes or p.dynamic for p in found.dynamic_groups)
    # order_completed arrives as its name, its alias and its Title Case spelling: all resolved.
    (mapped,) = found.mapped_groups
    assert mapped.group.canonical == "order_completed" and mapped.changes == []


def test_clicks_an_action_already_counts_are_not_proposed_again() -> None:
    found = proposals.propose(1, PLAN, OBSERVED)
    assert [(click.name, click.selector) for click, _ in found.open_clicks] == [
        ("save_for_later_clicked", "button.save-for-later")
    ]
    ((_, changes),) = found.open_clicks
    assert changes == [
        "+ action save_for_later_clicked (selector 'button.save-for-later', text 'Save for later')"
    ]
    # Without the action, the same clicks are proposed under a name of their own.
    unlabeled = proposals.propose(1, PLAN.model_copy(update={"actions": ()}), OBSERVED)
    assert "button.btn.buy" in [click.selector for click, _ in unlabeled.open_clicks]


def test_the_setup_api_lists_no_click_an_action_already_counts(runtime: Runtime) -> None:
    """``GET /api/setup/proposals`` (``setup.proposals``) once proposed a second name for
    clicks a deployed action already counted; it now learns what the assistant learns."""
    assert runtime.plans is not None
    service.deploy(runtime.plans, 1, PLAN)
    listed = setup.proposals(runtime.store, runtime.plans, 1)
    assert [(c["name"], c["selector"], c["events"]) for c in listed["clicks"]] == [
        ("save_for_later_clicked", "button.save-for-later", 30)
    ]
    assert {"canonical", "planned", "events", "variants"} <= set(listed["groups"][0])
    shown = proposals.find(runtime.store, runtime.plans, 1)
    assert [c["name"] for c in listed["clicks"]] == [click.name for click, _ in shown.clicks]
    assert [g["canonical"] for g in listed["groups"]] == [p.group.canonical for p in shown.groups]


def test_approving_one_proposal_deploys_it_alone_by_its_author(runtime: Runtime) -> None:
    assert runtime.plans is not None
    service.deploy(runtime.plans, 1, PLAN)
    names = proposals.approve_names(runtime.store, runtime.plans, 1, "wishlist_added", 1, "ana")
    assert names == {"version": 2, "changes": ["+ event wishlist_added (0 properties)"]}
    click = proposals.approve_click(runtime.store, runtime.plans, 1, "save_for_later_clicked", 2, "bob")
    assert click["version"] == 3 and click["action"]["selector"] == "button.save-for-later"
    assert click["action"]["description"] == "Proposed from 30 auto-captured clicks"
    versions = runtime.plans.versions(1)
    assert [(v.version, v.author) for v in versions] == [(1, ""), (2, "ana"), (3, "bob")]
    assert versions[1].note == "approved proposal: wishlist_added as sent as Wishlist Added, wishlist-added"
    assert versions[2].note == "approved proposal: action save_for_later_clicked (30 clicks)"
    _, plan = service.current(runtime.plans, 1)
    assert [a.name for a in plan.actions] == ["buy_clicked", "save_for_later_clicked"]
    wishlist = next(event for event in plan.events if event.name == "wishlist_added")
    assert wishlist.aliases == ("Wishlist Added", "wishlist-added")

    # Approved, so no longer open; a name never proposed is not open either.
    with pytest.raises(proposals.NotOpen):
        proposals.approve_names(runtime.store, runtime.plans, 1, "wishlist_added", 3)
    with pytest.raises(proposals.NotOpen):
        proposals.approve_click(runtime.store, runtime.plans, 1, "buy_now_clicked", 3)
    assert service.current(runtime.plans, 1)[0] == 3


def test_an_approval_shown_for_an_older_version_deploys_nothing(runtime: Runtime) -> None:
    assert runtime.plans is not None
    service.deploy(runtime.plans, 1, PLAN)
    for approve, picked in (
        (proposals.approve_names, "wishlist_added"),
        (proposals.approve_click, "save_for_later_clicked"),
    ):
        with pytest.raises(proposals.Stale) as stale:
            approve(runtime.store, runtime.plans, 1, picked, 0)
        assert stale.value.version == 1 and isinstance(stale.value, PlanConflict)
    assert service.current(runtime.plans, 1)[0] == 1


def test_a_first_approval_on_a_project_without_a_plan_still_accepts_everything(runtime: Runtime) -> None:
    assert runtime.plans is not None
    found = proposals.find(runtime.store, runtime.plans, 1)
    assert found.version == 0
    assert "save_for_later_clicked" in [click.name for click, _ in found.open_clicks]
    proposals.approve_click(runtime.store, runtime.plans, 1, "save_for_later_clicked", 0)
    version, plan = service.current(runtime.plans, 1)
    assert version == 1 and [a.name for a in plan.actions] == ["save_for_later_clicked"]
    assert plan.policies.unplanned_event == "accept" and plan.events == ()
