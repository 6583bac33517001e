"""Actions match auto-captured clicks by CSS selector, text and URL, on a real DuckDB.

Every selector case runs against both engines the regexes must agree on: Python's ``re``
(how we reason about them) and DuckDB's RE2 ``regexp_matches`` (what runs in production).
"""

from __future__ import annotations

import doctest
import re
import time
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest
import sqlglot
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from betterheap.pipeline.elements import elements_chain_of
from betterheap.query import actions
from betterheap.query.actions import (
    MAX_ATTRIBUTES,
    TEXT_SPACES,
    action_predicate,
    parse_selector,
    selector_pattern,
    text_pattern,
    url_like,
)
from betterheap.query.build import Params, col
from betterheap.taxonomy.plan import Action

RE2 = duckdb.connect()
# The columns of the store's events table that actions read.
EVENTS_TABLE = "CREATE TABLE events (project_id INTEGER, event VARCHAR, url VARCHAR, elements_chain VARCHAR)"


def el(tag: str, classes: str | None = None, text: str | None = None, **attributes: str) -> dict[str, Any]:
    """One ``$elements`` entry as posthog-js sent it; ``data_attr`` becomes ``attr__data-attr``."""
    element: dict[str, Any] = {"tag_name": tag, "nth_child": 1, "nth_of_type": 1}
    if classes is not None:
        element["attr__class"] = classes
    if text is not None:
        element["$el_text"] = text
    for name, value in attributes.items():
        element[f"attr__{name.replace('_', '-')}"] = value
    return element


def chain(*elements: dict[str, Any]) -> str:
    built = elements_chain_of({"$elements": list(elements)})
    assert built is not None
    return built


def matches(pattern: str, chain: str) -> bool:
    """Whether ``pattern`` matches ``chain``, checked on RE2 and Python ``re`` alike."""
    in_python = re.search(pattern, chain) is not None
    row = RE2.execute(
        "SELECT regexp_matches($chain, $pattern)", {"chain": chain, "pattern": pattern}
    ).fetchone()
    assert row is not None
    assert row[0] == in_python, f"RE2 and re disagree on {pattern!r} over {chain!r}"
    return in_python


BUY = el("button", "btn btn-primary add-to-cart", "Add to cart", id="buy", data_attr="add")
CART_CLICK = chain(BUY, el("form", id="checkout", action="/cart"), el("div", "container"), el("body"))
ICON_CLICK = chain(el("svg", "icon"), BUY, el("form", id="checkout"), el("body"))
NAV_CLICK = chain(
    el("a", "nav-link active", "Pricing", href="/pricing"),
    el("li", "nav-item"),
    el("ul", "nav"),
    el("nav", "navbar", id="top"),
    el("body"),
)
TAILWIND_CLICK = chain(
    el("button", "md:flex hover:bg-blue-500 w-1/2 !mt-0 px-4", "Go"), el("div", "dark"), el("body")
)
TRICKY_CLICK = chain(
    el("button", text='see .buy; form#checkout > "x"', style="color: red; display: flex", title='say "hi"'),
    el("div", "card"),
    el("body"),
)
# As current posthog-js sends $elements_chain: the click landed on the span in the button.
POSTHOG_JS_CLICK = (
    'span:nth-child="1"nth-of-type="1"text="Sign up";'
    'button.LemonButton.LemonButton--primary:attr__class="LemonButton LemonButton--primary"'
    'attr__data-attr="signup"nth-child="2"nth-of-type="1";div.flex:nth-child="1"nth-of-type="1"'
)

