"""The setup assistant's sessions: the interview (``taxonomy.interview``) with its state
kept in the metadata store, fed with what the project already received, and deployed when
the owner approves.

What already arrived shapes the proposal: raw event names are grouped with their variants
and mapped to the plan's events as aliases (or become new events), and frequent
auto-captured clicks no action counts yet are proposed as named actions
(``taxonomy.learn``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, cast

import orjson
import sqlglot
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlglot import exp

from betterheap.meta.models import SetupSession
from betterheap.meta.plans import PlanVersions, require_project
from betterheap.query.actions import matches_click
from betterheap.store.protocol import EventStore
from betterheap.taxonomy import interview
from betterheap.taxonomy.interview import Learn
from betterheap.taxonomy.learn import (
    ClickProposal,
    NameGroup,
    ObservedClick,
    ObservedName,
    group_variants,
    kept_from,
    learned_plan,
    propose_click_events,
)
from betterheap.taxonomy.plan import TrackingPlan
from betterheap.taxonomy.plan_file import diff_plans
from betterheap.tracking_plan import service

_NAMES: Final = """
SELECT name, sum(events) AS events FROM (
  SELECT coalesce(original_event, event) AS name, count(*) AS events FROM events
  WHERE project_id = $project_id GROUP BY 1
  UNION ALL
  SELECT event, count(*) FROM quarantine WHERE project_id = $project_id GROUP BY 1
) WHERE NOT starts_with(name, '$') GROUP BY name ORDER BY events DESC LIMIT 2000
"""
_CLICKS: Final = """
SELECT elements_chain, any_value(url) AS url, count(*) AS events FROM events
WHERE project_id = $project_id AND event = '$autocapture' AND elements_chain IS NOT NULL
GROUP BY elements_chain ORDER BY events DESC LIMIT 2000
"""


@dataclass(frozen=True)
class Observed:
    """What a project already received, for the assistant to learn from."""

    names: tuple[ObservedName, ...]
    clicks: tuple[ObservedClick, ...]

    def summary(self) -> str | None:
        if not self.names and not self.clicks:
            return None
        total = sum(n.count for n in self.names)
        return (
            f"I see {total:,} events under {len(self.names):,} names already, and "
            f"{sum(c.count for c in self.clicks):,} auto-captured clicks; the proposal will map them."
        )

    def proposed(self, plan: TrackingPlan) -> tuple[list[NameGroup], list[ClickProposal]]:
        """What this teaches ``plan``: the raw names grouped under the events they mean,
        and names for the frequent clicks none of its actions counts yet (a click an
        action already counts needs no second name)."""
        unnamed = [
            click
            for click in self.clicks
            if not any(matches_click(action, click.elements_chain, click.url) for action in plan.actions)
        ]
        return group_variants(self.names, plan), propose_click_events(unnamed, plan)

    def learn(self, plan: TrackingPlan) -> TrackingPlan:
        groups, clicks = self.proposed(plan)
        return learned_plan(plan, groups, clicks, min_count=2)


def observe(store: EventStore, project_id: int) -> Observed:
    def run(sql: str) -> list[dict[str, Any]]:
        return store.query(
            cast(exp.Expression, sqlglot.parse_one(sql, read="duckdb")), {"project_id": project_id}
        )

    names = tuple(ObservedName(str(r["name"]), int(r["events"])) for r in run(_NAMES))
    clicks = tuple(ObservedClick(str(r["elements_chain"]), r["url"], int(r["events"])) for r in run(_CLICKS))
    return Observed(names, clicks)


def proposals(store: EventStore, plans: PlanVersions, project_id: int) -> dict[str, Any]:
    """What the current plan would learn from the events already received
    (:meth:`Observed.proposed`)."""
    _, plan = service.current(plans, project_id)
    groups, clicks = observe(store, project_id).proposed(plan)
    return {
        "groups": [
            {
                "canonical": group.canonical,
                "planned": group.planned,
                "events": group.count,
                "variants": [{"name": v.name, "events": v.count} for v in group.variants],
            }
            for group in groups
        ],
        "clicks": [
            {"name": c.name, "selector": c.selector, "text": c.text, "url": c.url, "events": c.count}
            for c in clicks
        ],
    }


class SetupSessions:
    """Interviews in progress, by id, in the metadata store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def save(self, project_id: int, state: interview.Interview, session_id: str | None = None) -> str:
        if session_id is None:
            require_project(self._engine, project_id)
        session_id = session_id or secrets.token_urlsafe(16)
        body = orjson.dumps(state.to_dict()).decode()
        with Session(self._engine) as session:
            row = session.get(SetupSession, session_id)
            if row is None:
                session.add(SetupSession(id=session_id, project_id=project_id, state=body))
            else:
                row.state = body
                row.updated_at = datetime.now(UTC)
            session.commit()
        return session_id

    def load(self, session_id: str) -> tuple[int, interview.Interview]:
        with Session(self._engine) as session:
            row = session.get(SetupSession, session_id)
            if row is None:
                raise LookupError(f"no setup session {session_id!r}; start one with POST /api/setup/sessions")
            return row.project_id, interview.Interview.from_dict(orjson.loads(row.state))


