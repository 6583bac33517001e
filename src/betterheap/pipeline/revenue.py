"""Revenue amount and type of an event.

The amount is read from ``properties.revenue``, else ``properties.$revenue``, else
``properties.total`` on ``order_completed`` (the Segment e-commerce spec's order total).
Numbers and numeric strings ("12.50") become floats; anything else — booleans, junk text,
NaN, infinities, numbers too large for a double — becomes None rather than an error, and the
raw value stays in ``properties``.

The type is ``properties.revenue_type`` when given, else a default by event name:
``order_completed`` → ``purchase``, names containing "subscription" → ``subscription``,
anything else → ``other``. An event without an amount has no revenue type.

>>> coerce_revenue(" 12.50 "), coerce_revenue("12,50"), coerce_revenue(True)
(12.5, None, None)
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Final

ORDER_COMPLETED_EVENTS: Final = frozenset({"order_completed", "Order Completed"})

PURCHASE: Final = "purchase"
SUBSCRIPTION: Final = "subscription"
OTHER: Final = "other"


def coerce_revenue(value: object) -> float | None:
    """A finite float from a number or numeric string; None for anything else. Never raises."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        # Python's float() also accepts "1_000"; a separator is more likely a mistake here.
        if "_" in value:
            return None
        try:
            number = float(value)
        except ValueError:
            return None
    elif isinstance(value, int | Decimal):
        try:
            number = float(value)
        except (OverflowError, ValueError):
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def revenue_of(event: str, properties: dict[str, Any]) -> float | None:
    """The event's revenue amount (see the module docstring for where it is read from)."""
    value = properties.get("revenue")
    if value is None:
        value = properties.get("$revenue")
        if value is None and event in ORDER_COMPLETED_EVENTS:
            value = properties.get("total")
    return None if value is None else coerce_revenue(value)


def revenue_type_of(event: str, given: object) -> str:
    """The revenue type: ``given`` when it is a non-empty string, else the event's default.

    >>> revenue_type_of("Subscription Renewed", None), revenue_type_of("x", "refund")
    ('subscription', 'refund')
    """
    if isinstance(given, str) and given.strip():
        return given.strip()
    if event in ORDER_COMPLETED_EVENTS:
        return PURCHASE
    if SUBSCRIPTION in event.lower():
        return SUBSCRIPTION
    return OTHER