SELECTOR_CASES = [
    # tags, case-insensitive, whole names only
    ("button", CART_CLICK, True),
    ("BUTTON", CART_CLICK, True),
    ("b", chain(el("button")), False),
    ("button", chain(el("button-group")), False),
    ("button", 'BUTTON:nth-child="1"nth-of-type="1"', True),
    ("a", CART_CLICK, False),
    # classes match exactly, in any order, all required
    ("button.btn", CART_CLICK, True),
    (".btn-primary.btn", CART_CLICK, True),
    (".btn", chain(el("button", "btn-primary")), False),
    (".add", CART_CLICK, False),
    (".cart", CART_CLICK, False),
    (".btn.missing", CART_CLICK, False),
    (".BTN", CART_CLICK, False),
    # ids, from attr__id or attr_id
    ("#buy", CART_CLICK, True),
    ("button#buy.add-to-cart", CART_CLICK, True),
    ("#bu", CART_CLICK, False),
    ("#buy", 'button:attr_id="buy"nth-child="1"', True),
    ("#buy", 'button:attr__id="buy"nth-child="1"', True),
    ("#buy", 'button:attr__data-id="buy"nth-child="1"', False),
    ("#buy[id=buy]", 'button:attr_id="buy"nth-child="1"', True),
    # attributes
    ("[data-attr]", CART_CLICK, True),
    ("[data-attr=add]", CART_CLICK, True),
    ('[data-attr="add"]', CART_CLICK, True),
    ("[DATA-ATTR='add']", CART_CLICK, True),
    ("[data-attr='ad']", CART_CLICK, False),
    ('[data-attr="add "]', CART_CLICK, False),
    ("[data-attr][data-attr=add]", CART_CLICK, True),
    ("[data-missing]", CART_CLICK, False),
    ("[id=buy]", CART_CLICK, True),
    ('[viewBox="0 0 24 24"]', 'svg:attr__viewBox="0 0 24 24"nth-child="1"nth-of-type="1"', True),
    # keys in any order (not every producer sorts them the same way)
    ("button#go[data-x]", 'button:text="Go"attr__data-x=""attr__id="go"nth-child="1"', True),
    # combinators: > is the next element, a space any later one, outwards from the click
    ("form > button", CART_CLICK, True),
    ("form button", CART_CLICK, True),
    ("div > button", CART_CLICK, False),
    ("div button", CART_CLICK, True),
    ("body > div > form > button", CART_CLICK, True),
    ("body form > button.btn", CART_CLICK, True),
    ("form > div button", CART_CLICK, False),
    ("button form", CART_CLICK, False),
    ("form", CART_CLICK, False),
    ("* > button", CART_CLICK, True),
    ("*", NAV_CLICK, True),
    ("nav#top a.nav-link", NAV_CLICK, True),
    ("nav#top > a", NAV_CLICK, False),
    ("ul.nav > li > a.active", NAV_CLICK, True),
    ("ul.nav>li>a", NAV_CLICK, True),
    ("ul.nav > a", NAV_CLICK, False),
    ("a[href='/pricing']", NAV_CLICK, True),
    ("a[href='/prici']", NAV_CLICK, False),
    # the clicked element itself must match the last compound
    ("button.add-to-cart", ICON_CLICK, False),
    ("button.add-to-cart > svg", ICON_CLICK, True),
    ("button.add-to-cart, button.add-to-cart *", ICON_CLICK, True),
    ("button.add-to-cart, button.add-to-cart *", CART_CLICK, True),
    ("button svg.icon", ICON_CLICK, True),
    ("button[data-attr=signup] > span", POSTHOG_JS_CLICK, True),
    ("div.flex button.LemonButton span", POSTHOG_JS_CLICK, True),
    (".LemonButton", POSTHOG_JS_CLICK, False),
    # comma lists
    ("button, a.nav-link", NAV_CLICK, True),
    ("button, a.nav-link", CART_CLICK, True),
    ("button.nope, a.nope", NAV_CLICK, False),
    ("#top a , #buy", NAV_CLICK, True),
    # Tailwind classes (escaped in CSS) and their look-alikes
    (".md", TAILWIND_CLICK, False),
    (".flex", TAILWIND_CLICK, False),
    (r".md\:flex", TAILWIND_CLICK, True),
    (r".hover\:bg-blue-500.px-4", TAILWIND_CLICK, True),
    (r".w-1\/2", TAILWIND_CLICK, True),
    (r".\!mt-0", TAILWIND_CLICK, True),
    (".dark > button", TAILWIND_CLICK, True),
    # a text or value with ';', '.', '#', '>' or quotes does not fake elements or classes
    (".card > button", TRICKY_CLICK, True),
    (".buy", TRICKY_CLICK, False),
    ("form#checkout > button", TRICKY_CLICK, False),
    ("[style]", TRICKY_CLICK, True),
    ('[style="color: red; display: flex"]', TRICKY_CLICK, True),
    ("[title='say \"hi\"']", TRICKY_CLICK, True),
    ('[title="say \\"hi\\""]', TRICKY_CLICK, True),
    ('[title="say hi"]', TRICKY_CLICK, False),
    # hand-written chains without an attribute section
    ("div > button.b", "button.a.b;div", True),
    ("div > button.c", "button.a.b;div", False),
]


