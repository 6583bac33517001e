"""Errors the gateway turns into 4xx answers."""

from __future__ import annotations


class PayloadError(ValueError):
    """The request body is not a valid payload; ``problems`` say what is wrong and where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


class PayloadTooLarge(ValueError):
    """The body (after decompression) exceeds the configured limit."""


class UnknownWriteKey(PermissionError):
    """No project has this write key."""
