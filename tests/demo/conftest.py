"""One mid-sized demo dataset, generated once per test session and shared by the tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from betterheap.demo import generate

END = date(2024, 6, 30)
EVENTS = 200_000


@pytest.fixture(scope="session")
def payloads() -> list[dict[str, Any]]:
    return list(generate(events=EVENTS, seed=7, end_date=END))


@pytest.fixture(scope="session")
def messages(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [message for payload in payloads for message in payload["batch"]]
