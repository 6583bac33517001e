"""Signing in to the web pages over real HTTP: the home page needs a session, the forms
need their CSRF token, a one-time password must be changed, sign-out (everywhere, or by an
admin from the CLI) ends sessions, and ``next`` never leaves the site."""

from __future__ import annotations

import re

import httpx

from server import Server, cli

PASSWORD = "correct horse battery"
#: A page that needs a session (the home page redirects to it).
HOME = "/dashboards/overview"


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf"\s+value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def sign_in(client: httpx.Client, name: str, password: str, next_url: str = "/") -> httpx.Response:
    form = client.get("/signin", params={"next": next_url})
    return client.post(
        "/signin", data={"name": name, "password": password, "csrf": csrf_of(form), "next": next_url}
    )


def test_pages_need_a_session_and_forms_their_csrf_token(server: Server) -> None:
    cli(server.data_dir, "users", "add", "ana", "--role", "analyst", "--password", PASSWORD)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        home = client.get("/")
        assert home.status_code == 303 and home.headers["location"] == "/signin?next=/"
        wrong = sign_in(client, "ana", "not the password")
        assert wrong.status_code == 401 and "Wrong name or password." in wrong.text
        nobody = sign_in(client, "nobody", PASSWORD)
        assert nobody.status_code == 401 and "Wrong name or password." in nobody.text
        forged = client.post("/signin", data={"name": "ana", "password": PASSWORD, "csrf": "forged"})
        assert forged.status_code == 403
        signed = sign_in(client, "ana", PASSWORD, next_url="//evil.example/")
        assert signed.status_code == 303 and signed.headers["location"] == "/"
        cookie = signed.headers["set-cookie"]
        assert "bh_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        page = client.get(HOME)
        assert page.status_code == 200 and "ana (analyst)" in page.text
        assert client.post("/signout", data={}).status_code == 403, "no CSRF token, no sign-out"
        out = client.post("/signout", data={"csrf": csrf_of(page)})
        assert out.status_code == 303 and client.get(HOME).status_code == 303


def test_a_one_time_password_must_be_changed_first(server: Server) -> None:
    added = cli(server.data_dir, "users", "add", "pm", "--role", "viewer")
    one_time = added.stdout.split("one-time password: ")[1].split()[0]
    with httpx.Client(base_url=server.url, timeout=30) as client:
        signed = sign_in(client, "pm", one_time)
        assert signed.headers["location"] == "/account/password"
        assert client.get(HOME).headers["location"] == "/account/password"
        form = client.get("/account/password")
        short = client.post(
            "/account/password", data={"current": one_time, "new": "short", "csrf": csrf_of(form)}
        )
        assert short.status_code == 400 and "A password has at least 10 characters." in short.text
        changed = client.post(
            "/account/password", data={"current": one_time, "new": PASSWORD, "csrf": csrf_of(form)}
        )
        assert changed.status_code == 303 and client.get(HOME).status_code == 200
    with httpx.Client(base_url=server.url, timeout=30) as other:
        assert sign_in(other, "pm", one_time).status_code == 401
        assert sign_in(other, "pm", PASSWORD).status_code == 303


def test_sign_out_everywhere_and_an_admin_revoking_sessions(server: Server) -> None:
    cli(server.data_dir, "users", "add", "ana", "--role", "analyst", "--password", PASSWORD)
    laptop, phone = (
        httpx.Client(base_url=server.url, timeout=30),
        httpx.Client(base_url=server.url, timeout=30),
    )
    with laptop, phone:
        sign_in(laptop, "ana", PASSWORD)
        sign_in(phone, "ana", PASSWORD)
        assert "ended 2 sessions of ana" in cli(server.data_dir, "users", "revoke", "ana").stdout
        assert laptop.get(HOME).status_code == 303 and phone.get(HOME).status_code == 303
        sign_in(laptop, "ana", PASSWORD)
        sign_in(phone, "ana", PASSWORD)
        page = laptop.get(HOME)
        laptop.post("/signout/everywhere", data={"csrf": csrf_of(page)})
        assert phone.get(HOME).status_code == 303


def test_the_first_run_creates_an_admin_with_a_one_time_password(server: Server) -> None:
    accounts = cli(server.data_dir, "users", "list", "--format", "json").stdout
    assert '"name": "admin"' in accounts and '"must_change_password": true' in accounts


def test_only_admins_reach_the_people_page_and_end_others_sessions(server: Server) -> None:
    cli(server.data_dir, "users", "add", "boss", "--role", "admin", "--password", PASSWORD)
    cli(server.data_dir, "users", "add", "vic", "--role", "viewer", "--password", PASSWORD)
    admin, viewer = (
        httpx.Client(base_url=server.url, timeout=30),
        httpx.Client(base_url=server.url, timeout=30),
    )
    with admin, viewer:
        sign_in(admin, "boss", PASSWORD)
        sign_in(viewer, "vic", PASSWORD)
        assert viewer.get("/admin/users").status_code == 403
        home = viewer.get(HOME)
        forbidden = viewer.post("/admin/users/revoke", data={"name": "boss", "csrf": csrf_of(home)})
        assert forbidden.status_code == 403
        page = admin.get("/admin/users")
        assert page.status_code == 200 and "vic" in page.text and "End sessions" in page.text
        no_token = admin.post("/admin/users/revoke", data={"name": "vic"})
        assert no_token.status_code == 403
        ended = admin.post("/admin/users/revoke", data={"name": "vic", "csrf": csrf_of(page)})
        assert (
            ended.status_code == 303
            and "Ended 1 session(s) and 0 API token(s) of vic" in admin.get(ended.headers["location"]).text
        )
        assert viewer.get(HOME).status_code == 303, "the revoked session is signed out"
    with httpx.Client(base_url=server.url, timeout=30) as anonymous:
        assert anonymous.get("/admin/users").headers["location"] == "/signin?next=/admin/users"
