"""The tracking-plan pages over real HTTP, as a team uses them: an analyst edits the plan's
YAML, previews the changes and deploys; everyone browses the plan, its versions and their
diffs; events the plan refuses show up in the quarantine (raw payloads for admins only)
and move to the store when a replay follows a plan change; proposals learned from the
events received are approved one at a time. Viewers change nothing, and no form works
without the session's CSRF token."""

from __future__ import annotations

import html
import re
import textwrap
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import orjson

from server import Server, cli
from tests.web.test_signin import PASSWORD, csrf_of, sign_in

PLAN_V1 = textwrap.dedent(
    """
    name: Shop
    events:
      - name: order_completed
        description: An order was paid.
        properties:
          - {name: order_id, required: true}
          - {name: revenue, type: number, required: true}
          - {name: customer_name}
          - {name: email, pii: true}
    """
)
# Version 2 plans searches and accepts orders without an order id (the app never sent one).
PLAN_V2 = textwrap.dedent(
    """
    name: Shop
    events:
      - name: order_completed
        description: An order was paid.
        properties:
          - {name: order_id}
          - {name: revenue, type: number, required: true}
          - {name: customer_name}
          - {name: email, pii: true}
      - name: search_performed
        aliases: [Search]
        properties:
          - {name: query}
    """
)


@contextmanager
def person(server: Server, name: str, role: str) -> Iterator[httpx.Client]:
    """A browser signed in as a new person with ``role``."""
    cli(server.data_dir, "users", "add", name, "--role", role, "--password", PASSWORD)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        assert sign_in(client, name, PASSWORD).status_code == 303
        yield client


def text_of(page: httpx.Response) -> str:
    """What the page says, as a person reads it: no tags, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def deploy(client: httpx.Client, yaml: str, note: str) -> httpx.Response:
    """What the editor's Deploy button sends, from the editor as just opened."""
    editor = client.get("/plan/edit")
    assert editor.status_code == 200, editor.text
    based_on = editor.text.split('name="based_on" value="')[1].split('"')[0]
    return client.post(
        "/plan/edit", data={"yaml": yaml, "note": note, "based_on": based_on, "csrf": csrf_of(editor)}
    )


def message(event: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "track",
        "event": event,
        "properties": properties,
        "anonymousId": "anon-1",
        "messageId": str(uuid.uuid4()),
        "timestamp": "2024-06-03T12:00:00Z",
        "context": {"page": {"url": "https://shop.example/p"}},
    }


def send(server: Server, client: httpx.Client, batch: list[dict[str, Any]]) -> None:
    install = client.get("/projects/1/install").text
    key = re.search(r"betterheap\.init\(&#34;(bh_[^&]+)&#34;", install).group(1)  # type: ignore[union-attr]
    answer = httpx.post(f"{server.url}/v1/batch", json={"batch": batch}, auth=(key, ""), timeout=30)
    assert answer.status_code == 200, answer.text
    server.wait_loaded()


def versions(client: httpx.Client) -> list[int]:
    """The plan versions the versions page lists, oldest first."""
    page = client.get("/plan/versions").text
    return sorted(int(number) for number in re.findall(r"&amp;version=(\d+)\">", page))


def test_an_analyst_edits_previews_and_deploys_and_everyone_sees_versions_and_diffs(
    server: Server,
) -> None:
    with person(server, "ana", "analyst") as ana, person(server, "vic", "viewer") as vic:
        empty = ana.get("/plan")
        assert empty.status_code == 200 and "No tracking plan is deployed" in empty.text
        assert "/plan/proposals" in empty.text

        first = deploy(ana, PLAN_V1, "first plan")
        assert first.status_code == 303 and first.headers["location"].startswith("/plan?")
        shown = text_of(ana.get(first.headers["location"]))
        assert "Deployed version 1" in shown and "Version 1" in shown and "order_completed" in shown
        assert "An order was paid." in shown
        assert "customer_name string" in shown and "email string PII" in shown
        assert "order_id string required" in shown

        editor = ana.get("/plan/edit")
        assert "order_completed" in text_of(editor), "the editor starts from the plan in force"
        preview = ana.post(
            "/plan/edit/preview", data={"yaml": PLAN_V2, "note": "searches", "csrf": csrf_of(editor)}
        )
        previewed = text_of(preview)
        assert preview.status_code == 200
        assert "+ event search_performed (1 property)" in previewed
        assert "~ order_completed.order_id: required true → false" in previewed
        assert versions(ana) == [1], "a preview deploys nothing"

        second = deploy(ana, PLAN_V2, "searches")
        assert second.status_code == 303
        shown = text_of(ana.get(second.headers["location"]))
        assert "Version 2" in shown and "search_performed" in shown and "Also arrives as: Search" in shown

        # The viewer browses all of it: the plan in force, an old version, the versions, a diff.
        assert "search_performed" in vic.get("/plan").text
        old = text_of(vic.get("/plan", params={"version": 1}))
        assert "an old version" in old and "search_performed" not in old
        listed = text_of(vic.get("/plan/versions"))
        assert "first plan" in listed and "searches" in listed and "ana" in listed
        diff = text_of(vic.get("/plan/diff", params={"from": 1, "to": 2}))
        added = diff.split("Added (1)")[1].split("Changed")[0]
        assert "event search_performed (1 property)" in added
        assert "order_completed.order_id: required true → false" in diff.split("Changed (1)")[1]
        assert "Removed" not in diff
        assert vic.get("/plan/diff", params={"from": 1, "to": 9}).status_code == 404


