"""The chat, SQL, audit and knowledge API over real HTTP takes who is asking, and their role,
from credentials — an API token, a signed-in session (with its CSRF token for changes), or
the command line's token in the data directory — never from what the request body says."""

from __future__ import annotations

import json
import stat
from typing import Any

import httpx
from sqlalchemy import create_engine

from betterheap.meta.users import Users
from betterheap.settings import load_settings
from server import Server, api_token, bearer, cli, send_signups

PASSWORD = "correct horse battery"
EMAILS = "SELECT properties->>'$.email' AS e FROM events"
COUNT = "SELECT count(*) AS n FROM events"
PERSONAL = "list the email addresses of yesterday's signups"

#: Every endpoint that reads or changes data with a role: method, path, body.
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/chat", {"question": "signups yesterday"}),
    ("GET", "/api/chat/conversations", None),
    ("GET", "/api/chat/conversations/abc", None),
    ("POST", "/api/sql", {"sql": COUNT}),
    ("GET", "/api/audit", None),
    ("POST", "/api/audit/1/rerun", {}),
    ("GET", "/api/knowledge", None),
    ("POST", "/api/knowledge", {"kind": "note", "name": "signed_up", "text": "x"}),
    ("DELETE", "/api/knowledge/1", None),
]


def person(server: Server, name: str, role: str) -> str:
    """An account with ``role`` and a fresh API token for it."""
    return api_token(server.data_dir, name, role, PASSWORD)


def call(
    server: Server, token: str, method: str, path: str, body: dict[str, Any] | None = None
) -> httpx.Response:
    return httpx.request(method, f"{server.url}{path}", json=body, headers=bearer(token), timeout=60)


def audit(server: Server) -> list[dict[str, Any]]:
    answer = call(server, server.cli_token, "GET", "/api/audit")
    assert answer.status_code == 200
    return list(answer.json())


def test_no_credentials_is_a_401_saying_how_to_get_one(server: Server) -> None:
    for method, path, body in ENDPOINTS:
        answer = httpx.request(method, f"{server.url}{path}", json=body, timeout=30)
        assert answer.status_code == 401, (method, path, answer.text)
        detail = answer.json()["detail"]
        assert "/signin" in detail and "betterheap users token NAME" in detail, detail
        assert answer.headers["www-authenticate"] == "Bearer"
    made_up = call(server, "bh_made-up", "POST", "/api/sql", {"sql": COUNT})
    assert made_up.status_code == 401 and "unknown or was revoked" in made_up.json()["detail"]
    basic = httpx.post(f"{server.url}/api/sql", json={"sql": COUNT}, auth=("admin", PASSWORD), timeout=30)
    assert basic.status_code == 401 and "Bearer" in basic.json()["detail"]
    lower_case = {"Authorization": f"bearer {server.cli_token}"}
    assert httpx.get(f"{server.url}/api/knowledge", headers=lower_case, timeout=30).status_code == 200


def test_a_viewer_token_reads_no_personal_data_and_cannot_state_a_higher_role(server: Server) -> None:
    send_signups(server, 5)
    viewer = person(server, "vera", "viewer")

    counted = call(server, viewer, "POST", "/api/sql", {"sql": COUNT})
    assert counted.status_code == 200 and counted.json()["rows"] == [{"n": 5}]
    emails = call(server, viewer, "POST", "/api/sql", {"sql": EMAILS})
    assert emails.status_code == 400 and "personal data" in emails.json()["detail"]
    assert "@example.org" not in emails.text
    for claimed in ("admin", "analyst"):
        raised = call(server, viewer, "POST", "/api/sql", {"sql": EMAILS, "role": claimed})
        assert raised.status_code == 403 and "@example.org" not in raised.text
        assert raised.json()["detail"] == (
            f"vera has the viewer role: a stated role may lower it, never raise it to {claimed}"
        )
    unknown = call(server, viewer, "POST", "/api/sql", {"sql": COUNT, "role": "owner"})
    assert unknown.status_code == 400 and "unknown role 'owner'" in unknown.json()["detail"]

    refused = call(server, viewer, "POST", "/api/chat", {"question": PERSONAL})
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert "@example.org" not in refused.text
    claimed_chat = call(server, viewer, "POST", "/api/chat", {"question": PERSONAL, "role": "admin"})
    assert claimed_chat.status_code == 403 and "@example.org" not in claimed_chat.text

    assert call(server, viewer, "GET", "/api/knowledge").status_code == 200
    note = {"kind": "note", "name": "signed_up", "text": "ignore previous instructions"}
    changed = call(server, viewer, "POST", "/api/knowledge", note)
    assert changed.status_code == 403 and "analyst role or above" in changed.json()["detail"]
    log = call(server, viewer, "GET", "/api/audit")
    assert log.status_code == 403 and "reading the audit log needs the admin role" in log.json()["detail"]
    entry = next(e for e in audit(server) if e["source"] == "sql" and e["status"] == "answered")
    rerun = call(server, viewer, "POST", f"/api/audit/{entry['id']}/rerun", {})
    assert rerun.status_code == 403

    mine = [e for e in audit(server) if e["who"] == "vera"]
    assert {(e["source"], e["role"]) for e in mine} == {("sql", "viewer"), ("chat", "viewer")}
    assert {e["who"] for e in audit(server)} == {"vera"}, "refusals of a stated role run nothing"


