"""Finding a running server for the same data directory.

DuckDB lets one process write a database file; while ``serve`` runs, CLI commands send
their work to it over HTTP instead of opening the file. The server records its address in
``<data dir>/server.json`` and removes it when it stops.

The file also holds a token for the command line: whoever can read the data directory
could open the database itself, so the server lets them in as its built-in local admin
(``local-cli``). The file is written readable by its owner only (mode 0600), and the token
lives as long as the server process.
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
    #: Sent as ``Authorization: Bearer``; None from a server that wrote none.
    token: str | None = None

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


def write_server_file(path: Path, url: str, token: str) -> None:
    """Write the link atomically, readable by the owner only (it holds ``token``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.unlink(missing_ok=True)  # a leftover would keep its own mode
    with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
        file.write(orjson.dumps({"url": url, "pid": os.getpid(), "token": token}))
    os.replace(partial, path)


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
        token = info.get("token")
        link = ServerLink(str(info["url"]), int(info["pid"]), str(token) if token else None)
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
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
