"""Event names: words, conventions, variant keys and resolution against a tracking plan."""

from __future__ import annotations

import pickle
import string
from typing import get_args

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from betterheap.taxonomy import naming
from betterheap.taxonomy.naming import NameResolver, spelling_distance, to_convention, variant_key, words
from betterheap.taxonomy.plan import NamingConvention, PlannedEvent, TrackingPlan

CONVENTIONS: tuple[NamingConvention, ...] = get_args(NamingConvention)

SHOP = TrackingPlan(
    events=(
        PlannedEvent(name="product_viewed"),
        PlannedEvent(name="product_added", aliases=("add_to_cart", "AddItem")),
        PlannedEvent(name="checkout_started"),
        PlannedEvent(name="order_completed"),
        PlannedEvent(name="signed_up"),
    )
)


# --- words and conventions ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["AddToCart", "add-to-cart", "Add To Cart", "add_to_cart", "addToCart"])
def test_every_spelling_of_add_to_cart_has_the_same_words(name: str) -> None:
    assert words(name) == ("add", "to", "cart")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("HTMLParser", ("html", "parser")),
        ("getHTTPResponse", ("get", "http", "response")),
        ("checkout.step:2/done", ("checkout", "step", "2", "done")),
        ("step2Done", ("step", "2", "done")),
        ("  spaced   out  ", ("spaced", "out")),
        ("$pageview", ("pageview",)),
        ("Warenkorb_Hinzugefügt", ("warenkorb", "hinzugefügt")),
        ("---", ()),
    ],
)
def test_words(name: str, expected: tuple[str, ...]) -> None:
    assert words(name) == expected


@pytest.mark.parametrize(
    ("convention", "expected"),
    [
        ("snake_case", "order_completed"),
        ("camelCase", "orderCompleted"),
        ("PascalCase", "OrderCompleted"),
        ("Title Case", "Order Completed"),
    ],
)
@pytest.mark.parametrize("name", ["order completed", "OrderCompleted", "ORDER_COMPLETED", "order-completed"])
def test_to_convention(name: str, convention: NamingConvention, expected: str) -> None:
    assert to_convention(name, convention) == expected


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name", ["$pageview", "$autocapture", "$identify", "$Some Thing"])
def test_sdk_names_are_never_renamed(name: str, convention: NamingConvention) -> None:
    assert to_convention(name, convention) == name


def test_camel_case_keeps_single_letters_and_numbers_apart() -> None:
    # Gluing "a" "B" "C" would read back as "a" "bc"; "v" "1" "2" as "v" "12".
    assert to_convention("a b c", "camelCase") == "aB_C"
    assert to_convention("plan v1 2", "PascalCase") == "PlanV1_2"
    assert words("aB_C") == ("a", "b", "c")


@given(st.text(max_size=40), st.sampled_from(CONVENTIONS))
def test_to_convention_is_idempotent(name: str, convention: NamingConvention) -> None:
    once = to_convention(name, convention)
    assert to_convention(once, convention) == once


@given(st.text(max_size=40), st.sampled_from(CONVENTIONS))
def test_to_convention_keeps_the_words(name: str, convention: NamingConvention) -> None:
    assert words(to_convention(name, convention)) == words(name)


@given(st.text(max_size=40), st.sampled_from(CONVENTIONS), st.sampled_from(CONVENTIONS))
def test_conventions_convert_into_each_other(
    name: str, first: NamingConvention, then: NamingConvention
) -> None:
    assert to_convention(to_convention(name, first), then) == to_convention(name, then)


# --- variant keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "group",
    [
        [
            "add_to_cart",
            "AddToCart",
            "cart_add",
            "Add To Cart",
            "add-to-cart",
            "added_to_cart",
            "adds to cart",
        ],
        ["product_added", "added product", "ProductAdd", "Product Adding"],
        ["order_completed", "order_complete", "Completed Order", "orders completed"],
        ["product_viewed", "viewProduct", "Product Views", "viewing products"],
        ["form_submitted", "submit form", "FormSubmit", "Form Submit Button"],
        ["signed_up", "signup", "sign-up", "SignUp", "signups"],
        ["logged_in", "login", "log in", "LogIn"],
        ["subscription_cancelled", "subscription canceled", "cancel subscription"],
        ["payment_sent", "send payment"],
    ],
)
def test_variants_of_one_action_share_a_key(group: list[str]) -> None:
    assert len({variant_key(name) for name in group}) == 1, {name: variant_key(name) for name in group}


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("order_completed", "order_shipped"),
        ("signed_up", "signed_in"),
        ("signup_started", "signed_up"),
        ("product_added", "product_removed"),
        ("cart_viewed", "checkout_viewed"),
        ("log_in", "log"),
    ],
)
def test_different_actions_keep_different_keys(one: str, other: str) -> None:
    assert variant_key(one) != variant_key(other)


def test_a_name_of_filler_words_only_keeps_them() -> None:
    assert variant_key("button") == "button"
    assert variant_key("the button") != variant_key("event")


