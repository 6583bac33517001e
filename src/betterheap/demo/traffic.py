"""Traffic that is not product usage, for messy mode: crawlers and the Craftly team itself.

Both arrive through the same tracking snippet as real visitors, so an analytics pipeline
must recognize them by what they send: a bot by its user agent, staff by the staging host
in the page URL, the ``$internal`` flag their build sets, or the office network in
``context.ip``. The tracking plan's ``filters`` (``betterheap.demo.plan``) name exactly
these signals.
"""

from __future__ import annotations

import uuid
from random import Random
from typing import Any, Final

from betterheap.demo.catalog import N_PRODUCTS, PLATFORMS, PRODUCTS, SITE, Weighted
from betterheap.demo.messages import LIBRARY_NAME, LIBRARY_VERSION, Message

STAGING: Final = "https://staging.craftly.example"
OFFICE_NETWORK: Final = "10."  # the office VPN hands out 10.0.0.0/8 addresses

#: (user agent, country the crawler runs from), weighted by how often each shows up.
BOT_AGENTS: Final[Weighted[tuple[str, str]]] = Weighted(
    [
        (("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "US"), 22),
        (
            (
                "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
                "(KHTML, like Gecko) Chrome/124.0.6367.118 Mobile Safari/537.36 "
                "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                "US",
            ),
            13,
        ),
        (("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "US"), 15),
        (("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "NL"), 20),
        (
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "HeadlessChrome/124.0.6367.60 Safari/537.36",
                "US",
            ),
            20,
        ),
        (("python-requests/2.31.0", "DE"), 10),
    ]
)
STAFF_SIZE: Final = 6
_CRAWLED_PAGES: Final = (
    ("Home", "/", "Handmade gifts and home goods"),
    ("Sell", "/sell", "Sell your handmade goods"),
    ("Search", "/search", "Search"),
)
_STAFF_PAGES: Final = (
    ("Home", "/", "Handmade gifts and home goods"),
    ("Cart", "/cart", "Your cart"),
    ("Shop manager", "/your/shop", "Shop manager"),
    ("Sign up", "/join", "Join Craftly"),
)


class IdMint:
    """Message and session ids for the messages messy mode adds.

    The prefix differs from the generator's in the UUID variant nibble (``9`` instead of
    ``8``), so an added message can never take the id of a generated one.
    """

    __slots__ = ("_prefix", "_session_prefix", "_count", "_sessions")

    def __init__(self, digest: str) -> None:
        self._prefix = f"{digest[:8]}-{digest[8:12]}-4{digest[12:15]}-9{digest[15:18]}-"
        self._session_prefix = f"{digest[20:28]}-x"
        self._count = 0
        self._sessions = 0

    def next_id(self) -> str:
        self._count += 1
        return f"{self._prefix}{self._count:012x}"

    def next_session(self) -> str:
        self._sessions += 1
        return f"{self._session_prefix}{self._sessions:09x}"


class Outsiders:
    """Builds the page views of crawlers and the page views and events of staff."""

    def __init__(self, rng: Random, ids: IdMint) -> None:
        self.rng = rng
        self.ids = ids
        agents = [
            agent
            for key in ("mac_chrome", "mac_safari", "win_chrome")
            for agent in PLATFORMS[key].user_agents
        ]
        self.staff = [
            (str(uuid.UUID(int=rng.getrandbits(128), version=4)), f"staff_{n:02d}", rng.choice(agents))
            for n in range(1, STAFF_SIZE + 1)
        ]

    def _page(
        self,
        timestamp: str,
        anonymous_id: str,
        user_id: str | None,
        user_agent: str,
        country: str,
        site: str,
        page: tuple[str, str, str],
    ) -> Message:
        name, path, title = page
        url = site + path
        message: Message = {
            "type": "page",
            "messageId": self.ids.next_id(),
            "timestamp": timestamp,
            "anonymousId": anonymous_id,
        }
        if user_id is not None:
            message["userId"] = user_id
        message["name"] = name
        message["properties"] = {"url": url, "path": path, "referrer": "", "title": title}
        message["context"] = _context(user_agent, country, self.ids.next_session(), url, path, title)
        return message

    def _crawled_page(self) -> tuple[str, str, str]:
        """Crawlers walk the whole catalogue, not just the popular products people view."""
        if self.rng.random() < 0.8:
            product = PRODUCTS[self.rng.randrange(N_PRODUCTS)]
            return "Product", product.path, f"{product.title} | Craftly"
        name, path, title = self.rng.choice(_CRAWLED_PAGES)
        return name, path, f"{title} | Craftly"

    def bot_page(self, timestamp: str) -> Message:
        """One crawler hit: a fresh anonymous id, as crawlers keep no cookies."""
        agent, country = BOT_AGENTS.pick(self.rng)
        anonymous_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        return self._page(timestamp, anonymous_id, None, agent, country, SITE, self._crawled_page())

    def internal(self, timestamp: str) -> Message:
        """A staff member on staging, on production with the ``$internal`` flag, or from the office."""
        rng = self.rng
        anonymous_id, user_id, agent = rng.choice(self.staff)
        kind = rng.randrange(3)
        if kind == 0:
            name, path, title = rng.choice(_STAFF_PAGES)
            return self._page(
                timestamp, anonymous_id, user_id, agent, "US", STAGING, (name, path, f"{title} | Craftly")
            )
        if kind == 1:
            product = PRODUCTS[int(N_PRODUCTS * rng.random() ** 2.5)]
            context = _context(
                agent,
                "US",
                self.ids.next_session(),
                SITE + product.path,
                product.path,
                f"{product.title} | Craftly",
            )
            return {
                "type": "track",
                "messageId": self.ids.next_id(),
                "timestamp": timestamp,
                "anonymousId": anonymous_id,
                "userId": user_id,
                "event": "product_viewed",
                "properties": {
                    "product_id": product.product_id,
                    "price": product.price,
                    "category": product.category,
                    "shop_id": product.shop_id,
                    "$internal": True,
                },
                "context": context,
            }
        message = self._page(timestamp, anonymous_id, user_id, agent, "US", SITE, self._crawled_page())
        message["context"]["ip"] = (
            f"{OFFICE_NETWORK}{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        )
        return message


def _context(
    user_agent: str, country: str, session_id: str, url: str, path: str, title: str
) -> dict[str, Any]:
    return {
        "userAgent": user_agent,
        "locale": "en-US",
        "location": {"country": country},
        "library": {"name": LIBRARY_NAME, "version": LIBRARY_VERSION},
        "sessionId": session_id,
        "page": {"url": url, "path": path, "referrer": "", "title": title},
    }
