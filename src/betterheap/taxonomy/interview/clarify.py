"""The domain questions asked after the key actions: checkout steps, plans, models...

Each answer becomes allowed values on a property (``payment_method`` on
``order_completed``) or brings template events into the plan, so the plan can flag a
misspelled plan name or an unknown checkout step from the first event on. Every question
can be skipped: a plan without allowed values still works, it only checks less.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from betterheap.taxonomy.interview.answers import (
    AnswerError,
    Option,
    is_skip,
    normalize,
    pick_many,
    pick_one,
    values_of,
)
from betterheap.taxonomy.plan import PlannedProperty, ProductKind, TrackingPlan
from betterheap.taxonomy.templates import Template

Apply = Callable[[TrackingPlan, Template, tuple[str, ...]], TrackingPlan]


@dataclass(frozen=True)
class Clarification:
    """One domain question and what its answer does to the proposed plan."""

    id: str
    text: str
    hint: str
    #: Template events the answer brings in (or takes out), applied before any values.
    events: Apply = lambda plan, template, values: plan
    #: Properties whose allowed values become the answer, on every event that has them.
    restricts: tuple[str, ...] = ()
    kind: Literal["text", "multi", "choice"] = "text"
    options: tuple[Option, ...] = ()
    #: How typed items become values: ``snake`` (Apple Pay → apple_pay), ``singular``
    #: (videos → video) or ``verbatim`` (model ids such as gpt-4o stay as typed).
    style: Literal["snake", "singular", "verbatim"] = "snake"

    def read(self, text: str) -> tuple[str, ...] | None:
        """The values answered, or None when the question was skipped."""
        if self.kind == "choice":
            # "no" is an answer here, not a skip.
            return None if normalize(text) in ("", "skip") else (pick_one(text, self.options),)
        if is_skip(text):
            return None
        if self.kind == "multi":
            picked, others = pick_many(text, self.options)
            if others:
                raise AnswerError(
                    f"Pick from the list; add other events at the review with 'add event {others[0]}'."
                )
            return tuple(picked)
        return values_of(text, style=self.style) or None


def in_template_order(plan: TrackingPlan, template: Template) -> TrackingPlan:
    """Events in the template's order (funnel order), events of the user's own at the end."""
    rank = {name: i for i, name in enumerate(template.event_names)}
    events = sorted(plan.events, key=lambda e: rank.get(e.name, len(rank)))
    return plan.model_copy(update={"events": tuple(events)})


def with_events(plan: TrackingPlan, template: Template, names: Iterable[str]) -> TrackingPlan:
    """``plan`` with these template events added where missing."""
    missing = [name for name in names if name not in plan.event_names]
    added = tuple(e for e in template.events if e.name in missing)
    return in_template_order(plan.model_copy(update={"events": (*plan.events, *added)}), template)


def without_events(plan: TrackingPlan, names: Iterable[str]) -> TrackingPlan:
    drop = set(names)
    return plan.model_copy(update={"events": tuple(e for e in plan.events if e.name not in drop)})


def allowing(plan: TrackingPlan, properties: Iterable[str], values: tuple[str, ...]) -> TrackingPlan:
    """``plan`` where these properties accept only ``values``, on every event that has them."""
    names = set(properties)

    def allow(planned: tuple[PlannedProperty, ...]) -> tuple[PlannedProperty, ...]:
        return tuple(p.model_copy(update={"allowed": values}) if p.name in names else p for p in planned)

    events = tuple(e.model_copy(update={"properties": allow(e.properties)}) for e in plan.events)
    return plan.model_copy(update={"events": events, "common_properties": allow(plan.common_properties)})


def apply_answers(
    plan: TrackingPlan, template: Template, answers: Mapping[str, tuple[str, ...]]
) -> TrackingPlan:
    """``plan`` with the clarifying answers applied: first every answer's events, then every
    answer's values, so an event one answer brings in gets the values another restricts."""
    asked = [c for c in CLARIFICATIONS[template.kind] if c.id in answers]
    for clarification in asked:
        plan = clarification.events(plan, template, answers[clarification.id])
    for clarification in asked:
        plan = allowing(plan, clarification.restricts, answers[clarification.id])
    return plan