LOWER_WORDS = st.lists(st.text(string.ascii_lowercase, min_size=1, max_size=8), min_size=1, max_size=5)
SEPARATORS = st.sampled_from([" ", "_", "-", ".", ":", "/", "__", " - "])


@given(
    LOWER_WORDS, SEPARATORS, SEPARATORS, st.lists(st.sampled_from(["lower", "upper", "title"]), min_size=5)
)
def test_variant_key_ignores_case_and_separators(
    parts: list[str], first: str, then: str, cases: list[str]
) -> None:
    recased = [getattr(part, case)() for part, case in zip(parts, cases, strict=False)]
    assert variant_key(first.join(parts)) == variant_key(then.join(recased))


@given(st.text(max_size=40), st.sampled_from(CONVENTIONS))
def test_variant_key_survives_any_convention(name: str, convention: NamingConvention) -> None:
    assert variant_key(to_convention(name, convention)) == variant_key(name)


# --- spelling distance ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("product_viewed", "product_viewed", 0),
        ("prodcut_viewed", "product_viewed", 1),  # swapped neighbours cost one
        ("order_complted", "order_completed", 1),
        ("ordr_complted", "order_completed", 2),
        ("", "abc", 3),
        ("ca", "abc", 3),  # optimal string alignment: no edit of a swapped pair
    ],
)
def test_spelling_distance(a: str, b: str, distance: int) -> None:
    assert spelling_distance(a, b, 5) == distance
    assert spelling_distance(b, a, 5) == distance


@given(st.text(max_size=12), st.text(max_size=12), st.integers(0, 3))
def test_spelling_distance_cut_off_agrees_with_the_full_distance(a: str, b: str, limit: int) -> None:
    full = spelling_distance(a, b, 100)
    assert spelling_distance(a, b, limit) == min(full, limit + 1)


# --- resolution -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("product_viewed", ("product_viewed", "exact")),
        ("$pageview", ("$pageview", "reserved")),
        ("$autocapture", ("$autocapture", "reserved")),
        ("add_to_cart", ("product_added", "alias")),
        ("AddItem", ("product_added", "alias")),
        # An alias in the plan's convention still counts as the alias.
        ("AddToCart", ("product_added", "alias")),
        ("Add To Cart", ("product_added", "alias")),
        ("add_item", ("product_added", "alias")),
        ("ProductViewed", ("product_viewed", "convention")),
        ("Order Completed", ("order_completed", "convention")),
        ("cart_add", ("product_added", "variant")),
        ("added to cart", ("product_added", "variant")),
        ("view product", ("product_viewed", "variant")),
        ("order_complete", ("order_completed", "variant")),
        ("signup", ("signed_up", "variant")),
        ("prodcut_viewed", ("product_viewed", "misspelling")),
        ("order_compelted", ("order_completed", "misspelling")),
        ("chekout_strated", ("checkout_started", "misspelling")),
        ("order_shipped", ("order_shipped", "unplanned")),
        ("signup_started", ("signup_started", "unplanned")),
        ("Wishlist Added", ("wishlist_added", "unplanned")),
    ],
)
def test_resolve(raw: str, expected: tuple[str, str]) -> None:
    assert NameResolver(SHOP).resolve(raw) == expected


def test_resolution_follows_the_plan_convention() -> None:
    plan = TrackingPlan(naming="Title Case", events=(PlannedEvent(name="Order Completed"),))
    resolver = NameResolver(plan)
    assert resolver.resolve("order_completed") == ("Order Completed", "convention")
    assert resolver.resolve("orderShipped") == ("Order Shipped", "unplanned")


def test_a_planned_name_outside_the_convention_still_matches() -> None:
    plan = TrackingPlan(naming="snake_case", events=(PlannedEvent(name="AddToCart"),))
    assert NameResolver(plan).resolve("add_to_cart") == ("AddToCart", "convention")


def test_a_typo_equally_close_to_two_planned_names_stays_unplanned() -> None:
    plan = TrackingPlan(events=(PlannedEvent(name="card_added"), PlannedEvent(name="cart_added")))
    resolver = NameResolver(plan)
    assert resolver.resolve("carf_added") == ("carf_added", "unplanned")
    assert resolver.resolve("cart_addde") == ("cart_added", "misspelling")


def test_typo_limits_depend_on_the_planned_name_length() -> None:
    plan = TrackingPlan(
        events=(PlannedEvent(name="nav"), PlannedEvent(name="play"), PlannedEvent(name="search"))
    )
    resolver = NameResolver(plan)
    assert resolver.resolve("plya") == ("play", "misspelling")  # 4-8 characters: one edit
    assert resolver.resolve("saerch") == ("search", "misspelling")
    assert resolver.resolve("saerhc") == ("saerhc", "unplanned")  # two edits is too many
    assert resolver.resolve("nab") == ("nab", "unplanned")  # under 4 characters: exact only


def test_a_variant_key_two_events_share_is_not_guessed() -> None:
    plan = TrackingPlan(events=(PlannedEvent(name="cart_viewed"), PlannedEvent(name="view_cart")))
    resolver = NameResolver(plan)
    # cart_viewed and view_cart share a key: a third spelling goes to neither.
    assert resolver.resolve("viewing carts") == ("viewing_carts", "unplanned")
    assert resolver.resolve("Cart Viewed") == ("cart_viewed", "convention")


