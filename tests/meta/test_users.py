"""Users, passwords and sessions: argon2 hashes, one-time first passwords, sessions that
expire and are revoked, CSRF tokens per session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from betterheap.meta.models import ApiToken, Base, User, UserSession
from betterheap.meta.users import LOCAL_CLI, Users, csrf_ok


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def users(tmp_path: Path, clock: Clock) -> Users:
    engine = create_engine(f"sqlite:///{tmp_path / 'meta.db'}")
    Base.metadata.create_all(engine)
    return Users(engine, clock)


def test_the_first_run_creates_an_admin_with_a_one_time_password(users: Users) -> None:
    password = users.ensure_admin()
    assert password and len(password) >= 10
    assert users.ensure_admin() is None, "only on the first run"
    admin = users.verify("admin", password)
    assert admin is not None and admin.role == "admin" and admin.must_change_password
    users.set_password("admin", password, "a much better secret")
    changed = users.verify("admin", "a much better secret")
    assert changed is not None and not changed.must_change_password
    assert users.verify("admin", password) is None


def test_passwords_are_stored_as_argon2_hashes_and_checked(users: Users, tmp_path: Path) -> None:
    users.add("pm@example.org", "analyst", "correct horse battery")
    engine = create_engine(f"sqlite:///{tmp_path / 'meta.db'}")
    with Session(engine) as session:
        stored = session.scalars(select(User)).one().password_hash
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert users.verify("pm@example.org", "correct horse battery") is not None
    assert users.verify("pm@example.org", "wrong horse battery") is None
    assert users.verify("nobody", "correct horse battery") is None


def test_bad_accounts_are_refused_with_the_reason(users: Users) -> None:
    with pytest.raises(ValueError, match="unknown role 'owner'"):
        users.add("x", "owner", "long enough password")
    with pytest.raises(ValueError, match="at least 10 characters"):
        users.add("x", "viewer", "short")
    with pytest.raises(ValueError, match="invalid user name"):
        users.add("has space", "viewer", "long enough password")
    users.add("x", "viewer", "long enough password")
    with pytest.raises(ValueError, match="already a user 'x'"):
        users.add("x", "viewer", "long enough password")
    with pytest.raises(PermissionError, match="current password is wrong"):
        users.set_password("x", "not it at all", "another long password")


def test_sessions_expire_and_only_their_hash_is_stored(users: Users, clock: Clock, tmp_path: Path) -> None:
    users.add("ana", "analyst", "long enough password")
    assert users.sign_in("ana", "wrong password!") is None
    signed = users.sign_in("ana", "long enough password", hours=2)
    assert signed is not None
    token, who = signed
    assert users.session(token) == who and who.account.name == "ana"
    engine = create_engine(f"sqlite:///{tmp_path / 'meta.db'}")
    with Session(engine) as session:
        assert token not in session.scalars(select(UserSession.token_hash)).one()
    clock.now += timedelta(hours=2)
    assert users.session(token) is None
    assert users.session("made-up token") is None


def test_sign_out_everywhere_and_csrf_per_session(users: Users) -> None:
    users.add("ana", "analyst", "long enough password")
    first = users.sign_in("ana", "long enough password")
    second = users.sign_in("ana", "long enough password")
    assert first is not None and second is not None
    assert csrf_ok(first[1], first[1].csrf_token) and not csrf_ok(first[1], second[1].csrf_token)
    assert not csrf_ok(first[1], None)
    users.sign_out(first[0])
    assert users.session(first[0]) is None and users.session(second[0]) is not None
    assert users.accounts() == [
        {
            "name": "ana",
            "role": "analyst",
            "must_change_password": False,
            "active_sessions": 1,
            "api_tokens": 0,
        }
    ]
    assert users.revoke("ana") == 1
    assert users.session(second[0]) is None
    with pytest.raises(LookupError, match="no user 'bob'"):
        users.revoke("bob")


def test_api_tokens_act_as_their_user_until_revoked(users: Users, tmp_path: Path) -> None:
    users.add("ana", "viewer", "long enough password")
    token = users.issue_token("ana", "  weekly report script ")
    second = users.issue_token("ana")
    assert token != second and len(token) > 40
    account = users.token(token)
    assert account is not None and (account.name, account.role) == ("ana", "viewer")
    assert users.token("bh_made-up") is None and users.token("") is None
    engine = create_engine(f"sqlite:///{tmp_path / 'meta.db'}")
    with Session(engine) as session:
        rows = session.scalars(select(ApiToken)).all()
        assert {r.label for r in rows} == {"weekly report script", ""}
        assert all(token not in r.token_hash and len(r.token_hash) == 64 for r in rows), "only hashes"
        session.execute(update(User).values(role="admin"))  # promoted
        session.commit()
    promoted = users.token(token)
    assert promoted is not None and promoted.role == "admin", "a token has its user's current role"
    listed = users.tokens("ana")
    assert [t["label"] for t in listed] == ["weekly report script", ""] and all(
        t["issued_at"] for t in listed
    )
    assert all(token not in str(t) for t in listed), "a listing never shows a token"
    assert next(a for a in users.accounts() if a["name"] == "ana")["api_tokens"] == 2
    signed = users.sign_in("ana", "long enough password")
    assert signed is not None
    assert users.revoke("ana") == 1 and users.token(token) is not None, "sessions only"
    assert users.revoke_tokens("ana") == 2
    assert users.token(token) is None and users.token(second) is None
    assert users.tokens("ana") == [] and users.accounts()[0]["api_tokens"] == 0
    assert users.revoke_tokens("ana") == 0
    with pytest.raises(LookupError, match="no user 'bob'"):
        users.issue_token("bob")
    with pytest.raises(LookupError, match="no user 'bob'"):
        users.revoke_tokens("bob")


def test_the_command_lines_name_is_not_an_account(users: Users) -> None:
    with pytest.raises(ValueError, match="'local-cli' is the command line's own name"):
        users.add(LOCAL_CLI, "viewer", "long enough password")
