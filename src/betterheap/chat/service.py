"""The chat as the CLI and the API call it: a question in, the same JSON out —
``status`` (answered, clarify or refused), ``answer``, ``query``, ``sql``, ``rows``,
``chart`` and ``suggestions`` — with the conversation kept and the question audited.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, cast

import sqlglot
from sqlglot import exp

from betterheap.chat import answer as answers
from betterheap.chat import digest as digests
from betterheap.chat import why
from betterheap.chat.llm import Provider, ProviderError, agent
from betterheap.chat.llm.anthropic import Anthropic
from betterheap.chat.llm.openai import OpenAICompatible
from betterheap.chat.parser import Clarify, Parsed, Refused, examples, parse
from betterheap.chat.semantic import DIMENSIONS, Vocabulary, build_vocabulary
from betterheap.chat.sql_tool import run_sql
from betterheap.chat.structured import InvalidQuery, StructuredQuery, validate
from betterheap.insights import service as insights
from betterheap.meta.chat import Audited, AuditLog, Conversations
from betterheap.meta.knowledge import Knowledge
from betterheap.meta.plans import PlanVersions
from betterheap.query.access import PII_ROLES, ROLES
from betterheap.query.ir import Filter, Property
from betterheap.settings import Settings
from betterheap.store.protocol import EventStore
from betterheap.tracking_plan import service as plans_service

#: How long a project's vocabulary (observed names and values) is reused.
VOCABULARY_SECONDS: Final = 300
_OBSERVED: Final = """
SELECT event AS name, count(*) AS events FROM events WHERE project_id = $project_id
GROUP BY event ORDER BY events DESC LIMIT 500
"""
_VALUES: Final = """
SELECT '{column}' AS dimension, {column} AS value, count(*) AS events FROM events
WHERE project_id = $project_id AND {column} IS NOT NULL GROUP BY {column} ORDER BY events DESC LIMIT 50
"""
_VALUE_COLUMNS: Final = ("channel", "device_type", "os", "browser", "utm_source", "utm_campaign")


@dataclass
class Chat:
    """The chat over one store and metadata store."""

    store: EventStore
    plans: PlanVersions
    conversations: Conversations
    audit: AuditLog
    timeout: float = 30.0
    #: An LLM to plan with (None: the no-LLM parser answers everything).
    provider: Provider | None = None
    #: The team's definitions, business metrics and notes.
    knowledge: Knowledge | None = None

    def __post_init__(self) -> None:
        self._vocabularies: dict[tuple[int, int, int], tuple[float, Vocabulary]] = {}
        self._lock = threading.Lock()

    def ask(
        self,
        project_id: int,
        question: str,
        conversation_id: str | None = None,
        role: str = "analyst",
        who: str = "anonymous",
        today: date | None = None,
    ) -> dict[str, Any]:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        started = time.perf_counter()
        today = today or datetime.now(UTC).date()
        if conversation_id is None:
            conversation_id = self.conversations.start(project_id, role, question)
        previous_raw = self.conversations.last_query(conversation_id)
        previous = StructuredQuery.model_validate(previous_raw) if previous_raw else None
        vocab = self.vocabulary(project_id)
        with insights.recording() as ran:
            result = self._answer(project_id, question, vocab, today, previous, role)
        if self.knowledge is not None and result.status == "answered" and result.query:
            result.knowledge = self._notes(project_id, result.query)
        ran_sql = answers.sql_of(ran, self.store.dialect)
        if result.sql is None and result.status == "answered":
            result.sql = ran_sql
        response = result.to_dict() | {"conversation_id": conversation_id}
        self.conversations.add(conversation_id, question, response)
        self._audited(project_id, who, role, "chat", question, ran_sql, result, started)
        return response

    def _answer(
        self,
        project_id: int,
        question: str,
        vocab: Vocabulary,
        today: date,
        previous: StructuredQuery | None,
        role: str,
    ) -> answers.Answer:
        outcome = parse(question, vocab, today, previous, pii_access=role in PII_ROLES)
        if isinstance(outcome, Refused):
            if outcome.summary:
                return self._summary(project_id, outcome, today)
            return answers.Answer("refused", outcome.reason, suggestions=list(outcome.instead))
        assert isinstance(outcome, Parsed) or isinstance(outcome, Clarify)
        if self.provider is not None:
            with_llm = self._with_llm(project_id, question, vocab, today, role, outcome)
            if with_llm is not None:
                return with_llm
        return self._answer_parsed(project_id, outcome, vocab, today)

    def _compute(
        self, project_id: int, query: StructuredQuery, vocab: Vocabulary, today: date, understood: str
    ) -> answers.Answer:
        """Answer a structured query (from the parser or the LLM), validated first."""
        actions = plans_service.actions(self.plans, project_id)
        outcome = Parsed(query, understood)
        if query.kind == "digest":
            length = timedelta(days=query.days)
            before = (
                query.compare_from or query.date_from - length,
                query.compare_to or query.date_to - length,
            )
            text, rows = digests.digest(
                self.store, project_id, vocab, (query.date_from, query.date_to), before, actions
            )
            return answers.Answer(
                "answered", text, query.model_dump(mode="json"), rows=rows, understood=outcome.understood
            )
        if query.kind == "why":
            subject = query.event or query.metric or ""
            text, rows, chart = why.explain(self.store, project_id, subject, query.date_from, actions)
            return answers.Answer(
                "answered",
                text,
                query.model_dump(mode="json"),
                rows=rows,
                chart=chart,
                understood=outcome.understood,
            )
        try:
            validate(query, vocab)
            return answers.answer_query(self.store, project_id, query, actions, outcome.understood, today)
        except InvalidQuery as error:
            return answers.Answer("clarify", str(error), suggestions=list(examples(vocab)))

    def _with_llm(
        self,
        project_id: int,
        question: str,
        vocab: Vocabulary,
        today: date,
        role: str,
        fallback: Parsed | Clarify,
    ) -> answers.Answer | None:
        """The LLM's answer, grounded in what its tools computed; None when the provider
        fails or writes a number nothing computed and nothing was computed to show instead
        (the no-LLM answer is given then)."""
        assert self.provider is not None
        _, plan = plans_service.current(self.plans, project_id)

        def run_query(query: StructuredQuery) -> dict[str, Any]:
            validate(query, vocab)
            return self._compute(project_id, query, vocab, today, "from the assistant").to_dict()

        def run_guarded(sql: str) -> list[dict[str, Any]]:
            ran = run_sql(
                self.store, self.plans, self.audit, project_id, sql, role, source="llm", aggregates=True
            )
            return list(ran["rows"])

        def segment_size(draft: dict[str, Any]) -> int:
            start = date.fromisoformat(
                str(draft.get("date_from") or (today - timedelta(days=30)).isoformat())
            )
            end = date.fromisoformat(str(draft.get("date_to") or (today - timedelta(days=1)).isoformat()))
            rules = tuple(
                Filter(Property(str(f["property"])), tuple(str(v) for v in f["values"]))
                for f in draft.get("filters") or []
                if isinstance(f, dict) and f.get("property") not in vocab.pii_properties
            )
            event = draft.get("event") if draft.get("event") in vocab.event_names else None
            return int(insights.totals(self.store, project_id, event, start, end, filters=rules)["people"])

        def search(text: str) -> list[str]:
            if self.knowledge is None:
                return []
            words = set(re.findall(r"[a-z0-9_$]+", text.lower()))
            return [f"{e['kind']} {e['name']}: {e['text']}" for e in self.knowledge.about(project_id, words)]

        box = agent.ToolBox(vocab, plan, today, run_query, run_guarded, segment_size, search)
        try:
            text, is_grounded = agent.converse(self.provider, question, box)
        except ProviderError as error:
            note = f"(The LLM could not be used: {error}. Answered without it.)"
            base = self._answer_parsed(project_id, fallback, vocab, today)
            base.answer = f"{base.answer}\n{note}"
            return base
        computed = box.last_answer
        if is_grounded and text:
            result = answers.Answer("answered", text, understood="by the assistant")
        elif computed is not None:
            withheld = "(The assistant's wording was withheld: a number in it matched no computed result.)"
            result = answers.Answer("answered", f"{computed['answer']}\n{withheld}")
        else:
            return None
        if computed is not None:
            result.query, result.rows, result.chart = computed["query"], computed["rows"], computed["chart"]
        result.chart = box.chart or result.chart
        result.drafts = box.drafts
        return result

    def recompute(
        self,
        project_id: int,
        query: dict[str, Any],
        role: str,
        question: str = "",
        today: date | None = None,
        who: str = "anonymous",
        asked_on: date | None = None,
    ) -> dict[str, Any]:
        """The answer to a structured query saved earlier (a pinned answer), on today's data,
        for ``role``: validated again against today's vocabulary, and a property the plan
        now flags as personal data is refused to roles without PII access (PermissionError).
        Audited like a question, as asked from a dashboard by ``who``.

        When its ``question``, asked on ``asked_on``, alone gave this query and names a time
        relative to that day ("signups last 7 days"), the dates move on to today's; otherwise
        ("in March", a follow-up that needed the turn before, the LLM's own window) the
        pinned dates stay. A refusal is audited too."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
        vocab = self.vocabulary(project_id)
        day = today or datetime.now(UTC).date()
        parsed = _moved_on(StructuredQuery.model_validate(query), question, asked_on, vocab, day)
        named = {parsed.breakdown, *(f.property for f in parsed.filters)} - {None}
        personal = named & vocab.pii_properties
        started = time.perf_counter()
        if personal and role not in PII_ROLES:
            refused = answers.Answer("refused", "personal data")
            self._audited(project_id, who, role, "dashboard", question, None, refused, started)
            raise PermissionError(
                f"{', '.join(sorted(map(str, personal)))} is personal data; only admins see it"
            )
        with insights.recording() as ran:
            result = self._compute(project_id, parsed, vocab, day, "")
        ran_sql = answers.sql_of(ran, self.store.dialect)
        if result.sql is None and result.status == "answered":
            result.sql = ran_sql
        self._audited(project_id, who, role, "dashboard", question, ran_sql, result, started)
        return result.to_dict()

    def _audited(
        self,
        project_id: int,
        who: str,
        role: str,
        source: str,
        question: str,
        sql: str | None,
        result: answers.Answer,
        started: float,
    ) -> None:
        """One audit entry for a question answered (or refused) from ``source``."""
        self.audit.record(
            Audited(
                project_id=project_id,
                who=who,
                role=role,
                source=source,
                question=question,
                sql=sql or "",
                status=result.status,
                row_count=len(result.rows),
                duration_ms=int((time.perf_counter() - started) * 1000),
            )
        )

    def _answer_parsed(
        self, project_id: int, outcome: Parsed | Clarify, vocab: Vocabulary, today: date
    ) -> answers.Answer:
        if isinstance(outcome, Clarify):
            return answers.Answer("clarify", outcome.question, suggestions=list(outcome.suggestions))
        return self._compute(project_id, outcome.query, vocab, today, outcome.understood)

    def define(
        self,
        project_id: int,
        kind: str,
        name: str,
        text: str = "",
        query: dict[str, Any] | None = None,
        author: str = "",
    ) -> dict[str, Any]:
        """Add to the knowledge base. A business metric's structured query (without dates)
        is checked against the project's vocabulary first, and may not take the name of a
        metric or event the chat already knows."""
        if self.knowledge is None:
            raise ValueError("this chat has no knowledge base")
        if kind == "metric":
            if not isinstance(query, dict):
                raise ValueError('a business metric needs its structured query as {"query": {...}}')
            vocab = self.vocabulary(project_id)
            if name in vocab.event_names or name.lower() in vocab.metrics:
                raise ValueError(f"{name!r} already names an event or metric; choose another name")
            template = {k: v for k, v in query.items() if k not in ("date_from", "date_to")}
            day = date(2000, 1, 1).isoformat()
            try:
                validate(
                    StructuredQuery.model_validate({**template, "date_from": day, "date_to": day}), vocab
                )
            except (InvalidQuery, ValueError) as error:
                raise ValueError(f"the metric's query is not valid: {error}") from error
            query = template
        entry = self.knowledge.put(project_id, kind, name, text, query, author)
        self.forget()
        return entry

    def forget(self, project_id: int | None = None) -> None:
        """Rebuild the vocabulary at the next question (knowledge changed)."""
        with self._lock:
            for key in [k for k in self._vocabularies if project_id is None or k[0] == project_id]:
                del self._vocabularies[key]

    def _notes(self, project_id: int, query: dict[str, Any]) -> list[dict[str, Any]]:
        """What the team wrote about the answer's events and metrics (shown beside it)."""
        assert self.knowledge is not None
        names = {query.get("metric"), query.get("event"), *query.get("steps", ())} - {None}
        return [
            {"kind": e["kind"], "name": e["name"], "text": e["text"]}
            for e in self.knowledge.about(project_id, {str(n) for n in names})
            if e["kind"] != "metric"
        ]

    def _summary(self, project_id: int, refused: Refused, today: date) -> answers.Answer:
        """Aggregates in place of records: how many people, by country, no contact details."""
        start, end = today - timedelta(days=30), today - timedelta(days=1)
        people = insights.totals(self.store, project_id, None, start, end)
        countries = insights.metric(self.store, project_id, "new_users", start, end, "country")
        by_country: dict[str, int] = {}
        for row in countries:
            by_country[str(row["breakdown"])] = by_country.get(str(row["breakdown"]), 0) + int(row["value"])
        top = sorted(by_country.items(), key=lambda item: -item[1])[:5]
        text = (
            f"{refused.reason}\n\nIn the last 30 days ({start} to {end}): "
            f"{people['people']:,} active people, "
            f"{sum(by_country.values()):,} of them new; new people by country: "
            + ", ".join(f"{country} {count:,}" for country, count in top)
            + ". No names, e-mail addresses or other contact details are included."
        )
        rows = [{"country": country, "new_people": count} for country, count in top]
        return answers.Answer("answered", text, rows=rows, suggestions=list(refused.instead))

    def vocabulary(self, project_id: int) -> Vocabulary:
        version, plan = plans_service.current(self.plans, project_id)
        saved_metrics = {
            e["name"]: e["query"]
            for e in (self.knowledge.entries(project_id, "metric") if self.knowledge else [])
        }
        key = (project_id, version, hash(repr(sorted(saved_metrics.items()))))
        with self._lock:
            cached = self._vocabularies.get(key)
        if cached is not None and time.monotonic() - cached[0] < VOCABULARY_SECONDS:
            return cached[1]
        params = {"project_id": project_id}

        def run(sql: str) -> list[dict[str, Any]]:
            return self.store.query(cast(exp.Expression, sqlglot.parse_one(sql, read="duckdb")), params)

        observed = {r["name"]: int(r["events"]) for r in run(_OBSERVED)}
        values: dict[str, list[str]] = {}
        for column in _VALUE_COLUMNS:
            assert column in DIMENSIONS  # a fixed column name, never user input
            for row in run(_VALUES.format(column=column)):
                values.setdefault(column, []).append(str(row["value"]))
        vocab = build_vocabulary(plan, observed, values, saved_metrics)
        with self._lock:
            self._vocabularies[key] = (time.monotonic(), vocab)
        return vocab


_DATES: Final = {"date_from", "date_to", "compare_from", "compare_to"}
#: How far ahead a pinned question is read again to tell "the last days" (whose dates follow
#: the calendar) from named dates ("in October", "Q3", "November 3"), which stay put.
_PROBE: Final = timedelta(days=35)


def _moved_on(
    pinned: StructuredQuery, question: str, asked_on: date | None, vocab: Vocabulary, today: date
) -> StructuredQuery:
    """``pinned`` with its dates as of ``today``, when its question alone gave exactly the
    pinned query on the day it was asked (not a follow-up, not the LLM's own window) and
    names a time relative to the day of asking ("last 7 days", "last month"); else
    ``pinned`` unchanged."""
    if not question or asked_on is None or today <= asked_on:
        return pinned

    def read(on: date) -> StructuredQuery | None:
        again = parse(question, vocab, on, None, pii_access=True)
        return again.query if isinstance(again, Parsed) else None

    if read(asked_on) != pinned:
        return pinned
    probe = read(asked_on + _PROBE)
    if probe is None or probe.model_dump(include=_DATES) == pinned.model_dump(include=_DATES):
        return pinned
    moved = read(today)
    if moved is None or moved.model_dump(exclude=_DATES) != pinned.model_dump(exclude=_DATES):
        return pinned
    return moved


def open_chat(store: EventStore, plans: PlanVersions, engine: Any, settings: Settings) -> Chat:
    """A chat over a runtime's store and metadata store, with the settings' timeout, audit
    retention and LLM."""
    return Chat(
        store,
        plans,
        Conversations(engine),
        AuditLog(engine, settings.audit_retention_days),
        settings.query_timeout_seconds,
        make_provider(settings),
        Knowledge(engine),
    )


def make_provider(settings: Settings) -> Provider | None:
    if settings.llm_provider == "openai":
        return OpenAICompatible(settings.llm_base_url, settings.llm_api_key, settings.llm_model)
    if settings.llm_provider == "anthropic":
        return Anthropic(settings.llm_base_url, settings.llm_api_key, settings.llm_model)
    return None
