"""The acquisition channel of one event, from its UTM tags, referrer and page URL.

This is the event's *own* channel; first-touch attribution (a person's channel) is taken at
query time from the person's first event. Only track, page and screen events get a
channel; identify/group/alias messages get None.

Rules, first match wins. UTM values are compared trimmed and lower-cased; hosts are
compared without a leading ``www.``. A referrer on the same host as the page URL (internal
navigation) counts as no referrer.

=====  ==================================================================  ================
rule   when                                                                channel
=====  ==================================================================  ================
1      utm_medium names paid social (``paid_social``, ``paidsocial``,      paid_social
       ``social_paid``, ``social-cpc``, any medium with both "social" and
       cpc/ppc/paid), or a paid-search medium with a social-site
       utm_source (e.g. ``utm_source=facebook&utm_medium=cpc``)
2      utm_medium in cpc, ppc, paid, paidsearch, paid_search, sem; or no   paid_search
       UTM tags but an ad click id in the URL (gclid, gbraid, wbraid,
       msclkid, dclid)
3      utm_medium in email, e-mail, newsletter, mail; or a webmail         email
       referrer (mail.google.com, outlook.live.com, mail.yahoo.com, ...)
4      utm_medium in affiliate, affiliates                                 affiliate
5      utm_medium in display, banner, cpm, programmatic                    display
6      utm_medium in social, social-media, social-network, sm,             social
       organic_social; or a social-site utm_source with no utm_medium; or
       a social-site referrer (facebook, instagram, pinterest, t.co,
       twitter, x.com, linkedin, reddit, tiktok, youtube, ...)
7      utm_medium ``organic``; or a search-engine utm_source with no        organic_search
       utm_medium; or a search-engine referrer (google., bing.,
       duckduckgo., yahoo., baidu., yandex., ecosia., ...)
8      utm_medium ``referral``; or any other external referrer             referral
9      UTM tags present but none of the above matched                      other
10     no external referrer and no UTM tags                                direct
=====  ==================================================================  ================

Sites are matched on whole host labels: ``l.facebook.com`` is Facebook, ``notfacebook.com``
is not; search engines match on a label followed by any suffix (``www.google.co.uk``).

>>> channel_of("google", "cpc", None, "https://shop.example/")
'paid_search'
>>> channel_of(None, None, "https://www.google.com/", "https://shop.example/")
'organic_search'
>>> channel_of(None, None, "https://shop.example/cart", "https://shop.example/checkout")
'direct'
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final
from urllib.parse import urlsplit

PAID_SEARCH: Final = "paid_search"
PAID_SOCIAL: Final = "paid_social"
EMAIL: Final = "email"
AFFILIATE: Final = "affiliate"
DISPLAY: Final = "display"
SOCIAL: Final = "social"
ORGANIC_SEARCH: Final = "organic_search"
REFERRAL: Final = "referral"
OTHER: Final = "other"
DIRECT: Final = "direct"

CHANNELS: Final[tuple[str, ...]] = (
    PAID_SEARCH,
    PAID_SOCIAL,
    EMAIL,
    AFFILIATE,
    DISPLAY,
    SOCIAL,
    ORGANIC_SEARCH,
    REFERRAL,
    OTHER,
    DIRECT,
)

_PAID_SOCIAL_MEDIUMS: Final = frozenset(
    {"paid_social", "paidsocial", "paid-social", "social_paid", "social-paid", "socialpaid"}
)
_PAID_MEDIUMS: Final = frozenset(
    {"cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-search", "sem"}
)
_EMAIL_MEDIUMS: Final = frozenset({"email", "e-mail", "e_mail", "newsletter", "mail"})
_AFFILIATE_MEDIUMS: Final = frozenset({"affiliate", "affiliates"})
_DISPLAY_MEDIUMS: Final = frozenset({"display", "banner", "cpm", "programmatic"})
_SOCIAL_MEDIUMS: Final = frozenset(
    {"social", "social-media", "social_media", "social-network", "social_network", "sm",
     "organic_social", "organic-social"}
)

# Registered domains, matched on whole trailing labels.
_SOCIAL_SITES: Final = (
    "facebook.com", "fb.com", "fb.me", "messenger.com", "instagram.com", "pinterest.com",
    "t.co", "twitter.com", "x.com", "linkedin.com", "lnkd.in", "reddit.com", "tiktok.com",
    "youtube.com", "youtu.be", "threads.net", "bsky.app", "snapchat.com", "quora.com",
    "vk.com", "discord.com", "telegram.org", "whatsapp.com", "news.ycombinator.com",
)
# Site names matched as a host label followed by any suffix: google.com, www.google.co.uk.
_SEARCH_ENGINES: Final = (
    "google", "bing", "duckduckgo", "yahoo", "baidu", "yandex", "ecosia", "search.brave",
    "startpage", "qwant", "naver", "seznam", "ask",
)
_WEBMAIL_HOSTS: Final = frozenset(
    {"mail.google.com", "outlook.live.com", "outlook.office.com", "outlook.office365.com",
     "mail.yahoo.com", "mail.proton.me", "mail.aol.com", "mail.yandex.ru", "com.google.android.gm"}
)
# Bare source names (utm_source=facebook) for sites in the lists above.
_SOCIAL_SOURCES: Final = frozenset(
    {"facebook", "fb", "instagram", "ig", "pinterest", "twitter", "x", "linkedin", "reddit",
     "tiktok", "youtube", "threads", "snapchat", "quora", "vk", "discord", "telegram",
     "whatsapp", "hackernews", "bluesky", "meta"}
)
_ORIGIN_END: Final = frozenset({"", "/", "?", "#"})
_CLICK_IDS: Final = ("gclid=", "gbraid=", "wbraid=", "msclkid=", "dclid=")


@lru_cache(maxsize=65_536)
def host_of(url: str) -> str | None:
    """The lower-cased host of a URL, without ``www.`` and port; None when there is none.

    >>> host_of("https://WWW.Example.com:8443/a?b=1")
    'example.com'
    """
    if "//" not in url:
        url = "//" + url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def _on_site(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def _is_search_engine(host: str) -> bool:
    dotted = "." + host
    return any(("." + name + ".") in dotted for name in _SEARCH_ENGINES)


def _is_social_source(source: str) -> bool:
    return source in _SOCIAL_SOURCES or _on_site(host_of(source) or source, _SOCIAL_SITES)


def _is_search_source(source: str) -> bool:
    return _is_search_engine(host_of(source) or source) or source in _SEARCH_ENGINES


@lru_cache(maxsize=65_536)
def _classify(
    utm_source: str | None,
    utm_medium: str | None,
    tagged: bool,
    referrer: str | None,
    page_host: str | None,
    paid_click: bool,
) -> str:
    source = utm_source.strip().lower() if utm_source else ""
    medium = utm_medium.strip().lower() if utm_medium else ""
    referrer_host = host_of(referrer) if referrer else None
    if referrer_host is not None and referrer_host == page_host:
        referrer_host = None  # internal navigation
    if medium:
        if medium in _PAID_SOCIAL_MEDIUMS or (
            "social" in medium and any(paid in medium for paid in ("cpc", "ppc", "paid"))
        ):
            return PAID_SOCIAL
        if medium in _PAID_MEDIUMS:
            return PAID_SOCIAL if source and _is_social_source(source) else PAID_SEARCH
        if medium in _EMAIL_MEDIUMS:
            return EMAIL
        if medium in _AFFILIATE_MEDIUMS:
            return AFFILIATE
        if medium in _DISPLAY_MEDIUMS:
            return DISPLAY
        if medium in _SOCIAL_MEDIUMS:
            return SOCIAL
        if medium == "organic":
            return ORGANIC_SEARCH
        if medium == "referral":
            return REFERRAL
    elif source:
        if _is_social_source(source):
            return SOCIAL
        if _is_search_source(source):
            return ORGANIC_SEARCH
    elif paid_click:
        return PAID_SEARCH
    if referrer_host is not None:
        if referrer_host in _WEBMAIL_HOSTS:
            return EMAIL
        if _on_site(referrer_host, _SOCIAL_SITES):
            return SOCIAL
        if _is_search_engine(referrer_host):
            return ORGANIC_SEARCH
        return REFERRAL
    return OTHER if tagged else DIRECT


def channel_of(
    utm_source: str | None,
    utm_medium: str | None,
    referrer: str | None,
    url: str | None,
    utm_campaign: str | None = None,
) -> str:
    """The acquisition channel for these UTM tags, referrer and page URL (rules above).

    Arguments are the promoted columns: strings or None. The common untagged, referrer-less
    event is answered without touching a cache; everything else is one or two cache hits.
    """
    tagged = utm_source is not None or utm_medium is not None or utm_campaign is not None
    paid_click = url is not None and "?" in url and any(c in url for c in _CLICK_IDS)
    if referrer is not None and url is not None:
        # Internal navigation, spotted without parsing: the referrer starts with the page's
        # scheme and host. (www./case variants are caught by the host comparison below.)
        cut = url.find("/", url.find("//") + 2)
        origin = url if cut < 0 else url[:cut]
        if referrer.startswith(origin) and referrer[len(origin) : len(origin) + 1] in _ORIGIN_END:
            referrer = None
    if referrer is None:
        if not tagged:
            return PAID_SEARCH if paid_click else DIRECT
        page_host = None
    else:
        page_host = host_of(url) if url is not None else None
    return _classify(utm_source, utm_medium, tagged, referrer, page_host, paid_click)
