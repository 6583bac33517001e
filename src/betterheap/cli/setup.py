"""``betterheap setup``: the setup assistant's interview in the terminal."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from betterheap.cli.common import DataDir, ProjectId, _call, _settings, app
from betterheap.meta.users import LOCAL_CLI
from betterheap.runtime import Runtime
from betterheap.tracking_plan import setup as assistant


def _sessions(runtime: Runtime) -> assistant.SetupSessions:
    assert runtime.projects is not None
    return assistant.SetupSessions(runtime.projects.engine)


@app.command()
def setup(
    answers: Annotated[
        list[str] | None,
        typer.Option("--answer", help="Answer the next question with this (repeat; then asks)."),
    ] = None,
    project_id: ProjectId = 1,
    data_dir: DataDir = None,
) -> None:
    """Describe your product in a short interview and get a tracking plan, deployed when
    you approve it. Events already received are mapped into the proposal."""
    settings = _settings(data_dir)
    turn: dict[str, Any] = _call(
        settings,
        "POST",
        "/api/setup/sessions",
        [("project_id", project_id)],
        lambda rt: assistant.start(rt.store, _sessions(rt), project_id),
    )
    queued = list(answers or [])
    session_id = turn["session_id"]
    while "deployed" not in turn and turn["question"]["kind"] != "done":
        typer.echo(assistant.render_question(turn))
        if queued:
            text = queued.pop(0)
            typer.echo(f"> {text}")
        else:
            text = typer.prompt("", default="", show_default=False, prompt_suffix="> ")

        def local(runtime: Runtime, text: str = text) -> dict[str, Any]:
            assert runtime.plans is not None
            return assistant.answer(
                runtime.store, runtime.plans, _sessions(runtime), session_id, text, LOCAL_CLI
            )

        try:
            turn = _call(
                settings, "POST", f"/api/setup/sessions/{session_id}/answer", [], local, {"answer": text}
            )
        except typer.Exit:  # the reason is printed; ask again (the session kept its state)
            if queued:
                raise
            continue
        typer.echo("")
    deployed = turn.get("deployed")
    if deployed:
        typer.echo(f"Deployed tracking plan version {deployed['version']}:")
        for line in deployed["changes"]:
            typer.echo(f"  {line}")
        typer.echo("See it with `betterheap plan show`; data quality with `betterheap quality`.")
