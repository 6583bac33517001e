"""Projects, write keys and the install page behind sign-in, over real HTTP: an admin
creates a project and rotates its key (the old key is refused at once), everyone signed in
gets the install snippet with the current key, and others cannot rotate."""

from __future__ import annotations

import re
import uuid

import httpx

from server import Server, cli
from tests.web.test_signin import PASSWORD, csrf_of, sign_in


def send(server: Server, key: str) -> int:
    message = {"type": "track", "event": "signed_up", "userId": "u1", "messageId": str(uuid.uuid4())}
    return httpx.post(
        f"{server.url}/v1/batch", json={"batch": [message]}, auth=(key, ""), timeout=30
    ).status_code


def test_admins_create_projects_and_rotate_keys_everyone_gets_the_snippet(server: Server) -> None:
    cli(server.data_dir, "users", "add", "boss", "--role", "admin", "--password", PASSWORD)
    cli(server.data_dir, "users", "add", "vic", "--role", "viewer", "--password", PASSWORD)
    admin, viewer = (
        httpx.Client(base_url=server.url, timeout=30),
        httpx.Client(base_url=server.url, timeout=30),
    )
    with admin, viewer:
        sign_in(admin, "boss", PASSWORD)
        sign_in(viewer, "vic", PASSWORD)
        page = admin.get("/projects")
        created = admin.post("/projects", data={"name": "Checkout app", "csrf": csrf_of(page)})
        assert created.status_code == 303
        page = admin.get("/projects")
        assert "Checkout app" in page.text and "Rotate key" in page.text
        project_id = int(re.search(r"Checkout app <span class=\"note\">#(\d+)", page.text).group(1))  # type: ignore[union-attr]
        install = admin.get(f"/projects/{project_id}/install")
        old_key = re.search(r"betterheap\.init\(&#34;(bh_[^&]+)&#34;", install.text).group(1)  # type: ignore[union-attr]
        assert send(server, old_key) == 200

        rotated = admin.post(f"/projects/{project_id}/rotate", data={"csrf": csrf_of(page)})
        assert rotated.status_code == 303
        assert send(server, old_key) == 401, "the old key stops working at once"
        new_install = viewer.get(f"/projects/{project_id}/install")
        new_key = re.search(r"betterheap\.init\(&#34;(bh_[^&]+)&#34;", new_install.text).group(1)  # type: ignore[union-attr]
        assert new_key != old_key and send(server, new_key) == 200
        assert "analytics.write_key" in new_install.text and "/v1/track" in new_install.text

        viewer_page = viewer.get("/projects")
        assert "Rotate key" not in viewer_page.text and "New project" not in viewer_page.text
        assert (
            viewer.post(f"/projects/{project_id}/rotate", data={"csrf": csrf_of(viewer_page)}).status_code
            == 403
        )
        assert viewer.post("/projects", data={"name": "x", "csrf": csrf_of(viewer_page)}).status_code == 403
    with httpx.Client(base_url=server.url, timeout=30) as anonymous:
        assert anonymous.get("/projects/1/install").status_code == 303
