"""Messy mode: every kind of mess is there, at about its rate, and the plan can undo it.

The checks find each kind of mess from the payloads alone (as an ingestion would), then
compare its frequency with the rate in ``MESS``. Name resolution is written here in plain
Python: an exact alias of the plan, the same words ignoring case and separators, or a
single planned name within two edits.
"""

from __future__ import annotations

import collections
import functools
import hashlib
import ipaddress
import re
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest

from betterheap.demo import MESS, generate
from betterheap.demo.__main__ import main
from betterheap.demo.catalog import SITE
from betterheap.demo.clicks import ADD_TO_CART, BUY_NOW, NAV, SUBSCRIBE
from betterheap.demo.mess import DYNAMIC_PREFIX, NAME_VARIANTS, TYPOS, UNPLANNED, styles
from betterheap.demo.plan import MARKETPLACE_PLAN
from betterheap.demo.traffic import BOT_AGENTS

END = date(2024, 6, 30)
EVENTS = 200_000
# sha256 of the clean payloads (20k events, seed 42, END), recorded before messy mode existed.
CLEAN_20K_SHA256 = "2b1d97fe6ddba0e010e536ab8c321c2ae36ec65c2c6adfc5a116e0b4e6d69562"
PLANNED = MARKETPLACE_PLAN.event_names
ALIASES = {alias: event.name for event in MARKETPLACE_PLAN.events for alias in event.aliases}
BOT_USER_AGENTS = {agent for agent, _ in BOT_AGENTS.items}
ELEMENT = re.compile(r'[a-z]+(\.[A-Za-z0-9_-]+)*:([a-z_-]+="[^"]*")+')


def words(name: str) -> tuple[str, ...]:
    """``AddToCart``, ``add-to-cart`` and ``Add To Cart`` are the same words."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return tuple(word for word in re.split(r"[\s_.:-]+", spaced.lower()) if word)


def edits(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, transpositions."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


@functools.cache
def resolve(name: str) -> str | None:
    """The planned event ``name`` stands for, or None."""
    if name in PLANNED:
        return name
    if name in ALIASES:
        return ALIASES[name]
    same_words = [planned for planned in PLANNED if words(planned) == words(name)]
    if same_words:
        return same_words[0]
    close = [planned for planned in PLANNED if edits(name.lower(), planned) <= 2]
    return close[0] if len(close) == 1 else None


def _bytes(payloads: Any) -> list[bytes]:
    return [orjson.dumps(payload) for payload in payloads]


@pytest.fixture(scope="module")
def messy_payloads() -> list[dict[str, Any]]:
    return list(generate(events=EVENTS, seed=7, end_date=END, messy=True))


@pytest.fixture(scope="module")
def messy(messy_payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [message for payload in messy_payloads for message in payload["batch"]]


@pytest.fixture(scope="module")
def firsts(messy: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages without their re-sent copies."""
    seen: set[str] = set()
    out = []
    for message in messy:
        if message["messageId"] not in seen:
            seen.add(message["messageId"])
            out.append(message)
    return out


def _is_bot(message: dict[str, Any]) -> bool:
    return message["context"].get("userAgent") in BOT_USER_AGENTS


def _is_internal(message: dict[str, Any]) -> bool:
    ip = message["context"].get("ip")
    url = message["context"].get("page", {}).get("url", "")
    return (
        message.get("properties", {}).get("$internal") is True
        or url.startswith("https://staging.craftly.example/")
        or (ip is not None and ipaddress.ip_address(ip) in ipaddress.ip_network("10.0.0.0/8"))
    )