def _turn(
    session_id: str, project_id: int, state: interview.Interview, extra: dict[str, Any]
) -> dict[str, Any]:
    asked = interview.question(state)
    return {
        "session_id": session_id,
        "project_id": project_id,
        "question": asked.to_dict(),
        # The proposal as plain text, for terminals and chat-like panels.
        "preview_text": interview.render_preview(asked.preview) if asked.preview is not None else None,
        "history": [list(item) for item in state.history],
        **extra,
    }


def start(
    store: EventStore, sessions: SetupSessions, project_id: int, learn_from_events: bool = True
) -> dict[str, Any]:
    observed = observe(store, project_id) if learn_from_events else Observed((), ())
    learn: Callable[[TrackingPlan], TrackingPlan] | None = observed.learn if observed.names else None
    state = interview.start(learn, observed.summary())
    session_id = sessions.save(project_id, state)
    return _turn(session_id, project_id, state, {})


def answer(
    store: EventStore,
    plans: PlanVersions,
    sessions: SetupSessions,
    session_id: str,
    text: str,
    author: str = "",
) -> dict[str, Any]:
    """One answer; on approval the plan is deployed as the project's next version, by
    ``author``."""
    project_id, state = sessions.load(session_id)
    if state.done:
        raise ValueError("this interview is finished; start a new one to change the plan again")
    observed = observe(store, project_id)
    deployed = plans.current(project_id)
    learn: Learn | None = observed.learn if observed.names or observed.clicks else None
    if deployed is not None:
        learn = _keeping(deployed.plan, learn)
    state = interview.answer(state, text, learn)
    extra: dict[str, Any] = {}
    approved = state.approved_plan
    if approved is not None:
        note = "approved in the setup assistant"
        extra["deployed"] = service.deploy(plans, project_id, approved, note, author)
    else:
        extra |= _replaces(plans, project_id, state)
    sessions.save(project_id, state, session_id)
    return _turn(session_id, project_id, state, extra)


def _keeping(deployed: TrackingPlan, learn: Learn | None) -> Learn:
    """Learning that also keeps the deployed plan's own events, actions and internal rules."""

    def keep(plan: TrackingPlan) -> TrackingPlan:
        kept = kept_from(plan, deployed)  # first, so learning sees the deployed actions
        return learn(kept) if learn is not None else kept

    return keep


def _replaces(plans: PlanVersions, project_id: int, state: interview.Interview) -> dict[str, Any]:
    """At the review, what approving would change in the plan in force: ``{"replaces":
    {"version", "changes"}}``; nothing before the review or on a project without a plan."""
    deployed = plans.current(project_id)
    if deployed is None or state.plan is None or interview.question(state).preview is None:
        return {}
    return {"replaces": {"version": deployed.version, "changes": diff_plans(deployed.plan, state.plan)}}


def show(plans: PlanVersions, sessions: SetupSessions, session_id: str) -> dict[str, Any]:
    """The current turn, as the last answer left it (an interview resumed elsewhere)."""
    project_id, state = sessions.load(session_id)
    return _turn(session_id, project_id, state, {} if state.done else _replaces(plans, project_id, state))


def render_question(turn: dict[str, Any]) -> str:
    """A turn as plain text for a terminal."""
    q = turn["question"]
    lines = []
    if q.get("note"):
        lines.append(q["note"])
    if turn.get("preview_text"):
        lines.append(turn["preview_text"])
    replaces = turn.get("replaces")
    if replaces:
        changes = replaces["changes"]
        lines.append(f"Approving replaces tracking plan version {replaces['version']}; compared with it:")
        lines.extend(f"  {change}" for change in changes[:20])
        if len(changes) > 20:
            lines.append(
                f"  ... and {len(changes) - 20} more (`betterheap plan diff` after approving shows all)"
            )
        if not changes:
            lines.append("  no changes")
        lines.append("")
    lines.append(q["text"])
    for number, (_, label) in enumerate(q.get("options") or [], start=1):
        lines.append(f"  {number}. {label}")
    if q.get("hint"):
        lines.append(q["hint"])
    return "\n".join(lines)
