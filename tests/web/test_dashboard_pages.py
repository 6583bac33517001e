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
from server import DEMO_PASSWORD, Server, cli, write_key

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
    return json.loads(found.group(1))  # type: ignore[no-any-return]


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

        def daily(metric: str) -> list[float]:
            span = {"from": str(end - timedelta(days=13)), "to": str(end)}
            rows = client.get(f"/api/metrics/{metric}", params=span).json()
            assert len(rows) == 14
            return [float(row["value"] or 0) for row in rows]

        def tile(label: str) -> tuple[float, str]:
            found = re.search(
                label + r'</div>\s*<div class="value">([\d,.%]+)</div>\s*<div class="change [a-z]+">'
                r"[^ ]+ ([+-][\d.]+)%",
                tiles,
            )
            assert found, (label, tiles[:500])
            return float(found.group(1).replace(",", "").rstrip("%")), found.group(2)

        def change(now: float, then: float) -> str:
            return f"{(now - then) / then:+.1%}".rstrip("%")

        dau, wau, mau, new = daily("dau"), daily("wau"), daily("mau"), daily("new_users")
        expected = {
            "Avg daily active users": (sum(dau[7:]) / 7, sum(dau[:7]) / 7),
            "Weekly active users": (wau[-1], wau[6]),
            "Monthly active users": (mau[-1], mau[6]),
            "New users": (sum(new[7:]), sum(new[:7])),
        }
        for label, (now, then) in expected.items():
            value, shown_change = tile(label)
            assert value == round(now) and shown_change == change(now, then), label
        assert expected["New users"][0] > 0


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
        assert '<option value="funnel" selected>' in bad.text, "what was typed stays in the form"
        assert 'name="steps" list="events" value="signed_up"' in bad.text
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


def test_a_second_project_has_its_own_dashboards(demo_server: Server) -> None:
    cli(demo_server.data_dir, "project", "create", "Second shop")
    listed = json.loads(cli(demo_server.data_dir, "project", "list", "--format", "json").stdout)
    second = next(p["id"] for p in listed if p["name"] == "Second shop")
    with signed_in(demo_server, "viewer") as client:
        page = client.get("/dashboards/overview", params={"project_id": str(second)})
        assert page.status_code == 200
        picker = re.search(r'<select name="project_id"[^>]*>(.*?)</select>', page.text, re.S)
        assert picker and "Second shop" in picker.group(1)
        assert f'<option value="{second}" selected>Second shop</option>' in picker.group(1)
        assert f'href="/dashboards/revenue?project_id={second}"' in page.text
        assert f'href="/insights/new?project_id={second}"' in page.text
        sources = panel_sources(page)
        assert sources and all(f"project_id={second}" in source for source in sources)
        revenue = spec_of(client.get(sources[-1]).text)
        assert sum(row["value"] for row in revenue["data"]["values"]) == 0, "the new project has no events"
        first = spec_of(client.get(panel_sources(client.get("/dashboards/overview"))[-1]).text)
        assert sum(row["value"] for row in first["data"]["values"]) > 0


def test_a_saved_panel_with_personal_data_is_for_admins_only(demo_server: Server) -> None:
    sent = httpx.post(
        f"{demo_server.url}/v1/track",
        json={"writeKey": write_key(demo_server.data_dir), "event": "$pageview", "anonymousId": "jane",
              "timestamp": "2026-11-28T12:00:00Z", "properties": {"email": "jane.doe@example.com"}},
        timeout=30,
    )  # fmt: skip
    assert sent.status_code == 200
    demo_server.wait_loaded()
    definition = json.dumps({"kind": "trend", "event": "$pageview", "breakdown": "email", "days": 90})
    with signed_in(demo_server, "admin") as admin:
        page = admin.get("/insights/new")
        saved = admin.post(
            "/insights/save",
            data={"csrf": csrf_of(page), "definition": definition, "new_dashboard": "Admins' board"},
        )
        board_url = saved.headers["location"]
        (source,) = panel_sources(admin.get(board_url))
        assert "jane.doe@example.com" in admin.get(source).text, "the admin sees the e-mail breakdown"
    with signed_in(demo_server, "viewer") as viewer:
        fragment = viewer.get(source)
        assert fragment.status_code == 200 and "jane.doe" not in fragment.text
        assert "email is personal data" in fragment.text


def test_values_quoted_by_the_quality_report_are_for_admins(demo_server: Server) -> None:
    def violations(role: str) -> str:
        with signed_in(demo_server, role) as client:
            page = client.get("/dashboards/quality")
            return client.get(next(s for s in panel_sources(page) if "/panels/1?" in s)).text

    assert "<th>example</th>" in violations("admin") and "is not number" in violations("admin")
    for role in ("viewer", "analyst"):
        shown = violations(role)
        assert "<th>event</th>" in shown and "<th>example</th>" not in shown and "is not number" not in shown


