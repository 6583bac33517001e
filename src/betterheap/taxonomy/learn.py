"""Let a tracking plan learn from the events that already arrived.

Most projects have months of events before anyone writes a plan: the same action under
four spellings, and auto-captured clicks nobody named. Given the names seen (with counts)
and the most frequent auto-captured clicks, this module proposes the plan those events
imply: variants grouped under one name (:func:`group_variants`), named click events
(:func:`propose_click_events`), and a plan that adds them (:func:`learned_plan`) for the
owner to review. Pure: the caller queries the store and decides what to deploy.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from betterheap.taxonomy.naming import RESERVED_PREFIX, NameResolver, to_convention, variant_key, words
from betterheap.taxonomy.plan import NAME, Action, PlannedEvent, TrackingPlan

__all__ = [
    "ClickProposal",
    "Element",
    "NameGroup",
    "ObservedClick",
    "ObservedName",
    "group_variants",
    "label_click",
    "learned_plan",
    "parse_elements_chain",
    "propose_click_events",
    "stable_selector",
]


@dataclass(frozen=True)
class ObservedName:
    """An event name as it arrived, and how many events carried it."""

    name: str
    count: int


@dataclass(frozen=True)
class ObservedClick:
    """Auto-captured clicks on one element: PostHog's ``$elements_chain`` (the clicked
    element first, then its ancestors, ``;``-separated), the page and how many clicks."""

    elements_chain: str
    url: str | None
    count: int


@dataclass(frozen=True)
class NameGroup:
    """Raw names that mean one action, under the name the plan should use for it."""

    canonical: str
    #: True when ``canonical`` is an event of the plan the group was made with.
    planned: bool
    #: Most frequent first.
    variants: tuple[ObservedName, ...]
    count: int


@dataclass(frozen=True)
class ClickProposal:
    """A named virtual event (a plan :class:`Action`) proposed for frequent clicks."""

    name: str
    selector: str
    text: str | None
    #: The page most of the clicks were on, to show where the element is (not a condition).
    url: str | None
    count: int


# --- name variants --------------------------------------------------------------------------


def group_variants(observed: Sequence[ObservedName], plan: TrackingPlan) -> list[NameGroup]:
    """Group the event names seen so far into actions, most frequent first.

    A name the plan's :class:`NameResolver` maps to a planned event (exactly, by alias,
    convention, variant or misspelling) joins that event's group. An unresolved name with
    the :func:`variant_key` of resolved names of exactly one event joins it too
    (``viewed_prodcut`` follows ``prodcut_viewed``, a misspelling of ``product_viewed``).
    The remaining names group by variant key, under the most frequent one's spelling in the
    plan's convention. SDK names (``$pageview``...) are left out: they are the SDK's
    vocabulary, not the plan's. The same name listed twice counts once with the counts added.
    """
    counts: dict[str, int] = {}
    for seen in observed:
        if not seen.name.startswith(RESERVED_PREFIX):
            counts[seen.name] = counts.get(seen.name, 0) + seen.count
    resolver = NameResolver(plan)
    members: dict[tuple[bool, str], list[str]] = {}
    unresolved: list[str] = []
    events_by_key: dict[str, set[str]] = {}
    for name in counts:
        canonical, match = resolver.resolve(name)
        if match == "unplanned":
            unresolved.append(name)
        else:
            members.setdefault((True, canonical), []).append(name)
            events_by_key.setdefault(variant_key(name), set()).add(canonical)
    for name in unresolved:
        key = variant_key(name)
        events = events_by_key.get(key, set())
        if len(events) == 1:
            members[(True, next(iter(events)))].append(name)
        else:
            members.setdefault((False, key), []).append(name)

    groups = []
    for (planned, label), names in members.items():
        variants = tuple(
            sorted((ObservedName(n, counts[n]) for n in names), key=lambda v: (-v.count, v.name))
        )
        canonical = label if planned else to_convention(variants[0].name, plan.naming)
        total = sum(v.count for v in variants)
        groups.append(NameGroup(canonical=canonical, planned=planned, variants=variants, count=total))
    groups.sort(key=lambda group: (-group.count, group.canonical))
    return groups


# --- auto-captured clicks -------------------------------------------------------------------


@dataclass(frozen=True)
class Element:
    """One element of an ``$elements_chain``."""

    tag: str
    classes: tuple[str, ...] = ()
    text: str | None = None
    href: str | None = None
    id: str | None = None
    #: Every other ``key="value"`` of the element, in chain order (``attr__data-attr``...).
    attributes: tuple[tuple[str, str], ...] = ()

    def attribute(self, key: str) -> str | None:
        for name, value in self.attributes:
            if name == key:
                return value
        return None


# Elements end at ";" outside double quotes; a quoted value escapes quotes as \".
_ELEMENT: Final = re.compile(r'(?:[^;"]|"(?:\\.|[^"\\])*"?)+')
# Attributes start at the first ":" followed by a key and "=" (classes may contain ":").
_ATTRIBUTES_START: Final = re.compile(r":(?=[A-Za-z0-9_-]*=)")
_ATTRIBUTE: Final = re.compile(r'([A-Za-z0-9_-]+)="((?:\\.|[^"\\])*)"')
_UNESCAPE: Final = re.compile(r"\\(.)")


def parse_elements_chain(chain: str) -> tuple[Element, ...]:
    """The elements of a PostHog ``$elements_chain``, clicked element first.

    The format (from posthog-js and PostHog's ingestion) is one string per element joined
    by ``;``: the tag, ``.class`` parts, then ``:`` and ``key="value"`` pairs (``text``,
    ``href``, ``nth-child``, ``nth-of-type``, ``attr_id``, ``attr__<attribute>``), quotes
    inside values escaped as ``\\"``. The parser is tolerant: clicks arrive from old SDKs
    and hand-written payloads, so an id written CSS-style (``a#buy``) is read too, and a
    malformed element yields what could be read, never an error.

    >>> [button, div] = parse_elements_chain(
    ...     'button.btn.add-to-cart:attr__id="buy"nth-child="2"text="Add to \\\\"cart\\\\"";div.row:')
    >>> button.tag, button.classes, button.id, button.text, div.classes
    ('button', ('btn', 'add-to-cart'), 'buy', 'Add to "cart"', ('row',))
    """
    elements = []
    for match in _ELEMENT.finditer(chain):
        piece = match.group().strip()
        if not piece:
            continue
        start = _ATTRIBUTES_START.search(piece)
        head, tail = (piece[: start.start()], piece[start.end() :]) if start else (piece.rstrip(":"), "")
        tag, *classes = head.split(".")
        tag, _, written_id = tag.partition("#")  # not PostHog's format, but unambiguous
        fields: dict[str, str] = {}
        others: list[tuple[str, str]] = []
        for key, raw in _ATTRIBUTE.findall(tail):
            value = _UNESCAPE.sub(r"\1", raw)
            if key in ("text", "href", "attr_id", "attr__id") and key not in fields:
                fields[key] = value
            else:
                others.append((key, value))
        elements.append(
            Element(
                tag=tag.strip().lower(),
                classes=tuple(c for c in classes if c),
                text=fields.get("text"),
                href=fields.get("href"),
                id=fields.get("attr_id") or fields.get("attr__id") or written_id or None,
                attributes=tuple(others),
            )
        )
    return tuple(elements)


#: Elements a click is meant for; a click on an icon or a span inside one counts for it.
INTERACTIVE: Final = frozenset({"a", "button", "input", "select", "textarea", "label", "summary", "option"})
#: How far up from the clicked element to look for the element the click was meant for.
_REACH: Final = 3

# A plain CSS identifier: usable after "#" or "." without escaping.
_IDENTIFIER: Final = re.compile(r"-?[A-Za-z_][A-Za-z0-9_-]*")
# Class names and ids written by tools rather than people: CSS-in-JS (css-1x2y3z, sc-abc12,
# jsx-123, emotion-0, svelte-xyz1), framework ids (ember123, :r1:, mui-42), hash suffixes.
_GENERATED_PREFIX: Final = re.compile(r"(css|sc|jsx|emotion|svelte|styled|ember|mui|radix|ng-tns)-|ember\d")
_DIGIT_RUN: Final = re.compile(r"\d{3,}")
_HASH_PART: Final = re.compile(r"(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{5,}")
# Classes that come and go with the element's state: a selector with them misses clicks.
_STATE_CLASSES: Final = frozenset(
    {"active", "current", "disabled", "focus", "focused", "hover", "open", "selected", "show", "visible"}
)
_STATE_PREFIX: Final = re.compile(r"(is|has)-")
#: At most this many classes in a proposed selector: more ties it to today's styling.
MAX_CLASSES: Final = 3
#: Longer element texts are content (a card, a paragraph), not a label to match or name by.
MAX_TEXT: Final = 60


def _generated(token: str) -> bool:
    """Whether a class or id looks machine-made, so it changes with the next deploy."""
    if _GENERATED_PREFIX.match(token) or _DIGIT_RUN.search(token):
        return True
    return any(_HASH_PART.fullmatch(part) for part in re.split(r"[-_]+", token))


def _stable_class(name: str) -> bool:
    return (
        _IDENTIFIER.fullmatch(name) is not None
        and not _generated(name)
        and name not in _STATE_CLASSES
        and not _STATE_PREFIX.match(name)
    )


def _target(elements: Sequence[Element]) -> int:
    """Where in the chain the element a click was meant for is: the clicked one, or the
    link or button around it when the click landed on something inside (an icon, a span),
    which is what the proposal is then named and selected by."""
    if elements[0].tag in INTERACTIVE:
        return 0
    for index, element in enumerate(elements[1 : 1 + _REACH], start=1):
        if element.tag in INTERACTIVE:
            return index
    return 0


def stable_selector(element: Element) -> str:
    """A CSS selector for ``element`` that should survive redeploys: ``tag#id`` when it has
    a hand-written id, else the tag with up to :data:`MAX_CLASSES` hand-written classes
    (``button.add-to-cart``), else the bare tag.

    >>> stable_selector(Element(tag="button", classes=("css-1x2y3z", "add-to-cart", "active")))
    'button.add-to-cart'
    >>> stable_selector(Element(tag="a", id="pricing-link", classes=("nav",)))
    'a#pricing-link'
    """
    tag = element.tag if _IDENTIFIER.fullmatch(element.tag) else "*"
    if element.id and _IDENTIFIER.fullmatch(element.id) and not _generated(element.id):
        return f"{tag}#{element.id}"
    stable = [name for name in dict.fromkeys(element.classes) if _stable_class(name)]
    return tag + "".join(f".{name}" for name in stable[:MAX_CLASSES])


def _click_text(clicked: Element) -> str | None:
    """The label of the click: the clicked element's text, trimmed; none when blank or
    longer than :data:`MAX_TEXT`. Only the clicked element's, and otherwise as sent,
    because an action's text must equal the clicked element's text
    (:mod:`betterheap.query.actions`)."""
    text = (clicked.text or "").strip()
    return text if text and len(text) <= MAX_TEXT else None


def _selector_words(selector: str) -> list[str]:
    """Words naming a selector: those of its id or classes (``a#pricing-link`` -> pricing,
    link), without repeats; none for a bare tag."""
    found: list[str] = []
    for part in re.split(r"[#.]", selector)[1:]:
        found.extend(words(part))
    return list(dict.fromkeys(found))


#: Words of an element text used for a name; a label longer than this is rare.
_NAME_WORDS: Final = 5


def _name_candidates(selector: str, text: str | None) -> list[list[str]]:
    """Word lists to name a click by, best first: its text, then text and selector, then
    the selector, each followed by ``clicked`` (object-action order)."""
    text_words = list(words(text))[:_NAME_WORDS] if text else []
    selector_words = _selector_words(selector)
    candidates = [text_words, text_words + [w for w in selector_words if w not in text_words], selector_words]
    unique = [c for c in dict.fromkeys(tuple(c) for c in candidates) if c]
    return [[*c, "clicked"] for c in unique]


def propose_click_events(
    clicks: Sequence[ObservedClick], plan: TrackingPlan, min_count: int = 20, limit: int = 10
) -> list[ClickProposal]:
    """Named virtual events for the most frequent auto-captured clicks nobody named yet.

    Each click is reduced to the element it was meant for (:func:`stable_selector`) and its
    label (the clicked element's text, up to :data:`MAX_TEXT` characters); clicks with the
    same selector and label are one proposal, whose ``url`` is the page most of them were
    on. When clicks landed inside the element (an icon in a button), the selector also
    matches its descendants (``button.search, button.search *``), since an action's
    selector must match the clicked element itself (:mod:`betterheap.query.actions`). A proposal is named
    object-action from its label or else its selector (``add_to_cart_clicked``), in the
    plan's convention. Left out: fewer than ``min_count`` clicks; no label and no more than
    a bare tag to select by; a name the plan already has, or resolves to a planned event as
    alias, convention or variant; a selector and text an action already matches. When two
    proposals would get one name, the less frequent one takes its selector's words too.
    Most frequent first, at most ``limit``.
    """
    merged: dict[tuple[str, str | None], dict[str | None, int]] = {}
    inside: set[tuple[str, str | None]] = set()  # some clicks landed inside the target
    for click in clicks:
        reduced = _reduce_click(click.elements_chain)
        if reduced is None:
            continue
        selector, text, landed_inside = reduced
        if text is None and not _selector_words(selector):
            continue
        pages = merged.setdefault((selector, text), {})
        pages[click.url] = pages.get(click.url, 0) + click.count
        if landed_inside:
            inside.add((selector, text))

    resolver = NameResolver(plan)
    existing = plan.event_names | {action.name for action in plan.actions}
    taken = set(existing)
    matched = {(action.selector, action.text) for action in plan.actions}
    totals = sorted(
        ((sum(pages.values()), selector, text, pages) for (selector, text), pages in merged.items()),
        key=lambda item: (-item[0], item[1], item[2] or ""),
    )
    proposals: list[ClickProposal] = []
    for count, selector, text, pages in totals:
        if count < min_count or len(proposals) >= limit:
            break
        # Actions require the clicked element to match the selector's last compound.
        full = f"{selector}, {selector} *" if (selector, text) in inside else selector
        if (full, text) in matched:
            continue
        names = [to_convention("_".join(c), plan.naming) for c in _name_candidates(selector, text)]
        names = [name for name in names if NAME.match(name)]
        if not names or names[0] in existing or resolver.resolve(names[0])[1] in _KNOWN:
            continue
        name = next((name for name in names if name not in taken), None)
        if name is None:
            continue
        taken.add(name)
        url = max(pages, key=lambda page: pages[page])
        proposals.append(ClickProposal(name=name, selector=full, text=text, url=url, count=count))
    return proposals


def _reduce_click(elements_chain: str) -> tuple[str, str | None, bool] | None:
    """The stable selector of the element a click was meant for, the clicked element's
    label, and whether the click landed inside that element; None for an empty chain."""
    elements = parse_elements_chain(elements_chain)
    if not elements:
        return None
    target = _target(elements)
    return stable_selector(elements[target]), _click_text(elements[0]), target > 0


def label_click(elements_chain: str, plan: TrackingPlan) -> Action | None:
    """The action a person labeling one clicked element most likely wants, named like
    :func:`propose_click_events` names frequent clicks, or None for an empty chain.

    The selector is the stable selector of the element the click was meant for (with its
    descendants when the click landed inside it); the text is the clicked element's label.
    The name avoids the plan's events and actions (a selector's words are added, then a
    number) and falls back to ``element_clicked`` for a bare tag without a label.

    >>> chain = 'span:text="Add to cart";button.add-to-cart.css-9x8y7z:nth-child="1";form'
    >>> label = label_click(chain, TrackingPlan())
    >>> label.name, label.selector, label.text
    ('add_to_cart_clicked', 'button.add-to-cart, button.add-to-cart *', 'Add to cart')
    >>> label_click(chain, TrackingPlan(actions=(label,))).name
    'add_to_cart_clicked_2'
    """
    reduced = _reduce_click(elements_chain)
    if reduced is None:
        return None
    selector, text, inside = reduced
    full = f"{selector}, {selector} *" if inside else selector
    taken = plan.event_names | {action.name for action in plan.actions}
    names = [to_convention("_".join(c), plan.naming) for c in _name_candidates(selector, text)]
    names = [name for name in names if NAME.match(name)] or [to_convention("element_clicked", plan.naming)]
    name = next((name for name in names if name not in taken), None)
    number = 2
    while name is None:
        candidate = to_convention(f"{names[0]}_{number}", plan.naming)
        name = candidate if candidate not in taken else None
        number += 1
    return Action(name=name, selector=full, text=text)


#: Resolutions meaning the plan already has the name (a misspelling is only a guess).
_KNOWN: Final = frozenset({"exact", "alias", "convention", "variant"})


# --- the learned plan -----------------------------------------------------------------------


#: Names that differ only by a number or an id (``viewed_product_101986``,
#: ``viewed_product_2``...) are one event with the id in its name: from this many names
#: of one shape on, none is proposed as an event (the quality report lists the shape).
DYNAMIC_NAMES: Final = 3
#: An id inside an event name (a number, or a long hex run); the quality report folds
#: names with the same regex in SQL.
DYNAMIC_ID: Final = r"[0-9]+|[0-9a-f]{8,}"
_ID: Final = re.compile(DYNAMIC_ID)


def dynamic_shapes(names: Iterable[str]) -> set[str]:
    """Shapes (ids replaced by ``#``) shared by at least DYNAMIC_NAMES distinct names.

    >>> sorted(dynamic_shapes(["viewed_product_1", "viewed_product_22", "viewed_product_3", "v2_signup"]))
    ['viewed_product_#']
    """
    counts = Counter(_ID.sub("#", name) for name in set(names))
    return {shape for shape, count in counts.items() if count >= DYNAMIC_NAMES and "#" in shape}


def learned_plan(
    plan: TrackingPlan, groups: Sequence[NameGroup], clicks: Sequence[ClickProposal], min_count: int = 1
) -> TrackingPlan:
    """``plan`` with what the observed events teach it, for its owner to review.

    - A group of a planned event adds, as aliases, its raw names the plan does not already
      resolve to that event (after the aliases listed, in order, without repeats).
    - A group of no planned event with at least ``min_count`` events becomes a planned
      event named by the group, described "Seen N times as: a, b" and aliased by its other
      names — unless its name is one of many of the same shape (:func:`dynamic_shapes`).
      A group whose name is not a valid event name (``2_fa_enabled``, non-ASCII) is
      left out; one whose name the plan already has adds aliases as above, which makes
      learning twice from the same groups a no-op.
    - Each click proposal becomes an :class:`Action` unless the plan has the name.

    An alias another event already has is never added: an alias names one event.
    """
    resolver = NameResolver(plan)
    events = {event.name: event for event in plan.events}
    claimed = {alias: event.name for event in plan.events for alias in event.aliases}
    action_names = {action.name for action in plan.actions}

    def add_aliases(event_name: str, names: Sequence[str]) -> None:
        event = events[event_name]
        fresh = []
        for name in dict.fromkeys(names):
            if name == event_name or name in events or name in event.aliases:
                continue
            if claimed.setdefault(name, event_name) == event_name:  # else another event's alias
                fresh.append(name)
        if fresh:
            events[event_name] = event.model_copy(update={"aliases": (*event.aliases, *fresh)})

    dynamic = dynamic_shapes(group.canonical for group in groups if not group.planned)
    for group in groups:
        names = [variant.name for variant in group.variants if not variant.name.startswith(RESERVED_PREFIX)]
        if group.canonical in events:
            event = group.canonical
            add_aliases(event, [name for name in names if resolver.resolve(name)[0] != event])
        elif not group.planned and group.count >= min_count:
            if not NAME.match(group.canonical) or group.canonical in action_names | claimed.keys():
                continue
            if _ID.sub("#", group.canonical) in dynamic:
                continue
            seen_as = ", ".join(variant.name for variant in group.variants)
            events[group.canonical] = PlannedEvent(
                name=group.canonical, description=f"Seen {group.count} times as: {seen_as}"
            )
            add_aliases(group.canonical, names)

    actions = list(plan.actions)
    for proposal in clicks:
        if proposal.name in events or proposal.name in action_names:
            continue
        action_names.add(proposal.name)
        where = f", most often on {proposal.url}" if proposal.url else ""
        actions.append(
            Action(
                name=proposal.name,
                selector=proposal.selector,
                text=proposal.text,
                description=f"Proposed from {proposal.count} auto-captured clicks{where}",
            )
        )
    return plan.model_copy(update={"events": tuple(events.values()), "actions": tuple(actions)})


def kept_from(plan: TrackingPlan, deployed: TrackingPlan) -> TrackingPlan:
    """A proposal that keeps what the deployed plan has and the interview never asks about,
    so approving it does not silently throw work away:

    - events of the deployed plan the proposal has under no name nor alias (events the team
      added by hand), with their properties;
    - its actions not named in the proposal;
    - its internal traffic rules (IPs and hosts), merged with the proposal's.

    The person sees them in the review and can drop them there.

    >>> from betterheap.taxonomy.plan import Action, Filters, PlannedEvent
    >>> deployed = TrackingPlan(
    ...     events=(PlannedEvent(name="search_performed"), PlannedEvent(name="order_completed")),
    ...     actions=(Action(name="buy_clicked", selector="button.buy"),),
    ...     filters=Filters(internal_ips=("10.0.0.0/8",)))
    >>> proposal = TrackingPlan(events=(PlannedEvent(name="order_completed"),))
    >>> kept = kept_from(proposal, deployed)
    >>> sorted(kept.event_names), [a.name for a in kept.actions], kept.filters.internal_ips
    (['order_completed', 'search_performed'], ['buy_clicked'], ('10.0.0.0/8',))
    """
    known = set(plan.event_names) | {alias for event in plan.events for alias in event.aliases}
    action_names = {action.name for action in plan.actions}
    events = (
        *plan.events,
        *(e for e in deployed.events if e.name not in known and e.name not in action_names),
    )
    names = {event.name for event in events}
    actions = (*plan.actions, *(a for a in deployed.actions if a.name not in action_names | names))
    filters = plan.filters.model_copy(
        update={
            "internal_ips": tuple(
                dict.fromkeys((*plan.filters.internal_ips, *deployed.filters.internal_ips))
            ),
            "internal_hosts": tuple(
                dict.fromkeys((*plan.filters.internal_hosts, *deployed.filters.internal_hosts))
            ),
        }
    )
    return plan.model_copy(update={"events": events, "actions": actions, "filters": filters})