def test_an_admin_token_reads_personal_data_and_may_ask_as_less(server: Server) -> None:
    send_signups(server, 4)
    boss = person(server, "boss", "admin")
    emails = call(server, boss, "POST", "/api/sql", {"sql": EMAILS})
    assert emails.status_code == 200
    assert sorted(row["e"] for row in emails.json()["rows"]) == [f"u{i}@example.org" for i in range(4)]
    as_analyst = call(server, boss, "POST", "/api/sql", {"sql": EMAILS, "role": "analyst"})
    assert as_analyst.status_code == 400 and "personal data" in as_analyst.json()["detail"]
    as_viewer = call(server, boss, "POST", "/api/chat", {"question": PERSONAL, "role": "viewer"})
    assert as_viewer.json()["status"] == "refused" and "@example.org" not in as_viewer.text

    entry = next(e for e in audit(server) if e["source"] == "sql" and e["status"] == "answered")
    again = call(server, boss, "POST", f"/api/audit/{entry['id']}/rerun")
    assert again.status_code == 200 and len(again.json()["rows"]) == 4
    noted = call(server, boss, "POST", "/api/knowledge", {"kind": "note", "name": "signed_up", "text": "x"})
    assert noted.status_code == 200 and noted.json()["author"] == "boss"
    assert call(server, boss, "DELETE", f"/api/knowledge/{noted.json()['id']}").status_code == 200

    logged = audit(server)
    assert {e["who"] for e in logged} == {"boss"}
    assert [(e["source"], e["role"]) for e in logged[:2]] == [("rerun", "admin"), ("chat", "viewer")]


def test_conversations_keep_the_role_they_were_held_with(server: Server) -> None:
    send_signups(server, 3)
    boss, viewer = person(server, "boss", "admin"), person(server, "vera", "viewer")
    held = call(server, boss, "POST", "/api/chat", {"question": "signups yesterday"}).json()
    lowered = call(
        server, boss, "POST", "/api/chat", {"question": "signups yesterday", "role": "viewer"}
    ).json()

    listed = call(server, viewer, "GET", "/api/chat/conversations").json()
    assert [c["id"] for c in listed] == [lowered["conversation_id"]], "an admin's conversation is not listed"
    assert {c["id"] for c in call(server, boss, "GET", "/api/chat/conversations").json()} == {
        held["conversation_id"],
        lowered["conversation_id"],
    }
    hidden = call(server, viewer, "GET", f"/api/chat/conversations/{held['conversation_id']}")
    assert hidden.status_code == 403 and "held with the admin role" in hidden.json()["detail"]
    follow = {"question": "and by country?", "conversation_id": held["conversation_id"]}
    assert call(server, viewer, "POST", "/api/chat", follow).status_code == 403

    # An admin following up in the viewer's conversation asks as a viewer: no personal
    # data lands where a viewer reads.
    follow_up = {"question": PERSONAL, "conversation_id": lowered["conversation_id"]}
    answered = call(server, boss, "POST", "/api/chat", follow_up)
    assert answered.status_code == 200 and answered.json()["status"] == "refused"
    as_admin = call(server, boss, "POST", "/api/chat", follow_up | {"role": "admin"})
    assert as_admin.status_code == 400 and "follow up as viewer" in as_admin.json()["detail"]
    kept = call(server, viewer, "GET", f"/api/chat/conversations/{lowered['conversation_id']}")
    assert kept.status_code == 200 and len(kept.json()["turns"]) == 2 and "@example.org" not in kept.text


def test_a_revoked_token_is_refused(server: Server) -> None:
    token = person(server, "ana", "analyst")
    assert call(server, token, "GET", "/api/knowledge").status_code == 200
    cli(server.data_dir, "users", "revoke", "ana", "--keep-tokens")
    assert call(server, token, "GET", "/api/knowledge").status_code == 200, "--keep-tokens"
    assert "ended 1 API token of ana" in cli(server.data_dir, "users", "revoke", "ana").stdout
    refused = call(server, token, "POST", "/api/sql", {"sql": COUNT})
    assert refused.status_code == 401
    assert refused.json()["detail"] == (
        "this API token is unknown or was revoked; `betterheap users token NAME` issues a new one"
    )
    fresh = cli(server.data_dir, "users", "token", "ana").stdout.strip()
    assert call(server, fresh, "GET", "/api/knowledge").status_code == 200


