"""Moves spooled events into the event store, exactly once.

Each transaction stores a batch of events, the identity links they assert and the spool
position they end at; after a crash the loader resumes from the last committed position,
and the store's (project, uuid) key drops any event it already has.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from betterheap.events.model import IncomingEvent
from betterheap.ingest.gateway import decode
from betterheap.ingest.identity import Identities
from betterheap.ingest.spool import Spool, SpoolPosition
from betterheap.pipeline import to_stored
from betterheap.store.protocol import EventStore


log = logging.getLogger(__name__)


@dataclass
class LoadStats:
    batches: int = 0
    received: int = 0
    stored: int = 0
    duplicates: int = 0


class Loader:
    def __init__(self, spool: Spool, store: EventStore, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.spool = spool
        self.store = store
        self.max_bytes = max_bytes
        self.identities = Identities(store.person_links())
        saved = store.checkpoint()
        self.position = SpoolPosition(*saved) if saved else spool.start()
        self.stats = LoadStats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def load_once(self) -> int:
        """Store what the spool holds past our position (up to ``max_bytes``); events read."""
        records, end = self.spool.read(self.position, self.max_bytes)
        if end == self.position:
            return 0
        incoming: list[IncomingEvent] = []
        for record in records:
            incoming.extend(decode(record))
        links: list[tuple[int, str, str]] = []
        for event in incoming:
            for distinct_id, belongs_to in event.get("links", ()):
                links.extend(self.identities.link(event["project_id"], distinct_id, belongs_to))
        stored = self.store.write_batch(to_stored(incoming), links, (end.segment, end.offset))
        self.position = end
        self.spool.release(end)
        self.stats.batches += 1
        self.stats.received += len(incoming)
        self.stats.stored += stored
        self.stats.duplicates += len(incoming) - stored
        return len(incoming)

    def drain(self) -> int:
        """Load until the spool is empty; returns events read."""
        total = 0
        while True:
            count = self.load_once()
            if count == 0 and self.spool.backlog_bytes(self.position) == 0:
                return total
            total += count

    def backlog_bytes(self) -> int:
        return self.spool.backlog_bytes(self.position)

    # -- running in the background ---------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="loader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                loaded = self.load_once()
            except Exception:  # keep the events in the spool and try again
                log.exception("loading spooled events failed; retrying in 1 s")
                self._stop.wait(1.0)
                continue
            if loaded == 0:
                with self.spool.appended:
                    self.spool.appended.wait(timeout=0.2)
                time.sleep(0.05)  # let a few requests gather into one transaction

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.drain()
