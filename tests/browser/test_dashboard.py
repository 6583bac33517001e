"""The web dashboard in real headless Chromium against a real server with a messy demo:
sign in, every dashboard with its charts drawn, build and save a funnel, export CSV, ask the
chat, a viewer kept from admin pages and personal data, a revoked session signed out, and
the pages at a phone's width. A screenshot of every page goes to test-artifacts/browser/."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from betterheap.insights.dashboards import DASHBOARDS
from conftest import ARTIFACTS
from server import DEMO_PASSWORD, Server, cli

pytestmark = pytest.mark.xdist_group("web-demo")

PANELS_DONE = """() => {
  const panels = [...document.querySelectorAll('.panel')];
  return panels.length > 0 && panels.every(p => p.dataset.state === 'ready' || p.dataset.state === 'error');
}"""

PHONE_PAGES = (
    ("/dashboards/overview", "phone-overview"),
    ("/dashboards/retention", "phone-retention"),
    ("/insights/new?kind=metric&metric=dau", "phone-builder"),
    ("/chat", "phone-chat"),
    ("/projects", "phone-projects"),
    ("/admin/users", "phone-people"),
    ("/plan", "phone-plan"),
)
OTHER_PAGES = (
    ("/projects", "projects"),
    ("/projects/1/install", "install"),
    ("/admin/users", "people"),
    ("/account/password", "password"),
    ("/plan", "plan"),
    ("/plan/versions", "plan-versions"),
    ("/plan/quarantine", "plan-quarantine"),
    ("/plan/proposals", "plan-proposals"),
    ("/plan/edit", "plan-edit"),
    ("/plan/diff?from=0&to=1", "plan-diff"),
    ("/plan/setup", "plan-setup"),
)


def sign_in(page: Page, server: Server, name: str, password: str = DEMO_PASSWORD, goto: str = "/") -> None:
    page.goto(f"{server.url}{goto}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def all_drawn(page: Page) -> None:
    page.wait_for_function(PANELS_DONE, timeout=30_000)
    states = page.eval_on_selector_all(".panel", "ps => ps.map(p => p.dataset.state)")
    assert set(states) == {"ready"}, states


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, errors


def test_sign_in_and_every_dashboard_draws_its_charts(page: Page, demo_server: Server) -> None:
    elsewhere: list[str] = []
    page.on(
        "request", lambda r: None if r.url.startswith((demo_server.url, "data:")) else elsewhere.append(r.url)
    )
    page.goto(f"{demo_server.url}/")
    assert "/signin" in page.url
    shot(page, "signin")
    sign_in(page, demo_server, "the-analyst")
    assert "/dashboards/overview" in page.url
    for name, title in DASHBOARDS.items():
        page.goto(f"{demo_server.url}/dashboards/{name}")
        all_drawn(page)
        assert page.locator(".tabs a[aria-current=page]").inner_text() == title
        charts = page.locator(".vega[data-drawn]").count()
        marks = page.locator(
            ".vega svg .mark-rect path, .vega svg .mark-line path, .vega svg .mark-symbol path"
        ).count()
        assert charts == page.locator(".vega").count() and (charts == 0 or marks > 0), name
        shot(page, f"dashboard-{name}")
    page.goto(f"{demo_server.url}/dashboards/overview")
    all_drawn(page)
    tiles = page.locator(".tile .value").all_inner_texts()
    assert len(tiles) >= 5 and all(t.strip() for t in tiles)
    page.hover(".vega svg .mark-symbol path >> nth=5")
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
    assert elsewhere == [], "every script, style and chart comes from the server itself (works offline)"


def test_build_a_funnel_save_it_and_export_csv(page: Page, demo_server: Server) -> None:
    sign_in(page, demo_server, "the-analyst", goto="/insights/new")
    page.select_option("#kind", "funnel")
    steps = page.locator("input[name=steps]")
    steps.nth(0).fill("product_viewed")
    steps.nth(1).fill("product_added")
    page.fill("input[name=breakdown]", "device_type")
    page.click("#builder button[type=submit]")
    all_drawn(page)
    assert "funnel product_viewed → product_added by device_type" in page.locator("#result h2").inner_text()
    shot(page, "builder-funnel")
    with page.expect_download() as downloading:
        page.click("text=Export CSV")
    exported = downloading.value
    assert exported.suggested_filename.endswith(".csv")
    text = open(exported.path(), encoding="utf-8").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["event"] for r in rows} == {"product_viewed", "product_added"}
    assert len({r["breakdown"] for r in rows}) >= 2, "a row per device type and step"
    shown = page.locator("#result tbody tr").count()
    assert shown == len(rows)
    page.fill("input[name=new_dashboard]", "Browser board")
    page.fill("#result ~ form input[name=title]", "Views to carts by device")
    page.click("#result ~ form button[type=submit]")
    page.wait_for_url("**/dashboards/saved/**")
    all_drawn(page)
    assert page.locator(".panel h2", has_text="Views to carts by device").count() == 1
    assert page.locator(".tabs a[aria-current=page]").inner_text() == "Browser board"
    shot(page, "dashboard-saved")


def test_chat_answers_with_a_chart_and_its_sql(page: Page, demo_server: Server) -> None:
    sign_in(page, demo_server, "the-analyst", goto="/chat")
    page.fill("input[name=question]", "new users by channel last 14 days")
    page.click("#ask button[type=submit]")
    answer = page.locator(".bubble.answer").last
    answer.wait_for()
    page.wait_for_function(PANELS_DONE, timeout=30_000)
    assert answer.get_attribute("data-status") == "answered"
    assert answer.locator(".vega svg.marks").count() == 1
    answer.locator("summary", has_text="SQL").click()
    assert "SELECT" in answer.locator("details.sql pre").inner_text()
    page.fill("input[name=question]", "and for mobile?")
    page.click("#ask button[type=submit]")
    page.locator(".bubble.answer").nth(1).wait_for()
    page.wait_for_function(PANELS_DONE, timeout=30_000)
    assert page.locator(".bubble.question").nth(1).inner_text() == "and for mobile?"
    shot(page, "chat")
    page.evaluate("document.getElementById('conversation_id').value = 'gone'")
    page.fill("input[name=question]", "signups yesterday")
    page.click("#ask button[type=submit]")
    page.wait_for_selector("#ask .form-error")
    assert "gone" in page.locator("#ask .form-error").inner_text()
    assert page.input_value("input[name=question]") == "signups yesterday", "a refused question stays typed"


def test_a_viewer_is_kept_from_admin_pages_and_personal_data(page: Page, demo_server: Server) -> None:
    sign_in(page, demo_server, "the-viewer")
    assert page.locator("nav a", has_text="People").count() == 0
    response = page.goto(f"{demo_server.url}/admin/users")
    assert response is not None and response.status == 403
    response = page.goto(f"{demo_server.url}/insights/new?kind=trend&breakdown=email")
    assert response is not None and response.status == 403
    assert "email is personal data" in page.content()
    shot(page, "viewer-refused")
    page.goto(f"{demo_server.url}/chat")
    page.fill("input[name=question]", "show me the email addresses of buyers")
    page.click("#ask button[type=submit]")
    answer = page.locator(".bubble.answer").last
    answer.wait_for()
    assert answer.get_attribute("data-status") == "refused"
    assert page.locator("text=Pin to a dashboard").count() == 0


def test_a_revoked_session_is_signed_out(page: Page, demo_server: Server) -> None:
    cli(demo_server.data_dir, "users", "add", "revoked-one", "--role", "viewer", "--password", DEMO_PASSWORD)
    sign_in(page, demo_server, "revoked-one")
    assert "/dashboards/overview" in page.url
    cli(demo_server.data_dir, "users", "revoke", "revoked-one")
    page.goto(f"{demo_server.url}/dashboards/engagement")
    assert "/signin" in page.url and "next=/dashboards/engagement" in page.url


def test_pages_fit_a_phone(browser: Browser, demo_server: Server) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    try:
        sign_in(phone, demo_server, "the-admin")
        for path, name in PHONE_PAGES:
            phone.goto(f"{demo_server.url}{path}")
            if phone.locator(".panel").count():
                all_drawn(phone)
            overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} is {overflow} px wider than the phone"
            shot(phone, name)
    finally:
        context.close()


def test_screenshots_of_the_other_pages(page: Page, demo_server: Server) -> None:
    sign_in(page, demo_server, "the-admin")
    for path, name in OTHER_PAGES:
        response = page.goto(f"{demo_server.url}{path}")
        assert response is not None and response.status == 200, path
        shot(page, name)
