"""Domain templates: a starting tracking plan per kind of product, after the public specs.

The setup interview starts from one of these: the user picks the actions that matter,
and the template supplies the spec's event names, properties, types and the messy
aliases the same actions already arrive under. One module per domain keeps each spec
readable on its own; this module only lists them.

>>> TEMPLATES["ecommerce"].event("order_completed").property("order_id").required
True
>>> "trial_started" in TEMPLATES["saas"].event_names
True
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from betterheap.taxonomy.plan import ProductKind
from betterheap.taxonomy.templates import ai_chat, content, ecommerce, other, saas
from betterheap.taxonomy.templates.shared import ExampleQuestion, Template

#: Every product kind's template, in the order the interview offers them.
TEMPLATES: Final[Mapping[ProductKind, Template]] = MappingProxyType(
    {
        "ecommerce": ecommerce.TEMPLATE,
        "saas": saas.TEMPLATE,
        "content": content.TEMPLATE,
        "ai_chat": ai_chat.TEMPLATE,
        "other": other.TEMPLATE,
    }
)

__all__ = ["TEMPLATES", "ExampleQuestion", "Template"]
