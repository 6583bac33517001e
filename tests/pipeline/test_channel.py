"""Acquisition channel rules (documented in betterheap.pipeline.channel)."""

from __future__ import annotations

import pytest

from betterheap.pipeline.channel import CHANNELS, channel_of, host_of

PAGE = "https://shop.example/pricing"

# (utm_source, utm_medium, referrer, url, utm_campaign, channel)
RULES = [
    ("google", "cpc", None, PAGE, "spring", "paid_search"),
    ("bing", "PPC", None, PAGE, None, "paid_search"),
    (None, "paidsearch", "https://www.google.com/", PAGE, None, "paid_search"),
    ("facebook", "cpc", None, PAGE, None, "paid_social"),
    ("meta", "paid_social", None, PAGE, None, "paid_social"),
    ("linkedin", "social-cpc", None, PAGE, None, "paid_social"),
    ("newsletter", "email", None, PAGE, "may", "email"),
    ("mailchimp", "Newsletter", None, PAGE, None, "email"),
    ("partnerx", "affiliate", None, PAGE, None, "affiliate"),
    ("dv360", "display", None, PAGE, None, "display"),
    ("adnet", "banner", None, PAGE, None, "display"),
    ("adnet", "cpm", None, PAGE, None, "display"),
    ("twitter", "social", None, PAGE, None, "social"),
    ("instagram", None, None, PAGE, None, "social"),
    ("google", "organic", None, PAGE, None, "organic_search"),
    ("duckduckgo", None, None, PAGE, None, "organic_search"),
    ("blog", "referral", None, PAGE, None, "referral"),
    ("somewhere", "weird-medium", None, PAGE, None, "other"),
    (None, None, None, PAGE, "launch", "other"),
    # Medium wins over referrer.
    ("newsletter", "email", "https://t.co/xyz", PAGE, None, "email"),
    # Unknown medium: the referrer decides.
    ("x", "weird", "https://www.reddit.com/r/foo", PAGE, None, "social"),
    # Referrer only.
    (None, None, "https://l.facebook.com/l.php?u=x", PAGE, None, "social"),
    (None, None, "https://t.co/abc", PAGE, None, "social"),
    (None, None, "https://x.com/someone", PAGE, None, "social"),
    (None, None, "https://www.linkedin.com/feed/", PAGE, None, "social"),
    (None, None, "https://www.youtube.com/watch?v=1", PAGE, None, "social"),
    (None, None, "https://www.tiktok.com/", PAGE, None, "social"),
    (None, None, "https://www.pinterest.com/pin/1", PAGE, None, "social"),
    (None, None, "https://www.google.com/", PAGE, None, "organic_search"),
    (None, None, "https://www.google.co.uk/search?q=x", PAGE, None, "organic_search"),
    (None, None, "https://www.bing.com/search?q=x", PAGE, None, "organic_search"),
    (None, None, "https://duckduckgo.com/", PAGE, None, "organic_search"),
    (None, None, "https://search.yahoo.com/", PAGE, None, "organic_search"),
    (None, None, "https://www.baidu.com/", PAGE, None, "organic_search"),
    (None, None, "https://yandex.ru/search", PAGE, None, "organic_search"),
    (None, None, "https://www.ecosia.org/search", PAGE, None, "organic_search"),
    (None, None, "https://mail.google.com/mail/u/0/", PAGE, None, "email"),
    (None, None, "https://news.example.org/story", PAGE, None, "referral"),
    # Label boundaries: these are not the sites they resemble.
    (None, None, "https://notfacebook.com/", PAGE, None, "referral"),
    (None, None, "https://box.com/", PAGE, None, "referral"),
    (None, None, "https://mygoogle.com/", PAGE, None, "referral"),
    # Same host as the page: internal navigation, i.e. no referrer.
    (None, None, "https://shop.example/", PAGE, None, "direct"),
    (None, None, "https://www.shop.example/", PAGE, None, "direct"),
    (None, None, "https://SHOP.example:443/a", PAGE, None, "direct"),
    (None, None, "https://shop.example.evil.net/", PAGE, None, "referral"),
    # Nothing at all.
    (None, None, None, PAGE, None, "direct"),
    (None, None, None, None, None, "direct"),
    # Ad click ids without UTM tags.
    (None, None, None, PAGE + "?gclid=abc", None, "paid_search"),
    (None, None, None, PAGE + "?msclkid=abc", None, "paid_search"),
    (None, None, None, PAGE + "?q=shoes", None, "direct"),
]


@pytest.mark.parametrize(
    ("utm_source", "utm_medium", "referrer", "url", "utm_campaign", "channel"), RULES
)
def test_channel_rules(
    utm_source: str | None,
    utm_medium: str | None,
    referrer: str | None,
    url: str | None,
    utm_campaign: str | None,
    channel: str,
) -> None:
    assert channel_of(utm_source, utm_medium, referrer, url, utm_campaign) == channel


def test_every_rule_lands_on_a_known_channel() -> None:
    assert {row[-1] for row in RULES} == set(CHANNELS)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.Example.com:8080/a?b#c", "example.com"),
        ("example.com/path", "example.com"),
        ("android-app://com.google.android.gm/", "com.google.android.gm"),
        ("http://[::1", None),
        ("", None),
        ("/relative/only", None),
    ],
)
def test_host_of(url: str, host: str | None) -> None:
    assert host_of(url) == host