@pytest.mark.parametrize(("selector", "chain", "expected"), SELECTOR_CASES)
def test_selector(selector: str, chain: str, expected: bool) -> None:
    assert matches(selector_pattern(selector), chain) is expected


def test_docstring_examples() -> None:
    assert doctest.testmod(actions).failed == 0


def test_text_spaces_are_what_strip_removes() -> None:
    assert TEXT_SPACES == "".join(c for c in map(chr, range(0x110000)) if c.isspace())


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("a:hover", "pseudo-classes (':hover')"),
        ("li:nth-child(2)", "pseudo-classes (':nth-child')"),
        ("a::before", "pseudo-classes ('::before')"),
        ("h1 + p", "sibling combinators ('+')"),
        ("h1 ~ p", "sibling combinators ('~')"),
        ("[data-x", "the '[' at position 0 is never closed"),
        ("a[x='1'", "never closed"),
        ("a]", "']' at position 1 closes nothing"),
        ("[x='a]", "the string opened at position 3 is never closed"),
        ('[x^="a"]', "the attribute operator '^=' is not supported"),
        ('[x*="a"]', "the attribute operator '*=' is not supported"),
        ('[x="a" i]', "attribute flags"),
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("a,", "ends with a combinator or a comma"),
        ("a >", "ends with a combinator or a comma"),
        ("> a", "expected a tag, '#id', '.class' or '[attr]' at position 0, found '>'"),
        ("div.", "expected a class name after '.'"),
        ("#", "expected an id after '#'"),
        ("div.a span!", "unexpected '!'"),
        ("svg|rect", "namespaces"),
        (".a\\", "a backslash must escape a character"),
        ("[a][b][c][d][e]", f"at most {MAX_ATTRIBUTES} attribute conditions"),
        ("button:not(.x)", "pseudo-classes (':not')"),
        ("[]", "expected an attribute name"),
        (".a*", "the tag must come first"),
    ],
)
def test_unsupported_selectors_say_why(selector: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        selector_pattern(selector)
    assert str(raised.value).startswith(f"unsupported selector {selector!r}: ")


def test_parse_selector_structure() -> None:
    (first, second) = parse_selector("NAV.top > ul li#x.a.b[data-x='1'][open], *")
    assert first.combinators == (">", " ")
    nav, ul, li = first.compounds
    assert (nav.tag, nav.classes) == ("nav", ("top",))
    assert li.tag == "li" and li.classes == ("a", "b")
    assert li.attributes == (("id", "x"), ("data-x", "1"), ("open", None))
    assert second.compounds[0].tag is None and second.combinators == ()


def test_css_escapes_in_identifiers_and_strings() -> None:
    (selector,) = parse_selector(r".\31 23.a\.b[title='it\'s \"q\" \41 ']")
    (compound,) = selector.compounds
    assert compound.classes == ("123", "a.b")
    assert compound.attributes == (("title", 'it\'s "q" A'),)


def test_big_selectors_compile_on_re2() -> None:
    pattern = selector_pattern(
        "body div.a.b.c#main[data-x='1'][data-y] > ul li.item[role=tab][aria-selected=true] "
        "> a.link#home[href='/x'][target=_blank], form > button[type=submit]"
    )
    assert not matches(pattern, CART_CLICK)
    clicked = chain(
        el("a", "link", id="home", href="/x", target="_blank"),
        el("li", "item", role="tab", aria_selected="true"),
        el("ul"),
        el("div", "a b c", id="main", data_x="1", data_y=""),
        el("body"),
    )
    assert matches(pattern, clicked)
    assert matches(pattern, chain(el("button", type="submit"), el("form")))


def test_backtracking_engines_stay_fast_on_deep_chains() -> None:
    """Each element parses one way only, so Python's ``re`` (used by tests and tools, not by
    DuckDB) does not try exponentially many readings of the elements a space skips."""
    deep = chain(*(el("div", "md:flex a", 'x"\\;', id="q", style="a;b") for _ in range(60)))
    pattern = re.compile(selector_pattern("span#q div.a div#q"))
    started = time.perf_counter()
    assert pattern.search(deep) is None
    assert time.perf_counter() - started < 1


# --- Text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "chain", "expected"),
    [
        ("Add to cart", CART_CLICK, True),
        ("  Add to cart\n", CART_CLICK, True),
        ("add to cart", CART_CLICK, False),
        ("Add to", CART_CLICK, False),
        ("to cart", CART_CLICK, False),
        ("Add to cart", ICON_CLICK, False),  # the text is the button's, not the clicked icon's
        ("Sign up", POSTHOG_JS_CLICK, True),
        ('see .buy; form#checkout > "x"', TRICKY_CLICK, True),
        ("see .buy", TRICKY_CLICK, False),
        ("Go", 'a:text=" Go\u00a0"nth-child="1"', True),
        ("Go", 'a:attr__text="Go"nth-child="1"', False),
        ("C:\\", 'a:nth-child="1"text="C:\\"', True),
    ],
)
def test_text(text: str, chain: str, expected: bool) -> None:
    assert matches(text_pattern(text), chain) is expected


