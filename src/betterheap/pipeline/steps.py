"""The enrichment steps, in order, and :func:`to_stored` that runs them over a batch.

A step is a pure function ``(events, columns so far) -> new columns``. It works on the whole
batch at once and returns one list per column it fills in, aligned with ``events``; it
reads the incoming events and the columns earlier steps produced and mutates neither.
:func:`to_stored` merges what each step returns and then builds the rows. Order matters
where a step reads an earlier one's output: the campaign step falls back to the URL's query
string, and the channel needs the URL, referrer and UTM tags.

Why columns and loops rather than one small function per event: this runs on every
ingested event, and in CPython a function call plus a small result dict per step per event
would cost more than the whole enrichment budget (~4 µs/event). So each step is one loop
with dict lookups inline, and anything costlier (user-agent regexes, URL parsing, channel
rules) sits behind an ``lru_cache`` keyed by the raw strings, which repeat heavily.

Every wire format is read here, so a Segment message and a PostHog message describing the
same visit produce the same columns (see :mod:`betterheap.pipeline.context`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, TypedDict, cast

from betterheap.events.model import IncomingEvent, StoredEvent
from betterheap.pipeline.channel import DIRECT, channel_of
from betterheap.pipeline.context import NO_REFERRER, campaign_from_query, country_code
from betterheap.pipeline.elements import elements_chain_of
from betterheap.pipeline.revenue import revenue_of, revenue_type_of
from betterheap.pipeline.user_agent import resolve_agent


class Columns(TypedDict, total=False):
    """Promoted columns of a batch, one list per column, aligned with the events.

    A step returns the columns it fills; ``run_steps`` passes each step every column
    filled so far (all of them, starting from empty values)."""

    country: list[str | None]
    channel: list[str | None]
    utm_source: list[str | None]
    utm_medium: list[str | None]
    utm_campaign: list[str | None]
    referrer: list[str | None]
    url: list[str | None]
    browser: list[str | None]
    os: list[str | None]
    device_type: list[str | None]
    session_id: list[str | None]
    revenue: list[float | None]
    revenue_type: list[str | None]
    elements_chain: list[str | None]


#: What one step returns: the columns it fills in.
ColumnUpdate = Columns

Step = Callable[[Sequence[IncomingEvent], Columns], ColumnUpdate]

# Message types that describe a visit and so carry an acquisition channel.
CHANNEL_TYPES: Final = frozenset({"track", "page", "screen"})


def _string(value: object) -> str | None:
    return value if value.__class__ is str and value else None


def device_from_user_agent(events: Sequence[IncomingEvent], columns: Columns) -> ColumnUpdate:
    """browser, os, device_type: explicit SDK values win, the parsed user agent fills gaps.

    Explicit values are ``$browser``/``$os``/``$device_type`` (PostHog) and
    ``context.os.name``/``context.device.type`` (Segment); the agent is
    ``context.userAgent`` or ``$raw_user_agent``. See
    :func:`~betterheap.pipeline.user_agent.resolve_agent`.
    """
    browsers: list[str | None] = []
    systems: list[str | None] = []
    devices: list[str | None] = []
    for event in events:
        properties = event["properties"]
        context = event["context"]
        os = properties.get("$os")
        if os is None:
            section = context.get("os")
            os = section.get("name") if section.__class__ is dict else None
        device = properties.get("$device_type")
        if device is None:
            section = context.get("device")
            device = section.get("type") if section.__class__ is dict else None
        user_agent = context.get("userAgent") or properties.get("$raw_user_agent")
        browser = properties.get("$browser")
        try:
            agent = resolve_agent(browser, os, device, user_agent)
        except TypeError:  # an unhashable value (a list or dict where a name belongs)
            agent = resolve_agent.__wrapped__(
                _string(browser), _string(os), _string(device), _string(user_agent)
            )
        browsers.append(agent[0])
        systems.append(agent[1])
        devices.append(agent[2])
    return {"browser": browsers, "os": systems, "device_type": devices}


def country_from_location(events: Sequence[IncomingEvent], columns: Columns) -> ColumnUpdate:
    """country: ``context.location.country`` or ``$geoip_country_code``, as ISO-2 or None."""
    countries: list[str | None] = []
    for event in events:
        location = event["context"].get("location")
        value = location.get("country") if location.__class__ is dict else None
        country = country_code(value) if value.__class__ is str else None
        if country is None:
            value = event["properties"].get("$geoip_country_code")
            country = country_code(value) if value.__class__ is str else None
        countries.append(country)
    return {"country": countries}


def page_from_context(events: Sequence[IncomingEvent], columns: Columns) -> ColumnUpdate:
    """url, referrer, session_id: ``context.page.url``/``.referrer`` and ``context.sessionId``
    (Segment), else ``$current_url``/``$referrer``/``$session_id`` (PostHog).

    Segment page calls also repeat the page fields in their properties; those are the last
    fallback. Referrer placeholders such as PostHog's ``$direct`` mean no referrer; integer
    session ids become strings.
    """
    urls: list[str | None] = []
    referrers: list[str | None] = []
    sessions: list[str | None] = []
    for event in events:
        properties = event["properties"]
        context = event["context"]
        page = context.get("page")
        if page.__class__ is dict:
            url = page.get("url")
            referrer = page.get("referrer")
        else:
            url = referrer = None
        if not url or url.__class__ is not str:
            url = properties.get("$current_url")
            if not url or url.__class__ is not str:
                url = properties.get("url") if event["type"] == "page" else None
                if url.__class__ is not str or not url:
                    url = None
        if not referrer or referrer.__class__ is not str or referrer in NO_REFERRER:
            referrer = properties.get("$referrer")
            if not referrer or referrer.__class__ is not str or referrer in NO_REFERRER:
                referrer = properties.get("referrer") if event["type"] == "page" else None
                if referrer.__class__ is not str or not referrer or referrer in NO_REFERRER:
                    referrer = None
        session = context.get("sessionId")
        if session is None:
            session = properties.get("$session_id")
        if session.__class__ is not str:
            session = str(session) if session.__class__ is int else None
        urls.append(url)
        referrers.append(referrer)
        sessions.append(session or None)
    return {"url": urls, "referrer": referrers, "session_id": sessions}


def campaign_from_utm(events: Sequence[IncomingEvent], columns: Columns) -> ColumnUpdate:
    """utm_source/utm_medium/utm_campaign from ``context.campaign`` (Segment) or ``utm_*``
    properties (PostHog); when neither has any, from ``context.page.search`` or the page
    URL's query string."""
    sources: list[str | None] = []
    mediums: list[str | None] = []
    names: list[str | None] = []
    for event, url in zip(events, columns["url"], strict=True):
        properties = event["properties"]
        context = event["context"]
        campaign = context.get("campaign")
        if campaign.__class__ is dict:
            source = _string(campaign.get("source"))
            medium = _string(campaign.get("medium"))
            name = _string(campaign.get("name"))
        else:
            source = medium = name = None
        if source is None and medium is None and name is None:
            source = properties.get("utm_source")
            medium = properties.get("utm_medium")
            name = properties.get("utm_campaign")
            if source is not None or medium is not None or name is not None:
                source, medium, name = _string(source), _string(medium), _string(name)
            else:
                page = context.get("page")
                query = page.get("search") if page.__class__ is dict else None
                if query.__class__ is not str or "utm_" not in query:
                    query = url
                if query is not None and "utm_" in query:
                    source, medium, name = campaign_from_query(query)
        sources.append(source)
        mediums.append(medium)
        names.append(name)
    return {"utm_source": sources, "utm_medium": mediums, "utm_campaign": names}


