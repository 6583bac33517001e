from __future__ import annotations

from collections.abc import Iterator

import pytest

from betterheap.store.duckdb import DuckDBStore
from tests.insights.dataset import build
from tests.insights.oracle import Oracle


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DuckDBStore, Oracle]]:
    store, oracle = build(tmp_path_factory.mktemp("insights") / "events.duckdb")
    yield store, oracle
    store.close()
