"""What a buyer does during a visit: land, browse and search, then maybe buy.

The purchase funnel is product_viewed → product_added → checkout_started → order_completed,
all within one visit; each step converts less on mobile than on desktop.
"""

from __future__ import annotations

from random import Random
from typing import Any

from betterheap.demo.catalog import SEARCH_TERMS, Product, popular_product
from betterheap.demo.messages import Visit
from betterheap.demo.people import Person, Site, sign_up

# Step conversions of the funnel by device: product viewed → added → checkout → completed.
FUNNEL: dict[str, tuple[float, float, float]] = {
    "desktop": (0.30, 0.52, 0.74),
    "tablet": (0.26, 0.46, 0.66),
    "mobile": (0.21, 0.40, 0.58),
}


def buyer_visit(site: Site, person: Person, visit: Visit, first: bool, sale: bool) -> None:
    rng = site.rng
    channel = visit.referrer or visit.campaign
    roll = rng.random()
    product = popular_product(rng)
    if channel and roll < 0.55:
        visit.page("Product", product.path, product.title, category=product.category)
        visit.track("product_viewed", _product_properties(product), 1_500)
        viewed = 1
    elif roll < 0.8:
        visit.page("Home", "/", "Handmade gifts and home goods")
        viewed = 0
    else:
        _search(visit, rng)
        viewed = 0
    if viewed == 0 and rng.random() < 0.22:
        return  # bounced
    while viewed < 14 and (viewed == 0 or rng.random() < 0.6):
        if rng.random() < 0.3:
            _search(visit, rng)
        product = popular_product(rng)
        visit.page("Product", product.path, product.title, category=product.category)
        visit.track("product_viewed", _product_properties(product), 1_500)
        viewed += 1
        if person.user_id and rng.random() < 0.12:
            visit.track("product_favorited", {"product_id": product.product_id})
    p_add, p_checkout, p_complete = FUNNEL[person.platform.device_type]
    if sale:
        p_add *= 1.3
    if rng.random() < p_add:
        _purchase(site, person, visit, product, p_checkout, p_complete, sale)
    elif person.user_id is None and person.wants_to_sign_up(rng, 0.3 if first else 0.14):
        sign_up(site, person, visit)


def _purchase(
    site: Site,
    person: Person,
    visit: Visit,
    product: Product,
    p_checkout: float,
    p_complete: float,
    sale: bool,
) -> None:
    rng = site.rng
    cart_id = f"cart_{visit.session_id}"
    lines = [(product, 2 if rng.random() < 0.1 else 1)]
    if rng.random() < 0.2:
        lines.append((popular_product(rng), 1))
    for item, quantity in lines:
        visit.track(
            "product_added", {**_product_properties(item), "quantity": quantity, "cart_id": cart_id}
        )
    visit.page("Cart", "/cart", "Your cart")
    if rng.random() >= p_checkout:
        return
    if (
        person.user_id is None
        and person.wants_to_sign_up(rng, 0.6)
        and not sign_up(site, person, visit)
    ):
        return  # could not create the account, gave up
    subtotal = round(sum(item.price * quantity for item, quantity in lines), 2)
    visit.track(
        "checkout_started",
        {"cart_id": cart_id, "value": subtotal, "currency": "USD"},
        20_000 + int(rng.random() * 40_000),
    )
    visit.page("Checkout", "/cart/checkout", "Checkout")
    if rng.random() >= p_complete:
        return
    site.orders += 1
    order_id = f"o_{site.orders:08d}"
    shipping = 0.0 if subtotal >= 35 else 4.95
    discount = round(subtotal * 0.15, 2) if sale else 0.0
    properties: dict[str, Any] = {
        "order_id": order_id,
        "revenue": round(subtotal - discount + shipping, 2),
        "currency": "USD",
        "revenue_type": "purchase",
        "shipping": shipping,
        "discount": discount,
        "products": [
            {
                "product_id": item.product_id,
                "price": item.price,
                "quantity": quantity,
                "category": item.category,
            }
            for item, quantity in lines
        ],
    }
    if sale:
        properties["coupon"] = "SPRING15"
    visit.track("order_completed", properties, 30_000 + int(rng.random() * 60_000))
    visit.page("Order confirmation", f"/orders/{order_id}", "Thank you for your order")
    site.recent_orders.append(order_id)


def _search(visit: Visit, rng: Random) -> None:
    query = rng.choice(SEARCH_TERMS)
    visit.page("Search", "/search", f"{query.title()} - Search", query=query)
    visit.track("search_performed", {"query": query, "results": 8 + int(rng.random() * 400)})


def _product_properties(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.product_id,
        "price": product.price,
        "category": product.category,
        "shop_id": product.shop_id,
    }
