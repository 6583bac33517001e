"""Changing a proposed plan with short commands before approving it.

A person reviewing a plan thinks "call it add_to_cart", "we don't have wishlists", "email
is personal". Each command here is one such thought: a regular expression and a small
pure function from plan to plan, listed in order in ``COMMANDS``. A command that names an
event or property that is not there says which names are closest.

>>> from betterheap.taxonomy.templates import TEMPLATES
>>> plan = TEMPLATES["ecommerce"].plan(["product_added"])
>>> change = refine(plan, "rename product_added to add_to_cart")
>>> change.plan.event("add_to_cart").aliases[0]
'product_added'
>>> required = refine(change.plan, "require cart_id on add_to_cart").plan
>>> required.event("add_to_cart").property("cart_id").required
True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeVar

from pydantic import ValidationError

from betterheap.taxonomy.interview.answers import AnswerError, closest, normalize, snake, split_list
from betterheap.taxonomy.naming import to_convention
from betterheap.taxonomy.plan import (
    NamingConvention,
    PlannedEvent,
    PlannedProperty,
    PropertyType,
    Scalar,
    TrackingPlan,
)

T = TypeVar("T")

HELP: Final = """\
  rename X to Y                             rename an event (a property: rename Z to Y on W)
  drop X                                    drop an event (a property: drop Z from W)
  add event X                               add an event
  add property Z to W [as TYPE] [required]  TYPE: string, number, integer, boolean, datetime
  add property Z to all events              a property any event may carry
  require Z on W / make Z optional on W     whether W must carry Z
  mark Z as pii                             personal data, on every event that has it
  allow a, b, c for Z [on W]                the only values Z may take ("allow any for Z")
  use camelCase naming                      snake_case, camelCase, PascalCase or Title Case
  show                                      show the plan again
  approve                                   accept the plan (also: deploy, yes, looks good)"""

APPROVALS: Final = frozenset(
    {
        "approve",
        "approved",
        "deploy",
        "deploy it",
        "approve and deploy",
        "yes",
        "y",
        "yes deploy",
        "yes please",
        "ok",
        "okay",
        "lgtm",
        "looks good",
        "looks good to me",
        "looks great",
        "ship it",
        "go ahead",
        "accept",
        "confirm",
        "done",
    }
)

TYPES: Final[dict[str, PropertyType]] = {
    "string": "string",
    "str": "string",
    "text": "string",
    "number": "number",
    "float": "number",
    "decimal": "number",
    "numeric": "number",
    "integer": "integer",
    "int": "integer",
    "whole number": "integer",
    "boolean": "boolean",
    "bool": "boolean",
    "flag": "boolean",
    "datetime": "datetime",
    "date": "datetime",
    "timestamp": "datetime",
    "time": "datetime",
    "object": "object",
    "json": "object",
    "array": "array",
    "list": "array",
}
NAMINGS: Final[dict[str, NamingConvention]] = {
    "snake": "snake_case",
    "camel": "camelCase",
    "pascal": "PascalCase",
    "title": "Title Case",
}
EVERY_EVENT: Final = re.compile(r"^(?:all|all events|every event|everything|everywhere|each event)\b", re.I)


@dataclass(frozen=True)
class Change:
    """The plan after a command, and a sentence saying what changed."""

    plan: TrackingPlan
    note: str


def is_approval(command: str) -> bool:
    return normalize(command) in APPROVALS


def refine(plan: TrackingPlan, command: str) -> Change:
    """Apply one review command; ``AnswerError`` when it is not one or names nothing there."""
    said = " ".join(command.strip().rstrip(".!").split())
    for pattern, apply in COMMANDS:
        match = pattern.match(said)
        if match:
            return apply(plan, match)
    raise AnswerError(f"I did not understand {said!r}. You can say:\n{HELP}")


# Looking names up --------------------------------------------------------------------------


def _token(text: str) -> str:
    return text.strip().strip("`'\"")


def _spellings(token: str) -> tuple[str, ...]:
    """Ways a typed name may match a planned one: as typed, lower case, snake_case."""
    return (token, token.lower(), snake(token), "_".join(normalize(token).split()))


def _event_name(plan: TrackingPlan, said: str) -> str:
    """The event ``said`` names: by name, in any case or spacing, or by one of its aliases."""
    token = _token(said)
    names = [e.name for e in plan.events]
    for candidate in _spellings(token):
        if candidate in names:
            return candidate
    for planned in plan.events:
        if token in planned.aliases or snake(token) in planned.aliases:
            return planned.name
    raise AnswerError(f"There is no event {token!r} in the plan. {closest(token, names)}")


def _find_event(plan: TrackingPlan, said: str) -> str | None:
    try:
        return _event_name(plan, said)
    except AnswerError:
        return None


def _property_names(plan: TrackingPlan) -> set[str]:
    return {p.name for e in plan.events for p in e.properties} | {p.name for p in plan.common_properties}


def _property_name(plan: TrackingPlan, said: str, on: str | None = None) -> str:
    """The property ``said`` names, on event ``on`` or anywhere in the plan."""
    token = _token(said)
    if on is not None:
        planned = plan.event(on)
        names = {p.name for p in planned.properties} if planned else set()
        where = f"on {on}"
    else:
        names = _property_names(plan)
        where = "in the plan"
    for candidate in _spellings(token):
        if candidate in names:
            return candidate
    raise AnswerError(f"There is no property {token!r} {where}. {closest(token, names)}")


def _property_or_event(plan: TrackingPlan, said: str) -> None:
    """Fail naming both kinds of name when ``said`` is neither an event nor a property."""
    names = _property_names(plan)
    if not any(candidate in names for candidate in _spellings(_token(said))):
        every = plan.event_names | names
        raise AnswerError(f"There is no event or property {_token(said)!r}. {closest(_token(said), every)}")


def _new_name(said: str) -> str:
    """A name typed as one token is kept as typed; several words are joined snake_case."""
    token = _token(said)
    return token if len(token.split()) == 1 else snake(token)


def _new_event_name(plan: TrackingPlan, said: str) -> str:
    """An event name for the plan: words typed are put in its naming convention; a single
    name typed against it is refused (deploying would refuse it), saying how to proceed."""
    typed = _new_name(said)
    _checked(lambda: PlannedEvent(name=typed))  # "9lives" is no name in any convention
    name = to_convention(typed, plan.naming)
    if name != typed and len(_token(said).split()) == 1:
        style = next(
            (
                key
                for key, value in NAMINGS.items()
                if value != plan.naming and to_convention(typed, value) == typed
            ),
            None,
        )
        hint = f' or say "use {style} naming" first' if style else ""
        raise AnswerError(f"{typed} does not follow the plan's {plan.naming} naming: call it {name}{hint}.")
    return name


def _checked(make: Callable[[], T]) -> T:
    """Run a change, turning the plan's own validation errors into messages for the person."""
    try:
        return make()
    except ValidationError as error:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors())
        raise AnswerError(reasons) from None


