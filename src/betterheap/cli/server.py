"""``serve``."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from betterheap.cli.common import DataDir, _fail, _settings, app
from betterheap.cli.users import open_users
from betterheap.server_link import remove_server_file, running_server, write_server_file


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    data_dir: DataDir = None,
) -> None:
    """Serve ingestion, the API (/docs) and the home page."""
    import uvicorn

    from betterheap.web.api.callers import trust_local_cli
    from betterheap.web.app import create_app

    settings = _settings(data_dir)
    updates = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = settings.model_copy(update=updates)
    link = running_server(settings.server_file)
    if link is not None:
        _fail(f"a server already serves {settings.data_dir} at {link.url}")
    url = f"http://{settings.host}:{settings.port}"
    first_password = open_users(settings).ensure_admin()
    # The command line on this machine acts as the local admin with this token (see server_link).
    local_token = secrets.token_urlsafe(32)
    served = create_app(settings)
    trust_local_cli(served, local_token)
    write_server_file(settings.server_file, url, local_token)
    typer.echo(f"BetterHeap on {url}  (data: {settings.data_dir.resolve()}, API docs: {url}/docs)")
    if first_password:
        typer.echo(f"First run: sign in at {url} as admin with the one-time password {first_password}")
    try:
        uvicorn.run(served, host=settings.host, port=settings.port, log_level="warning")
    finally:
        remove_server_file(settings.server_file)
