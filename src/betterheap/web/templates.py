"""What every page renders with: the Jinja2 templates (with the header's project picker),
chart specs inlined safely, and redirect targets with their query encoded."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Final
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


#: Signs the messages a redirect carries, so only this server's own words show as a page's
#: status line (a crafted ``?message=`` link shows nothing). Per process: a restart only
#: drops the messages of redirects in flight.
_MESSAGE_KEY: Final = secrets.token_bytes(32)


def _signature(path: str, message: str) -> bytes:
    """The message's tag for the page at ``path`` (a message signed for one page does not
    show on another)."""
    digest = hmac.new(_MESSAGE_KEY, f"{path}\n{message}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=")


def back(path: str, project_id: int = 1, message: str | None = None, **params: object) -> str:
    """``path`` in project ``project_id`` with ``params`` encoded, and ``message`` signed for
    :func:`message_of` to show on the page it leads to."""
    query = {key: value for key, value in params.items() if value is not None}
    if message is not None:
        query |= {"message": message, "sig": _signature(path, message).decode()}
    if project_id != 1:
        query["project_id"] = project_id
    return f"{path}?{urlencode(query)}" if query else path


def message_of(request: Request, limit: int = 300) -> str:
    """The status message :func:`back` sent this page to show ("" when none or not ours).

    >>> from starlette.requests import Request
    >>> def asked(url: str) -> Request:
    ...     path, _, query = url.partition("?")
    ...     return Request({"type": "http", "path": path, "query_string": query.encode(), "headers": []})
    >>> message_of(asked(back("/projects", message="Created Shop & co")))
    'Created Shop & co'
    >>> message_of(asked("/projects?message=Your+session+expired,+sign+in+at+evil.example"))
    ''
    >>> message_of(asked(back("/admin/users", message="Created Shop").replace("/admin/users", "/projects")))
    ''
    >>> message_of(asked("/projects?message=x&sig=%C3%A9"))
    ''
    """
    message = request.query_params.get("message", "")
    sent = request.query_params.get("sig", "")
    expected = _signature(request.url.path, message)
    if not message or not hmac.compare_digest(sent.encode(), expected):
        return ""
    return message[:limit]
