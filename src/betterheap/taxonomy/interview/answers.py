"""Reading answers the way a person types them.

The same interview runs in a terminal, a web form and a browser extension, so answers
arrive as free text: "1,3", "all", "add to cart and checkout", "online store", "buyers,
sellers". These functions turn that text into values, or raise ``AnswerError`` with a
message that says what would have worked, since the person reads it and types again.

>>> OPTIONS = (Option("ecommerce", "E-commerce store", ("online store", "shop")),
...            Option("saas", "SaaS product"))
>>> pick_one("I run an online store", OPTIONS)
'ecommerce'
>>> pick_many("2 and shop, other: shared a playlist", OPTIONS)
(['ecommerce', 'saas'], ['shared a playlist'])
>>> split_list("buyers, sellers and admins")
['buyers', 'sellers', 'admins']
>>> object_action("shared a playlist")
'playlist_shared'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final


class AnswerError(ValueError):
    """An answer the interview cannot use; the message tells the person what to type."""


@dataclass(frozen=True)
class Option:
    """A choice: the value stored, the label shown, and other words that mean it."""

    value: str
    label: str
    synonyms: tuple[str, ...] = ()


#: Answers that mean "nothing to add" for a question that can be skipped.
SKIP: Final = frozenset({"", "skip", "none", "no", "nope", "n a", "na", "nothing", "pass", "next"})
ALL: Final = frozenset({"all", "all of them", "everything", "every one", "all of the above"})

_LIST_SEPARATORS: Final = re.compile(r"\s*(?:[,;\n]|\band\b|&|\bplus\b)\s*", re.IGNORECASE)
_OTHER: Final = re.compile(r"\b(?:others?|also|custom)\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)
_RANGE: Final = re.compile(r"^(\d+)\s*-\s*(\d+)$")


def normalize(text: str, *, split_camel: bool = True) -> str:
    """Lower case words separated by single spaces: "E-commerce", "e_commerce" agree, and
    "AddToCart" reads as "add to cart" (unless ``split_camel`` is off, for values like PayPal)."""
    spaced = re.sub(r"([a-z0-9])([A-Z][a-z])", r"\1 \2", text.strip()) if split_camel else text.strip()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", spaced.lower()).split())


def is_skip(text: str) -> bool:
    return normalize(text) in SKIP


def split_list(text: str) -> list[str]:
    """Items of a list typed with commas, semicolons, new lines or "and"."""
    items = (item.strip(" \t.-*•'\"") for item in _LIST_SEPARATORS.split(text))
    return [item for item in items if item]


def describe(options: Sequence[Option]) -> str:
    """The options as a person reads them in an error message."""
    return "; ".join(f"{i}. {o.label} ({o.value})" for i, o in enumerate(options, 1))


def pick_one(text: str, options: Sequence[Option]) -> str:
    """The option a person meant, by number, value, label or any word that names it."""
    answer = text.strip()
    if answer.isascii() and answer.isdigit():  # not "²", which isdigit() but int() refuses
        index = int(answer)
        if 1 <= index <= len(options):
            return options[index - 1].value
        raise AnswerError(f"There is no choice {index}. Choose one of: {describe(options)}.")
    found = _match(answer, options)
    if found is None:
        raise AnswerError(f"I did not understand {answer!r}. Choose one of: {describe(options)}.")
    return found


def pick_many(text: str, options: Sequence[Option]) -> tuple[list[str], list[str]]:
    """The options picked (in option order) and the free words after "other:".

    Accepts "1,3,4", "1-3", "all", names and labels, mixed freely.
    """
    answer = text.strip()
    others: list[str] = []
    other = _OTHER.search(answer)
    if other:
        others = split_list(other.group(1))
        answer = answer[: other.start()]
    if normalize(answer) in ALL:
        return [o.value for o in options], others
    picked: set[str] = set()
    unknown: list[str] = []
    for item in split_list(answer):
        numbers = _numbers(item, len(options))
        if numbers is not None:
            picked.update(options[n - 1].value for n in numbers)
            continue
        try:
            found = _match(item, options)
        except AnswerError as error:
            raise AnswerError(f"{error} Choose from: {describe(options)}.") from None
        if found is None:
            unknown.append(item)
        else:
            picked.add(found)
    if unknown:
        raise AnswerError(
            f"I did not recognise {', '.join(repr(u) for u in unknown)}. Choose from: {describe(options)}. "
            'Numbers like "1,3", "all", or add your own with "other: shared a playlist".'
        )
    if not picked and not others:
        raise AnswerError(
            f'Pick at least one, by number ("1,3"), "all", or names. Choices: {describe(options)}.'
        )
    return [o.value for o in options if o.value in picked], others


def _numbers(item: str, count: int) -> list[int] | None:
    """Numbers in "3", "1 3 4" or "2-5"; None when the item is not numbers."""
    ranged = _RANGE.match(item)
    if ranged:
        numbers = list(range(int(ranged.group(1)), int(ranged.group(2)) + 1))
    elif re.fullmatch(r"\d+(?:\s+\d+)*", item):
        numbers = [int(n) for n in item.split()]
    else:
        return None
    wrong = [n for n in numbers if not 1 <= n <= count]
    if wrong or not numbers:
        raise AnswerError(f"There is no choice {wrong[0] if wrong else item}; the choices are 1 to {count}.")
    return numbers


def _match(text: str, options: Sequence[Option]) -> str | None:
    """The one option ``text`` names, trying stricter tests first.

    Values and labels win over synonyms, and whole matches over partial ones, so "checkout"
    means "start checkout" even though "checkout completed" is an alias of placing an order.
    """
    said = normalize(text)
    if not said:
        return None
    primary = [(o.value, (normalize(o.value), normalize(o.label))) for o in options]
    secondary = [(o.value, tuple(normalize(s) for s in o.synonyms)) for o in options]
    # Each test scores a candidate name (0: no match); the best score wins, a tie is ambiguous.
    # A phrase found in the answer scores its length: in "AI chat app", "ai chat" beats "app".
    tests: tuple[Callable[[str], int], ...] = (
        lambda name: int(name == said),
        lambda name: len(name) if f" {name} " in f" {said} " else 0,
        lambda name: int(set(said.split()) <= set(name.split())),
    )
    for test in tests:
        for names in (primary, secondary):
            scores = {value: max((test(c) for c in names_ if c), default=0) for value, names_ in names}
            best = max(scores.values(), default=0)
            found = [value for value, score in scores.items() if best and score == best]
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                labels = ", ".join(f"{o.label} ({o.value})" for o in options if o.value in found)
                raise AnswerError(f"{text.strip()!r} could mean several: {labels}. Say which.")
    everything = {c: value for value, candidates in primary + secondary for c in candidates if c}
    close = difflib.get_close_matches(said, list(everything), n=3, cutoff=0.8)
    if close and len({everything[c] for c in close}) == 1:
        return everything[close[0]]
    return None


def snake(text: str) -> str:
    """``text`` as a snake_case identifier: "Apple Pay" → "apple_pay", "PayPal" → "paypal"."""
    words = normalize(text, split_camel=False).split()
    name = "_".join(words)
    return name if not name[:1].isdigit() else f"n_{name}"


_PLURAL_KEEP: Final = frozenset({"news", "series", "species", "analytics", "status", "canvas", "sms"})


def singular(word: str) -> str:
    """A naive singular for typed lists of kinds ("buyers" → "buyer", "videos" → "video").

    Only used for roles and content types, where the app sends one kind per event.
    """
    if word in _PLURAL_KEEP or word.endswith(("ss", "us", "is")) or len(word) <= 3:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


def values_of(text: str, *, style: str = "snake") -> tuple[str, ...]:
    """A typed list as values: ``snake`` ("Apple Pay" → apple_pay), ``singular`` (buyers →
    buyer) or ``verbatim`` (model ids like "gpt-4o" stay as typed). Duplicates dropped."""
    values: list[str] = []
    for item in split_list(text):
        if style == "verbatim":
            value = item.strip()
        elif style == "singular":
            *head, last = snake(item).split("_")
            value = "_".join([*head, singular(last)])
        else:
            value = snake(item)
        if value and value not in values:
            values.append(value)
    return tuple(values)


_IRREGULAR: Final = {
    "send": "sent",
    "buy": "bought",
    "pay": "paid",
    "make": "made",
    "read": "read",
    "write": "written",
    "sell": "sold",
    "build": "built",
    "find": "found",
    "give": "given",
    "take": "taken",
    "see": "seen",
    "win": "won",
    "lose": "lost",
    "leave": "left",
    "run": "run",
    "set": "set",
    "put": "put",
    "begin": "begun",
    "get": "got",
}
_DOUBLED: Final = frozenset({"stop", "plan", "chat", "ship", "drop", "tag", "pin", "shop", "skip", "submit"})
_VERBS: Final = frozenset(
    {
        *_IRREGULAR,
        *_DOUBLED,
        *"""add apply approve archive book bookmark call cancel change check click close comment complete
        connect copy create delete download edit enable disable end enter export favorite fill finish follow
        generate import install invite join like load log open order play post print publish purchase rate
        redeem register remove rename reply report request reset restore save schedule search select share
        sign start subscribe sync track unfollow unsubscribe update upgrade downgrade upload use verify view
        visit vote watch withdraw answer ask accept reject deploy invoice refund review star""".split(),
    }
)
_PARTICLES: Final = frozenset({"up", "in", "out", "off", "on", "down", "back"})
_FILLER: Final = frozenset(
    {"a", "an", "the", "to", "my", "our", "their", "his", "her", "your", "some", "new"}
)


def past(verb: str) -> str:
    """The past participle object_action names end with: share → shared, stop → stopped."""
    if verb in _IRREGULAR:
        return _IRREGULAR[verb]
    if verb in _DOUBLED:
        return verb + verb[-1] + "ed"
    if verb.endswith("e"):
        return verb + "d"
    if len(verb) > 2 and verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"


def object_action(phrase: str) -> str:
    """An event name in our object_action grammar from words a person typed.

    "share a playlist" and "shared a playlist" both give ``playlist_shared``; words that do
    not start with a known verb are kept in order ("playlist shared" → ``playlist_shared``).
    """
    words = normalize(phrase).split()
    if not words:
        return ""
    verb, rest = words[0], [w for w in words[1:] if w not in _FILLER]
    if verb in _VERBS:
        action = past(verb)
    elif verb.endswith("ed") and len(verb) > 4 and rest:
        action = verb
    else:
        return snake(" ".join(words))
    if rest and rest[0] in _PARTICLES:  # "sign up" → signed_up, "set up a workspace" → workspace_set_up
        action, rest = f"{action} {rest[0]}", rest[1:]
    return snake(" ".join([*rest, action]))


def closest(name: str, candidates: Iterable[str]) -> str:
    """ "Did you mean ..." text for a name that is not there, or the names that are."""
    names = sorted(set(candidates))
    near = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if near:
        return f"Did you mean {' or '.join(near)}?"
    shown = ", ".join(names[:30]) + (", ..." if len(names) > 30 else "")
    return f"There are: {shown}." if names else "There are none yet."
