"""The setup interview, answered the way people type: it ends in the plan they described,
accepts refinements before approval, explains bad answers, and its state survives a JSON
round trip at every step (the web API and the extension store it between requests)."""

from __future__ import annotations

import json
from collections.abc import Iterable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from betterheap.taxonomy.interview import (
    AnswerError,
    Interview,
    Learn,
    answer,
    preview,
    question,
    render_preview,
    start,
)
from betterheap.taxonomy.interview.answers import object_action
from betterheap.taxonomy.naming import to_convention
from betterheap.taxonomy.plan import PlannedEvent, TrackingPlan
from betterheap.taxonomy.templates import TEMPLATES
from betterheap.tracking_plan.service import naming_problems

SHOP_ANSWERS = (
    "online store",
    "1-5, other: shared a wishlist",
    "buyers, sellers",
    "cart, shipping, payment",
    "card, PayPal, Apple Pay",
)


def roundtrip(state: Interview) -> Interview:
    """The state as the web API stores it and reads it back; it must be the same state."""
    restored = Interview.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored == state
    assert question(restored) == question(state)
    json.dumps(question(state).to_dict())
    return restored


def run(answers: Iterable[str], state: Interview | None = None, learn: Learn | None = None) -> Interview:
    state = roundtrip(state or start())
    for text in answers:
        state = roundtrip(answer(state, text, learn=learn))
    return state


def at_review(*answers: str) -> Interview:
    state = run(answers or SHOP_ANSWERS)
    assert question(state).kind == "review"
    return state


def review(state: Interview, *commands: str) -> Interview:
    return run(commands, state)


def names(state: Interview) -> frozenset[str]:
    assert state.plan is not None
    return state.plan.event_names


def event(state: Interview, name: str) -> PlannedEvent:
    assert state.plan is not None
    found = state.plan.event(name)
    assert found is not None, f"{name} not in {sorted(state.plan.event_names)}"
    return found


def allowed(state: Interview, event_name: str, prop: str) -> tuple[object, ...]:
    found = event(state, event_name).property(prop)
    assert found is not None
    return found.allowed


# --- one interview per kind of product ------------------------------------------------------


def test_an_online_store_interview_ends_in_the_plan_described() -> None:
    state = at_review()
    assert state.plan is not None and state.plan.product_kind == "ecommerce"
    assert {"signed_up", "products_searched", "product_viewed", "product_added", "checkout_started"} <= (
        state.plan.event_names
    )
    assert {"order_completed", "wishlist_shared"} <= state.plan.event_names
    assert "product_reviewed" not in state.plan.event_names, "only the chosen key actions"
    assert allowed(state, "signed_up", "role") == ("buyer", "seller")
    assert [p for p in state.plan.common_properties if p.name == "role"][0].allowed == ("buyer", "seller")
    assert allowed(state, "checkout_step_completed", "step") == ("cart", "shipping", "payment")
    assert allowed(state, "order_completed", "payment_method") == ("card", "paypal", "apple_pay")
    assert [step for step, _ in state.history] == [
        "product_kind",
        "key_actions",
        "user_types",
        "checkout_steps",
        "payment_methods",
    ]
    assert state.approved_plan is None


def test_a_saas_interview() -> None:
    state = run(
        [
            "B2B SaaS",
            "sign up, start a trial, start paying, use key features, cancel",
            "admins and members",
            "create profile, connect data, invite team",
            "reports, dashboards, export",
            "Free, Pro, Team",
        ]
    )
    assert question(state).kind == "review"
    assert {
        "trial_started",
        "trial_ended",
        "subscription_started",
        "subscription_cancelled",
    } <= names(state)
    assert allowed(state, "subscription_started", "plan") == ("free", "pro", "team")
    assert allowed(state, "subscription_cancelled", "plan") == ("free", "pro", "team")
    assert allowed(state, "feature_used", "feature") == ("reports", "dashboards", "export")
    assert allowed(state, "onboarding_step_completed", "step") == (
        "create_profile",
        "connect_data",
        "invite_team",
    )
    assert allowed(state, "signed_up", "role") == ("admin", "member")


def test_a_content_interview() -> None:
    state = run(["a blog", "1, 2, 4", "", "articles, videos and podcasts", "like, share and comment"])
    assert allowed(state, "content_viewed", "content_type") == ("article", "video", "podcast")
    assert allowed(state, "content_liked", "content_type") == ("article", "video", "podcast")
    assert {
        "content_liked",
        "content_shared",
        "comment_posted",
        "video_playback_completed",
    } <= names(state)
    assert "content_saved" not in names(state)
    assert allowed(state, "signed_up", "role") == ()


