"""The tracking plan of the demo marketplace: exactly what the clean generator sends.

It serves two purposes. A project loaded with the demo can deploy it and see a plan that
fits (the clean data raises no violation: ``tests/demo/test_plan.py`` proves it), and with
``generate(messy=True)`` the same plan is what turns the raw mess back into clean events:
the aliases rename the synonyms the mess uses (``AddToCart``, ``purchase``...), the filters
drop its bots and internal traffic and scrub its e-mail addresses, and the policies decide
what happens to its mistyped and missing properties.

Page views (``$pageview``) and identify calls (``$identify``) are reserved names and are not
planned. The ``email`` trait sent with ``identify`` is planned as a common property so the
plan knows it is personal data.

>>> MARKETPLACE_PLAN.event("product_added").aliases
('AddToCart', 'add-to-cart', 'Add To Cart', 'cart_add')
>>> MARKETPLACE_PLAN.event("order_completed").property("order_id").required
True
"""

from __future__ import annotations

from typing import Final

from betterheap.demo.catalog import PRODUCTS
from betterheap.taxonomy.plan import (
    Action,
    Filters,
    PlannedEvent,
    PlannedProperty,
    Policies,
    TrackingPlan,
)

CURRENCY: Final = r"^[A-Z]{3}$"
CATEGORIES: Final[tuple[str, ...]] = tuple(sorted({product.category for product in PRODUCTS}))
SUBSCRIPTION_PLANS: Final = ("plus", "pro")  # "free" sellers never start a subscription


def _id(name: str, description: str, pattern: str | None = None) -> PlannedProperty:
    """An identifier metrics join or count on: required, so an event without it is quarantined."""
    return PlannedProperty(name=name, required=True, pattern=pattern, description=description)


def _revenue(kind: str) -> tuple[PlannedProperty, ...]:
    """The revenue triple every paying event carries; ``revenue_type`` names the stream."""
    return (
        PlannedProperty(name="revenue", type="number", required=True, description="USD amount"),
        PlannedProperty(name="currency", required=True, pattern=CURRENCY, description="ISO 4217"),
        PlannedProperty(name="revenue_type", required=True, allowed=(kind,)),
    )


_PRODUCT_ID = _id("product_id", "catalogue id, p_<number>", r"^p_\d+$")
_SHOP_ID = _id("shop_id", "the seller's shop")
_PRODUCT = (
    _PRODUCT_ID,
    PlannedProperty(name="price", type="number", description="listing price in USD"),
    PlannedProperty(name="category", allowed=CATEGORIES),
    PlannedProperty(name="shop_id", description="the shop selling the product"),
)
_SIGN_UP = (
    PlannedProperty(name="role", required=True, allowed=("buyer", "seller")),
    PlannedProperty(name="method", allowed=("email", "google", "apple")),
)
_SUBSCRIPTION = (
    PlannedProperty(name="plan", required=True, allowed=SUBSCRIPTION_PLANS),
    *_revenue("subscription"),
    PlannedProperty(name="interval", allowed=("month",)),
)

