"""``betterheap users`` as an admin uses it."""

from __future__ import annotations

import json
from pathlib import Path

from server import cli


def test_add_list_and_revoke_users(tmp_path: Path) -> None:
    data = tmp_path / "data"
    added = cli(data, "users", "add", "pm@example.org", "--role", "analyst")
    assert "added pm@example.org (analyst)" in added.stdout and "one-time password: " in added.stdout
    cli(data, "users", "add", "viewer1", "--password", "a long enough one")
    listed = json.loads(cli(data, "users", "list", "--format", "json").stdout)
    assert [(u["name"], u["role"], u["must_change_password"]) for u in listed] == [
        ("pm@example.org", "analyst", True),
        ("viewer1", "viewer", False),
    ]
    assert "ended 0 sessions of viewer1" in cli(data, "users", "revoke", "viewer1").stdout
    refused = cli(data, "users", "add", "x", "--role", "owner", check=False)
    assert refused.returncode == 2 and "unknown role 'owner'" in refused.stderr
    missing = cli(data, "users", "revoke", "nobody", check=False)
    assert missing.returncode == 2 and "no user 'nobody'" in missing.stderr


def test_api_tokens_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cli(data, "users", "add", "reports", "--role", "analyst", "--password", "a long enough one")
    token = cli(data, "users", "token", "reports", "--label", "nightly export").stdout.strip()
    assert token.startswith("bh_") and len(token) > 40 and "\n" not in token
    listed = json.loads(cli(data, "users", "tokens", "reports", "--format", "json").stdout)
    assert [t["label"] for t in listed] == ["nightly export"] and token not in str(listed)
    accounts = json.loads(cli(data, "users", "list", "--format", "json").stdout)
    assert next(a for a in accounts if a["name"] == "reports")["api_tokens"] == 1
    kept = cli(data, "users", "revoke", "reports", "--keep-tokens").stdout
    assert "ended 0 sessions of reports" in kept and "API token" not in kept
    cli(data, "users", "token", "reports")
    ended = cli(data, "users", "revoke", "reports").stdout
    assert "ended 0 sessions of reports" in ended and "ended 2 API tokens of reports" in ended
    missing = cli(data, "users", "token", "nobody", check=False)
    assert missing.returncode == 2 and "no user 'nobody'" in missing.stderr
