"""The embedded event store: one DuckDB file, one writer connection, cursors for readers."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from betterheap.events.model import StoredEvent
from betterheap.store.arrow import events_table
from betterheap.store.protocol import QueryTimeout, Written
from betterheap.store.schema import EVENT_COLUMNS, FILTERED_COLUMNS, LATER_EVENT_COLUMNS, QUARANTINE_COLUMNS

_DDL = [
    "CREATE TABLE IF NOT EXISTS events ("
    + ", ".join(f'"{name}" {sql_type}' for name, sql_type in EVENT_COLUMNS)
    # person_key: the store's number for the event's person, re-pointed on identity merges.
    + ", person_key BIGINT, PRIMARY KEY (project_id, uuid))",
    "CREATE SEQUENCE IF NOT EXISTS person_keys START 1",
    "CREATE TABLE IF NOT EXISTS persons ("
    "project_id INTEGER, person_id VARCHAR, person_key BIGINT, PRIMARY KEY (project_id, person_id))",
    "CREATE TABLE IF NOT EXISTS person_distinct_ids ("
    "project_id INTEGER, distinct_id VARCHAR, person_id VARCHAR, "
    "PRIMARY KEY (project_id, distinct_id))",
    "CREATE TABLE IF NOT EXISTS ingest_checkpoint (id INTEGER PRIMARY KEY, segment VARCHAR, position BIGINT)",
    # Events the tracking plan refused, raw, until a replay under a newer plan accepts them.
    "CREATE TABLE IF NOT EXISTS quarantine ("
    + ", ".join(f'"{name}" {sql_type}' for name, sql_type in QUARANTINE_COLUMNS)
    + ", PRIMARY KEY (project_id, uuid))",
    # Bot and internal events: counted with their reason, not stored as usage.
    "CREATE TABLE IF NOT EXISTS filtered_events ("
    + ", ".join(f'"{name}" {sql_type}' for name, sql_type in FILTERED_COLUMNS)
    + ", PRIMARY KEY (project_id, uuid))",
]


# A person's key: from the link of its distinct id when merged, else the distinct id itself.
_PERSON_OF_EVENT = (
    "LEFT JOIN person_distinct_ids pdi ON pdi.project_id = i.project_id AND pdi.distinct_id = i.distinct_id "
    "JOIN persons p ON p.project_id = i.project_id AND p.person_id = COALESCE(pdi.person_id, i.distinct_id)"
)
_INSERT_PERSONS = "INSERT OR IGNORE INTO persons SELECT project_id, person_id, nextval('person_keys') FROM ("
_UNKNOWN_ONLY = (
    ") AS n WHERE NOT EXISTS "
    "(SELECT 1 FROM persons q WHERE q.project_id = n.project_id AND q.person_id = n.person_id)"
)
# One row per event across events, quarantine and filtered_events, whatever the plan said
# when each copy arrived (a retry sent after a plan change is routed anew):
# - a quarantined or filtered event already stored is a duplicate. A retry has the same
#   timestamp as its original, and matching on it lets DuckDB skip row groups of other days,
#   so this probe does not scan the whole events table;
# - an event stored now leaves the quarantine and the filtered counts it was in.
_NOT_STORED = (
    " WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.project_id = i.project_id"
    " AND e.timestamp = i.timestamp AND e.uuid = i.uuid::UUID)"
)
_RELEASE_STORED = (
    "DELETE FROM {table} t USING incoming_events i "
    "WHERE t.project_id = i.project_id AND t.uuid = i.uuid::UUID"
)
# Quarantined events whose uuid is not in the quarantine yet (a re-sent one replaces its row).
_NEW_QUARANTINED = (
    "SELECT count(*) FROM incoming_quarantine i" + _NOT_STORED + " AND NOT EXISTS (SELECT 1 FROM "
    "quarantine q WHERE q.project_id = i.project_id AND q.uuid = i.uuid::UUID)"
)
_NEW_PERSONS = (
    _INSERT_PERSONS + "SELECT DISTINCT i.project_id, COALESCE(pdi.person_id, i.distinct_id) AS person_id "
    "FROM incoming_events i LEFT JOIN person_distinct_ids pdi "
    "ON pdi.project_id = i.project_id AND pdi.distinct_id = i.distinct_id" + _UNKNOWN_ONLY
)
_NEW_LINKED_PERSONS = (
    _INSERT_PERSONS + "SELECT DISTINCT project_id, person_id FROM incoming_links" + _UNKNOWN_ONLY
)
# Events stored before a merge follow their distinct id to its (new) person.
_REPOINT_MERGED_EVENTS = (
    "UPDATE events SET person_key = m.person_key FROM ("
    "SELECT l.project_id, l.distinct_id, p.person_key FROM incoming_links l "
    "JOIN persons p ON p.project_id = l.project_id AND p.person_id = l.person_id) AS m "
    "WHERE events.project_id = m.project_id AND events.distinct_id = m.distinct_id "
    "AND events.person_key IS DISTINCT FROM m.person_key"
)


def _add_later_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Upgrade a store made before the tracking plan's columns existed (once, on open)."""
    present = {
        str(row[0])
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'events'"
        ).fetchall()
    }
    types = dict(EVENT_COLUMNS)
    for name in LATER_EVENT_COLUMNS:
        if name not in present:
            con.execute(f'ALTER TABLE events ADD COLUMN "{name}" {types[name]}')


