"""What a seller does during a visit: open a shop, manage listings, ship, buy promotion."""

from __future__ import annotations

from random import Random

from betterheap.demo.catalog import popular_product
from betterheap.demo.messages import Visit
from betterheap.demo.people import PLANS, Person, Site, sign_up


def seller_visit(site: Site, person: Person, visit: Visit, first: bool) -> None:
    rng = site.rng
    if person.user_id is None:
        visit.page("Sell", "/sell", "Sell your handmade goods")
        if person.wants_to_sign_up(rng, 0.75 if first else 0.4) and sign_up(site, person, visit):
            _open_shop(site, person, visit)
        return
    visit.page("Shop manager", "/your/shop", "Shop manager")
    for _ in range(int(rng.random() * 5)):
        visit.track(
            "listing_updated",
            {
                "shop_id": person.shop_id,
                "listing_id": f"l_{rng.randrange(1_000_000):06d}",
                "field": rng.choice(("price", "photos", "title")),
            },
            20_000 + int(rng.random() * 90_000),
        )
    if rng.random() < 0.35:
        _create_listings(rng, person, visit, 1 + int(rng.random() * 3))
    for _ in range(int(rng.random() * 4)):
        if site.recent_orders:
            visit.page("Orders", "/your/orders", "Orders")
            visit.track(
                "order_shipped",
                {"shop_id": person.shop_id, "order_id": site.recent_orders.popleft()},
            )
    if rng.random() < 0.08:
        site.ad_campaigns += 1
        budget = rng.choice((5.0, 10.0, 10.0, 20.0, 25.0, 50.0, 100.0))
        visit.page("Advertising", "/your/shop/ads", "Promoted listings")
        visit.track(
            "ad_campaign_purchased",
            {
                "shop_id": person.shop_id,
                "campaign_id": f"ad_{site.ad_campaigns:07d}",
                "budget": budget,
                "duration_days": rng.choice((7, 14, 30)),
                "revenue": budget,
                "currency": "USD",
                "revenue_type": "ads",
            },
        )
    if rng.random() < 0.3:
        visit.page("Stats", "/your/shop/stats", "Shop stats")


def _open_shop(site: Site, person: Person, visit: Visit) -> None:
    rng = site.rng
    person.shop_id = f"shop_{person.user_id}"
    visit.track("shop_opened", {"shop_id": person.shop_id}, 40_000)
    _create_listings(rng, person, visit, 1 + int(rng.random() * 4))
    fee = PLANS[person.plan]
    if fee:
        visit.page("Plans", "/your/shop/plan", "Choose a plan")
        visit.track(
            "subscription_started",
            {
                "plan": person.plan,
                "revenue": fee,
                "currency": "USD",
                "revenue_type": "subscription",
                "interval": "month",
            },
        )
        site.start_subscription(person, site.day)


def _create_listings(rng: Random, person: Person, visit: Visit, count: int) -> None:
    for _ in range(count):
        product = popular_product(rng)
        visit.page("New listing", "/your/shop/listings/new", "Create a listing")
        properties = {
            "shop_id": person.shop_id,
            "category": product.category,
            "price": product.price,
        }
        visit.track("listing_created", properties, 60_000 + int(rng.random() * 240_000))
