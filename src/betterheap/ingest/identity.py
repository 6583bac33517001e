"""Persons: which distinct ids belong together (identify / alias merges).

A small union-find kept in memory and persisted as ``(project, distinct_id, person_id)``
links. The identified id wins as the person id, so a person keeps the id a customer knows.

An id that already belongs to another person is not merged again through it: when Bob
logs in on the browser Alice used, the browser's anonymous id stays Alice's and Bob stays
Bob (the shared-device case; PostHog refuses the same merge). A person's own id can still
be merged into another person (``alias`` of one user id to another).
"""

from __future__ import annotations

from collections import defaultdict


class Identities:
    def __init__(self, links: list[tuple[int, str, str]] | None = None) -> None:
        self._person: dict[tuple[int, str], str] = {}
        self._members: dict[tuple[int, str], set[str]] = defaultdict(set)
        for project_id, distinct_id, person_id in links or []:
            self._person[(project_id, distinct_id)] = person_id
            self._members[(project_id, person_id)].add(distinct_id)

    def person_of(self, project_id: int, distinct_id: str) -> str:
        return self._person.get((project_id, distinct_id), distinct_id)

    def link(self, project_id: int, distinct_id: str, belongs_to: str) -> list[tuple[int, str, str]]:
        """Merge ``distinct_id``'s person into ``belongs_to``'s; return the changed links."""
        source = self.person_of(project_id, distinct_id)
        target = self.person_of(project_id, belongs_to)
        if source == target or source != distinct_id:  # distinct_id already belongs to a person
            return []
        moved = self._members.pop((project_id, source), set()) | {source, distinct_id}
        changed: list[tuple[int, str, str]] = []
        members = self._members[(project_id, target)]
        members.add(belongs_to)
        if (project_id, belongs_to) not in self._person:
            self._person[(project_id, belongs_to)] = target
            changed.append((project_id, belongs_to, target))
        for member in sorted(moved):
            self._person[(project_id, member)] = target
            members.add(member)
            changed.append((project_id, member, target))
        return changed
