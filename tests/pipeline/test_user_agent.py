"""User-agent parsing over real agent strings."""

from __future__ import annotations

import pytest

from betterheap.pipeline.user_agent import parse_user_agent, resolve_agent

# (user agent, browser, os, device type)
AGENTS = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        "Chrome", "Windows", "Desktop",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        "Chrome", "macOS", "Desktop",
    ),
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Mobile Safari/537.36",
        "Chrome", "Android", "Mobile",
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        "Chrome", "Android", "Tablet",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4.1 Safari/605.1.15",
        "Safari", "macOS", "Desktop",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
        "Safari", "iOS", "Mobile",
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/16.6 Mobile/15E148 Safari/604.1",
        "Safari", "iOS", "Tablet",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
        "Chrome", "iOS", "Mobile",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Firefox", "Windows", "Desktop",
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Firefox", "Linux", "Desktop",
    ),
    (
        "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0",
        "Firefox", "Android", "Mobile",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
        "Edge", "Windows", "Desktop",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36 OPR/110.0.0.0",
        "Opera", "Windows", "Desktop",
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
        "Samsung Internet", "Android", "Mobile",
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        "Chrome", "ChromeOS", "Desktop",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36",
        "Chrome", "Linux", "Desktop",
    ),
    (
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Other", "Other", "Bot",
    ),
    (
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0.6367.60 Mobile Safari/537.36 "
        "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Other", "Android", "Bot",
    ),
    (
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Other", "Other", "Bot",
    ),
    ("curl/8.5.0", "Other", "Other", "Bot"),
    ("python-requests/2.31.0", "Other", "Other", "Bot"),
    (
        "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
        "Internet Explorer", "Windows", "Desktop",
    ),
    ("something nobody has seen", "Other", "Other", "Desktop"),
]


@pytest.mark.parametrize(("user_agent", "browser", "os", "device_type"), AGENTS)
def test_parse_user_agent(user_agent: str, browser: str, os: str, device_type: str) -> None:
    assert parse_user_agent(user_agent) == (browser, os, device_type)


def test_explicit_names_win_and_are_mapped_to_the_parser_vocabulary() -> None:
    windows_chrome = AGENTS[0][0]
    assert resolve_agent("Microsoft Edge", "Mac OS X", "Tablet", windows_chrome) == (
        "Edge",
        "macOS",
        "Tablet",
    )
    # Only what is missing comes from the agent.
    assert resolve_agent(None, "iOS", None, windows_chrome) == ("Chrome", "iOS", "Desktop")


def test_a_bot_agent_overrides_an_explicit_device_type() -> None:
    assert resolve_agent("Chrome", "Windows", "Desktop", "curl/8.5.0")[2] == "Bot"


def test_no_agent_and_no_explicit_names_gives_none() -> None:
    assert resolve_agent(None, None, None, None) == (None, None, None)
    assert resolve_agent(3, 4.5, "", 7) == (None, None, None)
