"""Users, roles and server-side sessions in the metadata store.

Passwords are hashed with argon2 (argon2-cffi, the library's recommended parameters).
Sessions are random tokens of which only a SHA-256 hash is stored, so a copy of the
metadata store signs no one in; each expires and can be revoked, one by one or all of a
user's at once ("sign out everywhere", or an admin locking someone out). Each session has
its own CSRF token for the forms it submits.

Personal API tokens (``Authorization: Bearer``, for scripts and other programs) are stored
the same way, as a SHA-256 hash; they do not expire but act with their user's *current* role
and end when revoked. The command line on the server's own machine needs none: ``serve``
gives it a per-process token in the data directory (``web.api.callers``), under the
built-in name ``local-cli``, which is kept from accounts.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from betterheap.meta.models import ApiToken, User, UserSession

ROLES: Final = ("viewer", "analyst", "admin")
NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,199}$")
MIN_PASSWORD: Final = 10
SESSION_HOURS: Final = 12
#: Who the command line on the server's machine acts as (an admin; not an account).
LOCAL_CLI: Final = "local-cli"
_HASHER: Final = PasswordHasher()
#: Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY: Final = _HASHER.hash("not a password of anyone")


@dataclass(frozen=True)
class Account:
    id: int
    name: str
    role: str
    must_change_password: bool


@dataclass(frozen=True)
class SignedIn:
    account: Account
    csrf_token: str
    expires_at: datetime


class Users:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._engine = engine
        self._now = clock

    # --- accounts ------------------------------------------------------------------------

    def add(self, name: str, role: str, password: str | None = None) -> tuple[Account, str | None]:
        """A new account; without ``password`` a one-time one is generated, returned once
        and must be changed at the first sign-in."""
        if not NAME.match(name):
            raise ValueError(f"invalid user name {name!r}: letters, digits and _ . @ + -")
        if name == LOCAL_CLI:
            raise ValueError(f"{LOCAL_CLI!r} is the command line's own name; choose another")
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        generated = None
        if password is None:
            generated = password = secrets.token_urlsafe(12)
        _check_password(password)
        with Session(self._engine) as session:
            if session.scalars(select(User).where(User.name == name)).first() is not None:
                raise ValueError(f"there is already a user {name!r}")
            user = User(
                name=name,
                role=role,
                password_hash=_HASHER.hash(password),
                must_change_password=generated is not None,
            )
            session.add(user)
            session.commit()
            return _account(user), generated

    def ensure_admin(self) -> str | None:
        """On the first run (no users yet), an ``admin`` with a one-time password, which is
        returned (to print) and never stored in clear."""
        with Session(self._engine) as session:
            if session.scalars(select(User).limit(1)).first() is not None:
                return None
        _, password = self.add("admin", "admin")
        return password

    def accounts(self) -> list[dict[str, object]]:
        now = self._now().replace(tzinfo=None)
        with Session(self._engine) as session:
            users = session.scalars(select(User).order_by(User.name)).all()
            live = session.scalars(
                select(UserSession).where(UserSession.revoked_at.is_(None), UserSession.expires_at > now)
            ).all()
            counts: dict[int, int] = {}
            for live_session in live:
                counts[live_session.user_id] = counts.get(live_session.user_id, 0) + 1
            tokens: dict[int, int] = {}
            for token in session.scalars(select(ApiToken).where(ApiToken.revoked_at.is_(None))).all():
                tokens[token.user_id] = tokens.get(token.user_id, 0) + 1
            return [
                {
                    "name": u.name,
                    "role": u.role,
                    "must_change_password": u.must_change_password,
                    "active_sessions": counts.get(u.id, 0),
                    "api_tokens": tokens.get(u.id, 0),
                }
                for u in users
            ]

    def set_password(self, name: str, old: str, new: str) -> None:
        """Change a password (the old one is required); every other session ends."""
        if self.verify(name, old) is None:
            raise PermissionError("the current password is wrong")
        _check_password(new)
        if hmac.compare_digest(old, new):
            raise ValueError("the new password must differ from the current one")
        with Session(self._engine) as session:
            user = session.scalars(select(User).where(User.name == name)).one()
            user.password_hash = _HASHER.hash(new)
            user.must_change_password = False
            session.commit()
        self.revoke(name)

    def verify(self, name: str, password: str) -> Account | None:
        """The account when the password is right; None otherwise (as slowly either way)."""
        with Session(self._engine) as session:
            user = session.scalars(select(User).where(User.name == name)).first()
            try:
                _HASHER.verify(user.password_hash if user is not None else _DUMMY, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return None
            if user is None:
                return None
            if _HASHER.check_needs_rehash(user.password_hash):
                user.password_hash = _HASHER.hash(password)
                session.commit()
            return _account(user)

    # --- sessions ------------------------------------------------------------------------

    def sign_in(self, name: str, password: str, hours: float = SESSION_HOURS) -> tuple[str, SignedIn] | None:
        """A new session token (give it to the browser as a cookie) and what it signs in."""
        account = self.verify(name, password)
        if account is None:
            return None
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = self._now() + timedelta(hours=hours)
        with Session(self._engine) as session:
            session.add(
                UserSession(
                    token_hash=_digest(token),
                    user_id=account.id,
                    csrf_token=csrf,
                    expires_at=expires.replace(tzinfo=None),
                )
            )
            session.commit()
        return token, SignedIn(account, csrf, expires)

    def session(self, token: str) -> SignedIn | None:
        """Who a session token signs in, while it is neither expired nor revoked."""
        now = self._now().replace(tzinfo=None)
        with Session(self._engine) as session:
            row = session.get(UserSession, _digest(token))
            if row is None or row.revoked_at is not None or row.expires_at <= now:
                return None
            user = session.get(User, row.user_id)
            if user is None:
                return None
            return SignedIn(_account(user), row.csrf_token, row.expires_at.replace(tzinfo=UTC))

    def sign_out(self, token: str) -> None:
        with Session(self._engine) as session:
            session.execute(
                update(UserSession)
                .where(UserSession.token_hash == _digest(token))
                .values(revoked_at=self._now().replace(tzinfo=None))
            )
            session.commit()

    def revoke(self, name: str) -> int:
        """End every session of ``name`` (sign out everywhere); how many were live."""
        now = self._now().replace(tzinfo=None)
        with Session(self._engine) as session:
            user = _user(session, name)
            ended = session.execute(
                update(UserSession)
                .where(
                    UserSession.user_id == user.id,
                    UserSession.revoked_at.is_(None),
                    UserSession.expires_at > now,
                )
                .values(revoked_at=now)
            )
            session.commit()
            return int(ended.rowcount)  # type: ignore[attr-defined]

    # --- API tokens ----------------------------------------------------------------------

    def issue_token(self, name: str, label: str = "") -> str:
        """A new personal API token for ``name``: returned once, only its hash is kept."""
        token = "bh_" + secrets.token_urlsafe(32)
        with Session(self._engine) as session:
            user = _user(session, name)
            session.add(ApiToken(token_hash=_digest(token), user_id=user.id, label=label.strip()[:200]))
            session.commit()
        return token

    def token(self, token: str) -> Account | None:
        """Who an API token acts as, with their current role; None when unknown or revoked."""
        with Session(self._engine) as session:
            row = session.get(ApiToken, _digest(token))
            if row is None or row.revoked_at is not None:
                return None
            user = session.get(User, row.user_id)
            return _account(user) if user is not None else None

    def tokens(self, name: str) -> list[dict[str, str]]:
        """``name``'s live API tokens: their labels and when they were issued (the tokens
        themselves are not kept)."""
        with Session(self._engine) as session:
            user = _user(session, name)
            rows = session.scalars(
                select(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .order_by(ApiToken.created_at)
            ).all()
            return [
                {"label": row.label, "issued_at": row.created_at.isoformat(timespec="seconds")}
                for row in rows
            ]

    def revoke_tokens(self, name: str) -> int:
        """End every API token of ``name``; how many were live."""
        with Session(self._engine) as session:
            user = _user(session, name)
            ended = session.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=self._now().replace(tzinfo=None))
            )
            session.commit()
            return int(ended.rowcount)  # type: ignore[attr-defined]


def at_least(role: str, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may (viewer < analyst < admin).

    >>> at_least("admin", "analyst"), at_least("viewer", "analyst")
    (True, False)
    """
    return ROLES.index(role) >= ROLES.index(needed)


def outranks(role: str, other: str) -> bool:
    """Whether ``role`` may read more than ``other`` (viewer < analyst < admin).

    >>> outranks("admin", "viewer"), outranks("analyst", "analyst")
    (True, False)
    """
    return ROLES.index(role) > ROLES.index(other)


def csrf_ok(signed_in: SignedIn, sent: str | None) -> bool:
    """Whether a form's CSRF token is the session's (compared in constant time)."""
    return sent is not None and hmac.compare_digest(signed_in.csrf_token, sent)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password has at least {MIN_PASSWORD} characters")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(session: Session, name: str) -> User:
    user = session.scalars(select(User).where(User.name == name)).first()
    if user is None:
        raise LookupError(f"there is no user {name!r}; `betterheap users list` shows them")
    return user


def _account(user: User) -> Account:
    return Account(user.id, user.name, user.role, bool(user.must_change_password))
