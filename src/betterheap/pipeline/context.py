"""Reading the client-sent context the way each wire format lays it out.

Segment clients nest it (``context.page.url``, ``context.campaign.source``,
``context.location.country``); PostHog clients flatten it into ``$``-prefixed properties
(``$current_url``, ``$geoip_country_code``, ``utm_source``). Clients send whatever they
like, so every reader tolerates missing keys and values of the wrong type: the answer is
then None, never an exception.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final, NamedTuple
from urllib.parse import parse_qs

# Referrer values that mean "no referrer" (PostHog sends "$direct").
NO_REFERRER: Final = frozenset({"$direct", "direct", "(direct)", "null", "undefined"})

# Two-letter values that are not countries (MaxMind's continent codes, "unknown").
_NOT_COUNTRIES: Final = frozenset({"XX", "ZZ", "EU", "AP"})
_COUNTRY_ALIASES: Final = {"UK": "GB"}


class Campaign(NamedTuple):
    source: str | None
    medium: str | None
    name: str | None


NO_CAMPAIGN: Final = Campaign(None, None, None)


@lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """An upper-case ISO 3166-1 alpha-2 code, or None.

    >>> country_code(" de "), country_code("uk"), country_code("Germany")
    ('DE', 'GB', None)
    """
    code = value.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha() or code in _NOT_COUNTRIES:
        return None
    return _COUNTRY_ALIASES.get(code, code)


@lru_cache(maxsize=16_384)
def campaign_from_query(query: str) -> Campaign:
    """utm_source, utm_medium and utm_campaign from a query string or a whole URL.

    >>> campaign_from_query("https://a.example/?utm_source=news&utm_medium=email&x=1")
    Campaign(source='news', medium='email', name=None)
    """
    if "utm_" not in query:
        return NO_CAMPAIGN
    query = query.partition("?")[2] if "?" in query else query
    query = query.partition("#")[0]
    params = parse_qs(query)

    def first(key: str) -> str | None:
        values = params.get(key)
        return values[0] if values and values[0] else None

    return Campaign(first("utm_source"), first("utm_medium"), first("utm_campaign"))
