"""``betterheap users``: accounts, their sessions and API tokens (the metadata store,
directly: a running server shares it)."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import create_engine

from betterheap.cli.common import DataDir, Format, _fail, _print_rows, _settings, app
from betterheap.meta.models import Base
from betterheap.meta.users import Users
from betterheap.settings import Settings

users_app = typer.Typer(
    help="People who sign in, their roles, sessions and API tokens.", no_args_is_help=True
)
app.add_typer(users_app, name="users")


def open_users(settings: Settings) -> Users:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.meta_url)
    Base.metadata.create_all(engine)
    return Users(engine)


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option("--role", help="viewer, analyst or admin.")] = "viewer",
    password: Annotated[
        str | None, typer.Option("--password", help="Omit to generate a one-time password to pass on.")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Add someone who signs in; prints the one-time password when none is given."""
    try:
        account, generated = open_users(_settings(data_dir)).add(name, role, password)
    except ValueError as error:
        _fail(str(error))
        return
    typer.echo(f"added {account.name} ({account.role})")
    if generated:
        typer.echo(f"one-time password: {generated}  (to be changed at the first sign-in)")


@users_app.command("list")
def users_list(fmt: Format = "table", data_dir: DataDir = None) -> None:
    """Every account with its role and how many sessions and API tokens are live."""
    _print_rows(open_users(_settings(data_dir)).accounts(), fmt)


@users_app.command("tokens")
def users_tokens(name: str, fmt: Format = "table", data_dir: DataDir = None) -> None:
    """NAME's live API tokens: labels and when they were issued."""
    try:
        rows = open_users(_settings(data_dir)).tokens(name)
    except LookupError as error:
        _fail(str(error))
        return
    _print_rows(rows, fmt)


@users_app.command("token")
def users_token(
    name: str,
    label: Annotated[str, typer.Option("--label", help="What the token is for (shown nowhere else).")] = "",
    data_dir: DataDir = None,
) -> None:
    """Issue a personal API token for NAME (sent as 'Authorization: Bearer TOKEN'; it acts
    with NAME's role). Printed once; only its hash is kept."""
    try:
        token = open_users(_settings(data_dir)).issue_token(name, label)
    except LookupError as error:
        _fail(str(error))
        return
    typer.echo(token)


@users_app.command("revoke")
def users_revoke(
    name: str,
    keep_tokens: Annotated[
        bool, typer.Option("--keep-tokens", help="End the sessions only; API tokens keep working.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """End every session and API token of a user (they must sign in again, programs need
    a new token)."""
    users = open_users(_settings(data_dir))
    try:
        ended = users.revoke(name)
        tokens = 0 if keep_tokens else users.revoke_tokens(name)
    except LookupError as error:
        _fail(str(error))
        return
    typer.echo(f"ended {ended} session{'s' if ended != 1 else ''} of {name}")
    if not keep_tokens:
        typer.echo(f"ended {tokens} API token{'s' if tokens != 1 else ''} of {name}")
