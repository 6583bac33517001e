"""Messy mode: the marketplace as a real site sends it, with the mess real tracking has.

A clean demo shows what the analyses do; a messy one shows what the ingestion has to do
before they can: several teams naming the same action differently, numbers sent as
strings, a required id forgotten, retries that re-send a batch, crawlers and the team's
own visits running the tracking snippet, e-mail addresses where they do not belong, debug
events, and auto-captured clicks. Every kind is planted at a known rate (:data:`MESS`), so
a test or a demo can check that the pipeline cleans each one up.

The mess is a transformation of the clean message stream with its own random generator
(seeded from the dataset's seed), so ``messy=False`` output is untouched by this module
and ``messy=True`` is as deterministic as the clean stream: the same arguments give the
same bytes.

>>> styles("search_performed")
('Search Performed', 'searchPerformed', 'SearchPerformed', 'search-performed')
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from random import Random
from typing import Any, Final

import orjson

from betterheap.demo.catalog import N_PRODUCTS, PRODUCTS
from betterheap.demo.clicks import ADD_TO_CART, BUY_NOW, NAV, SUBSCRIBE
from betterheap.demo.messages import Message, iso
from betterheap.demo.traffic import IdMint, Outsiders


@dataclass(frozen=True, slots=True)
class MessRates:
    """How often each kind of mess happens. Probabilities, drawn independently."""

    #: Track events sent under another team's spelling or a synonym (``AddToCart``).
    renamed: float = 0.08
    #: Track events (of those with a typo listed in ``TYPOS``) with a one-letter typo.
    typo: float = 0.005
    #: Numeric property values sent as strings that convert losslessly (``"12.50"``).
    number_as_string: float = 0.05
    #: Numeric property values that are not numbers at all (``"N/A"``, ``"twelve"``).
    uncoercible: float = 0.002
    #: ``order_completed`` events sent without their required ``order_id``.
    missing_order_id: float = 0.005
    #: Messages sent again, same ``messageId`` and content, in a later batch (a retry).
    duplicate: float = 0.01
    #: Extra crawler page views, per message.
    bot: float = 0.02
    #: Extra messages from staff (staging host, ``$internal`` flag or office IP), per message.
    internal: float = 0.01
    #: Page views whose URL carries ``?email=<address>``.
    email_in_url: float = 0.005
    #: ``search_performed`` events whose free-text ``query`` holds an e-mail address.
    email_in_query: float = 0.01
    #: Extra unplanned events (``debug_ping``, ``test_event``, ``viewed_product_<n>``), per message.
    unplanned: float = 0.003
    #: Search pages (after the first page of a visit) reached through the "Search" nav link.
    nav_click: float = 0.25
    #: Product page views followed by a click on the "Home" or "Sell" nav link.
    stray_nav_click: float = 0.01
    #: Home page views followed by a click on the newsletter "Subscribe" button.
    subscribe_click: float = 0.03


#: The rates messy mode uses. Every ``product_added`` also gets an "Add to cart" click and
#: every ``checkout_started`` a "Buy now" click, just before it.
MESS: Final = MessRates()

#: Share of a messy dataset's messages that come from the marketplace itself (measured: the
#: mess adds ~10.5 % on top). Messy mode asks the marketplace for this share of ``events`` so
#: the total stays close to the request.
CLEAN_SHARE: Final = 1 / 1.105

#: How other teams and tools name the planned events. The synonyms (``view_item``,
#: ``AddToCart``, ``purchase``...) are aliases in the demo's tracking plan; the rest differ
#: from the planned name only by case and separators. Events not listed here get
#: :func:`styles` of their name.
NAME_VARIANTS: Final[dict[str, tuple[str, ...]]] = {
    "product_viewed": ("Product Viewed", "productViewed", "ProductViewed", "product-viewed", "view_item"),
    "product_added": ("AddToCart", "add-to-cart", "Add To Cart", "cart_add"),
    "checkout_started": ("Checkout Started", "begin_checkout"),
    "order_completed": ("Order Completed", "purchase"),
    "signed_up": ("Signed Up", "sign_up"),
}
#: One-letter slips, deliberately not aliases: the ingestion resolves close misspellings.
TYPOS: Final[dict[str, tuple[str, ...]]] = {
    "product_viewed": ("prodcut_viewed", "product_veiwed"),
    "product_added": ("prodcut_added",),
    "checkout_started": ("chekout_started",),
    "order_completed": ("order_compelted",),
    "search_performed": ("search_preformed",),
}
UNPLANNED: Final = ("debug_ping", "test_event")
#: Prefix of the unplanned names built from a product id: thousands of distinct names.
DYNAMIC_PREFIX: Final = "viewed_product_"
UNCOERCIBLE: Final = ("N/A", "twelve", "unknown", "-")
EMAILS: Final = (
    "jane.doe@example.com",
    "anna@example.org",
    "mike.t@example.net",
    "li.wei@example.com",
    "sofia.r@example.org",
)
EMAIL_QUERIES: Final = ("gift for {email}", "order status {email}", "{email} wedding gift")


def styles(name: str) -> tuple[str, str, str, str]:
    """Title Case, camelCase, PascalCase and kebab-case spellings of a snake_case name."""
    words = name.split("_")
    capitalized = [word.capitalize() for word in words]
    return (" ".join(capitalized), words[0] + "".join(capitalized[1:]), "".join(capitalized), "-".join(words))


def _shifted(timestamp: str, delta_ms: int) -> str:
    """``timestamp`` moved by ``delta_ms``, kept within its day like the generator's clocks."""
    seconds = (int(timestamp[11:13]) * 60 + int(timestamp[14:16])) * 60 + int(timestamp[17:19])
    return iso(timestamp[:11], max(0, seconds * 1000 + int(timestamp[20:23]) + delta_ms))


