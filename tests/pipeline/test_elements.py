"""The element chain stored for auto-captured events: PostHog's format, from either SDK shape."""

from __future__ import annotations

import doctest
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from betterheap.pipeline import elements
from betterheap.pipeline.elements import MAX_HREF, MAX_TEXT, element_text, elements_chain_of

# What posthog-js (before $elements_chain) sent for a click on "Add to cart".
OLD_SDK_ELEMENTS: list[dict[str, Any]] = [
    {
        "tag_name": "button",
        "$el_text": "Add to cart",
        "attr__class": "btn add-to-cart",
        "attr__id": "buy",
        "attr__data-sku": "TSHIRT-XL",
        "classes": ["btn", "add-to-cart"],
        "nth_child": 2,
        "nth_of_type": 1,
    },
    {"tag_name": "form", "attr__action": "/cart", "nth_child": 1, "nth_of_type": 1},
    {"tag_name": "a", "attr__href": "/product/42", "$el_text": "T-shirt", "nth_child": 3, "nth_of_type": 2},
    {"tag_name": "body", "nth_child": 2, "nth_of_type": 1},
]

# The same chain as PostHog's elements_to_string writes it: classes sorted, attributes
# sorted by key, nth-child/nth-of-type always present, href and id promoted.
OLD_SDK_CHAIN = ";".join(
    [
        'button.add-to-cart.btn:attr__class="btn add-to-cart"attr__data-sku="TSHIRT-XL"attr__id="buy"'
        'attr_id="buy"nth-child="2"nth-of-type="1"text="Add to cart"',
        'form:attr__action="/cart"nth-child="1"nth-of-type="1"',
        'a:attr__href="/product/42"href="/product/42"nth-child="3"nth-of-type="2"text="T-shirt"',
        'body:nth-child="2"nth-of-type="1"',
    ]
)


def test_docstring_examples() -> None:
    assert doctest.testmod(elements).failed == 0


def test_elements_list_becomes_posthog_chain() -> None:
    assert elements_chain_of({"$elements": OLD_SDK_ELEMENTS}) == OLD_SDK_CHAIN


def test_elements_chain_is_taken_as_sent() -> None:
    sent = 'svg.icon:nth-child="1"nth-of-type="1";button.buy:text="Buy"'
    assert elements_chain_of({"$elements_chain": sent}) == sent


def test_elements_chain_wins_over_elements() -> None:
    sent = 'a:href="/"nth-child="1"nth-of-type="1"'
    assert elements_chain_of({"$elements_chain": sent, "$elements": OLD_SDK_ELEMENTS}) == sent


@pytest.mark.parametrize("unusable", ["", "   ", None, 42, ["a"], {"tag": "a"}])
def test_unusable_elements_chain_falls_back_to_elements(unusable: object) -> None:
    properties = {"$elements_chain": unusable, "$elements": OLD_SDK_ELEMENTS}
    assert elements_chain_of(properties) == OLD_SDK_CHAIN


def test_quotes_are_escaped_in_values_and_dropped_from_classes() -> None:
    chain = elements_chain_of(
        {"$elements": [{"tag_name": "a", "$el_text": 'Say "hi"', "attr__class": 'x"y z', "attr__title": '"'}]}
    )
    assert (
        chain == r'a.xy.z:attr__class="x\"y z"attr__title="\""nth-child="0"nth-of-type="0"text="Say \"hi\""'
    )
    assert element_text(chain) == 'Say "hi"'


def test_text_and_href_are_capped_like_posthog() -> None:
    long = "x" * 3000
    chain = elements_chain_of({"$elements": [{"tag_name": "a", "$el_text": long, "attr__href": long}]})
    assert chain is not None
    assert f'text="{"x" * MAX_TEXT}"' in chain
    assert f'href="{"x" * MAX_HREF}"' in chain
    # the raw attribute keeps its full value, as in PostHog
    assert f'attr__href="{long}"' in chain


def test_unprefixed_keys_and_class_lists() -> None:
    chain = elements_chain_of(
        {"$elements": [{"tag_name": "a", "href": "/x", "attr_id": "home", "classes": ["nav", "", "b  c"]}]}
    )
    assert chain == 'a.b.c.nav:attr_id="home"href="/x"nth-child="0"nth-of-type="0"'


