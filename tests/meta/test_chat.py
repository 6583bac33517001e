"""Kept conversations: a lower role's list holds its own, however many newer ones were held
at a higher role."""

from __future__ import annotations

from pathlib import Path

import pytest

from betterheap.meta.chat import Conversations
from betterheap.meta.projects import ProjectDirectory


def test_a_viewers_list_is_not_crowded_out_by_admins(tmp_path: Path) -> None:
    projects = ProjectDirectory(f"sqlite:///{tmp_path / 'meta.db'}")
    projects.ensure_default()
    kept = Conversations(projects.engine)
    mine = kept.start(1, "viewer", "signups last week")
    for i in range(3):
        kept.start(1, "admin", f"emails of buyers {i}")
    assert [c["id"] for c in kept.list(1, limit=2, role="viewer")] == [mine]
    assert {c["role"] for c in kept.list(1, limit=10, role="analyst")} == {"viewer"}
    assert len(kept.list(1, limit=2)) == 2 and len(kept.list(1, limit=10, role="admin")) == 4
    with pytest.raises(PermissionError):
        kept.readable(kept.list(1, limit=1, role="admin")[0]["id"], "viewer")
