"""What every page renders with: the Jinja2 templates (with the header's project picker),
chart specs inlined safely, and redirect targets with their query encoded."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import orjson
from fastapi import Request
from fastapi.templating import Jinja2Templates

from betterheap.pipeline.filters import scrub_emails


def _project_choice(request: Request) -> dict[str, object]:
    """Every page's project picker: the project shown (``?project_id=``, default 1) and all
    projects, for the header."""
    runtime = getattr(request.app.state, "runtime", None)
    projects = runtime.projects.list() if runtime is not None and runtime.projects is not None else []
    chosen = request.query_params.get("project_id", "1")
    return {"project_choice": int(chosen) if chosen.isdigit() else 1, "all_projects": projects}


templates = Jinja2Templates(
    directory=Path(__file__).parent / "templates", context_processors=[_project_choice]
)
#: ``{{ text | scrub_emails }}``: e-mail addresses in what a page shows replaced by [email].
templates.env.filters["scrub_emails"] = scrub_emails


def inline_json(value: object) -> str:
    """``value`` as JSON safe inside ``<script type="application/json">``: no ``<`` at all,
    so neither ``</script>`` nor ``<!--`` in a property value can end or bend the script.

    >>> print(inline_json({"v": "</script><!--"}))
    {"v":"\\u003c/script>\\u003c!--"}
    """
    return orjson.dumps(value).decode().replace("<", "\\u003c")


def back(path: str, project_id: int = 1, **params: object) -> str:
    """``path`` with ``params`` (a message, say) encoded, in project ``project_id``.

    >>> back("/dashboards/saved/3", 2, message="Saved: a & b #1")
    '/dashboards/saved/3?message=Saved%3A+a+%26+b+%231&project_id=2'
    """
    query = {key: value for key, value in params.items() if value is not None}
    if project_id != 1:
        query["project_id"] = project_id
    return f"{path}?{urlencode(query)}" if query else path
