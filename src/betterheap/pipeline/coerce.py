"""Lossless type coercion of property values, for the tracking plan's type checks.

A value of the wrong type is converted only when nothing is lost: ``"12.50"`` becomes
``12.5`` for a number (the same quantity), ``12.0`` becomes ``12`` for an integer, ``7``
becomes ``"7"`` for a string. Anything that would change or guess a value (``"twelve"``,
``"1,234"``, ``"0.30000000000000000001"``, ``True`` as a number) is not coerced: the
caller reports a ``wrong_type`` violation and the plan's policy decides.

>>> coerce("12.50", "number")
(True, 12.5)
>>> coerce("2", "integer")
(True, 2)
>>> coerce("twelve", "number")
(False, 'twelve')
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from betterheap.taxonomy.plan import PropertyType

_DECIMAL: Final = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_INTEGER: Final = re.compile(r"^[+-]?\d{1,18}$")
_TRUE: Final = frozenset({"true", "True", "TRUE"})
_FALSE: Final = frozenset({"false", "False", "FALSE"})


def type_matches(value: Any, expected: PropertyType) -> bool:
    """Whether ``value`` (from JSON) already has the planned type."""
    kind = value.__class__
    if expected == "string":
        return kind is str
    if expected == "number":
        return (kind is int or kind is float) and not (kind is float and not math.isfinite(value))
    if expected == "integer":
        return kind is int
    if expected == "boolean":
        return kind is bool
    if expected == "object":
        return kind is dict
    if expected == "array":
        return kind is list
    if expected == "datetime":
        return kind is str and _is_datetime(value)
    return True  # "any"


def coerce(value: Any, expected: PropertyType) -> tuple[bool, Any]:
    """``(True, value of the planned type)`` when it fits or converts losslessly, else
    ``(False, value)`` unchanged."""
    if type_matches(value, expected):
        return True, value
    kind = value.__class__
    if expected == "number" and kind is str:
        number = _number(value)
        if number is not None:
            return True, number
    elif expected == "integer":
        if kind is float and math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
            return True, int(value)
        if kind is str:
            text = value.strip()
            if _INTEGER.match(text):
                return True, int(text)
            number = _number(text)
            if number is not None and float(number).is_integer() and abs(number) < 2**53:
                return True, int(number)
    elif expected == "string":
        if kind is int or (kind is float and math.isfinite(value)):
            return True, repr(value) if kind is float else str(value)
    elif expected == "boolean":
        if kind is str:
            text = value.strip()
            if text in _TRUE:
                return True, True
            if text in _FALSE:
                return True, False
        elif kind is int and value in (0, 1):
            return True, bool(value)
    return False, value


def _number(text: str) -> float | int | None:
    """The number a decimal string spells, if a float (or int) holds it exactly as written."""
    text = text.strip()
    if not _DECIMAL.match(text) or len(text) > 40:
        return None
    if _INTEGER.match(text):
        whole = int(text)
        return whole if abs(whole) < 2**53 else None
    number = float(text)
    if not math.isfinite(number):
        return None
    try:
        # The shortest repr of the float must spell the same quantity as the text:
        # "12.50" -> 12.5 passes, "0.30000000000000000001" -> 0.3 does not.
        if Decimal(repr(number)) != Decimal(text):
            return None
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        return None
    return number


def _is_datetime(text: str) -> bool:
    if len(text) < 10 or len(text) > 40:
        return False
    try:
        datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return False
    return True
