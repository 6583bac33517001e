"""The tracking plan end to end, as a team uses it: deploy a YAML plan from the CLI while
the server runs, send messy events over HTTP, read the quality report, fix the plan,
replay the quarantine, and compare versions."""

from __future__ import annotations

import textwrap
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson

from server import Server, cli, write_key

CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
)
BOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"

PLAN_V1 = textwrap.dedent(
    """
    name: Shop
    product_kind: ecommerce
    events:
      - name: product_added
        aliases: [cart_add]
        properties:
          - {name: product_id, required: true}
          - {name: price, type: number}
      - name: order_completed
        properties:
          - {name: order_id, required: true}
          - {name: revenue, type: number, required: true}
    filters:
      internal_hosts: [staging.shop.example]
    """
)
# Version 2 accepts orders without an order id (the mobile app never sent one).
PLAN_V2 = PLAN_V1.replace("{name: order_id, required: true}", "{name: order_id}")


def message(
    event: str, properties: dict[str, Any], agent: str = CHROME, url: str = "https://shop.example/p"
) -> dict[str, Any]:
    return {
        "type": "track",
        "event": event,
        "properties": properties,
        "anonymousId": "anon-1",
        "messageId": str(uuid.uuid4()),
        "timestamp": "2024-06-03T12:00:00Z",
        "context": {"userAgent": agent, "page": {"url": url}},
    }


def send(server: Server, key: str, batch: list[dict[str, Any]]) -> None:
    answer = httpx.post(f"{server.url}/v1/batch", json={"batch": batch}, auth=(key, ""))
    assert answer.status_code == 200, answer.text


def quality(server: Server) -> dict[str, Any]:
    result = cli(server.data_dir, "quality", "--from", "2024-06-01", "--to", "2024-06-30", "--format", "json")
    report: dict[str, Any] = orjson.loads(result.stdout)
    return report


def test_plan_quarantine_replay_and_quality(server: Server, tmp_path: Path) -> None:
    plan_file = tmp_path / "tracking-plan.yaml"
    plan_file.write_text(PLAN_V1)
    deployed = cli(server.data_dir, "plan", "deploy", str(plan_file), "--note", "first plan")
    assert "deployed version 1" in deployed.stdout and "+ event order_completed" in deployed.stdout

    key = write_key(server.data_dir)
    batch = [
        message("AddToCart", {"product_id": "p1", "price": "12.50"}),
        message("add-to-cart", {"product_id": "p2"}),
        message("cart_add", {"product_id": "p3"}),
        message("Order Completed", {"order_id": "o1", "revenue": 20}),
        message("order_completed", {"revenue": "9.99"}),  # no order id: quarantined under v1
        message("order_completed", {"revenue": 5}),  # same
        message("debug_ping", {}),  # unplanned: stored, flagged
        message("product_added", {"product_id": "p4"}, agent=BOT),
        message("product_added", {"product_id": "p5"}, url="https://staging.shop.example/p"),
    ]
    send(server, key, batch)
    send(server, key, batch[:2])  # a client retry: nothing counted twice
    status = server.wait_loaded()
    assert (
        status["stored"] + status["quarantined"] + status["filtered"] + status["duplicates"]
        == status["received"]
    )

    report = quality(server)
    assert (report["received"], report["stored"], report["quarantined"], report["filtered"]) == (9, 5, 2, 2)
    assert report["received"] == report["stored"] + report["quarantined"] + report["filtered"]
    assert report["filtered_by_reason"] == {"bot": 1, "internal": 1}
    assert report["naming_consistency"] == 0.8  # debug_ping is the 1 unplanned of 5 stored
    assert report["naming_consistency_as_sent"] == round(2 / 7, 6)  # only the two exact order_completed
    assert report["unplanned_events"][0]["event"] == "debug_ping"
    assert report["fixed_by_plan"] == {"renamed": 4, "coerced": 1, "set_aside": 0}
    assert any(
        v["kind"] == "missing_required" and v["outcome"] == "quarantined" for v in report["top_violations"]
    )

    held = orjson.loads(cli(server.data_dir, "quarantine", "list", "--format", "json").stdout)
    assert {row["reason"] for row in held} == {"missing_required"} and len(held) == 2
    assert held[0]["plan_version"] == 1

    orders = httpx.get(
        f"{server.url}/api/trends",
        params={"event": "product_added", "from": "2024-06-03", "to": "2024-06-03"},
        headers=server.as_cli,
    ).json()
    assert sum(row["value"] for row in orders) == 3  # three spellings, one event; bot and staff filtered

    plan_file.write_text(PLAN_V2)
    preview = cli(server.data_dir, "plan", "diff", str(plan_file))
    assert "~ order_completed.order_id: required true → false" in preview.stdout
    cli(server.data_dir, "plan", "deploy", str(plan_file), "--note", "order id optional")
    replayed = cli(server.data_dir, "quarantine", "replay")
    assert "replayed 2 under plan version 2: 2 stored, 0 filtered, 0 still quarantined" in replayed.stdout
    again = cli(server.data_dir, "quarantine", "replay")
    assert "replayed 0" in again.stdout

    report = quality(server)
    assert (report["received"], report["stored"], report["quarantined"], report["filtered"]) == (9, 7, 0, 2)
    assert report["quarantine_size"] == 0

    versions = orjson.loads(cli(server.data_dir, "plan", "versions", "--format", "json").stdout)
    assert [(v["version"], v["note"]) for v in versions] == [(1, "first plan"), (2, "order id optional")]
    diff = cli(server.data_dir, "plan", "diff", "--from", "1", "--to", "2").stdout
    assert "order_completed.order_id: required true → false" in diff
    shown = cli(server.data_dir, "plan", "show").stdout
    assert "order_completed" in shown and "cart_add" in shown


