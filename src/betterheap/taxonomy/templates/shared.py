"""What every domain template is made of: the ``Template`` record, builders for events and
properties, and the properties and identity events all domains share.

Shared properties are defined once so that a property keeps one type and one PII flag
across a plan: masking works by property name (``TrackingPlan.pii_properties``), so a
``name`` that is personal on one event and a product name on another would mask product
names everywhere. That is why person names are ``first_name``/``last_name`` here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from betterheap.taxonomy.plan import (
    PlannedEvent,
    PlannedProperty,
    ProductKind,
    PropertyType,
    Scalar,
    TrackingPlan,
)


def prop(
    name: str,
    type: PropertyType = "string",
    *,
    required: bool = False,
    allowed: tuple[Scalar, ...] = (),
    pattern: str | None = None,
    pii: bool = False,
    description: str = "",
) -> PlannedProperty:
    """A planned property, with the template's usual defaults spelled out once."""
    return PlannedProperty(
        name=name,
        type=type,
        required=required,
        allowed=allowed,
        pattern=pattern,
        pii=pii,
        description=description,
    )


def event(
    name: str, description: str, *properties: PlannedProperty, aliases: tuple[str, ...] = ()
) -> PlannedEvent:
    """A planned event; ``aliases`` are the messy names the same action arrives under."""
    return PlannedEvent(name=name, description=description, properties=properties, aliases=aliases)


@dataclass(frozen=True)
class ExampleQuestion:
    """A question the data will answer once the plan is tracked.

    ``events`` names the events the question needs, so a preview only shows questions the
    user's plan can actually answer.
    """

    text: str
    events: tuple[str, ...]


@dataclass(frozen=True)
class Template:
    """A domain's starting tracking plan, following the public spec for that domain."""

    kind: ProductKind
    title: str
    description: str
    events: tuple[PlannedEvent, ...]
    #: ``(event name, the action in plain words)`` the user picks the important ones from.
    key_actions: tuple[tuple[str, str], ...]
    example_questions: tuple[ExampleQuestion, ...]
    #: Events every plan of this kind needs, whatever the user picks (sign-up, sign-in).
    always: tuple[str, ...] = ("signed_up", "signed_in")
    #: Events that come with a key action: picking "add to cart" brings ``product_removed``
    #: and ``cart_viewed``, since a cart funnel is unreadable without them.
    companions: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    common_properties: tuple[PlannedProperty, ...] = ()

    def __post_init__(self) -> None:
        # A typo in a template would silently drop an event from every proposal; fail at import.
        names = {e.name for e in self.events}
        referenced = [name for name, _ in self.key_actions] + list(self.always)
        referenced += list(self.companions) + [n for group in self.companions.values() for n in group]
        referenced += [n for q in self.example_questions for n in q.events]
        unknown = sorted(set(referenced) - names)
        if unknown:
            raise ValueError(f"template {self.kind!r} refers to events it does not define: {unknown}")

    @property
    def event_names(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.events)

    def event(self, name: str) -> PlannedEvent | None:
        for planned in self.events:
            if planned.name == name:
                return planned
        return None

    def events_for(self, key_actions: Iterable[str]) -> tuple[str, ...]:
        """The template events a plan needs for these key actions, in template order."""
        wanted = set(self.always)
        for name in key_actions:
            wanted.add(name)
            wanted.update(self.companions.get(name, ()))
        return tuple(name for name in self.event_names if name in wanted)

    def plan(self, events: Iterable[str] | None = None) -> TrackingPlan:
        """A tracking plan with the given template events (all of them by default)."""
        chosen = set(self.event_names if events is None else events)
        return TrackingPlan(
            name=f"{self.title} tracking plan",
            product_kind=self.kind,
            events=tuple(e for e in self.events if e.name in chosen),
            common_properties=self.common_properties,
        )


# Properties shared by several domains: one definition each, so type and PII agree.
EMAIL = prop("email", pii=True, description="The user's e-mail address.")
FIRST_NAME = prop("first_name", pii=True, description="The user's first name.")
LAST_NAME = prop("last_name", pii=True, description="The user's last name.")
PHONE = prop("phone", pii=True, description="The user's phone number.")
METHOD = prop("method", description="How the user signed up or in: email, google, apple, sso...")
ROLE = prop("role", description="The kind of user, e.g. buyer or seller, admin or member.")
PLATFORM = prop("platform", description="Where the event happened: web, ios, android...")
CURRENCY = prop("currency", pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code, e.g. USD.")
REVENUE = prop("revenue", "number", description="Money earned, in `currency`.")
PLAN = prop("plan", description="The subscription plan, e.g. free, pro, team.")
SHARE_VIA = prop("share_via", description="Where it was shared: link, email, twitter...")
FEATURE = prop("feature", required=True, description="Which feature was used.")
REASON = prop("reason", description="Why, in the user's or the system's words.")
FEEDBACK = prop("feedback", pii=True, description="Free-text feedback; may contain personal data.")
INVITEE_EMAIL = prop("invitee_email", pii=True, description="The e-mail address the invite went to.")
INVITEE_ROLE = prop("invitee_role", description="The role the invited person will have.")


def identity_events(*signup_properties: PlannedProperty) -> tuple[PlannedEvent, PlannedEvent, PlannedEvent]:
    """``signed_up``, ``signed_in`` and ``signed_out`` as the Segment specs name them."""
    signed_up = event(
        "signed_up",
        "A new user created an account.",
        METHOD,
        ROLE,
        EMAIL,
        FIRST_NAME,
        LAST_NAME,
        PHONE,
        *signup_properties,
        aliases=("sign_up", "signup", "user_signed_up", "registered", "user_registered", "registration"),
    )
    signed_in = event(
        "signed_in",
        "A user signed in.",
        METHOD,
        aliases=("login", "log_in", "logged_in", "sign_in", "signin", "user_logged_in"),
    )
    signed_out = event(
        "signed_out",
        "A user signed out.",
        aliases=("logout", "log_out", "logged_out", "sign_out", "signout"),
    )
    return signed_up, signed_in, signed_out
