"""Persons: identify and alias merge distinct ids; the merges survive a restart."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from betterheap.ingest.identity import Identities

P = 1


def test_an_unknown_id_is_its_own_person() -> None:
    assert Identities().person_of(P, "anon-1") == "anon-1"


def test_identify_merges_the_anonymous_id_into_the_user() -> None:
    ids = Identities()
    changed = ids.link(P, "anon-1", "user-1")
    assert ids.person_of(P, "anon-1") == "user-1"
    assert ids.person_of(P, "user-1") == "user-1"
    assert sorted(changed) == [(P, "anon-1", "user-1"), (P, "user-1", "user-1")]


def test_linking_twice_changes_nothing_the_second_time() -> None:
    ids = Identities()
    ids.link(P, "anon-1", "user-1")
    assert ids.link(P, "anon-1", "user-1") == []
    assert ids.link(P, "user-1", "user-1") == []


def test_several_devices_of_one_user() -> None:
    ids = Identities()
    for device in ("phone", "laptop", "tablet"):
        ids.link(P, device, "user-1")
    assert {ids.person_of(P, d) for d in ("phone", "laptop", "tablet", "user-1")} == {"user-1"}


def test_a_chain_resolves_to_one_person() -> None:
    ids = Identities()
    ids.link(P, "a", "b")
    ids.link(P, "b", "c")
    ids.link(P, "c", "d")
    assert {ids.person_of(P, x) for x in "abcd"} == {"d"}


def test_a_chain_linked_from_the_other_end() -> None:
    ids = Identities()
    ids.link(P, "c", "d")
    ids.link(P, "b", "c")
    ids.link(P, "a", "b")
    assert len({ids.person_of(P, x) for x in "abcd"}) == 1


def test_merging_two_already_merged_groups() -> None:
    ids = Identities()
    ids.link(P, "anon-1", "user-1")
    ids.link(P, "anon-2", "user-1")
    ids.link(P, "anon-3", "user-2")
    ids.link(P, "anon-4", "user-2")
    ids.link(P, "user-1", "user-2")  # an alias: the two people turn out to be one
    persons = {ids.person_of(P, x) for x in ("anon-1", "anon-2", "anon-3", "anon-4", "user-1", "user-2")}
    assert persons == {"user-2"}


def test_a_shared_browser_does_not_merge_two_known_people() -> None:
    ids = Identities()
    ids.link(P, "browser-1", "alice")  # Alice signs in on a shared computer
    assert ids.link(P, "browser-1", "bob") == []  # later Bob signs in on it, without reset()
    assert ids.person_of(P, "browser-1") == "alice"
    assert ids.person_of(P, "bob") == "bob"


def test_ids_are_per_project() -> None:
    ids = Identities()
    ids.link(1, "anon", "user")
    assert ids.person_of(1, "anon") == "user"
    assert ids.person_of(2, "anon") == "anon"


def test_unrelated_people_stay_apart() -> None:
    ids = Identities()
    ids.link(P, "a1", "u1")
    ids.link(P, "a2", "u2")
    assert ids.person_of(P, "a1") != ids.person_of(P, "a2")


def test_persisted_links_rebuild_the_same_persons() -> None:
    ids = Identities()
    persisted: dict[tuple[int, str], str] = {}
    for pair in [("a", "b"), ("c", "d"), ("b", "d"), ("e", "a")]:
        for project, distinct, person in ids.link(P, *pair):
            persisted[(project, distinct)] = person
    rebuilt = Identities([(p, d, q) for (p, d), q in persisted.items()])
    assert all(rebuilt.person_of(P, x) == ids.person_of(P, x) for x in "abcde")
    # Merging after the restart still moves the whole group.
    rebuilt.link(P, "d", "z")
    assert {rebuilt.person_of(P, x) for x in "abcdez"} == {"z"}


# -- against a naive oracle -----------------------------------------------------------------


class Oracle:
    """Brute force over an explicit id -> person table, rescanned on every merge."""

    def __init__(self) -> None:
        self.person: dict[tuple[int, str], str] = {}

    def of(self, project: int, x: str) -> str:
        return self.person.get((project, x), x)

    def link(self, project: int, a: str, b: str) -> None:
        source, target = self.of(project, a), self.of(project, b)
        if source == target or source != a:  # a already belongs to someone else
            return
        for key in [k for k in self.person if k[0] == project and self.person[k] == source]:
            self.person[key] = target
        self.person[(project, a)] = target
        self.person[(project, b)] = target
        self.person[(project, source)] = target


NAMES = [f"id{i}" for i in range(8)]
LINKS = st.lists(
    st.tuples(st.sampled_from([1, 2]), st.sampled_from(NAMES), st.sampled_from(NAMES)), max_size=25
)


def persist(store: dict[tuple[int, str], str], changed: list[tuple[int, str, str]]) -> None:
    """What the event store does with returned links: INSERT OR REPLACE by (project, id)."""
    for project, distinct, person in changed:
        store[(project, distinct)] = person


@settings(max_examples=100, deadline=None)
@given(links=LINKS)
def test_persons_match_a_brute_force_table(links: list[tuple[int, str, str]]) -> None:
    ids = Identities()
    oracle = Oracle()
    for project, a, b in links:
        ids.link(project, a, b)
        oracle.link(project, a, b)
    for project in (1, 2):
        for x in NAMES:
            assert ids.person_of(project, x) == oracle.of(project, x)


@settings(max_examples=100, deadline=None)
@given(before=LINKS, after=LINKS)
def test_rebuilding_from_persisted_links_gives_the_same_persons(
    before: list[tuple[int, str, str]], after: list[tuple[int, str, str]]
) -> None:
    live = Identities()
    persisted: dict[tuple[int, str], str] = {}
    for project, a, b in before:
        persist(persisted, live.link(project, a, b))

    restarted = Identities([(p, d, q) for (p, d), q in persisted.items()])
    for project in (1, 2):
        for x in NAMES:
            assert restarted.person_of(project, x) == live.person_of(project, x)

    # Both go on merging the same way, and their persisted links still describe them.
    for project, a, b in after:
        live.link(project, a, b)
        persist(persisted, restarted.link(project, a, b))
    reloaded = Identities([(p, d, q) for (p, d), q in persisted.items()])
    for project in (1, 2):
        for x in NAMES:
            assert restarted.person_of(project, x) == live.person_of(project, x)
            assert reloaded.person_of(project, x) == live.person_of(project, x)
