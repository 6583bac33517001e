"""The tracking plan, its quarantine and the data-quality report over HTTP. Thin.

Every endpoint but ``POST /api/plan/check`` needs credentials (``callers``): any role reads;
changing the plan or replaying the quarantine needs the analyst role. The check stores
nothing and is authenticated by the write key in its body, as ingestion is (the Chrome
extension's debugger sends it the page's own batches). A violation's detail quotes the
value sent, which is personal data: only roles with PII access get the quarantine's
``detail`` and the quality report's ``example``, as on the quarantine page and the Data
quality dashboard.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query

from betterheap.ingest.errors import PayloadError, UnknownWriteKey
from betterheap.meta.plans import PlanVersions
from betterheap.query.access import PII_ROLES
from betterheap.taxonomy.plan import TrackingPlan
from betterheap.taxonomy.plan_file import PlanFileError, plan_from_dict, plan_from_yaml
from betterheap.tracking_plan import check, labeling, quarantine, service
from betterheap.web.api.callers import CallerDep
from betterheap.web.deps import FromDate, ProjectId, RuntimeDep, ToDate, answer

router = APIRouter(prefix="/api", tags=["tracking plan"])


def _plans(runtime: RuntimeDep) -> PlanVersions:
    if runtime.plans is None:
        raise HTTPException(503, "this server has no metadata store")
    return runtime.plans


def _without(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return [{name: value for name, value in row.items() if name != key} for row in rows]


def _plan_of(body: dict[str, Any]) -> TrackingPlan:
    """A plan sent as ``{"yaml": "..."}`` or as the plan's JSON under ``"plan"``."""
    if isinstance(body.get("yaml"), str):
        return plan_from_yaml(body["yaml"])
    if isinstance(body.get("plan"), dict):
        return plan_from_dict(body["plan"])
    raise PlanFileError('send the plan as {"yaml": "<plan file>"} or {"plan": {...}}')


@router.get("/plan")
def get_plan(
    runtime: RuntimeDep, caller: CallerDep, project_id: ProjectId = 1, version: int | None = None
) -> dict[str, Any]:
    """The current plan (or ``version``), as JSON and as its YAML file."""
    return answer(lambda: service.show(_plans(runtime), project_id, version))


@router.post("/plan")
def deploy_plan(
    runtime: RuntimeDep, caller: CallerDep, body: Annotated[dict[str, Any], Body()], project_id: ProjectId = 1
) -> dict[str, Any]:
    """Deploy a plan as the next version, by the caller; answers with the version and the
    diff. Analysts and admins."""
    caller.require("analyst", "deploying a tracking plan")
    note = body.get("note") if isinstance(body.get("note"), str) else ""
    return answer(lambda: service.deploy(_plans(runtime), project_id, _plan_of(body), note or "", caller.who))


@router.post("/plan/diff")
def diff_candidate(
    runtime: RuntimeDep, caller: CallerDep, body: Annotated[dict[str, Any], Body()], project_id: ProjectId = 1
) -> dict[str, Any]:
    """What deploying the plan in the body would change."""
    return answer(lambda: service.diff(_plans(runtime), project_id, candidate=_plan_of(body)))


@router.post("/plan/check")
def check_events(
    runtime: RuntimeDep,
    body: Annotated[Any, Body()],
    wire: Annotated[str, Query(pattern="^(segment|posthog)$")] = "segment",
) -> list[dict[str, Any]]:
    """What the current plan would do with these events — clean, renamed, flagged,
    quarantined or filtered, and why — without storing them. The body is what a client
    would send to ``/v1/batch`` (``wire=segment``, write key in the body) or to PostHog's
    ``/batch/`` (``wire=posthog``)."""
    if runtime.gateway is None:
        raise HTTPException(503, "this server does not accept events")
    try:
        events = runtime.gateway.parse("segment" if wire == "segment" else "posthog", body)
    except UnknownWriteKey as error:
        raise HTTPException(401, str(error)) from error
    except PayloadError as error:
        raise HTTPException(400, str(error)) from error
    if not events:
        return []
    version, plan = service.current(_plans(runtime), events[0]["project_id"])
    return check.verdicts(events, plan, version)