@pytest.mark.parametrize("blank", ["", "  ", "\n\t"])
def test_blank_text_or_url_is_an_error(blank: str) -> None:
    with pytest.raises(ValueError, match="text must not be blank"):
        text_pattern(blank)
    with pytest.raises(ValueError, match="url must not be blank"):
        url_like(blank)


# --- Properties: escaping of generated names and texts ----------------------------------

METACHARACTERS = list(".*+?()[]{}|\\^$'\"")
CLASS_NAMES = st.text(
    alphabet=st.sampled_from([*METACHARACTERS, "a", "b", "Z", "0", "-", "_", "é"]), min_size=1, max_size=8
).filter(lambda name: name.replace('"', ""))


def css_identifier(name: str) -> str:
    """``name`` escaped for a CSS selector (hex letters stay plain so ``\\a`` never appears)."""
    return "".join(c if c.isalnum() or c in "-_" or ord(c) >= 0x80 else "\\" + c for c in name)


def css_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    for char, code in (("\n", "a"), ("\r", "d"), ("\f", "c")):
        escaped = escaped.replace(char, f"\\{code} ")
    return f'"{escaped}"'


@given(names=st.lists(CLASS_NAMES, min_size=1, max_size=4, unique_by=lambda name: name.replace('"', "")))
@settings(max_examples=200, deadline=None)
def test_generated_class_names_match_exactly(names: list[str]) -> None:
    pattern = selector_pattern("div > button" + "".join("." + css_identifier(name) for name in names))
    parent = el("div", "x")
    assert matches(pattern, chain(el("button", " ".join(names), "t"), parent))
    assert matches(pattern, chain(el("button", " ".join([*names, "extra"])), parent))
    for missing in names:
        others = " ".join(name for name in names if name != missing)
        assert not matches(pattern, chain(el("button", others, "t"), parent))
    assert not matches(pattern, chain(el("span", " ".join(names)), parent))


TEXTS = st.text(
    alphabet=st.sampled_from([*METACHARACTERS, " ", ";", ":", "=", "\n", "a", "B", "中"])
    | st.characters(codec="utf-8"),
    min_size=1,
    max_size=40,
).filter(lambda text: text.strip())


