"""The semantic layer: the words a question may use, and what each one means.

Built from the tracking plan (its events, aliases, actions and properties), the event names
the project actually received and the values its dimensions take, plus the metric catalog.
Both the no-LLM parser and an LLM's tool calls are validated against it, so a name is
defined once (DESIGN.md: one semantic model).

>>> from betterheap.taxonomy.plan import PlannedEvent, TrackingPlan
>>> vocab = build_vocabulary(TrackingPlan(events=(PlannedEvent(name="signed_up"),)), {}, {})
>>> vocab.event_for("signups"), vocab.metric_for("daily active users")
('signed_up', 'dau')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from betterheap.query.access import DEFAULT_PII_PROPERTIES
from betterheap.taxonomy.naming import words
from betterheap.taxonomy.plan import TrackingPlan

MetricKind = Literal["active", "new_users", "revenue", "arpu"]


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    description: str
    kind: MetricKind
    synonyms: tuple[str, ...]
    #: Higher is better (for the digest's arrows).
    good_when_up: bool = True


METRICS: Final[tuple[Metric, ...]] = (
    Metric(
        "dau",
        "Daily active users",
        "distinct people with any event that day",
        "active",
        (
            "dau",
            "daily active users",
            "daily actives",
            "active users",
            "daily users",
            "actives",
            "users active",
        ),
    ),
    Metric(
        "wau",
        "Weekly active users",
        "distinct people active in the 7 days ending that day",
        "active",
        ("wau", "weekly active users", "weekly actives", "weekly users"),
    ),
    Metric(
        "mau",
        "Monthly active users",
        "distinct people active in the 30 days ending that day",
        "active",
        ("mau", "monthly active users", "monthly actives", "monthly users"),
    ),
    Metric(
        "new_users",
        "New users",
        "people whose first event ever falls on that day",
        "new_users",
        ("new users", "new visitors", "new people", "first time users", "first-time users", "newcomers"),
    ),
    Metric(
        "revenue",
        "Revenue",
        "the sum of the revenue of events",
        "revenue",
        (
            "revenue",
            "sales",
            "income",
            "gmv",
            "money",
            "earnings",
            "turnover",
            "sell",
            "sold",
            "made in sales",
        ),
    ),
    Metric(
        "arpu",
        "Revenue per active user",
        "revenue divided by the distinct people active in the period",
        "arpu",
        ("arpu", "average revenue per user", "revenue per user", "revenue per active user"),
    ),
)

#: Promoted columns a question can break down or filter by, and the words for each.
DIMENSIONS: Final[dict[str, tuple[str, ...]]] = {
    "country": ("country", "countries", "market", "markets", "geo", "geography", "location"),
    "channel": ("channel", "channels", "acquisition channel", "traffic source", "source", "sources"),
    "device_type": ("device", "devices", "device type", "device types"),
    "browser": ("browser", "browsers"),
    "os": ("os", "operating system", "operating systems", "platform", "platforms"),
    "utm_source": ("utm source", "utm_source"),
    "utm_medium": ("utm medium", "medium", "utm_medium"),
    "utm_campaign": ("campaign", "campaigns", "utm campaign", "utm_campaign"),
    "revenue_type": ("revenue type", "revenue types", "type of revenue"),
}

#: Everyday words for the common events of each kind of product (the plan's own names and
#: aliases are always words too).
EVENT_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "signed_up": (
        "signups", "sign ups", "sign-ups", "signup", "sign up", "registrations", "registration", "registered",
        "signed up", "joined", "new accounts",
    ),
    "shop_opened": ("shops opened", "opened shops", "new shops", "shops were opened", "shop openings"),
    "product_favorited": ("favorites", "favourites", "favorited", "favourited", "got favorited"),
    "listing_created": ("new listings", "listings created", "created listings"),
    "signup_started": (
        "signup starts", "sign up starts", "started signups", "signup attempts", "started signing up",
        "start a sign-up", "start signing up",
    ),
    "order_completed": ("orders", "order", "purchases", "purchase", "completed orders", "bought", "buys"),
    "product_viewed": ("product views", "product view", "views of products", "viewed products", "view"),
    "product_added": (
        "add to cart",
        "adds to cart",
        "added to cart",
        "cart adds",
        "add-to-carts",
        "add to carts",
    ),
    "checkout_started": ("checkouts", "checkout", "checkout starts", "started checkouts", "checkout started"),
    "search_performed": ("searches", "search", "searched"),
    "subscription_started": ("subscriptions", "new subscriptions", "subscribed"),
    "subscription_cancelled": ("cancellations", "churned subscriptions", "cancelled subscriptions"),
    "$pageview": ("page views", "pageviews", "page view", "views"),
}

#: Kinds of people, as the event that makes someone one ("for buyers").
PEOPLE_WORDS: Final[dict[str, str]] = {
    "buyers": "order_completed", "customers": "order_completed", "purchasers": "order_completed",
    "paying users": "order_completed", "shoppers": "order_completed", "subscribers": "subscription_started",
    "sellers": "shop_opened", "makers": "shop_opened", "searchers": "search_performed",
}  # fmt: skip

#: Named funnels people ask for by one word.
FUNNEL_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "checkout": ("product_viewed", "product_added", "checkout_started", "order_completed"),
    "purchase": ("product_viewed", "order_completed"),
    "signup": ("signup_started", "signed_up"),
    "sign up": ("signup_started", "signed_up"),
    "onboarding": ("signed_up", "activated"),
}

#: Country names (and demonyms people type) → ISO codes; the store keeps ISO codes.
COUNTRIES: Final[dict[str, str]] = {
    "united states": "US", "usa": "US", "us": "US", "america": "US", "the us": "US", "the states": "US",
    "united kingdom": "GB", "uk": "GB", "britain": "GB", "great britain": "GB", "england": "GB",
    "germany": "DE", "german": "DE", "france": "FR", "french": "FR", "canada": "CA", "india": "IN",
    "australia": "AU", "netherlands": "NL", "the netherlands": "NL", "holland": "NL", "brazil": "BR",
    "spain": "ES", "italy": "IT", "sweden": "SE", "japan": "JP", "poland": "PL", "mexico": "MX",
    "ireland": "IE", "portugal": "PT", "belgium": "BE", "switzerland": "CH", "austria": "AT",
    "denmark": "DK", "norway": "NO", "finland": "FI", "china": "CN", "south korea": "KR", "korea": "KR",
    "singapore": "SG", "new zealand": "NZ", "south africa": "ZA", "argentina": "AR", "chile": "CL",
    "colombia": "CO", "turkey": "TR", "israel": "IL", "indonesia": "ID", "philippines": "PH",
    "vietnam": "VN", "thailand": "TH", "nigeria": "NG", "egypt": "EG", "ukraine": "UA", "russia": "RU",
}  # fmt: skip

#: Values people use for device, OS and browser, beyond what the store holds.
VALUE_WORDS: Final[dict[str, tuple[str, str]]] = {
    "mobile": ("device_type", "mobile"), "phone": ("device_type", "mobile"),
    "phones": ("device_type", "mobile"),
    "desktop": ("device_type", "desktop"), "desktops": ("device_type", "desktop"),
    "tablet": ("device_type", "tablet"), "tablets": ("device_type", "tablet"),
    "ios": ("os", "iOS"), "iphone": ("os", "iOS"), "android": ("os", "Android"), "windows": ("os", "Windows"),
    "mac": ("os", "Mac OS X"), "macos": ("os", "Mac OS X"), "linux": ("os", "Linux"),
    "chrome": ("browser", "Chrome"), "safari": ("browser", "Safari"), "firefox": ("browser", "Firefox"),
    "edge": ("browser", "Edge"),
}  # fmt: skip


@dataclass(frozen=True)
class Vocabulary:
    """Phrases (lower case) → what they name, for one project."""

    metrics: dict[str, str]
    events: dict[str, str]
    event_names: frozenset[str]
    dimensions: dict[str, str]
    #: phrase → (dimension, stored value)
    values: dict[str, tuple[str, str]]
    funnels: dict[str, tuple[str, ...]]
    pii_properties: frozenset[str]
    properties: frozenset[str] = field(default_factory=frozenset)
    #: The team's business metrics (knowledge base): phrase → (name, structured query
    #: without its dates).
    saved: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    #: Kinds of people → the event that makes someone one.
    people: dict[str, str] = field(default_factory=dict)

    def metric_for(self, phrase: str) -> str | None:
        return self.metrics.get(_norm(phrase))

    def event_for(self, phrase: str) -> str | None:
        return self.events.get(_norm(phrase))

    def phrases(self) -> list[tuple[str, str, str]]:
        """Every phrase with its kind and meaning, longest first (so "new users" wins over
        "users")."""
        found = [(p, "metric", m) for p, m in self.metrics.items()]
        found += [(p, "event", e) for p, e in self.events.items()]
        found += [(p, "dimension", d) for p, d in self.dimensions.items()]
        return sorted(found, key=lambda item: -len(item[0]))


def build_vocabulary(
    plan: TrackingPlan,
    observed_events: Mapping[str, int],
    dimension_values: Mapping[str, Iterable[str]],
    saved_metrics: Mapping[str, dict[str, Any]] | None = None,
) -> Vocabulary:
    """The project's vocabulary: the metric catalog, the plan's events and actions (and
    events received that the plan does not name), dimensions and their values."""
    metrics = {_norm(s): m.name for m in METRICS for s in (m.name, m.label, *m.synonyms)}
    events: dict[str, str] = {}
    names = set(observed_events) | plan.event_names | {a.name for a in plan.actions}
    # Less specific phrases first, so a planned event's own name wins any clash.
    for name in sorted(names, key=lambda n: -observed_events.get(n, 0)):
        for phrase in _event_phrases(name):
            events.setdefault(phrase, name)
    for event in plan.events:
        for alias in event.aliases:
            events[_norm(alias)] = event.name
    for name, phrases in EVENT_WORDS.items():
        if name in names:
            for phrase in phrases:
                events[_norm(phrase)] = name
    for own in (*plan.event_names, *(a.name for a in plan.actions)):
        events[_norm(own)] = own
    dimensions = {_norm(p): d for d, phrases in DIMENSIONS.items() for p in phrases}
    properties = {p.name for e in plan.events for p in e.properties} | {
        p.name for p in plan.common_properties
    }
    pii = plan.pii_properties() | DEFAULT_PII_PROPERTIES
    for name in sorted(properties - pii):
        for phrase in {_norm(name), " ".join(words(name))}:
            dimensions.setdefault(phrase, name)
    values: dict[str, tuple[str, str]] = {name: ("country", code) for name, code in COUNTRIES.items()}
    # The stored spelling wins ("Mobile", "Mac OS X"): filters compare exactly.
    spelled = {(d, v.lower()): v for d, seen in dimension_values.items() for v in seen if v}
    values.update({word: (d, spelled.get((d, v.lower()), v)) for word, (d, v) in VALUE_WORDS.items()})
    for dimension, seen in dimension_values.items():
        for value in seen:
            if value and len(value) <= 60 and dimension != "country":
                values.setdefault(_norm(value), (dimension, value))
                values.setdefault(_norm(value.replace("_", " ")), (dimension, value))
    for planned in plan.events:
        for prop in planned.properties:
            if not prop.pii:
                for allowed in prop.allowed:
                    if isinstance(allowed, str):
                        values.setdefault(_norm(allowed), (prop.name, allowed))
    funnels = {name: steps for name, steps in FUNNEL_WORDS.items() if all(s in names for s in steps)}
    saved = {
        phrase: (name, dict(query))
        for name, query in (saved_metrics or {}).items()
        for phrase in {_norm(name), " ".join(words(name))}
        if phrase
    }
    people = {word: event for word, event in PEOPLE_WORDS.items() if event in names}
    return Vocabulary(
        metrics,
        events,
        frozenset(names),
        dimensions,
        values,
        funnels,
        pii,
        frozenset(properties),
        saved,
        people,
    )


def _event_phrases(name: str) -> set[str]:
    """``order_completed`` → "order completed", "order_completed", "completed order"..."""
    parts = list(words(name.lstrip("$")))
    phrases = {_norm(name), " ".join(parts)}
    if len(parts) == 2:
        # object_action: "viewed product", "viewed a product", "products viewed".
        thing, done = parts
        phrases |= {
            f"{done} {thing}",
            f"{thing}s {done}",
            f"{done} {thing}s",
            f"{done} an {thing}" if thing[0] in "aeiou" else f"{done} a {thing}",
        }
    return {p for p in phrases if p}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())
