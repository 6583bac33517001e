"""The insight definition the builder, exports and saved panels share: read from a form,
written back to a URL unchanged, checked for sense and for personal data, and exported."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import pytest

from betterheap.insights import builder
from betterheap.insights.builder import Insight
from betterheap.store.duckdb import DuckDBStore
from factories import stored_event


def form_of(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    return parse_qs(urlencode(pairs), keep_blank_values=True)


@pytest.mark.parametrize(
    "insight",
    [
        Insight(kind="trend", event="signed_up", measure="unique_users", interval="week", compare=True),
        Insight(kind="trend", measure="sum", property="revenue", breakdown="country", days=90, chart="bar"),
        Insight(kind="metric", metric="dau", date_from=date(2026, 11, 1), date_to=date(2026, 11, 7)),
        Insight(kind="funnel", steps=["a", "b", "c"], window="1h", first_day=True, people_who="signed_up",
                filters=[{"property": "country", "values": ["DE", "US"]},
                         {"property": "os", "values": ["iOS"], "negate": True}]),
        Insight(kind="retention", start_event="signed_up", return_event="order_completed", period="week",
                periods=8),
    ],
)  # fmt: skip
def test_a_definition_survives_the_url(insight: Insight) -> None:
    assert builder.from_form(form_of(builder.to_form(insight))) == insight


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "funnel", "steps": ["only"]}, "a funnel needs 2 to 10 steps"),
        ({"kind": "trend", "measure": "sum"}, "a sum needs the property to add up"),
        ({"kind": "metric", "metric": "happiness"}, "pick a core metric"),
        ({"kind": "trend", "compare": True, "breakdown": "country"}, "works without a breakdown"),
        ({"kind": "trend", "date_from": "2026-11-02"}, "give both dates"),
        ({"kind": "trend", "date_from": "2026-11-09", "date_to": "2026-11-02"}, "starts after it ends"),
        ({"kind": "funnel", "steps": ["a", "b"], "window": "soon"}, "invalid window"),
        ({"kind": "trend", "days": 0}, "days: Input should be greater than or equal to 1"),
        ({"kind": "sideways"}, "kind: Input should be"),
    ],
)
def test_nonsense_is_refused_in_words(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        builder.parse(fields)


def test_empty_form_fields_mean_not_set() -> None:
    form = {"kind": ["trend"], "event": [""], "breakdown": [" "], "steps": ["", ""],
            "filter_property": ["country", ""], "filter_values": ["DE, FR", ""],
            "filter_not": ["", ""]}  # fmt: skip
    insight = builder.from_form(form)
    assert insight.event is None and insight.breakdown is None and insight.steps == []
    assert insight.filters == [builder.FilterSpec(property="country", values=["DE", "FR"])]


def test_personal_data_needs_an_admin() -> None:
    by_email = Insight(kind="trend", breakdown="email")
    with pytest.raises(PermissionError, match="email is personal data"):
        builder.check_access(by_email, "analyst", frozenset())
    planned = Insight(kind="trend", filters=[{"property": "shoe_size", "values": ["42"]}])
    with pytest.raises(PermissionError, match="shoe_size"):
        builder.check_access(planned, "viewer", frozenset({"shoe_size"}))
    builder.check_access(by_email, "admin", frozenset())
    builder.check_access(Insight(kind="trend", breakdown="country"), "viewer", frozenset({"shoe_size"}))


def test_exports_spread_retention_and_keep_every_row() -> None:
    insight = Insight(kind="retention", periods=2)
    rows = [
        {"cohort": "2026-11-01", "size": 10, "values": [10, 4, 2]},
        {"cohort": "2026-11-02", "size": 5, "values": [5, 1]},
    ]
    result = builder.Result(insight, "t", rows, None, date(2026, 11, 1), date(2026, 11, 3))
    assert builder.to_csv(result).splitlines() == [
        "cohort,size,d0,d1,d2",
        "2026-11-01,10,10,4,2",
        "2026-11-02,5,5,1",
    ]
    trend = builder.Result(Insight(), "t", [{"date": "2026-11-01", "value": 3, "breakdown": None}], None,
                           date(2026, 11, 1), date(2026, 11, 1))  # fmt: skip
    assert builder.to_csv(trend).splitlines() == ["date,value,breakdown", "2026-11-01,3,"]
    assert builder.to_json(trend)["rows"] == trend.rows


def test_the_previous_period_has_the_same_length() -> None:
    assert builder.previous_range(date(2026, 11, 8), date(2026, 11, 14)) == (
        date(2026, 11, 1),
        date(2026, 11, 7),
    )


def test_csv_cells_never_run_as_spreadsheet_formulas() -> None:
    rows = [{"date": "2026-11-01", "breakdown": '=HYPERLINK("http://evil")', "value": -3},
            {"date": "2026-11-01", "breakdown": "@SUM(A1)", "value": 2}]  # fmt: skip
    result = builder.Result(Insight(breakdown="b"), "t", rows, None, date(2026, 11, 1), date(2026, 11, 1))
    assert builder.to_csv(result).splitlines()[1:] == [
        '2026-11-01,"\'=HYPERLINK(""http://evil"")",-3',
        "2026-11-01,'@SUM(A1),2",
    ]


def test_a_funnel_compared_with_the_previous_period(tmp_path: Path) -> None:
    """p0..p5 do a, the even ones in the week before (Nov 10), the odd ones in the range
    (Nov 17); p0 goes on to b before, p1 and p3 in the range."""
    store = DuckDBStore(tmp_path / "events.duckdb")
    try:
        rows = [stored_event("a", f"p{i}", f"2026-11-{10 + (i % 2) * 7}T12:00:00") for i in range(6)]
        later = (("p0", "2026-11-10T13:00:00"), ("p1", "2026-11-17T13:00:00"), ("p3", "2026-11-17T14:00:00"))
        rows += [stored_event("b", person, at) for person, at in later]
        store.write_batch(rows, [], None)
        insight = Insight(kind="funnel", steps=["a", "b"], compare=True, date_from=date(2026, 11, 14),
                          date_to=date(2026, 11, 20))  # fmt: skip
        result = builder.run(store, 1, insight)
        counts = {(r["period"], r["event"]): r["count"] for r in result.rows}
        before = "previous period (2026-11-07 to 2026-11-13)"
        assert counts == {
            ("this period", "a"): 3,
            ("this period", "b"): 2,
            (before, "a"): 3,
            (before, "b"): 1,
        }
        assert result.spec is not None and result.spec["encoding"]["color"]["field"] == "period"
    finally:
        store.close()


@pytest.mark.parametrize("interval", ["week", "month"])
def test_compared_periods_share_their_buckets(tmp_path: Path, interval: str) -> None:
    store = DuckDBStore(tmp_path / "events.duckdb")
    try:
        days = [f"2026-{m:02d}-{d:02d}T12:00:00" for m in (6, 7, 8, 9, 10, 11) for d in (3, 12, 21, 28)]
        store.write_batch([stored_event("a", f"p{i}", at) for i, at in enumerate(days)], [], None)
        insight = Insight(kind="trend", event="a", interval=interval, compare=True,
                          date_from=date(2026, 10, 1), date_to=date(2026, 11, 29))  # fmt: skip
        rows = builder.run(store, 1, insight).rows
        now = [r["date"] for r in rows if r["period"] == "this period"]
        then = [r["date"] for r in rows if r["period"] == "previous period"]
        shared = min(len(now), len(then))
        assert then[:shared] == now[:shared] and abs(len(then) - len(now)) <= 1
        assert all(
            date.fromisoformat(d).weekday() == 0 if interval == "week" else d.endswith("-01") for d in then
        )
        assert sum(r["value"] for r in rows if r["period"] == "previous period") == 8  # August and September
    finally:
        store.close()


def test_weekly_retention_panels_look_back_whole_weeks() -> None:
    from betterheap.insights.dashboards import Panel

    weekly = Panel("w", Insight(kind="retention", period="week", periods=8))
    daily = Panel("d", Insight(kind="retention", periods=30))
    context = type("C", (), {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 29)})()
    assert weekly.window(context) == (date(2026, 9, 6), date(2026, 11, 29))  # type: ignore[arg-type]
    assert daily.window(context) == (date(2026, 10, 2), date(2026, 11, 29))  # type: ignore[arg-type]
