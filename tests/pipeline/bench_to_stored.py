"""Time ``to_stored`` on demo-like events.

    .venv/bin/python tests/pipeline/bench_to_stored.py [count=200000] [batch=1000]

Not collected by pytest (the file name does not start with ``test_``). The events mimic what
the browser SDKs send: half Segment-shaped (nested ``context``), half PostHog-shaped
(``$``-properties), a few dozen user agents, landing pages with and without UTM tags,
internal navigation, and some purchases with string revenue.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from typing import Any

from betterheap.events.model import IncomingEvent
from betterheap.pipeline import to_stored

USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/{v}.0.0.0 Safari/537.36"
    for v in range(118, 126)
] + [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    f"Version/17.{v} Safari/605.1.15"
    for v in range(0, 6)
] + [
    f"Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15 "
    f"(KHTML, like Gecko) Version/17.{v} Mobile/15E148 Safari/604.1"
    for v in range(0, 6)
] + [
    f"Mozilla/5.0 (Linux; Android {v}; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
    for v in range(10, 15)
] + [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
]
PATHS = ["/", "/pricing", "/features", "/blog/launch", "/signup", "/app", "/app/settings",
         "/checkout", "/docs/getting-started", "/product/42"]
REFERRERS = [None, None, None, "https://www.google.com/", "https://t.co/abc",
             "https://news.ycombinator.com/", "https://partner.example/blog"]
UTMS = [None, None, None, None, ("google", "cpc", "spring"), ("newsletter", "email", "may"),
        ("facebook", "paid_social", "retarget")]
EVENTS = ["signed_up", "button_clicked", "feature_used", "order_completed", "search"]
COUNTRIES = ["US", "de", "GB", "FR", "in", "BR"]


def demo_events(count: int, seed: int = 7) -> list[IncomingEvent]:
    rng = random.Random(seed)
    events: list[IncomingEvent] = []
    for i in range(count):
        ua = rng.choice(USER_AGENTS)
        host = "https://shop.example"
        path = rng.choice(PATHS)
        utm = rng.choice(UTMS)
        landing = rng.random() < 0.2
        url = host + path
        if landing and utm is not None:
            url += f"?utm_source={utm[0]}&utm_medium={utm[1]}&utm_campaign={utm[2]}"
        referrer = rng.choice(REFERRERS) if landing else host + rng.choice(PATHS)
        page = rng.random() < 0.5
        name = "$pageview" if page else rng.choice(EVENTS)
        props: dict[str, Any] = {}
        if name == "order_completed":
            props = {"order_id": f"o{i}", "total": f"{rng.randint(5, 500)}.{rng.randint(0, 99)}",
                     "currency": "USD"}
        elif name == "button_clicked":
            props = {"label": "Buy now", "plan": "pro"}
        context: dict[str, Any]
        if i % 2:  # Segment-shaped
            context = {
                "userAgent": ua,
                "ip": "203.0.113.7",
                "library": {"name": "analytics.js", "version": "5.2.0"},
                "locale": "en-US",
                "page": {"url": url, "path": path, "referrer": referrer or "",
                         "title": "Shop", "search": url.partition("?")[1] and
                         "?" + url.partition("?")[2]},
                "location": {"country": rng.choice(COUNTRIES)},
                "sessionId": f"s{i // 20}",
            }
            if utm is not None and landing:
                context["campaign"] = {"source": utm[0], "medium": utm[1], "name": utm[2]}
            source = "segment"
        else:  # PostHog-shaped
            context = {}
            props.update({
                "$browser": "Chrome", "$os": "Windows", "$device_type": "Desktop",
                "$current_url": url, "$host": "shop.example", "$pathname": path,
                "$referrer": referrer or "$direct", "$referring_domain": "$direct",
                "$session_id": f"s{i // 20}", "$lib": "web", "$lib_version": "1.130.0",
                "$raw_user_agent": ua, "$geoip_country_code": rng.choice(COUNTRIES),
                "$screen_height": 1080, "$screen_width": 1920, "distinct_id": f"u{i % 5000}",
            })
            if utm is not None and landing:
                props.update({"utm_source": utm[0], "utm_medium": utm[1],
                              "utm_campaign": utm[2]})
            source = "posthog"
        events.append({
            "uuid": f"00000000-0000-4000-8000-{i:012d}",
            "project_id": 1,
            "type": "page" if page and i % 2 else "track",
            "event": name,
            "distinct_id": f"u{i % 5000}",
            "user_id": None,
            "anonymous_id": f"u{i % 5000}",
            "timestamp": 1_714_000_000_000_000 + i,
            "client_timestamp": 1_714_000_000_000_000 + i,
            "sent_at": None,
            "received_at": 1_714_000_000_000_000 + i,
            "source": source,
            "properties": props,
            "context": context,
        })
    return events


def main(count: int = 200_000, batch: int = 1_000, rounds: int = 5) -> None:
    """Best and median CPU time per event over ``rounds`` passes of ``count`` events, fed
    to ``to_stored`` in worker-sized batches (CPU time, so other processes on a shared
    machine inflate the figure less than wall time would)."""
    events = demo_events(count)
    to_stored(events[:batch])  # warm the caches the way a running worker has them
    timings = []
    for _ in range(rounds):
        start = time.process_time()
        for offset in range(0, count, batch):
            to_stored(events[offset : offset + batch])
        timings.append(time.process_time() - start)
    per_event = [t / count * 1e6 for t in timings]
    print(
        f"{count} events in batches of {batch}, {rounds} rounds: "
        f"best {min(per_event):.2f} µs/event, median {statistics.median(per_event):.2f} "
        f"µs/event ({count / min(timings):,.0f} events/s on one core)"
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