def _rebuilt(plan: TrackingPlan, **update: object) -> TrackingPlan:
    """``plan`` with fields replaced and its rules checked again (unique names and aliases)."""
    return _checked(lambda: TrackingPlan.model_validate({**plan.model_dump(), **update}))


def _map_property(
    plan: TrackingPlan,
    name: str,
    change: Callable[[PlannedProperty], PlannedProperty | None],
    on: str | None = None,
    common: bool = True,
) -> tuple[TrackingPlan, list[str]]:
    """Apply ``change`` to property ``name`` (None drops it) on event ``on`` or everywhere;
    also returns where it was found, for the note."""
    touched: list[str] = []

    def each(properties: tuple[PlannedProperty, ...], where: str) -> tuple[PlannedProperty, ...]:
        kept: list[PlannedProperty] = []
        for planned in properties:
            changed = change(planned) if planned.name == name else planned
            if planned.name == name:
                touched.append(where)
            if changed is not None:
                kept.append(changed)
        return tuple(kept)

    events = tuple(
        e.model_copy(update={"properties": each(e.properties, e.name)}) if on in (None, e.name) else e
        for e in plan.events
    )
    if common and on is None:
        return _rebuilt(
            plan, events=events, common_properties=each(plan.common_properties, "every event")
        ), touched
    return _rebuilt(plan, events=events), touched