def _as_text(value: int | float) -> str:
    """A number as a client that stringifies it would send it, without losing anything."""
    if value.__class__ is int:
        return str(value)
    text = f"{value:.2f}"
    return text if float(text) == value else repr(value)


def _context_copy(context: dict[str, Any], page: dict[str, Any]) -> dict[str, Any]:
    """The browser context of another message on ``page``, sharing no dict with it.

    The campaign is left out: it belongs to the first page view of a visit only.
    """
    copy = {key: dict(value) if value.__class__ is dict else value for key, value in context.items()}
    copy.pop("campaign", None)
    copy["page"] = dict(page)
    return copy


class Mess:
    """Turns the clean message stream into a messy one, deterministically."""

    def __init__(self, seed: int, events: int, end: str) -> None:
        digest = hashlib.sha256(f"betterheap-demo-mess:{seed}:{events}:{end}".encode()).hexdigest()
        self.rng = Random(f"betterheap-demo-mess:{seed}")
        self.ids = IdMint(digest)
        self.outsiders = Outsiders(self.rng, self.ids)
        self.session = ""  # the visit of the last page view, and that page
        self.page: dict[str, Any] = {}
        self._variants: dict[str, tuple[str, ...]] = dict(NAME_VARIANTS)

    def batches(self, clean: Iterable[list[Message]], batch_size: int) -> Iterator[list[Message]]:
        """Batches of ``batch_size`` messy messages; re-sent copies land in a later batch.

        A copy is scheduled at least ``batch_size`` positions after its original, so it
        can never share the original's batch; the copies still pending at the end go out
        in a batch of their own.
        """
        rng = self.rng
        out: list[Message] = []
        resend: list[tuple[int, int, Message]] = []  # (position to re-send at, original's, copy)
        sent = 0
        for batch in clean:
            for message in batch:
                for item in self.around(message):
                    while resend and resend[0][0] <= sent:
                        out.append(heapq.heappop(resend)[2])
                        sent += 1
                    out.append(item)
                    if rng.random() < MESS.duplicate:
                        due = sent + batch_size + rng.randrange(2 * batch_size)
                        heapq.heappush(resend, (due, sent, orjson.loads(orjson.dumps(item))))
                    sent += 1
            while len(out) >= batch_size:
                yield out[:batch_size]
                del out[:batch_size]
        if out:
            yield out
        late = [copy for _, _, copy in sorted(resend)]
        for start in range(0, len(late), batch_size):
            yield late[start : start + batch_size]

    def around(self, message: Message) -> list[Message]:
        """``message``, messed up in place, with the messages the mess adds before and after it."""
        rng = self.rng
        before: list[Message] = []
        after: list[Message] = []
        kind = message["type"]
        if kind == "page":
            self._page(message, before, after)
        elif kind == "track":
            self._track(message, before)
        timestamp = message["timestamp"]
        if rng.random() < MESS.bot:
            after.append(self.outsiders.bot_page(_shifted(timestamp, rng.randrange(60_000))))
        if rng.random() < MESS.internal:
            after.append(self.outsiders.internal(_shifted(timestamp, rng.randrange(60_000))))
        if rng.random() < MESS.unplanned and "userAgent" in message["context"]:
            after.append(self._unplanned(message))
        if not before and not after:
            return [message]
        return [*before, message, *after]

    # -- what is wrong with the generated messages ---------------------------------------
    def _page(self, message: Message, before: list[Message], after: list[Message]) -> None:
        rng = self.rng
        context = message["context"]
        page = context["page"]
        if rng.random() < MESS.email_in_url:
            url = page["url"]
            url += ("&" if "?" in url else "?") + "email=" + rng.choice(EMAILS)
            page["url"] = message["properties"]["url"] = url
        path = page["path"]
        session = context["sessionId"]
        if session == self.session and path == "/search" and rng.random() < MESS.nav_click:
            before.append(self._click(message, self.page, NAV["Search"], -(300 + rng.randrange(900))))
        if path == "/" and rng.random() < MESS.subscribe_click:
            after.append(self._click(message, page, SUBSCRIBE, 5_000 + rng.randrange(40_000)))
        elif path.startswith("/listing/") and rng.random() < MESS.stray_nav_click:
            link = NAV["Home" if rng.random() < 0.6 else "Sell"]
            after.append(self._click(message, page, link, 2_000 + rng.randrange(20_000)))
        self.session = session
        self.page = page

    def _track(self, message: Message, before: list[Message]) -> None:
        rng = self.rng
        event = message["event"]
        properties = message["properties"]
        if event == "product_added":
            page = message["context"]["page"]
            before.append(self._click(message, page, ADD_TO_CART, -(200 + rng.randrange(600))))
        elif event == "checkout_started":
            page = message["context"]["page"]
            before.append(self._click(message, page, BUY_NOW, -(300 + rng.randrange(1_200))))
        elif event == "order_completed" and rng.random() < MESS.missing_order_id:
            del properties["order_id"]
        elif event == "search_performed" and rng.random() < MESS.email_in_query:
            properties["query"] = rng.choice(EMAIL_QUERIES).format(email=rng.choice(EMAILS))
        for key, value in properties.items():
            if value.__class__ is float or value.__class__ is int:
                roll = rng.random()
                if roll < MESS.uncoercible:
                    properties[key] = rng.choice(UNCOERCIBLE)
                elif roll < MESS.uncoercible + MESS.number_as_string:
                    properties[key] = _as_text(value)
        roll = rng.random()
        if roll < MESS.renamed:
            variants = self._variants.get(event)
            if variants is None:
                variants = self._variants[event] = styles(event)
            message["event"] = rng.choice(variants)
        elif roll < MESS.renamed + MESS.typo and event in TYPOS:
            message["event"] = rng.choice(TYPOS[event])

    # -- what the mess adds ---------------------------------------------------------------
    def _browser_track(
        self, message: Message, page: dict[str, Any], delta_ms: int, event: str, properties: dict[str, Any]
    ) -> Message:
        """A track message from the same browser as ``message``, on ``page``."""
        added: Message = {
            "type": "track",
            "messageId": self.ids.next_id(),
            "timestamp": _shifted(message["timestamp"], delta_ms),
            "anonymousId": message["anonymousId"],
        }
        if "userId" in message:
            added["userId"] = message["userId"]
        added["event"] = event
        added["properties"] = properties
        added["context"] = _context_copy(message["context"], page)
        return added

    def _click(self, message: Message, page: dict[str, Any], chain: str, delta_ms: int) -> Message:
        """An auto-captured click on ``page`` by the browser that sent ``message``."""
        properties = {"$event_type": "click", "$elements_chain": chain}
        return self._browser_track(message, page, delta_ms, "$autocapture", properties)

    def _unplanned(self, message: Message) -> Message:
        """A debug or test event, or one named after a product: nobody planned these."""
        rng = self.rng
        roll = rng.random()
        properties: dict[str, Any]
        if roll < 0.3:
            event, properties = UNPLANNED[0], {"latency_ms": 20 + rng.randrange(400)}
        elif roll < 0.5:
            event, properties = UNPLANNED[1], {"test": True}
        else:
            event = DYNAMIC_PREFIX + PRODUCTS[rng.randrange(N_PRODUCTS)].product_id.removeprefix("p_")
            properties = {"source": "recommendations_widget"}
        page = message["context"]["page"]
        return self._browser_track(message, page, 100 + rng.randrange(2_000), event, properties)
