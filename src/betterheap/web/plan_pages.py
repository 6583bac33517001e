"""The tracking plan in the web dashboard: the plan in force (or any version), its YAML
edited with a preview of the changes, the proposals learned from the events already
received, the quarantine and its replay, and the versions with their diffs.

Thin: the rules live in ``tracking_plan`` and ``taxonomy``. Everyone signed in browses;
every form carries the session's CSRF token and needs the analyst role. The quarantine
holds raw payloads, which are personal data: everyone sees reasons, counts and event
names, only roles with PII access (``query.access.PII_ROLES``) the payloads and the
violation details (they quote the values sent).

A change made from a page is deployed only right after the version the page showed
(``based_on``): someone else's deploy in between is never overwritten unseen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final

import orjson
from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from betterheap.meta.plans import PlanConflict, PlanVersions
from betterheap.meta.projects import ProjectInfo
from betterheap.meta.users import SignedIn, at_least
from betterheap.query.access import PII_ROLES
from betterheap.taxonomy.plan import TrackingPlan
from betterheap.taxonomy.plan_file import diff_plans, plan_from_yaml, plan_to_yaml
from betterheap.tracking_plan import proposals, quarantine, service
from betterheap.web.auth import form_session, page_session
from betterheap.web.deps import ProjectId, RuntimeDep
from betterheap.web.templates import back, message_of, templates

router = APIRouter(include_in_schema=False)

Csrf = Annotated[str | None, Form()]
BasedOn = Annotated[int | None, Form(ge=0)]
#: Held events listed on the quarantine page, newest first.
HELD_SHOWN: Final = 50
#: What the editor starts from on a project without a plan.
STARTER: Final = """\
# No tracking plan is deployed yet: every event is stored as sent.
# List the events you expect (docs/tracking-plan.md), or approve the proposals
# learned from the events already received.
name: Tracking plan
events:
  - name: signed_up
    description: Someone created an account.
"""


def _plans(runtime: RuntimeDep) -> PlanVersions:
    if runtime.plans is None:
        raise HTTPException(503, "this server has no metadata store")
    return runtime.plans


def _projects(runtime: RuntimeDep) -> list[ProjectInfo]:
    if runtime.projects is None:
        raise HTTPException(503, "this server has no metadata store")
    return runtime.projects.list()


def render_plan_page(
    request: Request,
    runtime: RuntimeDep,
    who: SignedIn,
    project_id: int,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> Response:
    """A plan page, with what every one of them shows: the project (404 when there is no
    such project), the project switcher and whether this person may edit."""
    projects = _projects(runtime)
    project = next((p for p in projects if p.id == project_id), None)
    if project is None:
        raise HTTPException(404, f"there is no project {project_id}")
    shared = {
        "signed_in": who,
        "wide": True,
        "project": project,
        "projects": projects,
        "can_edit": at_least(who.account.role, "analyst"),
        "tab": template.removeprefix("plan_").removesuffix(".html"),
    }
    return templates.TemplateResponse(request, template, shared | context, status_code=status_code)


def _back(path: str, project_id: int, message: str) -> RedirectResponse:
    """After a form: back to ``path`` with what happened, in words."""
    return RedirectResponse(back(path, project_id, message=message), 303)


def _deployed_words(result: dict[str, Any]) -> str:
    count = len(result["changes"])
    return f"Deployed version {result['version']} ({count} change{'' if count == 1 else 's'})"


# --- the plan ---------------------------------------------------------------------------


@router.get("/plan", response_class=HTMLResponse)
def plan_page(
    request: Request,
    runtime: RuntimeDep,
    project_id: ProjectId = 1,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """The plan in force (or ``version``): its events, properties, actions and rules."""
    who = page_session(request, runtime)
    plans = _plans(runtime)
    current = plans.current(project_id)
    shown = current if version is None else plans.get(project_id, version)
    if version is not None and shown is None:
        raise HTTPException(404, f"project {project_id} has no plan version {version}")
    context = {
        "deployed": shown,
        "latest": current.version if current is not None else 0,
        "yaml": plan_to_yaml(shown.plan) if shown is not None else "",
        "message": message_of(request),
    }
    return render_plan_page(request, runtime, who, project_id, "plan.html", context)


# --- editing the YAML -------------------------------------------------------------------


def _editor(
    request: Request,
    runtime: RuntimeDep,
    who: SignedIn,
    project_id: int,
    text: str,
    note: str,
    based_on: int | None,
    changes: list[str] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The editor: a deploy from it must follow ``based_on`` (None: the version in
    force), the version ``changes`` were computed against."""
    if based_on is None:
        based_on, _ = service.current(_plans(runtime), project_id)
    context = {"text": text, "note": note, "based_on": based_on, "changes": changes, "error": error}
    return render_plan_page(request, runtime, who, project_id, "plan_edit.html", context, status_code)