@given(text=TEXTS, other=TEXTS)
@settings(max_examples=200, deadline=None)
def test_generated_texts_match_exactly(text: str, other: str) -> None:
    pattern = text_pattern(text)
    assert matches(pattern, chain(el("button", "b", text, title=text), el("div", text=other)))
    assert not matches(pattern, chain(el("button", "b", text + "x"), el("div", text=text)))
    assert not matches(pattern, chain(el("svg"), el("button", text=text)))
    if other.strip() != text.strip():
        assert not matches(pattern, chain(el("button", text=other)))


@given(value=TEXTS)
@settings(max_examples=200, deadline=None)
def test_generated_attribute_values_match_exactly(value: str) -> None:
    pattern = selector_pattern(f"form > [data-v={css_string(value)}]")
    form = el("form", data_v=value)
    assert matches(pattern, chain(el("input", data_v=value, text=value), form))
    assert not matches(pattern, chain(el("input", data_v=value + "x"), form))
    assert not matches(pattern, chain(el("input", data_w=value, text=value), form))
    assert not matches(pattern, chain(el("input", title=value, data_v=""), form))


# --- Property: the regex agrees with a direct evaluation of the selector on the elements --

TAGS = ["a", "button", "div", "span", "form"]
CLASSES = ["btn", "btn-primary", "x", "md:flex", 'q"', "$"]
VALUES = ["1", "10", 'say "hi"', "a;b", "\\", ""]


@st.composite
def elements_strategy(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(1, 5))):
        element = el(
            draw(st.sampled_from(TAGS)),
            " ".join(draw(st.lists(st.sampled_from(CLASSES), unique=True, max_size=3))),
            draw(st.none() | st.sampled_from(VALUES)),
        )
        if draw(st.booleans()):
            element["attr__id"] = draw(st.sampled_from(["buy", "top"]))
        if (value := draw(st.none() | st.sampled_from(VALUES))) is not None:
            element["attr__data-x"] = value
        out.append(element)
    return out


Simple = tuple[str | None, tuple[str, ...], str | None, tuple[str, str | None] | None]


@st.composite
def compound_strategy(draw: st.DrawFn) -> Simple:
    tag = draw(st.none() | st.sampled_from([*TAGS, "BUTTON"]))
    classes = tuple(draw(st.lists(st.sampled_from(CLASSES), max_size=2)))
    id_ = draw(st.none() | st.sampled_from(["buy", "top"]))
    attribute = draw(st.none() | st.tuples(st.just("data-x"), st.none() | st.sampled_from(VALUES)))
    if not (tag or classes or id_ or attribute):
        tag = "*"
    return tag, classes, id_, attribute


def css(compound: Simple) -> str:
    tag, classes, id_, attribute = compound
    text = (tag or "") + "".join("." + css_identifier(name) for name in classes)
    text += f"#{id_}" if id_ else ""
    if attribute:
        name, value = attribute
        text += f"[{name}]" if value is None else f"[{name}={css_string(value)}]"
    return text


def satisfies(element: dict[str, Any], compound: Simple) -> bool:
    tag, classes, id_, attribute = compound
    return (
        (tag in (None, "*") or element["tag_name"] == tag.lower())
        and set(classes) <= set(element.get("attr__class", "").split())
        and (id_ is None or element.get("attr__id") == id_)
        and (
            attribute is None
            or ("attr__" + attribute[0]) in element
            and attribute[1] in (None, element["attr__" + attribute[0]])
        )
    )


def oracle(elements: list[dict[str, Any]], compounds: list[Simple], combinators: list[str]) -> bool:
    """The clicked element satisfies the last compound, ancestors the earlier ones."""

    def from_(index: int, position: int) -> bool:  # compounds[position] at elements[index]
        if not satisfies(elements[index], compounds[position]):
            return False
        if position == 0:
            return True
        later = [index + 1] if combinators[position - 1] == ">" else range(index + 1, len(elements))
        return any(from_(next_, position - 1) for next_ in later if next_ < len(elements))

    return from_(0, len(compounds) - 1)