def channel_from_acquisition(events: Sequence[IncomingEvent], columns: Columns) -> ColumnUpdate:
    """channel of track/page/screen events; see :mod:`betterheap.pipeline.channel`.

    The common case, no referrer, no UTM tags and no query string, is answered inline as
    ``direct``; :func:`~betterheap.pipeline.channel.channel_of` gives the same answer.
    """
    channels: list[str | None] = []
    append = channels.append
    for event, source, medium, name, referrer, url in zip(
        events,
        columns["utm_source"],
        columns["utm_medium"],
        columns["utm_campaign"],
        columns["referrer"],
        columns["url"],
        strict=True,
    ):
        if event["type"] not in CHANNEL_TYPES:
            append(None)
        elif (
            referrer is None
            and source is None
            and medium is None
            and name is None
            and (url is None or "?" not in url)
        ):
            append(DIRECT)
        else:
            append(channel_of(source, medium, referrer, url, name))
    return {"channel": channels}


def revenue_from_properties(events: Sequence[IncomingEvent], columns: Columns) -> ColumnUpdate:
    """revenue, revenue_type: see :mod:`betterheap.pipeline.revenue`."""
    amounts: list[float | None] = []
    types: list[str | None] = []
    for event in events:
        properties = event["properties"]
        amount = revenue_of(event["event"], properties)
        amounts.append(amount)
        types.append(
            None
            if amount is None
            else revenue_type_of(event["event"], properties.get("revenue_type"))
        )
    return {"revenue": amounts, "revenue_type": types}


