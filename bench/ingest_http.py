"""Sustained ingestion throughput over HTTP, end to end.

Starts ``betterheap serve`` on a fresh data directory, sends Segment batches from several
client connections (bodies built before the clock starts), and reports:
- acknowledged events/s: 2xx answers, i.e. events fsynced to the spool;
- stored events/s: until the loader has put every event into DuckDB.

Run: ``.venv/bin/python -m bench.ingest_http [--events 500000] [--batch 500] [--clients 4] [--plan|--messy]``

With ``--plan`` the server has the demo marketplace's tracking plan deployed and the bodies
are the messy demo (naming variants, mistyped values, bots, internal traffic, duplicates,
auto-captured clicks), so every event goes through the whole plan: filter, rename, coerce,
validate, enrich, scrub, route. ``--messy`` sends the same bodies with no plan deployed,
for comparison.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from betterheap.demo import generate  # noqa: E402
from betterheap.demo.plan import MARKETPLACE_PLAN  # noqa: E402
from betterheap.taxonomy.plan_file import plan_to_yaml  # noqa: E402
from server import cli, start_server, write_key  # noqa: E402


def make_bodies(events: int, batch: int) -> list[bytes]:
    bodies = []
    ua = (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Safari/605.1.15"
    )
    for b in range(events // batch):
        messages = [
            {
                "type": "track",
                "event": "product_viewed",
                "anonymousId": f"anon-{(b * batch + i) % 50000}",
                "messageId": str(uuid.uuid4()),
                "timestamp": "2024-05-01T12:00:00.000Z",
                "properties": {"product_id": f"p{i}", "price": 12.5, "category": "ceramics"},
                "context": {
                    "userAgent": ua,
                    "location": {"country": "DE"},
                    "page": {"url": "https://shop.test/p/1", "referrer": "https://www.google.com/"},
                },
            }
            for i in range(batch)
        ]
        bodies.append(json.dumps({"batch": messages, "sentAt": "2024-05-01T12:00:01.000Z"}).encode())
    return bodies


def messy_bodies(events: int, batch: int) -> tuple[list[bytes], int]:
    """The messy demo as request bodies (``sentAt`` dropped: historic timestamps stand)."""
    bodies = []
    sent = 0
    for payload in generate(events=events, seed=7, batch_size=batch, messy=True):
        payload.pop("sentAt", None)
        sent += len(payload["batch"])
        bodies.append(json.dumps(payload).encode())
    return bodies, sent


def run_once(
    events: int, batch: int, clients: int, plan: bool = False, messy: bool = False
) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        server = start_server(data_dir)
        try:
            auth = "Basic " + base64.b64encode(f"{write_key(data_dir)}:".encode()).decode()
            if plan:
                plan_file = Path(tmp) / "plan.yaml"
                plan_file.write_text(plan_to_yaml(MARKETPLACE_PLAN))
                cli(data_dir, "plan", "deploy", str(plan_file))
            if plan or messy:
                bodies, sent = messy_bodies(events, batch)
            else:
                bodies = make_bodies(events, batch)
                sent = len(bodies) * batch
            chunks = [bodies[i::clients] for i in range(clients)]
            failures: list[int] = []

            def send(mine: list[bytes]) -> None:
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                headers = {"Content-Type": "application/json", "Authorization": auth}
                for body in mine:
                    connection.request("POST", "/v1/batch", body, headers)
                    answer = connection.getresponse()
                    answer.read()
                    if answer.status != 200:
                        failures.append(answer.status)
                connection.close()

            cpu_before = _cpu_seconds(server.process.pid)
            client_before = time.process_time()
            threads = [threading.Thread(target=send, args=(chunk,)) for chunk in chunks]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            acknowledged = time.perf_counter() - started
            cpu_acked = _cpu_seconds(server.process.pid) - cpu_before
            client_cpu = time.process_time() - client_before
            print(
                f"  CPU while acknowledging: server {cpu_acked:.1f} s, load generator {client_cpu:.1f} s, "
                f"wall {acknowledged:.1f} s",
                flush=True,
            )
            status = server.wait_loaded(timeout=600)
            loaded = time.perf_counter() - started
            routed = status["stored"] + status["quarantined"] + status["filtered"] + status["duplicates"]
            if (
                failures
                or status["received"] != sent
                or routed != sent
                or (not plan and not messy and status["stored"] != sent)
            ):
                raise RuntimeError(f"failures={failures[:5]} status={status} sent={sent}")
            if plan or messy:
                print(
                    f"  stored {status['stored']:,}, quarantined {status['quarantined']:,}, "
                    f"filtered {status['filtered']:,}, duplicates {status['duplicates']:,}",
                    flush=True,
                )
            return sent / acknowledged, sent / loaded
        finally:
            server.stop()


def _cpu_seconds(pid: int) -> float:
    """User+system CPU of a process and its children (the loader's worker), from /proc."""
    total = 0.0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plan", action="store_true", help="Deploy the demo plan; send the messy demo.")
    parser.add_argument("--messy", action="store_true", help="Send the messy demo with no plan deployed.")
    args = parser.parse_args()
    acked, stored = [], []
    for run in range(args.runs):
        a, s = run_once(args.events, args.batch, args.clients, args.plan, args.messy)
        acked.append(a)
        stored.append(s)
        print(f"run {run + 1}: acknowledged {a:,.0f} events/s, stored {s:,.0f} events/s", flush=True)
    applied = ", tracking plan applied" if args.plan else ", messy demo, no plan" if args.messy else ""
    print(
        f"median over {args.runs} runs, {args.events:,} events, batches of {args.batch}, "
        f"{args.clients} connections{applied}: acknowledged {statistics.median(acked):,.0f} events/s, "
        f"stored end to end {statistics.median(stored):,.0f} events/s"
    )


if __name__ == "__main__":
    main()
