"""A deterministic demo dataset: 90 days of a handmade-goods marketplace as Segment batches.

>>> from datetime import date
>>> payloads = list(generate(events=2000, seed=1, end_date=date(2024, 6, 30)))
>>> sorted(payloads[0])
['batch', 'sentAt']
>>> STORY.signup_outage.on(date(2024, 6, 30)).isoformat()
'2024-06-04'

See docs/demo.md for what is in the data and the incidents planted in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from betterheap.demo.marketplace import Marketplace
from betterheap.demo.mess import CLEAN_SHARE, MESS, Mess, MessRates
from betterheap.demo.story import DAYS, STORY, Incident, PlantedStory, window_start

__all__ = ["DAYS", "MESS", "STORY", "Incident", "MessRates", "PlantedStory", "generate", "window_start"]


def generate(
    events: int = 1_000_000,
    seed: int = 42,
    end_date: date | None = None,
    batch_size: int = 1000,
    messy: bool = False,
) -> Iterator[dict[str, Any]]:
    """Yield Segment batch payloads ``{"batch": [message, ...], "sentAt": iso8601}``.

    ``end_date`` defaults to yesterday (UTC); the 90 days end on it, inclusive. The same
    ``(events, seed, end_date)`` gives byte-identical payloads; the number of messages is
    within a few percent of ``events``. Memory stays flat: messages are built one visit at
    a time and handed out as soon as a batch is full.

    ``sentAt`` is the newest timestamp in the batch, as if the client flushed right away.
    A gateway that corrects clock skew with ``sentAt`` moves events to the time it received
    them, so a feeder replaying history should set ``sentAt`` to the moment it sends.

    ``messy=True`` adds the mess real tracking has (``betterheap.demo.mess``, rates in
    ``MESS``): the marketplace is asked for a little less than ``events`` so that, with the
    mess on top, the total stays close to the request. ``messy=False`` output does not
    depend on the messy mode in any way.
    """
    if events < 1:
        raise ValueError("events must be positive")
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    end = end_date or (datetime.now(UTC).date() - timedelta(days=1))
    if messy:
        clean = Marketplace(max(1, round(events * CLEAN_SHARE)), seed, end).messages(batch_size)
        batches = Mess(seed, events, end.isoformat()).batches(clean, batch_size)
    else:
        batches = Marketplace(events, seed, end).messages(batch_size)
    for batch in batches:
        yield {"batch": batch, "sentAt": max(message["timestamp"] for message in batch)}
