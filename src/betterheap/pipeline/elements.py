r"""The element chain of an auto-captured interaction, in PostHog's ``elements_chain`` format.

Actions match clicks after the fact by CSS selector and text
(:mod:`betterheap.query.actions`), so every auto-captured event stores one string
describing the clicked element and its ancestors. We keep PostHog's format rather than a
schema of our own: current posthog-js sends it ready-made as ``$elements_chain``, and
events imported from PostHog carry it too, so one regex-based matcher serves every source.

The format, element by element from the clicked one outwards, joined by ``;``::

    tag.class1.class2:key1="value1"key2="value2"...

Classes are sorted and stripped of ``"``; attributes are sorted by key, always include
``nth-child`` and ``nth-of-type``, and carry ``text``, ``href`` and ``attr_id`` plus every
raw ``attr__<name>`` the SDK captured. Inside values only ``"`` is escaped (as ``\"``),
exactly as PostHog's ``elements_to_string`` does, so chains we build and chains PostHog
built compare equal.

Older posthog-js sends ``$elements`` instead: a list of dicts, clicked element first, with
``tag_name``, ``$el_text``, ``nth_child``, ``nth_of_type`` and ``attr__*`` keys. It is
converted the way PostHog's ingestion does (text cut to 400 characters, href to 2048).
SDK payloads are not trusted to be well-formed, so junk entries are skipped, never raised.

>>> chain = elements_chain_of({"$elements": [
...     {"tag_name": "button", "$el_text": 'Say "hi"', "attr__class": "btn primary", "nth_child": 2},
...     {"tag_name": "div", "attr__id": "hero", "nth_child": 1, "nth_of_type": 1},
... ]})
>>> for element in chain.split(";"):
...     print(element)
button.btn.primary:attr__class="btn primary"nth-child="2"nth-of-type="0"text="Say \"hi\""
div:attr__id="hero"attr_id="hero"nth-child="1"nth-of-type="1"
>>> element_text(chain)
'Say "hi"'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

#: PostHog's ingestion caps (``extractElements`` in its plugin server).
MAX_TEXT: Final = 400
MAX_HREF: Final = 2048

#: A chain key: one of the chain's own (text, href, nth-child, attr_id...) or ``attr__<name>``.
_KEY: Final = r'(?:attr__[^"=;]*|[A-Za-z0-9_-]+)'
#: The first element's tag and classes, up to the ``:`` opening its attributes. Classes may
#: contain ``:`` (Tailwind's ``md:flex``), so that ``:`` is the first one followed by a key.
_HEAD: Final = re.compile(rf'[^;"]*?:(?={_KEY}=")')
#: One ``key="value"`` pair. Values escape ``"`` as ``\"`` and nothing else, so a backslash
#: is itself, optionally escaping a quote; when a value ends with a backslash, its closing
#: quote is the one followed by the next pair or the element's end.
_PAIR: Final = re.compile(rf'({_KEY})="((?:[^"\\]|\\"?)*)"(?={_KEY}="|;|\Z)')


def elements_chain_of(properties: Mapping[str, Any]) -> str | None:
    """The chain of an auto-captured event, or None when it carries no usable elements.

    ``$elements_chain`` wins when it is a non-empty string (it is what the SDK saw);
    otherwise the chain is built from a ``$elements`` list.
    """
    chain = properties.get("$elements_chain")
    if isinstance(chain, str) and chain.strip():
        return chain
    elements = properties.get("$elements")
    if not isinstance(elements, list | tuple):
        return None
    parts = [_element_string(element) for element in elements if isinstance(element, Mapping)]
    return ";".join(parts) if parts else None


def element_text(chain: str) -> str | None:
    r"""The text of the first (clicked) element of a chain, unescaped; None when it has none.

    >>> element_text(r'a.nav:href="/"nth-child="1"nth-of-type="1"text="Home; \"start\"";nav')
    'Home; "start"'
    >>> element_text('svg:nth-child="1"nth-of-type="1";button:text="Buy"') is None
    True
    """
    head = _HEAD.match(chain)
    position = head.end() if head else len(chain)
    while (pair := _PAIR.match(chain, position)) is not None:
        if pair.group(1) == "text":
            return pair.group(2).replace('\\"', '"')
        position = pair.end()
    return None


def _element_string(element: Mapping[Any, Any]) -> str:
    """One ``$elements`` entry in chain form (PostHog's ``extractElements`` then
    ``elements_to_string``), with fallbacks for the un-prefixed keys some SDKs send."""
    tag = element.get("tag_name")
    tag = tag if isinstance(tag, str) else ""
    text = _text(element.get("$el_text"))
    href = _text(element.get("attr__href")) or _text(element.get("href"))
    attr_id = _text(element.get("attr__id")) or _text(element.get("attr_id"))
    attributes: dict[str, str] = {
        "nth-child": str(_position(element.get("nth_child"))),
        "nth-of-type": str(_position(element.get("nth_of_type"))),
    }
    if text:
        attributes["text"] = text[:MAX_TEXT]
    if href:
        attributes["href"] = href[:MAX_HREF]
    if attr_id:
        attributes["attr_id"] = attr_id
    for key, value in element.items():
        if isinstance(key, str) and key.startswith("attr__"):
            if isinstance(value, list | tuple):
                value = " ".join(part for part in value if isinstance(part, str))
            scalar = _text(value)
            if scalar is not None:
                attributes[key] = scalar
    classes = "".join("." + name.replace('"', "") for name in sorted(_classes(element)))
    pairs = "".join(f'{_escape(key)}="{_escape(value)}"' for key, value in sorted(attributes.items()))
    return f"{tag}{classes}:{pairs}"


def _classes(element: Mapping[Any, Any]) -> list[str]:
    """Class names from ``attr__class`` (a string or a list), else from ``classes``."""
    raw = element.get("attr__class") or element.get("classes")
    if isinstance(raw, str):
        return raw.split()
    if isinstance(raw, list | tuple):
        return [part for name in raw if isinstance(name, str) for part in name.split()]
    return []


def _text(value: Any) -> str | None:
    """A scalar as the SDK's ``toString`` would print it; None for missing or structured values."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None


def _position(value: Any) -> int:
    """``nth_child``/``nth_of_type`` as an integer, 0 when missing or not a number."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return 0


def _escape(value: str) -> str:
    return value.replace('"', '\\"')
