"""A B2B or self-serve software product, after the Segment B2B SaaS spec.

Segment's ``Trial Started`` becomes ``trial_started``. The spec has no subscription
events; ``subscription_started/upgraded/downgraded/cancelled`` follow the same grammar so
revenue questions (trial conversion, upgrades, churn reasons) can be answered from
events alone.
"""

from __future__ import annotations

from types import MappingProxyType

from betterheap.taxonomy.templates.shared import (
    CURRENCY,
    FEATURE,
    INVITEE_EMAIL,
    INVITEE_ROLE,
    PLAN,
    PLATFORM,
    REASON,
    REVENUE,
    ExampleQuestion,
    Template,
    event,
    identity_events,
    prop,
)

PREVIOUS_PLAN = prop("previous_plan", description="The plan before the change.")
SEATS = prop("seats", "integer", description="How many paid seats.")
MRR = prop("mrr", "number", description="Monthly recurring revenue after the change, in `currency`.")
BILLING_INTERVAL = prop("billing_interval", allowed=("monthly", "yearly"), description="How often it bills.")

EVENTS = (
    *identity_events(
        prop("title", description="The user's job title."),
        prop("invited", "boolean", description="True when the user signed up from an invite."),
    ),
    event(
        "invite_sent",
        "A user invited someone to their account.",
        INVITEE_EMAIL,
        prop("invitee_first_name", pii=True, description="The invited person's first name."),
        prop("invitee_last_name", pii=True, description="The invited person's last name."),
        INVITEE_ROLE,
        aliases=("invite_user", "user_invited", "invitation_sent", "teammate_invited"),
    ),
    event(
        "invite_accepted",
        "An invited person joined the account.",
        INVITEE_ROLE,
        aliases=("invitation_accepted", "joined_team", "team_joined"),
    ),
    event(
        "account_created",
        "A team, workspace or company account was created.",
        prop("account_name", description="The account's name."),
        aliases=("workspace_created", "organization_created", "org_created", "team_created"),
    ),
    event(
        "account_deleted",
        "A team, workspace or company account was deleted.",
        REASON,
        aliases=("workspace_deleted", "organization_deleted", "org_deleted", "team_deleted"),
    ),
    event(
        "trial_started",
        "A free trial started.",
        PLAN,
        prop("trial_start_date", "datetime", description="When the trial started."),
        prop("trial_end_date", "datetime", description="When the trial ends."),
        aliases=("start_trial", "free_trial_started", "trial_start"),
    ),
    event(
        "trial_ended",
        "A free trial ended.",
        PLAN,
        prop("converted", "boolean", description="True when the trial became a paid subscription."),
        aliases=("trial_expired", "trial_end", "free_trial_ended"),
    ),
    event(
        "subscription_started",
        "A paid subscription started.",
        prop("plan", required=True, description=PLAN.description),
        BILLING_INTERVAL,
        SEATS,
        MRR,
        REVENUE,
        CURRENCY,
        aliases=("subscribe", "subscribed", "subscription_created", "plan_purchased", "became_paying"),
    ),
    event(
        "subscription_upgraded",
        "A subscription moved to a bigger plan or more seats.",
        PLAN,
        PREVIOUS_PLAN,
        SEATS,
        MRR,
        CURRENCY,
        aliases=("plan_upgraded", "upgrade", "upgraded"),
    ),
    event(
        "subscription_downgraded",
        "A subscription moved to a smaller plan or fewer seats.",
        PLAN,
        PREVIOUS_PLAN,
        SEATS,
        MRR,
        CURRENCY,
        aliases=("plan_downgraded", "downgrade", "downgraded"),
    ),
    event(
        "subscription_cancelled",
        "A paid subscription was cancelled.",
        PLAN,
        REASON,
        aliases=("subscription_canceled", "cancel_subscription", "plan_cancelled", "churned"),
    ),
    event(
        "onboarding_step_completed",
        "A new user completed a step of onboarding.",
        prop("step", required=True, description="The onboarding step's name."),
        prop("step_number", "integer", description="The step's position, from 1."),
        aliases=("onboarding_step", "onboarding_progress"),
    ),
    event(
        "onboarding_completed",
        "A new user finished onboarding.",
        aliases=("onboarding_finished", "onboarding_done"),
    ),
    event(
        "feature_used",
        "A user used one of the product's key features.",
        FEATURE,
        aliases=("feature_usage", "used_feature"),
    ),
)

TEMPLATE = Template(
    kind="saas",
    title="SaaS product",
    description="Software people sign up for, try, and pay for by subscription.",
    events=EVENTS,
    key_actions=(
        ("signed_up", "sign up"),
        ("signed_in", "sign in"),
        ("onboarding_step_completed", "complete onboarding"),
        ("feature_used", "use key features"),
        ("invite_sent", "invite teammates"),
        ("account_created", "create a team account"),
        ("trial_started", "start a trial"),
        ("subscription_started", "start paying"),
        ("subscription_upgraded", "upgrade or downgrade"),
        ("subscription_cancelled", "cancel"),
    ),
    companions=MappingProxyType(
        {
            "signed_in": ("signed_out",),
            "onboarding_step_completed": ("onboarding_completed",),
            "invite_sent": ("invite_accepted",),
            "account_created": ("account_deleted",),
            "trial_started": ("trial_ended",),
            "subscription_upgraded": ("subscription_downgraded",),
        }
    ),
    common_properties=(prop("account_id", description="The team or workspace the user acts in."), PLATFORM),
    example_questions=(
        ExampleQuestion(
            "What share of sign-ups finish onboarding within a week?", ("signed_up", "onboarding_completed")
        ),
        ExampleQuestion("Which onboarding step loses the most new users?", ("onboarding_step_completed",)),
        ExampleQuestion(
            "What share of trials become paid subscriptions?", ("trial_started", "subscription_started")
        ),
        ExampleQuestion("What share of sign-ups start a trial?", ("signed_up", "trial_started")),
        ExampleQuestion(
            "How many people sign in each week, and how many come back the next?", ("signed_in",)
        ),
        ExampleQuestion("Which features do users who stay use in their first week?", ("feature_used",)),
        ExampleQuestion(
            "Do users who invite a teammate in their first week stay longer?", ("invite_sent", "signed_in")
        ),
        ExampleQuestion(
            "Which plans do customers upgrade to, and after how long?", ("subscription_upgraded",)
        ),
        ExampleQuestion("Why do customers cancel, and on which plan?", ("subscription_cancelled",)),
    ),
)