@router.get("/plan/edit", response_class=HTMLResponse)
def edit_page(request: Request, runtime: RuntimeDep, project_id: ProjectId = 1) -> Response:
    who = page_session(request, runtime, at_least="analyst")
    deployed = _plans(runtime).current(project_id)
    if deployed is None:
        return _editor(request, runtime, who, project_id, STARTER, "", 0)
    return _editor(request, runtime, who, project_id, plan_to_yaml(deployed.plan), "", deployed.version)


def _candidate(text: str) -> TrackingPlan:
    """The plan in the editor, refused (PlanFileError, ValueError) as a deploy would be."""
    plan = plan_from_yaml(text)
    service.check_deployable(plan)
    return plan


@router.post("/plan/edit/preview", response_class=HTMLResponse)
def preview_edit(
    request: Request,
    runtime: RuntimeDep,
    yaml: Annotated[str, Form()],
    csrf: Csrf = None,
    note: Annotated[str, Form()] = "",
    based_on: BasedOn = None,
    project_id: ProjectId = 1,
) -> Response:
    """What deploying the text would change in the version in force, which a deploy from
    here then follows; or the text's problems, the text kept as typed."""
    who = form_session(request, runtime, csrf, at_least="analyst")
    try:
        candidate = _candidate(yaml)
    except ValueError as error:
        return _editor(
            request, runtime, who, project_id, yaml, note, based_on, error=str(error), status_code=400
        )
    version, plan = service.current(_plans(runtime), project_id)
    moved = None
    if based_on is not None and based_on != version:
        moved = (
            f"Version {version} was deployed since you opened the editor (at version {based_on}): "
            "the changes below are against it, so check your text does not undo its work."
        )
    return _editor(request, runtime, who, project_id, yaml, note, version, diff_plans(plan, candidate), moved)


@router.post("/plan/edit", response_class=HTMLResponse)
def deploy_edit(
    request: Request,
    runtime: RuntimeDep,
    yaml: Annotated[str, Form()],
    csrf: Csrf = None,
    note: Annotated[str, Form()] = "",
    based_on: BasedOn = None,
    project_id: ProjectId = 1,
) -> Response:
    """Deploy the text as the version right after ``based_on``; then back to the plan."""
    who = form_session(request, runtime, csrf, at_least="analyst")
    plans = _plans(runtime)
    try:
        candidate = _candidate(yaml)
        result = service.deploy(plans, project_id, candidate, note.strip(), who.account.name, based_on)
    except PlanConflict:
        # Shown against the newer version, which a deploy from the editor then follows.
        version, plan = service.current(plans, project_id)
        error = (
            f"Version {version} was deployed after version {based_on} while you were editing. Below is "
            "what your text changes in it (check it does not undo that work); deploy again to replace it."
        )
        changes = diff_plans(plan, candidate)
        return _editor(request, runtime, who, project_id, yaml, note, version, changes, error, 409)
    except ValueError as error:
        return _editor(
            request, runtime, who, project_id, yaml, note, based_on, error=str(error), status_code=400
        )
    return _back("/plan", project_id, _deployed_words(result))


# --- proposals learned from the events received ------------------------------------------


@router.get("/plan/proposals", response_class=HTMLResponse)
def proposals_page(request: Request, runtime: RuntimeDep, project_id: ProjectId = 1) -> Response:
    who = page_session(request, runtime)
    found = proposals.find(runtime.store, _plans(runtime), project_id)
    context = {
        "version": found.version,
        "open_groups": found.open_groups,
        "dynamic_groups": found.dynamic_groups,
        "mapped_groups": found.mapped_groups,
        "clicks": found.open_clicks,
        "message": message_of(request),
        # Click text and pages as sent may hold e-mail addresses (before a plan scrubs them).
        "personal": who.account.role in PII_ROLES,
    }
    return render_plan_page(request, runtime, who, project_id, "plan_proposals.html", context)


def _approved(project_id: int, approve: Callable[[], dict[str, Any]]) -> RedirectResponse:
    """Back to the proposals with what ``approve()`` (one of ``proposals.approve_*``) did."""
    try:
        result = approve()
    except proposals.Stale as stale:
        return _back(
            "/plan/proposals",
            project_id,
            f"Version {stale.version} was deployed since you opened this page; review the proposals again",
        )
    except proposals.NotOpen:
        return _back("/plan/proposals", project_id, "That proposal is no longer open; nothing was deployed")
    except PlanConflict:
        return _back("/plan/proposals", project_id, "Another version was deployed meanwhile; try again")
    except ValueError as error:
        return _back("/plan/proposals", project_id, f"Nothing deployed: {error}")
    return _back("/plan/proposals", project_id, f"{_deployed_words(result)}: {'; '.join(result['changes'])}")