def _values(said: str, type: PropertyType) -> tuple[Scalar, ...]:
    """Allowed values as typed, converted to the property's type."""
    values: list[Scalar] = []
    for item in split_list(said):
        value = _token(item)
        try:
            if type == "integer":
                values.append(int(value))
            elif type == "number":
                number = float(value)
                values.append(int(number) if number.is_integer() else number)
            elif type == "boolean":
                values.append({"true": True, "yes": True, "false": False, "no": False}[value.lower()])
            else:
                values.append(value)
        except (ValueError, KeyError):
            raise AnswerError(f"{value!r} is not a {type}, the type of this property.") from None
    return tuple(dict.fromkeys(values))


# The commands --------------------------------------------------------------------------------


def _rename(plan: TrackingPlan, match: re.Match[str]) -> Change:
    old, new, on = match["old"], _new_name(match["new"]), match["on"]
    event = None if match["kind"] == "property" or on else _find_event(plan, old)
    if event is not None:
        new = _new_event_name(plan, match["new"])
        if new in plan.event_names or plan.action(new):
            raise AnswerError(f"There is already an event called {new!r}.")
        owner = next((e.name for e in plan.events if new in e.aliases and e.name != event), None)
        if owner is not None:
            raise AnswerError(f"{new} already arrives as an alias of {owner}; drop or rename {owner} first.")
        planned = plan.event(event)
        assert planned is not None
        # The old (spec) name stays an alias: senders following the spec still land here.
        aliases = tuple(a for a in dict.fromkeys((event, *planned.aliases)) if a != new)
        renamed = _checked(lambda: PlannedEvent(**{**planned.model_dump(), "name": new, "aliases": aliases}))
        updated = _rebuilt(plan, events=tuple(renamed if e.name == event else e for e in plan.events))
        return Change(
            updated, f"Renamed {event} to {new}; {event} stays as an alias for events already sent."
        )
    target = _event_name(plan, on) if on else None
    if target is None and match["kind"] is None:
        _property_or_event(plan, old)
    name = _property_name(plan, old, target)
    _checked(lambda: PlannedProperty(name=new))
    clashes = [
        e.name for e in plan.events if target in (None, e.name) and e.property(name) and e.property(new)
    ]
    if clashes:
        raise AnswerError(f"{', '.join(clashes)} already has a property called {new!r}.")
    updated, touched = _map_property(plan, name, lambda p: p.model_copy(update={"name": new}), target)
    return Change(updated, f"Renamed property {name} to {new} on {', '.join(touched)}.")


def _drop(plan: TrackingPlan, match: re.Match[str]) -> Change:
    said, on = match["name"], match["on"]
    if on is None and match["kind"] != "property":
        event = _find_event(plan, said)
        if event is not None:
            events = tuple(e for e in plan.events if e.name != event)
            return Change(plan.model_copy(update={"events": events}), f"Dropped event {event}.")
        action = plan.action(_token(said))
        if action is not None:
            actions = tuple(a for a in plan.actions if a.name != action.name)
            return Change(plan.model_copy(update={"actions": actions}), f"Dropped action {action.name}.")
        _property_or_event(plan, said)
    target = None if on is None or EVERY_EVENT.match(on) else _event_name(plan, on)
    name = _property_name(plan, said, target)
    updated, touched = _map_property(plan, name, lambda p: None, target)
    return Change(updated, f"Dropped property {name} from {', '.join(touched)}.")


def _add_event(plan: TrackingPlan, match: re.Match[str]) -> Change:
    name = _new_event_name(plan, match["name"])
    if name in plan.event_names or plan.action(name):
        raise AnswerError(f"{name} is already in the plan.")
    owner = next((e.name for e in plan.events if name in e.aliases), None)
    if owner is not None:
        raise AnswerError(f"{name} already arrives as an alias of {owner}; rename {owner} instead.")
    added = _checked(lambda: PlannedEvent(name=name, description="Added during review."))
    return Change(plan.model_copy(update={"events": (*plan.events, added)}), f"Added event {name}.")


