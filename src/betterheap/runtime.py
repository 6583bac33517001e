"""The objects a running BetterHeap needs, built once from settings and passed down."""

from __future__ import annotations

from dataclasses import dataclass

from betterheap.settings import Settings
from betterheap.store.protocol import EventStore


@dataclass
class Runtime:
    settings: Settings
    store: EventStore
