"""User agent → browser, operating system and device type, without outside packages.

The parser is a short ordered list of regular expressions; the first match wins, so the
order *is* the logic:

* browsers: bots first, then the Chromium forks that also say "Chrome" and "Safari"
  (Edge, Opera, Samsung Internet, Yandex, UC), in-app browsers, then Firefox, Internet
  Explorer, Chrome, and Safari last (every WebKit browser claims "Safari");
* operating systems: iOS before macOS (iOS agents say "like Mac OS X"), Android and
  ChromeOS before Linux;
* device types: bots → ``Bot``; iPad, Kindle/Silk and Android *without* "Mobile" →
  ``Tablet``; phones → ``Mobile``; everything else → ``Desktop``.

Known blind spot: iPadOS 13+ Safari sends a desktop macOS agent by default, so those iPads
read as macOS/Desktop; the SDKs' explicit ``$device_type``/``context.device.type`` wins when
they send one.

Parses are cached (:func:`functools.lru_cache`) because a handful of agent strings make up
almost all traffic; the regular expressions run once per distinct agent, not per event.

>>> parse_user_agent(
...     "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
...     "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
... )
Agent(browser='Safari', os='iOS', device_type='Mobile')
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, NamedTuple

OTHER: Final = "Other"
BOT: Final = "Bot"


class Agent(NamedTuple):
    browser: str
    os: str
    device_type: str


_BOT: Final = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|mediapartners|facebookexternalhit|embedly|"
    r"lighthouse|pingdom|uptime|^curl/|^wget/|python-requests|python-urllib|aiohttp|httpx|"
    r"go-http-client|^java/|okhttp|libwww|scrapy|axios/|node-fetch|postmanruntime",
    re.IGNORECASE,
)

# (pattern, browser name); first match wins.
_BROWSERS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"\bEdg(?:e|A|iOS)?/", "Edge"),
        (r"\bOPR/|\bOPiOS/|\bOpera\b|\bOPT/", "Opera"),
        (r"\bSamsungBrowser/", "Samsung Internet"),
        (r"\bYaBrowser/", "Yandex Browser"),
        (r"\bUCBrowser/|\bUCWEB", "UC Browser"),
        (r"\bFBAN/|\bFBAV/", "Facebook"),
        (r"\bInstagram\b", "Instagram"),
        (r"\bFirefox/|\bFxiOS/", "Firefox"),
        (r"\bMSIE |\bTrident/", "Internet Explorer"),
        (r"\bChrome/|\bCriOS/|\bChromium/|\bHeadlessChrome/", "Chrome"),
        (r"\bSafari/|\bAppleWebKit/.*\bMobile/", "Safari"),
    )
)

# (pattern, os name); first match wins.
_SYSTEMS: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"\b(?:iPhone|iPad|iPod)\b|\biOS\b", "iOS"),
        (r"\bAndroid\b", "Android"),
        (r"\bCrOS\b", "ChromeOS"),
        (r"\bWindows\b", "Windows"),
        (r"\bMacintosh\b|\bMac OS X\b|\bmacOS\b", "macOS"),
        (r"\bLinux\b|\bX11\b|\bUbuntu\b", "Linux"),
    )
)

_TABLET: Final = re.compile(r"\biPad\b|\bTablet\b|\bKindle\b|\bSilk/|\bPlayBook\b")
_ANDROID: Final = re.compile(r"\bAndroid\b")
_MOBILE: Final = re.compile(r"Mobi|\biPhone\b|\biPod\b|Opera Mini|\bPhone\b")


def _first(patterns: tuple[tuple[re.Pattern[str], str], ...], user_agent: str) -> str:
    for pattern, name in patterns:
        if pattern.search(user_agent):
            return name
    return OTHER


@lru_cache(maxsize=16_384)
def parse_user_agent(user_agent: str) -> Agent:
    """Browser, OS and device type of a User-Agent header; unknown parts are ``"Other"``.

    >>> parse_user_agent("curl/8.5.0")
    Agent(browser='Other', os='Other', device_type='Bot')
    """
    if _BOT.search(user_agent):
        return Agent(OTHER, _first(_SYSTEMS, user_agent), BOT)
    browser = _first(_BROWSERS, user_agent)
    os = _first(_SYSTEMS, user_agent)
    if _TABLET.search(user_agent):
        device = "Tablet"
    elif _ANDROID.search(user_agent):
        device = "Mobile" if "Mobile" in user_agent else "Tablet"
    elif _MOBILE.search(user_agent):
        device = "Mobile"
    else:
        device = "Desktop"
    return Agent(browser, os, device)


# Names SDKs send in explicit properties, mapped onto the names the parser produces, so a
# PostHog "$browser": "Mobile Safari" and a Segment agent string land on the same value.
_BROWSER_NAMES: Final[dict[str, str]] = {
    "chrome": "Chrome",
    "chrome ios": "Chrome",
    "chrome mobile": "Chrome",
    "chrome mobile ios": "Chrome",
    "chromium": "Chrome",
    "android mobile": "Chrome",
    "safari": "Safari",
    "mobile safari": "Safari",
    "firefox": "Firefox",
    "firefox ios": "Firefox",
    "firefox mobile": "Firefox",
    "edge": "Edge",
    "microsoft edge": "Edge",
    "opera": "Opera",
    "opera mini": "Opera",
    "samsung internet": "Samsung Internet",
    "samsungbrowser": "Samsung Internet",
    "internet explorer": "Internet Explorer",
    "ie": "Internet Explorer",
    "facebook mobile": "Facebook",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "yandex browser": "Yandex Browser",
    "uc browser": "UC Browser",
}
_OS_NAMES: Final[dict[str, str]] = {
    "windows": "Windows",
    "windows 10": "Windows",
    "windows 11": "Windows",
    "mac os x": "macOS",
    "mac os": "macOS",
    "macos": "macOS",
    "os x": "macOS",
    "ios": "iOS",
    "iphone os": "iOS",
    "ipados": "iOS",
    "android": "Android",
    "linux": "Linux",
    "ubuntu": "Linux",
    "chrome os": "ChromeOS",
    "chromeos": "ChromeOS",
}
_DEVICE_NAMES: Final[dict[str, str]] = {
    "desktop": "Desktop",
    "computer": "Desktop",
    "mobile": "Mobile",
    "phone": "Mobile",
    "smartphone": "Mobile",
    # Segment mobile libraries put the platform in context.device.type.
    "ios": "Mobile",
    "android": "Mobile",
    "tablet": "Tablet",
    "ipad": "Tablet",
    "bot": "Bot",
}


@lru_cache(maxsize=1024)
def normalize_browser(name: str) -> str:
    """An SDK-reported browser name in the parser's vocabulary (unknown names kept as sent)."""
    return _BROWSER_NAMES.get(name.strip().lower(), name.strip())


