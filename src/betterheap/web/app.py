"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

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
)
from betterheap.web.api import chat, ingest, insights, setup, system, tracking_plan


async def _redirect(request: Request, error: Exception) -> Response:
    assert isinstance(error, auth.Redirect)
    return error.response


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
    # The pages' own front-end files (vendor/: htmx, vega-embed, built by `make install`).
    static = StaticFiles(directory=Path(__file__).parent / "static", check_dir=False)
    app.mount("/static", static, name="static")
    app.add_exception_handler(auth.Redirect, _redirect)
    app.add_middleware(sdk.IngestCors)
    app.add_middleware(headers.PageHeaders)
    return app
