"""Event names as people actually send them, mapped onto the names a tracking plan expects.

Teams send the same action as ``AddToCart``, ``add-to-cart``, ``Add To Cart`` and
``cart_add``; a plan names it once. This module splits names into words, renders them in a
naming convention, computes a grouping key under which variants of one action collide, and
resolves an arriving name to its planned event with a :class:`NameResolver` that the loader
calls on every event (so it memoizes, and it pickles to the worker process).

Everything here depends only on :func:`words` of a name, which is what makes conventions
idempotent and resolution stable.

>>> words("HTMLParser2Go")
('html', 'parser', '2', 'go')
>>> to_convention("Add To Cart", "camelCase")
'addToCart'
>>> variant_key("added_to_cart") == variant_key("CartAdd")
True
"""

from __future__ import annotations

import unicodedata
from itertools import pairwise
from typing import Final, Literal

from betterheap.taxonomy.plan import NamingConvention, TrackingPlan

__all__ = ["NameMatch", "NameResolver", "to_convention", "variant_key", "words"]

#: How :meth:`NameResolver.resolve` found the canonical name of a raw event name.
#:
#: ``exact``: a planned event name as sent. ``reserved``: an SDK event (``$pageview``...),
#: kept as sent. ``alias``: one of a planned event's aliases, as sent or once both are put
#: in the plan's naming convention. ``convention``: a planned name once both are put in the
#: plan's naming convention. ``variant``: the same words up to inflection, order and filler
#: words (:func:`variant_key`). ``misspelling``: a near spelling of exactly one planned name
#: or alias. ``unplanned``: none of these; the canonical name is the raw name in the plan's
#: convention.
NameMatch = Literal["exact", "reserved", "alias", "convention", "variant", "misspelling", "unplanned"]

#: A name starting with this belongs to an SDK (``$pageview``, ``$autocapture``,
#: ``$identify``): its spelling is a contract with the SDK, so it is never renamed.
RESERVED_PREFIX: Final = "$"

# Character kinds for splitting words.
_SEPARATOR: Final = 0
_UPPER: Final = 1
_LOWER: Final = 2  # lowercase, or a letter without case (CJK, marks, ...)
_DIGIT: Final = 3


def _kind(char: str) -> int:
    """The kind of one character, with "upper" only when lowering it round-trips.

    Unicode casing is not always a bijection (``ß`` upper-cases to ``SS``, ``İ`` lower-cases
    to two characters); treating only round-tripping characters as upper case is what keeps
    ``words(to_convention(x))`` equal to ``words(x)`` for any text.
    """
    if char.isdecimal():
        return _DIGIT
    if not (char.isalnum() or unicodedata.category(char).startswith("M")):
        return _SEPARATOR
    lower = char.lower()
    if len(lower) == 1 and lower != char and lower.upper() == char:
        return _UPPER
    return _LOWER


_ASCII_KINDS: Final = tuple(_kind(chr(code)) for code in range(128))


def _kind_of(char: str) -> int:
    code = ord(char)
    return _ASCII_KINDS[code] if code < 128 else _kind(char)


def _split(name: str) -> list[str]:
    """Words of ``name`` in their original case (see :func:`words`)."""
    found: list[str] = []
    current: list[str] = []
    kinds = [_kind_of(char) for char in name]
    for index, char in enumerate(name):
        kind = kinds[index]
        if kind == _SEPARATOR:
            if current:
                found.append("".join(current))
                current = []
            continue
        if current:
            before = kinds[index - 1]
            after = kinds[index + 1] if index + 1 < len(name) else _SEPARATOR
            if (
                (before == _DIGIT) != (kind == _DIGIT)  # letters and digits: "step2" -> step, 2
                or (before == _LOWER and kind == _UPPER)  # camelCase: "addTo" -> add, To
                or (before == _UPPER and kind == _UPPER and after == _LOWER)  # "HTMLParser"
            ):
                found.append("".join(current))
                current = []
        current.append(char)
    if current:
        found.append("".join(current))
    return found


def _lower(word: str) -> str:
    return "".join(char.lower() if _kind_of(char) == _UPPER else char for char in word)


def _capitalize(word: str) -> str:
    """``word`` with its first character upper-cased when that round-trips (else as is)."""
    first = word[0]
    upper = first.upper()
    if len(upper) == 1 and upper != first and _kind_of(upper) == _UPPER and upper.lower() == first:
        return upper + word[1:]
    return word


