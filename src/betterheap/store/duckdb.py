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
from betterheap.store.schema import EVENT_COLUMNS

_DDL = [
    "CREATE TABLE IF NOT EXISTS events ("
    + ", ".join(f'"{name}" {sql_type}' for name, sql_type in EVENT_COLUMNS)
    + ", PRIMARY KEY (project_id, uuid))",
    "CREATE TABLE IF NOT EXISTS person_distinct_ids ("
    "project_id INTEGER, distinct_id VARCHAR, person_id VARCHAR, "
    "PRIMARY KEY (project_id, distinct_id))",
    "CREATE TABLE IF NOT EXISTS ingest_checkpoint (id INTEGER PRIMARY KEY, segment VARCHAR, position BIGINT)",
]


class DuckDBStore:
    """Events in a DuckDB file. Thread-safe: writes are serialized, reads use cursors."""

    dialect = "duckdb"

    def __init__(self, path: Path | str, read_only: bool = False) -> None:
        self.path = str(path)
        self._read_only = read_only
        if not read_only:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._connection = duckdb.connect(self.path, read_only=read_only)
        self._write_lock = threading.Lock()
        if not read_only:
            for statement in _DDL:
                self._connection.execute(statement)

    def write_batch(
        self,
        events: Sequence[StoredEvent] | pa.Table,
        person_links: Sequence[tuple[int, str, str]],
        checkpoint: tuple[str, int] | None,
    ) -> int:
        table = events if isinstance(events, pa.Table) else events_table(events)
        with self._write_lock:
            con = self._connection
            con.execute("BEGIN TRANSACTION")
            try:
                inserted = 0
                if len(table):
                    con.register("incoming_events", table)
                    columns = ", ".join(f'"{name}"' for name, _ in EVENT_COLUMNS)
                    casts = ", ".join(f'"{name}"::{sql_type}' for name, sql_type in EVENT_COLUMNS)
                    # Duplicates against earlier batches are dropped by the primary key; a
                    # batch itself must hold each (project, uuid) once (see store.arrow).
                    result = con.execute(
                        f"INSERT OR IGNORE INTO events ({columns}) SELECT {casts} FROM incoming_events"
                    ).fetchall()
                    inserted = int(result[0][0])
                    con.unregister("incoming_events")
                if person_links:
                    links = pa.table(
                        {
                            "project_id": pa.array([p for p, _, _ in person_links], pa.int32()),
                            "distinct_id": [d for _, d, _ in person_links],
                            "person_id": [q for _, _, q in person_links],
                        }
                    )
                    con.register("incoming_links", links)
                    con.execute(
                        "INSERT OR REPLACE INTO person_distinct_ids "
                        "SELECT project_id, distinct_id, person_id FROM incoming_links"
                    )
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
        return inserted

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
        self, expression: exp.Expression, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        sql = expression.sql(dialect=self.dialect)
        return self.query_sql(sql, params)

    def query_sql(self, sql: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run SQL text produced by the query compiler (never hand-built from user input)."""
        cursor = self._cursor()
        result = cursor.execute(sql, dict(params or {}))
        names = [d[0] for d in result.description or []]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        return self._connection.cursor()

    def close(self) -> None:
        self._connection.close()
