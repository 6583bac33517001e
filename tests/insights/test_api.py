"""The insights REST endpoints on a real DuckDB store through an in-process client, called
with the command line's token (an admin; roles over real HTTP: tests/web/test_api_roles.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from betterheap.runtime import Runtime
from betterheap.settings import Settings
from betterheap.store.duckdb import DuckDBStore
from betterheap.web.api.callers import trust_local_cli
from betterheap.web.api.insights import router
from tests.factories import stored_event


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = DuckDBStore(tmp_path / "events.duckdb")
    store.write_batch(
        [
            stored_event("signup", "a", "2024-01-01T10:00:00", channel="ads"),
            stored_event("buy", "a", "2024-01-01T11:00:00", revenue=9.5, country="FR"),
            stored_event("signup", "b", "2024-01-02T10:00:00", channel="organic"),
            stored_event("buy", "b-phone", "2024-01-03T09:00:00", revenue=3.0, country="DE"),
        ],
        [(1, "b-phone", "b")],
        None,
    )
    app = FastAPI()
    app.include_router(router)
    app.state.runtime = Runtime(settings=Settings(data_dir=tmp_path), store=store)
    trust_local_cli(app, TOKEN)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as test_client:
        yield test_client
    store.close()


TOKEN = "the-local-cli-token"


def test_no_credentials_is_a_401(client: TestClient) -> None:
    del client.headers["Authorization"]
    for path, params in [
        ("/api/metrics", {}),
        ("/api/metrics/dau", {}),
        ("/api/trends", {"event": "buy"}),
        ("/api/funnel", {"steps": ["signup", "buy"]}),
        ("/api/retention", {}),
    ]:
        anonymous = client.get(path, params=params)
        assert anonymous.status_code == 401, path
        assert "betterheap users token NAME" in anonymous.json()["detail"]


def test_metrics_list(client: TestClient) -> None:
    names = {m["name"] for m in client.get("/api/metrics").json()}
    assert {"dau", "wau", "mau", "new_users", "revenue"} <= names


def test_metric(client: TestClient) -> None:
    response = client.get("/api/metrics/dau", params={"from": "2024-01-01", "to": "2024-01-04"})
    assert response.status_code == 200
    assert [r["value"] for r in response.json()] == [1, 1, 1, 0]
    by_channel = client.get("/api/metrics/new_users", params={"breakdown": "channel"}).json()
    assert {(r["date"], r["breakdown"], r["value"]) for r in by_channel} == {
        ("2024-01-01", "ads", 1),
        ("2024-01-02", "organic", 1),
    }


def test_trend(client: TestClient) -> None:
    rows = client.get(
        "/api/trends",
        params={
            "event": "buy",
            "measure": "sum",
            "property": "revenue",
            "interval": "week",
            "from": "2024-01-01",
            "to": "2024-01-07",
        },
    ).json()
    assert rows == [{"date": "2024-01-01", "value": 12.5}]


def test_funnel(client: TestClient) -> None:
    rows = client.get(
        "/api/funnel",
        params={"steps": ["signup", "buy"], "window": "2d", "from": "2024-01-01", "to": "2024-01-03"},
    ).json()
    assert [r["count"] for r in rows] == [2, 2]
    assert rows[1]["median_seconds_to_convert"] == (3600 + 23 * 3600) / 2
    first_day = client.get(
        "/api/funnel",
        params={"steps": ["signup", "buy"], "first_day": "true", "from": "2024-01-01", "to": "2024-01-03"},
    ).json()
    assert [r["count"] for r in first_day] == [2, 1]


def test_retention(client: TestClient) -> None:
    rows = client.get(
        "/api/retention",
        params={"period": "day", "from": "2024-01-01", "to": "2024-01-03", "periods": 2},
    ).json()
    assert rows == [
        {"cohort": "2024-01-01", "size": 1, "values": [1, 0, 0]},
        {"cohort": "2024-01-02", "size": 1, "values": [1, 1]},
    ]
    segments = client.get(
        "/api/retention",
        params={"from": "2024-01-01", "to": "2024-01-03", "by_first_day_funnel": ["signup", "buy"]},
    ).json()
    assert [s["segment"] for s in segments] == ["step 1: signup", "step 2: buy"]


@pytest.mark.parametrize(
    ("path", "params", "detail"),
    [
        ("/api/metrics/nope", {}, "known metrics: dau"),
        ("/api/metrics/dau", {"from": "2024-02-01", "to": "2024-01-01"}, "is after"),
        ("/api/funnel", {"steps": ["a", "b"], "window": "soon"}, "e.g. 14d"),
        ("/api/funnel", {"steps": ["a"]}, "at least 2 steps"),
        ("/api/trends", {"breakdown": "x'; DROP TABLE events"}, "invalid property name"),
        ("/api/trends", {"measure": "sum"}, "needs a property"),
    ],
)
def test_bad_requests_are_400(client: TestClient, path: str, params: dict[str, object], detail: str) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400
    assert detail in response.json()["detail"]