def test_an_ai_chat_interview() -> None:
    state = run(
        ["AI assistant", "all", "skip", "gpt-4o, claude-sonnet-4", "web search, code interpreter", "no"]
    )
    assert allowed(state, "message_received", "model") == ("gpt-4o", "claude-sonnet-4")
    assert allowed(state, "conversation_started", "model") == ("gpt-4o", "claude-sonnet-4")
    assert allowed(state, "tool_called", "tool") == ("web_search", "code_interpreter")
    assert not {"credits_purchased", "credits_exhausted"} & names(state)

    with_credits = run(["chat bot", "send a message", "", "", "", "yes"])
    assert {"message_sent", "message_received", "credits_purchased", "credits_exhausted"} <= (
        names(with_credits)
    )
    assert "tool_called" not in names(with_credits)


def test_another_kind_of_product_grows_from_the_users_own_events() -> None:
    state = run(
        ["something else", "1,3, other: export a report and share a dashboard", "", "reports, export"]
    )
    assert {"signed_up", "signed_in", "feature_used", "report_exported", "dashboard_shared"} <= (names(state))
    assert allowed(state, "feature_used", "feature") == ("reports", "export")


def test_every_clarifying_question_can_be_skipped() -> None:
    state = run(["1", "all", "", "", "skip"])
    assert state.clarifications == {}
    assert allowed(state, "order_completed", "payment_method") == ()
    assert allowed(state, "checkout_step_completed", "step") == ()


# --- answers as people type them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("1", "ecommerce"),
        ("ecommerce", "ecommerce"),
        ("E-commerce", "ecommerce"),
        ("online store", "ecommerce"),
        ("a shop", "ecommerce"),
        ("saas", "saas"),
        ("SaaS product", "saas"),
        ("chat bot", "ai_chat"),
        ("AI assistant", "ai_chat"),
        ("an AI chat app", "ai_chat"),
        ("media", "content"),
        ("5", "other"),
        ("ecomerce", "ecommerce"),
    ],
)
def test_the_kind_of_product_in_a_persons_words(typed: str, kind: str) -> None:
    assert run([typed]).kind == kind


@pytest.mark.parametrize(
    ("typed", "picked"),
    [
        ("1,3,4", ("products_searched", "product_added", "checkout_started")),
        ("1 3", ("products_searched", "product_added")),
        ("add to cart and checkout", ("product_added", "checkout_started")),
        ("purchase, view_item", ("product_viewed", "order_completed")),
        ("Place an order", ("order_completed",)),
        ("other: purchase", ("order_completed",)),
    ],
)
def test_key_actions_by_number_name_label_or_alias(typed: str, picked: tuple[str, ...]) -> None:
    assert run(["ecommerce", typed]).key_actions == picked


def test_all_key_actions() -> None:
    state = run(["ecommerce", "all"])
    assert state.key_actions == tuple(name for name, _ in TEMPLATES["ecommerce"].key_actions)


@pytest.mark.parametrize(
    ("phrase", "name"),
    [
        ("shared a playlist", "playlist_shared"),
        ("share a playlist", "playlist_shared"),
        ("playlist shared", "playlist_shared"),
        ("export report", "report_exported"),
        ("send an invoice", "invoice_sent"),
        ("set up a workspace", "workspace_set_up"),
        ("Stop the timer", "timer_stopped"),
        ("apply filter", "filter_applied"),
    ],
)
def test_own_events_are_named_object_action(phrase: str, name: str) -> None:
    assert object_action(phrase) == name


@pytest.mark.parametrize(
    ("step_answers", "bad", "says"),
    [
        ((), "banana", ["I did not understand 'banana'", "1. E-commerce store (ecommerce)", "AI chat"]),
        ((), "9", ["There is no choice 9", "SaaS product"]),
        ((), "", ["Choose one of"]),
        (("shop",), "", ["Pick at least one", "place an order"]),
        (("shop",), "2, flying carpets", ["'flying carpets'", "other: shared a playlist", "add to cart"]),
        (("shop",), "12", ["There is no choice 12", "1 to 10"]),
        (("chat bot", "all", "", "", ""), "maybe", ["Yes (yes)", "No (no)"]),
        (("blog", "all", "", ""), "dance", ["'dance'", "like"]),
    ],
)
def test_a_bad_answer_says_what_would_work(step_answers: tuple[str, ...], bad: str, says: list[str]) -> None:
    state = run(step_answers)
    with pytest.raises(AnswerError) as raised:
        answer(state, bad)
    for words in says:
        assert words in str(raised.value)
    assert isinstance(raised.value, ValueError)


# --- review: refine, then approve -----------------------------------------------------------


