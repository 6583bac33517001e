"""The incidents planted in the demo data, with their true cause, so analyses can be checked.

The window is 90 days ending on ``end_date``; an incident is placed on the given weekday
nearest to its nominal day, so its calendar date depends on ``end_date``. Use
``incident.on(end_date)`` (or :func:`window_start`) to get it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

DAYS = 90


def window_start(end_date: date) -> date:
    """The first of the 90 days that end on ``end_date`` (inclusive)."""
    return end_date - timedelta(days=DAYS - 1)


@dataclass(frozen=True, slots=True)
class Incident:
    """One planted incident: where it hides, what it does and why."""

    name: str
    nominal_day: int  # 0-based day of the window the incident sits near
    weekday: int  # Monday = 0; the incident lands on this weekday nearest the nominal day
    event: str  # the event whose count moves
    expected_change: float  # relative change of ``event`` in the segment on the day
    cause: str
    country: str | None = None  # None: any country
    os: str | None = None  # None: any operating system
    browser: str | None = None  # None: any browser
    unaffected: tuple[str, ...] = ()  # events that stay normal in the segment that day
    utm_campaign: str | None = None

    def day_index(self, end_date: date) -> int:
        start = window_start(end_date)
        candidates = range(self.nominal_day - 3, self.nominal_day + 4)
        return next(d for d in candidates if (start + timedelta(days=d)).weekday() == self.weekday)

    def on(self, end_date: date) -> date:
        return window_start(end_date) + timedelta(days=self.day_index(end_date))

    def hits(self, country: str, os: str, browser: str) -> bool:
        """Whether a visitor from ``country`` on ``os`` / ``browser`` is in the segment."""
        return (
            (self.country is None or self.country == country)
            and (self.os is None or self.os == os)
            and (self.browser is None or self.browser == browser)
        )


@dataclass(frozen=True, slots=True)
class PlantedStory:
    """Everything planted in the data; ``signup_outage`` is the headline."""

    signup_outage: Incident
    email_campaign: Incident

    @property
    def incidents(self) -> tuple[Incident, ...]:
        return (self.signup_outage, self.email_campaign)


STORY = PlantedStory(
    signup_outage=Incident(
        name="iOS sign-up outage in the United States",
        nominal_day=60,
        weekday=1,  # a Tuesday
        event="signed_up",
        expected_change=-1.0,
        cause=(
            "A new release of the US sign-up form had a WebKit-only bug that broke form "
            "submission on iOS (every iOS browser, Safari, Chrome and the iPad, runs on "
            "WebKit): visitors reach the sign-up page and press 'Create account' "
            "(signup_started) but the account is never created, so signed_up and identify "
            "are missing for the day. US iOS is the largest segment of sign-ups, so overall "
            "sign-ups drop sharply; other countries and platforms sign up normally, and the "
            "visitors who failed usually come back and sign up on a later visit."
        ),
        country="US",
        os="iOS",
        browser=None,  # any: all iOS browsers are WebKit
        unaffected=("signup_started", "$pageview /join"),
    ),
    email_campaign=Incident(
        name="Spring sale email",
        nominal_day=75,
        weekday=3,  # a Thursday
        event="order_completed",
        expected_change=0.3,
        cause=(
            "The 'spring_sale' newsletter went to every signed-up buyer: returning visits via "
            "utm_medium=email / utm_campaign=spring_sale, daily actives and orders jump for "
            "one day, then return to the trend."
        ),
        utm_campaign="spring_sale",
    ),
)
