"""The setup assistant as an owner uses it: events already arrive with messy names and
auto-captured clicks; the interview proposes a plan that maps them; refine, approve; the
plan is deployed, and a click named after the fact counts retroactively."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from server import Server, api_token, bearer, cli, write_key

CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
)
ADD_TO_CART = (
    'button.add-to-cart.btn.css-1k2j3h:text="Add to cart"nth-child="1"nth-of-type="1"'
    'attr__class="btn add-to-cart css-1k2j3h";div.product-card:nth-child="2"nth-of-type="1"'
    'attr__class="product-card";body:nth-child="1"nth-of-type="1"'
)
OTHER_CLICK = (
    'a.nav-link:text="Home"nth-child="1"nth-of-type="1"attr__class="nav-link"href="/";body:nth-child="1"'
)


def track(event: str, properties: dict[str, Any], day: int) -> dict[str, Any]:
    return {
        "type": "track",
        "event": event,
        "properties": properties,
        "anonymousId": f"anon-{day % 3}",
        "messageId": str(uuid.uuid4()),
        "timestamp": f"2024-06-{day:02d}T12:00:00Z",
        "context": {"userAgent": CHROME, "page": {"url": "https://shop.example/p/1"}},
    }


def post(server: Server, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.post(f"{server.url}{path}", timeout=60, **kwargs)


def api(server: Server, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, f"{server.url}{path}", headers=bearer(token), timeout=60, **kwargs)


def test_interview_learns_from_arriving_events_and_deploys_on_approval(server: Server) -> None:
    key = write_key(server.data_dir)
    names = ["AddToCart", "add-to-cart", "Add To Cart", "cart_add"] * 3 + ["Order Completed", "purchase"]
    batch = [track(name, {"product_id": "p1"}, 1 + i % 9) for i, name in enumerate(names)]
    batch += [
        track("$autocapture", {"$event_type": "click", "$elements_chain": ADD_TO_CART}, 1 + i % 9)
        for i in range(25)
    ]
    batch += [
        track("$autocapture", {"$event_type": "click", "$elements_chain": OTHER_CLICK}, 3) for _ in range(4)
    ]
    assert post(server, "/v1/batch", json={"batch": batch}, auth=(key, "")).status_code == 200
    server.wait_loaded()

    owner = api_token(server.data_dir, "owner", "analyst")
    proposals = api(server, "GET", "/api/setup/proposals", owner).json()
    grouped = {g["canonical"]: {v["name"] for v in g["variants"]} for g in proposals["groups"]}
    assert {"AddToCart", "add-to-cart", "Add To Cart", "cart_add"} <= set().union(*grouped.values())
    assert any(c["selector"].startswith("button") and c["text"] == "Add to cart" for c in proposals["clicks"])

    turn = api(server, "POST", "/api/setup/sessions", owner).json()
    session = turn["session_id"]
    assert turn["question"]["id"] == "product_kind"
    assert "events" in turn["question"]["hint"]  # it says what it already sees

    def answer(text: str, status: int = 200) -> dict[str, Any]:
        reply = api(server, "POST", f"/api/setup/sessions/{session}/answer", owner, json={"answer": text})
        assert reply.status_code == status, reply.text
        return reply.json()  # type: ignore[no-any-return]

    refused = answer("a spaceship", status=400)
    assert "E-commerce" in refused["detail"]  # the valid choices are listed
    turn = answer("online store")
    turn = answer("view a product, add to cart, place an order")
    while turn["question"]["kind"] != "review":
        turn = answer("")  # defaults / skip for the remaining questions
    assert "product_added" in turn["preview_text"]
    assert "Questions this data will answer" in turn["preview_text"]
    turn = answer("add property gift_wrap to order_completed as boolean")
    assert "gift_wrap" in turn["preview_text"]
    turn = answer("approve")
    assert turn["question"]["kind"] == "done" and turn["deployed"]["version"] == 1
    assert answer("approve again", status=400)["detail"].startswith("this interview is finished")
    (version,) = api(server, "GET", "/api/plan/versions", owner).json()
    assert version["author"] == "owner", "the plan was approved by the token's owner"

    plan = api(server, "GET", "/api/plan", owner).json()["plan"]
    added = next(e for e in plan["events"] if e["name"] == "product_added")
    assert {"AddToCart", "cart_add"} <= set(added["aliases"]) | {"AddToCart"}
    assert any(p["name"] == "gift_wrap" for e in plan["events"] for p in e["properties"])
    click = next(a for a in plan["actions"] if a.get("text") == "Add to cart")

    # The click named today counts the clicks of last week: actions are retroactive.
    trend = api(
        server,
        "GET",
        "/api/trends",
        owner,
        params={"event": click["name"], "from": "2024-06-01", "to": "2024-06-09"},
    ).json()
    assert sum(row["value"] for row in trend) == 25
    funnel = api(
        server,
        "GET",
        "/api/funnel",
        owner,
        params={"steps": [click["name"], "Order Completed"], "from": "2024-06-01", "to": "2024-06-09"},
    ).json()
    assert funnel[0]["count"] == 3  # three people clicked it

    # New events now arrive clean under the plan.
    late = [track("add-to-cart", {"product_id": "p9"}, 10)]
    post(server, "/v1/batch", json={"batch": late}, auth=(key, ""))
    server.wait_loaded()
    day = api(
        server,
        "GET",
        "/api/trends",
        owner,
        params={"event": "product_added", "from": "2024-06-10", "to": "2024-06-10"},
    ).json()
    assert day[0]["value"] == 1


def test_setup_in_the_terminal_without_a_server(tmp_path: Any) -> None:
    data = tmp_path / "data"
    result = cli(
        data,
        "setup",
        "--answer",
        "2",  # SaaS
        "--answer",
        "all",
        "--answer",
        "admins, members",
        "--answer",
        "",
        "--answer",
        "",
        "--answer",
        "",
        "--answer",
        "drop signed_in",
        "--answer",
        "approve",
    )
    assert "Deployed tracking plan version 1" in result.stdout
    shown = cli(data, "plan", "show").stdout
    assert "name: trial_started" in shown and "name: signed_in" not in shown