def test_colliding_convention_forms_keep_the_literal_owner() -> None:
    plan = TrackingPlan(events=(PlannedEvent(name="order_completed"), PlannedEvent(name="OrderCompleted")))
    resolver = NameResolver(plan)
    assert resolver.resolve("Order Completed") == ("order_completed", "convention")
    assert resolver.resolve("OrderCompleted") == ("OrderCompleted", "exact")


def test_plan_actions_are_not_event_names() -> None:
    from betterheap.taxonomy.plan import Action

    plan = SHOP.model_copy(update={"actions": (Action(name="pricing_clicked", selector="a#pricing"),)})
    assert NameResolver(plan).resolve("pricing_clicked") == ("pricing_clicked", "unplanned")


def test_a_repeated_name_is_one_dict_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    resolver = NameResolver(SHOP)
    first = resolver.resolve("AddToCart")

    def fail(*args: object) -> str:
        raise AssertionError("resolved again instead of using the memo")

    monkeypatch.setattr(naming, "to_convention", fail)
    monkeypatch.setattr(naming, "variant_key", fail)
    assert resolver.resolve("AddToCart") == first


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(NameResolver, "CACHE_LIMIT", 10)
    resolver = NameResolver(SHOP)
    for number in range(35):
        assert resolver.resolve(f"custom event {number}") == (f"custom_event_{number}", "unplanned")
    assert len(resolver._cache) <= 10
    assert resolver.resolve("prodcut_viewed") == ("product_viewed", "misspelling")


def test_the_resolver_pickles_for_the_worker_process() -> None:
    resolver = NameResolver(SHOP)
    resolver.resolve("cart_add")
    copy = pickle.loads(pickle.dumps(resolver))
    for raw in ("cart_add", "prodcut_viewed", "$pageview", "order_shipped"):
        assert copy.resolve(raw) == resolver.resolve(raw)


# --- resolution is stable -------------------------------------------------------------------

VOCABULARY = ["add", "added", "cart", "product", "view", "viewed", "order", "completed", "complete"]
VOCABULARY += ["sign", "up", "signup", "checkout", "start", "started", "to", "page", "x"]


def typo(draw: st.DrawFn, name: str) -> str:
    at = draw(st.integers(0, len(name)))
    return name[:at] + draw(st.sampled_from(["", "e", "_", "t"])) + name[at + 1 :]


@st.composite
def spelled(draw: st.DrawFn) -> str:
    """A name made of plan-like words in some convention, sometimes with a typo."""
    parts = draw(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3))
    name = to_convention(" ".join(parts), draw(st.sampled_from(CONVENTIONS)))
    return typo(draw, name) if draw(st.booleans()) else name


@st.composite
def plans(draw: st.DrawFn) -> TrackingPlan:
    names = draw(st.lists(spelled(), min_size=1, max_size=6, unique=True))
    names = [name for name in names if name[:1].isalpha()]
    assume(names)
    claimed: set[str] = set()
    events = []
    for name in names:
        aliases = tuple(a for a in draw(st.lists(spelled(), max_size=2, unique=True)) if a not in claimed)
        claimed.update(aliases)
        events.append(PlannedEvent(name=name, aliases=aliases))
    return TrackingPlan(naming=draw(st.sampled_from(CONVENTIONS)), events=tuple(events))


@st.composite
def arriving(draw: st.DrawFn, plan: TrackingPlan) -> str:
    """A name as it might arrive for ``plan``: one of its names or aliases re-spelled,
    reordered or mistyped, or any other name."""
    known = [name for event in plan.events for name in (event.name, *event.aliases)]
    name = draw(st.sampled_from(known))
    how = draw(st.sampled_from(["as is", "convention", "reordered", "typo", "other", "text", "sdk"]))
    if how == "convention":
        return to_convention(name, draw(st.sampled_from(CONVENTIONS)))
    if how == "reordered":
        return " ".join(draw(st.permutations(words(name))))
    if how == "typo":
        return typo(draw, name)
    if how == "other":
        return draw(spelled())
    if how == "text":
        return draw(st.text(max_size=20))
    if how == "sdk":
        return "$" + name
    return name


@settings(max_examples=500)
@given(st.data())
def test_resolving_a_canonical_name_again_gives_the_same_name(data: st.DataObject) -> None:
    plan = data.draw(plans())
    resolver = NameResolver(plan)
    for raw in data.draw(st.lists(arriving(plan), min_size=1, max_size=5)):
        canonical, match = resolver.resolve(raw)
        event(match)
        again, match_again = resolver.resolve(canonical)
        assert again == canonical, (raw, match, match_again)
        if match == "unplanned":
            assert canonical == to_convention(raw, plan.naming)
            assert canonical not in plan.event_names
            assert match_again == "unplanned"
        elif match == "reserved":
            assert canonical == raw
        else:
            assert canonical in plan.event_names
            assert match_again == "exact"
