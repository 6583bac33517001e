"""The ``betterheap`` command as a user runs it: real processes, real files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from server import cli, start_server

REES46 = Path(__file__).resolve().parents[3] / "shared" / "data" / "rees46-electronics-2019-10-sample.csv"
REES46_MAP = [
    "--map", "event_type=event",
    "--map", "event_time=timestamp",
    "--map", "user_id=user_id",
    "--map", "user_session=session_id",
    "--map", "price=properties.price",
]  # fmt: skip


def _json(result: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(result)
    return rows


def test_project_list_prints_id_name_and_write_key(data_dir: Path) -> None:
    projects = _json(cli(data_dir, "project", "list", "--format", "json").stdout)
    assert len(projects) == 1
    assert set(projects[0]) == {"id", "name", "write_key"}
    assert projects[0]["id"] == 1


@pytest.mark.skipif(not REES46.exists(), reason="shared/data with the REES46 sample is not beside the repo")
def test_import_a_csv_nobody_here_designed_then_read_metrics(data_dir: Path) -> None:
    with REES46.open() as file:
        rows = list(csv.DictReader(file))
    expected_users = len({r["user_id"] for r in rows})
    expected_views = sum(r["event_type"] == "view" for r in rows)

    result = cli(data_dir, "import", str(REES46), *REES46_MAP)
    assert f"{len(rows):,} events" in result.stdout
    dau = _json(
        cli(
            data_dir, "metrics", "dau", "--from", "2019-10-01", "--to", "2019-10-01", "--format", "json"
        ).stdout
    )
    assert dau == [{"date": "2019-10-01", "value": expected_users}]
    views = _json(
        cli(
            data_dir, "trends", "view", "--from", "2019-10-01", "--to", "2019-10-01", "--format", "json"
        ).stdout
    )
    assert views[0]["value"] == expected_views

    # Importing the same file again stores nothing twice.
    cli(data_dir, "import", str(REES46), *REES46_MAP)
    again = _json(
        cli(
            data_dir, "trends", "view", "--from", "2019-10-01", "--to", "2019-10-01", "--format", "json"
        ).stdout
    )
    assert again == views


def test_import_refuses_a_file_without_a_timestamp_column(tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "events.csv"
    source.write_text("name,who\nsigned_up,u1\n")
    result = cli(data_dir, "import", str(source), "--map", "name=event", "--map", "who=user_id", check=False)
    assert result.returncode == 2
    assert "timestamp" in result.stderr


def test_bad_options_get_clear_errors(data_dir: Path) -> None:
    unknown = cli(data_dir, "metrics", "daus", check=False)
    assert unknown.returncode == 2 and "known: dau" in unknown.stderr
    bad_date = cli(data_dir, "metrics", "dau", "--from", "03/01/2024", check=False)
    assert bad_date.returncode == 2 and "--from must be a date" in bad_date.stderr
    bad_window = cli(data_dir, "funnel", "a", "b", "--window", "fortnight", check=False)
    assert bad_window.returncode == 2 and "window" in bad_window.stderr.lower()
    for command in (["plan", "versions"], ["quarantine", "list"], ["quarantine", "summary"]):
        xml = cli(data_dir, *command, "--format", "xml", check=False)
        assert xml.returncode == 2 and "--format must be table, json or csv" in xml.stderr


@pytest.mark.slow
def test_demo_then_insights_offline_and_through_a_running_server(data_dir: Path) -> None:
    cli(data_dir, "demo", "--events", "20000", "--seed", "7", "--end-date", "2024-03-31")
    args = ("--from", "2024-03-01", "--to", "2024-03-31", "--format", "json")
    offline = {
        "dau": _json(cli(data_dir, "metrics", "dau", *args).stdout),
        "funnel": _json(
            cli(data_dir, "funnel", "product_viewed", "product_added", "order_completed", *args).stdout
        ),
        "retention": _json(cli(data_dir, "retention", *args).stdout),
    }
    assert len(offline["dau"]) == 31 and all(row["value"] > 0 for row in offline["dau"])
    steps = offline["funnel"]
    assert [s["step"] for s in steps] == [1, 2, 3]
    assert steps[0]["count"] >= steps[1]["count"] >= steps[2]["count"] > 0
    cohorts = offline["retention"]
    assert cohorts[0]["cohort"] == "2024-03-01" and cohorts[0]["values"][0] == cohorts[0]["size"]

    # While the server holds the database, the same commands go through it.
    server = start_server(data_dir)
    try:
        online = {
            "dau": _json(cli(data_dir, "metrics", "dau", *args).stdout),
            "funnel": _json(
                cli(data_dir, "funnel", "product_viewed", "product_added", "order_completed", *args).stdout
            ),
            "retention": _json(cli(data_dir, "retention", *args).stdout),
        }
    finally:
        server.stop()
    assert online == offline


def test_import_keeps_ids_as_written(tmp_path: Path, data_dir: Path) -> None:
    source = tmp_path / "events.csv"
    source.write_text(
        "event,user_id,timestamp\nsigned_up,007,2024-01-02T10:00:00Z\nsigned_up,7,2024-01-02T11:00:00Z\n"
    )
    cli(data_dir, "import", str(source))
    users = _json(
        cli(
            data_dir, "trends", "signed_up", "--measure", "unique_users",
            "--from", "2024-01-02", "--to", "2024-01-02", "--format", "json",
        ).stdout
    )  # fmt: skip
    assert users == [{"date": "2024-01-02", "value": 2}]


def test_an_absurd_date_range_is_refused_clearly(data_dir: Path) -> None:
    result = cli(data_dir, "metrics", "dau", "--from", "0001-01-01", "--to", "8000-01-01", check=False)
    assert result.returncode == 2 and "spans at most" in result.stderr


@pytest.mark.parametrize("suffix", ["jsonl", "parquet"])
def test_import_json_lines_and_parquet_with_a_mapping(tmp_path: Path, data_dir: Path, suffix: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {"action": "signed_up", "who": f"u{i}", "at": f"2024-02-0{1 + i % 3}T09:00:00Z", "plan": "pro"}
        for i in range(9)
    ]
    source = tmp_path / f"history.{suffix}"
    if suffix == "jsonl":
        source.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    else:
        pq.write_table(pa.Table.from_pylist(rows), source)
    mapping = ["--map", "action=event", "--map", "who=user_id", "--map", "at=timestamp"]
    cli(data_dir, "import", str(source), *mapping)
    args = ("--from", "2024-02-01", "--to", "2024-02-03", "--format", "json")
    assert [r["value"] for r in _json(cli(data_dir, "metrics", "new_users", *args).stdout)] == [3, 3, 3]
    by_plan = _json(cli(data_dir, "trends", "signed_up", "--breakdown", "plan", *args).stdout)
    assert {r["breakdown"] for r in by_plan} == {"pro"}
