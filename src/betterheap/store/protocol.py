"""What every event store offers. Callers hold this Protocol, never a backend module."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

import pyarrow as pa
from sqlglot import exp

from betterheap.events.model import StoredEvent


class Written(NamedTuple):
    """What a batch added: events stored, and events quarantined or filtered for the first
    time. A uuid already there (a client's retry, a replayed spool segment) counts in none,
    so received - sum(written) is the batch's duplicates."""

    stored: int
    quarantined: int = 0
    filtered: int = 0


class EventStore(Protocol):
    """A place where clean events are kept and queried."""

    #: sqlglot dialect name used to print queries for this store.
    dialect: str

    def write_batch(
        self,
        events: Sequence[StoredEvent] | pa.Table,
        person_links: Sequence[tuple[int, str, str]],
        checkpoint: tuple[str, int] | None,
        quarantined: pa.Table | None = None,
        filtered: pa.Table | None = None,
        released: Sequence[tuple[int, str]] = (),
    ) -> Written:
        """Atomically store events (rows, or an Arrow table from ``store.arrow``), skipping
        uuids already stored; person links ``(project_id, distinct_id, person_id)``; the
        spool checkpoint; quarantined events (``store.arrow.quarantine_table``, replacing a
        row of the same uuid: a replay updates its reason), filtered events
        (``store.arrow.filtered_table``); and removes ``released`` (project, uuid) rows from
        the quarantine (a replay accepted them). A uuid is kept in one place only: a
        quarantined or filtered event already stored is a duplicate, and an event stored
        leaves the quarantine and the filtered counts. Returns the new rows of each kind."""
        ...

    def checkpoint(self) -> tuple[str, int] | None:
        """The spool position of the last committed batch."""
        ...

    def person_links(self) -> list[tuple[int, str, str]]:
        """Every stored ``(project_id, distinct_id, person_id)`` link."""
        ...

    def query(
        self,
        expression: exp.Expression,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        """Run a compiled SELECT and return rows as dictionaries; a query still running
        after ``timeout`` seconds is stopped with :class:`QueryTimeout`."""
        ...

    def close(self) -> None: ...


class QueryTimeout(TimeoutError):
    """A query stopped because it ran longer than its caller allowed."""
