"""The endpoints the Chrome extension connects and labels with, over real HTTP: what they
answer to good input and how they refuse bad input."""

from __future__ import annotations

from typing import Any

import httpx

from server import Server, write_key


def post(server: Server, path: str, body: Any, **params: Any) -> httpx.Response:
    return httpx.post(f"{server.url}{path}", json=body, params=params, timeout=30)


def test_connecting_names_the_project_of_a_write_key(server: Server) -> None:
    key = write_key(server.data_dir)
    found = post(server, "/api/connect", {"key": f" {key} "})
    assert found.status_code == 200
    assert found.json() | {"server_version": "?"} == {
        "project_id": 1,
        "project": "Demo marketplace",
        "plan_version": 0,
        "actions": 0,
        "server_version": "?",
    }
    assert post(server, "/api/connect", {"key": "bh_wrong"}).status_code == 401
    refused = post(server, "/api/connect", {})
    assert refused.status_code == 400 and "write key" in refused.json()["detail"]


def test_labeling_refuses_what_it_cannot_use_and_saves_what_it_can(server: Server) -> None:
    assert post(server, "/api/actions/suggest", {"elements_chain": 5}).status_code == 400
    suggested = post(server, "/api/actions/suggest", {"elements_chain": 'a.pricing:text="Pricing"'})
    assert suggested.json()["action"]["name"] == "pricing_clicked"

    empty = post(server, "/api/actions/preview", {})
    assert empty.status_code == 400 and "give a selector" in empty.json()["detail"]
    hover = post(server, "/api/actions/preview", {"selector": "a:hover"})
    assert hover.status_code == 400 and "pseudo-classes" in hover.json()["detail"]
    counted = post(server, "/api/actions/preview", {"selector": "a.pricing"}, **{"from": "2026-11-01"})
    assert counted.status_code == 200
    none = counted.json()
    assert (none["clicks"], none["people"], none["from"]) == (0, 0, "2026-11-01")

    bad = post(server, "/api/plan/actions", {"name": "Pricing!", "selector": "a.pricing"})
    assert bad.status_code == 400 and "actions[0] (Pricing!).name" in bad.json()["detail"]
    saved = post(server, "/api/plan/actions", suggested.json()["action"] | {"note": "from a test"})
    assert saved.status_code == 200 and saved.json()["version"] == 1
    again = post(server, "/api/plan/actions", suggested.json()["action"])
    assert again.status_code == 400 and "already has an event or action" in again.json()["detail"]
    versions = httpx.get(f"{server.url}/api/plan/versions").json()
    assert [v["note"] for v in versions] == ["from a test"]