def words(name: str) -> tuple[str, ...]:
    """The lowercase words of an event name, whatever convention it was written in.

    Words end at separators (anything but letters and digits: space ``_ - . : /``...), at a
    lower-to-upper case change, before the last capital of an acronym followed by a lowercase
    letter, and between letters and digits. Every other function of this module depends on a
    name only through its words, which is why ``AddToCart`` and ``add-to-cart`` are one name.

    >>> words("AddToCart"), words("add-to-cart"), words("Add To Cart"), words("addToCart")
    (('add', 'to', 'cart'), ('add', 'to', 'cart'), ('add', 'to', 'cart'), ('add', 'to', 'cart'))
    >>> words("$pageview"), words("step2Done"), words("")
    (('pageview',), ('step', '2', 'done'), ())
    """
    return tuple(_lower(word) for word in _split(name))


def _glued(parts: list[str]) -> str:
    """Join rendered words without separators, except where the join would merge two words.

    ``a`` ``B`` ``C`` would read back as ``a``, ``bc`` and ``1`` ``2`` as ``12``; an
    underscore between those keeps the words intact. Whether a join merges depends only on
    the two words at hand (a word boundary looks at most one character past it and every
    rendered word is one case run), so checking pairs is enough.
    """
    out = [parts[0]]
    for before, after in pairwise(parts):
        if len(_split(before + after)) != 2:
            out.append("_")
        out.append(after)
    return "".join(out)


def to_convention(name: str, convention: NamingConvention) -> str:
    """``name`` rewritten in a naming convention: the form a plan's event names take.

    Idempotent, and it keeps the words: ``words(to_convention(x, c)) == words(x)``. SDK names
    (``$pageview``) are returned unchanged, and so is a name without any word (``"--"``).
    In camelCase and PascalCase an ``_`` is kept where dropping the separator would merge
    two words (``a_b_c`` -> ``aB_C``, ``v1_2`` -> ``v1_2``).

    >>> [to_convention("Order completed", c) for c in ("snake_case", "camelCase", "PascalCase")]
    ['order_completed', 'orderCompleted', 'OrderCompleted']
    >>> to_convention("order_completed", "Title Case"), to_convention("$pageview", "PascalCase")
    ('Order Completed', '$pageview')
    """
    if name.startswith(RESERVED_PREFIX):
        return name
    found = words(name)
    if not found:
        return name
    if convention == "snake_case":
        return "_".join(found)
    if convention == "Title Case":
        return " ".join(_capitalize(word) for word in found)
    if convention == "camelCase":
        return _glued([found[0], *(_capitalize(word) for word in found[1:])])
    return _glued([_capitalize(word) for word in found])


# --- variant keys ---------------------------------------------------------------------------

#: Filler words that do not change which action a name means. When a name has nothing
#: else (``button``), its words are kept so it does not collide with every other such name.
STOP_WORDS: Final = frozenset({"to", "the", "a", "an", "on", "in", "of", "for", "button", "btn", "event"})

#: Inflections the suffix rules below get wrong, mapped to their base form.
IRREGULAR: Final[dict[str, str]] = {
    "paid": "pay",
    "sent": "send",
    "spent": "spend",
    "bought": "buy",
    "sold": "sell",
    "made": "make",
    "gave": "give",
    "given": "give",
    "got": "get",
    "gotten": "get",
    "lost": "lose",
    "won": "win",
    "saw": "see",
    "seen": "see",
    "began": "begin",
    "begun": "begin",
    "chose": "choose",
    "chosen": "choose",
    "wrote": "write",
    "written": "write",
    "took": "take",
    "taken": "take",
    "found": "find",
    "built": "build",
    "went": "go",
    "gone": "go",
    "did": "do",
    "done": "do",
    "shown": "show",
    "hid": "hide",
    "hidden": "hide",
    "cancelled": "cancel",
    "cancelling": "cancel",
    "labelled": "label",
    "travelled": "travel",
    "modelled": "model",
}

#: Verb + particle pairs written as one word as often as two (``signup``, ``signed_up``).
#: Both forms become the one-word stem so they collide, and the particle survives the
#: stop words (``sign_in`` must not collide with ``sign``).
PHRASAL: Final = frozenset(
    {
        ("sign", "up"),
        ("sign", "in"),
        ("sign", "out"),
        ("log", "in"),
        ("log", "out"),
        ("check", "out"),
        ("opt", "in"),
        ("opt", "out"),
        ("set", "up"),
    }
)

_VOWELS: Final = frozenset("aeiouy")


