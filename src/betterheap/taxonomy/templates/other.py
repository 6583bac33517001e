"""Any other product: the few events every product has, to grow from with "other: ..."."""

from __future__ import annotations

from types import MappingProxyType

from betterheap.taxonomy.templates.shared import (
    FEATURE,
    FEEDBACK,
    INVITEE_EMAIL,
    INVITEE_ROLE,
    PLATFORM,
    ExampleQuestion,
    Template,
    event,
    identity_events,
    prop,
)

EVENTS = (
    *identity_events(),
    event(
        "feature_used",
        "A user used one of the product's key features.",
        FEATURE,
        aliases=("feature_usage", "used_feature"),
    ),
    event(
        "invite_sent",
        "A user invited someone.",
        INVITEE_EMAIL,
        INVITEE_ROLE,
        aliases=("invite_user", "user_invited", "invitation_sent"),
    ),
    event(
        "feedback_submitted",
        "A user sent feedback.",
        prop("rating", "number", description="The rating given, if any."),
        FEEDBACK,
        aliases=("feedback", "feedback_sent", "survey_submitted"),
    ),
)

TEMPLATE = Template(
    kind="other",
    title="Something else",
    description="Any other product: start with sign-ups and key features, add your own.",
    events=EVENTS,
    key_actions=(
        ("signed_up", "sign up"),
        ("signed_in", "sign in"),
        ("feature_used", "use key features"),
        ("invite_sent", "invite others"),
        ("feedback_submitted", "send feedback"),
    ),
    companions=MappingProxyType({"signed_in": ("signed_out",)}),
    common_properties=(PLATFORM,),
    example_questions=(
        ExampleQuestion("How many people sign up each week?", ("signed_up",)),
        ExampleQuestion("What share of sign-ups come back the next week?", ("signed_up", "signed_in")),
        ExampleQuestion("How many people are active each week, and is it growing?", ("signed_in",)),
        ExampleQuestion(
            "What share of sign-ups use a key feature on their first day?", ("signed_up", "feature_used")
        ),
        ExampleQuestion("Which features do people who stay use in their first week?", ("feature_used",)),
        ExampleQuestion("How many people invite someone, and do invited people stay?", ("invite_sent",)),
        ExampleQuestion("How do people rate the product, and is it improving?", ("feedback_submitted",)),
    ),
)