def _property_settings(modifiers: str, required: bool) -> tuple[PropertyType, bool, bool]:
    """Type, required and PII from the words after the event: "as number required"."""
    kind: PropertyType = "string"
    pii = False
    words = normalize(modifiers).split()
    while words:
        word = words.pop(0)
        pair = f"{word} {words[0]}" if words else ""
        if pair in TYPES:
            kind = TYPES[pair]
            words.pop(0)
        elif word in TYPES:
            kind = TYPES[word]
        elif word in ("required", "mandatory", "optional"):
            required = word != "optional"
        elif word in ("pii", "personal", "sensitive"):
            pii = True
        elif word not in ("as", "a", "an", "and", "type", "of", "with", "it", "is", "data", "events"):
            raise AnswerError(f"I did not understand {word!r}.")
    return kind, required, pii


def _add_property(plan: TrackingPlan, match: re.Match[str]) -> Change:
    name = _token(match["prop"])
    rest = match["rest"]
    every = EVERY_EVENT.match(rest)
    if every:
        target, modifiers = None, rest[every.end() :]
    else:
        first, _, modifiers = rest.partition(" ")
        target = _event_name(plan, first)
    try:
        kind, required, pii = _property_settings(modifiers, bool(match["required"]))
    except AnswerError as error:
        example = f"add property {name} to {target or 'all events'} as number required"
        raise AnswerError(f"{error} Say for example: {example}") from None
    added = _checked(lambda: PlannedProperty(name=name, type=kind, required=required, pii=pii))
    if target is None:
        if any(p.name == name for p in plan.common_properties):
            raise AnswerError(f"{name} is already a property of every event.")
        common = (*plan.common_properties, added)
        return Change(plan.model_copy(update={"common_properties": common}), f"Added {name} to every event.")
    planned = plan.event(target)
    assert planned is not None
    if planned.property(name):
        raise AnswerError(f"{target} already has a property called {name}.")
    extended = planned.model_copy(update={"properties": (*planned.properties, added)})
    events = tuple(extended if e.name == target else e for e in plan.events)
    return Change(plan.model_copy(update={"events": events}), f"Added {name} ({added.type}) to {target}.")


def _require(plan: TrackingPlan, match: re.Match[str]) -> Change:
    required = (match.groupdict().get("mode") or "required").lower() != "optional"
    target = _event_name(plan, match["on"]) if match["on"] else None
    name = _property_name(plan, match["prop"], target)
    updated, touched = _map_property(
        plan, name, lambda p: p.model_copy(update={"required": required}), target, common=False
    )
    if not touched:
        raise AnswerError(f"{name} is only a property of every event; add it to an event to require it.")
    return Change(updated, f"{name} is now {'required' if required else 'optional'} on {', '.join(touched)}.")


def _mark_pii(plan: TrackingPlan, match: re.Match[str]) -> Change:
    pii = not match["negated"]
    name = _property_name(plan, match["prop"])
    updated, touched = _map_property(plan, name, lambda p: p.model_copy(update={"pii": pii}))
    state = "personal data (masked, never sent to an LLM)" if pii else "not personal data"
    return Change(updated, f"{name} is now {state} on {', '.join(touched)}.")


def _allow(plan: TrackingPlan, match: re.Match[str]) -> Change:
    target = _event_name(plan, match["on"]) if match["on"] else None
    name = _property_name(plan, match["prop"], target)
    found = [p for e in plan.events for p in e.properties if p.name == name]
    kind = (found or [p for p in plan.common_properties if p.name == name])[0].type
    anything = normalize(match["values"]) in ("any", "anything", "any value", "all values")
    values = () if anything else _values(match["values"], kind)
    updated, touched = _map_property(plan, name, lambda p: p.model_copy(update={"allowed": values}), target)
    allowed = "any value" if anything else ", ".join(str(v) for v in values)
    return Change(updated, f"{name} now accepts {allowed} on {', '.join(touched)}.")