def _stem(word: str) -> str:
    """A crude stem under which a word's inflections collide: ``added``, ``adds``,
    ``adding`` and ``add`` all give ``ad``; ``completed`` and ``complete`` give ``complet``.

    Deliberately tiny (plural and -ed/-ing suffixes, a final ``e``, a doubled final
    consonant, a short irregulars table): the stems only need to agree with each other
    within one plan's names, they are never shown. Consistency matters more than
    correctness, which is why a doubled consonant is dropped even without a suffix
    (``add`` -> ``ad``, like ``added`` -> ``add`` -> ``ad``).
    """
    word = IRREGULAR.get(word, word)
    if len(word) > 3 and word.endswith("s"):
        if word.endswith("sses"):
            word = word[:-2]
        elif word.endswith("ies") and len(word) > 4:
            word = word[:-3] + "y"
        elif not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    if word.endswith("ied") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("ed") and not word.endswith("eed"):
        base = word[:-2]
        if len(base) >= 2 and _VOWELS.intersection(base):
            word = base
    elif word.endswith("ing"):
        base = word[:-3]
        if len(base) >= 2 and _VOWELS.intersection(base):
            word = base
    if len(word) >= 3 and word.endswith("e") and not word.endswith("ee"):
        word = word[:-1]
    if len(word) >= 3 and word[-1] == word[-2] and word[-1] not in _VOWELS and word[-1] not in "lsz":
        word = word[:-1]
    return word


def variant_key(name: str) -> str:
    """A key under which variants of one action collide, for grouping names.

    The words of the name, stemmed, with verb-particle pairs joined (``sign up`` ->
    ``signup``), filler words dropped (:data:`STOP_WORDS`) and sorted, so the key ignores
    case, separators, inflection and word order. It is a grouping key, not a name: do not
    show it.

    >>> keys = {variant_key(n) for n in ("add_to_cart", "AddToCart", "cart_add", "added-to-cart")}
    >>> keys
    {'ad cart'}
    >>> variant_key("product_added") == variant_key("ProductAdd") == variant_key("added product")
    True
    >>> variant_key("signup") == variant_key("signed_up") != variant_key("signed_in")
    True
    """
    stems = [_stem(word) for word in words(name)]
    joined: list[str] = []
    for stem in stems:
        if joined and (joined[-1], stem) in PHRASAL:
            joined[-1] = _stem(joined[-1] + stem)
        else:
            joined.append(stem)
    kept = [stem for stem in joined if stem not in STOP_WORDS] or joined
    return " ".join(sorted(kept))


# --- misspellings ---------------------------------------------------------------------------


def spelling_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: insertions, deletions,
    substitutions and swaps of two neighbours, each costing 1), or ``limit + 1`` as soon as
    it is known to exceed ``limit`` — resolution only asks "is it within 1 or 2".

    >>> spelling_distance("prodcut_viewed", "product_viewed", 2)
    1
    >>> spelling_distance("order_shipped", "order_completed", 2)
    3
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def misspelling_limit(planned: str) -> int:
    """How many edits a raw name may be from a planned (snake_case) name and still be taken
    for it: none under 4 characters (``nav`` vs ``tab`` is not a typo), 1 up to 8, else 2."""
    if len(planned) < 4:
        return 0
    return 1 if len(planned) <= 8 else 2


# --- resolution -----------------------------------------------------------------------------


