"""The insight builder: trends, core metrics, funnels and retention with pickers fed by the
tracking plan and the events received, breakdowns, filters, dates and comparison with the
previous period; save to a dashboard; export CSV or JSON. The whole insight lives in the
URL, so a result can be bookmarked, shared and opened from a dashboard panel. Thin: the
insight is ``insights.builder``."""

from __future__ import annotations

import re
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import QueryParams

from betterheap.chat import answer as answers
from betterheap.insights import builder, service
from betterheap.meta.users import SignedIn, at_least
from betterheap.query.access import PII_ROLES
from betterheap.runtime import Runtime
from betterheap.store.schema import PROMOTED_PROPERTIES
from betterheap.tracking_plan import service as plan_service
from betterheap.web.auth import form_session, page_session
from betterheap.web.dashboards import saved_dashboards
from betterheap.web.deps import RuntimeDep, answer, chat_of, pii_properties
from betterheap.web.templates import back, inline_json, templates

router = APIRouter(include_in_schema=False)
#: Rows shown under the chart (the export has them all).
SHOWN_ROWS = 200
MAX_TITLE = 200


def _form(params: QueryParams) -> dict[str, list[str]]:
    return {key: params.getlist(key) for key in params.keys() if key != "project_id"}


def _compute(
    runtime: Runtime, who: SignedIn, project_id: int, insight: builder.Insight
) -> tuple[builder.Result, str | None]:
    """The insight computed for ``who`` (personal data only for roles allowed it), and its SQL."""
    try:
        builder.check_access(insight, who.account.role, pii_properties(runtime, project_id))
    except PermissionError as error:
        raise HTTPException(403, str(error)) from error
    actions = plan_service.actions(runtime.plans, project_id)
    with service.recording() as ran:
        result = answer(lambda: builder.run(runtime.store, project_id, insight, actions))
    return result, answers.sql_of(ran, runtime.store.dialect)


def _pickers(request: Request, runtime: Runtime, who: SignedIn, project_id: int) -> dict[str, list[str]]:
    """Events (plan, actions, received) and properties (promoted columns and the plan's,
    without personal data for roles that may not read it)."""
    vocab = chat_of(request, runtime).vocabulary(project_id)
    hidden = set() if who.account.role in PII_ROLES else set(vocab.pii_properties)
    properties = set(vocab.dimensions.values()) | (set(PROMOTED_PROPERTIES) - {"properties"})
    return {
        "events": sorted(vocab.event_names),
        "properties": sorted(p for p in properties if p not in hidden),
        "metrics": list(service.METRICS),
    }


@router.get("/insights/new", response_class=HTMLResponse)
def builder_page(request: Request, runtime: RuntimeDep, project_id: int = 1) -> Response:
    who = page_session(request, runtime)
    fields = _form(request.query_params)
    values: dict[str, Any] = {
        "signed_in": who,
        "wide": True,
        "project_id": project_id,
        "pickers": _pickers(request, runtime, who, project_id),
        "kinds": builder.KINDS,
        "can_save": at_least(who.account.role, "analyst"),
        "dashboards": saved_dashboards(request, runtime).list(project_id),
        "error": None,
        "result": None,
    }
    insight = builder.Insight()
    if fields.get("kind"):
        try:
            insight = builder.from_form(fields)
        except ValueError as error:
            values["error"] = str(error)
            insight = builder.as_typed(fields)
        else:
            result, sql = _compute(runtime, who, project_id, insight)
            head, body = builder.table(result)
            query = request.url.query
            values["result"] = {
                "title": result.title,
                "spec": inline_json(result.spec) if result.spec else "",
                "columns": head,
                "rows": body[:SHOWN_ROWS],
                "total_rows": len(body),
                "sql": sql,
                "span": (result.date_from, result.date_to),
                "csv": f"/insights/export.csv?{query}",
                "json": f"/insights/export.json?{query}",
                "definition": orjson.dumps(insight.model_dump(mode="json", exclude_defaults=True)).decode(),
            }
    values["insight"] = insight
    values["steps"] = (insight.steps or fields.get("steps", [])) + [""] * 2
    filters = [(f.property, ", ".join(f.values), f.negate) for f in insight.filters]
    values["filters"] = filters + [("", "", False)] * max(1, 3 - len(filters))
    return templates.TemplateResponse(request, "insight.html", values)


@router.get("/insights/export.{fmt}")
def export(request: Request, runtime: RuntimeDep, fmt: str, project_id: int = 1) -> Response:
    """The insight's rows as a CSV or JSON download."""
    who = page_session(request, runtime)
    if fmt not in ("csv", "json"):
        raise HTTPException(404, "export as .csv or .json")
    try:
        insight = builder.from_form(_form(request.query_params))
    except ValueError as error:
        raise HTTPException(400, str(error)) from error
    result, _ = _compute(runtime, who, project_id, insight)
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", result.title).strip("-")[:80] or "insight"
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    if fmt == "csv":
        return Response(builder.to_csv(result), media_type="text/csv; charset=utf-8", headers=headers)
    body = orjson.dumps(builder.to_json(result), option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    return Response(body, media_type="application/json", headers=headers)


@router.post("/insights/save")
def save(
    request: Request,
    runtime: RuntimeDep,
    definition: Annotated[str, Form()],
    csrf: Annotated[str | None, Form()] = None,
    title: Annotated[str, Form()] = "",
    dashboard_id: Annotated[str, Form()] = "",
    new_dashboard: Annotated[str, Form()] = "",
    project_id: Annotated[int, Form()] = 1,
) -> Response:
    """Save the insight (its definition, not its numbers) to a dashboard or a new one."""
    who = form_session(request, runtime, csrf, at_least="analyst")
    boards = saved_dashboards(request, runtime)
    try:
        given = orjson.loads(definition)
        name = (title.strip() or str(given.get("title") or "") or builder.parse(given).describe())[:MAX_TITLE]
        insight = builder.parse(given | {"title": name})
    except (ValueError, AttributeError, orjson.JSONDecodeError) as error:
        raise HTTPException(400, f"the insight cannot be saved: {error}") from error
    try:
        builder.check_access(insight, who.account.role, pii_properties(runtime, project_id))
    except PermissionError as error:
        raise HTTPException(403, str(error)) from error
    body = insight.model_dump(mode="json", exclude_defaults=True)
    try:
        target = boards.chosen(project_id, dashboard_id, new_dashboard, who.account.name)
        boards.add_panel(project_id, target, "insight", name, body, who.account.name)
    except (ValueError, LookupError) as error:
        raise HTTPException(400, str(error)) from error
    saved_to = back(f"/dashboards/saved/{target}", project_id, message=f"Saved: {name[:100]}")
    return RedirectResponse(saved_to, status_code=303)