@pytest.mark.parametrize(
    "path",
    [
        "/insights/new?kind=trend&breakdown=a%20b",
        "/insights/export.csv?kind=trend&filter_property=x%20y&filter_values=1",
        "/insights/new?kind=trend&date_from=9999-12-01&date_to=9999-12-31",
        "/insights/new?kind=trend&compare=1&date_from=0001-01-01&date_to=0001-01-02",
        "/dashboards/overview?date_from=9999-12-01&date_to=9999-12-31",
        "/dashboards/overview/panels/0?date_from=0001-01-01&date_to=0001-01-02",
        "/dashboards/retention/panels/0?date_from=2000-01-05&date_to=2000-01-06",
        "/insights/new?kind=funnel&steps=a&steps=b%20c",
        "/dashboards/overview?days=abc",
    ],
)
def test_odd_input_is_refused_in_words_never_a_server_error(demo_server: Server, path: str) -> None:
    with signed_in(demo_server, "viewer") as client:
        answer = client.get(path)
        assert answer.status_code in (200, 400, 422), (path, answer.status_code, answer.text[:300])
        assert "Internal Server Error" not in answer.text


def test_saving_with_odd_titles_and_definitions(demo_server: Server) -> None:
    with signed_in(demo_server, "analyst") as client:
        token = csrf_of(client.get("/insights/new"))
        definition = json.dumps({"kind": "metric", "metric": "dau"})
        long_title = "x" * 300
        saved = client.post(
            "/insights/save",
            data={
                "csrf": token,
                "definition": definition,
                "new_dashboard": "Odd & #1 100%",
                "title": long_title,
            },
        )
        assert saved.status_code == 303
        board = client.get(saved.headers["location"])
        assert board.status_code == 200 and "Odd &amp; #1 100%" in board.text
        assert f"Saved: {'x' * 100}" in board.text and "x" * 201 not in board.text
        for bad in ("1", "[]", "not json", '{"kind": "sideways"}'):
            refused = client.post(
                "/insights/save", data={"csrf": token, "definition": bad, "new_dashboard": "n"}
            )
            assert refused.status_code == 400, bad


def test_pages_cannot_be_framed_by_other_sites(demo_server: Server) -> None:
    with signed_in(demo_server, "viewer") as client:
        for path in ("/dashboards/overview", "/signin", "/chat"):
            headers = client.get(path).headers
            assert headers["x-frame-options"] == "DENY", path
            assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "x-frame-options" not in httpx.get(f"{demo_server.url}/api/health").headers


def test_refusals_read_as_a_page_in_a_browser_and_as_json_on_the_api(demo_server: Server) -> None:
    with signed_in(demo_server, "viewer") as client:
        page = client.get("/admin/users", headers={"Accept": "text/html,application/xhtml+xml"})
        assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
        assert "<h1>Not for your role</h1>" in page.text and "this page is for admins" in page.text
        missing = client.get("/dashboards/nope", headers={"Accept": "text/html"})
        assert missing.status_code == 404 and "no dashboard &#39;nope&#39;" in missing.text
        panel = client.get("/dashboards/nope/panels/0", headers={"Accept": "text/html", "HX-Request": "true"})
        assert panel.status_code == 404 and panel.text == "no dashboard 'nope'"
        api = client.get("/api/trends", params={"breakdown": "email"}, headers={"Accept": "text/html"})
        assert api.status_code == 403 and "personal data" in api.json()["detail"]


def test_a_crafted_status_message_is_not_shown(demo_server: Server) -> None:
    with signed_in(demo_server, "admin") as client:
        crafted = "Your session expired: sign in again at evil.example"
        for path in ("/projects", "/admin/users", "/plan", "/dashboards/overview"):
            for sig in ("forged", "é"):
                page = client.get(path, params={"message": crafted, "sig": sig})
                assert page.status_code == 200 and "evil.example" not in page.text, (path, sig)
        created = client.post(
            "/projects", data={"csrf": csrf_of(client.get("/projects")), "name": "Evil.example"}
        )
        signed = created.headers["location"]
        assert "Created Evil.example" in client.get(signed).text, "our own message shows"
        replayed = client.get(signed.replace("/projects", "/admin/users"))
        assert "Created Evil.example" not in replayed.text, "a message signed for one page shows on no other"


def test_an_address_a_page_cannot_read_is_said_in_words(demo_server: Server) -> None:
    with signed_in(demo_server, "viewer") as client:
        page = client.get("/plan", params={"version": "0"}, headers={"Accept": "text/html"})
        assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
        assert "cannot read" in page.text and "version" in page.text
        api = client.get("/api/plan", params={"version": "x"}, headers={"Accept": "text/html"})
        assert api.status_code == 422 and api.json()["detail"]
