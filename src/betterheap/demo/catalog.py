"""The fixed tables the demo draws from: platforms, countries, channels and products.

Everything here is data plus one fast weighted choice. Nothing depends on the seed except
the draws made with it, so the same seed always walks the same tables the same way.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from random import Random
from typing import Generic, TypeVar

T = TypeVar("T")

SITE = "https://craftly.example"


class Weighted(Generic[T]):
    """A fixed weighted choice: one ``random()`` and one bisect per pick."""

    __slots__ = ("items", "_cumulative", "_total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self._cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self._total = self._cumulative[-1]

    def pick(self, rng: Random) -> T:
        return self.items[bisect.bisect_right(self._cumulative, rng.random() * self._total)]


@dataclass(frozen=True, slots=True)
class Platform:
    """A browser on an operating system on a kind of device, with the user agents it sends."""

    key: str
    device_type: str  # desktop | mobile | tablet
    os: str
    browser: str
    user_agents: tuple[str, ...]


_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"
_KHTML = "AppleWebKit/537.36 (KHTML, like Gecko)"
_WEBKIT = "AppleWebKit/605.1.15 (KHTML, like Gecko)"

# fmt: off
PLATFORMS: dict[str, Platform] = {
    p.key: p
    for p in (
        Platform("win_chrome", "desktop", "Windows", "Chrome", tuple(
            f"{_WIN} {_KHTML} Chrome/{v}.0.0.0 Safari/537.36" for v in (122, 123, 124))),
        Platform("win_edge", "desktop", "Windows", "Edge", tuple(
            f"{_WIN} {_KHTML} Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.{b}"
            for v, b in ((123, "2420.97"), (124, "2478.80")))),
        Platform("win_firefox", "desktop", "Windows", "Firefox", tuple(
            f"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"
            for v in (124, 125))),
        Platform("mac_safari", "desktop", "macOS", "Safari", tuple(
            f"{_MAC} {_WEBKIT} Version/{v} Safari/605.1.15" for v in ("17.3.1", "17.4"))),
        Platform("mac_chrome", "desktop", "macOS", "Chrome", tuple(
            f"{_MAC} {_KHTML} Chrome/{v}.0.0.0 Safari/537.36" for v in (123, 124))),
        Platform("mac_firefox", "desktop", "macOS", "Firefox", (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0",
        )),
        Platform("ios_safari", "mobile", "iOS", "Safari", tuple(
            f"Mozilla/5.0 (iPhone; CPU iPhone OS {os} like Mac OS X) {_WEBKIT} "
            f"Version/{v} Mobile/15E148 Safari/604.1"
            for os, v in (("17_4_1", "17.4.1"), ("17_3", "17.3"), ("16_7_7", "16.6")))),
        Platform("ios_chrome", "mobile", "iOS", "Chrome", (
            f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) {_WEBKIT} "
            "CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
        )),
        Platform("ipad_safari", "tablet", "iOS", "Safari", (
            f"Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) {_WEBKIT} "
            "Version/17.4 Mobile/15E148 Safari/604.1",
        )),
        Platform("android_chrome", "mobile", "Android", "Chrome", tuple(
            f"Mozilla/5.0 (Linux; Android 10; K) {_KHTML} Chrome/{v}.0.0.0 Mobile Safari/537.36"
            for v in (123, 124))),
        Platform("android_firefox", "mobile", "Android", "Firefox", (
            "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
        )),
    )
}

# fmt: on
PLATFORM_BY_USER_AGENT: dict[str, Platform] = {
    ua: platform for platform in PLATFORMS.values() for ua in platform.user_agents
}

# fmt: off
# Platform mixes (relative weights) by market. The US shops on the iPhone (iOS is the largest
# OS there: 58 % of visits, 4 of 5 phones), Germans keep Firefox, India is Android-first.
_US = {"win_chrome": 10, "win_edge": 5, "win_firefox": 1, "mac_safari": 7, "mac_chrome": 5,
       "mac_firefox": 1, "ios_safari": 44, "ios_chrome": 7, "ipad_safari": 7,
       "android_chrome": 12, "android_firefox": 1}
_ANGLO = {"win_chrome": 18, "win_edge": 7, "win_firefox": 3, "mac_safari": 8, "mac_chrome": 7,
          "mac_firefox": 1, "ios_safari": 30, "ios_chrome": 4, "ipad_safari": 4,
          "android_chrome": 16, "android_firefox": 2}
_GERMAN = {"win_chrome": 17, "win_edge": 5, "win_firefox": 9, "mac_safari": 6, "mac_chrome": 4,
           "mac_firefox": 2, "ios_safari": 38, "ios_chrome": 3, "ipad_safari": 3,
           "android_chrome": 20, "android_firefox": 2}
_EUROPE = {"win_chrome": 22, "win_edge": 6, "win_firefox": 6, "mac_safari": 6, "mac_chrome": 5,
           "mac_firefox": 1, "ios_safari": 20, "ios_chrome": 2, "ipad_safari": 2,
           "android_chrome": 28, "android_firefox": 2}
_ANDROID_FIRST = {"win_chrome": 20, "win_edge": 4, "win_firefox": 2, "mac_safari": 1,
                  "mac_chrome": 2, "mac_firefox": 0, "ios_safari": 6, "ios_chrome": 1,
                  "ipad_safari": 1, "android_chrome": 62, "android_firefox": 1}

# fmt: on


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    weight: float
    locale: str
    utc_offset: int  # hours, good enough to shape the daily curve
    platforms: Weighted[Platform]
    signup_rate: float  # chance to sign up relative to the home market (US = 1)


def _mix(weights: dict[str, int]) -> Weighted[Platform]:
    return Weighted([(PLATFORMS[key], float(w)) for key, w in weights.items()])


# Craftly is a US marketplace: the US brings 55 % of the visits and, since most makers ship
# within North America, most of the sign-ups. GB, CA and AU visitors sign up at half the US
# rate; elsewhere visitors mostly browse (found through search) and sign up at a fifth of it.
# With one-tap Sign in with Apple (marketplace.py) US iOS is ~43 % of all sign-ups.
_ANGLOSPHERE = ("GB", "CA", "AU")
# fmt: off
COUNTRIES: tuple[Country, ...] = tuple(
    Country(code, weight, locale, offset, _mix(mix),
            1.0 if code == "US" else 0.5 if code in _ANGLOSPHERE else 0.2)
    for code, weight, locale, offset, mix in (
        ("US", 55, "en-US", -5, _US), ("GB", 7, "en-GB", 0, _ANGLO),
        ("DE", 7, "de-DE", 1, _GERMAN), ("FR", 3, "fr-FR", 1, _EUROPE),
        ("CA", 5, "en-CA", -5, _ANGLO), ("AU", 3, "en-AU", 10, _ANGLO),
        ("NL", 3, "nl-NL", 1, _EUROPE), ("ES", 2, "es-ES", 1, _EUROPE),
        ("IT", 2, "it-IT", 1, _EUROPE), ("IN", 4, "en-IN", 5, _ANDROID_FIRST),
        ("SE", 2, "sv-SE", 1, _EUROPE), ("BR", 3, "pt-BR", -3, _ANDROID_FIRST),
        ("JP", 2, "ja-JP", 9, _ANGLO), ("PL", 2, "pl-PL", 1, _EUROPE),
    )
)
# fmt: on
COUNTRY_CHOICE: Weighted[Country] = Weighted([(c, c.weight) for c in COUNTRIES])

# Share of visits starting in each local hour (0..23): quiet nights, evening peak.
# fmt: off
_LOCAL_HOURS = (1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.0, 2.0, 3.0, 3.5, 3.8, 4.0,
                4.2, 4.0, 3.8, 3.8, 4.0, 4.5, 5.5, 6.5, 7.0, 6.5, 4.5, 2.5)
# fmt: on
# Visits start at most at 23:00 UTC so that they end on the day they belong to.
UTC_HOURS: dict[str, Weighted[int]] = {
    c.code: Weighted([(h, _LOCAL_HOURS[(h + c.utc_offset) % 24]) for h in range(23)])
    for c in COUNTRIES
}


@dataclass(frozen=True, slots=True)
class Channel:
    """How a visit arrived: referrers it may carry and the UTM tags of its campaigns."""

    name: str
    referrers: tuple[str, ...]
    campaigns: tuple[tuple[str, str, str], ...]  # (source, medium, name)
    tagged_share: float  # share of visits that carry UTM tags


# fmt: off
CHANNELS: dict[str, Channel] = {
    c.name: c
    for c in (
        Channel("organic_search", ("https://www.google.com/", "https://www.google.com/",
                                   "https://www.google.com/", "https://www.bing.com/",
                                   "https://duckduckgo.com/"), (), 0.0),
        Channel("paid_search", ("https://www.google.com/", "https://www.bing.com/"),
                (("google", "cpc", "brand_search"), ("google", "cpc", "handmade_gifts"),
                 ("bing", "cpc", "handmade_gifts"), ("google", "cpc", "home_decor")), 1.0),
        Channel("social", ("https://www.instagram.com/", "https://www.pinterest.com/",
                           "https://www.facebook.com/", "https://www.pinterest.com/"),
                (("instagram", "social", "creator_collab"), ("pinterest", "social", "pins_q2"),
                 ("facebook", "social", "retargeting")), 0.5),
        Channel("email", (), (("newsletter", "email", "weekly_picks"),
                              ("newsletter", "email", "back_in_stock")), 1.0),
        Channel("referral", ("https://www.reddit.com/r/handmade/", "https://www.buzzfeed.com/",
                             "https://makersblog.example/best-gift-shops",
                             "https://news.ycombinator.com/"), (), 0.0),
        Channel("direct", (), (), 0.0),
    )
}
ACQUISITION: Weighted[Channel] = Weighted([
    (CHANNELS["organic_search"], 34), (CHANNELS["paid_search"], 16), (CHANNELS["social"], 17),
    (CHANNELS["email"], 3), (CHANNELS["referral"], 10), (CHANNELS["direct"], 20),
])
RETURNING: Weighted[Channel] = Weighted([
    (CHANNELS["organic_search"], 18), (CHANNELS["paid_search"], 4), (CHANNELS["social"], 8),
    (CHANNELS["email"], 12), (CHANNELS["referral"], 3), (CHANNELS["direct"], 55),
])

# fmt: on


@dataclass(frozen=True, slots=True)
class Product:
    product_id: str
    title: str
    category: str
    price: float
    shop_id: str
    path: str


# fmt: off
_CATEGORIES = {  # category: (median price, materials, items)
    "jewelry": (32.0, ("Silver", "Gold-filled", "Beaded", "Brass"),
                ("Ring", "Necklace", "Earrings", "Bracelet")),
    "home_decor": (38.0, ("Macrame", "Linen", "Oak", "Rattan"),
                   ("Wall Hanging", "Cushion Cover", "Shelf", "Basket")),
    "art": (55.0, ("Watercolor", "Linocut", "Oil", "Ink"), ("Print", "Painting", "Portrait")),
    "clothing": (42.0, ("Wool", "Organic Cotton", "Linen"), ("Sweater", "Scarf", "Apron")),
    "candles": (18.0, ("Soy", "Beeswax"), ("Candle", "Tealight Set", "Wax Melt")),
    "ceramics": (34.0, ("Stoneware", "Porcelain", "Speckled"), ("Mug", "Bowl", "Vase")),
    "stationery": (12.0, ("Recycled", "Letterpress"), ("Notebook", "Card Set", "Planner")),
    "toys": (26.0, ("Wooden", "Crochet", "Felt"), ("Rattle", "Bunny", "Puzzle")),
}
_ADJECTIVES = ("Minimalist", "Personalized", "Vintage-style", "Boho", "Dainty", "Rustic")
SEARCH_TERMS: tuple[str, ...] = (
    "personalized necklace", "ceramic mug", "wall art", "soy candle", "wedding gift",
    "birthday gift for her", "linen apron", "wooden toy", "macrame", "custom portrait",
    "earrings", "planner 2025", "baby gift", "stoneware bowl", "boho decor",
)
# fmt: on
N_PRODUCTS = 4000
N_SHOPS = 600


def _products() -> tuple[Product, ...]:
    rng = Random(20240501)  # the catalogue is the same for every seed
    names = list(_CATEGORIES)
    products = []
    for n in range(N_PRODUCTS):
        category = names[n % len(names)]
        median, materials, items = _CATEGORIES[category]
        title = f"{rng.choice(_ADJECTIVES)} {rng.choice(materials)} {rng.choice(items)}"
        price = round(median * rng.lognormvariate(0.0, 0.45), 0) - 0.01
        pid = f"p_{100_000 + n}"
        slug = title.lower().replace(" ", "-")
        products.append(
            Product(
                pid,
                title,
                category,
                max(price, 4.99),
                f"s_{rng.randrange(N_SHOPS):04d}",
                f"/listing/{pid}/{slug}",
            )
        )
    return tuple(products)


PRODUCTS: tuple[Product, ...] = _products()


def popular_product(rng: Random) -> Product:
    """A product, the first ones much more often (a long-tail catalogue)."""
    return PRODUCTS[int(N_PRODUCTS * rng.random() ** 2.5)]
