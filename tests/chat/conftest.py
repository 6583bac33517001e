"""The demo dataset the chat's examples are checked on: generated once per test session
through real ingestion (messy, 400k events, ending 2026-11-29), then opened in process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from betterheap.chat.service import Chat, open_chat
from betterheap.demo.story import STORY
from betterheap.runtime import open_runtime
from betterheap.settings import Settings
from server import cli

END = date(2026, 11, 29)
EVENTS = 400_000
OUTAGE = STORY.signup_outage.on(END)
#: The Monday after the sign-up outage: "last Tuesday" is the outage day.
TODAY = OUTAGE + timedelta(days=6)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("chat-demo")
    cli(data_dir, "demo", "--events", str(EVENTS), "--messy", "--end-date", END.isoformat())
    return data_dir


@pytest.fixture(scope="session")
def chat(demo_dir: Path) -> Iterator[Chat]:
    runtime = open_runtime(Settings(data_dir=demo_dir, loader_processes=0))
    assert runtime.plans is not None and runtime.projects is not None
    try:
        yield open_chat(runtime.store, runtime.plans, runtime.projects.engine, runtime.settings)
    finally:
        runtime.close()
