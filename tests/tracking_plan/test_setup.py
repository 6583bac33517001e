"""The setup assistant on a project that already has a plan: it keeps what the interview
never asks about, and says what approving would change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from betterheap.runtime import Runtime, open_runtime
from betterheap.settings import Settings
from betterheap.taxonomy.plan import Action, Filters, PlannedEvent, TrackingPlan
from betterheap.tracking_plan import service, setup
from factories import stored_event

DEPLOYED = TrackingPlan(
    product_kind="ecommerce",
    events=(PlannedEvent(name="gift_wrapped"), PlannedEvent(name="order_completed", aliases=("purchase",))),
    actions=(Action(name="buy_clicked", selector="button.buy"),),
    filters=Filters(internal_ips=("10.0.0.0/8",), internal_hosts=("staging.shop.example",)),
)


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    opened = open_runtime(Settings(data_dir=tmp_path / "data", loader_processes=0))
    try:
        yield opened
    finally:
        opened.close()


def test_approving_keeps_the_teams_own_events_actions_and_internal_rules(runtime: Runtime) -> None:
    assert runtime.plans is not None
    service.deploy(runtime.plans, 1, DEPLOYED)
    assert runtime.projects is not None
    sessions = setup.SetupSessions(runtime.projects.engine)
    turn = setup.start(runtime.store, sessions, 1)
    for text in ("online store", "all", "", "", ""):
        turn = setup.answer(runtime.store, runtime.plans, sessions, turn["session_id"], text)
    assert turn["replaces"]["version"] == 1
    assert "+ event product_viewed" in "\n".join(turn["replaces"]["changes"])
    assert "- event gift_wrapped" not in turn["replaces"]["changes"]
    assert "Approving replaces tracking plan version 1" in setup.render_question(turn)
    # An interview resumed elsewhere (the extension reopened) shows the same comparison.
    assert setup.show(runtime.plans, sessions, turn["session_id"])["replaces"] == turn["replaces"]

    turn = setup.answer(runtime.store, runtime.plans, sessions, turn["session_id"], "approve")
    assert turn["deployed"]["version"] == 2
    _, plan = service.current(runtime.plans, 1)
    assert {"gift_wrapped", "order_completed", "product_viewed"} <= set(plan.event_names)
    assert [a.name for a in plan.actions if a.name == "buy_clicked"] == ["buy_clicked"]
    assert "10.0.0.0/8" in plan.filters.internal_ips
    assert "staging.shop.example" in plan.filters.internal_hosts


def test_a_session_for_a_project_that_does_not_exist_is_refused(runtime: Runtime) -> None:
    assert runtime.projects is not None
    with pytest.raises(ValueError, match="no project 9"):
        setup.start(runtime.store, setup.SetupSessions(runtime.projects.engine), 9)


CART = 'form.cart:nth-child="2"nth-of-type="1"'
BUY = 'button.btn.buy:text="Buy now"nth-child="1"nth-of-type="1";' + CART
SAVE = 'button.save-for-later:text="Save for later"nth-child="2"nth-of-type="2";' + CART


def test_clicks_a_deployed_action_already_counts_get_no_second_name(runtime: Runtime) -> None:
    assert runtime.plans is not None and runtime.projects is not None
    service.deploy(runtime.plans, 1, DEPLOYED)
    clicks = [
        stored_event("$autocapture", f"u{i}", f"2026-11-0{1 + i % 5}T10:00:00", elements_chain=chain)
        for chain in (BUY, SAVE)
        for i in range(30)
    ]
    runtime.store.write_batch(clicks, [], None)
    sessions = setup.SetupSessions(runtime.projects.engine)
    turn = setup.start(runtime.store, sessions, 1)
    for text in ("online store", "all", "", "", "", "approve"):
        turn = setup.answer(runtime.store, runtime.plans, sessions, turn["session_id"], text)
    _, plan = service.current(runtime.plans, 1)
    assert [a.name for a in plan.actions if "buy" in (a.selector or "")] == ["buy_clicked"]
    assert any("save-for-later" in (a.selector or "") for a in plan.actions)
