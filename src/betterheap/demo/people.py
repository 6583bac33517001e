"""The people of the marketplace and what they share: who they are, the site, sign-up.

A :class:`Person` is one browser (one anonymous id) that may sign up and later come back
logged in. What buyers and sellers do during a visit is in ``buyers.py`` and ``sellers.py``;
``visits.py`` starts a visit and hands it to one of them.
"""

from __future__ import annotations

from collections import deque
from random import Random

from betterheap.demo.catalog import Channel, Platform
from betterheap.demo.messages import Visit, Writer
from betterheap.demo.story import Incident

PLANS: dict[str, float] = {"free": 0.0, "plus": 9.99, "pro": 29.99}
SIGNUP_COMPLETION = 0.88  # share of started sign-ups that succeed on a normal day


class Person:
    """One visitor (one browser), anonymous until they sign up."""

    __slots__ = (
        "anonymous_id",
        "user_id",
        "role",
        "country",
        "locale",
        "platform",
        "user_agent",
        "engagement",
        "plan",
        "campaign_extra",
        "shop_id",
        "channel",
        "signup_rate",
    )

    def __init__(
        self,
        anonymous_id: str,
        role: str,
        country: str,
        locale: str,
        platform: Platform,
        user_agent: str,
        engagement: float,
        channel: Channel,
        signup_rate: float = 1.0,
    ) -> None:
        self.anonymous_id = anonymous_id
        self.user_id: str | None = None
        self.role = role
        self.country = country
        self.locale = locale
        self.platform = platform
        self.user_agent = user_agent
        self.engagement = engagement
        self.plan = "free"
        self.campaign_extra = False
        self.shop_id = ""
        self.channel = channel  # how they first arrived
        self.signup_rate = signup_rate  # relative chance to sign up, by market (US = 1)

    def wants_to_sign_up(self, rng: Random, chance: float) -> bool:
        """One decision to start the sign-up flow; ``chance`` is the home-market (US) rate."""
        return rng.random() < chance * self.signup_rate


class Site:
    """The marketplace as visitors meet it on the current day: shared counters and flags."""

    def __init__(self, rng: Random, writer: Writer, session_prefix: str, days: int) -> None:
        self.rng = rng
        self.writer = writer
        self.session_prefix = session_prefix
        self.day = 0
        self.day_prefix = ""
        self.signup_outage: Incident | None = None  # the planted outage, on its day only
        self.email_campaign = False
        self.recent_orders: deque[str] = deque(maxlen=5000)
        self.renewals: list[list[Person]] = [[] for _ in range(days)]
        self.subscribers: list[Person] = []  # signed-up buyers, until the newsletter goes out
        self.collect_subscribers = True
        self.users = 0
        self.orders = 0
        self.sessions = 0
        self.ad_campaigns = 0

    def new_user_id(self) -> str:
        self.users += 1
        return f"u_{self.users:07d}"

    def start_subscription(self, person: Person, day: int) -> None:
        if day + 30 < len(self.renewals):
            self.renewals[day + 30].append(person)


def sign_up(site: Site, person: Person, visit: Visit) -> bool:
    """The sign-up flow; False when it did not complete (abandoned, or the planted outage)."""
    rng = site.rng
    method = (
        "apple"
        if person.platform.os == "iOS" and rng.random() < 0.3
        else ("google" if rng.random() < 0.3 else "email")
    )
    visit.page("Sign up", "/join", "Join Craftly", role=person.role)
    visit.track(
        "signup_started",
        {"role": person.role, "method": method},
        15_000 + int(rng.random() * 60_000),
    )
    outage = site.signup_outage
    if outage is not None and outage.hits(
        person.country, person.platform.os, person.platform.browser
    ):
        return False
    if rng.random() > SIGNUP_COMPLETION:
        return False
    visit.track("signed_up", {"role": person.role, "method": method})
    if person.role == "seller":
        roll = rng.random()
        person.plan = "pro" if roll < 0.10 else ("plus" if roll < 0.35 else "free")
    user_id = site.new_user_id()
    person.user_id = user_id
    if person.role == "buyer" and site.collect_subscribers:
        site.subscribers.append(person)
    visit.identify(
        user_id,
        {
            "role": person.role,
            "plan": person.plan,
            "country": person.country,
            "email": f"{user_id}@example.com",
            "created_at": visit.day_prefix[:-1],
        },
    )
    return True
