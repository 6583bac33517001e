"""The ``betterheap`` command. Thin: parse options, call services, print."""

from __future__ import annotations

from betterheap.cli import chat, data, insights, server, setup, tracking_plan, users  # noqa: F401 - commands register on import
from betterheap.cli.common import app


def main() -> None:
    app()


__all__ = ["app", "main"]