def _add_person_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Upgrade a store made before events carried ``person_key`` (once, on open)."""
    columns = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'events'"
    ).fetchall()
    if ("person_key",) in columns:
        return
    con.execute("BEGIN TRANSACTION")
    con.execute("ALTER TABLE events ADD COLUMN person_key BIGINT")
    con.execute(_NEW_PERSONS.replace("incoming_events", "events"))
    con.execute(
        "UPDATE events SET person_key = p.person_key FROM persons p, ("
        "SELECT e.project_id, e.distinct_id, COALESCE(pdi.person_id, e.distinct_id) AS person_id "
        "FROM (SELECT DISTINCT project_id, distinct_id FROM events) e LEFT JOIN person_distinct_ids pdi "
        "ON pdi.project_id = e.project_id AND pdi.distinct_id = e.distinct_id) AS d "
        "WHERE p.project_id = d.project_id AND p.person_id = d.person_id "
        "AND events.project_id = d.project_id AND events.distinct_id = d.distinct_id"
    )
    con.execute("COMMIT")


def _links_table(person_links: Sequence[tuple[int, str, str]]) -> pa.Table:
    return pa.table(
        {
            "project_id": pa.array([p for p, _, _ in person_links], pa.int32()),
            "distinct_id": [d for _, d, _ in person_links],
            "person_id": [q for _, _, q in person_links],
        }
    )


class DuckDBStore:
    """Events in a DuckDB file. Thread-safe: writes are serialized, reads use cursors."""

    dialect = "duckdb"

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = str(path)
        self._read_only = read_only
        if not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # No progress bar: it would be printed into the CLI's JSON and CSV output.
        self._connection = duckdb.connect(self.path, read_only=read_only)
        self._connection.execute("SET enable_progress_bar = false")
        self._write_lock = threading.Lock()
        if not read_only:
            for statement in _DDL:
                self._connection.execute(statement)
            _add_person_keys(self._connection)
            _add_later_columns(self._connection)

    def write_batch(
        self,
        events: Sequence[StoredEvent] | pa.Table,
        person_links: Sequence[tuple[int, str, str]],
        checkpoint: tuple[str, int] | None,
        quarantined: pa.Table | None = None,
        filtered: pa.Table | None = None,
        released: Sequence[tuple[int, str]] = (),
    ) -> Written:
        table = events if isinstance(events, pa.Table) else events_table(events)
        with self._write_lock:
            con = self._connection
            con.execute("BEGIN TRANSACTION")
            try:
                if person_links:
                    con.register("incoming_links", _links_table(person_links))
                    con.execute(
                        "INSERT OR REPLACE INTO person_distinct_ids "
                        "SELECT project_id, distinct_id, person_id FROM incoming_links"
                    )
                inserted = 0
                if len(table):
                    con.register("incoming_events", table)
                    con.execute(_NEW_PERSONS)
                    columns = ", ".join(f'"{name}"' for name, _ in EVENT_COLUMNS)
                    casts = ", ".join(f'i."{name}"::{sql_type}' for name, sql_type in EVENT_COLUMNS)
                    # Duplicates against earlier batches are dropped by the primary key; a
                    # batch itself must hold each (project, uuid) once (see store.arrow).
                    result = con.execute(
                        f"INSERT OR IGNORE INTO events ({columns}, person_key) "
                        f"SELECT {casts}, p.person_key FROM incoming_events i {_PERSON_OF_EVENT}"
                    ).fetchall()
                    inserted = int(result[0][0])
                    if inserted:
                        con.execute(_RELEASE_STORED.format(table="quarantine"))
                        con.execute(_RELEASE_STORED.format(table="filtered_events"))
                    con.unregister("incoming_events")
                new_quarantined = new_filtered = 0
                if quarantined is not None and len(quarantined):
                    con.register("incoming_quarantine", quarantined)
                    new_quarantined = int(con.execute(_NEW_QUARANTINED).fetchall()[0][0])
                    names = ", ".join(f'"{name}"' for name, _ in QUARANTINE_COLUMNS)
                    casts = ", ".join(f'i."{name}"::{sql_type}' for name, sql_type in QUARANTINE_COLUMNS)
                    con.execute(
                        f"INSERT OR REPLACE INTO quarantine ({names}) "
                        f"SELECT {casts} FROM incoming_quarantine i" + _NOT_STORED
                    )
                    con.unregister("incoming_quarantine")
                if filtered is not None and len(filtered):
                    con.register("incoming_filtered", filtered)
                    names = ", ".join(f'"{name}"' for name, _ in FILTERED_COLUMNS)
                    casts = ", ".join(f'i."{name}"::{sql_type}' for name, sql_type in FILTERED_COLUMNS)
                    result = con.execute(
                        f"INSERT OR IGNORE INTO filtered_events ({names}) "
                        f"SELECT {casts} FROM incoming_filtered i" + _NOT_STORED
                    ).fetchall()
                    new_filtered = int(result[0][0])
                    con.unregister("incoming_filtered")
                if released:
                    con.register(
                        "released_events",
                        pa.table(
                            {
                                "project_id": pa.array([p for p, _ in released], pa.int32()),
                                "uuid": [u for _, u in released],
                            }
                        ),
                    )
                    con.execute(
                        "DELETE FROM quarantine q USING released_events r "
                        "WHERE q.project_id = r.project_id AND q.uuid = r.uuid::UUID"
                    )
                    con.unregister("released_events")
                if person_links:
                    con.execute(_NEW_LINKED_PERSONS)
                    con.execute(_REPOINT_MERGED_EVENTS)
                    con.unregister("incoming_links")
                if checkpoint is not None:
                    con.execute(
                        "INSERT OR REPLACE INTO ingest_checkpoint VALUES (1, ?, ?)",
                        [checkpoint[0], checkpoint[1]],
                    )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return Written(inserted, new_quarantined, new_filtered)

    def checkpoint(self) -> tuple[str, int] | None:
        rows = (
            self._cursor().execute("SELECT segment, position FROM ingest_checkpoint WHERE id = 1").fetchall()
        )
        return (str(rows[0][0]), int(rows[0][1])) if rows else None

    def person_links(self) -> list[tuple[int, str, str]]:
        rows = (
            self._cursor()
            .execute("SELECT project_id, distinct_id, person_id FROM person_distinct_ids")
            .fetchall()
        )
        return [(int(p), str(d), str(q)) for p, d, q in rows]

    def query(
        self,
        expression: exp.Expression,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> list[dict[str, Any]]:
        sql = expression.sql(dialect=self.dialect)
        return self.query_sql(sql, params, timeout)

    def query_sql(
        self, sql: str, params: Mapping[str, Any] | None = None, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """Run SQL text produced by the query compiler or passed by the SQL guard (never
        hand-built from user input); interrupted after ``timeout`` seconds."""
        cursor = self._cursor()
        timer = threading.Timer(timeout, cursor.interrupt) if timeout is not None else None
        if timer is not None:
            timer.daemon = True
            timer.start()
        try:
            result = cursor.execute(sql, dict(params or {}))
            names = [d[0] for d in result.description or []]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
        except duckdb.InterruptException:
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped") from None
        finally:
            if timer is not None:
                timer.cancel()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        return self._connection.cursor()

    def close(self) -> None:
        self._connection.close()
