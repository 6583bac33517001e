"""Insights over HTTP: core metrics, trends, funnels, retention. Thin: parse, call, return."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from betterheap.insights import service
from betterheap.tracking_plan import service as plan_service
from betterheap.web.deps import FromDate, ProjectId, RuntimeDep, ToDate, answer

router = APIRouter(prefix="/api", tags=["insights"])


@router.get("/metrics")
def list_metrics() -> list[dict[str, str]]:
    return [{"name": name, "description": text} for name, text in service.METRICS.items()]


@router.get("/metrics/{name}")
def get_metric(
    name: str,
    runtime: RuntimeDep,
    date_from: FromDate = None,
    date_to: ToDate = None,
    breakdown: str | None = None,
    project_id: ProjectId = 1,
) -> list[dict[str, Any]]:
    return answer(lambda: service.metric(runtime.store, project_id, name, date_from, date_to, breakdown))


@router.get("/trends")
def get_trend(
    runtime: RuntimeDep,
    event: str | None = None,
    measure: Literal["count", "unique_users", "sum"] = "count",
    property: str | None = None,
    interval: Literal["day", "week", "month"] = "day",
    date_from: FromDate = None,
    date_to: ToDate = None,
    breakdown: str | None = None,
    project_id: ProjectId = 1,
) -> list[dict[str, Any]]:
    return answer(
        lambda: service.trend(
            runtime.store,
            project_id,
            event,
            measure,
            property,
            interval,
            date_from,
            date_to,
            breakdown,
            actions=plan_service.actions(runtime.plans, project_id),
        )
    )


@router.get("/funnel")
def get_funnel(
    runtime: RuntimeDep,
    steps: Annotated[list[str], Query()],
    window: str = "14d",
    date_from: FromDate = None,
    date_to: ToDate = None,
    breakdown: str | None = None,
    first_day: bool = False,
    project_id: ProjectId = 1,
) -> list[dict[str, Any]]:
    return answer(
        lambda: service.funnel(
            runtime.store,
            project_id,
            steps,
            service.parse_window(window),
            date_from,
            date_to,
            breakdown,
            first_day,
            actions=plan_service.actions(runtime.plans, project_id),
        )
    )


@router.get("/retention")
def get_retention(
    runtime: RuntimeDep,
    start_event: str | None = None,
    return_event: str | None = None,
    period: Literal["day", "week"] = "day",
    date_from: FromDate = None,
    date_to: ToDate = None,
    periods: Annotated[int | None, Query(ge=0, le=400)] = None,
    by_first_day_funnel: Annotated[list[str] | None, Query()] = None,
    project_id: ProjectId = 1,
) -> list[dict[str, Any]]:
    return answer(
        lambda: service.retention(
            runtime.store,
            project_id,
            start_event,
            return_event,
            period,
            date_from,
            date_to,
            periods,
            by_first_day_funnel,
            actions=plan_service.actions(runtime.plans, project_id),
        )
    )
