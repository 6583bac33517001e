"""Signing in and out of the web pages: server-side sessions (``meta.users``) carried by an
HttpOnly cookie, a CSRF token on every form, and the password change a one-time password
requires. Thin: the rules live in ``meta.users``."""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Annotated, Final
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from betterheap.meta.users import SignedIn, Users, csrf_ok
from betterheap.meta.users import at_least as has_role
from betterheap.web.deps import RuntimeDep, app_service, metadata_engine
from betterheap.web.templates import back, message_of, templates

router = APIRouter(include_in_schema=False)


SESSION_COOKIE: Final = "bh_session"
LOGIN_COOKIE: Final = "bh_login"


def users_of(request: Request, runtime: RuntimeDep) -> Users:
    return app_service(request, "users", lambda: Users(metadata_engine(runtime)))


def signed_in(request: Request, users: Users) -> SignedIn | None:
    token = request.cookies.get(SESSION_COOKIE)
    return users.session(token) if token else None


def sign_in_first(request: Request) -> RedirectResponse:
    """Where a page sends someone not signed in: the sign-in page, then back."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?next={quote(target, safe='/')}", status_code=303)


class Redirect(Exception):
    """Raised by a page that must send the browser elsewhere first (sign in, change the
    one-time password); ``app`` turns it into a 303."""

    def __init__(self, response: RedirectResponse) -> None:
        self.response = response


def page_session(request: Request, runtime: RuntimeDep, at_least: str = "viewer") -> SignedIn:
    """The signed-in person a page is for: not signed in → the sign-in page; a one-time
    password → its change first; a role below ``at_least`` → 403."""
    who = signed_in(request, users_of(request, runtime))
    if who is None:
        raise Redirect(sign_in_first(request))
    if who.account.must_change_password:
        raise Redirect(RedirectResponse("/account/password", status_code=303))
    if not has_role(who.account.role, at_least):
        raise HTTPException(403, f"this needs the {at_least} role or above; you are {who.account.role}")
    return who


def form_session(
    request: Request, runtime: RuntimeDep, csrf: str | None, at_least: str = "viewer"
) -> SignedIn:
    """The signed-in sender of a form, its CSRF token checked, with at least that role."""
    _, who = require_form(request, runtime, csrf)
    if not has_role(who.account.role, at_least):
        raise HTTPException(403, f"this needs the {at_least} role or above; you are {who.account.role}")
    return who


def _safe_next(next_url: str | None) -> str:
    """Only paths of this site: never an absolute or scheme-relative URL (open redirect)."""
    if next_url and next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return "/"


def _set_session(request: Request, response: Response, token: str, who: SignedIn) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max(int(who.expires_at.timestamp() - time.time()), 0),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, next: str = "/") -> Response:
    csrf = secrets.token_urlsafe(32)
    response = templates.TemplateResponse(
        request, "signin.html", {"csrf": csrf, "next": _safe_next(next), "name": "", "error": None}
    )
    response.set_cookie(LOGIN_COOKIE, csrf, httponly=True, samesite="strict", path="/signin", max_age=3600)
    return response


@router.post("/signin", response_class=HTMLResponse)
def signin(
    request: Request,
    runtime: RuntimeDep,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE)
    if not expected or not hmac.compare_digest(expected, csrf):
        raise HTTPException(403, "the sign-in form expired or came from elsewhere; reload the page")
    signed = users_of(request, runtime).sign_in(name, password)
    if signed is None:
        fresh = secrets.token_urlsafe(32)
        response = templates.TemplateResponse(
            request,
            "signin.html",
            {"csrf": fresh, "next": _safe_next(next), "name": name, "error": "Wrong name or password."},
            status_code=401,
        )
        response.set_cookie(
            LOGIN_COOKIE, fresh, httponly=True, samesite="strict", path="/signin", max_age=3600
        )
        return response
    token, who = signed
    target = "/account/password" if who.account.must_change_password else _safe_next(next)
    redirect = RedirectResponse(target, status_code=303)
    _set_session(request, redirect, token, who)
    redirect.delete_cookie(LOGIN_COOKIE, path="/signin")
    return redirect


def require_form(request: Request, runtime: RuntimeDep, csrf: str | None) -> tuple[Users, SignedIn]:
    users = users_of(request, runtime)
    who = signed_in(request, users)
    if who is None:
        raise HTTPException(401, "not signed in")
    if not csrf_ok(who, csrf):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page")
    return users, who


def require_admin_form(
    request: Request, runtime: RuntimeDep, csrf: str | None, doing: str
) -> tuple[Users, SignedIn]:
    """A form only admins may send (``doing``: what, for the 403's words)."""
    users, who = require_form(request, runtime, csrf)
    if who.account.role != "admin":
        raise HTTPException(403, f"only admins {doing}")
    return users, who


@router.post("/signout")
def signout(request: Request, runtime: RuntimeDep, csrf: Annotated[str | None, Form()] = None) -> Response:
    users, _ = require_form(request, runtime, csrf)
    users.sign_out(request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/signout/everywhere")
def signout_everywhere(
    request: Request, runtime: RuntimeDep, csrf: Annotated[str | None, Form()] = None
) -> Response:
    users, who = require_form(request, runtime, csrf)
    users.revoke(who.account.name)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, runtime: RuntimeDep) -> Response:
    who = signed_in(request, users_of(request, runtime))
    if who is None:
        return sign_in_first(request)
    return templates.TemplateResponse(request, "password.html", {"signed_in": who, "error": None})


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    runtime: RuntimeDep,
    current: Annotated[str, Form()],
    new: Annotated[str, Form()],
    csrf: Annotated[str | None, Form()] = None,
) -> Response:
    users, who = require_form(request, runtime, csrf)
    try:
        users.set_password(who.account.name, current, new)  # ends every session...
    except (PermissionError, ValueError) as error:
        return templates.TemplateResponse(
            request,
            "password.html",
            {"signed_in": who, "error": str(error).capitalize() + "."},
            status_code=400,
        )
    signed = users.sign_in(who.account.name, new)  # ...so this one starts afresh
    assert signed is not None
    response = RedirectResponse("/", status_code=303)
    _set_session(request, response, *signed)
    return response


@router.get("/admin/users", response_class=HTMLResponse)
def people(request: Request, runtime: RuntimeDep) -> Response:
    """Admins only: everyone who signs in, their roles and live sessions."""
    users = users_of(request, runtime)
    who = signed_in(request, users)
    if who is None:
        return sign_in_first(request)
    if who.account.role != "admin":
        raise HTTPException(403, "this page is for admins")
    context = {"signed_in": who, "users": users.accounts(), "message": message_of(request)}
    return templates.TemplateResponse(request, "users.html", context)


@router.post("/admin/users/revoke")
def revoke_sessions(
    request: Request,
    runtime: RuntimeDep,
    name: Annotated[str, Form()],
    csrf: Annotated[str | None, Form()] = None,
) -> Response:
    """Admins only: end every session and API token of ``name``."""
    users, _ = require_admin_form(request, runtime, csrf, "end other people's sessions")
    try:
        ended, tokens = users.revoke(name), users.revoke_tokens(name)
    except LookupError as error:
        raise HTTPException(404, str(error)) from error
    message = f"Ended {ended} session(s) and {tokens} API token(s) of {name}"
    return RedirectResponse(back("/admin/users", message=message), status_code=303)
