"""The 90 days of the marketplace: who visits on which day, streamed as Segment batches.

Every person decides at their first visit on which later days they come back (a retention
curve scaled by their own engagement and the weekday), so a day's visits are known when
the day starts and memory holds people, never messages. How many new people arrive each
day is re-planned daily from what is left of the ``events`` budget, which makes the total
land within a few percent of the request at any scale. A burn-in of 90 days before the
window creates the returning users the platform already had.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from random import Random
from statistics import NormalDist
from typing import Any

from betterheap.demo.catalog import ACQUISITION, COUNTRY_CHOICE, UTC_HOURS
from betterheap.demo.messages import Writer
from betterheap.demo.people import PLANS, Person, Site
from betterheap.demo.story import DAYS, STORY, window_start
from betterheap.demo.visits import run_visit

BURN_IN = 150
SELLER_SHARE = 0.12


def _curve(d1: float, power: float, horizon: float) -> tuple[float, ...]:
    """Probability of being active k days after the first visit: a power law that fades."""
    return tuple(
        0.0 if k == 0 else d1 * k**-power * math.exp(-k / horizon) for k in range(DAYS + BURN_IN)
    )


# Before engagement and weekday; as measured on first-seen cohorts D1/D7/D30 about 29/15/7 % for
# buyers and 35/22/12 % for sellers (pre-window users seen late make early cohorts lower).
BUYER_CURVE = _curve(0.40, 0.30, 70.0)
SELLER_CURVE = _curve(0.50, 0.25, 90.0)
BUYER_WEEK = (0.95, 0.93, 0.95, 0.97, 1.0, 1.05, 1.15)  # Monday first; buyers shop on Sunday
SELLER_WEEK = (1.1, 1.1, 1.08, 1.06, 1.0, 0.8, 0.86)  # sellers work weekdays
GROWTH = math.log(1.28) / DAYS  # daily growth of new visitors
ENGAGEMENT_SIGMA = 0.8
CAMPAIGN_OPEN = 0.05  # buyers who come back because of the spring sale email
RENEWAL = 0.92  # monthly subscription renewal rate
APPLE_SIGN_IN_LIFT = 1.1  # one-tap "Sign in with Apple": iOS visitors start sign-up more often
# Engagement multipliers at evenly spaced quantiles, to take expectations over people.
_ENGAGEMENT_QUANTILES = tuple(
    math.exp(-(ENGAGEMENT_SIGMA**2) / 2 + ENGAGEMENT_SIGMA * NormalDist().inv_cdf((q + 0.5) / 100))
    for q in range(100)
)


def _engaged(p: float) -> float:
    """Expected return probability over people: ``min(1, engagement * p)`` on average."""
    return sum(min(1.0, e * p) for e in _ENGAGEMENT_QUANTILES) / len(_ENGAGEMENT_QUANTILES)


# Messages per visit, first guesses (measured); replaced by running means while generating.
PRIOR_NEW, PRIOR_RETURN, PRIOR_WEIGHT = 8.0, 7.5, 200


class Marketplace:
    def __init__(self, events: int, seed: int, end_date: date) -> None:
        digest = hashlib.sha256(f"{seed}:{events}:{end_date.isoformat()}".encode()).hexdigest()
        self.rng = Random(f"betterheap-demo:{seed}")
        self.events = events
        self.start = window_start(end_date)
        self.first_weekday = self.start.weekday()
        id_prefix = f"{digest[:8]}-{digest[8:12]}-4{digest[12:15]}-8{digest[15:18]}-"
        self.writer = Writer(self.rng, id_prefix)
        self.site = Site(self.rng, self.writer, f"{digest[20:28]}-", DAYS)
        self.visits: list[list[Person]] = [[] for _ in range(DAYS)]
        self.future_visits = 0
        self.outage_day = STORY.signup_outage.day_index(end_date)
        self.campaign_day = STORY.email_campaign.day_index(end_date)
        self.curves = {
            role: [[curve[k] * week[(w + k) % 7] for k in range(DAYS + BURN_IN)] for w in range(7)]
            for role, curve, week in (
                ("buyer", BUYER_CURVE, BUYER_WEEK),
                ("seller", SELLER_CURVE, SELLER_WEEK),
            )
        }
        mix = [
            (1 - SELLER_SHARE) * _engaged(b) + SELLER_SHARE * _engaged(s)
            for b, s in zip(BUYER_CURVE, SELLER_CURVE, strict=True)
        ]
        self.returns_within = list(itertools.accumulate(mix))
        self.arrivals: list[int] = []  # new people per day, for tests and tuning
        self.seen = {
            "new": [PRIOR_NEW * PRIOR_WEIGHT, PRIOR_WEIGHT],
            "return": [PRIOR_RETURN * PRIOR_WEIGHT, PRIOR_WEIGHT],
        }

    # -- planning -------------------------------------------------------------------------
    def weekday(self, day: int) -> int:
        return (self.first_weekday + day) % 7

    def arrivals_shape(self, day: int) -> float:
        week = self.weekday(day)
        mix = (1 - SELLER_SHARE) * BUYER_WEEK[week] + SELLER_SHARE * SELLER_WEEK[week]
        return math.exp(GROWTH * day) * mix

    def mean(self, kind: str) -> float:
        total, count = self.seen[kind]
        return total / count

    def expected_per_arrival(self, day: int) -> float:
        return self.mean("new") + self.mean("return") * self.returns_within[DAYS - 1 - day]

    def arrivals_today(self, day: int) -> float:
        """New people today so that the expected total lands on ``events``."""
        pending = self.future_visits + sum(len(r) for r in self.site.renewals[day:])
        left = self.events - self.writer.count - pending * self.mean("return")
        plan = sum(self.arrivals_shape(d) * self.expected_per_arrival(d) for d in range(day, DAYS))
        wanted = max(left, 0.0) * self.arrivals_shape(day) / plan
        if day < 7 or sum(self.arrivals[-7:]) < 50:
            return wanted  # too few people for a trend: follow the budget
        # Near the end a small miss would swing a whole day; keep within 15 % of the trend.
        recent = sum(self.arrivals[-7:]) / sum(self.arrivals_shape(d) for d in range(day - 7, day))
        trend = recent * self.arrivals_shape(day)
        return min(max(wanted, 0.85 * trend), 1.15 * trend)

    def burn_in_scale(self) -> float:
        inside = sum(self.arrivals_shape(d) * self.expected_per_arrival(d) for d in range(DAYS))
        before = sum(
            self.arrivals_shape(b)
            * self.mean("return")
            * (self.returns_within[DAYS - 1 - b] - self.returns_within[-b - 1])
            for b in range(-BURN_IN, 0)
        )
        return self.events / (inside + before)

    def whole(self, expected: float) -> int:
        count = int(expected)
        return count + (self.rng.random() < expected - count)

    # -- people ---------------------------------------------------------------------------
    def new_person(self, day: int) -> Person:
        rng = self.rng
        week = self.weekday(day)
        seller = SELLER_SHARE * SELLER_WEEK[week]
        buyer = (1 - SELLER_SHARE) * BUYER_WEEK[week]
        role = "seller" if rng.random() * (buyer + seller) < seller else "buyer"
        country = COUNTRY_CHOICE.pick(rng)
        platform = country.platforms.pick(rng)
        person = Person(
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            role,
            country.code,
            country.locale,
            platform,
            rng.choice(platform.user_agents),
            rng.lognormvariate(-(ENGAGEMENT_SIGMA**2) / 2, ENGAGEMENT_SIGMA),
            ACQUISITION.pick(rng),
            country.signup_rate * (APPLE_SIGN_IN_LIFT if platform.os == "iOS" else 1.0),
        )
        self.schedule(person, day)
        return person

    def schedule(self, person: Person, created: int) -> None:
        rng = self.rng.random
        curve = self.curves[person.role][self.weekday(created)]
        e = person.engagement
        first, last = max(1, -created), DAYS - created
        days = [created + k for k in range(first, last) if rng() < e * curve[k]]
        for d in days:
            self.visits[d].append(person)
        self.future_visits += len(days)

    def burn_in(self) -> None:
        """People who arrived before the window: some signed up, some sellers paying."""
        scale = self.burn_in_scale()
        site = self.site
        for day in range(-BURN_IN, 0):
            for _ in range(self.whole(scale * self.arrivals_shape(day))):
                person = self.new_person(day)
                if self.rng.random() < (0.8 if person.role == "seller" else 0.4):
                    person.user_id = site.new_user_id()
                    if person.role == "buyer":
                        site.subscribers.append(person)
                    if person.role == "seller":
                        person.shop_id = f"shop_{person.user_id}"
                        roll = self.rng.random()
                        person.plan = "pro" if roll < 0.1 else "plus" if roll < 0.35 else "free"
                        if PLANS[person.plan]:
                            site.renewals[self.rng.randrange(30)].append(person)

    # -- the days -------------------------------------------------------------------------
    def messages(self, batch_size: int) -> Iterator[list[dict[str, Any]]]:
        """Lists of ``batch_size`` messages (the last one shorter), day after day."""
        self.burn_in()
        out = self.writer.out
        for day in range(DAYS):
            self.start_day(day)
            self.renew_subscriptions(day)
            returning = self.visits[day]
            self.visits[day] = []
            self.future_visits -= len(returning)
            if day == self.campaign_day:
                returning += self.email_openers(returning)
            arrivals = self.whole(self.arrivals_today(day))
            self.arrivals.append(arrivals)
            plan = [(self.start_ms(p), n, p, False) for n, p in enumerate(returning)]
            plan += [
                (self.start_ms(p), len(plan) + n, p, True)
                for n, p in ((n, self.new_person(day)) for n in range(arrivals))
            ]
            plan.sort()
            for start_ms, _, person, first in plan:
                produced = run_visit(self.site, person, start_ms, first)
                seen = self.seen["new" if first else "return"]
                seen[0] += produced
                seen[1] += 1
                while len(out) >= batch_size:
                    yield out[:batch_size]
                    del out[:batch_size]
        if out:
            yield out[:]
            out.clear()

    def email_openers(self, scheduled: list[Person]) -> list[Person]:
        """Signed-up buyers the spring sale email brings back on top of the usual visits."""
        already = {id(person) for person in scheduled}
        openers = []
        for person in self.site.subscribers:
            if id(person) not in already and self.rng.random() < CAMPAIGN_OPEN:
                person.campaign_extra = True
                openers.append(person)
        self.site.subscribers = []
        self.site.collect_subscribers = False
        return openers

    def start_ms(self, person: Person) -> int:
        return UTC_HOURS[person.country].pick(self.rng) * 3_600_000 + int(
            self.rng.random() * 3_600_000
        )

    def start_day(self, day: int) -> None:
        site = self.site
        site.day = day
        site.day_prefix = (self.start + timedelta(days=day)).isoformat() + "T"
        site.signup_outage = STORY.signup_outage if day == self.outage_day else None
        site.email_campaign = day == self.campaign_day

    def renew_subscriptions(self, day: int) -> None:
        site = self.site
        for person in site.renewals[day]:
            when = 5 * 3_600_000 + int(self.rng.random() * 3_600_000)
            if self.rng.random() < RENEWAL and person.user_id:
                fee = PLANS[person.plan]
                self.writer.server_track(
                    site.day_prefix,
                    when,
                    person.user_id,
                    person.country,
                    "subscription_renewed",
                    {
                        "plan": person.plan,
                        "revenue": fee,
                        "currency": "USD",
                        "revenue_type": "subscription",
                        "interval": "month",
                    },
                )
                site.start_subscription(person, day)
            elif person.user_id:
                self.writer.server_track(
                    site.day_prefix,
                    when,
                    person.user_id,
                    person.country,
                    "subscription_cancelled",
                    {"plan": person.plan},
                )
        site.renewals[day] = []
