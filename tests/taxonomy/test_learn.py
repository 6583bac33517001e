"""Learning a tracking plan from names and clicks that already arrived."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from betterheap.query.actions import selector_pattern, text_pattern
from betterheap.taxonomy.learn import (
    ClickProposal,
    Element,
    NameGroup,
    ObservedClick,
    ObservedName,
    group_variants,
    learned_plan,
    parse_elements_chain,
    propose_click_events,
    stable_selector,
)
from betterheap.taxonomy.naming import NameResolver, to_convention
from betterheap.taxonomy.plan import Action, PlannedEvent, TrackingPlan

SHOP = TrackingPlan(
    product_kind="ecommerce",
    events=(
        PlannedEvent(name="product_added", aliases=("add_to_cart",)),
        PlannedEvent(name="product_viewed"),
        PlannedEvent(name="order_completed"),
    ),
)


def observed(*pairs: tuple[str, int]) -> list[ObservedName]:
    return [ObservedName(name, count) for name, count in pairs]


def names(group: NameGroup) -> list[str]:
    return [variant.name for variant in group.variants]


# --- grouping names -------------------------------------------------------------------------


def test_the_issue_example_groups_under_the_planned_event() -> None:
    seen = observed(("AddToCart", 50), ("add-to-cart", 30), ("Add To Cart", 20), ("cart_add", 5))
    [group] = group_variants(seen, SHOP)
    assert group.canonical == "product_added"
    assert group.planned
    assert names(group) == ["AddToCart", "add-to-cart", "Add To Cart", "cart_add"]
    assert group.count == 105


def test_unplanned_variants_group_under_the_most_frequent_in_the_plan_convention() -> None:
    seen = observed(("Wishlist Added", 30), ("wishlist_added", 12), ("AddedToWishlist", 4), ("Share", 2))
    wishlist, share = group_variants(seen, SHOP)
    assert (wishlist.canonical, wishlist.planned, wishlist.count) == ("wishlist_added", False, 46)
    assert names(wishlist) == ["Wishlist Added", "wishlist_added", "AddedToWishlist"]
    assert (share.canonical, share.planned, names(share)) == ("share", False, ["Share"])

    camel = SHOP.model_copy(update={"naming": "camelCase"})
    assert group_variants(seen, camel)[0].canonical == "wishlistAdded"


def test_misspellings_join_their_planned_event_and_bring_their_variants() -> None:
    seen = observed(("product_viewed", 500), ("prodcut_viewed", 7), ("viewed_prodcut", 3))
    [group] = group_variants(seen, SHOP)
    assert group.canonical == "product_viewed"
    assert names(group) == ["product_viewed", "prodcut_viewed", "viewed_prodcut"]


def test_a_different_action_is_not_swallowed() -> None:
    seen = observed(("order_completed", 90), ("order_shipped", 40), ("Order Shipped", 10))
    completed, shipped = group_variants(seen, SHOP)
    assert (completed.canonical, names(completed)) == ("order_completed", ["order_completed"])
    assert (shipped.canonical, shipped.planned, shipped.count) == ("order_shipped", False, 50)


def test_sdk_names_are_left_out_and_repeats_add_up() -> None:
    seen = observed(("$pageview", 9000), ("$autocapture", 4000), ("Share", 2), ("Share", 3))
    [group] = group_variants(seen, SHOP)
    assert (group.canonical, group.count, group.variants) == ("share", 5, (ObservedName("Share", 5),))


def test_groups_come_most_frequent_first() -> None:
    seen = observed(("a_thing", 1), ("order_completed", 5), ("cart_add", 3), ("b_thing", 4))
    counts = [group.count for group in group_variants(seen, SHOP)]
    assert counts == sorted(counts, reverse=True) == [5, 4, 3, 1]


RAW = st.lists(
    st.tuples(
        st.one_of(
            st.sampled_from(["AddToCart", "cart_add", "prodcut_viewed", "Order Shipped", "$pageview"]),
            st.text(max_size=15),
        ),
        st.integers(1, 1000),
    ),
    max_size=12,
)


@given(RAW)
def test_every_observed_name_lands_in_exactly_one_group(pairs: list[tuple[str, int]]) -> None:
    seen = observed(*pairs)
    groups = group_variants(seen, SHOP)
    grouped = [name for group in groups for name in names(group)]
    expected = {name for name, _ in pairs if not name.startswith("$")}
    assert sorted(grouped) == sorted(expected)
    assert sum(group.count for group in groups) == sum(c for n, c in pairs if not n.startswith("$"))
    resolver = NameResolver(SHOP)
    for group in groups:
        assert group.count == sum(variant.count for variant in group.variants)
        assert group.planned == (group.canonical in SHOP.event_names)
        for name in names(group):
            canonical, match = resolver.resolve(name)
            if match != "unplanned":
                assert canonical == group.canonical


# --- elements chains ------------------------------------------------------------------------

ADD_TO_CART = (
    'button.btn.btn-primary.css-1x2y3z:attr__class="btn btn-primary css-1x2y3z"nth-child="2"'
    'nth-of-type="1"text="Add to cart";div.product-actions:attr__class="product-actions"nth-child="3"'
    'nth-of-type="2";div.product:attr__class="product"attr__id="product-42"attr_id="product-42"'
    'nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"'
)
PRICING = (
    'a.nav-link:attr__class="nav-link"attr__href="/pricing"attr__id="pricing-link"attr_id="pricing-link"'
    'href="/pricing"nth-child="1"nth-of-type="1";nav.navbar:attr__class="navbar"nth-child="1"'
    'nth-of-type="1";body:nth-child="2"nth-of-type="1"'
)
SEARCH_ICON = (
    'svg.icon.icon-search:attr__class="icon icon-search"nth-child="1"nth-of-type="1";'
    'button.search-toggle:attr__aria-label="Search"attr__class="search-toggle"nth-child="2"nth-of-type="1";'
    'header.site-header:attr__class="site-header"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"'
)
PLAIN_DIV = 'div:nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"'


def test_parse_a_posthog_chain() -> None:
    button, actions, product, body = parse_elements_chain(ADD_TO_CART)
    assert button == Element(
        tag="button",
        classes=("btn", "btn-primary", "css-1x2y3z"),
        text="Add to cart",
        attributes=(("attr__class", "btn btn-primary css-1x2y3z"), ("nth-child", "2"), ("nth-of-type", "1")),
    )
    assert button.attribute("nth-child") == "2"
    assert (actions.tag, actions.classes, product.id, body.tag) == (
        "div",
        ("product-actions",),
        "product-42",
        "body",
    )
    [link, *_] = parse_elements_chain(PRICING)
    assert (link.id, link.href) == ("pricing-link", "/pricing")


def test_parse_quotes_semicolons_and_colons_inside_values_and_classes() -> None:
    chain = r'a.hover:underline.md:px-4:href="/a;b"text="Say \"hi\"; then: go";span:text="x"'
    link, span = parse_elements_chain(chain)
    assert link.classes == ("hover:underline", "md:px-4")
    assert (link.href, link.text) == ("/a;b", 'Say "hi"; then: go')
    assert (span.tag, span.text) == ("span", "x")


@given(st.text(max_size=80))
def test_parse_never_fails(chain: str) -> None:
    for element in parse_elements_chain(chain):
        assert isinstance(element.tag, str)


def test_parse_malformed_chains() -> None:
    assert parse_elements_chain("") == ()
    assert parse_elements_chain(";;") == ()
    [element] = parse_elements_chain('button.buy:text="unterminated')
    assert (element.tag, element.classes, element.text) == ("button", ("buy",), None)


def test_stable_selectors_drop_generated_and_state_classes() -> None:
    def selector(classes: tuple[str, ...] = (), id: str | None = None) -> str:
        return stable_selector(Element(tag="button", classes=classes, id=id))

    assert (
        selector(classes=("add-to-cart", "css-1x2y3z", "sc-bdVaJa", "jsx-2418", "active"))
        == "button.add-to-cart"
    )
    assert selector(classes=("Button_root__a1B2c", "item-123456", "is-loading", "cta")) == "button.cta"
    assert selector(classes=("hover:bg-blue-500", "w-[200px]")) == "button"  # would need escaping
    assert selector(classes=("a", "b", "c", "d")) == "button.a.b.c"
    assert selector(id="buy", classes=("cta",)) == "button#buy"
    assert selector(id=":r1:", classes=("cta",)) == "button.cta"  # React useId
    assert selector(id="ember1234", classes=("cta",)) == "button.cta"


# --- click proposals ------------------------------------------------------------------------

SHOP_CLICKS = [
    ObservedClick(ADD_TO_CART, "https://shop.example/products/42", 120),
    ObservedClick(ADD_TO_CART, "https://shop.example/products/7", 80),
    ObservedClick(ADD_TO_CART, "https://shop.example/products/9", 70),
    ObservedClick(PRICING, "https://shop.example/", 45),
    ObservedClick(SEARCH_ICON, "https://shop.example/", 33),
    ObservedClick(PLAIN_DIV, "https://shop.example/", 900),  # nothing to name or select it by
    ObservedClick('a.footer-link:text="Careers"', "https://shop.example/", 4),  # too rare
]


def test_propose_named_events_for_frequent_clicks() -> None:
    assert propose_click_events(SHOP_CLICKS, SHOP) == [
        ClickProposal(
            name="add_to_cart_clicked",
            selector="button.btn.btn-primary",
            text="Add to cart",
            url="https://shop.example/products/42",
            count=270,
        ),
        ClickProposal(
            name="pricing_link_clicked",
            selector="a#pricing-link",
            text=None,
            url="https://shop.example/",
            count=45,
        ),
        # The click landed on the icon; it was meant for the button around it.
        ClickProposal(
            name="search_toggle_clicked",
            selector="button.search-toggle, button.search-toggle *",
            text=None,
            url="https://shop.example/",
            count=33,
        ),
    ]


def test_proposals_match_the_clicks_they_came_from() -> None:
    """The action matcher decides what a proposal counts; it must count what was seen."""
    clicks = [
        *SHOP_CLICKS,
        ObservedClick('span.label:text="Checkout";button.checkout:text="Checkout";form.cart', "/cart", 60),
        ObservedClick('a.nav-link:text="  Sale  ";nav.navbar', "/", 25),
    ]
    proposals = propose_click_events(clicks, SHOP)
    assert len(proposals) == 5
    for proposal in proposals:
        matched = [
            click
            for click in clicks
            if re.search(selector_pattern(proposal.selector), click.elements_chain)
            and (proposal.text is None or re.search(text_pattern(proposal.text), click.elements_chain))
        ]
        assert sum(click.count for click in matched) == proposal.count, proposal


def test_proposals_follow_the_plan_convention_and_limits() -> None:
    pascal = SHOP.model_copy(update={"naming": "PascalCase"})
    proposals = propose_click_events(SHOP_CLICKS, pascal, min_count=40, limit=1)
    assert [p.name for p in proposals] == ["AddToCartClicked"]
    assert [p.name for p in propose_click_events(SHOP_CLICKS, SHOP, min_count=1)][-1] == "careers_clicked"


def test_proposals_skip_what_the_plan_already_names() -> None:
    plan = SHOP.model_copy(
        update={
            "events": (*SHOP.events, PlannedEvent(name="pricing_link_clicked")),
            "actions": (Action(name="search", selector="button.search-toggle, button.search-toggle *"),),
        }
    )
    proposals = propose_click_events(SHOP_CLICKS, plan)
    assert [p.name for p in proposals] == ["add_to_cart_clicked"]

    named = plan.model_copy(update={"events": (*plan.events, PlannedEvent(name="AddToCartClicked"))})
    assert propose_click_events(SHOP_CLICKS, named) == []


def test_two_buttons_with_one_label_get_two_names() -> None:
    clicks = [
        ObservedClick('button.hero-cta:text="Buy now"', "/", 300),
        ObservedClick('button.sticky-footer:text="Buy now"', "/", 100),
    ]
    assert [p.name for p in propose_click_events(clicks, SHOP)] == [
        "buy_now_clicked",
        "buy_now_sticky_footer_clicked",
    ]


def test_long_texts_are_content_not_labels() -> None:
    card = (
        'a.product-card:text="Organic cotton t-shirt, relaxed fit, available in six colours and sizes XS-XXL"'
    )
    [proposal] = propose_click_events([ObservedClick(card, "/shop", 50)], SHOP)
    assert (proposal.name, proposal.selector, proposal.text) == (
        "product_card_clicked",
        "a.product-card",
        None,
    )


def test_texts_that_make_no_valid_name_fall_back_to_the_selector() -> None:
    clicks = [ObservedClick('button.add-btn:text="Añadir al carrito"', "/", 50)]
    [proposal] = propose_click_events(clicks, SHOP)
    assert (proposal.name, proposal.text) == ("add_btn_clicked", "Añadir al carrito")


# --- the learned plan -----------------------------------------------------------------------

SEEN = observed(
    ("AddToCart", 50),
    ("add-to-cart", 30),
    ("cart_add", 5),
    ("product_viewed", 500),
    ("prodcut_viewed", 7),
    ("viewed_prodcut", 3),
    ("Wishlist Added", 30),
    ("wishlist_added", 12),
    ("AddedToWishlist", 4),
    ("Rare Thing", 1),
    ("2FA enabled", 9),
    ("$pageview", 9000),
)


def test_learned_plan_adds_aliases_events_and_actions() -> None:
    groups = group_variants(SEEN, SHOP)
    proposals = propose_click_events(SHOP_CLICKS, SHOP)
    plan = learned_plan(SHOP, groups, proposals, min_count=2)

    # Names the plan already resolves need no alias; the one it cannot does.
    assert plan.event("product_added") == SHOP.event("product_added")
    assert plan.event("product_viewed") == PlannedEvent(name="product_viewed", aliases=("viewed_prodcut",))
    assert plan.event("wishlist_added") == PlannedEvent(
        name="wishlist_added",
        description="Seen 46 times as: Wishlist Added, wishlist_added, AddedToWishlist",
        aliases=("Wishlist Added", "AddedToWishlist"),
    )
    assert plan.event("rare_thing") is None  # under min_count
    assert [e.name for e in plan.events] == [
        "product_added",
        "product_viewed",
        "order_completed",
        "wishlist_added",
    ]
    # "2_fa_enabled" is not a valid event name: left for a person to name.
    assert plan.action("add_to_cart_clicked") == Action(
        name="add_to_cart_clicked",
        selector="button.btn.btn-primary",
        text="Add to cart",
        description="Proposed from 270 auto-captured clicks, most often on https://shop.example/products/42",
    )
    assert [a.name for a in plan.actions] == [
        "add_to_cart_clicked",
        "pricing_link_clicked",
        "search_toggle_clicked",
    ]
    assert TrackingPlan.model_validate(plan.model_dump()) == plan

    resolver = NameResolver(plan)
    for group in groups:
        if group.canonical in plan.event_names:
            for name in names(group):
                assert resolver.resolve(name)[0] == group.canonical, name


def test_learning_twice_changes_nothing() -> None:
    groups = group_variants(SEEN, SHOP)
    proposals = propose_click_events(SHOP_CLICKS, SHOP)
    once = learned_plan(SHOP, groups, proposals)
    assert learned_plan(once, groups, proposals) == once
    assert learned_plan(once, group_variants(SEEN, once), propose_click_events(SHOP_CLICKS, once)) == once


def test_an_alias_of_another_event_is_not_taken() -> None:
    plan = TrackingPlan(
        events=(PlannedEvent(name="signed_up", aliases=("register",)), PlannedEvent(name="logged_in"))
    )
    group = NameGroup(
        canonical="logged_in",
        planned=True,
        variants=(ObservedName("register", 3), ObservedName("session_started", 2)),
        count=5,
    )
    learned = learned_plan(plan, [group], [])
    assert learned.event("logged_in") == PlannedEvent(name="logged_in", aliases=("session_started",))
    assert learned.event("signed_up") == plan.event("signed_up")
    assert TrackingPlan.model_validate(learned.model_dump()) == learned


def test_names_with_an_id_in_them_are_not_proposed_as_events() -> None:
    seen = observed(
        *((f"viewed_product_{n}", 5) for n in (101986, 100025, 100522, 7)),
        ("v2_checkout_opened", 9),  # one name with a digit is a name, not an id
        ("gift_wrapped", 4),
    )
    plan = learned_plan(SHOP, group_variants(seen, SHOP), [], min_count=2)
    added = set(plan.event_names) - set(SHOP.event_names)
    assert added == {to_convention("v2_checkout_opened", "snake_case"), "gift_wrapped"}
