"""The Chrome extension loaded unpacked in real Chromium, against a real server and a site
with the tracking script: the setup chat completes an interview and deploys the plan, a
picked element becomes an action whose retroactive count matches the clicks made, and the
debugger shows the page's events with the plan's verdicts. Screenshots of the three panels
are saved under test-artifacts/browser/."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, expect

from conftest import ARGS, ARTIFACTS, CHROMIUM, Site, install_snippet, wait_stored
from server import Server, api_token

EXTENSION = Path(__file__).resolve().parents[2] / "extension"
PICKER = EXTENSION / "build" / "picker.js"
#: A desktop browser's user agent: the plan's bot filter drops HeadlessChrome's events. Set
#: by Chromium's own switch: Playwright's override is gone in a page's pagehide handler.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
)
SHOP = """
<header><a class="nav-link" href="#home">Home</a></header>
<main>
  <div class="product-card">
    <h1>Walnut desk</h1>
    <button class="add-to-cart btn css-1x2y3z"><span class="icon">+</span> Add to cart</button>
    <button class="wishlist btn">Save for later</button>
  </div>
  <input type="password" id="pw" name="password">
</main>
"""

if not PICKER.exists():
    pytest.skip(
        "the extension's picker is not built (extension/build/picker.js): run `make install`",
        allow_module_level=True,
    )


@pytest.fixture
def chromium_with_extension(playwright: Playwright) -> Iterator[BrowserContext]:
    with tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            viewport={"width": 1100, "height": 800},
            args=[
                *ARGS,
                f"--disable-extensions-except={EXTENSION}",
                f"--load-extension={EXTENSION}",
                f"--user-agent={USER_AGENT}",
            ],
        )
        try:
            yield context
        finally:
            context.close()


class Panel:
    """The extension's panel, opened as a page that works on the tab of ``site_page``."""

    def __init__(self, context: BrowserContext, site_page: Page) -> None:
        worker = (
            context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
        )
        self.origin = "/".join(worker.url.split("/")[:3])
        self.page = context.new_page()
        self.page.set_viewport_size({"width": 420, "height": 900})
        self.page.goto(f"{self.origin}/panel.html")
        tab_id = self.page.evaluate(
            """async (url) => (await chrome.tabs.query({})).find((tab) => tab.url.startsWith(url)).id""",
            site_page.url,
        )
        self.page.goto(f"{self.origin}/panel.html?tab={tab_id}")

    def connect(self, server: Server, token: str) -> None:
        self.page.fill("#connect input[name=server]", server.url)
        self.page.fill("#connect input[name=token]", token)
        self.page.click("#connect button[type=submit]")
        expect(self.page.locator("#connection")).to_contain_text("plan v")

    def tab(self, name: str) -> None:
        self.page.click(f"nav [data-tab={name}]")

    def screenshot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def shop(site: Site, server: Server, page: Page) -> None:
    page.goto(site.page("shop.html", SHOP, head=install_snippet(server)))
    page.wait_for_function("window.betterheap && window.betterheap.VERSION")


def get(server: Server, path: str, **params: Any) -> Any:
    answer = httpx.get(f"{server.url}{path}", params=params, headers=server.as_cli, timeout=30)
    answer.raise_for_status()
    return answer.json()


