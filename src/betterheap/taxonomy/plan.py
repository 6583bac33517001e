"""The tracking plan: which events and properties a project expects, and what to do when
an event does not fit.

A plan is plain data (frozen pydantic models) so it can be written as YAML in the user's
own repository, validated with clear messages, compared version to version, and sent to
the loader's worker process. Nothing here does I/O; ``taxonomy.plan_file`` reads and
writes YAML and the metadata store keeps the deployed versions.

>>> plan = TrackingPlan(events=(PlannedEvent(name="order_completed", properties=(
...     PlannedProperty(name="revenue", type="number", required=True),)),))
>>> plan.event("order_completed").property("revenue").required
True
>>> plan.policies.missing_required
'quarantine'
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PropertyType = Literal["string", "number", "integer", "boolean", "datetime", "object", "array", "any"]
NamingConvention = Literal["snake_case", "camelCase", "PascalCase", "Title Case"]
ProductKind = Literal["ecommerce", "saas", "content", "ai_chat", "other"]

#: What to do with an event that breaks a rule of the plan.
#: ``accept`` stores it as sent; ``flag`` stores it with the violation noted; ``move_aside``
#: stores it with the offending property moved out of ``properties`` into ``set_aside``;
#: ``quarantine`` keeps the raw event out of the store until a replay accepts it.
Policy = Literal["accept", "flag", "move_aside", "quarantine"]

#: The kinds of violation a plan checks, each with its own policy.
ViolationKind = Literal[
    "unplanned_event",  # the (normalized) name is not in the plan
    "unplanned_property",  # a property the event's definition does not list
    "missing_required",  # a required property is absent or null
    "wrong_type",  # a value of the wrong type that no lossless coercion fixes
    "not_allowed",  # a value outside the property's allowed values
    "pattern_mismatch",  # a string that does not match the property's pattern
]
VIOLATION_KINDS: Final[tuple[ViolationKind, ...]] = (
    "unplanned_event",
    "unplanned_property",
    "missing_required",
    "wrong_type",
    "not_allowed",
    "pattern_mismatch",
)

NAME: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_ .:-]{0,99}$")
PROPERTY: Final = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.:-]{0,99}$")

Scalar = str | int | float | bool


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlannedProperty(_Frozen):
    name: str
    type: PropertyType = "string"
    required: bool = False
    #: When not empty, the only values accepted.
    allowed: tuple[Scalar, ...] = ()
    #: A regular expression a string value must match in full.
    pattern: str | None = None
    #: Personal data: masked for roles without PII access, never sent to an LLM.
    pii: bool = False
    description: str = ""

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not PROPERTY.match(name):
            raise ValueError(
                f"invalid property name {name!r}: start with a letter, _ or $, then letters, "
                "digits, _ $ . : - (at most 100 characters)"
            )
        return name

    @field_validator("pattern")
    @classmethod
    def _valid_pattern(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"invalid pattern {pattern!r}: {error}") from None
        return pattern


class PlannedEvent(_Frozen):
    name: str
    description: str = ""
    properties: tuple[PlannedProperty, ...] = ()
    #: Other names the same action arrives under (``AddToCart``, ``cart_add``...).
    aliases: tuple[str, ...] = ()

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not NAME.match(name):
            raise ValueError(
                f"invalid event name {name!r}: start with a letter, then letters, digits, "
                "spaces or _ . : - (at most 100 characters)"
            )
        return name

    @model_validator(mode="after")
    def _unique_properties(self) -> PlannedEvent:
        names = [p.name for p in self.properties]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"event {self.name!r} lists properties more than once: {', '.join(twice)}")
        return self

    def property(self, name: str) -> PlannedProperty | None:
        for planned in self.properties:
            if planned.name == name:
                return planned
        return None


class Action(_Frozen):
    """A virtual event: auto-captured interactions matched after the fact.

    It matches auto-captured events (clicks, changes, submits) whose element chain matches
    ``selector`` (a CSS selector: tags, ``#id``, ``.class``, ``[attr=value]``, descendant
    and child combinators), whose element text equals ``text`` and whose page URL matches
    ``url`` (``*`` is a wildcard); every condition given must hold. Actions count over all
    history, so naming one today counts last month's clicks too.
    """

    name: str
    description: str = ""
    selector: str | None = None
    text: str | None = None
    url: str | None = None

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        return PlannedEvent._valid_name(name)

    @model_validator(mode="after")
    def _some_condition(self) -> Action:
        if not (self.selector or self.text or self.url):
            raise ValueError(f"action {self.name!r} needs a selector, a text or a url to match")
        return self


class Filters(_Frozen):
    """Traffic that is counted but not stored as product usage, and PII scrubbing."""

    #: Drop events whose user agent is a known bot, crawler or headless browser.
    bots: bool = True
    #: Internal traffic: client IPs (single addresses or CIDR ranges)...
    internal_ips: tuple[str, ...] = ()
    #: ...page hosts (``staging.example.com``)...
    internal_hosts: tuple[str, ...] = ()
    #: ...or a property set to true by the sender.
    internal_flag: str | None = "$internal"
    #: Replace e-mail addresses in URLs and free-text properties with ``[email]``.
    scrub_pii: bool = True
    #: Keep only the network part of client IPs (the last IPv4 octet zeroed).
    truncate_ip: bool = True

    @field_validator("internal_ips")
    @classmethod
    def _valid_networks(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        """Refused at deploy time: a bad entry would otherwise stop the pipeline later."""
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not an IP address or a CIDR range such as 10.0.0.0/8"
                ) from None
        return values


class Policies(_Frozen):
    unplanned_event: Policy = "flag"
    unplanned_property: Policy = "accept"
    missing_required: Policy = "quarantine"
    wrong_type: Policy = "move_aside"
    not_allowed: Policy = "flag"
    pattern_mismatch: Policy = "flag"

    def of(self, kind: ViolationKind) -> Policy:
        policy: Policy = getattr(self, kind)
        return policy


class TrackingPlan(_Frozen):
    name: str = "Tracking plan"
    product_kind: ProductKind = "other"
    naming: NamingConvention = "snake_case"
    events: tuple[PlannedEvent, ...] = ()
    actions: tuple[Action, ...] = ()
    #: Properties allowed on every event (``$`` properties from SDKs are always allowed).
    common_properties: tuple[PlannedProperty, ...] = ()
    filters: Filters = Field(default_factory=Filters)
    policies: Policies = Field(default_factory=Policies)

    @model_validator(mode="after")
    def _unique_names(self) -> TrackingPlan:
        names = [e.name for e in self.events] + [a.name for a in self.actions]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"events or actions defined more than once: {', '.join(twice)}")
        claimed: dict[str, str] = {}
        for event in self.events:
            for alias in event.aliases:
                if alias in claimed and claimed[alias] != event.name:
                    raise ValueError(f"alias {alias!r} belongs to both {claimed[alias]!r} and {event.name!r}")
                claimed[alias] = event.name
        return self

    def event(self, name: str) -> PlannedEvent | None:
        for planned in self.events:
            if planned.name == name:
                return planned
        return None

    def action(self, name: str) -> Action | None:
        for action in self.actions:
            if action.name == name:
                return action
        return None

    @property
    def event_names(self) -> frozenset[str]:
        return frozenset(e.name for e in self.events)

    def pii_properties(self) -> frozenset[str]:
        """Every property flagged PII on any event or in the common properties."""
        found = {p.name for p in self.common_properties if p.pii}
        for event in self.events:
            found.update(p.name for p in event.properties if p.pii)
        return frozenset(found)


#: The plan a project has before its owner deploys one: everything is accepted as sent.
NO_PLAN: Final = TrackingPlan(
    name="No plan",
    policies=Policies(unplanned_event="accept", unplanned_property="accept"),
    filters=Filters(bots=False, internal_flag=None, scrub_pii=False, truncate_ip=False),
)
