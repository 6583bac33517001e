"""Country codes and UTM tags read from query strings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from betterheap.pipeline.context import Campaign, campaign_from_query, country_code


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("US", "US"),
        ("de", "DE"),
        (" fr ", "FR"),
        ("uk", "GB"),
        ("Germany", None),
        ("USA", None),
        ("", None),
        ("1A", None),
        ("XX", None),
        ("EU", None),
        ("É1", None),
        ("ÉÉ", None),
    ],
)
def test_country_code(value: str, expected: str | None) -> None:
    assert country_code(value) == expected


@given(st.text())
def test_country_code_is_upper_case_iso2_or_none(value: str) -> None:
    code = country_code(value)
    assert code is None or (len(code) == 2 and code.isascii() and code.isupper())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?utm_source=news&utm_medium=email&utm_campaign=may", Campaign("news", "email", "may")),
        ("https://a.example/p?x=1&utm_source=g&utm_medium=cpc#top", Campaign("g", "cpc", None)),
        ("utm_source=a%20b&utm_medium=", Campaign("a b", None, None)),
        ("https://a.example/p?q=shoes", Campaign(None, None, None)),
    ],
)
def test_campaign_from_query(query: str, expected: Campaign) -> None:
    assert campaign_from_query(query) == expected
