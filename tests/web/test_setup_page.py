"""The setup assistant's interview in the browser, over real HTTP: analysts run it (the kind
as a button, key actions as boxes, Skip, a refinement, approve) and the plan is deployed;
an answer it cannot use is said with the text kept; viewers only look."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx

from server import Server, cli
from web.test_signin import PASSWORD, csrf_of, sign_in


def form_of(page: httpx.Response, **fields: str | list[str]) -> dict[str, str | list[str]]:
    session = re.search(r'name="session" value="([^"]+)"', page.text)
    assert session, page.text[:500]
    return {"csrf": csrf_of(page), "session": session.group(1), **fields}


def test_an_analyst_answers_the_interview_and_the_plan_is_deployed(server: Server) -> None:
    cli(server.data_dir, "users", "add", "ana", "--role", "analyst", "--password", PASSWORD)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        sign_in(client, "ana", PASSWORD)
        intro = client.get("/plan/setup")
        assert intro.status_code == 200 and "Start the interview" in intro.text
        started = client.post("/plan/setup/start", data={"csrf": csrf_of(intro)})
        assert started.status_code == 303
        location = started.headers["location"]
        assert parse_qs(urlsplit(location).query)["session"]
        page = client.get(location)
        assert "What kind of product are you tracking?" in page.text
        kinds = re.findall(r'<button type="submit" name="answer" value="([^"]+)"', page.text)
        assert "ecommerce" in kinds, kinds
        refused = client.post("/plan/setup/answer", data=form_of(page, answer="a spaceship"))
        assert refused.status_code == 400 and 'role="alert"' in refused.text
        assert 'value="a spaceship"' in refused.text, "the answer it could not use stays typed"
        answered = client.post("/plan/setup/answer", data=form_of(page, answer="ecommerce"))
        page = client.get(answered.headers["location"])
        boxes = re.findall(r'name="picked" value="([^"]+)"', page.text)
        assert len(boxes) >= 3, page.text[:800]

        def next_page(page: httpx.Response, **fields: str | list[str]) -> httpx.Response:
            sent = client.post("/plan/setup/answer", data=form_of(page, **fields))
            assert sent.status_code == 303, sent.text[:300]
            return client.get(sent.headers["location"])

        page = next_page(page, picked=boxes[:3], own="")
        for _ in range(10):
            if 'value="approve"' in page.text:
                break
            page = next_page(page, answer="")
        assert 'value="approve"' in page.text and "<pre>" in page.text, (
            "the proposed plan is shown for review"
        )
        bad = client.post("/plan/setup/answer", data=form_of(page, answer="paint it blue"))
        assert bad.status_code == 400 and 'value="paint it blue"' in bad.text
        approved = client.post("/plan/setup/answer", data=form_of(page, answer="approve"))
        assert approved.status_code == 303 and approved.headers["location"].startswith("/plan?")
        shown = client.get(approved.headers["location"])
        assert "Approved: tracking plan version 1 is in force" in shown.text
        versions = client.get("/plan/versions").text
        assert "approved in the setup assistant" in versions and "ana" in versions


def test_viewers_look_but_do_not_run_the_interview(server: Server) -> None:
    cli(server.data_dir, "users", "add", "vic", "--role", "viewer", "--password", PASSWORD)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        sign_in(client, "vic", PASSWORD)
        page = client.get("/plan/setup")
        assert page.status_code == 200 and "Start the interview" not in page.text
        assert client.post("/plan/setup/start", data={"csrf": csrf_of(page)}).status_code == 403
        assert client.get("/plan/setup", params={"session": "nope"}).status_code == 404
