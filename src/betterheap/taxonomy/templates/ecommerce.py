"""An online store, after the Segment e-commerce spec v2.

Segment's ``Product Added`` becomes ``product_added`` (object_action, snake_case); the
aliases are the names the same actions arrive under from GA4 (``add_to_cart``,
``purchase``), Facebook pixels and hand-rolled tracking, so events sent before the plan
existed still land on the right definition.
"""

from __future__ import annotations

from types import MappingProxyType

from betterheap.taxonomy.templates.shared import (
    CURRENCY,
    PLATFORM,
    REASON,
    REVENUE,
    SHARE_VIA,
    ExampleQuestion,
    Template,
    event,
    identity_events,
    prop,
)

PRODUCT_ID = prop("product_id", required=True, description="The product's id in the catalogue.")
PRODUCT = (
    PRODUCT_ID,
    prop("sku", description="The product's stock keeping unit."),
    prop("category", description="The product's category."),
    prop("name", description="The product's name (not a person's)."),
    prop("brand", description="The product's brand."),
    prop("variant", description="The variant: size, colour..."),
    prop("price", "number", description="The unit price, in `currency`."),
    prop("quantity", "integer", description="How many units."),
    prop("coupon", description="The coupon code applied to the product."),
    prop("position", "integer", description="The product's position in the list it was shown in."),
    prop("url", description="The product page's address."),
    prop("image_url", description="The product image's address."),
)
PRODUCTS = prop(
    "products", "array", description="The products: objects with product_id, sku, price, quantity..."
)
CART_ID = prop("cart_id", description="The cart's id.")
CHECKOUT_ID = prop("checkout_id", description="The checkout's id.")
ORDER_ID = prop("order_id", required=True, description="The order's id.")
VALUE = prop("value", "number", description="The monetary value of the action, in `currency`.")
COUPON = prop("coupon", description="The coupon code applied to the order.")
STEP = prop("step", description="The checkout step's name, e.g. shipping or payment.")
SHIPPING_METHOD = prop("shipping_method", description="The chosen shipping method.")
PAYMENT_METHOD = prop("payment_method", description="How the customer pays: card, paypal...")
WISHLIST = (
    prop("wishlist_id", description="The wishlist's id."),
    prop("wishlist_name", description="The wishlist's name."),
)
ORDER_TOTALS = (
    prop("affiliation", description="The store or affiliate the order came through."),
    prop("subtotal", "number", description="The order total before shipping and tax, after discounts."),
    prop("total", "number", description="The order total, with shipping and tax."),
    REVENUE,
    prop("shipping", "number", description="Shipping cost."),
    prop("tax", "number", description="Tax."),
    prop("discount", "number", description="Total discount."),
    COUPON,
    CURRENCY,
    PRODUCTS,
)

