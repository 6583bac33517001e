"""Segment messages, built fast: one visit at a time, timestamps as precomputed strings.

This is the hot loop of the generator. It avoids datetime objects and ``uuid`` calls: a
visit keeps its clock as milliseconds since midnight UTC and formats it with a table of
``HH:MM:SS`` strings; message ids are a per-dataset UUID prefix plus a counter.
"""

from __future__ import annotations

from random import Random
from typing import Any

from betterheap.demo.catalog import SITE

Message = dict[str, Any]
LIBRARY_NAME = "betterheap-demo"
LIBRARY_VERSION = "1"
DAY_MS = 86_400_000

_HMS: tuple[str, ...] = tuple(
    f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400)
)


def iso(day_prefix: str, ms: int) -> str:
    """``2024-05-01T13:45:12.345Z`` from ``"2024-05-01T"`` and milliseconds since midnight."""
    ms = min(ms, DAY_MS - 1)
    return f"{day_prefix}{_HMS[ms // 1000]}.{ms % 1000:03d}Z"


class Writer:
    """Owns the message id counter and the list the messages go to."""

    __slots__ = ("rng", "out", "_prefix", "_count")

    def __init__(self, rng: Random, id_prefix: str) -> None:
        self.rng = rng
        self.out: list[Message] = []
        self._prefix = id_prefix  # 24 characters: "xxxxxxxx-xxxx-4xxx-8xxx-"
        self._count = 0

    def next_id(self) -> str:
        self._count += 1
        return f"{self._prefix}{self._count:012x}"

    @property
    def count(self) -> int:
        return self._count

    def server_track(
        self,
        day_prefix: str,
        ms: int,
        user_id: str,
        country: str,
        event: str,
        properties: dict[str, Any],
    ) -> None:
        """A message a backend job sends (billing): no browser, no session, no page."""
        self.out.append(
            {
                "type": "track",
                "messageId": self.next_id(),
                "timestamp": iso(day_prefix, ms),
                "userId": user_id,
                "event": event,
                "properties": properties,
                "context": {
                    "library": {"name": LIBRARY_NAME, "version": LIBRARY_VERSION},
                    "location": {"country": country},
                },
            }
        )


class Visit:
    """One browser session: everything it sends shares the user agent, session and clock."""

    __slots__ = (
        "writer",
        "rng",
        "day_prefix",
        "ms",
        "anonymous_id",
        "user_id",
        "user_agent",
        "locale",
        "country",
        "session_id",
        "campaign",
        "url",
        "path",
        "title",
        "referrer",
        "messages",
    )

    def __init__(
        self,
        writer: Writer,
        day_prefix: str,
        start_ms: int,
        anonymous_id: str,
        user_id: str | None,
        user_agent: str,
        locale: str,
        country: str,
        session_id: str,
        referrer: str,
        campaign: tuple[str, str, str] | None,
    ) -> None:
        self.writer = writer
        self.rng = writer.rng
        self.day_prefix = day_prefix
        self.ms = start_ms
        self.anonymous_id = anonymous_id
        self.user_id = user_id
        self.user_agent = user_agent
        self.locale = locale
        self.country = country
        self.session_id = session_id
        self.campaign = campaign
        self.url = ""
        self.path = ""
        self.title = ""
        self.referrer = referrer
        self.messages = 0

    def _message(self, kind: str, gap_ms: int) -> Message:
        self.ms += gap_ms
        self.messages += 1
        message: Message = {
            "type": kind,
            "messageId": self.writer.next_id(),
            "timestamp": iso(self.day_prefix, self.ms),
            "anonymousId": self.anonymous_id,
        }
        if self.user_id is not None:
            message["userId"] = self.user_id
        return message

    def _context(self) -> dict[str, Any]:
        return {
            "userAgent": self.user_agent,
            "locale": self.locale,
            "location": {"country": self.country},
            "library": {"name": LIBRARY_NAME, "version": LIBRARY_VERSION},
            "sessionId": self.session_id,
            "page": {
                "url": self.url,
                "path": self.path,
                "referrer": self.referrer,
                "title": self.title,
            },
        }

    def page(self, name: str, path: str, title: str, **extra: Any) -> None:
        """A page view; the first one of a campaign visit carries the campaign and UTM URL."""
        if self.url:
            self.referrer = self.url
        self.path = path
        self.title = f"{title} | Craftly"
        url = SITE + path
        first_campaign = self.campaign if self.messages == 0 else None
        if first_campaign is not None:
            source, medium, campaign = first_campaign
            url += f"?utm_source={source}&utm_medium={medium}&utm_campaign={campaign}"
        self.url = url
        gap = 0 if self.messages == 0 else 4_000 + int(self.rng.random() * 50_000)
        message = self._message("page", gap)
        message["name"] = name
        properties = {"url": url, "path": path, "referrer": self.referrer, "title": self.title}
        if extra:
            properties.update(extra)
        message["properties"] = properties
        context = self._context()
        if first_campaign is not None:
            context["campaign"] = {
                "source": first_campaign[0],
                "medium": first_campaign[1],
                "name": first_campaign[2],
            }
        message["context"] = context
        self.writer.out.append(message)

    def track(self, event: str, properties: dict[str, Any], gap_ms: int = -1) -> None:
        if gap_ms < 0:
            gap_ms = 800 + int(self.rng.random() * 9_000)
        message = self._message("track", gap_ms)
        message["event"] = event
        message["properties"] = properties
        message["context"] = self._context()
        self.writer.out.append(message)

    def identify(self, user_id: str, traits: dict[str, Any]) -> None:
        self.user_id = user_id
        message = self._message("identify", 300)
        message["traits"] = traits
        message["context"] = self._context()
        self.writer.out.append(message)