@router.post("/plan/actions")
def add_action(
    runtime: RuntimeDep, caller: CallerDep, body: Annotated[dict[str, Any], Body()], project_id: ProjectId = 1
) -> dict[str, Any]:
    """Add one action (``{"name", "selector", "text", "url", "description"}``) to the
    current plan and deploy it as the next version, by the caller; answers with the version
    and the diff. Analysts and admins."""
    caller.require("analyst", "adding an action to the tracking plan")
    action = {key: value for key, value in body.items() if key != "note"}
    note = body.get("note") if isinstance(body.get("note"), str) else ""
    return answer(lambda: labeling.add_action(_plans(runtime), project_id, action, note or "", caller.who))


@router.post("/actions/suggest")
def suggest_action(
    runtime: RuntimeDep, caller: CallerDep, body: Annotated[dict[str, Any], Body()], project_id: ProjectId = 1
) -> dict[str, Any]:
    """The action proposed for a picked element: ``{"elements_chain", "page_url"}`` (the
    chain as the tracking script builds it) → a named selector and text, and the plan's
    actions that already match the element."""
    chain, page_url = body.get("elements_chain"), body.get("page_url")
    if not isinstance(chain, str) or not (page_url is None or isinstance(page_url, str)):
        raise HTTPException(400, 'send {"elements_chain": "<chain>", "page_url": "<url>"}')
    return answer(lambda: labeling.suggest(_plans(runtime), project_id, chain, page_url))


@router.post("/actions/preview")
def preview_action(
    runtime: RuntimeDep,
    caller: CallerDep,
    body: Annotated[dict[str, Any], Body()],
    project_id: ProjectId = 1,
    date_from: FromDate = None,
    date_to: ToDate = None,
) -> dict[str, Any]:
    """How often the clicks an action would match (``{"selector", "text", "url"}``) already
    happened: per day, in all and distinct persons, before the action is saved."""
    conditions = [body.get(key) for key in ("selector", "text", "url")]
    if not all(value is None or isinstance(value, str) for value in conditions):
        raise HTTPException(400, "selector, text and url must be strings")
    selector, text, url = conditions
    return answer(
        lambda: labeling.preview(runtime.store, project_id, selector, text, url, date_from, date_to)
    )


@router.get("/plan/versions")
def plan_versions(runtime: RuntimeDep, caller: CallerDep, project_id: ProjectId = 1) -> list[dict[str, Any]]:
    return service.versions(_plans(runtime), project_id)


@router.get("/plan/diff")
def plan_diff(
    runtime: RuntimeDep,
    caller: CallerDep,
    project_id: ProjectId = 1,
    from_version: Annotated[int | None, Query(alias="from", ge=0)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=0)] = None,
) -> dict[str, Any]:
    return answer(lambda: service.diff(_plans(runtime), project_id, from_version, to_version))


@router.get("/quality")
def quality(
    runtime: RuntimeDep,
    caller: CallerDep,
    project_id: ProjectId = 1,
    date_from: FromDate = None,
    date_to: ToDate = None,
) -> dict[str, Any]:
    """The data-quality report (see docs/quality.md); the violations' ``example`` (a value
    as sent) for roles with PII access only."""
    report = answer(
        lambda: service.quality_report(runtime.store, _plans(runtime), project_id, date_from, date_to)
    )
    if caller.role not in PII_ROLES:
        report["top_violations"] = _without(report["top_violations"], "example")
    return report


@router.get("/quarantine")
def list_quarantine(
    runtime: RuntimeDep,
    caller: CallerDep,
    project_id: ProjectId = 1,
    reason: str | None = None,
    event: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 50,
) -> list[dict[str, Any]]:
    """The newest held events with their violations (``kind``, ``property`` and, for roles
    with PII access, the ``detail`` that quotes the value sent)."""
    rows = answer(lambda: quarantine.list_quarantine(runtime.store, project_id, limit, reason, event))
    if caller.role not in PII_ROLES:
        for row in rows:
            row["violations"] = _without(row["violations"], "detail")
    return rows


@router.get("/quarantine/summary")
def quarantine_summary(
    runtime: RuntimeDep, caller: CallerDep, project_id: ProjectId = 1
) -> list[dict[str, Any]]:
    return quarantine.quarantine_summary(runtime.store, project_id)


@router.post("/quarantine/replay")
def replay_quarantine(runtime: RuntimeDep, caller: CallerDep, project_id: ProjectId = 1) -> dict[str, Any]:
    """Run the quarantine through the current plan; accepted events move to the store.
    Analysts and admins."""
    caller.require("analyst", "replaying the quarantine")
    return answer(lambda: service.replay(runtime.store, _plans(runtime), project_id))