def test_a_bad_plan_shows_its_problem_and_keeps_the_text(server: Server) -> None:
    bad = "events:\n  - name: order_completed\n    properties:\n      - {name: revenue, type: money}\n"
    with person(server, "ana", "analyst") as ana:
        editor = ana.get("/plan/edit")
        for path in ("/plan/edit/preview", "/plan/edit"):
            answer = ana.post(path, data={"yaml": bad, "note": "oops", "csrf": csrf_of(editor)})
            shown = html.unescape(answer.text)
            assert answer.status_code == 400
            assert "events[0] (order_completed).properties[0] (revenue).type" in shown
            assert "{name: revenue, type: money}" in shown.split("<textarea")[1], "the text is kept"
            assert 'value="oops"' in shown
        camel = ana.post(
            "/plan/edit/preview",
            data={"yaml": "events:\n  - name: orderCompleted\n", "csrf": csrf_of(editor)},
        )
        assert camel.status_code == 400 and "does not follow snake_case" in text_of(camel)
        broken = ana.post("/plan/edit", data={"yaml": "events: [", "csrf": csrf_of(editor)})
        assert broken.status_code == 400 and "not valid YAML" in text_of(broken)
        assert versions(ana) == []


def test_viewers_only_browse_and_no_form_works_without_its_csrf_token(server: Server) -> None:
    with person(server, "ana", "analyst") as ana, person(server, "vic", "viewer") as vic:
        assert deploy(ana, PLAN_V1, "first plan").status_code == 303
        page = vic.get("/plan")
        assert page.status_code == 200 and "order_completed" in page.text
        assert "/plan/edit?" not in page.text, "no Edit tab for a viewer"
        assert vic.get("/plan/edit").status_code == 403
        for path in ("/plan/proposals", "/plan/quarantine", "/plan/versions", "/plan/diff"):
            shown = vic.get(path)
            assert shown.status_code == 200, path
            assert "Approve</button>" not in shown.text and "Replay under" not in shown.text
        token = csrf_of(page)
        refused = {
            "/plan/edit": {"yaml": PLAN_V2, "based_on": "1"},
            "/plan/edit/preview": {"yaml": PLAN_V2},
            "/plan/quarantine/replay": {},
            "/plan/proposals/names": {"canonical": "search_performed", "based_on": "1"},
            "/plan/proposals/clicks": {"name": "buy_now_clicked", "based_on": "1"},
        }
        for path, form in refused.items():
            assert vic.post(path, data={**form, "csrf": token}).status_code == 403, path

        editor = ana.get("/plan/edit")
        forged = ana.post("/plan/edit", data={"yaml": PLAN_V2, "based_on": "1", "csrf": "forged"})
        missing = ana.post("/plan/edit", data={"yaml": PLAN_V2, "based_on": "1"})
        assert forged.status_code == 403 and missing.status_code == 403
        assert ana.post("/plan/quarantine/replay", data={"csrf": "forged"}).status_code == 403
        assert ana.post("/plan/proposals/names", data={"canonical": "x"}).status_code == 403
        with httpx.Client(base_url=server.url, timeout=30) as anonymous:
            assert anonymous.get("/plan").headers["location"] == "/signin?next=/plan"
            assert (
                anonymous.post("/plan/edit", data={"yaml": PLAN_V2, "csrf": csrf_of(editor)}).status_code
                == 401
            )
        assert versions(ana) == [1]

        # An editor opened before someone else's deploy does not overwrite it unseen.
        stale = ana.post("/plan/edit", data={"yaml": PLAN_V2, "based_on": "0", "csrf": csrf_of(editor)})
        assert stale.status_code == 409 and "Version 1 was deployed after version 0" in stale.text
        assert 'name="based_on" value="1"' in stale.text, "deploying again follows the version in force"
        assert versions(ana) == [1]
        moved = ana.post(
            "/plan/edit/preview", data={"yaml": PLAN_V2, "based_on": "0", "csrf": csrf_of(editor)}
        )
        assert "Version 1 was deployed since you opened the editor" in text_of(moved)
        assert 'name="based_on" value="1"' in moved.text


