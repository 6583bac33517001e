"""Domain templates: each is a valid tracking plan in our convention, with the public spec's
events, types and PII flags, so a user who picks one starts from a plan that already fits."""

from __future__ import annotations

import re
from typing import get_args

import pytest

from betterheap.taxonomy.plan import PlannedProperty, ProductKind, TrackingPlan
from betterheap.taxonomy.templates import TEMPLATES, ExampleQuestion, Template
from betterheap.taxonomy.templates.shared import event

KINDS: tuple[ProductKind, ...] = get_args(ProductKind)
SNAKE_OBJECT_ACTION = re.compile(r"^[a-z]+(?:_[a-z0-9]+)+$")


def test_every_product_kind_has_a_template() -> None:
    assert tuple(TEMPLATES) == KINDS
    assert all(TEMPLATES[kind].kind == kind for kind in KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_template_builds_a_valid_plan(kind: ProductKind) -> None:
    template = TEMPLATES[kind]
    plan = template.plan()
    assert isinstance(plan, TrackingPlan)
    assert plan.product_kind == kind
    assert plan.event_names == set(template.event_names)
    assert all(e.description for e in plan.events), "every event says what it means"
    assert TrackingPlan.model_validate(plan.model_dump(mode="json")) == plan


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        (
            "ecommerce",
            {"products_searched", "product_viewed", "product_added", "checkout_started", "order_completed"},
        ),
        (
            "ecommerce",
            {"product_removed", "cart_viewed", "order_refunded", "order_cancelled", "coupon_applied"},
        ),
        ("ecommerce", {"checkout_step_viewed", "checkout_step_completed", "payment_info_entered"}),
        ("ecommerce", {"product_added_to_wishlist"}),
        (
            "saas",
            {"signed_up", "signed_in", "signed_out", "invite_sent", "account_created", "account_deleted"},
        ),
        ("saas", {"trial_started", "trial_ended", "subscription_started", "subscription_upgraded"}),
        (
            "saas",
            {
                "subscription_downgraded",
                "subscription_cancelled",
                "onboarding_step_completed",
                "feature_used",
            },
        ),
        ("content", {"content_viewed", "article_read", "video_playback_started", "video_playback_paused"}),
        ("content", {"video_playback_completed", "content_liked", "content_shared", "comment_posted"}),
        ("content", {"newsletter_subscribed"}),
        (
            "ai_chat",
            {"conversation_started", "message_sent", "message_received", "tool_called", "response_rated"},
        ),
        ("ai_chat", {"credits_purchased", "credits_exhausted", "conversation_shared"}),
        ("other", {"signed_up", "signed_in", "feature_used"}),
    ],
)
def test_the_specs_events_are_there(kind: ProductKind, names: set[str]) -> None:
    assert names <= set(TEMPLATES[kind].event_names)


@pytest.mark.parametrize("kind", KINDS)
def test_names_follow_our_snake_case_object_action_convention(kind: ProductKind) -> None:
    for planned in TEMPLATES[kind].events:
        assert SNAKE_OBJECT_ACTION.match(planned.name), planned.name
        for alias in planned.aliases:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", alias), (planned.name, alias)


@pytest.mark.parametrize("kind", KINDS)
def test_every_template_has_sign_up_with_method_and_role(kind: ProductKind) -> None:
    signed_up = TEMPLATES[kind].event("signed_up")
    assert signed_up is not None
    assert signed_up.property("method") is not None
    assert signed_up.property("role") is not None
    assert "signed_up" in TEMPLATES[kind].always


