from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from server import Server, start_server  # noqa: E402


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def server(data_dir: Path) -> Iterator[Server]:
    running = start_server(data_dir)
    try:
        yield running
    finally:
        running.stop()


DEMO_EVENTS = 60_000


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server over a small messy demo (≈60k events, a plan) for the page tests, with a
    viewer, an analyst and an admin. Tests using it share it: mark them
    ``xdist_group("web-demo")`` and leave what they create under names of their own."""
    from server import DEMO_PASSWORD, cli

    data_dir = tmp_path_factory.mktemp("web-demo")
    cli(data_dir, "demo", "--events", str(DEMO_EVENTS), "--messy")
    for role in ("viewer", "analyst", "admin"):
        cli(data_dir, "users", "add", f"the-{role}", "--role", role, "--password", DEMO_PASSWORD)
    running = start_server(data_dir)
    try:
        yield running
    finally:
        running.stop()
