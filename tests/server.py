"""Starting a real ``betterheap serve`` process on a free loopback port for tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import orjson

#: The password of the shared demo server's people (``the-viewer``, ``the-analyst``,
#: ``the-admin``; see the ``demo_server`` fixture).
DEMO_PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli(
    data_dir: Path, *args: str, check: bool = True, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the ``betterheap`` command as a user would."""
    result = subprocess.run(
        [sys.executable, "-m", "betterheap", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    if check and result.returncode != 0:
        raise AssertionError(f"betterheap {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def write_key(data_dir: Path) -> str:
    projects = orjson.loads(cli(data_dir, "project", "list", "--format", "json").stdout)
    return str(projects[0]["write_key"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def api_token(data_dir: Path, name: str, role: str, password: str = DEMO_PASSWORD) -> str:
    """An account ``name`` with ``role`` and a fresh API token for it (``betterheap users
    token``), as a person given API access would get one."""
    cli(data_dir, "users", "add", name, "--role", role, "--password", password)
    return cli(data_dir, "users", "token", name, "--label", "tests").stdout.strip()


@dataclass
class Server:
    data_dir: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cli_token(self) -> str:
        """The token ``serve`` wrote into ``server.json`` for the command line on this
        machine: it acts as the built-in admin ``local-cli``."""
        return str(orjson.loads((self.data_dir / "server.json").read_bytes())["token"])

    @property
    def as_cli(self) -> dict[str, str]:
        """Headers that call the API as the command line does (``local-cli``, an admin)."""
        return bearer(self.cli_token)

    def wait_loaded(self, timeout: float = 60) -> dict[str, int]:
        """Wait until every acknowledged event is in the store."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = httpx.get(f"{self.url}/api/ingest/status").json()
            if status["backlog_bytes"] == 0:
                return status  # type: ignore[no-any-return]
            time.sleep(0.05)
        raise TimeoutError("the loader did not catch up")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(data_dir: Path, port: int | None = None, timeout: float = 30) -> Server:
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "betterheap", "serve", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    server = Server(data_dir, port, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx.get(f"{server.url}/api/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.stop()
    raise TimeoutError("the server did not start")


CHROME = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/124.0 Safari/537.36"


def send_signups(server: Server, count: int) -> None:
    """``count`` people signing up yesterday (with an e-mail, personal data), stored."""
    yesterday = (datetime.now(UTC) - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    batch = [
        {
            "type": "track",
            "event": "signed_up",
            "userId": f"u{i}",
            "messageId": str(uuid.uuid4()),
            "timestamp": yesterday.isoformat(),
            "properties": {"email": f"u{i}@example.org", "plan": "pro"},
            "context": {"userAgent": CHROME, "ip": "203.0.113.9"},
        }
        for i in range(count)
    ]
    key = write_key(server.data_dir)
    assert (
        httpx.post(f"{server.url}/v1/batch", json={"batch": batch}, auth=(key, ""), timeout=30).status_code
        == 200
    )
    server.wait_loaded()