def test_the_quarantine_shows_held_events_payloads_to_admins_and_replays_after_a_fix(
    server: Server,
) -> None:
    with (
        person(server, "boss", "admin") as boss,
        person(server, "ana", "analyst") as ana,
        person(server, "vic", "viewer") as vic,
    ):
        assert deploy(ana, PLAN_V1, "first plan").status_code == 303
        send(
            server,
            ana,
            [
                message("order_completed", {"order_id": "o1", "revenue": 20}),
                message("order_completed", {"revenue": 9.5, "customer_name": "Ada Lovelace"}),
                message("order_completed", {"revenue": 5, "customer_name": "Grace Hopper"}),
            ],
        )
        for client in (boss, ana, vic):
            held = text_of(client.get("/plan/quarantine"))
            assert "2 event(s) held" in held
            assert "missing required" in held and "order_completed" in held and "order_id" in held
        assert "Ada Lovelace" in boss.get("/plan/quarantine").text, "admins see the payload"
        for client in (ana, vic):
            held = client.get("/plan/quarantine").text
            assert "Ada Lovelace" not in held and "Grace Hopper" not in held
            assert "only admins see them" in held
        filtered = boss.get("/plan/quarantine", params={"reason": "missing_required", "event": "nope"})
        assert "Ada Lovelace" not in filtered.text

        page = ana.get("/plan/quarantine")
        unchanged = ana.post("/plan/quarantine/replay", data={"csrf": csrf_of(page)})
        assert "2 still quarantined" in text_of(ana.get(unchanged.headers["location"]))

        assert deploy(ana, PLAN_V2, "order id optional").status_code == 303
        replayed = ana.post("/plan/quarantine/replay", data={"csrf": csrf_of(page)})
        assert replayed.status_code == 303
        after = text_of(ana.get(replayed.headers["location"]))
        assert (
            "Replayed 2 held event(s) under plan version 2: 2 moved to the store, 0 filtered, "
            "0 still quarantined"
        ) in after
        assert "0 event(s) held" in after and "The quarantine is empty." in after
    report = orjson.loads(
        cli(
            server.data_dir, "quality", "--from", "2024-06-01", "--to", "2024-06-30", "--format", "json"
        ).stdout
    )
    assert (report["stored"], report["quarantined"]) == (3, 0)


BUY = 'button.buy-now:text="Buy now"nth-child="1"nth-of-type="1";div.product:nth-child="2"'


def test_proposals_learned_from_events_are_approved_one_at_a_time(server: Server) -> None:
    with person(server, "ana", "analyst") as ana, person(server, "vic", "viewer") as vic:
        assert deploy(ana, PLAN_V1, "first plan").status_code == 303
        click = {"$event_type": "click", "$elements_chain": BUY}
        send(
            server,
            ana,
            [message("Wishlist Added", {}), message("wishlist-added", {}), message("wishlistAdded", {})]
            + [message("$autocapture", click) for _ in range(25)],
        )
        seen_by_viewer = vic.get("/plan/proposals")
        assert "Approve</button>" not in seen_by_viewer.text, "viewers do not approve"
        seen = text_of(seen_by_viewer)
        assert "wishlist_added" in seen and "+ event wishlist_added (0 properties)" in seen
        assert "buy_now_clicked" in seen and "button.buy-now" in seen

        page = ana.get("/plan/proposals")
        assert "Approve</button>" in page.text
        stale = ana.post(
            "/plan/proposals/names",
            data={"canonical": "wishlist_added", "based_on": "0", "csrf": csrf_of(page)},
        )
        assert "review the proposals again" in text_of(ana.get(stale.headers["location"]))
        approved = ana.post(
            "/plan/proposals/names",
            data={"canonical": "wishlist_added", "based_on": "1", "csrf": csrf_of(page)},
        )
        assert approved.status_code == 303
        assert "Deployed version 2" in text_of(ana.get(approved.headers["location"]))
        plan = text_of(ana.get("/plan"))
        assert "Version 2" in plan and "wishlist_added" in plan
        assert "Wishlist Added" in plan and "wishlist-added" in plan and "wishlistAdded" in plan

        page = ana.get("/plan/proposals")
        assert "+ event wishlist_added" not in text_of(page), "approved, so no longer proposed"
        clicked = ana.post(
            "/plan/proposals/clicks",
            data={"name": "buy_now_clicked", "based_on": "2", "csrf": csrf_of(page)},
        )
        assert "Deployed version 3" in text_of(ana.get(clicked.headers["location"]))
        plan = text_of(ana.get("/plan"))
        assert "buy_now_clicked" in plan and "button.buy-now" in plan and "Buy now" in plan
        assert "Proposed from 25 auto-captured clicks" in plan
        again = ana.post(
            "/plan/proposals/clicks",
            data={"name": "buy_now_clicked", "based_on": "3", "csrf": csrf_of(page)},
        )
        assert "no longer open" in text_of(ana.get(again.headers["location"]))
        assert versions(ana) == [1, 2, 3]
