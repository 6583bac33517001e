"""Finding a running server for the same data directory.

DuckDB lets one process write a database file; while ``serve`` runs, CLI commands send
their work to it over HTTP instead of opening the file. The server records its address in
``<data dir>/server.json`` and removes it when it stops.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson


@dataclass(frozen=True)
class ServerLink:
    url: str
    pid: int


def write_server_file(path: Path, url: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps({"url": url, "pid": os.getpid()}))


def remove_server_file(path: Path) -> None:
    try:
        if orjson.loads(path.read_bytes()).get("pid") == os.getpid():
            path.unlink()
    except (FileNotFoundError, orjson.JSONDecodeError):
        pass


def running_server(path: Path) -> ServerLink | None:
    """The server serving this data directory, if one answers."""
    try:
        info = orjson.loads(path.read_bytes())
        link = ServerLink(str(info["url"]), int(info["pid"]))
    except (FileNotFoundError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    try:
        os.kill(link.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    try:
        answer = httpx.get(f"{link.url}/api/health", timeout=2.0)
    except httpx.HTTPError:
        return None
    return link if answer.status_code == 200 else None
