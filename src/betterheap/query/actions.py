r"""Actions: auto-captured clicks matched after the fact by CSS selector, text and page URL.

An :class:`~betterheap.taxonomy.plan.Action` is compiled into a predicate over the events
table, so naming an action today counts last month's clicks too. Each condition is a
regular expression (or a LIKE pattern) bound as a parameter: the selector, text and URL
come from users, and never enter SQL text.

The element chain (:mod:`betterheap.pipeline.elements`) lists the clicked element first,
then its ancestors, separated by ``;``. Like PostHog, we match selectors with a regex over
that string; the regex here follows the chain's grammar element by element, so

* every condition of one compound lands in one element, and ``>`` means the very next
  element of the chain while a space skips whole elements only;
* classes match exactly: ``.btn`` is not satisfied by ``btn-primary`` nor by Tailwind's
  ``md:btn``, and ``[data-x="1"]`` is not satisfied by a ``data-x`` of ``"10"``;
* a ``;`` or ``"`` inside a text or attribute value cannot end an element early.

Unlike PostHog, which accepts a match anywhere in the chain, the clicked element itself
must satisfy the last compound. A click on a button's own text reports the button, but a
click on an icon or a ``span`` inside it starts the chain at that inner element: write
``button.buy, button.buy *`` to count both.

The supported CSS is a subset that the chain can answer: type selectors (``button``,
``*``), ``#id``, ``.class``, ``[attr]`` and ``[attr="value"]`` (quoted or bare value),
combined into compounds (``a.nav#home[target=_blank]``), joined by descendant (space) or
child (``>``) combinators, in comma-separated lists. Pseudo-classes, sibling combinators
(``+``, ``~``), attribute operators other than ``=`` and namespaces raise ``ValueError``
with the reason. The generated regexes use only RE2 syntax (no lookaround, no
backreferences), so DuckDB's ``regexp_matches`` and Python's ``re`` agree on them.

>>> import re
>>> pattern = selector_pattern("form#checkout > button.buy")
>>> def matches(chain: str) -> bool:
...     return re.search(pattern, chain) is not None
>>> matches('button.btn.buy:nth-child="1"nth-of-type="1"text="Pay";form:attr__id="checkout"')
True
>>> matches('button.buy-now:nth-child="1"nth-of-type="1";form:attr__id="checkout"')
False
>>> matches('button.buy:text="Pay";div.row;form:attr__id="checkout"')
False
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations
from typing import Final

from sqlglot import exp

from betterheap.query.build import EVENT_ALIAS, Params, col
from betterheap.taxonomy.plan import Action

#: The event name auto-captured interactions arrive under.
AUTOCAPTURE: Final = "$autocapture"

#: Attribute conditions of one compound are matched in any order (the SDKs sort the
#: chain's keys, but not all by the same collation), which costs n! alternatives.
MAX_ATTRIBUTES: Final = 4

# --- The chain's grammar as RE2 fragments -------------------------------------------------
# A quoted value. PostHog escapes `"` as \" and nothing else, so a backslash is itself,
# optionally escaping a quote; where a value ends with a backslash either reading is tried.
_VALUE: Final = r'(?:[^"\\]|\\"?)*'


def _not_prefixed(prefix: str, alphabet: str) -> str:
    """Non-empty runs of ``alphabet`` characters that do not start with ``prefix``.

    Spelled out (RE2 has no lookahead) so that no key parses two ways: a backtracking
    engine such as Python's ``re`` would otherwise try both readings of every key it skips.

    >>> keys = re.compile(_not_prefixed("ab", "abc"))
    >>> [bool(keys.fullmatch(key)) for key in ("a", "ac", "ca", "ab", "abc")]
    [True, True, True, False, False]
    """
    rest = _char_class(alphabet) + "*"
    after: str | None = None  # what may follow prefix[: i + 1] (None: nothing, it is taken)
    for char in reversed(prefix):
        others = _char_class(set(alphabet) - {char}) + rest
        after = f"(?:{others}|{re.escape(char)}{after})?" if after is not None else f"(?:{others})?"
    assert after is not None and after.endswith("?"), "a non-empty prefix"
    return after.removesuffix("?")


def _char_class(chars: Iterable[str]) -> str:
    r"""A bracket expression for ASCII ``chars``, with runs written as ranges.

    >>> _char_class("-_0123456789abcdz")
    '[\\-0-9_a-dz]'
    """
    codes = sorted({ord(char) for char in chars})
    runs: list[list[int]] = []
    for code in codes:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    parts = [
        re.escape(chr(first))
        + ("" if last == first else ("" if last == first + 1 else "-") + re.escape(chr(last)))
        for first, last in runs
    ]
    return "[" + "".join(parts) + "]"


# A key: ``attr__`` and any HTML attribute name, or one of the chain's own keys (text, href,
# nth-child, attr_id...). What follows the colon of a Tailwind class (`md:flex.x:...`) is
# never a key followed by `="`, so that colon is not taken for the start of the attributes.
_KEY_CHARS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
_KEY: Final = f'(?:attr__[^"=;]*|{_not_prefixed("attr__", _KEY_CHARS)})'
_PAIR: Final = f'{_KEY}="{_VALUE}"'
_PAIRS: Final = f"(?:{_PAIR})*"
# Tags never contain `.` or `:`; classes may contain `:` but never `"` (stripped) or `;`.
_ANY_TAG: Final = r'[^.:;"]*'
_CLASSES: Final = r'(?:\.[^.;"]*)*'
_ANY_ELEMENT: Final = f"{_ANY_TAG}{_CLASSES}(?::{_PAIRS})?"
_END: Final = "(?:;|$)"
_CSS_SPACE: Final = " \t\n\r\f"
#: Every character ``str.strip()`` removes: an action's text is trimmed with it, and the
#: chain's text may carry any of them around it. Spelled out because RE2's ``\s`` is
#: ASCII-only while Python's is not.
TEXT_SPACES: Final = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

#: Chain keys an attribute selector may match: posthog-js promotes ``id`` and ``href`` to
#: ``attr_id`` and ``href`` next to the raw ``attr__`` copies; either one is enough.
_CHAIN_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "id": ("attr__id", "attr_id"),
    "href": ("attr__href", "href"),
}


@dataclass(frozen=True)
class Compound:
    """What one element must satisfy: tag (None: any), classes, attributes (value None:
    present with any value). ``#id`` is the attribute ``("id", value)``."""

    tag: str | None = None
    classes: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class ComplexSelector:
    """Compounds from the outermost ancestor to the clicked element, and the combinator
    (``" "`` descendant or ``">"`` child) between each consecutive pair."""

    compounds: tuple[Compound, ...]
    combinators: tuple[str, ...]


