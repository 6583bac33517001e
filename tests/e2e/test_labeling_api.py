"""The endpoints the Chrome extension connects and labels with, over real HTTP: who may
connect, what they answer to good input and how they refuse bad input."""

from __future__ import annotations

from typing import Any

import httpx

from server import Server, api_token, bearer, write_key


def post(server: Server, path: str, body: Any, token: str | None = None, **params: Any) -> httpx.Response:
    """A POST with an API token (by default the command line's, an admin)."""
    headers = bearer(token or server.cli_token)
    return httpx.post(f"{server.url}{path}", json=body, params=params, headers=headers, timeout=30)


def test_connecting_with_a_token_names_the_project_and_its_write_key(server: Server) -> None:
    analyst = api_token(server.data_dir, "ana", "analyst")
    found = post(server, "/api/connect", {}, analyst)
    assert found.status_code == 200
    assert found.json() | {"server_version": "?"} == {
        "who": "ana",
        "role": "analyst",
        "project_id": 1,
        "project": "Demo marketplace",
        "write_key": write_key(server.data_dir),
        "plan_version": 0,
        "actions": 0,
        "server_version": "?",
    }
    assert post(server, "/api/connect", None, project_id=1).json()["who"] == "local-cli"

    nobody = httpx.post(f"{server.url}/api/connect", json={"key": write_key(server.data_dir)}, timeout=30)
    assert nobody.status_code == 401 and "betterheap users token NAME" in nobody.json()["detail"]
    wrong = post(server, "/api/connect", {}, "bh_wrong")
    assert wrong.status_code == 401 and "unknown or was revoked" in wrong.json()["detail"]
    viewer = post(server, "/api/connect", {}, api_token(server.data_dir, "vera", "viewer"))
    assert viewer.status_code == 403
    assert viewer.json()["detail"] == (
        "connecting the Chrome extension (it changes the tracking plan) needs the analyst role or above; "
        "vera is viewer"
    )
    elsewhere = post(server, "/api/connect", {}, analyst, project_id=7)
    assert elsewhere.status_code == 404 and "no project 7" in elsewhere.json()["detail"]


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
    versions = httpx.get(f"{server.url}/api/plan/versions", headers=server.as_cli, timeout=30).json()
    assert [(v["note"], v["author"]) for v in versions] == [("from a test", "local-cli")]
