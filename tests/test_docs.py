"""Documentation is part of the change: every command and setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from betterheap.cli import app
from betterheap.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _command_names(group: typer.Typer, prefix: str = "") -> list[str]:
    names = [prefix + (c.name or c.callback.__name__.replace("_", "-")) for c in group.registered_commands]
    for sub in group.registered_groups:
        names += _command_names(sub.typer_instance, prefix + f"{sub.name} ")
    return names


def test_every_cli_command_has_a_section_in_docs_cli() -> None:
    text = (DOCS / "cli.md").read_text()
    names = _command_names(app)
    assert "demo" in names and "project list" in names
    for name in names:
        top = name.split()[0]
        assert f"`betterheap {top}" in text, f"docs/cli.md does not document `betterheap {name}`"
        assert f"betterheap {name}" in text, f"docs/cli.md does not show `betterheap {name}`"


def test_every_setting_is_documented_with_its_environment_variable() -> None:
    text = (DOCS / "settings.md").read_text()
    for field in Settings.model_fields:
        variable = f"BETTERHEAP_{field.upper()}"
        assert re.search(rf"`{variable}`", text), f"docs/settings.md does not document {variable}"
