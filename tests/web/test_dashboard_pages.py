"""The dashboards, the insight builder and the chat panel over real HTTP, against a server
with a small messy demo: every pre-built panel computes, numbers match the API, exports hold
the insight's rows, saving and pinning need the analyst role and a CSRF token, personal
data stays with admins."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from betterheap.insights.dashboards import DASHBOARDS
from server import DEMO_PASSWORD, Server, write_key

pytestmark = pytest.mark.xdist_group("web-demo")


@contextmanager
def signed_in(server: Server, role: str) -> Iterator[httpx.Client]:
    """A client signed in as the demo server's person of ``role``."""
    with httpx.Client(base_url=server.url, timeout=60) as client:
        form = client.get("/signin")
        answer = client.post(
            "/signin", data={"name": f"the-{role}", "password": DEMO_PASSWORD, "csrf": csrf_of(form)}
        )
        assert answer.status_code == 303, answer.text
        yield client


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf"\s+value="([^"]+)"', page.text)
    assert found, page.text[:300]
    return found.group(1)


def panel_sources(page: httpx.Response) -> list[str]:
    return [src.replace("&amp;", "&") for src in re.findall(r'hx-get="([^"]+)"', page.text)]


def spec_of(fragment: str) -> dict:  # type: ignore[type-arg]
    found = re.search(r'<script type="application/json">(.*?)</script>', fragment, re.S)
    assert found, fragment[:300]
    return json.loads(found.group(1).replace("<\\/", "</"))  # type: ignore[no-any-return]


def test_every_prebuilt_dashboard_draws_every_panel_with_data(demo_server: Server) -> None:
    with signed_in(demo_server, "viewer") as client:
        home = client.get("/")
        assert home.status_code == 303 and home.headers["location"].startswith("/dashboards/overview")
        for name, title in DASHBOARDS.items():
            page = client.get(f"/dashboards/{name}")
            assert page.status_code == 200 and f"<title>{title} · BetterHeap" in page.text
            sources = panel_sources(page)
            assert len(sources) >= 2, name
            for source in sources:
                fragment = client.get(source)
                assert fragment.status_code == 200, (source, fragment.text[:300])
                if "application/json" in fragment.text:
                    spec = spec_of(fragment.text)
                    assert spec["data"]["values"], f"{source}: a chart without data"
                else:
                    assert (
                        'class="tile"' in fragment.text
                        or "<table>" in fragment.text
                        or ("Nothing to show: clean." in fragment.text)
                    ), (source, fragment.text[:300])
        assert client.get("/dashboards/nope").status_code == 404
        assert client.get("/dashboards/overview?days=5").status_code == 400


def test_overview_tiles_are_the_apis_numbers(demo_server: Server) -> None:
    with signed_in(demo_server, "viewer") as client:
        page = client.get("/dashboards/overview")
        span = re.search(r"(\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d) \(UTC\)", page.text)
        assert span
        end = date.fromisoformat(span.group(2))
        tiles = client.get(panel_sources(page)[0]).text
        new_users = client.get(
            "/api/metrics/new_users",
            params={"from": str(end - timedelta(days=6)), "to": str(end)},
        ).json()
        expected = sum(row["value"] for row in new_users)
        shown = re.search(r'New users</div>\s*<div class="value">([\d,]+)</div>', tiles)
        assert shown and int(shown.group(1).replace(",", "")) == expected and expected > 0


def test_a_chosen_range_reaches_every_panel(demo_server: Server) -> None:
    with signed_in(demo_server, "viewer") as client:
        page = client.get("/dashboards/revenue", params={"date_from": "2026-11-01", "date_to": "2026-11-07"})
        assert "2026-11-01 to 2026-11-07 (UTC)" in page.text
        by_day = client.get(panel_sources(page)[0])
        days = [row["date"] for row in spec_of(by_day.text)["data"]["values"]]
        assert days[0] == "2026-11-01" and days[-1] == "2026-11-07" and len(days) == 7


def test_builder_export_csv_and_json_hold_the_apis_rows(demo_server: Server) -> None:
    with signed_in(demo_server, "viewer") as client:
        query = {"kind": "trend", "event": "signed_up", "days": "14", "compare": "1"}
        page = client.get("/insights/new", params=query)
        assert page.status_code == 200 and "signed_up: count per day, last 14 days" in page.text
        assert "<summary>SQL</summary>" in page.text and "SELECT" in page.text
        exported = client.get("/insights/export.csv", params=query)
        assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
        assert "attachment" in exported.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        now = [r for r in rows if r["period"] == "this period"]
        before = [r for r in rows if r["period"] == "previous period"]
        assert len(now) == len(before) == 14
        end = date.fromisoformat(now[-1]["date"])
        api_now = client.get(
            "/api/trends",
            params={"event": "signed_up", "from": str(end - timedelta(days=13)), "to": str(end)},
        ).json()
        api_before = client.get(
            "/api/trends",
            params={
                "event": "signed_up",
                "from": str(end - timedelta(days=27)),
                "to": str(end - timedelta(days=14)),
            },
        ).json()
        assert [int(r["value"]) for r in now] == [r["value"] for r in api_now]
        assert [int(r["value"]) for r in before] == [r["value"] for r in api_before]
        assert before[0]["actual_date"] == str(end - timedelta(days=27))
        as_json = client.get("/insights/export.json", params=query).json()
        assert as_json["insight"]["event"] == "signed_up" and len(as_json["rows"]) == 28


def test_builder_funnel_retention_and_bad_input(demo_server: Server) -> None:
    with signed_in(demo_server, "analyst") as client:
        funnel = {
            "kind": "funnel",
            "steps": ["product_viewed", "product_added", "order_completed"],
            "days": "30",
        }
        page = client.get("/insights/new", params=funnel)
        assert page.status_code == 200
        spec = spec_of(page.text)
        counts = [step["count"] for step in spec["data"]["values"]]
        assert len(counts) == 3 and counts[0] >= counts[1] >= counts[2] > 0
        exported = list(csv.DictReader(io.StringIO(client.get("/insights/export.csv", params=funnel).text)))
        assert [int(r["count"]) for r in exported] == counts
        retention = client.get("/insights/export.csv", params={"kind": "retention", "periods": "7"})
        head = next(csv.reader(io.StringIO(retention.text)))
        assert head[:4] == ["cohort", "size", "d0", "d1"] and head[-1] == "d7"
        bad = client.get("/insights/new", params={"kind": "funnel", "steps": ["signed_up"]})
        assert bad.status_code == 200 and "a funnel needs 2 to 10 steps" in bad.text
        assert client.get("/insights/export.csv", params={"kind": "funnel", "steps": "a"}).status_code == 400


def test_saving_an_insight_needs_an_analyst_and_its_token(demo_server: Server) -> None:
    definition = json.dumps({"kind": "funnel", "steps": ["product_viewed", "order_completed"]})
    with signed_in(demo_server, "viewer") as viewer:
        page = viewer.get("/insights/new", params={"kind": "metric", "metric": "dau"})
        assert "Save to" not in page.text
        refused = viewer.post(
            "/insights/save",
            data={"csrf": csrf_of(page), "definition": definition, "new_dashboard": "viewer's"},
        )
        assert refused.status_code == 403
    with signed_in(demo_server, "analyst") as analyst:
        page = analyst.get(
            "/insights/new", params={"kind": "funnel", "steps": ["product_viewed", "order_completed"]}
        )
        assert "Save to" in page.text
        forged = analyst.post(
            "/insights/save", data={"csrf": "forged", "definition": definition, "new_dashboard": "x"}
        )
        assert forged.status_code == 403
        saved = analyst.post(
            "/insights/save",
            data={"csrf": csrf_of(page), "definition": definition, "new_dashboard": "Checkout board",
                  "title": "View to order"},
        )  # fmt: skip
        assert saved.status_code == 303
        board_url = saved.headers["location"]
        board = analyst.get(board_url)
        assert "View to order" in board.text and "Checkout board" in board.text
        (source,) = panel_sources(board)
        drawn = spec_of(analyst.get(source).text)
        assert [s["event"] for s in drawn["data"]["values"]] == ["product_viewed", "order_completed"]
        board_id = urlsplit(board_url).path.rsplit("/", 1)[1]
        panel_id = source.split("/panels/")[1].split("?")[0]
        removed = analyst.post(
            f"/dashboards/saved/{board_id}/panels/{panel_id}/remove", data={"csrf": csrf_of(board)}
        )
        assert removed.status_code == 303 and panel_sources(analyst.get(removed.headers["location"])) == []


def test_personal_data_in_the_builder_is_for_admins(demo_server: Server) -> None:
    query = {"kind": "trend", "breakdown": "email", "days": "7"}
    with signed_in(demo_server, "analyst") as analyst:
        assert analyst.get("/insights/new", params=query).status_code == 403
        assert analyst.get("/insights/export.csv", params=query).status_code == 403
        page = analyst.get("/insights/new")
        assert '<option value="email">' not in page.text
    with signed_in(demo_server, "admin") as admin:
        assert admin.get("/insights/new", params=query).status_code == 200


def test_chat_panel_answers_with_chart_and_sql_and_pins(demo_server: Server) -> None:
    with signed_in(demo_server, "analyst") as client:
        page = client.get("/chat")
        assert page.status_code == 200
        token = csrf_of(page)
        turn = client.post(
            "/chat/ask",
            data={"csrf": token, "question": "signups last 7 days by country"},
            headers={"HX-Request": "true"},
        )
        assert turn.status_code == 200, turn.text[:300]
        assert "<summary>SQL</summary>" in turn.text and spec_of(turn.text)["data"]["values"]
        conversation = re.search(r'id="conversation_id" name="conversation_id" value="([^"]+)"', turn.text)
        assert conversation
        follow = client.post(
            "/chat/ask",
            data={"csrf": token, "question": "and on mobile?", "conversation_id": conversation.group(1)},
        )
        assert follow.status_code == 303
        history = client.get(follow.headers["location"])
        assert "signups last 7 days by country" in history.text and "and on mobile?" in history.text
        pinned = client.post(
            "/chat/pin",
            data={"csrf": token, "conversation_id": conversation.group(1), "turn": "0",
                  "new_dashboard": "Pinned answers", "title": "Signups by country"},
        )  # fmt: skip
        assert pinned.status_code == 303
        board = client.get(pinned.headers["location"])
        (source,) = panel_sources(board)
        assert spec_of(client.get(source).text)["data"]["values"]
        assert client.post("/chat/ask", data={"question": "dau"}).status_code == 403


def test_a_viewer_asking_for_personal_data_is_refused(demo_server: Server) -> None:
    with signed_in(demo_server, "viewer") as client:
        token = csrf_of(client.get("/chat"))
        turn = client.post(
            "/chat/ask",
            data={"csrf": token, "question": "list the emails of buyers"},
            headers={"HX-Request": "true"},
        )
        assert turn.status_code == 200 and 'data-status="refused"' in turn.text
        assert "Pin to a dashboard" not in turn.text


def test_pages_send_signed_out_people_to_sign_in(demo_server: Server) -> None:
    with httpx.Client(base_url=demo_server.url, timeout=30) as anonymous:
        for path in ("/dashboards/overview", "/insights/new?kind=metric&metric=dau", "/chat"):
            answer = anonymous.get(path)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/signin?next=/")
        target = parse_qs(urlsplit(anonymous.get("/insights/new?kind=metric").headers["location"]).query)
        assert target["next"] == ["/insights/new?kind=metric"]
        assert anonymous.get("/insights/export.csv?kind=metric&metric=dau").status_code == 303
        assert anonymous.get("/dashboards/overview/panels/0").status_code == 303


def test_a_hostile_property_value_stays_data_in_every_chart(demo_server: Server) -> None:
    hostile = "</script><script>window.pwned=1</script><!--"
    sent = httpx.post(
        f"{demo_server.url}/v1/track",
        json={
            "writeKey": write_key(demo_server.data_dir),
            "event": "$pageview",
            "anonymousId": "hostile-visitor",
            "timestamp": "2026-11-29T12:00:00Z",
            "context": {"campaign": {"source": hostile}, "page": {"url": "https://shop.example/"}},
        },
        timeout=30,
    )
    assert sent.status_code == 200, sent.text
    demo_server.wait_loaded()
    with signed_in(demo_server, "viewer") as client:
        page = client.get("/dashboards/acquisition")
        by_source = next(s for s in panel_sources(page) if "/panels/3" in s)
        fragment = client.get(by_source).text
        assert "<script>window.pwned" not in fragment and "<!--" not in fragment
        values = [row["utm_source"] for row in spec_of(fragment)["data"]["values"]]
        assert hostile in values


def test_a_conversation_held_by_an_admin_stays_with_admins(demo_server: Server) -> None:
    with signed_in(demo_server, "admin") as admin:
        token = csrf_of(admin.get("/chat"))
        asked = admin.post("/chat/ask", data={"csrf": token, "question": "How are we doing?"})
        assert asked.status_code == 303
        held = parse_qs(urlsplit(asked.headers["location"]).query)["conversation"][0]
    with signed_in(demo_server, "viewer") as viewer:
        page = viewer.get("/chat")
        assert held not in page.text, "an admin's conversation is not listed for a viewer"
        assert viewer.get("/chat", params={"conversation": held}).status_code == 403
        follow = viewer.post("/chat/ask", data={"csrf": csrf_of(page), "question": "and by country?",
                                                "conversation_id": held})  # fmt: skip
        assert follow.status_code == 403
