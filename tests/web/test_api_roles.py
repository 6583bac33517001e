"""The insights, tracking-plan, setup and project API over real HTTP needs credentials, and
the caller's role decides: every role reads, analysts and admins change the plan, only
admins read personal data. What a site, a monitor or the debugger calls without an account
stays open: ingestion (write key), the script and its snippet, health, ingestion status
and the plan check (write key in the body)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from betterheap.settings import Settings
from betterheap.web.api.callers import caller
from betterheap.web.app import create_app
from server import CHROME, Server, api_token, bearer, send_signups, write_key

#: A sample of each group, as method, path, query and body: the insights, the plan and its
#: quarantine, labeling, the setup assistant, projects and the companion's connection.
PROTECTED: list[tuple[str, str, dict[str, Any], dict[str, Any] | None]] = [
    ("GET", "/api/metrics", {}, None),
    ("GET", "/api/metrics/dau", {}, None),
    ("GET", "/api/trends", {"breakdown": "email"}, None),
    ("GET", "/api/funnel", {"steps": ["signed_up", "signed_up"]}, None),
    ("GET", "/api/retention", {}, None),
    ("GET", "/api/plan", {}, None),
    ("POST", "/api/plan", {}, {"plan": {"events": [{"name": "signed_up"}]}}),
    ("GET", "/api/plan/versions", {}, None),
    ("GET", "/api/plan/diff", {}, None),
    ("POST", "/api/plan/diff", {}, {"plan": {"events": []}}),
    ("POST", "/api/plan/actions", {}, {"name": "pricing_clicked", "selector": "a.pricing"}),
    ("POST", "/api/actions/suggest", {}, {"elements_chain": 'a.pricing:text="Pricing"'}),
    ("POST", "/api/actions/preview", {}, {"selector": "a.pricing"}),
    ("GET", "/api/quality", {}, None),
    ("GET", "/api/quarantine", {}, None),
    ("GET", "/api/quarantine/summary", {}, None),
    ("POST", "/api/quarantine/replay", {}, None),
    ("POST", "/api/setup/sessions", {}, None),
    ("GET", "/api/setup/sessions/abc", {}, None),
    ("POST", "/api/setup/sessions/abc/answer", {}, {"answer": "online store"}),
    ("GET", "/api/setup/proposals", {}, None),
    ("GET", "/api/projects", {}, None),
    ("POST", "/api/connect", {}, None),
]
#: The /api endpoints that need no credentials, and why: the snippet carries the public
#: write key by design; monitors and tests poll health and ingestion status; the plan check
#: stores nothing and is authenticated by the write key in its body, as ingestion is.
OPEN_API = {
    ("GET", "/api/install"),
    ("GET", "/api/health"),
    ("GET", "/api/ingest/status"),
    ("POST", "/api/plan/check"),
}
#: A plan flagging ``plan`` as personal data, and quarantining e-mails not of the company's
#: domain: the quarantine's violation then quotes the address sent.
PLAN = {
    "events": [
        {
            "name": "signed_up",
            "properties": [
                {"name": "email", "pii": True, "pattern": r".*@example\.com"},
                {"name": "plan", "pii": True},
            ],
        }
    ],
    "policies": {"pattern_mismatch": "quarantine"},
}


def call(
    server: Server,
    token: str | None,
    method: str,
    path: str,
    params: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    headers = bearer(token) if token else {}
    return httpx.request(method, f"{server.url}{path}", params=params, json=body, headers=headers, timeout=60)


def _routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # a router the app includes
        if included is not None:
            yield from _routes(included.routes)


def _asks_for_credentials(dependant: Dependant) -> bool:
    return any(d.call is caller or _asks_for_credentials(d) for d in dependant.dependencies)


def test_every_api_endpoint_but_the_open_ones_asks_for_credentials() -> None:
    """A new endpoint under /api is protected unless it is added to OPEN_API, with a reason."""
    routes = [route for route in _routes(create_app().routes) if route.path.startswith("/api/")]
    open_ones = {
        (method, route.path)
        for route in routes
        if not _asks_for_credentials(route.dependant)
        for method in route.methods
    }
    assert open_ones == OPEN_API
    for method, path, _, _ in PROTECTED:  # the sample below calls real endpoints
        assert any(method in route.methods and route.path_regex.match(path) for route in routes), path


def test_no_credentials_is_a_401_saying_how_to_get_one(server: Server) -> None:
    for method, path, params, body in PROTECTED:
        answer = call(server, None, method, path, params, body)
        assert answer.status_code == 401, (method, path, answer.text)
        assert "betterheap users token NAME" in answer.json()["detail"]
        assert answer.headers["www-authenticate"] == "Bearer"
        revoked = call(server, "bh_made-up", method, path, params, body)
        assert revoked.status_code == 401 and "unknown or was revoked" in revoked.json()["detail"]
    assert call(server, server.cli_token, "GET", "/api/plan/versions").json() == [], "nothing was deployed"


def test_a_viewer_reads_but_neither_personal_data_nor_changes(server: Server) -> None:
    send_signups(server, 5)
    viewer = api_token(server.data_dir, "vera", "viewer")

    dau = call(server, viewer, "GET", "/api/metrics/dau")
    assert dau.status_code == 200 and sum(row["value"] for row in dau.json()) == 5
    by_plan = call(server, viewer, "GET", "/api/trends", {"event": "signed_up", "breakdown": "plan"})
    assert by_plan.status_code == 200 and {row["breakdown"] for row in by_plan.json()} == {"pro"}
    for path, params in [
        ("/api/trends", {"breakdown": "email"}),
        ("/api/trends", {"event": "signed_up", "measure": "sum", "property": "phone"}),
        ("/api/metrics/dau", {"breakdown": "email"}),
        ("/api/funnel", {"steps": ["signed_up", "signed_up"], "breakdown": "email"}),
    ]:
        refused = call(server, viewer, "GET", path, params)
        assert refused.status_code == 403, (path, params, refused.text)
        name = params.get("breakdown") or params["property"]
        assert refused.json()["detail"] == f"{name} is personal data; only admins may use it (vera is viewer)"
        assert "@example.org" not in refused.text

    for path in (
        "/api/plan",
        "/api/plan/versions",
        "/api/quality",
        "/api/quarantine/summary",
        "/api/projects",
    ):
        assert call(server, viewer, "GET", path).status_code == 200, path
    preview = call(server, viewer, "POST", "/api/actions/preview", body={"selector": "a.pricing"})
    assert preview.status_code == 200

    changes = [
        ("/api/plan", {"plan": PLAN}, "deploying a tracking plan"),
        ("/api/plan/actions", {"name": "pricing_clicked", "selector": "a.pricing"}, "adding an action"),
        ("/api/quarantine/replay", None, "replaying the quarantine"),
        ("/api/setup/sessions", None, "starting the setup assistant"),
        ("/api/connect", None, "connecting the Chrome extension"),
    ]
    for path, body, doing in changes:
        refused = call(server, viewer, "POST", path, body=body)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["detail"].startswith(doing)
        assert refused.json()["detail"].endswith("needs the analyst role or above; vera is viewer")
    assert call(server, viewer, "GET", "/api/plan/versions").json() == [], "nothing was deployed"


def test_an_analyst_deploys_a_plan_whose_personal_data_only_admins_break_down_by(server: Server) -> None:
    send_signups(server, 3)
    analyst = api_token(server.data_dir, "ana", "analyst")
    admin = api_token(server.data_dir, "ada", "admin")
    params = {"event": "signed_up", "breakdown": "plan"}
    assert call(server, analyst, "GET", "/api/trends", params).status_code == 200

    deployed = call(server, analyst, "POST", "/api/plan", body={"plan": PLAN, "note": "emails are personal"})
    assert deployed.status_code == 200, deployed.text
    assert deployed.json()["version"] == 1
    versions = call(server, analyst, "GET", "/api/plan/versions").json()
    assert [(v["version"], v["author"], v["note"]) for v in versions] == [(1, "ana", "emails are personal")]

    # The plan now flags plan as personal data: a breakdown by it is the admins'.
    refused = call(server, analyst, "GET", "/api/trends", params)
    assert refused.status_code == 403 and "plan is personal data" in refused.json()["detail"]
    assert call(server, analyst, "GET", "/api/trends", {"breakdown": "email"}).status_code == 403
    allowed = call(server, admin, "GET", "/api/trends", params)
    assert allowed.status_code == 200 and {row["breakdown"] for row in allowed.json()} == {"pro"}

    replayed = call(server, analyst, "POST", "/api/quarantine/replay")
    assert replayed.status_code == 200 and replayed.json()["replayed"] == 0
    assert call(server, analyst, "POST", "/api/connect").json()["write_key"] == write_key(server.data_dir)


def test_an_admin_reads_personal_data_and_the_values_violations_quote(server: Server) -> None:
    send_signups(server, 4)
    admin = api_token(server.data_dir, "ada", "admin")
    viewer = api_token(server.data_dir, "vera", "viewer")

    by_email = call(server, admin, "GET", "/api/trends", {"event": "signed_up", "breakdown": "email"})
    assert by_email.status_code == 200
    assert sorted(row["breakdown"] for row in by_email.json()) == [f"u{i}@example.org" for i in range(4)]

    assert call(server, admin, "POST", "/api/plan", body={"plan": PLAN}).status_code == 200
    send_signups(server, 2)  # @example.org is not the company's domain: held
    held = call(server, admin, "GET", "/api/quarantine").json()
    assert len(held) == 2 and {row["reason"] for row in held} == {"pattern_mismatch"}
    details = {v["detail"] for row in held for v in row["violations"]}
    assert details == {f"email = 'u{i}@example.org' does not match .*@example\\.com" for i in range(2)}

    seen = call(server, viewer, "GET", "/api/quarantine")
    assert seen.status_code == 200 and "@example.org" not in seen.text
    assert [row["violations"] for row in seen.json()] == [
        [{"kind": "pattern_mismatch", "property": "email"}]
    ] * 2
    assert [row["uuid"] for row in seen.json()] == [row["uuid"] for row in held]

    # The quality report's violations quote an example value: the admins' too.
    top = call(server, admin, "GET", "/api/quality").json()["top_violations"]
    assert [(v["kind"], v["events"]) for v in top] == [("pattern_mismatch", 2)]
    assert "@example.org" in top[0]["example"]
    report = call(server, viewer, "GET", "/api/quality")
    assert report.status_code == 200 and "@example.org" not in report.text
    assert report.json()["top_violations"] == [{k: v for k, v in top[0].items() if k != "example"}]


def test_what_sites_and_monitors_call_stays_open(server: Server) -> None:
    for path in ("/api/health", "/api/ingest/status", "/api/install", "/sdk.js", "/docs", "/openapi.json"):
        assert httpx.get(f"{server.url}{path}", timeout=30).status_code == 200, path
    key = write_key(server.data_dir)
    assert key in httpx.get(f"{server.url}/api/install", timeout=30).json()["snippet"]

    event = {"type": "track", "event": "signed_up", "userId": "u1", "context": {"userAgent": CHROME}}
    checked = httpx.post(f"{server.url}/api/plan/check", json={"batch": [event], "writeKey": key}, timeout=30)
    assert checked.status_code == 200 and checked.json()[0]["verdict"] == "clean"
    wrong = httpx.post(
        f"{server.url}/api/plan/check", json={"batch": [event], "writeKey": "bh_no"}, timeout=30
    )
    assert wrong.status_code == 401
    assert server.wait_loaded()["received"] == 0, "the check stores nothing"

    sent = httpx.post(f"{server.url}/v1/batch", json={"batch": [event]}, auth=(key, ""), timeout=30)
    assert sent.status_code == 200
    assert server.wait_loaded()["stored"] == 1


def test_the_api_docs_offer_to_authorize_with_a_token(tmp_path: Path) -> None:
    schema = create_app(Settings(data_dir=tmp_path)).openapi()
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert schema["paths"]["/api/trends"]["get"]["security"] == [{"HTTPBearer": []}]
    assert "security" not in schema["paths"]["/v1/batch"]["post"], "ingestion stays keyed by the write key"
