"""Import history from CSV, JSON Lines or Parquet through the same gateway as live events.

Each row becomes a Segment ``track`` message. A column mapping names which column holds the
event name, the user, the time...; every other column becomes an event property. Rows get a
deterministic message id (from their content), so importing the same file twice stores each
event once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import orjson
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json
import pyarrow.parquet as pa_parquet

FileFormat = Literal["csv", "jsonl", "parquet"]

#: Fields a column can be mapped to, and where each lands in the Segment message.
FIELDS: dict[str, tuple[str, ...]] = {
    "event": ("event",),
    "user_id": ("userId",),
    "anonymous_id": ("anonymousId",),
    "timestamp": ("timestamp",),
    "message_id": ("messageId",),
    "country": ("context", "location", "country"),
    "user_agent": ("context", "userAgent"),
    "url": ("context", "page", "url"),
    "referrer": ("context", "page", "referrer"),
    "ip": ("context", "ip"),
    "utm_source": ("context", "campaign", "source"),
    "utm_medium": ("context", "campaign", "medium"),
    "utm_campaign": ("context", "campaign", "name"),
    "session_id": ("context", "sessionId"),
}


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``["event_type=event", "price=properties.revenue"]`` → ``{source column: field}``."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, field = pair.partition("=")
        if not sep or not column or not field:
            raise ValueError(f"--map takes source_column=field, got {pair!r}")
        if field not in FIELDS and not field.startswith("properties."):
            known = ", ".join(sorted(FIELDS))
            raise ValueError(f"unknown field {field!r} in --map; use one of {known} or properties.NAME")
        mapping[column] = field
    return mapping


def detect_format(path: Path) -> FileFormat:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise ValueError(f"cannot tell the format of {path.name}; pass --format csv|jsonl|parquet")


def read_table(path: Path, fmt: FileFormat) -> pa.Table:
    if not path.exists():
        raise ValueError(f"no such file: {path}")
    if fmt == "csv":
        # Id-like columns stay text: "007" must not become 7. Others are typed by content.
        names = pa_csv.open_csv(path).schema.names
        text = {name: pa.string() for name in names if _looks_like_id(name)}
        options = pa_csv.ConvertOptions(strings_can_be_null=True, column_types=text)
        return pa_csv.read_csv(path, convert_options=options)
    if fmt == "jsonl":
        return pa_json.read_json(path)
    return pa_parquet.read_table(path)


def _looks_like_id(column: str) -> bool:
    name = column.lower()
    return name in ("id", "uuid") or name.endswith(("_id", "id", "_uuid", "_key", "session", "zip", "code"))


def messages(table: pa.Table, mapping: dict[str, str]) -> Iterator[dict[str, Any]]:
    """Segment track messages for the rows of ``table``."""
    resolved = {
        column: mapping.get(column, column if column in FIELDS else f"properties.{column}")
        for column in table.column_names
    }
    fields = set(resolved.values())
    missing = [f for f in ("event", "timestamp") if f not in fields]
    if missing:
        raise ValueError(
            f"no column is mapped to {' and '.join(missing)}; columns are {', '.join(table.column_names)}"
            " (use --map COLUMN=event, --map COLUMN=timestamp)"
        )
    if "user_id" not in fields and "anonymous_id" not in fields:
        raise ValueError("no column is mapped to user_id or anonymous_id (use --map COLUMN=user_id)")
    seen: Counter[bytes] = Counter()
    rows = (row for chunk in table.to_batches(max_chunksize=10_000) for row in chunk.to_pylist())
    for row in rows:
        message: dict[str, Any] = {
            "type": "track",
            "properties": {},
            "context": {"library": {"name": "betterheap-import"}},
        }
        for column, value in row.items():
            if value is None or value == "":
                continue
            field = resolved[column]
            if field.startswith("properties."):
                message["properties"][field.removeprefix("properties.")] = _plain(value)
            else:
                _put(message, FIELDS[field], _plain(value))
        if "messageId" not in message:
            content = orjson.dumps(row, default=str, option=orjson.OPT_SORT_KEYS)
            seen[content] += 1
            message["messageId"] = hashlib.sha1(content + b"#%d" % seen[content]).hexdigest()
        yield message


def _put(message: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    target = message
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = str(value) if path[-1] in ("userId", "anonymousId", "messageId", "event") else value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def batches(table: pa.Table, mapping: dict[str, str], size: int = 1000) -> Iterator[dict[str, Any]]:
    """Segment batch payloads of at most ``size`` messages."""
    batch: list[dict[str, Any]] = []
    for message in messages(table, mapping):
        batch.append(message)
        if len(batch) >= size:
            yield {"batch": batch}
            batch = []
    if batch:
        yield {"batch": batch}