def parse_selector(selector: str) -> tuple[ComplexSelector, ...]:
    """The comma-separated selectors of ``selector``; ``ValueError`` outside the subset.

    >>> parse_selector("nav a.cta, #buy")[0].combinators
    (' ',)
    >>> parse_selector("a:hover")
    Traceback (most recent call last):
    ...
    ValueError: unsupported selector 'a:hover': pseudo-classes (':hover') are not supported; \
match on classes or attributes instead
    """
    return _Parser(selector).selector_list()


@lru_cache(maxsize=1024)
def selector_pattern(selector: str) -> str:
    """An RE2 regex matching element chains whose clicked element satisfies ``selector``.

    The clicked element (the chain's first) must satisfy the selector's last compound and
    its ancestors the earlier ones, in order: after ``>`` the very next element, after a
    space any later one. See the module docstring for the supported subset.
    """
    alternatives = [_complex_pattern(complex_) for complex_ in parse_selector(selector)]
    body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
    return f"^{body}{_END}"


def text_pattern(text: str) -> str:
    r"""An RE2 regex matching chains whose clicked element's text is ``text``.

    Case-sensitive; whitespace around either text is ignored (SDKs trim, hand-written
    actions may not).

    >>> import re
    >>> bool(re.search(text_pattern(' Add "XL" '), 'button:text="Add \\"XL\\"";div'))
    True
    >>> bool(re.search(text_pattern("Add"), 'button:text="Add to cart"'))
    False
    """
    trimmed = text.strip()
    if not trimmed:
        raise ValueError("an action's text must not be blank")
    space = "[" + _literal(TEXT_SPACES) + "]*"
    condition = f'text="{space}{_literal(_chain_escape(trimmed))}{space}"'
    return f"^{_element_pattern(None, (), (condition,))}{_END}"


