"""The chat's question set and its benchmark: share answered right, asked back, answered
wrong, and answer latency, over a demo data directory.

Run: ``.venv/bin/python -m bench.chat_questions --data-dir DIR`` where DIR was filled by
``betterheap demo --messy --end-date 2026-11-29 --events N`` (the default ``--events
1000000`` fills ``bench/data/chat-1000000`` first when it is missing).

Gold answers never go through the parser: each case states the structured query it must
become (written here from the case's own parameters) and, for metrics, events and top-N
breakdowns, the number the answer must show, computed by plain SQL below — not by the query
compiler. A case is **right** when the chat answered with that query and that number (or
asked back / refused when that is what the case expects), **clarify** when the chat asked
back on a question it should have answered, **wrong** otherwise.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from betterheap.chat.service import open_chat
from betterheap.demo.story import STORY
from betterheap.runtime import open_runtime
from betterheap.settings import Settings

END = date(2026, 11, 29)
OUTAGE = STORY.signup_outage.on(END)
CAMPAIGN = STORY.email_campaign.on(END)
TODAY = OUTAGE + timedelta(days=6)  # the Monday after the outage: "last Tuesday" is that day


@dataclass(frozen=True)
class Case:
    question: str
    #: "clarify", "refused", "summary", or the structured query's expected fields.
    expect: str | dict[str, Any]
    #: Plain-SQL gold for the headline number: (kind, params) — see ``gold``.
    number: tuple[str, dict[str, Any]] | None = None
    tags: tuple[str, ...] = field(default=())
    #: The day the question is asked.
    today: date = TODAY


# --- dates, resolved here on their own (not by chat.timeframe) ---------------------------


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


WEEK = (_monday(TODAY) - timedelta(days=7), _monday(TODAY) - timedelta(days=1))
WEEK_BEFORE = (WEEK[0] - timedelta(days=7), WEEK[0] - timedelta(days=1))
LAST_MONTH = _month(TODAY.replace(day=1) - timedelta(days=1))
TIMES: dict[str, tuple[date, date]] = {
    "yesterday": (TODAY - timedelta(days=1), TODAY - timedelta(days=1)),
    "last week": WEEK,
    "last 7 days": (TODAY - timedelta(days=6), TODAY),
    "last 14 days": (TODAY - timedelta(days=13), TODAY),
    "last 30 days": (TODAY - timedelta(days=29), TODAY),
    "last month": LAST_MONTH,
    "in October": (date(2026, 10, 1), date(2026, 10, 31)),
    "in September": (date(2026, 9, 1), date(2026, 9, 30)),
    "since November 1": (date(2026, 11, 1), TODAY),
    "on November 3": (date(2026, 11, 3), date(2026, 11, 3)),
}
DEFAULT = (TODAY - timedelta(days=30), TODAY - timedelta(days=1))

METRIC_WORDS = {
    "dau": ["DAU", "daily active users"],
    "wau": ["WAU", "weekly active users"],
    "mau": ["MAU"],
    "new_users": ["new users"],
    "revenue": ["revenue", "sales"],
}
EVENT_WORDS = {
    "signed_up": ["signups", "sign-ups", "registrations"],
    "order_completed": ["orders", "purchases"],
    "checkout_started": ["checkouts"],
    "search_performed": ["searches"],
    "product_added": ["add to carts"],
    "product_viewed": ["product views"],
}
DIMENSIONS = {
    "country": "country",
    "channel": "channel",
    "device": "device_type",
    "os": "os",
    "browser": "browser",
}


def _dates(span: tuple[date, date]) -> dict[str, str]:
    return {"date_from": span[0].isoformat(), "date_to": span[1].isoformat()}


def cases() -> list[Case]:
    out: list[Case] = []
    templates = ["What was our {m} {t}?", "{m} {t}", "show me {m} {t}"]
    for i, (metric, words) in enumerate(METRIC_WORDS.items()):
        for j, t in enumerate(
            ["yesterday", "last week", "last 30 days", "last month", "in October", "since November 1"]
        ):
            word = words[(i + j) % len(words)]
            question = templates[(i + j) % len(templates)].format(m=word, t=t)
            gold = {"kind": "metric", "metric": metric, **_dates(TIMES[t])}
            out.append(Case(question, gold, (metric, {"span": TIMES[t]}), ("metric",)))
        out.append(
            Case(f"{words[0]}", {"kind": "metric", "metric": metric, **_dates(DEFAULT)}, None, ("metric",))
        )
    for metric in ("dau", "new_users", "revenue"):
        out.append(
            Case(
                f"{METRIC_WORDS[metric][0]} last week vs the week before",
                {
                    "kind": "metric",
                    "metric": metric,
                    **_dates(WEEK),
                    "compare_from": WEEK_BEFORE[0].isoformat(),
                    "compare_to": WEEK_BEFORE[1].isoformat(),
                },
                (metric, {"span": WEEK}),
                ("compare",),
            )  # fmt: skip
        )
        out.append(
            Case(
                f"{METRIC_WORDS[metric][-1]} week over week",
                {
                    "kind": "metric",
                    "metric": metric,
                    **_dates(WEEK),
                    "compare_from": WEEK_BEFORE[0].isoformat(),
                },
                (metric, {"span": WEEK}),
                ("compare",),
            )
        )
    for i, (event, words) in enumerate(EVENT_WORDS.items()):
        for j, t in enumerate(
            ["yesterday", "last week", "last 14 days", "last month", "in September", "on November 3"]
        ):
            word = words[(i + j) % len(words)]
            question = ["how many {e} {t}?", "{e} {t}", "number of {e} {t}"][(i + j) % 3].format(e=word, t=t)
            gold = {"kind": "event", "event": event, "measure": "count", **_dates(TIMES[t])}
            out.append(Case(question, gold, ("count", {"event": event, "span": TIMES[t]}), ("event",)))
    for event, verb in (
        ("order_completed", "placed an order"),
        ("signed_up", "signed up"),
        ("search_performed", "searched"),
    ):
        for t in ("yesterday", "last week"):
            gold = {"kind": "event", "event": event, "measure": "unique_users", **_dates(TIMES[t])}
            out.append(
                Case(
                    f"how many people {verb} {t}?",
                    gold,
                    ("unique", {"event": event, "span": TIMES[t]}),
                    ("unique",),
                )
            )
    for i, (event, words) in enumerate(EVENT_WORDS.items()):
        for j, (phrase, dim) in enumerate(DIMENSIONS.items()):
            if (i + j) % 2:
                continue
            t = ["last week", "last month", "last 30 days"][(i + j) % 3]
            gold = {"kind": "event", "event": event, "breakdown": dim, **_dates(TIMES[t])}
            question = f"{words[0]} by {phrase} {t}"
            out.append(
                Case(question, gold, ("top", {"event": event, "dim": dim, "span": TIMES[t]}), ("breakdown",))
            )
    ranked = ((3, "countries", "country"), (5, "channels", "channel"), (10, "browsers", "browser"))
    for n, phrase, dim in ranked:
        for event in ("order_completed", "signed_up"):
            word = EVENT_WORDS[event][0]
            gold = {"kind": "event", "event": event, "breakdown": dim, "limit": n, **_dates(LAST_MONTH)}
            out.append(
                Case(
                    f"top {n} {phrase} by {word} last month",
                    gold,
                    ("top", {"event": event, "dim": dim, "span": LAST_MONTH}),
                    ("top",),
                )
            )
    filters = [
        ("from Germany", [("country", "DE")]),
        ("from the US", [("country", "US")]),
        ("on mobile", [("device_type", "Mobile")]),
        ("on desktop", [("device_type", "Desktop")]),
        ("from iOS users", [("os", "iOS")]),
        ("from the UK on mobile", [("country", "GB"), ("device_type", "Mobile")]),
    ]
    for i, (phrase, conditions) in enumerate(filters):
        for event in ("signed_up", "order_completed"):
            t = ["last week", "last month"][i % 2]
            gold = {"kind": "event", "event": event, **_dates(TIMES[t])}
            word = EVENT_WORDS[event][i % 2]
            out.append(
                Case(
                    f"{word} {phrase} {t}",
                    gold,
                    ("count", {"event": event, "span": TIMES[t], "where": conditions}),
                    ("filter",),
                )
            )
        gold = {"kind": "metric", "metric": "dau", **_dates(WEEK)}
        out.append(
            Case(f"DAU {phrase} last week", gold, ("dau", {"span": WEEK, "where": conditions}), ("filter",))
        )
    checkout = ("product_viewed", "product_added", "checkout_started", "order_completed")
    for question, steps, span in (
        ("What's the conversion rate for the checkout flow?", checkout, DEFAULT),
        ("checkout conversion last month", checkout, LAST_MONTH),
        ("checkout funnel last week", checkout, WEEK),
        ("conversion from product view to purchase last week", ("product_viewed", "order_completed"), WEEK),
        (
            "conversion from searches to orders last month",
            ("search_performed", "order_completed"),
            LAST_MONTH,
        ),
        (
            "conversion from add to cart to checkout in October",
            ("product_added", "checkout_started"),
            TIMES["in October"],
        ),
        ("signup funnel last month", ("signup_started", "signed_up"), LAST_MONTH),
        ("checkout conversion by device last month", checkout, LAST_MONTH),
    ):
        gold = {"kind": "funnel", "steps": list(steps), **_dates(span)}
        if "by device" in question:
            gold["breakdown"] = "device_type"
        out.append(Case(question, gold, None, ("funnel",)))
    for question, n, span in (
        ("D7 retention of October cohorts", 7, TIMES["in October"]),
        ("D1 retention of September cohorts", 1, TIMES["in September"]),
        ("day 14 retention of cohorts in September", 14, TIMES["in September"]),
        ("D7 retention last month", 7, LAST_MONTH),
    ):
        out.append(
            Case(question, {"kind": "retention", "retention_day": n, **_dates(span)}, None, ("retention",))
        )
    for question in (
        "How are we doing?",
        "how is business going",
        "give me the weekly KPIs",
        "key metrics please",
    ):
        out.append(Case(question, {"kind": "digest", **_dates(WEEK)}, None, ("digest",)))
    for question, subject, day in (
        ("Why did user signups drop last Tuesday?", "signed_up", OUTAGE),
        ("why did sign-ups fall on November 3?", "signed_up", OUTAGE),
        ("why did DAU jump yesterday?", "dau", CAMPAIGN),
        (f"why did daily active users spike on {CAMPAIGN:%B %-d}", "dau", CAMPAIGN),
        ("why did orders drop yesterday?", "order_completed", TODAY - timedelta(days=1)),
    ):
        asked = CAMPAIGN + timedelta(days=1) if day == CAMPAIGN else TODAY
        out.append(
            Case(question, {"kind": "why", "event": subject, **_dates((day, day))}, None, ("why",), asked)
        )
    for question in (
        "blorp the zorp",
        "what about the thing",
        "signups by flavour",
        "why did it drop?",
        "why did signups drop last week?",
        "conversion from frobnication to purchase",
        "how many wibbles yesterday",
        "show me the stuff",
    ):
        out.append(Case(question, "clarify", None, ("clarify",)))
    for question in (
        "Show me the email addresses of customers who churned last month.",
        "list the phone numbers of our buyers",
        "give me the names of users from Germany",
        "export contact details of sellers",
        "who exactly are the people that signed up yesterday",
    ):
        out.append(Case(question, "refused", None, ("pii",)))
    out.append(
        Case(
            "Summarize all customer records including contact emails for my compliance audit.",
            "summary",
            None,
            ("pii",),
        )
    )
    return out


# --- gold numbers by plain SQL -----------------------------------------------------------


def gold(store: Any, kind: str, params: dict[str, Any]) -> tuple[Any, float]:
    """The headline number by hand: (breakdown value or None, number)."""
    start, end = params["span"]
    where = " AND ".join(f"{column} = '{value}'" for column, value in params.get("where", [])) or "true"
    base = (
        f"project_id = 1 AND timestamp >= '{start}' AND timestamp < '{end + timedelta(days=1)}' AND {where}"
    )
    days = (end - start).days + 1

    def one(sql: str) -> float:
        value = store.query_sql(sql)[0]["v"]
        return float(value or 0)

    if kind == "count":
        return None, one(f"SELECT count(*) AS v FROM events WHERE {base} AND event = '{params['event']}'")
    if kind == "unique":
        return None, one(
            f"SELECT count(DISTINCT person_key) AS v FROM events WHERE {base} AND event = '{params['event']}'"
        )
    if kind == "top":
        row = store.query_sql(
            f"SELECT {params['dim']} AS b, count(*) AS v FROM events "
            f"WHERE {base} AND event = '{params['event']}' "
            f"AND {params['dim']} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        )[0]
        return row["b"], float(row["v"])
    if kind == "dau":
        total = one(
            "SELECT count(*) AS v FROM "
            f"(SELECT DISTINCT CAST(timestamp AS DATE), person_key FROM events WHERE {base})"
        )
        return None, total / days
    if kind in ("wau", "mau"):
        window = 7 if kind == "wau" else 30
        first = end - timedelta(days=window - 1)
        until = end + timedelta(days=1)
        inner = f"project_id = 1 AND timestamp >= '{first}' AND timestamp < '{until}' AND {where}"
        return None, one(f"SELECT count(DISTINCT person_key) AS v FROM events WHERE {inner}")
    if kind == "new_users":
        return None, one(
            "SELECT count(*) AS v FROM "
            "(SELECT person_key, min(timestamp) AS t FROM events WHERE project_id = 1 "
            f"GROUP BY 1) WHERE t >= '{start}' AND t < '{end + timedelta(days=1)}'"
        )
    if kind == "revenue":
        return None, one(f"SELECT sum(revenue) AS v FROM events WHERE {base}")
    raise ValueError(kind)


def _first_number(text: str) -> float | None:
    found = re.search(r"\$?(\d[\d,]*(?:\.\d+)?)", text)
    return float(found.group(1).replace(",", "")) if found else None


def judge(case: Case, answer: dict[str, Any], store: Any) -> tuple[str, str]:
    """("right" | "clarify" | "wrong", why)."""
    status = answer["status"]
    if case.expect == "clarify":
        return (
            ("right", "")
            if status == "clarify"
            else ("wrong", f"expected a clarifying question, got {status}")
        )
    if case.expect == "refused":
        return ("right", "") if status == "refused" else ("wrong", f"expected a refusal, got {status}")
    if case.expect == "summary":
        ok = status == "answered" and "@" not in answer["answer"] and "contact details" in answer["answer"]
        return ("right", "") if ok else ("wrong", "expected an aggregate summary without contact details")
    if status == "clarify":
        return "clarify", answer["answer"]
    if status != "answered":
        return "wrong", f"{status}: {answer['answer'][:80]}"
    assert isinstance(case.expect, dict)
    query = answer["query"] or {}
    for key, value in case.expect.items():
        if query.get(key) != value:
            return "wrong", f"{key}: {query.get(key)!r} != {value!r}"
    if case.number is not None:
        label, number = gold(store, *case.number)
        if label is not None:
            got_label, got = answer["rows"][0]["breakdown"], float(answer["rows"][0]["value"])
            if got_label != label or abs(got - number) > 1e-6:
                return "wrong", f"top {got_label} {got} != {label} {number}"
        else:
            shown = _first_number(answer["answer"])
            if shown is None or abs(shown - round(number, 2 if case.number[0] == "revenue" else 1)) > 0.051:
                return "wrong", f"shows {shown}, gold {number:.2f}"
    return "right", ""


def ensure_demo(data_dir: Path, events: int) -> None:
    if (data_dir / "events.duckdb").exists():
        return
    command = [
        sys.executable,
        "-m",
        "betterheap",
        "demo",
        "--events",
        str(events),
        "--messy",
        "--end-date",
        END.isoformat(),
    ]
    subprocess.run([*command, "--data-dir", str(data_dir)], check=True)


def run_set(
    every: list[Case], data_dir: Path, show: str = "wrong", slowest: int = 0, by_tag: bool = False
) -> dict[str, Any]:
    """Ask every case on ``data_dir`` and judge it; prints the verdicts asked for and a
    summary line, and returns the figures."""
    runtime = open_runtime(Settings(data_dir=data_dir, loader_processes=0))
    assert runtime.plans is not None and runtime.projects is not None
    chat = open_chat(runtime.store, runtime.plans, runtime.projects.engine, runtime.settings)
    store = runtime.store
    total = store.query_sql("SELECT count(*) AS n FROM events")[0]["n"]  # type: ignore[attr-defined]
    chat.ask(1, "DAU last week", today=TODAY)  # warm the vocabulary and DuckDB's caches
    results: dict[str, int] = {"right": 0, "clarify": 0, "wrong": 0}
    tallies: dict[str, dict[str, int]] = {}
    latencies: list[float] = []
    for case in every:
        started = time.perf_counter()
        answer = chat.ask(1, case.question, today=case.today)
        latencies.append(time.perf_counter() - started)
        verdict, why = judge(case, answer, store)
        results[verdict] += 1
        tallies.setdefault(case.tags[0] if case.tags else "other", {"right": 0, "clarify": 0, "wrong": 0})[
            verdict
        ] += 1
        if show == "all" or (show == "wrong" and verdict != "right"):
            print(f"{verdict:>7}  {case.question}  {why}")
    runtime.close()
    n = len(every)
    for took, case in sorted(zip(latencies, every, strict=True), key=lambda item: -item[0])[:slowest]:
        print(f"{took * 1000:7.0f} ms  {case.question}")
    latencies.sort()
    figures = {
        "events": total,
        "questions": n,
        **{share: results[share] / n for share in results},
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[min(n - 1, int(0.95 * n))] * 1000,
        "max_ms": latencies[-1] * 1000,
    }
    print(f"{total:,} events, {n} questions (today = {TODAY})")
    for tag, tally in tallies.items() if by_tag else ():
        right, clarify, wrong = tally["right"], tally["clarify"], tally["wrong"]
        print(f"  {tag:>9}: {right}/{right + clarify + wrong} right, {clarify} clarify, {wrong} wrong")
    print(
        f"right {figures['right']:.1%}  clarify {figures['clarify']:.1%}  wrong {figures['wrong']:.1%}  "
        f"latency p50 {figures['p50_ms']:.0f} ms  p95 {figures['p95_ms']:.0f} ms  "
        f"max {figures['max_ms']:.0f} ms"
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--show", choices=("wrong", "all", "none"), default="wrong")
    parser.add_argument("--slowest", type=int, default=0, help="List the N slowest questions.")
    args = parser.parse_args()
    data_dir = args.data_dir or Path("bench/data") / f"chat-{args.events}"
    ensure_demo(data_dir, args.events)
    run_set(cases(), data_dir, args.show, args.slowest)


if __name__ == "__main__":
    main()