def test_refine_then_approve() -> None:
    state = review(
        at_review(),
        "rename product_added to add_to_cart",
        "drop products_searched",
        "add property gift_wrap to order_completed as boolean required",
        "require cart_id on add_to_cart",
        "mark shipping_method as pii",
        "show",
    )
    assert state.approved_plan is None
    assert {"add_to_cart", "order_completed"} <= names(state)
    assert not {"product_added", "products_searched"} & names(state)
    assert "product_added" in event(state, "add_to_cart").aliases, "senders of the spec name still land"
    gift_wrap = event(state, "order_completed").property("gift_wrap")
    assert gift_wrap is not None and (gift_wrap.type, gift_wrap.required) == ("boolean", True)
    assert getattr(event(state, "add_to_cart").property("cart_id"), "required", None)
    for name in ("checkout_step_completed", "order_completed", "payment_info_entered"):
        assert getattr(event(state, name).property("shipping_method"), "pii", None), name

    approved = review(state, "looks good")
    assert approved.approved_plan == state.plan
    assert question(approved).kind == "done"
    assert approved.history[-1] == ("review", "looks good")
    with pytest.raises(AnswerError, match="finished"):
        answer(approved, "drop order_completed")


@pytest.mark.parametrize("word", ["approve", "deploy", "yes", "Looks good!", "LGTM", "ok"])
def test_approval_in_many_words(word: str) -> None:
    assert review(at_review(), word).approved_plan is not None


def test_several_commands_in_one_answer() -> None:
    state = review(
        at_review(), "drop wishlist_shared; rename step to stage on checkout_step_completed\napprove"
    )
    assert state.approved_plan is not None
    assert "wishlist_shared" not in state.approved_plan.event_names
    assert event(state, "checkout_step_completed").property("stage") is not None
    assert event(state, "checkout_step_viewed").property("step") is not None, "only on the event named"


def test_more_refinements() -> None:
    state = review(
        at_review(),
        "drop email from signed_up",
        "remove coupon from all events",
        "add property utm_source to all events",
        "add event wishlist_cleared",
        "make quantity required on product_added",
        "allow 1, 2, 3 for quantity on product_added",
        "allow any for role",
        "use camelCase naming",
        "mark phone as not pii",
    )
    plan = state.plan
    assert plan is not None
    assert event(state, "signedUp").property("email") is None
    assert not any(e.property("coupon") for e in plan.events)
    assert "utm_source" in {p.name for p in plan.common_properties}
    assert "wishlistCleared" in plan.event_names  # every event renamed with the convention
    quantity = event(state, "productAdded").property("quantity")
    assert quantity is not None and quantity.required and quantity.allowed == (1, 2, 3)
    assert allowed(state, "signedUp", "role") == ()
    assert plan.naming == "camelCase"
    assert "phone" not in plan.pii_properties()
    assert "camelCase" in state.note or "not personal" in state.note


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("frobnicate the plan", ["I did not understand", "rename X to Y", "approve"]),
        ("drop prodcut_added", ["no event or property 'prodcut_added'", "product_added"]),
        (
            "rename order_compleet to purchase_done",
            ["no event or property 'order_compleet'", "order_completed"],
        ),
        ("rename product_viewed to add_to_cart", ["alias of product_added"]),
        ("require cart_idd on product_added", ["no property 'cart_idd' on product_added", "cart_id"]),
        ("add property size to product_added as colour", ["'colour'", "as number required"]),
        ("rename product_added to order_completed", ["already an event called 'order_completed'"]),
        ("add event add_to_cart", ["alias of product_added"]),
        ("allow a, b for quantity on product_added", ["'a' is not a integer"]),
        ("approve; drop order_completed", ["Approve last"]),
        ("rename product_added to 9lives", ["invalid event name '9lives'"]),
        ("", ["Say approve"]),
    ],
)
def test_a_bad_command_says_what_is_there(command: str, says: list[str]) -> None:
    state = at_review()
    with pytest.raises(AnswerError) as raised:
        answer(state, command)
    for words in says:
        assert words in str(raised.value), str(raised.value)


def test_a_failing_command_changes_nothing() -> None:
    state = at_review()
    with pytest.raises(AnswerError):
        answer(state, "drop order_completed; drop nothing_here")
    assert "order_completed" in names(state)


def test_approving_an_empty_plan_is_refused() -> None:
    state = run(["other", "1", "", ""])
    state = review(state, *(f"drop {name}" for name in sorted(names(state))))
    with pytest.raises(AnswerError, match="no events"):
        answer(state, "approve")


# --- the preview ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answers",
    [
        ("ecommerce", "all", "", "", ""),
        ("saas", "all", "", "", "", ""),
        ("content", "all", "", "", ""),
        ("ai_chat", "all", "", "", "", "yes"),
        ("other", "all", "", ""),
        ("other", "1", "", ""),
    ],
)
def test_the_preview_shows_five_to_eight_questions_the_plan_answers(answers: tuple[str, ...]) -> None:
    shown = question(run(answers)).preview
    assert shown is not None
    assert 5 <= len(shown.questions) <= 8
    assert len(set(shown.questions)) == len(shown.questions)