@given(
    elements=elements_strategy(),
    selectors=st.lists(
        st.tuples(
            st.lists(compound_strategy(), min_size=1, max_size=3), st.lists(st.sampled_from([" ", ">"]))
        ),
        min_size=1,
        max_size=2,
    ),
)
@settings(max_examples=250, deadline=None)
def test_regex_agrees_with_the_selector_evaluated_on_elements(
    elements: list[dict[str, Any]], selectors: list[tuple[list[Simple], list[str]]]
) -> None:
    texts, expected = [], False
    for compounds, drawn in selectors:
        combinators = (drawn + [" "] * len(compounds))[: len(compounds) - 1]
        texts.append(
            css(compounds[0])
            + "".join(f" {c} " + css(x) for c, x in zip(combinators, compounds[1:], strict=True))
        )
        expected = expected or oracle(elements, compounds, combinators)
    assert matches(selector_pattern(", ".join(texts)), chain(*elements)) is expected


# --- On a real events table -------------------------------------------------------------

ROWS = [
    (1, "$autocapture", "https://shop.example/cart", CART_CLICK),
    (1, "$autocapture", "https://shop.example/product/42", CART_CLICK),
    (1, "$autocapture", "https://shop.example/cart", ICON_CLICK),
    (1, "$autocapture", "https://shop.example/pricing", NAV_CLICK),
    (1, "$pageview", "https://shop.example/cart", CART_CLICK),
    (1, "$autocapture", "https://shop.example/cart", None),
    (2, "$autocapture", "https://shop.example/cart", CART_CLICK),
    (1, "$autocapture", None, CART_CLICK),
    (1, "$autocapture", "https://shop.example/cart_v2", chain(el("button", "btn", "add to cart"))),
    (1, "$autocapture", "https://shop.example/cartXv2", chain(el("button", "btn", "Add"))),
]


@pytest.fixture
def store() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    connection.execute(EVENTS_TABLE)
    connection.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", ROWS)
    yield connection
    connection.close()


def count_query(params: Params, *predicates: exp.Expr, table: str = "e") -> str:
    where = exp.and_(col("project_id", table).eq(params.project_id), exp.or_(*predicates))
    events = exp.alias_(exp.to_table("events"), table, table=True)
    return sqlglot.select(exp.Count(this=exp.Star())).from_(events).where(where).sql(dialect="duckdb")


def count(store: duckdb.DuckDBPyConnection, *matched: Action, table: str = "e") -> int:
    """Events of project 1 matching any of the actions."""
    params = Params(project_id=1)
    sql = count_query(params, *(action_predicate(action, params, table) for action in matched), table=table)
    row = store.execute(sql, params.values).fetchone()
    assert row is not None
    return int(row[0])


def action(**conditions: str) -> Action:
    return Action(name="Clicked", **conditions)


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ({"selector": "button.add-to-cart"}, 3),
        ({"selector": "#checkout > button"}, 3),
        ({"selector": "a.nav-link, button.add-to-cart"}, 4),
        ({"selector": "button"}, 5),
        ({"text": "Add to cart"}, 3),
        ({"text": "  Add to cart "}, 3),
        ({"url": "https://shop.example/cart"}, 3),
        ({"url": "https://shop.example/cart*"}, 5),
        ({"url": "*/product/*"}, 1),
        ({"url": "https://shop.example/cart%"}, 0),
        ({"url": "https://shop.example/cart_v2"}, 1),
        ({"url": "*"}, 7),
        ({"selector": "button.btn", "text": "Add to cart", "url": "*/cart"}, 1),
        ({"selector": "button.btn", "text": "Add to cart"}, 3),
        ({"selector": "svg", "url": "*/cart"}, 1),
    ],
)
def test_counts_on_duckdb(
    store: duckdb.DuckDBPyConnection, conditions: dict[str, str], expected: int
) -> None:
    assert count(store, action(**conditions)) == expected


def test_any_table_alias(store: duckdb.DuckDBPyConnection) -> None:
    assert count(store, action(selector="button.add-to-cart", url="*/cart"), table="ev") == 1


