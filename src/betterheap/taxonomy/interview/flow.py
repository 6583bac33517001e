"""The setup interview as a pure state machine: ``question(state)`` says what to ask,
``answer(state, text)`` returns the next state.

The web API and the browser extension keep the state server-side between requests and the
CLI keeps it in a loop, so the state is plain JSON (``to_dict`` / ``from_dict``) and holds
only answers and the plan; no functions. The service that knows the events already
received passes its ``learn`` function to each ``answer`` call instead.

>>> state = start()
>>> for text in ("online store", "1-5", "buyers, sellers", "cart, shipping, payment", "card, paypal"):
...     state = answer(state, text)
>>> question(state).kind
'review'
>>> state.plan.event("checkout_step_completed").property("step").allowed
('cart', 'shipping', 'payment')
>>> answer(answer(state, "rename product_added to add_to_cart"), "approve").approved_plan.event_names >= {
...     "add_to_cart", "order_completed"}
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from betterheap.taxonomy.interview.answers import (
    AnswerError,
    Option,
    is_skip,
    object_action,
    pick_many,
    pick_one,
    values_of,
)
from betterheap.taxonomy.interview.clarify import (
    CLARIFICATIONS,
    Clarification,
    apply_answers,
    in_template_order,
)
from betterheap.taxonomy.interview.preview import Preview, preview
from betterheap.taxonomy.interview.review import HELP, is_approval, refine
from betterheap.taxonomy.plan import NAME, PlannedEvent, PlannedProperty, ProductKind, TrackingPlan
from betterheap.taxonomy.templates import TEMPLATES
from betterheap.taxonomy.templates.shared import ROLE

Learn = Callable[[TrackingPlan], TrackingPlan]
QuestionKind = Literal["choice", "multi", "text", "review", "done"]

#: Words people use for each kind of product; "AI assistant" and "chat bot" mean ai_chat.
KIND_OPTIONS: Final = (
    Option(
        "ecommerce",
        TEMPLATES["ecommerce"].title,
        (
            "e-commerce",
            "online store",
            "online shop",
            "store",
            "shop",
            "webshop",
            "retail",
            "marketplace",
            "sell",
        ),
    ),
    Option(
        "saas",
        TEMPLATES["saas"].title,
        ("software", "b2b", "subscription", "web app", "app", "tool", "platform", "dashboard", "crm"),
    ),
    Option(
        "content",
        TEMPLATES["content"].title,
        (
            "media",
            "blog",
            "news",
            "publisher",
            "magazine",
            "video",
            "streaming",
            "podcast",
            "newsletter",
            "articles",
        ),
    ),
    Option(
        "ai_chat",
        TEMPLATES["ai_chat"].title,
        ("ai", "chat", "chatbot", "chat bot", "assistant", "ai assistant", "llm", "gpt", "copilot", "agent"),
    ),
    Option("other", TEMPLATES["other"].title, ("something else", "none of these", "misc")),
)
FIRST_STEPS: Final = ("product_kind", "key_actions", "user_types")


def steps(kind: ProductKind | None) -> tuple[str, ...]:
    """The question ids asked for a kind of product, in order; ``done`` follows the last."""
    if kind is None:
        return FIRST_STEPS[:1]
    return (*FIRST_STEPS, *(c.id for c in CLARIFICATIONS[kind]), "review")


class Interview(BaseModel):
    """Where an interview stands: the answers so far and, from the review on, the plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The state format's version, so a stored state from another release is recognised.
    version: Literal[1] = 1
    #: The id of the question being asked, or ``done``.
    step: str = "product_kind"
    kind: ProductKind | None = None
    #: The kind the events already received look like; an empty first answer accepts it.
    suggested_kind: ProductKind | None = None
    key_actions: tuple[str, ...] = ()
    #: The user's own events from "other: ...", as object_action names.
    custom_events: tuple[str, ...] = ()
    user_types: tuple[str, ...] = ()
    #: Clarifying question id → the values answered (skipped questions are absent).
    clarifications: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    plan: TrackingPlan | None = None
    #: ``(question id, answer)`` in order, for showing the conversation back.
    history: tuple[tuple[str, str], ...] = ()
    observed_summary: str | None = None
    #: What the last review command changed, shown with the next question.
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Interview:
        if self.step not in (*steps(self.kind), "done"):
            raise ValueError(f"step {self.step!r} is not a question of a {self.kind or 'new'} interview")
        if self.step in ("review", "done") and self.plan is None:
            raise ValueError(f"an interview at {self.step!r} needs its plan")
        return self

    @property
    def done(self) -> bool:
        return self.step == "done"

    @property
    def approved_plan(self) -> TrackingPlan | None:
        """The plan the user approved; None until they do."""
        return self.plan if self.done else None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types only: ``json.dumps(state.to_dict())`` works."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Interview:
        """A state back from ``to_dict``; raises ``pydantic.ValidationError`` when it is not one."""
        return cls.model_validate(data)