def matches_click(action: Action, elements_chain: str, url: str | None = None) -> bool:
    """Whether one auto-captured click satisfies ``action``, in Python, with the same
    patterns the SQL uses (for proposals and debuggers that hold a click, not a table).

    >>> buy = Action(name="buy_clicked", selector="button.buy", text="Buy", url="https://shop.example/*")
    >>> matches_click(buy, 'button.buy:text="Buy";form', "https://shop.example/cart")
    True
    >>> matches_click(buy, 'button.buy:text="Buy";form', "https://other.example/")
    False
    """
    if action.selector and re.search(selector_pattern(action.selector), elements_chain) is None:
        return False
    if action.text and re.search(text_pattern(action.text), elements_chain) is None:
        return False
    if action.url:
        wildcard = ".*".join(re.escape(part) for part in action.url.strip().split("*"))
        return url is not None and re.fullmatch(wildcard, url) is not None
    return True


def url_like(url: str) -> str:
    r"""A LIKE pattern (escape character ``\``) for an action's URL: ``*`` matches any run
    of characters, everything else (``%`` and ``_`` included) only itself.

    >>> url_like("https://shop.example/product_*")
    'https://shop.example/product\\_%'
    """
    trimmed = url.strip()
    if not trimmed:
        raise ValueError("an action's url must not be blank")
    escaped = trimmed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def action_predicate(action: Action, params: Params, table: str = EVENT_ALIAS) -> exp.Expr:
    r"""True for the events of ``table`` that match ``action``.

    An auto-captured event (``event = '$autocapture'``) whose chain matches the selector,
    whose clicked element's text equals the text and whose page URL matches the url,
    checking only the conditions the action sets. Patterns are bound through ``params``.

    >>> params = Params(project_id=1)
    >>> where = action_predicate(Action(name="Buy", selector="button.buy", url="*/cart"), params)
    >>> for condition in where.flatten():
    ...     print(condition.sql(dialect="duckdb"))
    "e"."event" = $autocapture
    REGEXP_MATCHES("e"."elements_chain", $action_selector)
    "e"."url" LIKE $action_url ESCAPE '\'
    >>> params.values["action_url"]
    '%/cart'
    """
    conditions: list[exp.Expr] = [col("event", table).eq(params.bind("autocapture", AUTOCAPTURE))]
    if action.selector:
        pattern = params.bind("action_selector", selector_pattern(action.selector))
        conditions.append(exp.RegexpLike(this=col("elements_chain", table), expression=pattern))
    if action.text:
        pattern = params.bind("action_text", text_pattern(action.text))
        conditions.append(exp.RegexpLike(this=col("elements_chain", table), expression=pattern))
    if action.url:
        like = exp.Like(this=col("url", table), expression=params.bind("action_url", url_like(action.url)))
        conditions.append(exp.Escape(this=like, expression=exp.Literal.string("\\")))
    return exp.and_(*conditions)


# --- Selector → regex -------------------------------------------------------------------


def _complex_pattern(selector: ComplexSelector) -> str:
    """The clicked element first, then each ancestor compound: ``>`` is the next element,
    a space skips any number of whole elements before it."""
    compounds = selector.compounds[::-1]
    combinators = selector.combinators[::-1]
    parts = [_compound_pattern(compounds[0])]
    for combinator, compound in zip(combinators, compounds[1:], strict=True):
        parts.append(";" if combinator == ">" else f";(?:{_ANY_ELEMENT};)*")
        parts.append(_compound_pattern(compound))
    return "".join(parts)


def _compound_pattern(compound: Compound) -> str:
    conditions = tuple(_attribute_condition(name, value) for name, value in _distinct(compound.attributes))
    # The chain sorts class names as written, then drops their quotes.
    classes = [name.replace('"', "") for name in sorted(set(compound.classes))]
    return _element_pattern(compound.tag, classes, conditions)


