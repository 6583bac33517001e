"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from betterheap import __version__
from betterheap.runtime import Runtime, open_runtime, tune_garbage_collector
from betterheap.settings import Settings
from betterheap.web import (
    auth,
    chat_page,
    dashboards,
    headers,
    insight_pages,
    pages,
    plan_pages,
    projects,
    sdk,
    setup_page,
)
from betterheap.web.api import chat, ingest, insights, setup, system, tracking_plan
from betterheap.web.templates import templates


async def _redirect(request: Request, error: Exception) -> Response:
    assert isinstance(error, auth.Redirect)
    return error.response


HEADINGS: Final = {
    400: "That did not work",
    401: "Please sign in",
    403: "Not for your role",
    404: "Not found",
    422: "That address is not right",
}


def _for_a_browser(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


async def _refused(request: Request, error: Exception) -> Response:
    """A refusal in the form the asker reads: JSON for the API, a line of text for a panel
    (htmx shows it in place), a page for a browser."""
    assert isinstance(error, StarletteHTTPException)
    if request.url.path.startswith("/api/") or error.status_code in (204, 304):
        return await http_exception_handler(request, error)
    if request.headers.get("HX-Request") == "true":
        return PlainTextResponse(str(error.detail), status_code=error.status_code, headers=error.headers)
    if not _for_a_browser(request):
        return await http_exception_handler(request, error)
    return _error_page(request, error.status_code, str(error.detail), error.headers)


async def _unreadable(request: Request, error: Exception) -> Response:
    """A page asked for with parameters it cannot read (``?version=0``): in words."""
    assert isinstance(error, RequestValidationError)
    if not _for_a_browser(request):
        return await request_validation_exception_handler(request, error)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e['loc'][1:]) or 'the request'}: {e['msg']}" for e in error.errors()
    )
    return _error_page(request, 422, f"This address has something the page cannot read — {problems}.")


def _error_page(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    try:
        who = auth.signed_in(request, auth.users_of(request, request.app.state.runtime))
    except Exception:  # noqa: BLE001 — an error page must not fail on the session store
        who = None
    heading = HEADINGS.get(status, "Something went wrong")
    values = {"signed_in": who, "status": status, "heading": heading, "detail": detail}
    return templates.TemplateResponse(request, "error.html", values, status_code=status, headers=headers)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """An app over ``runtime`` (or one opened from ``settings`` for the app's lifetime)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = runtime is None
        active = runtime if runtime is not None else open_runtime(settings or Settings())
        if own and active.loader is not None:
            active.loader.start()
        app.state.runtime = active
        tune_garbage_collector()
        try:
            yield
        finally:
            if own:
                active.close()

    app = FastAPI(
        title="BetterHeap",
        version=__version__,
        description="Product analytics API: ingestion (Segment and PostHog formats) and insights.",
        lifespan=lifespan,
    )
    if runtime is not None:
        app.state.runtime = runtime
    app.include_router(ingest.router)
    app.include_router(system.router)
    app.include_router(insights.router)
    app.include_router(tracking_plan.router)
    app.include_router(setup.router)
    app.include_router(chat.router)
    app.include_router(sdk.router)
    app.include_router(auth.router)
    app.include_router(projects.router)
    app.include_router(dashboards.router)
    app.include_router(insight_pages.router)
    app.include_router(chat_page.router)
    app.include_router(pages.router)
    app.include_router(plan_pages.router)
    app.include_router(setup_page.router)
    # The pages' own front-end files (vendor/: htmx, vega-embed, built by `make install`).
    static = StaticFiles(directory=Path(__file__).parent / "static", check_dir=False)
    app.mount("/static", static, name="static")
    app.add_exception_handler(auth.Redirect, _redirect)
    app.add_exception_handler(StarletteHTTPException, _refused)
    app.add_exception_handler(RequestValidationError, _unreadable)
    app.add_middleware(sdk.IngestCors)
    app.add_middleware(headers.PageHeaders)
    return app
