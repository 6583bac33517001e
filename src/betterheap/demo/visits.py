"""Start one visit: how the person arrived (channel, referrer, UTM tags), then play it."""

from __future__ import annotations

from random import Random

from betterheap.demo.buyers import buyer_visit
from betterheap.demo.catalog import CHANNELS, RETURNING, Channel
from betterheap.demo.messages import Visit
from betterheap.demo.people import Person, Site
from betterheap.demo.sellers import seller_visit

SPRING_SALE = ("newsletter", "email", "spring_sale")
_SOURCE_REFERRER = {
    "google": "https://www.google.com/",
    "bing": "https://www.bing.com/",
    "instagram": "https://www.instagram.com/",
    "pinterest": "https://www.pinterest.com/",
    "facebook": "https://www.facebook.com/",
}


def run_visit(site: Site, person: Person, start_ms: int, first: bool) -> int:
    """Play one visit; returns the number of messages it produced."""
    rng = site.rng
    campaign: tuple[str, str, str] | None = None
    if (
        site.email_campaign
        and person.user_id
        and person.role == "buyer"
        and (person.campaign_extra or rng.random() < 0.5)
    ):
        campaign, referrer = SPRING_SALE, ""
    else:
        channel = person.channel if first else _returning_channel(rng, person)
        campaign, referrer = _arrival(rng, channel)
    site.sessions += 1
    visit = Visit(
        site.writer,
        site.day_prefix,
        start_ms,
        person.anonymous_id,
        person.user_id,
        person.user_agent,
        person.locale,
        person.country,
        f"{site.session_prefix}{site.sessions:010x}",
        referrer,
        campaign,
    )
    if person.role == "seller":
        seller_visit(site, person, visit, first)
    else:
        buyer_visit(site, person, visit, first, campaign is SPRING_SALE)
    return visit.messages


def _returning_channel(rng: Random, person: Person) -> Channel:
    channel = RETURNING.pick(rng)
    if channel.name == "email" and person.user_id is None:
        return CHANNELS["direct"]  # no address, no newsletter
    return channel


def _arrival(rng: Random, channel: Channel) -> tuple[tuple[str, str, str] | None, str]:
    if channel.campaigns and rng.random() < channel.tagged_share:
        campaign = rng.choice(channel.campaigns)
        return campaign, _SOURCE_REFERRER.get(campaign[0], "")
    return None, rng.choice(channel.referrers) if channel.referrers else ""
