"""The no-LLM parser: a question in plain words → a structured query, a clarifying question,
or a refusal. Deterministic, offline, and honest: when it is not sure what was asked it
asks back with concrete suggestions; it never answers a different question.

>>> from datetime import date
>>> from betterheap.chat.semantic import build_vocabulary
>>> from betterheap.taxonomy.plan import TrackingPlan
>>> vocab = build_vocabulary(TrackingPlan(), {"signed_up": 10}, {})
>>> parsed = parse("What was our DAU last week vs the week before?", vocab, date(2026, 11, 30))
>>> q = parsed.query
>>> q.metric, str(q.date_from), str(q.date_to), str(q.compare_from), str(q.compare_to)
('dau', '2026-11-23', '2026-11-29', '2026-11-16', '2026-11-22')
>>> parse("signups by country", vocab, date(2026, 11, 30)).query.breakdown
'country'
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from betterheap.chat.semantic import VALUE_WORDS, Vocabulary
from betterheap.chat.structured import FilterSpec, StructuredQuery
from betterheap.chat.timeframe import find_timeframe

DEFAULT_DAYS: Final = 30
NUMBER_WORDS: Final = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "fifteen": 15, "twenty": 20,
}  # fmt: skip

_PII_ASK: Final = re.compile(
    r"\b(e-?mail address(es)?|e-?mails? (of|for)|(their|customer|user|contact|buyer|seller)s?'? e-?mails?|"
    r"list (of )?e-?mails|phone( numbers?)?|contact (details|info(rmation)?)|"
    r"home address(es)?|postal address(es)?|full names?|first names?|last names?|"
    r"personal (data|details|info)|"
    r"who (exactly )?(are|were) (the|our|these|those)|"
    r"names? of (the |our |these |those |all )?([a-z0-9 ]{0,30} )?"
    r"(users?|customers?|buyers?|sellers?|people|person|"
    r"members?|subscribers?|visitors?|clients?|accounts?)|"
    r"(customer|user|personal|member) (records|data|profiles)|"
    r"(names|e-?mails|phone numbers|addresses) (and|&|or) (names|e-?mails|phones?|phone numbers|addresses))\b"
)
_CHANGED: Final = re.compile(
    r"\b(drop(ped|s)?|fall|fell|tank(ed|s)?|dip(ped|s)?|decline[ds]?|plunge[ds]?|crash(ed|es)?|spike[ds]?|"
    r"jump(ed|s)?|rise|rose|increase[ds]?|decrease[ds]?|surge[ds]?|soar(ed|s)?|grew|grow|so low|so high)\b"
)
_SUMMARY: Final = re.compile(r"\b(summari[sz]e|summary|overview|audit|report)\b")
_DIGEST: Final = re.compile(
    r"\b(how (are|is|were) (we|things|it|business|the business)( doing| going)?|"
    r"how did (we|it|business) (do|go)|"
    r"how('?s| is) (it|business|"
    r"everything) going|kpis?|weekly (summary|digest|report|update)|key metrics|health check|"
    r"state of the business)\b"
)
_WHY: Final = re.compile(
    r"\bwhy (did|do|does|was|were|is|are|has|have)\s+(?P<what>.+?)\s+(?P<how>drop|dropped|fall|fell|decrease|"
    r"decreased|go down|went down|dip|dipped|decline|declined|spike|spiked|rise|rose|increase|increased|"
    r"jump|jumped|go up|went up|grow|grew|surge|surged|change|changed|(be )?(so |this |that )?(low|high))\b"
    r"|\bwhat (caused|explains|drove|is behind|was behind) (the )?(?P<what2>.+?)\s+"
    r"(?P<how2>drop|fall|decrease|dip|decline|spike|rise|increase|jump|surge|change)\b"
    r"|\bwhat (caused|explains|drove|is behind|was behind) (the|a|this|that) (drop|fall|decrease|dip|decline|"
    r"spike|rise|increase|jump|surge|change) (in|of) (?P<what3>.+?)(?=\s+(on|last|yesterday|this)\b|[?.!,]|$)"
)
#: "view to order conversion", "signup to purchase rate"
_FUNNEL_A_TO_B: Final = re.compile(
    r"(?P<a>[a-z][a-z -]*?)\s+to\s+(?P<b>[a-z][a-z -]*?)\s+(?:conversion|conversion rate|rate|funnel)\b"
)
_FUNNEL_FROM_TO: Final = re.compile(
    r"\b(?:conversion|convert(?:ing|ed)?|conversion rate|funnel|drop-?off)\s+(?:rate\s+)?(?:from|between)\s+"
    r"(?P<a>.+?)\s+(?:to|and|into)\s+(?P<b>.+?)(?=\s+(?:last|this|in|on|since|over|during|for|by|per|from|"
    r"between|yesterday|today|vs|versus|compared)\b|[?.!,]|$)"
)
_RETENTION: Final = re.compile(
    r"\b(?:d|day\s*)(?P<day>\d{1,2})\s+retention\b|\b(?P<days>\d{1,2})[- ]day retention\b|\bretention\b|"
    r"\bretain(ed|ing)?\b"
)
_BREAKDOWN: Final = re.compile(
    r"\b(?:by|per|across|split by|broken down by|for each|for every|each)\s+(?P<what>[a-z_ -]+)"
)
_TOP: Final = re.compile(
    r"\b(?:top|best|biggest|largest|leading)\s+(?P<n>\d{1,3}|" + "|".join(NUMBER_WORDS) + r")\b"
)
_TOP_DIMENSION: Final = re.compile(
    r"\b(?:top|best|biggest|largest|leading)\s+(?:\d{1,3}|"
    + "|".join(NUMBER_WORDS)
    + r")\s+(?P<dim>[a-z_ ]+?)\s+by\s+"
)
_UNIQUE: Final = re.compile(
    r"\b(how many (different |unique |distinct )?(people|peoples|users|persons|customers|visitors)|"
    r"unique|distinct|"
    r"different (people|users)|who)\b"
)
#: "which countries ...": a breakdown ranked by what is asked.
_WHICH: Final = re.compile(
    r"\b(?:which|what)\s+(?P<dim>[a-z_ ]+?)\s+(?:drove|bring|brought|had|have|has|gave|give|"
    r"generated?|produced?|made|make|sent|send|did|do|got|get|is|are|was|were|having)\b"
)
#: "what share of people who started a checkout completed an order"
_SHARE_OF: Final = re.compile(
    r"\b(?:share|percentage|percent|proportion|fraction|rate|how many)\s+of\s+(?:the\s+)?"
    r"(?:people|users|visitors|"
    r"customers|those)\s+who\s+(?P<a>.+?)\s+(?:also\s+|then\s+|went on to\s+|later\s+|actually\s+)?"
    r"(?P<b>(?:completed|placed|made|bought|purchased|ordered|signed|started|viewed|added|searched|subscribed)\b.*)"
)
_FOLLOW_UP: Final = re.compile(r"^(and|what about|how about|now|same|also|then|ok|okay|and what about)\b")


@dataclass(frozen=True)
class Parsed:
    query: StructuredQuery
    #: The question as understood, in words (shown with the answer).
    understood: str


@dataclass(frozen=True)
class Clarify:
    question: str
    suggestions: tuple[str, ...]


@dataclass(frozen=True)
class Refused:
    reason: str
    instead: tuple[str, ...]
    #: A request for records that an aggregate summary can still serve.
    summary: bool = False


Outcome = Parsed | Clarify | Refused


def parse(
    question: str,
    vocab: Vocabulary,
    today: date,
    previous: StructuredQuery | None = None,
    pii_access: bool = False,
) -> Outcome:
    """Understand one question (a follow-up reuses ``previous`` for what it leaves out)."""
    text = _clean(question)
    if not text:
        return Clarify("What would you like to know?", examples(vocab))
    if _PII_ASK.search(text) and not pii_access:
        return _refuse_personal_data(text)
    frame = find_timeframe(text, today)
    rest = text
    if frame is not None:
        for matched in frame.matched:
            rest = rest.replace(matched.lower(), " ")
    if _DIGEST.search(text):
        return _digest(today)
    why = _WHY.search(text)
    if why:
        return _why(why.group("what") or why.group("what2") or why.group("what3"), frame, vocab, today)
    if re.search(r"\bwhy\b", text) and _CHANGED.search(text):
        # "Signups tanked on November 3rd - why?", "any idea why orders dipped yesterday?"
        return _why(_CHANGED.sub(" ", rest), frame, vocab, today)
    funnel = _funnel(rest, vocab)
    if isinstance(funnel, Clarify):
        return funnel
    follow_up = previous is not None and (bool(_FOLLOW_UP.match(text)) or len(text.split()) <= 4)
    outcome = _insight(text, rest, vocab, today, frame, funnel, previous if follow_up else None)
    unknown = _unknown_words(rest, vocab)
    if isinstance(outcome, Parsed) and unknown:
        # A word the question leans on that nothing here knows: answering without it
        # would answer a different question.
        return Clarify(
            f"I do not know {', '.join(repr(w) for w in unknown[:3])} here. "
            f"I understood: {outcome.understood}. "
            "Is that what you mean?",
            (_ask_again(outcome.query), *examples(vocab)[:2]),
        )
    return outcome


def _insight(
    text: str,
    rest: str,
    vocab: Vocabulary,
    today: date,
    frame: object,
    funnel: tuple[str, ...] | None,
    previous: StructuredQuery | None,
) -> Outcome:
    from betterheap.chat.timeframe import TimeFrame

    assert frame is None or isinstance(frame, TimeFrame)
    people_who, rest = _people(rest, vocab)
    ranked = _TOP_DIMENSION.search(rest)
    which = _WHICH.search(rest)
    breakdown: str | None | Clarify = None
    if which and _dimension(which.group("dim"), vocab):
        # "which campaign drove the most ...": a ranking, where "no campaign" is not one.
        breakdown = _dimension(which.group("dim"), vocab)
        rest = rest[: which.start("dim")] + " " + rest[which.end("dim") :] + " top 5"
    elif ranked and _dimension(ranked.group("dim"), vocab):
        # "top 5 countries by revenue": the dimension is ranked by what follows "by".
        breakdown = _dimension(ranked.group("dim"), vocab)
        rest = rest[: ranked.start("dim")] + " " + rest[ranked.end("dim") :].replace(" by ", " ", 1)
    else:
        breakdown = _breakdown(rest, vocab)
    if isinstance(breakdown, Clarify):
        return breakdown
    filters, rest = _filters(rest, vocab)
    top = _TOP.search(rest)
    limit = _number(top.group("n")) if top else None
    retention = _RETENTION.search(rest)
    metric, event = _subject(_without_breakdown(rest, vocab), vocab)

    fields: dict[str, object] = {}
    if previous is not None:
        fields = previous.model_dump()
    saved = _saved(rest, vocab)
    if saved is not None:
        # The team's own metric (knowledge base): its query, with the question's period.
        fields = {
            k: v for k, v in saved.items() if k not in ("date_from", "date_to", "compare_from", "compare_to")
        }
        fields.setdefault("chart", "line")
    elif funnel is not None:
        fields |= {"kind": "funnel", "steps": funnel, "chart": "funnel", "metric": None, "event": None}
    elif retention:
        day = int(retention.group("day") or retention.group("days") or 7)
        fields |= {"kind": "retention", "retention_day": day, "chart": "line", "event": event, "metric": None}
        fields.setdefault("period", "day")
    elif metric is not None:
        fields |= {"kind": "metric", "metric": metric, "event": None}
    elif event is not None:
        unique = bool(_UNIQUE.search(text))
        fields |= {
            "kind": "event",
            "event": event,
            "metric": None,
            "measure": "unique_users" if unique else "count",
        }
    elif previous is None:
        return _not_understood(text, vocab)

    if frame is not None:
        period = frame.period
        fields |= {"date_from": period.date_from, "date_to": period.date_to, "interval": period.interval}
        comparison = frame.comparison
        fields |= {
            "compare_from": comparison.date_from if comparison else None,
            "compare_to": comparison.date_to if comparison else None,
        }
    elif previous is None:
        fields |= {"date_from": today - timedelta(days=DEFAULT_DAYS), "date_to": today - timedelta(days=1)}
    if breakdown is not None:
        fields["breakdown"] = breakdown
    if filters:
        fields["filters"] = tuple(filters)
    if people_who:
        fields["people_who"] = people_who
    if limit is not None:
        fields["limit"] = limit
        fields.setdefault("breakdown", None)
    kind = fields["kind"]
    if kind in ("metric", "event"):
        fields["chart"] = (
            "bar" if fields.get("breakdown") and (limit or fields.get("compare_from") is None) else "line"
        )
    query = StructuredQuery.model_validate(fields)
    if query.kind == "retention" and query.retention_day and query.days < 2:
        return Clarify(
            "Retention of which cohorts?", ("D7 retention of March cohorts", "D1 retention last month")
        )
    return Parsed(query, _restate(query))


def _saved(text: str, vocab: Vocabulary) -> dict[str, object] | None:
    """The structured query of a business metric the team defined, named in the text."""
    for phrase in sorted(vocab.saved, key=len, reverse=True):
        if re.search(rf"(?<![a-z0-9_]){re.escape(phrase)}(?![a-z0-9_])", text):
            return dict(vocab.saved[phrase][1])
    return None


def _subject(text: str, vocab: Vocabulary) -> tuple[str | None, str | None]:
    """The metric or event the question is about: the longest phrase found, metrics first
    on a tie."""
    best: tuple[int, str, str] | None = None
    for phrase, kind, meaning in vocab.phrases():
        if kind == "dimension" or len(phrase) < 2:
            continue
        if re.search(rf"(?<![a-z0-9_$]){re.escape(phrase)}(?![a-z0-9_])", text):
            score = len(phrase) + (1 if kind == "metric" else 0)
            if best is None or score > best[0]:
                best = (score, kind, meaning)
    if best is None:
        return None, None
    return (best[2], None) if best[1] == "metric" else (None, best[2])


def _dimension(phrase: str, vocab: Vocabulary) -> str | None:
    words = phrase.strip().split()
    for size in range(min(len(words), 3), 0, -1):
        candidate = " ".join(words[:size])
        for form in (candidate, candidate[:-1] if candidate.endswith("s") else candidate):
            if form in vocab.dimensions:
                return vocab.dimensions[form]
        if candidate.endswith("ies") and candidate[:-3] + "y" in vocab.dimensions:
            return vocab.dimensions[candidate[:-3] + "y"]
    return None


def _breakdown(text: str, vocab: Vocabulary) -> str | None | Clarify:
    for phrase in vocab.metrics:
        if " per " in phrase and phrase in text:
            text = text.replace(phrase, " ")
    found = _BREAKDOWN.search(text)
    if not found:
        return None
    words = found.group("what").strip().split()
    named = _dimension(found.group("what"), vocab)
    if named is not None:
        return named
    if words and words[0] in ("day", "days", "week", "weeks", "month", "months", "date"):
        return None
    close = difflib.get_close_matches(" ".join(words[:2]), list(vocab.dimensions), n=3, cutoff=0.6)
    if close:
        return Clarify(
            f"Break down by what? I do not know {' '.join(words[:2])!r}.",
            tuple(f"… by {vocab.dimensions[c]}" for c in close),
        )
    return Clarify(
        f"Break down by what? I do not know {' '.join(words[:2])!r}.",
        ("… by country", "… by channel", "… by device", "… by os"),
    )


def _without_breakdown(text: str, vocab: Vocabulary) -> str:
    """The text without its breakdown phrase; a metric named with "per" ("revenue per
    user") stays."""
    if any(" per " in phrase and phrase in text for phrase in vocab.metrics):
        return text
    return _BREAKDOWN.sub(" ", text)


def _people(text: str, vocab: Vocabulary) -> tuple[str | None, str]:
    """ "for buyers", "among our sellers", "buyers only": the event that makes someone one."""
    for word in sorted(vocab.people, key=len, reverse=True):
        found = re.search(
            rf"\b(?:for|among|from|by|of|did|do|does)\s+(?:our\s+|the\s+|all\s+)?{word}\b|\b{word}\s+only\b",
            text,
        )
        if found:
            return vocab.people[word], text[: found.start()] + " " + text[found.end() :]
    return None, text


def _filters(text: str, vocab: Vocabulary) -> tuple[list[FilterSpec], str]:
    """``from Germany``, ``on mobile``, ``iOS users``, ``mobile DAU``: known values of a
    dimension, after a preposition (or before "users"); device, OS and browser words also
    bare. The text is returned without them."""
    found: dict[str, list[str]] = {}
    rest = text
    for phrase in sorted(vocab.values, key=len, reverse=True):
        if len(phrase) < 2:
            continue
        bare_ok = phrase in VALUE_WORDS
        lead = r"(?:(?:from|in|on|via|using|with|for|among|by)\s+(?:the\s+)?)"
        people = r"(?:\s+(?:users|visitors|customers|people|buyers|sellers))"
        escaped = re.escape(phrase)
        pattern = rf"{lead}{escaped}\b{people}?|{escaped}{people}" + (rf"|\b{escaped}\b" if bare_ok else "")
        match = re.search(rf"(?<![a-z0-9_])(?:{pattern})", rest)
        if match is None:
            continue
        dimension, value = vocab.values[phrase]
        if value not in found.setdefault(dimension, []):
            found[dimension].append(value)
        rest = rest[: match.start()] + " " + rest[match.end() :]
    return [FilterSpec(property=d, values=tuple(v)) for d, v in found.items()], rest


def _funnel(text: str, vocab: Vocabulary) -> tuple[str, ...] | None | Clarify:
    pair = _FUNNEL_FROM_TO.search(text)
    loose = _FUNNEL_A_TO_B.search(text) if pair is None else None
    if loose is not None:
        # "view to order conversion": only when both sides name events ("add to cart
        # conversion" is not a funnel from "add" to "cart").
        a, b = _split_steps(loose.group("a") + " to " + loose.group("b"), vocab)
        first, second = _subject(a, vocab)[1], _subject(b, vocab)[1]
        if first and second:
            return (first, second)
    share = _SHARE_OF.search(text)
    if pair or share:
        steps = []
        parts = (
            _split_steps(pair.group("a") + " to " + pair.group("b"), vocab)
            if pair
            else (share.group("a"), share.group("b"))  # type: ignore[union-attr]
        )
        for part in parts:
            _, event = _subject(part, vocab)
            if event is None:
                known = [e for e in sorted(vocab.event_names) if not e.startswith("$")][:6]
                guesses = _closest(part, list(vocab.events), vocab.events) or known
                return Clarify(f"Which event is {part.strip()!r}? Events I know:", tuple(guesses))
            steps.append(event)
        return tuple(steps)
    if re.search(r"\b(funnel|flow|conversion|convert)", text):
        for key in sorted(vocab.funnels, key=len, reverse=True):
            if re.search(rf"\b{re.escape(key)}\b", text):
                return vocab.funnels[key]
    return None


def _split_steps(text: str, vocab: Vocabulary) -> tuple[str, str]:
    """ "add to cart to checkout" → ("add to cart", "checkout"): the split at a " to " where
    both sides name an event, else the first one."""
    parts = text.split(" to ")
    for cut in range(1, len(parts)):
        left, right = " to ".join(parts[:cut]), " to ".join(parts[cut:])
        if _subject(left, vocab)[1] and _subject(right, vocab)[1]:
            return left, right
    return parts[0], " to ".join(parts[1:])


#: Words a question may use without them meaning anything to compute.
_FILLER: Final = frozenset(
    """
    a about actually after against ago all also am an and any anything are around as at average be been before
    being between both breakdown broken but by can chart compare compared could count counts data day days did
    do does doing done down during each ever every figure figures find first for from get give go going got
    graph
    had has have how i if in into is it its just know last latest let like list look looking many me metric
    metrics more most much my need no not now number numbers of on only or our out over overall past per
    please
    plot quick quickly rate ratio recent report see seen share should show so some split tell than that the
    their them then there these they this those through till to today top total totals trend trends until up
    us users user people person persons visitors customers via vs want was we were what when where which while
    who whole why will with within would yesterday you your week weeks month months year years quarter since
    so far again versus new unique distinct different value values times time period periods how's what's
    let's there's much happen happened happening going stats statistics overview summary daily weekly
    monthly total number percent percentage exactly roughly approximately
    conversion conversions convert converting converted converts funnel funnels flow flows step steps
    retention retain retained retaining cohort cohorts come comes came coming drive drove driven drives
    bring brings brought idea think happen rates rate biggest largest best leading most least
    placed place places placing ran run runs running made make makes making performed perform completed
    complete started start viewed view opened open created create among hey hi hello pull fetch grab can
    topline headline quick one thanks thank bottom line love possible wonder wondering curious prepping prep
    standup meeting having break pls plz kindly i'd i'm i've we're folks guys team
    """.split()
)


def _unknown_words(text: str, vocab: Vocabulary) -> list[str]:
    """Content words of the question no phrase of the vocabulary (or the time, or filler)
    accounts for."""
    known: set[str] = set(_FILLER)
    for phrase in (*vocab.metrics, *vocab.events, *vocab.dimensions, *vocab.values, *vocab.people,
                   *vocab.funnels, *vocab.saved):  # fmt: skip
        known.update(re.findall(r"[a-z0-9_$]+", phrase))
    for name in vocab.event_names | vocab.properties:
        known.update(re.findall(r"[a-z0-9]+", name.lower()))
        known.add(name.lower())
    words = re.findall(r"[a-z][a-z0-9_']+", text)
    unknown = []
    for word in words:
        stem = word.rstrip("'s") if word.endswith("'s") else word
        forms = {stem, stem[:-1] if stem.endswith("s") else stem, stem[:-2] if stem.endswith("es") else stem}
        if not forms & known and len(stem) > 2 and stem not in NUMBER_WORDS:
            unknown.append(stem)
    return list(dict.fromkeys(unknown))


def _ask_again(query: StructuredQuery) -> str:
    what = query.metric or query.event or (" → ".join(query.steps) if query.steps else query.kind)
    return f"{what} from {query.date_from} to {query.date_to}"


def _digest(today: date) -> Parsed:
    monday = today - timedelta(days=today.weekday())
    start, end = monday - timedelta(days=7), monday - timedelta(days=1)
    query = StructuredQuery(
        kind="digest",
        date_from=start,
        date_to=end,
        compare_from=start - timedelta(days=7),
        compare_to=start - timedelta(days=1),
        chart="table",
    )
    return Parsed(query, f"the key metrics of the last complete week ({start} to {end}) vs the week before")


def _why(what: str, frame: object, vocab: Vocabulary, today: date) -> Outcome:
    from betterheap.chat.timeframe import TimeFrame

    assert frame is None or isinstance(frame, TimeFrame)
    metric, event = _subject(what, vocab)
    subject = metric or event
    if subject is None:
        return Clarify(f"Which metric or event do you mean by {what.strip()!r}?", examples(vocab)[:3])
    if frame is None or frame.period.date_from != frame.period.date_to:
        return Clarify(
            f"On which day did {subject} change?",
            (f"Why did {what.strip()} drop yesterday?", "… last Tuesday"),
        )
    day = frame.period.date_from
    query = StructuredQuery(kind="why", event=subject, date_from=day, date_to=day, chart="bar")
    return Parsed(
        query,
        f"what explains the change of {subject} on {day} against the same weekday of the 4 weeks before",
    )


def _refuse_personal_data(text: str) -> Refused:
    if _SUMMARY.search(text):
        return Refused(
            "Customer records with contact details are personal data, which this role may not see and "
            "the chat "
            "never shows. Here is an aggregate summary instead; an admin can export records with "
            "`betterheap sql --as-role admin`, which the audit log records.",
            ("How many customers ordered last month?", "New users by country last month"),
            summary=True,
        )
    return Refused(
        "E-mail addresses, phone numbers and names are personal data: this role may not see them, "
        "and the chat "
        "never lists them. I can count these people, or show them by country or channel.",
        (
            "How many people signed up last month?",
            "Signups by country last month",
            "Orders by channel last week",
        ),
    )


def _not_understood(text: str, vocab: Vocabulary) -> Clarify:
    guesses = _closest(text, [p for p, _, _ in vocab.phrases()], {**vocab.metrics, **vocab.events})
    suggestions = tuple(f"{g} last week" for g in guesses) or examples(vocab)
    return Clarify("I am not sure which metric or event you mean. Did you mean one of these?", suggestions)


def _closest(text: str, phrases: list[str], meaning: dict[str, str]) -> list[str]:
    words = [w for w in re.findall(r"[a-z_]+", text) if len(w) > 2]
    found: list[str] = []
    for word in words:
        for match in difflib.get_close_matches(word, phrases, n=2, cutoff=0.75):
            label = meaning.get(match) or match
            if label not in found:
                found.append(label)
    return found[:4]


def examples(vocab: Vocabulary) -> tuple[str, ...]:
    examples = ["What was our DAU last week vs the week before?", "How are we doing?"]
    if "signed_up" in vocab.event_names:
        examples.append("Signups by country last month")
    if "checkout" in vocab.funnels:
        examples.append("What's the conversion rate for the checkout flow?")
    return tuple(examples)


def _restate(query: StructuredQuery) -> str:
    subject = {
        "metric": query.metric,
        "event": f"{'people doing ' if query.measure == 'unique_users' else ''}{query.event}",
        "funnel": "the funnel " + " → ".join(query.steps),
        "retention": f"D{query.retention_day} retention of the {query.period} cohorts",
    }.get(query.kind, query.kind)
    parts = [f"{subject} from {query.date_from} to {query.date_to}"]
    if query.compare_from:
        parts.append(f"vs {query.compare_from} to {query.compare_to}")
    if query.breakdown:
        parts.append(f"by {query.breakdown}" + (f" (top {query.limit})" if query.limit else ""))
    for f in query.filters:
        parts.append(f"where {f.property} is {' or '.join(f.values)}")
    if query.people_who:
        parts.append(f"only people who ever did {query.people_who}")
    return ", ".join(parts)


def _number(text: str) -> int:
    return int(text) if text.isdigit() else NUMBER_WORDS[text]


def _clean(question: str) -> str:
    text = question.strip().lower().replace("’", "'")
    return re.sub(r"\s+", " ", text)
