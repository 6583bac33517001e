"""The chat, guarded SQL and the audit log over real HTTP and from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from betterheap.meta.chat import Audited, AuditLog
from betterheap.meta.models import AuditEntry, Base
from server import Server, cli, send_signups


def cli_credentials(server: Server) -> dict[str, str]:
    """Credentials of the built-in admin ``local-cli``: the token ``serve`` keeps for the
    command line in the data directory."""
    token = orjson.loads((server.data_dir / "server.json").read_bytes())["token"]
    return {"Authorization": f"Bearer {token}"}


def post(server: Server, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{server.url}{path}", json=body, headers=cli_credentials(server), timeout=60)


def get(server: Server, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", params=params, headers=cli_credentials(server), timeout=30)


def test_chat_sql_and_audit_over_http(server: Server) -> None:
    send_signups(server, 6)
    answered = post(server, "/api/chat", {"question": "how many signups yesterday?"})
    assert answered.status_code == 200
    body = answered.json()
    assert body["status"] == "answered" and body["answer"].startswith("6 signed_up events on ")
    assert body["chart"]["$schema"].endswith("vega-lite/v5.json") and "SELECT" in body["sql"]

    refused = post(
        server, "/api/chat", {"question": "list the email addresses of yesterday's signups", "role": "viewer"}
    )
    assert refused.json()["status"] == "refused" and "@" not in refused.text
    assert post(server, "/api/chat", {"question": ""}).status_code == 400
    assert post(server, "/api/chat", {"question": "dau", "role": "owner"}).status_code == 400

    counted = post(server, "/api/sql", {"sql": "SELECT count(*) AS n FROM events WHERE event = 'signed_up'"})
    assert counted.status_code == 200 and counted.json()["rows"] == [{"n": 6}]
    leak = post(
        server, "/api/sql", {"sql": "SELECT properties->>'$.email' AS e FROM events", "role": "analyst"}
    )
    assert leak.status_code == 400 and "personal data" in leak.json()["detail"]
    admin = post(
        server, "/api/sql", {"sql": "SELECT properties->>'$.email' AS e FROM events", "role": "admin"}
    )
    assert admin.status_code == 200 and len(admin.json()["rows"]) == 6
    dml = post(server, "/api/sql", {"sql": "DELETE FROM events"})
    assert dml.status_code == 400 and "only SELECT" in dml.json()["detail"]

    audit = get(server, "/api/audit").json()
    statuses = [(entry["source"], entry["status"]) for entry in audit]
    assert (
        ("sql", "refused") in statuses
        and ("sql", "answered") in statuses
        and ("chat", "answered") in statuses
    )
    assert "@example.org" not in json.dumps(audit), "the audit log never keeps result rows"
    assert {entry["who"] for entry in audit} == {"local-cli"}, "the caller's name, from its token"
    logged = next(e for e in audit if e["source"] == "sql" and e["status"] == "answered")
    chat_entry = next(e for e in audit if e["source"] == "chat")
    rerun = f"{server.url}/api/audit/{logged['id']}/rerun"
    assert (
        httpx.post(rerun, json={"role": "analyst"}, headers=cli_credentials(server), timeout=30).status_code
        == 403
    )
    again = httpx.post(rerun, json={"role": "admin"}, headers=cli_credentials(server), timeout=30)
    assert again.status_code == 200 and sorted(map(repr, again.json()["rows"])) == sorted(
        map(repr, logged_rows(logged))
    )
    newest = get(server, "/api/audit", limit=1).json()[0]
    assert (newest["source"], newest["role"]) == ("rerun", "admin")
    chat_rerun = post(server, f"/api/audit/{chat_entry['id']}/rerun", {"role": "admin"})
    assert chat_rerun.status_code == 400
    conversations = get(server, "/api/chat/conversations").json()
    assert conversations and conversations[0]["title"]
    kept = get(server, f"/api/chat/conversations/{body['conversation_id']}").json()
    assert kept["turns"][0]["question"] == "how many signups yesterday?"


def logged_rows(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """What the logged queries of the test above return (the log keeps no rows)."""
    if "properties" in entry["question"]:
        return [{"e": f"u{i}@example.org"} for i in range(6)]
    return [{"n": 6}]


def test_ask_and_sql_from_the_command_line(server: Server) -> None:
    send_signups(server, 3)
    asked = cli(server.data_dir, "ask", "signups yesterday", "--format", "json")
    answer = json.loads(asked.stdout)
    assert answer["status"] == "answered" and answer["answer"].startswith("3 signed_up events on ")
    follow = cli(server.data_dir, "ask", "and by country?", "--conversation", answer["conversation_id"])
    assert "by country" in follow.stdout and "SQL:" in follow.stdout
    refused = cli(server.data_dir, "sql", "SELECT * FROM events", "--as-role", "viewer", check=False)
    assert refused.returncode == 2 and "personal data" in refused.stderr
    rows = cli(server.data_dir, "sql", "SELECT count(*) AS n FROM events", "--format", "json")
    assert json.loads(rows.stdout) == [{"n": 3}]
    logged = cli(server.data_dir, "audit", "--format", "json")
    assert {entry["source"] for entry in json.loads(logged.stdout)} == {"chat", "sql"}
    assert {entry["who"] for entry in json.loads(logged.stdout)} == {"local-cli"}


def test_the_audit_log_forgets_entries_past_its_retention(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'meta.db'}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(
            AuditEntry(
                at=datetime.now(UTC) - timedelta(days=3), project_id=1, who="old", role="admin", source="sql",
                question="q", sql="SELECT 1", status="answered", row_count=1, duration_ms=1,
            )
        )  # fmt: skip
        session.commit()
    log = AuditLog(engine, retention_days=2)
    log.record(Audited(1, "new", "analyst", "chat", "dau", "SELECT 2", "answered", 30, 12))
    assert [entry["who"] for entry in log.entries(1)] == ["new"]


def test_the_knowledge_base_over_http_and_the_command_line(server: Server) -> None:
    send_signups(server, 4)
    metric = {"kind": "event", "event": "signed_up", "measure": "unique_users"}
    saved = post(server, "/api/knowledge", {"kind": "metric", "name": "registered people", "query": metric})
    assert saved.status_code == 200 and saved.json()["query"] == metric
    bad = post(
        server,
        "/api/knowledge",
        {"kind": "metric", "name": "ghosts", "query": {"kind": "event", "event": "x"}},
    )
    assert bad.status_code == 400 and "unknown event 'x'" in bad.json()["detail"]
    answer = post(server, "/api/chat", {"question": "registered people yesterday"}).json()
    assert answer["status"] == "answered" and answer["query"]["measure"] == "unique_users"
    assert answer["answer"].startswith("4 people doing signed_up")

    added = cli(
        server.data_dir, "knowledge", "add", "note", "signed_up", "--text", "Counts accounts, not people."
    )
    assert "saved note signed_up" in added.stdout
    noted = post(server, "/api/chat", {"question": "signups yesterday"}).json()
    assert noted["knowledge"] == [
        {"kind": "note", "name": "signed_up", "text": "Counts accounts, not people."}
    ]
    listed = json.loads(cli(server.data_dir, "knowledge", "list", "--format", "json").stdout)
    assert {(e["kind"], e["name"]) for e in listed} == {
        ("metric", "registered people"),
        ("note", "signed_up"),
    }
    note_id = next(e["id"] for e in listed if e["kind"] == "note")
    assert f"removed {note_id}" in cli(server.data_dir, "knowledge", "remove", str(note_id)).stdout
    gone = httpx.delete(f"{server.url}/api/knowledge/{note_id}", headers=cli_credentials(server), timeout=30)
    assert gone.status_code == 404
