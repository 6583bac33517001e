"""The objects a running BetterHeap needs, built once from settings and passed down."""

from __future__ import annotations

import gc
from dataclasses import dataclass

from betterheap.ingest.gateway import Gateway, GatewayLimits
from betterheap.ingest.loader import Loader
from betterheap.ingest.spool import Spool
from betterheap.meta.plans import CurrentPlans, PlanVersions
from betterheap.meta.projects import ProjectDirectory
from betterheap.settings import Settings
from betterheap.store.duckdb import DuckDBStore
from betterheap.store.protocol import EventStore


@dataclass
class Runtime:
    settings: Settings
    store: EventStore
    projects: ProjectDirectory | None = None
    spool: Spool | None = None
    gateway: Gateway | None = None
    loader: Loader | None = None
    plans: PlanVersions | None = None

    def close(self) -> None:
        # Objects frozen by tune_garbage_collector must be collectable again, or DuckDB's
        # bindings report them as leaked at exit.
        gc.unfreeze()
        if self.loader is not None:
            self.loader.stop()
        if self.spool is not None:
            self.spool.close()
        self.store.close()
        if self.projects is not None:
            self.projects.close()


def open_runtime(settings: Settings) -> Runtime:
    """Open the data directory for writing: metadata, spool, gateway, loader and store.

    The loader is not started; callers either ``runtime.loader.start()`` (the server) or
    ``runtime.loader.drain()`` (batch commands).
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    projects = ProjectDirectory(settings.meta_url)
    projects.ensure_default()
    store = DuckDBStore(settings.events_path)
    spool = Spool(settings.spool_dir, settings.spool_segment_bytes)
    limits = GatewayLimits(
        max_body_bytes=settings.max_body_bytes,
        max_batch_messages=settings.max_batch_messages,
        future_clamp_hours=settings.future_clamp_hours,
    )
    gateway = Gateway(projects, spool, limits)
    plans = PlanVersions(projects.engine)
    loader = Loader(
        spool, store, settings.loader_batch_bytes, settings.loader_processes, plans=CurrentPlans(plans)
    )
    return Runtime(settings, store, projects, spool, gateway, loader, plans)


def tune_garbage_collector() -> None:
    """Ingestion parses many small JSON objects, which would trigger the cyclic collector
    every few hundred events; move start-up objects out of its way and make young-generation
    collections rarer (measured: the gateway's parse cost per event halves)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