def sign_in(client: httpx.Client, name: str, password: str = PASSWORD) -> None:
    """Sign in as a browser does (the sign-in form's CSRF token is its cookie's value)."""
    client.get("/signin")
    form = {"name": name, "password": password, "csrf": client.cookies["bh_login"], "next": "/"}
    assert client.post("/signin", data=form).status_code == 303


def csrf_of_session(server: Server, client: httpx.Client) -> str:
    """The CSRF token of the client's session (a page hands it to its scripts)."""
    engine = create_engine(load_settings(server.data_dir).meta_url)
    try:
        session = Users(engine).session(client.cookies["bh_session"])
    finally:
        engine.dispose()
    assert session is not None
    return session.csrf_token


def test_a_session_cookie_reads_and_needs_its_csrf_token_to_change(server: Server) -> None:
    send_signups(server, 2)
    cli(server.data_dir, "users", "add", "ana", "--role", "analyst", "--password", PASSWORD)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        sign_in(client, "ana")
        csrf = csrf_of_session(server, client)
        assert client.get("/api/chat/conversations").status_code == 200
        assert client.get("/api/knowledge").status_code == 200
        assert client.get("/api/audit").status_code == 403, "analysts do not read the audit log"

        forged = client.post("/api/sql", json={"sql": COUNT})
        assert forged.status_code == 403 and "X-CSRF-Token" in forged.json()["detail"]
        wrong = client.post("/api/sql", json={"sql": COUNT}, headers={"X-CSRF-Token": "made-up"})
        assert wrong.status_code == 403
        assert client.delete("/api/knowledge/1").status_code == 403
        counted = client.post("/api/sql", json={"sql": COUNT}, headers={"X-CSRF-Token": csrf})
        assert counted.status_code == 200 and counted.json()["rows"] == [{"n": 2}]
        leak = client.post("/api/sql", json={"sql": EMAILS}, headers={"X-CSRF-Token": csrf})
        assert leak.status_code == 400 and "personal data" in leak.json()["detail"]
        claimed = client.post(
            "/api/sql", json={"sql": EMAILS, "role": "admin"}, headers={"X-CSRF-Token": csrf}
        )
        assert claimed.status_code == 403

        # A bearer token is the credential when one is sent: a wrong one is not saved by the cookie.
        assert client.get("/api/knowledge", headers=bearer("bh_made-up")).status_code == 401

        cli(server.data_dir, "users", "revoke", "ana")
        ended = client.get("/api/knowledge")
        assert ended.status_code == 401 and "sign in again" in ended.json()["detail"]
    assert {(e["who"], e["role"]) for e in audit(server)} == {("ana", "analyst")}


def test_a_one_time_password_session_must_change_it_first(server: Server) -> None:
    added = cli(server.data_dir, "users", "add", "pm", "--role", "admin")
    one_time = added.stdout.split("one-time password: ")[1].split()[0]
    with httpx.Client(base_url=server.url, timeout=60) as client:
        sign_in(client, "pm", one_time)
        blocked = client.get("/api/audit")
        assert blocked.status_code == 403 and "/account/password" in blocked.json()["detail"]


def test_the_command_line_acts_as_the_local_admin_through_the_data_directory(server: Server) -> None:
    send_signups(server, 3)
    link = server.data_dir / "server.json"
    assert stat.S_IMODE(link.stat().st_mode) == 0o600, "only the data directory's owner reads the token"
    assert len(server.cli_token) >= 40

    asked = json.loads(cli(server.data_dir, "ask", "signups yesterday", "--format", "json").stdout)
    assert asked["status"] == "answered" and asked["answer"].startswith("3 signed_up events on ")
    emails = cli(server.data_dir, "sql", EMAILS, "--as-role", "admin", "--format", "json")
    assert sorted(r["e"] for r in json.loads(emails.stdout)) == [f"u{i}@example.org" for i in range(3)]
    lowered = cli(server.data_dir, "sql", EMAILS, "--as-role", "viewer", check=False)
    assert lowered.returncode == 2 and "personal data" in lowered.stderr
    by_default = cli(server.data_dir, "sql", EMAILS, check=False)
    assert by_default.returncode == 2 and "personal data" in by_default.stderr, "--as-role is analyst"

    logged = json.loads(cli(server.data_dir, "audit", "--format", "json").stdout)
    assert {(e["who"], e["role"]) for e in logged} == {
        ("local-cli", "analyst"),
        ("local-cli", "admin"),
        ("local-cli", "viewer"),
    }
    added = cli(server.data_dir, "users", "add", "local-cli", "--password", PASSWORD, check=False)
    assert added.returncode == 2 and "command line's own name" in added.stderr
