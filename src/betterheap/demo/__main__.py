"""``python -m betterheap.demo``: write the demo payloads as JSON lines, or just time them.

python -m betterheap.demo --events 1000000 --out /tmp/demo.jsonl
python -m betterheap.demo --events 1000000          # generate only, print the timing
python -m betterheap.demo --events 100000 --messy --out /tmp/messy.jsonl   # with the mess
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date

import orjson

from betterheap.demo import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m betterheap.demo", description=__doc__)
    parser.add_argument("--events", type=lambda text: int(text.replace("_", "")), default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end-date", type=date.fromisoformat, default=None)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--out", help="file for one JSON payload per line ('-' for stdout)")
    parser.add_argument(
        "--messy",
        action="store_true",
        help="add the mess real sites send: naming variants, bad types, duplicates, bots... (docs/demo.md)",
    )
    args = parser.parse_args(argv)
    started, cpu = time.perf_counter(), time.process_time()
    payloads = generate(args.events, args.seed, args.end_date, args.batch_size, messy=args.messy)
    count = 0
    if args.out is None:
        for payload in payloads:
            count += len(payload["batch"])
    else:
        sink = sys.stdout.buffer if args.out == "-" else open(args.out, "wb")  # noqa: SIM115
        with sink:
            for payload in payloads:
                count += len(payload["batch"])
                sink.write(orjson.dumps(payload) + b"\n")
    print(
        f"{count} messages in {time.perf_counter() - started:.1f} s "
        f"({time.process_time() - cpu:.1f} s CPU)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