def test_attr_class_as_list() -> None:
    chain = elements_chain_of({"$elements": [{"tag_name": "i", "attr__class": ["fa", "fa-cart", 3]}]})
    assert chain == 'i.fa.fa-cart:attr__class="fa fa-cart"nth-child="0"nth-of-type="0"'


@pytest.mark.parametrize(
    "properties",
    [
        {},
        {"$elements": []},
        {"$elements": "button"},
        {"$elements": {"tag_name": "a"}},
        {"$elements": None},
        {"$elements": 7},
        {"$elements": [1, "a", None, ["x"]]},
    ],
)
def test_nothing_usable_gives_none(properties: dict[str, Any]) -> None:
    assert elements_chain_of(properties) is None


def test_junk_values_are_skipped_not_raised() -> None:
    junk = {
        "tag_name": 5,
        "$el_text": {"nested": True},
        "attr__class": 123,
        "attr__id": ["a", "b"],
        "attr__data-n": 7,
        "attr__hidden": True,
        "attr__style": None,
        "attr__obj": {"a": 1},
        "nth_child": "x",
        "nth_of_type": True,
        5: "numeric key",
    }
    chain = elements_chain_of({"$elements": [junk, "not a dict", {"tag_name": "div", "nth_child": "3"}]})
    assert chain == (
        ':attr__class="123"attr__data-n="7"attr__hidden="true"attr__id="a b"nth-child="0"nth-of-type="0"'
        ';div:nth-child="3"nth-of-type="0"'
    )


@pytest.mark.parametrize(("given", "stored"), [(2.0, "2"), (2.5, "0"), (" 4 ", "4"), ("²", "0"), (-1, "-1")])
def test_positions(given: object, stored: str) -> None:
    chain = elements_chain_of({"$elements": [{"tag_name": "li", "nth_child": given}]})
    assert chain == f'li:nth-child="{stored}"nth-of-type="0"'


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
ELEMENT_KEYS = st.sampled_from(
    [
        "tag_name",
        "$el_text",
        "attr__class",
        "attr__id",
        "attr__href",
        "href",
        "attr_id",
        "classes",
        "nth_child",
        "nth_of_type",
        "attr__data-x",
        "other",
    ]
)


@given(
    properties=st.dictionaries(
        st.sampled_from(["$elements", "$elements_chain", "x"]),
        JSON | st.lists(st.dictionaries(ELEMENT_KEYS, JSON, max_size=8) | JSON, max_size=4),
    )
)
@settings(max_examples=300, deadline=None)
def test_never_raises(properties: dict[str, Any]) -> None:
    chain = elements_chain_of(properties)
    assert chain is None or (isinstance(chain, str) and chain)
    if chain is not None:
        element_text(chain)


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_element_text_never_raises_on_any_string(chain: str) -> None:
    assert element_text(chain) is None or isinstance(element_text(chain), str)


# Texts with quotes, backslashes, separators and regex metacharacters.
TEXTS = st.text(
    alphabet=st.sampled_from(list("ab \"';:.*+?()[]{}|^$=\\é中\n")) | st.characters(codec="utf-8"),
    min_size=1,
    max_size=60,
)


@given(text=TEXTS, parent_text=TEXTS)
@settings(max_examples=300, deadline=None)
def test_text_round_trips(text: str, parent_text: str) -> None:
    chain = elements_chain_of(
        {
            "$elements": [
                {"tag_name": "button", "$el_text": text, "attr__title": parent_text, "nth_child": 1},
                {"tag_name": "div", "$el_text": parent_text},
            ]
        }
    )
    assert chain is not None
    assert element_text(chain) == text[:MAX_TEXT]


def test_element_text_reads_only_the_clicked_element() -> None:
    assert element_text('svg.icon:nth-child="1"nth-of-type="1";button:text="Buy"') is None
    assert element_text("svg;button") is None
    assert element_text("") is None
    # a class with a colon (Tailwind) does not start the attribute section
    assert element_text('a.md:flex.x:nth-child="1"text="Go"') == "Go"
    # an attribute whose name ends in "text" is not the text
    assert element_text('a:attr__text="no"nth-child="1"') is None
    # a value ending in a backslash (PostHog does not escape it)
    assert element_text('a:text="C:\\"nth-child="1"') == "C:\\"
