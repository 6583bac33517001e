"""Revenue coercion: lossless for numbers, None (never an error) for junk."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from betterheap.pipeline.revenue import coerce_revenue, revenue_of, revenue_type_of


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12.5, 12.5),
        (12, 12.0),
        ("12.50", 12.5),
        (" 7 ", 7.0),
        ("-3.25", -3.25),
        ("1e3", 1000.0),
        (Decimal("9.99"), 9.99),
        ("12,50", None),
        ("$12", None),
        ("1_000", None),
        ("", None),
        ("abc", None),
        ("nan", None),
        ("inf", None),
        (float("nan"), None),
        (float("-inf"), None),
        (10**400, None),
        (True, None),
        (False, None),
        (None, None),
        ([12], None),
        ({"amount": 12}, None),
    ],
)
def test_coerce_revenue(value: object, expected: float | None) -> None:
    assert coerce_revenue(value) == expected


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_float_string_round_trips(number: float) -> None:
    assert coerce_revenue(repr(number)) == number
    assert coerce_revenue(str(number)) == number
    assert coerce_revenue(number) == number


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_integer_strings_are_exact(number: int) -> None:
    assert coerce_revenue(str(number)) == float(number)


@given(
    st.one_of(
        st.text(),
        st.binary(),
        st.booleans(),
        st.none(),
        st.lists(st.integers()),
        st.dictionaries(st.text(), st.integers()),
        st.integers(),
        st.floats(),
    )
)
def test_junk_gives_none_or_a_finite_float_and_never_raises(value: Any) -> None:
    result = coerce_revenue(value)
    assert result is None or (type(result) is float and math.isfinite(result))


@given(st.text().filter(lambda s: not any(c.isdigit() for c in s)))
def test_text_without_digits_is_never_revenue(value: str) -> None:
    assert coerce_revenue(value) is None


@pytest.mark.parametrize(
    ("event", "properties", "expected"),
    [
        ("upgrade", {"revenue": "19.00"}, 19.0),
        ("upgrade", {"$revenue": 5}, 5.0),
        ("upgrade", {"revenue": None, "$revenue": 5}, 5.0),
        ("order_completed", {"total": "42.10"}, 42.1),
        ("Order Completed", {"total": 42.1, "revenue": 40}, 40.0),
        ("checkout_started", {"total": 42.1}, None),
        ("upgrade", {"revenue": "lots"}, None),
        ("upgrade", {}, None),
    ],
)
def test_revenue_of(event: str, properties: dict[str, Any], expected: float | None) -> None:
    assert revenue_of(event, properties) == expected


@pytest.mark.parametrize(
    ("event", "given", "expected"),
    [
        ("order_completed", None, "purchase"),
        ("Order Completed", None, "purchase"),
        ("subscription_renewed", None, "subscription"),
        ("Subscription Started", None, "subscription"),
        ("tip_sent", None, "other"),
        ("order_completed", "refund", "refund"),
        ("order_completed", "  ", "purchase"),
        ("order_completed", 3, "purchase"),
    ],
)
def test_revenue_type_of(event: str, given: object, expected: str) -> None:
    assert revenue_type_of(event, given) == expected