class NameResolver:
    """Maps every arriving event name to its canonical name under one tracking plan.

    Built once per deployed plan and called for every ingested event, so the indexes are
    computed here and each raw name is resolved once: later calls are one dict lookup. The
    memo is cleared when it passes :attr:`CACHE_LIMIT` names so a client sending random
    names cannot grow it without bound. Only plain dicts and tuples inside: it pickles to
    the loader's worker process.

    The rules, first match wins (see :data:`NameMatch`): planned name; ``$`` SDK name;
    alias; planned name in the plan's convention (``convention``) or alias in the plan's
    convention (``alias``); the variant key of exactly one planned event's name or aliases
    (``variant``); within :func:`misspelling_limit` edits of the snake_case form of a
    planned name or alias, with one event strictly closest (``misspelling``). Otherwise
    the raw name in the plan's convention (``unplanned``). Plan actions are not consulted:
    they are matched from auto-captured events, never sent by name.

    Resolving a canonical name again gives the same name, so resolution can be re-run on
    stored events.

    >>> from betterheap.taxonomy.plan import PlannedEvent
    >>> plan = TrackingPlan(events=(PlannedEvent(name="product_added", aliases=("add_to_cart",)),))
    >>> resolver = NameResolver(plan)
    >>> [resolver.resolve(n) for n in ("AddToCart", "cart_add", "prodcut_added", "Wishlisted")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('product_added', 'alias'), ('product_added', 'variant'), ('product_added', 'misspelling'),
     ('wishlisted', 'unplanned')]
    """

    #: The memo is emptied when it holds more names than this.
    CACHE_LIMIT: Final = 100_000

    def __init__(self, plan: TrackingPlan) -> None:
        self.naming: NamingConvention = plan.naming
        self._planned: frozenset[str] = plan.event_names
        self._aliases: dict[str, str] = {
            alias: event.name for event in plan.events for alias in event.aliases
        }
        self._conventional = self._conventional_index(plan)
        self._variants = self._variant_index(plan)
        self._spellings: tuple[tuple[str, str, int], ...] = tuple(
            dict.fromkeys(
                (snake, event.name, misspelling_limit(snake))
                for event in plan.events
                for snake in (to_convention(name, "snake_case") for name in (event.name, *event.aliases))
            )
        )
        self._cache: dict[str, tuple[str, NameMatch]] = {}

    def _conventional_index(self, plan: TrackingPlan) -> dict[str, tuple[str, NameMatch]]:
        """Convention forms of planned names ("convention") and aliases ("alias").

        A name or alias already in the convention owns its own form, so resolving a form
        agrees with resolving the same string exactly (which keeps resolution stable). Any
        other form two events would share at the same rank is left out: guessing between
        them would silently count one event's traffic as the other's. Names outrank aliases.
        """
        index: dict[str, tuple[str, NameMatch]] = {}
        for event in plan.events:
            if to_convention(event.name, self.naming) == event.name:
                index[event.name] = (event.name, "convention")
        for event in plan.events:
            for alias in event.aliases:
                if to_convention(alias, self.naming) == alias:
                    index.setdefault(alias, (event.name, "alias"))
        fixed = set(index)
        ambiguous: set[str] = set()

        def claim(name: str, event: str, match: NameMatch) -> None:
            form = to_convention(name, self.naming)
            if form in fixed or form in ambiguous:
                return
            known = index.get(form)
            if known is None:
                index[form] = (event, match)
            elif known[0] != event and known[1] == match:
                del index[form]
                ambiguous.add(form)

        for event in plan.events:
            claim(event.name, event.name, "convention")
        for event in plan.events:
            for alias in event.aliases:
                claim(alias, event.name, "alias")
        return index

    @staticmethod
    def _variant_index(plan: TrackingPlan) -> dict[str, str]:
        """Variant keys of planned names and aliases -> event, for keys of one event only."""
        owners: dict[str, set[str]] = {}
        for event in plan.events:
            for name in (event.name, *event.aliases):
                owners.setdefault(variant_key(name), set()).add(event.name)
        return {key: next(iter(events)) for key, events in owners.items() if len(events) == 1}

    def resolve(self, raw: str) -> tuple[str, NameMatch]:
        """The canonical name of ``raw`` and how it was found (see the class docstring)."""
        hit = self._cache.get(raw)
        if hit is not None:
            return hit
        if len(self._cache) >= self.CACHE_LIMIT:
            self._cache.clear()
        found = self._cache[raw] = self._resolve(raw)
        return found

    def _resolve(self, raw: str) -> tuple[str, NameMatch]:
        if raw in self._planned:
            return raw, "exact"
        if raw.startswith(RESERVED_PREFIX):
            return raw, "reserved"
        event = self._aliases.get(raw)
        if event is not None:
            return event, "alias"
        conventional = to_convention(raw, self.naming)
        found = self._conventional.get(conventional)
        if found is not None:
            return found
        event = self._variants.get(variant_key(raw))
        if event is not None:
            return event, "variant"
        event = self._misspelled(raw)
        if event is not None:
            return event, "misspelling"
        return conventional, "unplanned"

    def _misspelled(self, raw: str) -> str | None:
        """The one planned event ``raw`` is a near spelling of, if exactly one is closest.

        Closest is over all planned names and aliases, even those too short to match: if a
        short name is nearer than the long one that is within its limit, the raw name is
        not clearly a typo of the long one.
        """
        snake = to_convention(raw, "snake_case")
        best = 3  # no limit is above 2
        events: set[str] = set()
        limit = 0
        for planned, event, planned_limit in self._spellings:
            distance = spelling_distance(snake, planned, best)
            if distance < best:
                best, events, limit = distance, {event}, planned_limit
            elif distance == best and distance <= 2:
                events.add(event)
                limit = max(limit, planned_limit)
        if len(events) == 1 and best <= limit:
            return next(iter(events))
        return None