def test_bad_plan_files_are_refused_with_the_place_of_each_problem(server: Server, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "events:\n  - name: order_completed\n    properties:\n      - {name: revenue, type: money}\n"
    )
    result = cli(server.data_dir, "plan", "deploy", str(bad), check=False)
    assert result.returncode == 2
    assert "events[0] (order_completed).properties[0] (revenue).type" in result.stderr
    camel = tmp_path / "camel.yaml"
    camel.write_text("events:\n  - name: orderCompleted\n")
    result = cli(server.data_dir, "plan", "deploy", str(camel), check=False)
    assert result.returncode == 2 and "does not follow snake_case" in result.stderr
    assert cli(server.data_dir, "plan", "versions", "--format", "json").stdout.strip() == "[]"


def test_check_says_what_the_plan_would_do_without_storing(server: Server, tmp_path: Path) -> None:
    plan_file = tmp_path / "tracking-plan.yaml"
    plan_file.write_text(PLAN_V1)
    cli(server.data_dir, "plan", "deploy", str(plan_file))
    batch = [
        message("order_completed", {"order_id": "o1", "revenue": 20}),
        message("AddToCart", {"product_id": "p1"}),
        message("product_added", {"product_id": "p2", "price": "12.50"}),
        message("order_completed", {"revenue": 5}),
        message("product_added", {"product_id": "p4"}, agent=BOT),
    ]
    answer = httpx.post(
        f"{server.url}/api/plan/check",
        json={"batch": batch, "writeKey": write_key(server.data_dir)},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    verdicts = answer.json()
    assert [(v["verdict"], v["event"], v["sent_as"]) for v in verdicts] == [
        ("clean", "order_completed", "order_completed"),
        ("renamed", "product_added", "AddToCart"),
        ("clean", "product_added", "product_added"),
        ("quarantined", "order_completed", "order_completed"),
        ("filtered", "product_added", "product_added"),
    ]
    assert verdicts[2]["converted"] == ["price"]
    assert verdicts[3]["reason"] == "missing_required" and verdicts[4]["reason"] == "bot"
    assert {v["plan_version"] for v in verdicts} == {1}
    assert server.wait_loaded()["received"] == 0  # nothing was stored
    bad = httpx.post(f"{server.url}/api/plan/check", json={"batch": batch, "writeKey": "nope"}, timeout=30)
    assert bad.status_code == 401