@lru_cache(maxsize=1024)
def normalize_os(name: str) -> str:
    """An SDK-reported OS name in the parser's vocabulary (unknown names kept as sent)."""
    return _OS_NAMES.get(name.strip().lower(), name.strip())


@lru_cache(maxsize=256)
def normalize_device_type(name: str) -> str | None:
    """An SDK-reported device type as Desktop/Mobile/Tablet/Bot, or None when unrecognized."""
    return _DEVICE_NAMES.get(name.strip().lower())


@lru_cache(maxsize=16_384)
def resolve_agent(
    browser: object, os: object, device_type: object, user_agent: object
) -> tuple[str | None, str | None, str | None]:
    """Browser, OS and device type from what an SDK said explicitly plus the raw agent.

    Explicit names (``$browser``/``context.os.name``/...) win and are mapped onto the
    parser's vocabulary; the parsed agent fills what is missing. One exception: an agent
    that parses as a bot makes the device ``Bot`` whatever the SDK claimed, so bot traffic
    can be filtered on one column. Values that are not non-empty strings count as absent;
    a part neither given nor parseable (no agent) is None.

    >>> resolve_agent("Mobile Safari", "iOS", None, None)
    ('Safari', 'iOS', None)
    """
    explicit_browser = normalize_browser(browser) if isinstance(browser, str) and browser else None
    explicit_os = normalize_os(os) if isinstance(os, str) and os else None
    explicit_device = (
        normalize_device_type(device_type)
        if isinstance(device_type, str) and device_type
        else None
    )
    if not isinstance(user_agent, str) or not user_agent:
        return (explicit_browser, explicit_os, explicit_device)
    parsed = parse_user_agent(user_agent)
    return (
        explicit_browser or parsed.browser,
        explicit_os or parsed.os,
        BOT if parsed.device_type == BOT else explicit_device or parsed.device_type,
    )