EVENTS: Final[tuple[PlannedEvent, ...]] = (
    PlannedEvent(
        name="product_viewed",
        description="A buyer opened a product page.",
        properties=_PRODUCT,
        aliases=("view_item",),
    ),
    PlannedEvent(
        name="product_added",
        description="A product was added to the cart (one event per cart line).",
        properties=(
            *_PRODUCT,
            PlannedProperty(name="quantity", type="integer"),
            PlannedProperty(name="cart_id", description="cart_<session id>"),
        ),
        aliases=("AddToCart", "add-to-cart", "Add To Cart", "cart_add"),
    ),
    PlannedEvent(
        name="checkout_started",
        description="The buyer went from the cart to checkout.",
        properties=(
            _id("cart_id", "the cart being checked out"),
            PlannedProperty(name="value", type="number", description="cart subtotal in USD"),
            PlannedProperty(name="currency", pattern=CURRENCY),
        ),
        aliases=("begin_checkout",),
    ),
    PlannedEvent(
        name="order_completed",
        description="An order was paid: the marketplace's purchase revenue.",
        properties=(
            _id("order_id", "o_<number>, also sent by order_shipped", r"^o_\d+$"),
            *_revenue("purchase"),
            PlannedProperty(name="shipping", type="number"),
            PlannedProperty(name="discount", type="number"),
            PlannedProperty(name="coupon", description="SPRING15 during the spring sale"),
            PlannedProperty(
                name="products", type="array", description="product_id, price, quantity, category"
            ),
        ),
        aliases=("purchase",),
    ),
    PlannedEvent(
        name="search_performed",
        description="A search from the search box; the query is free text.",
        properties=(
            PlannedProperty(name="query"),
            PlannedProperty(name="results", type="integer"),
        ),
    ),
    PlannedEvent(
        name="product_favorited",
        description="A signed-up buyer saved a product.",
        properties=(_PRODUCT_ID,),
    ),
    PlannedEvent(
        name="signup_started",
        description="The sign-up form was submitted.",
        properties=_SIGN_UP,
    ),
    PlannedEvent(
        name="signed_up",
        description="The account was created (an identify follows).",
        properties=_SIGN_UP,
        aliases=("sign_up",),
    ),
    PlannedEvent(
        name="shop_opened",
        description="A new seller opened their shop.",
        properties=(_SHOP_ID,),
    ),
    PlannedEvent(
        name="listing_created",
        description="A seller listed a new product.",
        properties=(
            _SHOP_ID,
            PlannedProperty(name="category", allowed=CATEGORIES),
            PlannedProperty(name="price", type="number"),
        ),
    ),
    PlannedEvent(
        name="listing_updated",
        description="A seller edited a listing.",
        properties=(
            _SHOP_ID,
            _id("listing_id", "l_<number>"),
            PlannedProperty(name="field", allowed=("price", "photos", "title")),
        ),
    ),
    PlannedEvent(
        name="order_shipped",
        description="A seller shipped an order bought earlier.",
        properties=(_SHOP_ID, _id("order_id", "the order_completed being shipped", r"^o_\d+$")),
    ),
    PlannedEvent(
        name="subscription_started",
        description="A seller started a paid plan (Plus $9.99, Pro $29.99 a month).",
        properties=_SUBSCRIPTION,
    ),
    PlannedEvent(
        name="subscription_renewed",
        description="The billing job renewed a plan: no browser, user id only.",
        properties=_SUBSCRIPTION,
    ),
    PlannedEvent(
        name="subscription_cancelled",
        description="The billing job ended a plan that did not renew.",
        properties=(PlannedProperty(name="plan", required=True, allowed=SUBSCRIPTION_PLANS),),
    ),
    PlannedEvent(
        name="ad_campaign_purchased",
        description="A seller bought promoted listings: the marketplace's ads revenue.",
        properties=(
            _SHOP_ID,
            _id("campaign_id", "ad_<number>"),
            PlannedProperty(name="budget", type="number"),
            PlannedProperty(name="duration_days", type="integer", allowed=(7, 14, 30)),
            *_revenue("ads"),
        ),
    ),
)

#: The auto-captured clicks of messy mode, named after the fact.
ACTIONS: Final[tuple[Action, ...]] = (
    Action(name="add_to_cart_clicked", selector="button.add-to-cart", text="Add to cart"),
    Action(name="buy_now_clicked", selector="button.buy-now", text="Buy now"),
    Action(name="nav_link_clicked", selector="nav a.nav-link"),
    Action(name="newsletter_subscribed", selector="form.newsletter-form button", text="Subscribe"),
)

MARKETPLACE_PLAN: Final = TrackingPlan(
    name="Craftly marketplace",
    product_kind="ecommerce",
    naming="snake_case",
    events=EVENTS,
    actions=ACTIONS,
    common_properties=(
        PlannedProperty(name="email", pii=True, description="identify trait, <user id>@example.com"),
    ),
    filters=Filters(
        bots=True,
        internal_ips=("10.0.0.0/8",),
        internal_hosts=("staging.craftly.example",),
        internal_flag="$internal",
        scrub_pii=True,
        truncate_ip=True,
    ),
    policies=Policies(
        unplanned_event="flag",
        unplanned_property="flag",
        missing_required="quarantine",
        wrong_type="move_aside",
        not_allowed="flag",
        pattern_mismatch="flag",
    ),
)