@router.post("/plan/proposals/names")
def approve_names(
    request: Request,
    runtime: RuntimeDep,
    canonical: Annotated[str, Form()],
    csrf: Csrf = None,
    based_on: BasedOn = None,
    project_id: ProjectId = 1,
) -> Response:
    """Approve one group of raw names: aliases of a planned event, or a new event."""
    who = form_session(request, runtime, csrf, at_least="analyst")
    plans = _plans(runtime)
    return _approved(
        project_id,
        lambda: proposals.approve_names(
            runtime.store, plans, project_id, canonical, based_on, who.account.name
        ),
    )


@router.post("/plan/proposals/clicks")
def approve_click(
    request: Request,
    runtime: RuntimeDep,
    name: Annotated[str, Form()],
    csrf: Csrf = None,
    based_on: BasedOn = None,
    project_id: ProjectId = 1,
) -> Response:
    """Approve one proposed click event: it becomes an action of the plan."""
    who = form_session(request, runtime, csrf, at_least="analyst")
    plans = _plans(runtime)
    return _approved(
        project_id,
        lambda: proposals.approve_click(runtime.store, plans, project_id, name, based_on, who.account.name),
    )


# --- the quarantine -----------------------------------------------------------------------


def _pretty(payload: Any) -> str:
    return orjson.dumps(payload, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode()


@router.get("/plan/quarantine", response_class=HTMLResponse)
def quarantine_page(
    request: Request,
    runtime: RuntimeDep,
    project_id: ProjectId = 1,
    reason: str = "",
    event: str = "",
) -> Response:
    """Held events by reason and name, the newest of them, and the replay. The raw payloads
    are personal data, read only for roles with PII access."""
    who = page_session(request, runtime)
    version, _ = service.current(_plans(runtime), project_id)
    summary = quarantine.quarantine_summary(runtime.store, project_id)
    personal = who.account.role in PII_ROLES
    held = quarantine.list_quarantine(
        runtime.store, project_id, HELD_SHOWN, reason or None, event or None, with_payload=personal
    )
    context = {
        "version": version,
        "summary": summary,
        "total": sum(int(row["events"]) for row in summary),
        "held": held,
        "reason": reason,
        "event": event,
        "personal": personal,
        "payloads": {row["uuid"]: _pretty(row["payload"]) for row in held} if personal else {},
        "message": message_of(request),
    }
    return render_plan_page(request, runtime, who, project_id, "plan_quarantine.html", context)


@router.post("/plan/quarantine/replay")
def replay_quarantine(
    request: Request, runtime: RuntimeDep, csrf: Csrf = None, project_id: ProjectId = 1
) -> Response:
    """Run every held event through the plan in force; what it accepts moves to the store."""
    form_session(request, runtime, csrf, at_least="analyst")
    result = service.replay(runtime.store, _plans(runtime), project_id)
    message = (
        f"Replayed {result['replayed']} held event(s) under plan version {result['plan_version']}: "
        f"{result['stored']} moved to the store, {result['filtered']} filtered, "
        f"{result['still_quarantined']} still quarantined"
    )
    return _back("/plan/quarantine", project_id, message)


# --- versions and diffs -------------------------------------------------------------------


@router.get("/plan/versions", response_class=HTMLResponse)
def versions_page(request: Request, runtime: RuntimeDep, project_id: ProjectId = 1) -> Response:
    who = page_session(request, runtime)
    versions = list(reversed(_plans(runtime).versions(project_id)))
    return render_plan_page(request, runtime, who, project_id, "plan_versions.html", {"versions": versions})


#: How a diff line starts → the heading it is listed under.
_KINDS: Final = (("+", "Added"), ("-", "Removed"), ("~", "Changed"))


@router.get("/plan/diff", response_class=HTMLResponse)
def diff_page(
    request: Request,
    runtime: RuntimeDep,
    project_id: ProjectId = 1,
    from_version: Annotated[int | None, Query(alias="from", ge=0)] = None,
    to_version: Annotated[int | None, Query(alias="to", ge=0)] = None,
) -> Response:
    """What changed between two versions (default: the previous and the current one)."""
    who = page_session(request, runtime)
    plans = _plans(runtime)
    try:
        found = service.diff(plans, project_id, from_version, to_version)
    except ValueError as error:
        raise HTTPException(404, str(error)) from error
    sections = [
        (heading, [line[2:] for line in found["changes"] if line.startswith(sign)], sign)
        for sign, heading in _KINDS
    ]
    context = {
        "from_version": found["from"],
        "to_version": found["to"],
        "before": plans.get(project_id, found["from"]),
        "after": plans.get(project_id, found["to"]),
        "sections": [section for section in sections if section[1]],
        "versions": plans.versions(project_id),
    }
    return render_plan_page(request, runtime, who, project_id, "plan_diff.html", context)