def elements_from_autocapture(events: Sequence[IncomingEvent], columns: Columns) -> ColumnUpdate:
    """elements_chain of auto-captured interactions (``$elements_chain`` or ``$elements``),
    so actions can match clicks by selector and text; see :mod:`betterheap.pipeline.elements`."""
    chains: list[str | None] = []
    for event in events:
        properties = event["properties"]
        if "$elements_chain" in properties or "$elements" in properties:
            chains.append(elements_chain_of(properties))
        else:
            chains.append(None)
    return {"elements_chain": chains}


STEPS: Final[tuple[Step, ...]] = (
    device_from_user_agent,
    country_from_location,
    page_from_context,
    campaign_from_utm,
    channel_from_acquisition,
    revenue_from_properties,
    elements_from_autocapture,
)


def run_steps(events: Sequence[IncomingEvent], steps: Sequence[Step] = STEPS) -> Columns:
    """The promoted columns of a batch: each step's output merged in order."""
    empty: list[Any] = [None] * len(events)
    columns: Columns = {
        "country": empty,
        "channel": empty,
        "utm_source": empty,
        "utm_medium": empty,
        "utm_campaign": empty,
        "referrer": empty,
        "url": empty,
        "browser": empty,
        "os": empty,
        "device_type": empty,
        "session_id": empty,
        "revenue": empty,
        "revenue_type": empty,
        "elements_chain": empty,
    }
    for step in steps:
        columns.update(step(events, columns))
    return columns


def to_stored(events: list[IncomingEvent]) -> list[StoredEvent]:
    """Run :data:`STEPS` in order over a batch; one stored row per incoming event, same order.

    A row is the incoming event without ``context`` and ``links`` plus the promoted
    columns. It shares the ``properties`` dict with its incoming event rather than copying
    it (a copy costs as much as a whole step); neither the pipeline nor the store mutates it.
    """
    columns = run_steps(events)
    rows: list[dict[str, Any]] = []
    append = rows.append
    # Spelled out rather than looped over column names: this is the hottest loop of
    # ingestion, and a copy plus explicit stores is the cheapest row CPython can build.
    for (
        event,
        country,
        channel,
        utm_source,
        utm_medium,
        utm_campaign,
        referrer,
        url,
        browser,
        os,
        device_type,
        session_id,
        revenue,
        revenue_type,
        elements_chain,
    ) in zip(
        events,
        columns["country"],
        columns["channel"],
        columns["utm_source"],
        columns["utm_medium"],
        columns["utm_campaign"],
        columns["referrer"],
        columns["url"],
        columns["browser"],
        columns["os"],
        columns["device_type"],
        columns["session_id"],
        columns["revenue"],
        columns["revenue_type"],
        columns["elements_chain"],
        strict=True,
    ):
        row: dict[str, Any] = dict(event)
        del row["context"]
        if "links" in row:
            del row["links"]
        row["country"] = country
        row["channel"] = channel
        row["utm_source"] = utm_source
        row["utm_medium"] = utm_medium
        row["utm_campaign"] = utm_campaign
        row["referrer"] = referrer
        row["url"] = url
        row["browser"] = browser
        row["os"] = os
        row["device_type"] = device_type
        row["session_id"] = session_id
        row["revenue"] = revenue
        row["revenue_type"] = revenue_type
        row["elements_chain"] = elements_chain
        # What the tracking plan did; pipeline.shape fills these in for shaped events.
        row["plan_version"] = 0
        row["original_event"] = None
        row["violations"] = None
        row["set_aside"] = None
        row["coerced"] = None
        append(row)
    return cast("list[StoredEvent]", rows)