def test_the_setup_chat_completes_an_interview_and_deploys_the_plan(
    chromium_with_extension: BrowserContext, server: Server, site: Site
) -> None:
    site_page = chromium_with_extension.new_page()
    shop(site, server, site_page)
    panel = Panel(chromium_with_extension, site_page)
    ui = panel.page

    ui.fill("#connect input[name=server]", server.url)
    ui.fill("#connect input[name=token]", "bh_not-a-token")
    ui.click("#connect button[type=submit]")
    expect(ui.locator("#connect-error")).to_contain_text("this API token is unknown or was revoked")
    ui.fill("#connect input[name=token]", api_token(server.data_dir, "vera", "viewer"))
    ui.click("#connect button[type=submit]")
    expect(ui.locator("#connect-error")).to_contain_text("needs the analyst role or above; vera is viewer")
    expect(ui.locator("#connection")).to_have_text("not connected")
    panel.connect(server, api_token(server.data_dir, "owner", "analyst"))
    expect(ui.locator("#connection")).to_contain_text("plan v0")

    ui.click("#setup-start")
    expect(ui.locator(".bubble.assistant").last).to_contain_text("What kind of product")
    ui.click(".options button:has-text('E-commerce store')")
    expect(ui.locator(".bubble.assistant").last).to_contain_text("Which user actions matter most")
    ui.click(".multi button:has-text('All')")
    ui.click(".multi button[type=submit]")
    expect(ui.locator(".bubble.assistant").last).to_contain_text("Which types of users")
    ui.click(".reply button:has-text('Skip')")
    expect(ui.locator(".bubble.assistant").last).to_contain_text("steps of your checkout")
    ui.fill("#setup-answer", "cart, shipping, payment")
    ui.click(".reply button[type=submit]")
    expect(ui.locator(".bubble.assistant").last).to_contain_text("payment methods")
    ui.click(".reply button:has-text('Skip')")
    expect(ui.locator(".review").last).to_contain_text("product_viewed")
    ui.fill("#setup-answer", "rename product_viewed to product_seen")
    ui.click(".reply button[type=submit]")
    expect(ui.locator(".review").last).to_contain_text("product_seen")
    ui.fill("#setup-answer", "rename nothing_like_this to x")
    ui.click(".reply button[type=submit]")
    expect(ui.locator(".bubble.error").last).to_contain_text("nothing_like_this")
    ui.click("#setup-approve")
    expect(ui.locator(".bubble.done")).to_contain_text("Deployed as tracking plan version 1")
    expect(ui.locator("#setup-start")).to_have_text("Start a new interview")
    panel.screenshot("extension-setup.png")

    deployed = get(server, "/api/plan")
    assert deployed["version"] == 1
    names = {event["name"] for event in deployed["plan"]["events"]}
    assert {"product_seen", "product_added", "order_completed", "checkout_step_completed"} <= names
    assert "product_viewed" not in names


def test_a_picked_element_becomes_an_event_counting_the_clicks_already_made(
    chromium_with_extension: BrowserContext, server: Server, site: Site
) -> None:
    site_page = chromium_with_extension.new_page()
    shop(site, server, site_page)
    for _ in range(2):
        site_page.click("button.add-to-cart")
        site_page.wait_for_timeout(400)  # apart, or three would be a rage click
    site_page.click("button.add-to-cart .icon")  # on the icon inside: still the button
    site_page.click("button.wishlist")
    site_page.wait_for_function("!JSON.parse(localStorage.getItem('bh_queue') || '[]').length")
    wait_stored(server, 5)  # the page view and four clicks

    panel = Panel(chromium_with_extension, site_page)
    ui = panel.page
    panel.connect(server, api_token(server.data_dir, "owner", "analyst"))
    panel.tab("label")
    expect(ui.locator("#label-named")).to_contain_text("None yet")

    # A password field is never captured, and clicks on a heading are not recorded: no
    # count could ever match them, and the panel says so.
    ui.click("#label-pick")
    expect(ui.locator("#label-pick")).to_have_text("Cancel")
    site_page.click("#pw")
    expect(ui.locator("#label-status")).to_contain_text("never records this element")
    ui.click("#label-pick")
    site_page.click("h1")
    expect(ui.locator("#label-status")).to_contain_text("does not record clicks on this element")

    ui.click("#label-pick")
    expect(ui.locator("#label-pick")).to_have_text("Cancel")
    site_page.hover("button.add-to-cart")
    site_page.click("button.add-to-cart")
    expect(ui.locator("#label-name")).to_have_value("add_to_cart_clicked")
    expect(ui.locator("#label-selector")).to_have_value("button.add-to-cart.btn")
    expect(ui.locator("#label-clicks")).to_have_text("3")
    expect(ui.locator("#label-people")).to_have_text("1")
    # The picking click itself never reached the page's tracking script.
    site_page.wait_for_timeout(1500)
    assert server.wait_loaded()["stored"] == 5

    # Each condition recounts: the button's text, and pages the clicks were not on.
    expect(ui.locator("#label-text")).to_have_value("+ Add to cart")
    ui.check("#label-on-page")
    ui.fill("#label-url", f"{site.url}/checkout*")
    expect(ui.locator("#label-clicks")).to_have_text("0")
    ui.fill("#label-url", f"{site.url}/shop*")
    expect(ui.locator("#label-clicks")).to_have_text("3")
    ui.uncheck("#label-on-page")
    ui.fill("#label-description", "Added a product to the cart from its card")
    ui.click("#label-save")
    expect(ui.locator("#label-message")).to_contain_text(
        "Saved add_to_cart_clicked in tracking plan version 1"
    )
    expect(ui.locator("#connection")).to_contain_text("plan v1")
    named = ui.locator("#label-named tr", has_text="add_to_cart_clicked")
    expect(named.locator("td.num")).to_have_text("3")
    panel.screenshot("extension-label.png")

    plan = get(server, "/api/plan")["plan"]
    assert plan["actions"] == [
        {
            "name": "add_to_cart_clicked",
            "description": "Added a product to the cart from its card",
            "selector": "button.add-to-cart.btn",
            "text": "+ Add to cart",
            "url": None,
        }
    ]
    trend = get(server, "/api/trends", event="add_to_cart_clicked")
    assert sum(row["value"] for row in trend) == 3

    # The same button picked again is already counted, under its new name.
    ui.click("#label-pick")
    site_page.click("button.add-to-cart")
    expect(ui.locator("#label-message")).to_contain_text("Already counted by add_to_cart_clicked")
    expect(ui.locator("#label-name")).not_to_have_value("add_to_cart_clicked")