@dataclass(frozen=True)
class Question:
    """What to ask next, in a form a terminal, a web form and an extension can all show."""

    id: str
    text: str
    kind: QuestionKind
    #: ``(value, label)``; a person may answer with the number, the value or the label.
    options: tuple[tuple[str, str], ...] = ()
    hint: str = ""
    #: The proposed plan, for the ``review`` question.
    preview: Preview | None = None
    #: What the previous answer changed.
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def start(learn: Learn | None = None, observed_summary: str | None = None) -> Interview:
    """A new interview. With ``learn``, events already received suggest the kind of product."""
    suggested = _suggest_kind(learn(TrackingPlan())) if learn is not None else None
    return Interview(suggested_kind=suggested, observed_summary=observed_summary)


def question(state: Interview) -> Question:
    """The question to ask in this state."""
    if state.step == "product_kind":
        hint = "Answer with a number or in your own words."
        if state.suggested_kind:
            hint += f" Press Enter for {TEMPLATES[state.suggested_kind].title}, which your events look like."
        if state.observed_summary:
            hint = f"{state.observed_summary}\n{hint}"
        options = tuple((o.value, o.label) for o in KIND_OPTIONS)
        return Question("product_kind", "What kind of product are you tracking?", "choice", options, hint)
    if state.step == "done":
        return Question("done", "The tracking plan is approved.", "done", note=state.note)
    template = TEMPLATES[_kind(state)]
    if state.step == "key_actions":
        return Question(
            "key_actions",
            f"Which user actions matter most in your {template.title.lower()}?",
            "multi",
            template.key_actions,
            'Numbers like "1,3,4", "all", or names. Add your own with "other: shared a playlist".',
        )
    if state.step == "user_types":
        return Question(
            "user_types",
            "Which types of users do you have?",
            "text",
            hint='For example "buyers, sellers" or "admins and members". Leave empty if there is one kind.',
        )
    if state.step == "review":
        assert state.plan is not None
        text = "Here is the proposed tracking plan. Approve it, or change it first."
        return Question(
            "review",
            text,
            "review",
            hint=f"You can say:\n{HELP}",
            preview=preview(state.plan),
            note=state.note,
        )
    asked = _clarification(state)
    options = tuple((o.value, o.label) for o in asked.options)
    return Question(asked.id, asked.text, asked.kind, options, asked.hint)


def answer(state: Interview, text: str, learn: Learn | None = None) -> Interview:
    """The state after ``text`` answers the current question.

    Raises ``AnswerError`` (a ``ValueError``) with what would have worked; the state given
    is unchanged, so the same question can simply be asked again.
    """
    if state.done:
        raise AnswerError("The interview is finished: the plan is approved. Start a new one to change it.")
    if state.step == "product_kind":
        updated = _answer_kind(state, text)
    elif state.step == "key_actions":
        updated = _answer_key_actions(state, text)
    elif state.step == "user_types":
        updated = state.model_copy(
            update={"user_types": () if is_skip(text) else values_of(text, style="singular")}
        )
    elif state.step == "review":
        updated = _answer_review(state, text)
    else:
        values = _clarification(state).read(text)
        if values is not None:
            updated = state.model_copy(
                update={"clarifications": {**state.clarifications, state.step: values}}
            )
        else:
            updated = state
    updated = updated.model_copy(update={"history": (*state.history, (state.step, text.strip()))})
    if state.step == "review":
        return updated
    return _advance(updated, learn)


def _kind(state: Interview) -> ProductKind:
    if state.kind is None:
        raise AnswerError("Choose the kind of product first.")
    return state.kind


def _clarification(state: Interview) -> Clarification:
    return next(c for c in CLARIFICATIONS[_kind(state)] if c.id == state.step)


