"""What each role may read with SQL: the tables and columns handed to the guard
(:mod:`betterheap.query.guard`). Personal data — the plan's PII properties, raw property
values set aside, the quarantine's raw payloads — is for roles with PII access only.

>>> viewer = access_for("viewer", project_id=1, pii_properties=frozenset({"email"}))
>>> "properties" in viewer.tables["events"], "quarantine" in viewer.tables, viewer.pii
(False, False, False)
>>> access_for("admin", 1).pii
True

The insights API and the insight builder name properties rather than columns (a breakdown,
a summed property, a filter); :func:`check_properties` keeps personal ones to the same roles:

>>> check_properties(["country", "plan"], "viewer", frozenset({"plan"}))
Traceback (most recent call last):
...
PermissionError: plan is personal data; only admins may use it
>>> check_properties(["email"], "admin")
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal

from betterheap.query.guard import MAX_ROWS, Access
from betterheap.store.schema import EVENT_COLUMNS, FILTERED_COLUMNS, QUARANTINE_COLUMNS

Role = Literal["viewer", "analyst", "admin"]
ROLES: Final[tuple[Role, ...]] = ("viewer", "analyst", "admin")
#: Roles that may read personal data.
PII_ROLES: Final = frozenset({"admin"})
#: Properties treated as personal data even when no plan flags them (a project without a
#: plan, or a plan that forgot one): safe by default.
DEFAULT_PII_PROPERTIES: Final = frozenset(
    {
        "email", "e_mail", "email_address", "phone", "phone_number", "mobile_number", "name", "full_name",
        "first_name", "last_name", "address", "street", "street_address", "postal_code", "zip", "birthday",
        "date_of_birth", "ssn", "national_id", "passport", "iban", "card_number", "ip", "$ip", "password",
    }
)  # fmt: skip
#: Event columns holding property values as sent (and so personal data).
PERSONAL_COLUMNS: Final = frozenset({"properties", "set_aside"})

_SCHEMA: Final = {
    "events": dict(EVENT_COLUMNS),
    "quarantine": dict(QUARANTINE_COLUMNS),
    "filtered_events": dict(FILTERED_COLUMNS),
}


def access_for(
    role: str, project_id: int, pii_properties: frozenset[str] = frozenset(), max_rows: int = MAX_ROWS
) -> Access:
    """The guard's allow-list for ``role`` on one project."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    pii = role in PII_ROLES
    pii_properties = pii_properties | DEFAULT_PII_PROPERTIES
    events = frozenset(_SCHEMA["events"]) if pii else frozenset(_SCHEMA["events"]) - PERSONAL_COLUMNS
    tables = {"events": events}
    if pii:
        tables |= {
            "quarantine": frozenset(_SCHEMA["quarantine"]),
            "filtered_events": frozenset(_SCHEMA["filtered_events"]),
        }
    schema = {name: _SCHEMA[name] for name in tables}
    return Access(project_id, tables, pii, pii_properties, max_rows, schema)


def check_properties(names: Iterable[str], role: str, pii_properties: Iterable[str] = ()) -> None:
    """A PermissionError naming the personal-data properties among ``names`` (the plan's
    ``pii_properties`` and :data:`DEFAULT_PII_PROPERTIES`), unless ``role`` may read
    personal data. Names are compared exactly, as the store reads them (``email`` and
    ``Email`` are different keys)."""
    if role in PII_ROLES:
        return
    personal = set(names) & (set(pii_properties) | DEFAULT_PII_PROPERTIES)
    if personal:
        raise PermissionError(f"{', '.join(sorted(personal))} is personal data; only admins may use it")