EVENTS = (
    *identity_events(),
    event(
        "products_searched",
        "A shopper searched the catalogue.",
        prop("query", description="What was searched for."),
        aliases=("search", "product_search", "searched_products", "search_performed"),
    ),
    event(
        "product_list_viewed",
        "A shopper viewed a category or a list of products.",
        prop("list_id", description="The list's id."),
        prop("category", description="The product's category."),
        PRODUCTS,
        aliases=("view_item_list", "category_viewed", "collection_viewed", "product_list_view"),
    ),
    event(
        "product_clicked",
        "A shopper clicked a product in a list.",
        *PRODUCT,
        aliases=("select_item", "product_click"),
    ),
    event(
        "product_viewed",
        "A shopper viewed a product's page.",
        *PRODUCT,
        CURRENCY,
        VALUE,
        aliases=("view_item", "product_view", "viewed_product", "product_page_viewed", "pdp_viewed"),
    ),
    event(
        "product_added",
        "A shopper added a product to the cart.",
        CART_ID,
        *PRODUCT,
        CURRENCY,
        aliases=("add_to_cart", "added_to_cart", "cart_add", "addtocart", "item_added_to_cart"),
    ),
    event(
        "product_removed",
        "A shopper removed a product from the cart.",
        CART_ID,
        *PRODUCT,
        CURRENCY,
        aliases=("remove_from_cart", "removed_from_cart", "cart_remove", "item_removed_from_cart"),
    ),
    event(
        "cart_viewed",
        "A shopper viewed the cart.",
        CART_ID,
        VALUE,
        CURRENCY,
        PRODUCTS,
        aliases=("view_cart", "cart_view", "basket_viewed"),
    ),
    event(
        "checkout_started",
        "A shopper started checking out.",
        prop("order_id", description="The order's id, when known this early."),
        CHECKOUT_ID,
        VALUE,
        *ORDER_TOTALS[3:],
        aliases=(
            "begin_checkout",
            "initiate_checkout",
            "initiated_checkout",
            "start_checkout",
            "checkout_begin",
        ),
    ),
    event(
        "checkout_step_viewed",
        "A shopper reached a step of the checkout.",
        CHECKOUT_ID,
        STEP,
        SHIPPING_METHOD,
        PAYMENT_METHOD,
        aliases=("checkout_step_view",),
    ),
    event(
        "checkout_step_completed",
        "A shopper completed a step of the checkout.",
        CHECKOUT_ID,
        STEP,
        SHIPPING_METHOD,
        PAYMENT_METHOD,
        aliases=("checkout_step", "add_shipping_info", "checkout_progress"),
    ),
    event(
        "payment_info_entered",
        "A shopper entered payment details.",
        CHECKOUT_ID,
        prop("order_id", description="The order's id, when known this early."),
        STEP,
        SHIPPING_METHOD,
        PAYMENT_METHOD,
        aliases=("add_payment_info", "payment_info_added", "payment_added"),
    ),
    event(
        "order_completed",
        "A customer placed an order.",
        ORDER_ID,
        CHECKOUT_ID,
        *ORDER_TOTALS,
        PAYMENT_METHOD,
        SHIPPING_METHOD,
        prop("shipping_address", "object", pii=True, description="Where the order ships to."),
        aliases=(
            "purchase",
            "purchased",
            "order_placed",
            "place_order",
            "checkout_completed",
            "completed_order",
            "order_complete",
            "transaction",
        ),
    ),
    event(
        "order_refunded",
        "An order was refunded, in full or in part.",
        ORDER_ID,
        prop("total", "number", description="The refunded amount."),
        CURRENCY,
        PRODUCTS,
        REASON,
        aliases=("refund", "order_refund", "refunded"),
    ),
    event(
        "order_cancelled",
        "An order was cancelled before it shipped.",
        ORDER_ID,
        prop("total", "number", description="The cancelled order's total."),
        CURRENCY,
        PRODUCTS,
        REASON,
        aliases=("order_canceled", "cancel_order", "cancelled_order"),
    ),
    event(
        "coupon_applied",
        "A coupon was accepted for an order or a cart.",
        prop("order_id", description="The order's id."),
        CART_ID,
        prop("coupon_id", description="The coupon's id."),
        prop("coupon_name", description="The coupon's name or code."),
        prop("discount", "number", description="Total discount."),
        aliases=("coupon_redeemed", "promo_code_applied", "discount_applied"),
    ),
    event(
        "coupon_denied",
        "A coupon was refused.",
        prop("order_id", description="The order's id."),
        CART_ID,
        COUPON,
        REASON,
        aliases=("coupon_rejected", "promo_code_denied", "coupon_invalid"),
    ),
    event(
        "product_added_to_wishlist",
        "A shopper saved a product to a wishlist.",
        *WISHLIST,
        *PRODUCT,
        aliases=("add_to_wishlist", "added_to_wishlist", "wishlist_add"),
    ),
    event(
        "product_removed_from_wishlist",
        "A shopper removed a product from a wishlist.",
        *WISHLIST,
        *PRODUCT,
        aliases=("remove_from_wishlist", "wishlist_remove"),
    ),
    event(
        "product_shared",
        "A shopper shared a product.",
        SHARE_VIA,
        prop("recipient", pii=True, description="Who it was shared with."),
        *PRODUCT,
        aliases=("share", "product_share"),
    ),
    event(
        "product_reviewed",
        "A customer reviewed a product.",
        PRODUCT_ID,
        prop("review_id", description="The review's id."),
        prop("review_body", pii=True, description="The review's text; may contain personal data."),
        prop("rating", "number", description="The rating given."),
        aliases=("review_submitted", "product_review"),
    ),
)

TEMPLATE = Template(
    kind="ecommerce",
    title="E-commerce store",
    description="An online store or marketplace: browse, cart, checkout, order.",
    events=EVENTS,
    key_actions=(
        ("products_searched", "search for products"),
        ("product_viewed", "view a product"),
        ("product_added", "add to cart"),
        ("checkout_started", "start checkout"),
        ("order_completed", "place an order"),
        ("order_refunded", "get a refund or cancel"),
        ("coupon_applied", "use a coupon"),
        ("product_added_to_wishlist", "save to a wishlist"),
        ("product_shared", "share a product"),
        ("product_reviewed", "review a product"),
    ),
    companions=MappingProxyType(
        {
            "products_searched": ("product_list_viewed",),
            "product_viewed": ("product_list_viewed", "product_clicked"),
            "product_added": ("product_removed", "cart_viewed"),
            "checkout_started": ("checkout_step_viewed", "checkout_step_completed", "payment_info_entered"),
            "order_refunded": ("order_cancelled",),
            "coupon_applied": ("coupon_denied",),
            "product_added_to_wishlist": ("product_removed_from_wishlist",),
        }
    ),
    common_properties=(PLATFORM,),
    example_questions=(
        ExampleQuestion(
            "What share of product views lead to an order within a day?",
            ("product_viewed", "order_completed"),
        ),
        ExampleQuestion(
            "Where do shoppers drop off between adding to cart, starting checkout and ordering?",
            ("product_added", "checkout_started", "order_completed"),
        ),
        ExampleQuestion("Which checkout step loses the most shoppers?", ("checkout_step_completed",)),
        ExampleQuestion(
            "How much revenue comes in each week, and from how many orders?", ("order_completed",)
        ),
        ExampleQuestion("What share of customers order again within 30 days?", ("order_completed",)),
        ExampleQuestion(
            "What share of new sign-ups place a first order within 7 days?", ("signed_up", "order_completed")
        ),
        ExampleQuestion(
            "Which products are added to carts but rarely bought?", ("product_added", "order_completed")
        ),
        ExampleQuestion(
            "Which searches end without a product view?", ("products_searched", "product_viewed")
        ),
        ExampleQuestion("Which payment methods do customers use most?", ("order_completed",)),
        ExampleQuestion(
            "What share of revenue is refunded, and for which categories?",
            ("order_completed", "order_refunded"),
        ),
        ExampleQuestion("Do shoppers who use a coupon order again?", ("coupon_applied", "order_completed")),
    ),
)
