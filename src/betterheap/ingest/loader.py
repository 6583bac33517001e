"""Moves spooled events into the event store, exactly once.

Each transaction stores a batch of events, the identity links they assert and the spool
position they end at; after a crash the loader resumes from the last committed position,
and the store's (project, uuid) key drops any event it already has.

Preparing a batch (decode, enrich, build the columnar table) is CPU work that needs only
the records, so with ``processes=1`` it runs in a worker process, one batch ahead of the
store write; the serving process keeps its interpreter for requests.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass

from betterheap.ingest.identity import Identities
from betterheap.ingest.prepare import PlanSnapshot, PreparedBatch, prepare
from betterheap.ingest.spool import Spool, SpoolPosition
from betterheap.store.protocol import EventStore

log = logging.getLogger(__name__)


@dataclass
class LoadStats:
    batches: int = 0
    received: int = 0
    stored: int = 0
    quarantined: int = 0
    filtered: int = 0
    duplicates: int = 0


@contextmanager
def _collector_paused() -> Iterator[None]:
    """``prepare`` makes no reference cycles; pausing the collector halves its cost."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _prepare_worker_setup(parent: int) -> None:
    """Preparing a batch allocates millions of small dicts and no reference cycles; the
    cyclic collector would walk them over and over (it doubled the cost per event).
    The worker also yields the CPU to the gateway: answering clients comes first, loading
    catches up when requests pause."""
    gc.disable()
    os.nice(5)
    threading.Thread(target=_exit_with_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A server killed with SIGKILL cannot stop its worker; the worker notices and exits."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


class Loader:
    def __init__(
        self,
        spool: Spool,
        store: EventStore,
        max_bytes: int = 32 * 1024 * 1024,
        processes: int = 0,
        plans: Callable[[], PlanSnapshot] | None = None,
    ) -> None:
        self.spool = spool
        #: Each project's current tracking plan, asked once per batch (cache it if costly).
        self.plans: Callable[[], PlanSnapshot] = plans or dict
        self.store = store
        self.max_bytes = max_bytes
        self.identities = Identities(store.person_links())
        saved = store.checkpoint()
        self.position = SpoolPosition(*saved) if saved else spool.start()
        self.stats = LoadStats()
        self._processes = processes
        self._executor: Executor | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- one step at a time ----------------------------------------------------------

    def load_once(self) -> int:
        """Store what the spool holds past our position (up to ``max_bytes``); events read."""
        with self._lock:
            records, end = self.spool.read(self.position, self.max_bytes)
            if end == self.position:
                return 0
            with _collector_paused():
                batch = prepare(records, self.plans())
            return self._commit(batch, end)

    def _commit(self, batch: PreparedBatch, end: SpoolPosition) -> int:
        # One row per id, its final person: a chain of merges in one batch re-points an id
        # more than once, and the store must get the last.
        final: dict[tuple[int, str], str] = {}
        for project_id, distinct_id, belongs_to in batch.links:
            for project, member, person in self.identities.link(project_id, distinct_id, belongs_to):
                final[(project, member)] = person
        links = [(project, member, person) for (project, member), person in final.items()]
        try:
            written = self.store.write_batch(
                batch.table, links, (end.segment, end.offset), batch.quarantined, batch.filtered
            )
        except BaseException:
            # The merges above changed memory only; start again from what is committed.
            self.identities = Identities(self.store.person_links())
            raise
        self.position = end
        self.spool.release(end)
        self.stats.batches += 1
        self.stats.received += batch.received
        self.stats.stored += written.stored
        self.stats.quarantined += written.quarantined
        self.stats.filtered += written.filtered
        self.stats.duplicates += batch.received - sum(written)
        return batch.received

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
        if self._processes > 0:
            self._start_executor()
        self._thread = threading.Thread(target=self._run, name="loader", daemon=True)
        self._thread.start()

    def _start_executor(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        context = multiprocessing.get_context("spawn")
        self._executor = ProcessPoolExecutor(
            self._processes, mp_context=context, initializer=_prepare_worker_setup, initargs=(os.getpid(),)
        )

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                loaded = self._pipelined() if self._executor is not None else self.load_once()
            except BrokenProcessPool:  # the worker died (killed, out of memory): start another
                log.exception("the loader's worker process died; starting a new one")
                self._start_executor()
                continue
            except Exception:  # the events stay in the spool; try again
                log.exception("loading spooled events failed; retrying in 1 s")
                self._stop.wait(1.0)
                continue
            if loaded == 0:
                with self.spool.appended:
                    self.spool.appended.wait(timeout=0.2)
                self._stop.wait(0.05)  # let a few requests gather into one transaction

    def _pipelined(self, until_empty: bool = False) -> int:
        """Prepare the next batch in the worker process while committing the current one."""
        assert self._executor is not None
        total = 0
        with self._lock:
            position = self.position
            in_flight: tuple[Future[PreparedBatch], SpoolPosition] | None = None
            while until_empty or not self._stop.is_set():
                records, end = self.spool.read(position, self.max_bytes)
                upcoming = (
                    (self._executor.submit(prepare, records, self.plans()), end) if end != position else None
                )
                position = end
                if in_flight is not None:
                    total += self._commit(in_flight[0].result(), in_flight[1])
                in_flight = upcoming
                if in_flight is None:
                    break
            if in_flight is not None:
                total += self._commit(in_flight[0].result(), in_flight[1])
        return total

    def stop(self) -> None:
        """Stop the background thread, then load whatever is left."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._executor is not None:
            while self._pipelined(until_empty=True) or self.backlog_bytes() > 0:
                pass
            self._executor.shutdown()
            self._executor = None
        self.drain()