def _advance(state: Interview, learn: Learn | None) -> Interview:
    """Move to the next question; on reaching the review, build the proposal."""
    order = steps(state.kind)
    following = order[order.index(state.step) + 1]
    if following != "review":
        return state.model_copy(update={"step": following, "note": ""})
    plan = _propose(state)
    note = ""
    if learn is not None:
        learned = learn(plan)
        if learned != plan:
            note = "Added what was learned from the events already received."
        plan = learned
    return state.model_copy(update={"step": "review", "plan": plan, "note": note})


def _answer_kind(state: Interview, text: str) -> Interview:
    if not text.strip() and state.suggested_kind:
        return state.model_copy(update={"kind": state.suggested_kind})
    return state.model_copy(update={"kind": pick_one(text, KIND_OPTIONS)})


def _answer_key_actions(state: Interview, text: str) -> Interview:
    template = TEMPLATES[_kind(state)]
    options = tuple(
        Option(name, label, getattr(template.event(name), "aliases", ()))
        for name, label in template.key_actions
    )
    picked, others = pick_many(text, options)
    custom: list[str] = []
    for phrase in others:
        name = object_action(phrase)
        if not NAME.match(name):
            raise AnswerError(
                f"{phrase!r} does not make an event name; use letters, e.g. 'other: shared a playlist'."
            )
        # "other: purchase" is the template's order_completed under another name.
        known = next((e.name for e in template.events if name == e.name or name in e.aliases), None)
        if known is not None:
            picked.append(known)
        elif name not in custom:
            custom.append(name)
    return state.model_copy(
        update={"key_actions": tuple(dict.fromkeys(picked)), "custom_events": tuple(custom)}
    )


def _answer_review(state: Interview, text: str) -> Interview:
    """Apply the commands in ``text`` (one per line or separated by ";"); "approve" ends it."""
    assert state.plan is not None
    commands = [c.strip() for c in re.split(r"[;\n]+", text) if c.strip()]
    if not commands:
        raise AnswerError(f"Say approve, or how to change the plan. You can say:\n{HELP}")
    plan, notes = state.plan, list[str]()
    for i, command in enumerate(commands):
        if is_approval(command):
            if i != len(commands) - 1:
                raise AnswerError("Approve last, after the changes: nothing was changed.")
            if not plan.events:
                raise AnswerError("The plan has no events left; add one with 'add event NAME' first.")
            return state.model_copy(update={"plan": plan, "step": "done", "note": " ".join(notes)})
        change = refine(plan, command)
        plan = change.plan
        if change.note:
            notes.append(change.note)
    return state.model_copy(update={"plan": plan, "note": "\n".join(notes)})


def _propose(state: Interview) -> TrackingPlan:
    """The plan the answers describe: the chosen template events plus the clarifications."""
    template = TEMPLATES[_kind(state)]
    plan = template.plan(template.events_for(state.key_actions))
    plan = _with_user_types(plan, state.user_types)
    plan = apply_answers(plan, template, state.clarifications)
    added = tuple(
        PlannedEvent(name=name, description="Added during setup.")
        for name in state.custom_events
        if name not in plan.event_names
    )
    return in_template_order(plan.model_copy(update={"events": (*plan.events, *added)}), template)


def _with_user_types(plan: TrackingPlan, user_types: tuple[str, ...]) -> TrackingPlan:
    """``role`` with the user types as allowed values, on ``signed_up`` and on every event."""
    if not user_types:
        return plan
    role = ROLE.model_copy(update={"allowed": user_types})

    def with_role(properties: tuple[PlannedProperty, ...]) -> tuple[PlannedProperty, ...]:
        return tuple(role if p.name == "role" else p for p in properties)

    events = tuple(e.model_copy(update={"properties": with_role(e.properties)}) for e in plan.events)
    common = with_role(plan.common_properties)
    if not any(p.name == "role" for p in common):
        common = (*common, role)
    return plan.model_copy(update={"events": events, "common_properties": common})


def _suggest_kind(observed: TrackingPlan) -> ProductKind | None:
    """The kind whose own events (not the shared sign-up ones) match most observed names."""
    seen = {name for e in observed.events for name in (e.name, *e.aliases)}
    names = {kind: {n for e in t.events for n in (e.name, *e.aliases)} for kind, t in TEMPLATES.items()}
    scores = {
        kind: len(seen & own.difference(*(n for k, n in names.items() if k != kind)))
        for kind, own in names.items()
    }
    best = max(scores.values())
    winners = [kind for kind, score in scores.items() if score == best]
    return winners[0] if best and len(winners) == 1 else None
