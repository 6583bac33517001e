"""Auto-captured clicks of messy mode: the element chains a PostHog-style autocapture sends.

An element chain describes the clicked element first, then its ancestors up to ``body``,
joined with ``;``. Each element is ``tag.class1.class2:`` followed by ``key="value"``
attributes with no separator: ``text``, ``nth-child``, ``nth-of-type``, ``href`` and the
DOM attributes as ``attr__<name>``. The chains here are fixed strings (the site's markup
does not change during the window), so the same button always has the same chain and an
action defined by a selector (``button.add-to-cart``) matches every click on it.

>>> ADD_TO_CART.split(";")[0].split(":")[0]
'button.add-to-cart.btn.css-1k2j3h'
>>> nav_link("Search").startswith('a.nav-link:text="Search"')
True
"""

from __future__ import annotations

from typing import Final

_BODY: Final = 'body:nth-child="1"nth-of-type="1"'


def _element(
    selector: str, child: int, of_type: int = 0, *, text: str = "", href: str = "", **attributes: str
) -> str:
    """One element of a chain: ``tag.classes:`` then its attributes, classes from the selector
    (sorted in the head, as posthog-js writes them; in DOM order in ``attr__class``).

    ``child`` and ``of_type`` are the element's ``nth-child`` and ``nth-of-type`` (the same
    when ``of_type`` is 0: its siblings are all of its tag).
    """
    tag, *classes = selector.split(".")
    out = [tag, *(f".{name}" for name in sorted(classes)), ":"]
    if text:
        out.append(f'text="{text}"')
    out.append(f'nth-child="{child}"nth-of-type="{of_type or child}"')
    if href:
        out.append(f'href="{href}"')
    if classes:
        out.append(f'attr__class="{" ".join(classes)}"')
    if href:
        out.append(f'attr__href="{href}"')
    out.extend(f'attr__{name}="{value}"' for name, value in attributes.items())
    return "".join(out)


def _chain(*elements: str) -> str:
    return ";".join((*elements, _BODY))


#: The "Add to cart" button of a product card, clicked just before each ``product_added``.
ADD_TO_CART: Final = _chain(
    _element("button.btn.add-to-cart.css-1k2j3h", 1, text="Add to cart"),
    _element("div.product-card", 2, 1),
)
#: The "Buy now" button of the cart summary, clicked just before each ``checkout_started``.
BUY_NOW: Final = _chain(
    _element("button.btn.btn-primary.buy-now", 1, text="Buy now", type="submit"),
    _element("div.cart-summary", 2),
    _element("main.cart", 1),
)
#: The newsletter form in the footer of the home page.
SUBSCRIBE: Final = _chain(
    _element("button.btn.newsletter-subscribe", 2, 1, text="Subscribe", type="submit"),
    _element("form.newsletter-form", 1),
    _element("footer.site-footer", 3, 1),
)
#: The navigation bar's links: (text, href), in page order.
NAV_LINKS: Final[dict[str, str]] = {"Home": "/", "Search": "/search", "Sell": "/sell"}


def nav_link(text: str) -> str:
    """The chain of a click on the navigation link ``text`` (Home, Search or Sell)."""
    position = list(NAV_LINKS).index(text) + 1
    return _chain(
        _element("a.nav-link", 1, text=text, href=NAV_LINKS[text]),
        _element("li.nav-item", position),
        _element("ul.navbar-nav", 2, 1),
        _element("nav.navbar", 1),
    )


NAV: Final[dict[str, str]] = {text: nav_link(text) for text in NAV_LINKS}