def test_several_actions_bind_their_own_parameters(store: duckdb.DuckDBPyConnection) -> None:
    params = Params(project_id=1)
    nav = action_predicate(action(selector="a.nav-link", text="Pricing"), params)
    cart = action_predicate(action(selector="form > button", text="Add to cart"), params)
    assert {"action_selector", "action_selector_2", "action_text", "action_text_2"} <= set(params.values)
    row = store.execute(count_query(params, nav, cart), params.values).fetchone()
    assert row == (4,)


def test_sql_prints_placeholders_only() -> None:
    params = Params(project_id=1)
    predicate = action_predicate(action(selector="button.buy", text="Buy", url="*/cart"), params)
    assert predicate.sql(dialect="duckdb") == (
        '"e"."event" = $autocapture'
        ' AND REGEXP_MATCHES("e"."elements_chain", $action_selector)'
        ' AND REGEXP_MATCHES("e"."elements_chain", $action_text)'
        """ AND "e"."url" LIKE $action_url ESCAPE '\\'"""
    )
    assert params.values["autocapture"] == "$autocapture"
    assert params.values["action_selector"] == selector_pattern("button.buy")
    assert params.values["action_text"] == text_pattern("Buy")


def test_only_set_conditions() -> None:
    params = Params(project_id=1)
    sql = action_predicate(action(url="/pricing"), params).sql(dialect="duckdb")
    assert sql == """"e"."event" = $autocapture AND "e"."url" LIKE $action_url ESCAPE '\\'"""
    assert "action_selector" not in params.values and "action_text" not in params.values


# --- SQL injection ----------------------------------------------------------------------

HOSTILE = [
    "'; DROP TABLE events; --",
    "x' OR '1'='1",
    '" OR 1=1 --',
    "$action_selector",
    "\\'; SELECT 1; --",
    "%'; --",
    "a\nb');--",
]
PLAIN = action_predicate(action(selector='[data-x="plain"]', text="plain", url="plain*"), Params(1)).sql(
    dialect="duckdb"
)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_values_are_parameters(store: duckdb.DuckDBPyConnection, hostile: str) -> None:
    hostile_action = action(selector=f"button[data-x={css_string(hostile)}]", text=hostile, url=f"{hostile}*")
    params = Params(project_id=1)
    assert action_predicate(hostile_action, params).sql(dialect="duckdb") == PLAIN
    assert params.values["action_url"] == url_like(f"{hostile}*")
    store.execute(
        "INSERT INTO events VALUES (1, '$autocapture', ?, ?)",
        [f"{hostile}/page", chain(el("button", text=hostile, data_x=hostile), el("body"))],
    )
    store.execute(
        "INSERT INTO events VALUES (1, '$autocapture', ?, ?)",
        [f"{hostile}/page", chain(el("button", text=hostile + " "), el("body"))],
    )
    assert count(store, hostile_action) == 1
    assert store.execute("SELECT count(*) FROM events").fetchone() == (len(ROWS) + 2,)


EMPTY_EVENTS = duckdb.connect()
EMPTY_EVENTS.execute(EVENTS_TABLE)


@given(text=st.text(min_size=1), url=st.text(min_size=1), value=st.text())
@settings(max_examples=150, deadline=None)
def test_any_text_url_or_value_leaves_the_sql_unchanged(text: str, url: str, value: str) -> None:
    assume(text.strip() and url.strip())
    params = Params(project_id=1)
    predicate = action_predicate(action(selector=f"[data-x={css_string(value)}]", text=text, url=url), params)
    assert predicate.sql(dialect="duckdb") == PLAIN
    assert EMPTY_EVENTS.execute(count_query(params, predicate), params.values).fetchone() == (0,)


@given(selector=st.text(max_size=30))
@settings(max_examples=300, deadline=None)
def test_any_selector_compiles_or_is_rejected(selector: str) -> None:
    try:
        pattern = selector_pattern(selector)
    except ValueError:
        return
    re.compile(pattern)
    params = Params(project_id=1)
    assert action_predicate(action(selector=selector), params).sql(dialect="duckdb") == (
        '"e"."event" = $autocapture AND REGEXP_MATCHES("e"."elements_chain", $action_selector)'
    )
    matches(pattern, CART_CLICK)  # asserts that RE2 and re agree