def _naming(plan: TrackingPlan, match: re.Match[str]) -> Change:
    """Every event renamed to the convention now (the plan would not deploy otherwise); the
    previous names stay aliases, so events already sent under them still land."""
    naming = NAMINGS[match["style"].lower()]
    events = []
    for event in plan.events:
        name = to_convention(event.name, naming)
        aliases = tuple(a for a in dict.fromkeys((event.name, *event.aliases)) if a != name)
        events.append(event.model_copy(update={"name": name, "aliases": aliases}))
    renamed = sum(1 for before, after in zip(plan.events, events, strict=True) if before.name != after.name)
    note = f"Names follow {naming} now; {renamed} events renamed, their old names kept as aliases."
    return Change(
        _checked(lambda: TrackingPlan(**{**plan.model_dump(), "naming": naming, "events": events})), note
    )


def _show(plan: TrackingPlan, match: re.Match[str]) -> Change:
    return Change(plan, "")


def _help(plan: TrackingPlan, match: re.Match[str]) -> Change:
    return Change(plan, f"You can say:\n{HELP}")


_NAME = r"(?P<{}>[`'\"]?[A-Za-z_$][\w$.:-]*[`'\"]?)"
_ON = r"(?:\s+(?:on|for|in)\s+" + _NAME.format("on") + ")?"

#: Every review command, tried in order: the first whose pattern matches the whole text wins.
COMMANDS: Final[tuple[tuple[re.Pattern[str], Callable[[TrackingPlan, re.Match[str]], Change]], ...]] = tuple(
    (re.compile(pattern, re.IGNORECASE), apply)
    for pattern, apply in (
        (
            r"^rename\s+(?:the\s+)?(?:(?P<kind>event|property)\s+)?(?P<old>.+?)\s+(?:to|as|into|->)\s+"
            r"(?P<new>.+?)(?:\s+on\s+" + _NAME.format("on") + ")?$",
            _rename,
        ),
        (r"^add\s+(?:an?\s+)?(?:new\s+)?event\s+(?P<name>.+)$", _add_event),
        (
            r"^add\s+(?:an?\s+)?(?:new\s+)?(?P<required>required\s+)?(?:property\s+)?"
            + _NAME.format("prop")
            + r"\s+(?:to|on)\s+(?P<rest>.+)$",
            _add_property,
        ),
        (
            r"^(?:drop|remove|delete)\s+(?:the\s+)?(?:(?P<kind>event|property|action)\s+)?(?P<name>.+?)"
            r"(?:\s+(?:from|on|in)\s+(?P<on>.+))?$",
            _drop,
        ),
        (r"^require\s+" + _NAME.format("prop") + _ON + "$", _require),
        (r"^make\s+" + _NAME.format("prop") + r"\s+(?P<mode>required|optional)" + _ON + "$", _require),
        (
            r"^make\s+"
            + _NAME.format("prop")
            + r"\s+(?:on|for|in)\s+"
            + _NAME.format("on")
            + r"\s+(?P<mode>required|optional)$",
            _require,
        ),
        (
            r"^mark\s+"
            + _NAME.format("prop")
            + r"\s+(?:as\s+)?(?P<negated>not\s+)?(?:pii|personal(?:\s+data)?|sensitive)$",
            _mark_pii,
        ),
        (
            r"^(?:only\s+)?allow(?:\s+only)?\s+(?P<values>.+?)\s+(?:for|as)\s+"
            + _NAME.format("prop")
            + r"(?:\s+(?:on|in)\s+"
            + _NAME.format("on")
            + ")?$",
            _allow,
        ),
        (
            r"^(?:use\s+|switch\s+to\s+)?(?P<style>snake|camel|pascal|title)[\s_]*(?:case)?"
            r"(?:\s+(?:naming|names|convention|case))*$",
            _naming,
        ),
        (r"^(?:show|preview|list|show (?:it|me|plan|the plan|preview|the preview))$", _show),
        (r"^(?:help|\?|commands|what can i (?:say|do))$", _help),
    )
)
