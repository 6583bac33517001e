"""Turning spool records into store-ready batches: a pure function, run off the hot process.

Decoding, enrichment and building the columnar batch cost most of the loader's CPU. They
need nothing but the records, so the loader can run them in a worker process while the
server process keeps its interpreter for answering requests.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from betterheap.ingest.gateway import decode
from betterheap.pipeline import to_stored
from betterheap.store.arrow import events_table


@dataclass
class PreparedBatch:
    table: pa.Table
    #: (project_id, distinct_id, belongs_to) identity links, in arrival order.
    links: list[tuple[int, str, str]]
    received: int


def prepare(records: list[bytes]) -> PreparedBatch:
    incoming = [event for record in records for event in decode(record)]
    links = [
        (event["project_id"], distinct_id, belongs_to)
        for event in incoming
        if "links" in event
        for distinct_id, belongs_to in event["links"]
    ]
    return PreparedBatch(events_table(to_stored(incoming)), links, len(incoming))
