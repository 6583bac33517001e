"""Who is calling the API, from their credentials — never from what the body says.

Three credentials, in this order:

- ``Authorization: Bearer <token>``: a personal API token (``betterheap users token
  NAME``), acting as its user with the user's current role; or the token ``serve`` wrote
  into ``<data dir>/server.json`` for the command line on its machine, acting as the
  built-in admin ``local-cli`` (whoever can read the data directory could open the
  database itself). A bad bearer token is refused; the cookie is not tried instead.
- the ``bh_session`` cookie of a signed-in browser (``web.auth``). A cookie rides along on
  cross-site requests, so a POST or DELETE carrying one must also send the session's CSRF
  token in an ``X-CSRF-Token`` header.
- nothing: 401, saying how to get a credential.

A request may still state a ``role``, but only to act with less than the caller's own (an
admin asking as a viewer); :meth:`Caller.acting_as` refuses anything higher with a 403.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from betterheap.meta.users import LOCAL_CLI, ROLES, csrf_ok, outranks
from betterheap.web.auth import SESSION_COOKIE, signed_in, users_of
from betterheap.web.deps import RuntimeDep

CSRF_HEADER: Final = "X-CSRF-Token"
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
NO_CREDENTIALS: Final = (
    "sign in first: a browser signed in at /signin sends its session cookie; a program sends "
    "'Authorization: Bearer <token>' with a token from `betterheap users token NAME`"
)
_CHALLENGE: Final = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Caller:
    """Who is calling (a user's name, or ``local-cli``) and the role they hold."""

    who: str
    role: str

    def acting_as(self, stated: object = None) -> str:
        """The role to act with: the caller's own, or a lower one they state; a stated role
        above their own is a 403, an unknown one a 400."""
        if stated is None:
            return self.role
        if not isinstance(stated, str) or stated not in ROLES:
            raise HTTPException(400, f"unknown role {stated!r}; roles: {', '.join(ROLES)}")
        if outranks(stated, self.role):
            raise HTTPException(
                403,
                f"{self.who} has the {self.role} role: a stated role may lower it, never raise it "
                f"to {stated}",
            )
        return stated

    def require(self, role: str, doing: str) -> None:
        """A 403 unless the caller holds at least ``role`` (``doing``: what, for the words)."""
        if outranks(role, self.role):
            raise HTTPException(403, f"{doing} needs the {role} role or above; {self.who} is {self.role}")


def trust_local_cli(app: FastAPI, token: str) -> None:
    """Let ``token`` (the one ``serve`` writes to ``server.json``) act as ``local-cli``, an
    admin, for this app's lifetime. Only its hash is kept."""
    app.state.local_cli_token = _digest(token)


#: Declares the bearer scheme in the OpenAPI document, so /docs has an Authorize button; the
#: header itself is read below (a session cookie is the other way in).
_DOCUMENTED = HTTPBearer(auto_error=False, description="An API token: `betterheap users token NAME`")


def caller(
    request: Request,
    runtime: RuntimeDep,
    _documented: Annotated[HTTPAuthorizationCredentials | None, Depends(_DOCUMENTED)] = None,
) -> Caller:
    """The FastAPI dependency: the caller from their credentials, or a 401/403."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        return _bearer(request, runtime, authorization)
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise HTTPException(401, NO_CREDENTIALS, headers=_CHALLENGE)
    session = signed_in(request, users_of(request, runtime))
    if session is None:
        raise HTTPException(401, "your session expired or was ended: sign in again at /signin")
    if session.account.must_change_password:
        raise HTTPException(403, "change your one-time password first, at /account/password")
    if request.method not in SAFE_METHODS and not csrf_ok(session, request.headers.get(CSRF_HEADER)):
        raise HTTPException(
            403,
            f"a {request.method} with a session cookie needs the session's CSRF token in an "
            f"{CSRF_HEADER} header (or use an API token instead)",
        )
    return Caller(session.account.name, session.account.role)


def _bearer(request: Request, runtime: RuntimeDep, authorization: str) -> Caller:
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(
            401, f"send 'Authorization: Bearer <token>'; {NO_CREDENTIALS}", headers=_CHALLENGE
        )
    local: str | None = getattr(request.app.state, "local_cli_token", None)
    if local is not None and hmac.compare_digest(local, _digest(token)):
        return Caller(LOCAL_CLI, "admin")
    account = users_of(request, runtime).token(token)
    if account is None:
        raise HTTPException(
            401,
            "this API token is unknown or was revoked; `betterheap users token NAME` issues a new one",
            headers=_CHALLENGE,
        )
    return Caller(account.name, account.role)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


CallerDep = Annotated[Caller, Depends(caller)]
