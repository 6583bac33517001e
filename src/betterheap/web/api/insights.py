"""Insights over HTTP: core metrics, trends, funnels, retention. Thin: parse, authorize,
call, return.

Every endpoint needs credentials (``callers``); any role reads. A breakdown or summed
property naming personal data (the plan's PII properties and
``query.access.DEFAULT_PII_PROPERTIES``) is for admins only, as in the insight builder."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

from betterheap.insights import service
from betterheap.query.access import check_properties
from betterheap.runtime import Runtime
from betterheap.tracking_plan import service as plan_service
from betterheap.web.api.callers import Caller, CallerDep
from betterheap.web.deps import FromDate, ProjectId, RuntimeDep, ToDate, answer

router = APIRouter(prefix="/api", tags=["insights"])


def _readable(caller: Caller, runtime: Runtime, project_id: int, *names: str | None) -> None:
    """A 403 when a property the request names is personal data the caller may not read."""
    named = [name for name in names if name]
    if not named:
        return
    pii = plan_service.current(runtime.plans, project_id)[1].pii_properties() if runtime.plans else ()
    try:
        check_properties(named, caller.role, pii)
    except PermissionError as error:
        raise HTTPException(403, f"{error} ({caller.who} is {caller.role})") from error


@router.get("/metrics")
def list_metrics(caller: CallerDep) -> list[dict[str, str]]:
    return [{"name": name, "description": text} for name, text in service.METRICS.items()]


@router.get("/metrics/{name}")
def get_metric(
    name: str,
    runtime: RuntimeDep,
    caller: CallerDep,
    date_from: FromDate = None,
    date_to: ToDate = None,
    breakdown: str | None = None,
    project_id: ProjectId = 1,
) -> list[dict[str, Any]]:
    _readable(caller, runtime, project_id, breakdown)
    return answer(lambda: service.metric(runtime.store, project_id, name, date_from, date_to, breakdown))


@router.get("/trends")
def get_trend(
    runtime: RuntimeDep,
    caller: CallerDep,
    event: str | None = None,
    measure: Literal["count", "unique_users", "sum"] = "count",
    property: str | None = None,
    interval: Literal["day", "week", "month"] = "day",
    date_from: FromDate = None,
    date_to: ToDate = None,
    breakdown: str | None = None,
    project_id: ProjectId = 1,
) -> list[dict[str, Any]]:
    _readable(caller, runtime, project_id, breakdown, property)
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
    caller: CallerDep,
    steps: Annotated[list[str], Query()],
    window: str = "14d",
    date_from: FromDate = None,
    date_to: ToDate = None,
    breakdown: str | None = None,
    first_day: bool = False,
    project_id: ProjectId = 1,
) -> list[dict[str, Any]]:
    _readable(caller, runtime, project_id, breakdown)
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
    caller: CallerDep,
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