def _product_events(firsts: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(planned name, message) of the marketplace's own track events, whatever they were called."""
    out = []
    for message in firsts:
        if message["type"] != "track" or _is_internal(message):
            continue
        planned = resolve(message["event"])
        if planned is not None:
            out.append((planned, message))
    return out


def _near(count: int, total: int, rate: float, low: float = 0.7, high: float = 1.3) -> bool:
    return low * rate <= count / total <= high * rate


# -- determinism and size ---------------------------------------------------------------
def test_messy_output_is_deterministic_and_differs_from_clean() -> None:
    first = _bytes(generate(events=8000, seed=3, end_date=END, messy=True))
    assert first == _bytes(generate(events=8000, seed=3, end_date=END, messy=True))
    assert first != _bytes(generate(events=8000, seed=4, end_date=END, messy=True))
    assert first != _bytes(generate(events=8000, seed=3, end_date=END))


def test_clean_output_is_byte_identical_to_before_messy_mode() -> None:
    digest = hashlib.sha256()
    for payload in generate(events=20_000, seed=42, end_date=END, messy=False):
        digest.update(orjson.dumps(payload))
    assert digest.hexdigest() == CLEAN_20K_SHA256, "the clean demo changed; if on purpose, update the hash"


def test_total_stays_close_to_the_request(messy: list[dict[str, Any]]) -> None:
    assert abs(len(messy) - EVENTS) / EVENTS < 0.06
    small = sum(len(p["batch"]) for p in generate(events=5000, seed=11, end_date=END, messy=True))
    assert abs(small - 5000) / 5000 < 0.06


def test_batches_hold_at_most_batch_size_and_carry_sent_at(messy_payloads: list[dict[str, Any]]) -> None:
    for payload in messy_payloads:
        assert 0 < len(payload["batch"]) <= 1000
        assert payload["sentAt"] == max(m["timestamp"] for m in payload["batch"])


# -- the kinds of mess --------------------------------------------------------------------
def test_duplicates_share_message_id_and_content_in_a_later_batch(
    messy_payloads: list[dict[str, Any]], messy: list[dict[str, Any]]
) -> None:
    first_seen: dict[str, tuple[int, bytes]] = {}
    copies = 0
    for index, payload in enumerate(messy_payloads):
        for message in payload["batch"]:
            body = orjson.dumps(message)
            earlier = first_seen.get(message["messageId"])
            if earlier is None:
                first_seen[message["messageId"]] = (index, body)
                continue
            copies += 1
            assert earlier[1] == body and earlier[0] < index
    assert _near(copies, len(messy), MESS.duplicate, 0.8, 1.2)


def test_variant_names_map_to_planned_events(firsts: list[dict[str, Any]]) -> None:
    renamed = total = 0
    names: set[str] = set()
    for planned, message in _product_events(firsts):
        definition = MARKETPLACE_PLAN.event(planned)
        assert definition is not None
        assert set(message["properties"]) <= {p.name for p in definition.properties}, message["event"]
        total += 1
        if message["event"] != planned:
            renamed += 1
            names.add(message["event"])
    typo_share = MESS.typo * 0.8  # most track events have a typo listed
    assert _near(renamed, total, MESS.renamed + typo_share, 0.85, 1.15)
    expected = {name for variants in (*NAME_VARIANTS.values(), *TYPOS.values()) for name in variants}
    assert expected <= names
    assert {"Search Performed", "listingUpdated", "SubscriptionRenewed"} <= names  # styles of the rest


def test_synonyms_are_aliases_and_typos_are_not() -> None:
    for planned, variants in NAME_VARIANTS.items():
        for variant in variants:
            assert resolve(variant) == planned
            if words(variant) != words(planned):
                assert ALIASES.get(variant) == planned, f"{variant!r} should be an alias of {planned}"
    for planned, typos in TYPOS.items():
        for typo in typos:
            assert typo not in ALIASES and edits(typo, planned) == 1 and resolve(typo) == planned
    for name in PLANNED:
        assert all(resolve(style) == name for style in styles(name))


def test_numbers_sent_as_strings(firsts: list[dict[str, Any]]) -> None:
    numeric = coercible = uncoercible = 0
    for planned, message in _product_events(firsts):
        definition = MARKETPLACE_PLAN.event(planned)
        assert definition is not None
        for prop in definition.properties:
            if prop.type not in ("number", "integer") or prop.name not in message["properties"]:
                continue
            value = message["properties"][prop.name]
            numeric += 1
            if isinstance(value, str):
                try:
                    float(value)
                    coercible += 1
                except ValueError:
                    uncoercible += 1
    assert _near(coercible, numeric, MESS.number_as_string, 0.9, 1.1)
    assert _near(uncoercible, numeric, MESS.uncoercible, 0.6, 1.4)


def test_some_orders_miss_their_required_order_id(firsts: list[dict[str, Any]]) -> None:
    orders = [m for planned, m in _product_events(firsts) if planned == "order_completed"]
    missing = sum("order_id" not in m["properties"] for m in orders)
    assert missing >= 1 and missing / len(orders) < 3 * MESS.missing_order_id


def test_bots_view_pages_with_their_own_anonymous_ids(firsts: list[dict[str, Any]]) -> None:
    bots = [m for m in firsts if _is_bot(m)]
    assert all(m["type"] == "page" for m in bots)
    assert _near(len(bots), len(firsts), MESS.bot, 0.85, 1.15)
    people = {m.get("anonymousId") for m in firsts if not _is_bot(m)}
    assert not people & {m["anonymousId"] for m in bots}
    agents = " ".join(m["context"]["userAgent"] for m in bots)
    for marker in ("Googlebot", "bingbot", "AhrefsBot", "HeadlessChrome", "python-requests"):
        assert marker in agents


def test_internal_traffic_by_host_flag_and_ip(firsts: list[dict[str, Any]]) -> None:
    internal = [m for m in firsts if _is_internal(m)]
    assert _near(len(internal), len(firsts), MESS.internal, 0.85, 1.15)
    kinds = collections.Counter(
        "flag"
        if m.get("properties", {}).get("$internal") is True
        else ("ip" if "ip" in m["context"] else "host")
        for m in internal
    )
    assert min(kinds.values()) > len(internal) / 5 and len(kinds) == 3
    filters = MARKETPLACE_PLAN.filters
    assert filters.internal_flag == "$internal" and "staging.craftly.example" in filters.internal_hosts


def test_emails_in_page_urls_and_search_queries(firsts: list[dict[str, Any]]) -> None:
    pages = [m for m in firsts if m["type"] == "page" and not _is_bot(m) and not _is_internal(m)]
    with_email = [m for m in pages if "email=" in m["properties"]["url"]]
    assert _near(len(with_email), len(pages), MESS.email_in_url, 0.7, 1.3)
    assert all(m["context"]["page"]["url"] == m["properties"]["url"] for m in with_email)
    searches = [m for planned, m in _product_events(firsts) if planned == "search_performed"]
    queries = sum("@" in m["properties"]["query"] for m in searches)
    assert _near(queries, len(searches), MESS.email_in_query, 0.7, 1.3)


def test_unplanned_events_with_exploding_names(firsts: list[dict[str, Any]]) -> None:
    unplanned = [
        m
        for m in firsts
        if m["type"] == "track" and (m["event"] in UNPLANNED or m["event"].startswith(DYNAMIC_PREFIX))
    ]
    assert _near(len(unplanned), len(firsts), MESS.unplanned, 0.8, 1.2)
    assert all(resolve(m["event"]) is None for m in unplanned)
    dynamic = {m["event"] for m in unplanned if m["event"].startswith(DYNAMIC_PREFIX)}
    assert len(dynamic) > 200 and all(re.fullmatch(r"viewed_product_\d+", name) for name in dynamic)
    for name in {m["event"] for m in firsts if m["type"] == "track"}:
        assert name == "$autocapture" or resolve(name) or name in UNPLANNED or name.startswith(DYNAMIC_PREFIX)


def test_autocaptured_clicks_come_with_the_actions(firsts: list[dict[str, Any]]) -> None:
    previous: dict[str, dict[str, Any]] = {}
    actions = collections.Counter[str]()
    for message in firsts:
        anonymous_id = message.get("anonymousId")
        if message["type"] == "track" and not _is_internal(message):
            planned = resolve(message["event"])
            chain = {"product_added": ADD_TO_CART, "checkout_started": BUY_NOW}.get(planned or "")
            if chain is not None:
                click = previous[anonymous_id]
                assert click["event"] == "$autocapture" and click["properties"]["$elements_chain"] == chain
                assert click["context"]["page"]["url"] == message["context"]["page"]["url"]
                assert click["timestamp"] < message["timestamp"]
                actions[planned or ""] += 1
        if message.get("event") == "$autocapture":
            properties = message["properties"]
            assert properties["$event_type"] == "click"
            elements = properties["$elements_chain"].split(";")
            assert all(ELEMENT.fullmatch(e) for e in elements) and elements[-1].startswith("body:")
            assert message["context"]["page"]["url"].startswith(SITE)
        if anonymous_id is not None:
            previous[anonymous_id] = message
    assert actions["product_added"] > 1000 and actions["checkout_started"] > 300
    chains = collections.Counter(
        m["properties"]["$elements_chain"] for m in firsts if m.get("event") == "$autocapture"
    )
    for text in ("Home", "Search", "Sell"):
        assert chains[NAV[text]] > 10
    assert chains[SUBSCRIBE] > 10


def test_the_plan_names_the_clicks_as_actions() -> None:
    for action, chain in zip(
        MARKETPLACE_PLAN.actions, (ADD_TO_CART, BUY_NOW, NAV["Home"], SUBSCRIBE), strict=True
    ):
        assert action.selector is not None
        clicked = chain.split(";")[0]
        assert action.selector.split()[-1].split(".")[-1] in clicked
        assert action.text is None or f'text="{action.text}"' in clicked


def test_cli_writes_messy_payloads(tmp_path: Path) -> None:
    out = tmp_path / "messy.jsonl"
    assert (
        main(["--events", "3000", "--seed", "5", "--end-date", "2024-06-30", "--messy", "--out", str(out)])
        == 0
    )
    lines = out.read_bytes().splitlines()
    expected = _bytes(generate(events=3000, seed=5, end_date=END, messy=True))
    assert lines == expected
    assert any(b'"$autocapture"' in line for line in lines)
