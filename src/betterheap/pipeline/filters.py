"""Traffic that is not product usage (bots, the team's own visits) and personal data that
must not be stored where it does not belong (e-mail addresses in URLs and free text, full
client IPs).

Bot and internal events are not dropped silently: the router counts each with its reason
(see :mod:`betterheap.pipeline.shape`), so received = stored + quarantined + filtered.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any, Final

from betterheap.pipeline.channel import host_of
from betterheap.taxonomy.plan import Filters

# Crawlers, monitors, headless browsers and HTTP libraries. Browsers never say these words.
_BOT: Final = re.compile(
    r"bot[/;)]|\bbot\b|robot|crawl|spider|slurp|headless|phantomjs|selenium|puppeteer|playwright|lighthouse|"
    r"pingdom|uptime|monitor|preview|facebookexternalhit|python-requests|python-urllib|aiohttp|"
    r"httpx|curl/|wget/|go-http-client|java/|okhttp|libwww|scrapy|axios/|node-fetch|postman",
    re.IGNORECASE,
)
_EMAIL: Final = re.compile(r"[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
EMAIL_MASK: Final = "[email]"

# Properties that hold addresses of the page; scrubbed like the url columns.
URL_PROPERTIES: Final = frozenset(
    {"url", "referrer", "path", "search", "$current_url", "$referrer", "$pathname"}
)


@lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """Whether a user agent belongs to a bot, crawler, headless browser or HTTP library.

    >>> is_bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    True
    >>> is_bot("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36")
    False
    """
    return bool(_BOT.search(user_agent))


class InternalTraffic:
    """Decides whether an event came from the team itself: by client IP, page host or flag."""

    def __init__(self, filters: Filters) -> None:
        self.networks = tuple(ipaddress.ip_network(value, strict=False) for value in filters.internal_ips)
        # Compared as channel.host_of gives page hosts: lower case, no port, no "www.".
        self.hosts = frozenset(host_of(host) or host.lower() for host in filters.internal_hosts)
        self.flag = filters.internal_flag
        self._ip_cache: dict[str, bool] = {}

    def __bool__(self) -> bool:
        return bool(self.networks or self.hosts or self.flag)

    def matches(self, context: dict[str, Any], properties: dict[str, Any]) -> bool:
        """Whether one event (its context and properties) is internal traffic."""
        if self.flag is not None and properties.get(self.flag) is True:
            return True
        if self.networks:
            ip = client_ip(context, properties)
            if ip.__class__ is str and self._internal_ip(ip):
                return True
        if self.hosts:
            url = page_url(context, properties)
            return url.__class__ is str and host_of(url) in self.hosts
        return False

    def _internal_ip(self, ip: str) -> bool:
        found = self._ip_cache.get(ip)
        if found is None:
            try:
                address = ipaddress.ip_address(ip)
                found = any(address in network for network in self.networks)
            except ValueError:
                found = False
            if len(self._ip_cache) > 100_000:
                self._ip_cache.clear()
            self._ip_cache[ip] = found
        return found


def scrub_emails(text: str) -> str:
    """E-mail addresses (also URL-encoded ``%40``) replaced by ``[email]``.

    >>> scrub_emails("https://shop.example/?email=jane.doe%40example.com&x=1")
    'https://shop.example/?email=[email]&x=1'
    """
    return _EMAIL.sub(EMAIL_MASK, text) if ("@" in text or "%40" in text) else text


@lru_cache(maxsize=8192)
def truncate_ip(ip: str) -> str:
    """The network part of an address: IPv4 /24, IPv6 /48, as GA and PostHog do.

    >>> truncate_ip("203.0.113.77"), truncate_ip("2001:db8:85a3:8d3:1319:8a2e:370:7348")
    ('203.0.113.0', '2001:db8:85a3::')
    """
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


def client_ip(context: dict[str, Any], properties: dict[str, Any]) -> Any:
    """Segment's ``context.ip`` or PostHog's ``$ip``."""
    ip = context.get("ip")
    return ip if ip is not None else properties.get("$ip")


def page_url(context: dict[str, Any], properties: dict[str, Any]) -> Any:
    page = context.get("page")
    url = page.get("url") if page.__class__ is dict else None
    return url if url is not None else properties.get("$current_url", properties.get("url"))