@pytest.mark.parametrize("kind", KINDS)
def test_personal_data_is_flagged(kind: ProductKind) -> None:
    plan = TEMPLATES[kind].plan()
    assert {"email", "first_name", "last_name", "phone"} <= plan.pii_properties()
    signed_up = plan.event("signed_up")
    assert signed_up is not None and signed_up.property("email") == PlannedProperty(
        name="email", pii=True, description="The user's e-mail address."
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_property_name_means_one_thing_across_a_template(kind: ProductKind) -> None:
    """Masking and type checks go by property name, so a name keeps one type and PII flag."""
    seen: dict[str, tuple[str, bool]] = {}
    plan = TEMPLATES[kind].plan()
    for planned in (*plan.common_properties, *(p for e in plan.events for p in e.properties)):
        seen.setdefault(planned.name, (planned.type, planned.pii))
        assert seen[planned.name] == (planned.type, planned.pii), planned.name


@pytest.mark.parametrize("kind", KINDS)
def test_aliases_never_shadow_an_event_name(kind: ProductKind) -> None:
    template = TEMPLATES[kind]
    aliases = [a for e in template.events for a in e.aliases]
    assert len(aliases) == len(set(aliases))
    assert not set(aliases) & set(template.event_names)


def test_ecommerce_follows_the_segment_v2_properties() -> None:
    plan = TEMPLATES["ecommerce"].plan()
    for name in ("product_viewed", "product_added", "product_removed", "product_clicked"):
        planned = plan.event(name)
        assert planned is not None
        product_id = planned.property("product_id")
        assert product_id is not None and product_id.required and product_id.type == "string"
        for prop, kind in [
            ("price", "number"),
            ("quantity", "integer"),
            ("sku", "string"),
            ("brand", "string"),
        ]:
            found = planned.property(prop)
            assert found is not None and found.type == kind, (name, prop)
    for name in ("order_completed", "order_refunded", "order_cancelled"):
        planned = plan.event(name)
        assert planned is not None
        order_id = planned.property("order_id")
        assert order_id is not None and order_id.required
    order = plan.event("order_completed")
    assert order is not None
    for prop in ("total", "revenue", "shipping", "tax", "discount"):
        assert getattr(order.property(prop), "type", None) == "number"
    assert getattr(order.property("products"), "type", None) == "array"
    assert order.property("payment_method") is not None
    currency = order.property("currency")
    assert currency is not None and currency.pattern is not None
    assert re.fullmatch(currency.pattern, "USD") and not re.fullmatch(currency.pattern, "usd")


@pytest.mark.parametrize(
    ("event_name", "aliases"),
    [
        ("product_added", {"add_to_cart", "added_to_cart", "cart_add"}),
        ("order_completed", {"purchase", "order_placed", "checkout_completed"}),
        ("product_viewed", {"view_item", "product_view"}),
        ("checkout_started", {"begin_checkout"}),
    ],
)
def test_ecommerce_knows_the_messy_names(event_name: str, aliases: set[str]) -> None:
    planned = TEMPLATES["ecommerce"].event(event_name)
    assert planned is not None and aliases <= set(planned.aliases)


def test_ai_chat_measures_tokens_and_latency_without_message_text() -> None:
    received = TEMPLATES["ai_chat"].event("message_received")
    assert received is not None
    assert {
        p.name: p.type for p in received.properties if p.name in ("tokens_in", "tokens_out", "latency_ms")
    } == {
        "tokens_in": "integer",
        "tokens_out": "integer",
        "latency_ms": "number",
    }
    all_properties = {p.name for e in TEMPLATES["ai_chat"].events for p in e.properties}
    assert not {"text", "message", "prompt", "content"} & all_properties
    credits = TEMPLATES["ai_chat"].event("credits_purchased")
    assert credits is not None and getattr(credits.property("credits"), "type", None) == "integer"


def test_saas_subscription_events_carry_the_plan() -> None:
    for name in ("trial_started", "subscription_started", "subscription_upgraded", "subscription_cancelled"):
        planned = TEMPLATES["saas"].event(name)
        assert planned is not None and planned.property("plan") is not None, name
    started = TEMPLATES["saas"].event("subscription_started")
    assert started is not None and getattr(started.property("seats"), "type", None) == "integer"


@pytest.mark.parametrize("kind", KINDS)
def test_key_actions_and_questions_refer_to_template_events(kind: ProductKind) -> None:
    template = TEMPLATES[kind]
    assert template.key_actions and template.example_questions
    names = set(template.event_names)
    assert {name for name, _ in template.key_actions} <= names
    assert all(label and label == label.lower() for _, label in template.key_actions), "plain words"
    assert all(set(q.events) <= names and q.text.endswith("?") for q in template.example_questions)
    assert len(template.example_questions) >= 5


def test_a_template_with_a_typo_fails_at_import() -> None:
    with pytest.raises(ValueError, match="does not define: \\['order_complete'\\]"):
        Template(
            kind="other",
            title="Broken",
            description="",
            events=(event("signed_up", "x"), event("signed_in", "x")),
            key_actions=(("order_complete", "place an order"),),
            example_questions=(ExampleQuestion("How many?", ("signed_up",)),),
        )


def test_key_actions_bring_their_companions_and_the_always_needed_events() -> None:
    template = TEMPLATES["ecommerce"]
    assert template.events_for(["product_added"]) == (
        "signed_up",
        "signed_in",
        "product_added",
        "product_removed",
        "cart_viewed",
    )
    assert "product_added_to_wishlist" not in template.events_for(["order_completed"])
