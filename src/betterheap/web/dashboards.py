"""The dashboards in the browser: the pre-built ones and those people save, behind sign-in.

A dashboard page is a frame of panels; each panel is fetched on its own (htmx, on load), so
the server computes them side by side and the browser draws each chart (vega-embed, from the
same Vega-Lite specs the API returns) as it arrives. Thin: the panels are
``insights.dashboards`` and ``insights.builder``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Final, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from betterheap.insights import builder, dashboards
from betterheap.insights.dashboards import Context, Contexts, Panel, Shown
from betterheap.meta.dashboards import Dashboards
from betterheap.meta.users import at_least
from betterheap.query.access import PII_ROLES
from betterheap.runtime import Runtime
from betterheap.tracking_plan import service as plan_service
from betterheap.web.auth import form_session, page_session
from betterheap.web.deps import RuntimeDep, app_service, chat_of, metadata_engine, pii_properties
from betterheap.web.templates import back, inline_json, message_of, templates

router = APIRouter(include_in_schema=False)
T = TypeVar("T")

RANGES: Final = (7, 14, 30, 90)


def saved_dashboards(request: Request, runtime: Runtime) -> Dashboards:
    return app_service(request, "dashboards", lambda: Dashboards(metadata_engine(runtime)))


class Range:
    """The range a dashboard shows: the last ``days`` of data, or fixed dates (read from a
    page's query: ``ShownRange``)."""

    def __init__(self, days: int = 30, date_from: date | None = None, date_to: date | None = None) -> None:
        if days not in RANGES:
            raise HTTPException(400, f"days is one of {', '.join(map(str, RANGES))}")
        if (date_from is None) != (date_to is None) or (date_from and date_to and date_from > date_to):
            raise HTTPException(400, "give a start and an end date, the start first")
        if date_from and date_to and (date_to - date_from).days >= builder.MAX_DAYS:
            raise HTTPException(400, f"a range is at most {builder.MAX_DAYS} days")
        for day in (date_from, date_to):
            if day is not None and not builder.EARLIEST <= day <= builder.LATEST:
                raise HTTPException(400, f"dates are between {builder.EARLIEST} and {builder.LATEST}")
        self.days, self.date_from, self.date_to = days, date_from, date_to

    @property
    def explicit(self) -> bool:
        return self.date_from is not None

    def query(self) -> str:
        if self.date_from and self.date_to:
            return urlencode({"date_from": self.date_from, "date_to": self.date_to})
        return urlencode({"days": self.days})


#: The range a page's query asks for (``days``, or ``date_from`` and ``date_to``).
ShownRange = Annotated[Range, Depends()]


def _context(request: Request, runtime: Runtime, project_id: int, shown: Range) -> Context:
    """The context the panels of one visit share (kept a few seconds on the app)."""
    contexts = app_service(request, "dashboard_contexts", Contexts)
    version, plan = plan_service.current(runtime.plans, project_id) if runtime.plans else (0, None)

    def make() -> Context:
        actions = plan_service.actions(runtime.plans, project_id)
        return dashboards.context(
            runtime.store, project_id, shown.date_from, shown.date_to, shown.days, actions, plan, version
        )

    return contexts.get((project_id, shown.days, shown.date_from, shown.date_to, version), make)


def in_project(url: str, project_id: int) -> str:
    """``url`` of project ``project_id`` (project 1 needs no parameter)."""
    if project_id == 1:
        return url
    return f"{url}{'&' if '?' in url else '?'}project_id={project_id}"


def _tabs(request: Request, runtime: Runtime, project_id: int) -> list[dict[str, str]]:
    tabs = [{"href": f"/dashboards/{slug}", "name": name} for slug, name in dashboards.DASHBOARDS.items()]
    tabs += [
        {"href": f"/dashboards/saved/{d['id']}", "name": d["name"]}
        for d in saved_dashboards(request, runtime).list(project_id)
    ]
    return [tab | {"link": in_project(tab["href"], project_id)} for tab in tabs]


def insight_links(insight: builder.Insight, title: str, project_id: int) -> dict[str, str]:
    """Where a panel's insight opens in the builder and downloads as CSV."""
    query = urlencode([("title", title), *builder.to_form(insight)])
    links = {"builder": f"/insights/new?{query}", "csv": f"/insights/export.csv?{query}"}
    return {name: in_project(link, project_id) for name, link in links.items()}


def _panel_links(panel: Panel, shown: Range, context: Context, project_id: int) -> dict[str, str]:
    """A pre-built panel's insight over exactly the days the panel shows."""
    if panel.insight is None:
        return {}
    start, end = panel.window(context)
    if shown.explicit or panel.insight.kind == "retention":
        insight = panel.insight.model_copy(update={"date_from": start, "date_to": end})
    else:
        insight = panel.insight.model_copy(update={"days": shown.days})
    return insight_links(insight, panel.title, project_id)


@router.get("/dashboards", response_class=HTMLResponse)
def dashboards_home(request: Request, runtime: RuntimeDep, project_id: int = 1) -> Response:
    page_session(request, runtime)
    return RedirectResponse(in_project("/dashboards/overview", project_id), status_code=303)


@router.get("/dashboards/{name}", response_class=HTMLResponse)
def prebuilt(
    request: Request,
    runtime: RuntimeDep,
    name: str,
    shown: ShownRange,
    project_id: int = 1,
) -> Response:
    who = page_session(request, runtime)
    if name not in dashboards.DASHBOARDS:
        raise HTTPException(404, f"no dashboard {name!r}")
    context = _context(request, runtime, project_id, shown)
    panels = [
        {
            "title": p.title,
            "full": p.full,
            "note": p.note,
            "links": _panel_links(p, shown, context, project_id),
            "src": f"/dashboards/{name}/panels/{i}?{shown.query()}&project_id={project_id}",
        }
        for i, p in enumerate(dashboards.panels(name, context))
    ]
    return _page(request, runtime, who, project_id, dashboards.DASHBOARDS[name], panels, shown, context)


def _page(
    request: Request,
    runtime: Runtime,
    who: Any,
    project_id: int,
    title: str,
    panels: list[dict[str, Any]],
    shown: Range,
    context: Context | None,
    saved: dict[str, Any] | None = None,
) -> Response:
    values = {
        "signed_in": who,
        "wide": True,
        "title": title,
        "tabs": _tabs(request, runtime, project_id),
        "current": request.url.path,
        "panels": panels,
        "range": shown,
        "ranges": RANGES,
        "project_id": project_id,
        "span": (context.date_from, context.date_to) if context else None,
        "saved": saved,
        "can_edit": at_least(who.account.role, "analyst"),
    }
    return templates.TemplateResponse(request, "dashboard.html", values)


@router.get("/dashboards/{name}/panels/{index}", response_class=HTMLResponse)
def prebuilt_panel(
    request: Request,
    runtime: RuntimeDep,
    name: str,
    index: int,
    shown: ShownRange,
    project_id: int = 1,
) -> Response:
    who = page_session(request, runtime)
    if name not in dashboards.DASHBOARDS:
        raise HTTPException(404, f"no dashboard {name!r}")
    context = _context(request, runtime, project_id, shown)
    found = dashboards.panels(name, context)
    if not 0 <= index < len(found):
        raise HTTPException(404, f"dashboard {name!r} has no panel {index}")
    computed = panel_or_reason(lambda: found[index].show(context))
    return _fragment(request, computed.for_role(who.account.role in PII_ROLES))


def panel_or_reason(compute: Callable[[], Shown]) -> Shown:
    """A panel that cannot be computed says why instead of breaking its dashboard."""
    try:
        return compute()
    except (ValueError, LookupError, OverflowError) as error:
        return Shown("message", text=f"Cannot show this panel: {error}")
    except PermissionError as error:
        return Shown("message", text=f"Not for your role: {error}")


def _fragment(request: Request, shown: Shown) -> Response:
    spec = inline_json(shown.spec) if shown.spec else ""
    return templates.TemplateResponse(request, "panel.html", {"shown": shown, "spec": spec})


# --- saved dashboards ---------------------------------------------------------------------


def _board(request: Request, runtime: Runtime, project_id: int, act: Callable[[Dashboards], T]) -> T:
    """``act`` on the project's saved dashboards; one it does not have is a 404."""
    try:
        return act(saved_dashboards(request, runtime))
    except LookupError as error:
        raise HTTPException(404, str(error)) from error


@router.get("/dashboards/saved/{dashboard_id}", response_class=HTMLResponse)
def saved(
    request: Request,
    runtime: RuntimeDep,
    dashboard_id: int,
    shown: ShownRange,
    project_id: int = 1,
) -> Response:
    who = page_session(request, runtime)
    board = _board(request, runtime, project_id, lambda boards: boards.get(project_id, dashboard_id))
    explicit = "days" in request.query_params or shown.explicit
    panels = []
    for p in board["panels"]:
        links: dict[str, str] = {}
        if p["kind"] == "insight":
            try:
                links = insight_links(builder.parse(p["body"]), p["title"], project_id)
            except ValueError:
                links = {}  # the panel says what is wrong with it; Remove still works
        src = f"/dashboards/saved/{dashboard_id}/panels/{p['id']}?project_id={project_id}"
        src += f"&{shown.query()}" if explicit else ""
        panels.append({"title": p["title"], "full": False, "note": "", "links": links, "id": p["id"],
                       "src": src})  # fmt: skip
    board["message"] = message_of(request)
    return _page(request, runtime, who, project_id, board["name"], panels, shown, None, board)


@router.get("/dashboards/saved/{dashboard_id}/panels/{panel_id}", response_class=HTMLResponse)
def saved_panel(
    request: Request,
    runtime: RuntimeDep,
    dashboard_id: int,
    panel_id: int,
    days: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    project_id: int = 1,
) -> Response:
    who = page_session(request, runtime)
    board = _board(request, runtime, project_id, lambda boards: boards.get(project_id, dashboard_id))
    panel = next((p for p in board["panels"] if p["id"] == panel_id), None)
    if panel is None:
        raise HTTPException(404, f"no panel {panel_id} on this dashboard")
    role = who.account.role
    if panel["kind"] == "chat":
        return _fragment(
            request,
            panel_or_reason(lambda: _answer(request, runtime, project_id, panel, role, who.account.name)),
        )
    shown = Range(days or 30, date_from, date_to)

    def compute() -> Shown:
        insight = builder.parse(panel["body"])
        builder.check_access(insight, role, pii_properties(runtime, project_id))
        window = (shown.date_from, shown.date_to) if shown.date_from and shown.date_to else None
        if window is None and days is not None:
            insight = insight.model_copy(update={"days": shown.days, "date_from": None, "date_to": None})
        actions = plan_service.actions(runtime.plans, project_id)
        result = builder.run(runtime.store, project_id, insight, actions, window)
        if result.spec is None:
            return Shown("message", text="No data in this range yet.")
        return Shown("chart", spec=result.spec)

    return _fragment(request, panel_or_reason(compute))


def _answer(
    request: Request, runtime: Runtime, project_id: int, panel: dict[str, Any], role: str, who: str
) -> Shown:
    """A pinned chat answer recomputed for ``role`` (the chat refuses what the role may not see)."""
    body = panel["body"]
    asked_on = date.fromisoformat(body["asked_on"]) if body.get("asked_on") else None
    answer = chat_of(request, runtime).recompute(
        project_id, body["query"], role, body.get("question", ""), who=who, asked_on=asked_on
    )
    if answer.get("chart"):
        return Shown("chart", spec=answer["chart"], text=str(answer.get("answer") or ""))
    return Shown("message", text=str(answer.get("answer") or "No answer."))


@router.post("/dashboards/saved/{dashboard_id}/panels/{panel_id}/remove")
def remove_panel(
    request: Request,
    runtime: RuntimeDep,
    dashboard_id: int,
    panel_id: int,
    csrf: Annotated[str | None, Form()] = None,
    project_id: Annotated[int, Form()] = 1,
) -> Response:
    form_session(request, runtime, csrf, at_least="analyst")
    _board(
        request, runtime, project_id, lambda boards: boards.remove_panel(project_id, dashboard_id, panel_id)
    )
    target = back(f"/dashboards/saved/{dashboard_id}", project_id, message="Panel removed")
    return RedirectResponse(target, status_code=303)


@router.post("/dashboards/saved/{dashboard_id}/delete")
def delete_dashboard(
    request: Request,
    runtime: RuntimeDep,
    dashboard_id: int,
    csrf: Annotated[str | None, Form()] = None,
    project_id: Annotated[int, Form()] = 1,
) -> Response:
    form_session(request, runtime, csrf, at_least="analyst")
    _board(request, runtime, project_id, lambda boards: boards.delete(project_id, dashboard_id))
    return RedirectResponse(in_project("/dashboards/overview", project_id), status_code=303)