def test_questions_need_their_events() -> None:
    state = at_review()
    assert any("order" in q for q in questions(state))
    dropped = review(state, "drop order_completed")
    assert not any("order" in q.lower() for q in questions(dropped))
    renamed = review(state, "rename order_completed to purchase_made")
    assert questions(renamed) == questions(state), "a renamed event keeps its questions"


def test_the_preview_renders_for_a_terminal() -> None:
    shown = question(at_review()).preview
    assert shown is not None
    text = render_preview(shown)
    assert "order_completed — A customer placed an order." in text
    assert "order_id" in text and "required" in text
    assert "email       string  pii" in text
    assert "allowed: buyer, seller" in text
    assert "Questions this data will answer:" in text
    assert "1. " in text
    json.dumps(shown.to_dict())


def questions(state: Interview) -> tuple[str, ...]:
    assert state.plan is not None
    return preview(state.plan).questions


# --- learning from events already received --------------------------------------------------


def learned_from_events(plan: TrackingPlan) -> TrackingPlan:
    """What the service passes: events seen in raw data become events or aliases of the plan."""
    seen = {"AddToCart": "product_added", "Purchase": "order_completed"}
    events = []
    for planned in plan.events:
        more = tuple(alias for alias, name in seen.items() if name == planned.name)
        events.append(planned.model_copy(update={"aliases": (*planned.aliases, *more)}))
    new = [PlannedEvent(name=n, description="Seen in received events.") for n in ("add_to_cart", "purchase")]
    if not plan.events:
        events.extend(new)
    else:
        events.append(PlannedEvent(name="newsletter_opened", description="Seen in received events."))
    return plan.model_copy(update={"events": tuple(events)})


def test_learn_is_applied_to_the_proposal_and_not_stored() -> None:
    state = start(observed_summary="412 events of 6 kinds received so far.")
    assert "412 events" in question(state).hint
    state = run(SHOP_ANSWERS, state, learn=learned_from_events)
    assert "newsletter_opened" in names(state)
    assert "AddToCart" in event(state, "product_added").aliases
    assert "learned" in question(state).note
    assert "learn" not in json.dumps(state.to_dict()).replace("learned", "")


def test_events_already_received_suggest_the_kind_of_product() -> None:
    state = start(learn=learned_from_events)
    assert state.suggested_kind == "ecommerce"
    assert "Press Enter for E-commerce store" in question(state).hint
    assert run([""], state).kind == "ecommerce"
    assert start().suggested_kind is None


# --- the stored state -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "broken",
    [
        {"step": "bogus"},
        {"step": "review", "kind": "ecommerce"},
        {"step": "checkout_steps", "kind": "saas"},
        {"version": 2},
        {"unknown": 1},
    ],
)
def test_a_state_that_is_not_one_is_refused(broken: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Interview.from_dict({**start().to_dict(), **broken})


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(max_size=40), min_size=1, max_size=8))
@example(texts=["²"])  # a digit to str.isdigit(), not to int()
@example(texts=["٣", "1-٣", "3 ٤"])  # Arabic-Indic digits
def test_any_typing_either_moves_on_or_explains(texts: list[str]) -> None:
    """Whatever is typed at whichever step, the answer is a new state or an AnswerError."""
    state = start()
    for prefix in ((), ("shop",), ("shop", "all"), SHOP_ANSWERS):
        state = run(prefix)
        for text in texts:
            try:
                state = roundtrip(answer(state, text))
            except AnswerError as error:
                assert str(error)
            if state.done:
                break


@pytest.mark.parametrize("style", ["camelCase", "PascalCase", "Title Case", "snake_case"])
def test_a_naming_change_renames_the_events_so_the_plan_can_be_deployed(style: str) -> None:
    state = run(["use " + style + " naming", "add event playlist shared", "approve"], at_review())
    plan = state.approved_plan
    assert plan is not None and plan.naming == style
    assert naming_problems(plan) == []
    completed = to_convention("order_completed", style)
    assert plan.event(completed) is not None
    assert style == "snake_case" or "order_completed" in plan.event(completed).aliases  # type: ignore[union-attr]
    assert to_convention("playlist_shared", style) in plan.event_names


def test_a_single_name_against_the_convention_is_refused_with_the_way_forward() -> None:
    state = at_review()
    with pytest.raises(
        AnswerError, match=r"does not follow the plan's snake_case naming: call it product_seen"
    ):
        answer(state, "rename product_viewed to ProductSeen")
    with pytest.raises(AnswerError, match=r"use (camel|pascal) naming"):
        answer(state, "add event PlaylistShared")