def _bringing(*names: str) -> Apply:
    def bring(plan: TrackingPlan, template: Template, values: tuple[str, ...]) -> TrackingPlan:
        return with_events(plan, template, names)

    return bring


def _engagement(plan: TrackingPlan, template: Template, values: tuple[str, ...]) -> TrackingPlan:
    return with_events(plan, template, values)


def _credits(plan: TrackingPlan, template: Template, values: tuple[str, ...]) -> TrackingPlan:
    credit_events = ("credits_purchased", "credits_exhausted")
    if values == ("yes",):
        return with_events(plan, template, credit_events)
    return without_events(plan, credit_events)


FEATURES: Final = Clarification(
    id="features",
    text="Which features matter most? Each becomes a value of feature_used's feature.",
    hint='For example "reports, dashboards, export". Leave empty to skip.',
    events=_bringing("feature_used"),
    restricts=("feature",),
)

#: The clarifying questions of each product kind, in the order they are asked.
CLARIFICATIONS: Final[Mapping[ProductKind, tuple[Clarification, ...]]] = MappingProxyType(
    {
        "ecommerce": (
            Clarification(
                id="checkout_steps",
                text="What are the steps of your checkout?",
                hint='For example "cart, shipping, payment". Leave empty to skip.',
                events=_bringing("checkout_started", "checkout_step_viewed", "checkout_step_completed"),
                restricts=("step",),
            ),
            Clarification(
                id="payment_methods",
                text="Which payment methods do you accept?",
                hint='For example "card, PayPal, Apple Pay". Leave empty to skip.',
                events=_bringing("order_completed"),
                restricts=("payment_method",),
            ),
        ),
        "saas": (
            Clarification(
                id="onboarding_steps",
                text="What are the steps of your onboarding?",
                hint='For example "create profile, connect data, invite team". Leave empty to skip.',
                events=_bringing("onboarding_step_completed", "onboarding_completed"),
                restricts=("step",),
            ),
            FEATURES,
            Clarification(
                id="plans",
                text="Which subscription plans do you offer?",
                hint='For example "free, pro, team". Leave empty to skip.',
                events=_bringing("subscription_started"),
                restricts=(
                    "plan",
                    "previous_plan",
                ),
            ),
        ),
        "content": (
            Clarification(
                id="content_types",
                text="What kinds of content do you publish?",
                hint='For example "articles, videos, podcasts". Leave empty to skip.',
                restricts=("content_type",),
                style="singular",
            ),
            Clarification(
                id="engagement",
                text="How can people engage with your content?",
                hint='Numbers like "1,2", "all", or names. Leave empty to skip.',
                events=_engagement,
                kind="multi",
                options=(
                    Option("content_liked", "like", ("likes", "heart", "upvote", "clap")),
                    Option("content_shared", "share", ("shares", "send to a friend")),
                    Option("comment_posted", "comment", ("comments", "reply", "discuss")),
                    Option("content_saved", "save for later", ("save", "bookmark", "read later")),
                    Option("newsletter_subscribed", "subscribe to a newsletter", ("subscribe", "newsletter")),
                ),
            ),
        ),
        "ai_chat": (
            Clarification(
                id="models",
                text="Which models answer in your product? Write them as your code names them.",
                hint='For example "gpt-4o, claude-sonnet-4". Leave empty to skip.',
                restricts=("model",),
                style="verbatim",
            ),
            Clarification(
                id="tools",
                text="Which tools can the assistant use?",
                hint='For example "web search, code interpreter, image generation". Leave empty to skip.',
                events=_bringing("tool_called"),
                restricts=("tool",),
            ),
            Clarification(
                id="credits",
                text="Do people buy or use up credits?",
                hint="yes or no. Leave empty to skip.",
                events=_credits,
                kind="choice",
                options=(
                    Option("yes", "Yes", ("y", "yeah", "yep", "we do", "credits", "sure")),
                    Option("no", "No", ("n", "nope", "we don't", "we do not", "not yet")),
                ),
            ),
        ),
        "other": (FEATURES,),
    }
)