def test_the_debugger_shows_the_pages_events_with_the_plans_verdicts(
    chromium_with_extension: BrowserContext, server: Server, site: Site
) -> None:
    plan = {
        "events": [
            {
                "name": "product_added",
                "aliases": ["AddToCart"],
                "properties": [{"name": "product_id", "required": True}],
            },
            {
                "name": "order_completed",
                "properties": [{"name": "revenue", "type": "number", "required": True}],
            },
        ],
        "policies": {"unplanned_event": "flag"},
    }
    httpx.post(
        f"{server.url}/api/plan", json={"plan": plan}, headers=server.as_cli, timeout=30
    ).raise_for_status()
    site_page = chromium_with_extension.new_page()
    site_page.goto(site.page("blank.html", "<p>loading</p>"))
    panel = Panel(chromium_with_extension, site_page)
    ui = panel.page
    panel.connect(server, api_token(server.data_dir, "owner", "analyst"))
    panel.tab("debug")

    shop(site, server, site_page)
    site_page.evaluate(
        """() => {
            betterheap.track("product_added", {product_id: "p1"});
            betterheap.track("AddToCart", {product_id: "p2"});
            betterheap.track("order_completed", {revenue: "12.50"});
            betterheap.track("order_completed", {});
            betterheap.track("newsletter_joined", {});
        }"""
    )
    site_page.click("button.wishlist")

    events = ui.locator("#debug-events > li")
    expect(events).to_have_count(7)
    verdicts = {(row.get_attribute("data-event"), row.get_attribute("data-verdict")) for row in events.all()}
    assert {
        ("product_added", "clean"),
        ("product_added", "renamed"),
        ("order_completed", "clean"),
        ("order_completed", "quarantined"),
        ("newsletter_joined", "flagged"),
        ("$autocapture", "clean"),
    } <= verdicts
    held = ui.locator("#debug-events > li[data-verdict=quarantined]")
    expect(held).to_contain_text("order_completed needs revenue")
    expect(ui.locator("#debug-events > li[data-verdict=renamed]")).to_contain_text("AddToCart")
    expect(ui.locator("#debug-events > li", has_text="converted: revenue")).to_have_count(1)
    expect(ui.locator("#debug-events > li[data-event=newsletter_joined]")).to_contain_text(
        "not in the tracking plan"
    )
    expect(ui.locator("#debug-summary")).to_contain_text("quarantined 1")
    panel.screenshot("extension-debugger.png")

    # What leaves by beacon as the page goes away is shown too.
    site_page.evaluate("betterheap.track('checkout_started', {})")
    site_page.goto(f"{site.url}/blank.html")
    left = ui.locator("#debug-events > li[data-event='$pageleave']")
    expect(left).to_contain_text("beacon")
    expect(ui.locator("#debug-events > li[data-event=checkout_started]")).to_contain_text("beacon")

    # The debugger only looks: what the page sent is stored (or held) once, by the server.
    wait_stored(server, 8)