def _element_pattern(tag: str | None, classes: Sequence[str], conditions: Sequence[str]) -> str:
    """One whole element: its tag, its classes in the chain's (sorted) order with any
    others around them, then its attribute pairs including every condition."""
    parts = [f"(?i:{_literal(tag)})" if tag else _ANY_TAG]
    for name in classes:
        parts += [_CLASSES, r"\." + _literal(name)]
    parts.append(_CLASSES)
    if conditions:
        orders = [_PAIRS + _PAIRS.join(order) + _PAIRS for order in permutations(conditions)]
        parts.append(":" + (orders[0] if len(orders) == 1 else "(?:" + "|".join(orders) + ")"))
    else:
        parts.append(f"(?::{_PAIRS})?")
    return "".join(parts)


def _distinct(attributes: Sequence[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """Each condition once, and no bare ``[attr]`` next to a ``[attr=value]``: every
    condition claims its own key in the chain, so duplicates could never all match."""
    valued = {name for name, value in attributes if value is not None}
    return sorted(
        {(name, value) for name, value in attributes if value is not None or name not in valued},
        key=lambda item: (item[0], item[1] or ""),
    )


def _attribute_condition(name: str, value: str | None) -> str:
    keys = "|".join(_literal(_chain_escape(key)) for key in _CHAIN_KEYS.get(name, (f"attr__{name}",)))
    wanted = _VALUE if value is None else _literal(_chain_escape(value))
    return f'(?i:{keys})="{wanted}"'


def _chain_escape(value: str) -> str:
    """A value as the chain spells it (see :mod:`betterheap.pipeline.elements`)."""
    return value.replace('"', '\\"')


def _literal(text: str) -> str:
    """``text`` as an RE2 (and Python ``re``) literal: ASCII punctuation backslashed,
    spaces and control characters as ``\\xHH``; letters, digits and non-ASCII as is."""
    out: list[str] = []
    for char in text:
        code = ord(char)
        if char.isalnum() or char == "_" or code >= 0x80:
            out.append(char)
        elif 0x21 <= code <= 0x7E:
            out.append("\\" + char)
        else:
            out.append(f"\\x{code:02x}")
    return "".join(out)


# --- Selector parsing -------------------------------------------------------------------


class _Parser:
    """A recursive-descent parser for the supported subset, with errors that say what to do."""

    def __init__(self, selector: str) -> None:
        self.text = selector
        self.pos = 0

    def fail(self, reason: str) -> ValueError:
        return ValueError(f"unsupported selector {self.text!r}: {reason}")

    def peek(self, ahead: int = 0) -> str | None:
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else None

    def skip_space(self) -> bool:
        start = self.pos
        while (char := self.peek()) is not None and char in _CSS_SPACE:
            self.pos += 1
        return self.pos > start

    def selector_list(self) -> tuple[ComplexSelector, ...]:
        if not self.text.strip():
            raise self.fail("it is empty")
        selectors = []
        while True:
            self.skip_space()
            selectors.append(self.complex_selector())
            if self.peek() is None:
                return tuple(selectors)
            self.pos += 1  # the comma that ended the complex selector

    def complex_selector(self) -> ComplexSelector:
        compounds = [self.compound()]
        combinators: list[str] = []
        while True:
            spaced = self.skip_space()
            char = self.peek()
            if char is None or char == ",":
                return ComplexSelector(tuple(compounds), tuple(combinators))
            if char == ">":
                self.pos += 1
                self.skip_space()
                combinators.append(">")
            elif char in "+~":
                raise self.fail(f"sibling combinators ({char!r}) are not supported; use ' ' or '>'")
            elif spaced:
                combinators.append(" ")
            else:
                raise self.fail(f"unexpected {char!r} at position {self.pos}")
            compounds.append(self.compound())

    def compound(self) -> Compound:
        start = self.pos
        tag: str | None = None
        classes: list[str] = []
        attributes: list[tuple[str, str | None]] = []
        if self.peek() == "*":
            self.pos += 1
        elif self.at_ident():
            tag = self.ident("a tag").lower()
        while (char := self.peek()) is not None:
            if char == "#":
                self.pos += 1
                attributes.append(("id", self.ident("an id after '#'")))
            elif char == ".":
                self.pos += 1
                classes.append(self.ident("a class name after '.'"))
            elif char == "[":
                attributes.append(self.attribute())
            elif char == ":":
                end = self.pos + 1
                while end < len(self.text) and (self.text[end] == ":" or _is_ident_char(self.text[end])):
                    end += 1
                raise self.fail(
                    f"pseudo-classes ({self.text[self.pos : end]!r}) are not supported; "
                    "match on classes or attributes instead"
                )
            elif char == "]":
                raise self.fail(f"unbalanced brackets: ']' at position {self.pos} closes nothing")
            elif char in "()":
                raise self.fail(f"unexpected {char!r} at position {self.pos}")
            elif char == "|":
                raise self.fail("namespaces ('|') are not supported")
            elif char == "*" or self.at_ident():
                raise self.fail(f"the tag must come first in a compound (position {self.pos})")
            else:
                break
        if self.pos == start:
            char = self.peek()
            if char is None:
                raise self.fail("it ends with a combinator or a comma")
            raise self.fail(
                f"expected a tag, '#id', '.class' or '[attr]' at position {start}, found {char!r}"
            )
        if len(_distinct(attributes)) > MAX_ATTRIBUTES:
            raise self.fail(f"at most {MAX_ATTRIBUTES} attribute conditions (#id, [attr]) per element")
        return Compound(tag, tuple(classes), tuple(attributes))

    def attribute(self) -> tuple[str, str | None]:
        opened = self.pos
        self.pos += 1
        self.skip_space()
        name = self.ident("an attribute name after '['").lower()
        self.skip_space()
        char = self.peek()
        value: str | None = None
        if char == "=":
            self.pos += 1
            self.skip_space()
            if self.peek() in ('"', "'"):
                value = self.string()
            else:
                value = self.ident("a value after '='")
            self.skip_space()
            char = self.peek()
            if char is not None and self.at_ident():
                raise self.fail("attribute flags ('i', 's') are not supported")
        elif char is not None and char in "~|^$*" and self.peek(1) == "=":
            raise self.fail(
                f"the attribute operator '{char}=' is not supported; use [name] or [name=\"value\"]"
            )
        if char is None:
            raise self.fail(f"unbalanced brackets: the '[' at position {opened} is never closed")
        if char != "]":
            raise self.fail(f"unexpected {char!r} in the attribute selector at position {self.pos}")
        self.pos += 1
        return name, value

    def at_ident(self) -> bool:
        char = self.peek()
        return char is not None and (_is_ident_char(char) or char == "\\")

    def ident(self, what: str) -> str:
        out: list[str] = []
        while (char := self.peek()) is not None:
            if char == "\\":
                out.append(self.escape())
            elif _is_ident_char(char):
                out.append(char)
                self.pos += 1
            else:
                break
        if not out:
            found = f", found {self.peek()!r}" if self.peek() is not None else ""
            raise self.fail(f"expected {what} at position {self.pos}{found}")
        return "".join(out)

    def string(self) -> str:
        quote = self.peek()
        opened = self.pos
        self.pos += 1
        out: list[str] = []
        while (char := self.peek()) != quote:
            if char is None or char == "\n":
                raise self.fail(f"the string opened at position {opened} is never closed")
            if char == "\\" and self.peek(1) == "\n":
                self.pos += 2  # a line continuation
            elif char == "\\":
                out.append(self.escape())
            else:
                out.append(char)
                self.pos += 1
        self.pos += 1
        return "".join(out)

    def escape(self) -> str:
        """A CSS escape at ``pos`` (a backslash): up to six hex digits and one optional
        space for a code point, else the next character itself."""
        self.pos += 1
        char = self.peek()
        if char is None or char == "\n":
            raise self.fail("a backslash must escape a character")
        digits = ""
        while len(digits) < 6 and (hexdigit := self.peek()) is not None and hexdigit in _HEX:
            digits += hexdigit
            self.pos += 1
        if not digits:
            self.pos += 1
            return char
        if (space := self.peek()) is not None and space in _CSS_SPACE:
            self.pos += 1
        code = int(digits, 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


_HEX: Final = frozenset("0123456789abcdefABCDEF")


def _is_ident_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-_") or ord(char) >= 0x80
