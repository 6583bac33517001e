"""The one SQL guard: every piece of SQL a person, the API or an LLM writes passes it before
it runs. Pure: text and an :class:`Access` in, a safe tree (or a :class:`GuardError` that
says why) out.

It checks the parsed tree, never keywords in the text:

* exactly one statement, a ``SELECT`` or a set operation (``UNION``...) at the root;
* no DDL, DML, ``INTO``, ``COPY``, ``ATTACH``, ``PRAGMA``, ``SET``... anywhere in the tree
  (a ``DELETE`` inside a CTE included);
* tables only from the caller's allow-list, by plain name (no table functions, files,
  URLs, schemas such as ``information_schema``);
* functions only from an allow-list (no ``read_csv``, ``glob``, ``getenv``...);
* columns only from the caller's allow-list, resolved through aliases, CTEs, subqueries and
  ``*`` (so ``SELECT *`` and ``SELECT properties AS p`` cannot reach personal data);
  without PII access, ``properties`` is readable only by constant keys that are not
  personal data (``properties->>'$.plan'``);
* a ``LIMIT`` injected, or clamped to the caller's maximum;
* every table read is narrowed to the caller's project.

The timeout is the executor's (:meth:`EventStore.query` with ``timeout``).

>>> access = Access(project_id=7, tables={"events": frozenset({"event", "country"})})
>>> guarded = guard("select country, count(*) as n from events group by 1", access)
>>> print(guarded.sql.replace(" FROM (", "\\n  FROM ("))
SELECT country, COUNT(*) AS n
  FROM (SELECT * FROM events WHERE project_id = $guard_project_id) AS events GROUP BY 1 LIMIT 10000
>>> guard("select * from events; drop table events", access)
Traceback (most recent call last):
...
betterheap.query.guard.GuardError: send exactly one statement (found 2)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, ParseError, TokenError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import traverse_scope

MAX_ROWS: Final = 10_000
MAX_SQL_CHARS: Final = 20_000
#: Columns holding properties as JSON text: without PII access, readable by key only.
JSON_COLUMNS: Final = frozenset({"properties"})

#: Node types that change data, settings or the database, or reach outside it.
_FORBIDDEN: Final[tuple[type[exp.Expression], ...]] = tuple(
    node
    for node in (
        getattr(exp, name, None)
        for name in (
            "Insert",
            "Update",
            "Delete",
            "Merge",
            "Create",
            "Drop",
            "Alter",
            "TruncateTable",
            "Command",
            "Copy",
            "Set",
            "SetItem",
            "Pragma",
            "Use",
            "Attach",
            "Detach",
            "Install",
            "Into",
            "Transaction",
            "Commit",
            "Rollback",
            "Describe",
            "Show",
            "Summarize",
            "LoadData",
            "Grant",
            "Revoke",
            "Kill",
            "Cache",
            "Uncache",
            "Refresh",
            "Analyze",
            "Export",
            "Columns",
            "Returning",
            "Lock",
            "TableColumn",
        )  # fmt: skip
    )
    if isinstance(node, type)
)

#: Functions a query may call, by their SQL name: aggregates, windows, arithmetic, text,
#: dates, JSON by key. Anything else (file and URL readers, settings, catalog functions,
#: ``query()``...) is refused.
FUNCTIONS: Final = frozenset(
    """
    COUNT COUNT_IF SUM AVG MIN MAX MEDIAN MODE QUANTILE QUANTILE_CONT QUANTILE_DISC
    PERCENTILE_CONT PERCENTILE_DISC APPROX_DISTINCT APPROX_COUNT_DISTINCT APPROX_QUANTILE
    STDDEV STDDEV_POP STDDEV_SAMP VARIANCE VARIANCE_POP VAR_SAMP VAR_POP CORR COVAR_POP
    COVAR_SAMP ARG_MAX ARG_MIN ARGMAX ARGMIN ANY_VALUE FIRST LAST BOOL_AND BOOL_OR
    LOGICAL_AND LOGICAL_OR GROUP_CONCAT STRING_AGG LISTAGG ARRAY_AGG LIST
    ROW_NUMBER RANK DENSE_RANK PERCENT_RANK CUME_DIST NTILE LAG LEAD FIRST_VALUE LAST_VALUE
    NTH_VALUE
    ABS ROUND FLOOR CEIL CEILING SIGN SQRT POW POWER EXP LN LOG LOG2 LOG10 GREATEST LEAST
    MOD DIV SAFE_DIVIDE
    COALESCE NULLIF IF IIF CASE CAST TRY_CAST
    LOWER UPPER LENGTH CHAR_LENGTH SUBSTRING SUBSTR CONCAT CONCAT_WS TRIM LTRIM RTRIM REPLACE
    LEFT RIGHT STARTS_WITH ENDS_WITH CONTAINS STRPOS INSTR LPAD RPAD SPLIT_PART
    REGEXP_LIKE REGEXP_MATCHES REGEXP_EXTRACT REGEXP_REPLACE LIKE ILIKE
    DATE_TRUNC TIMESTAMP_TRUNC DATE_ADD DATE_SUB DATE_DIFF DATEDIFF DATE_PART DATEPART
    EXTRACT TIME_BUCKET CURRENT_DATE CURRENT_TIMESTAMP NOW TODAY STRFTIME STRPTIME
    TIME_TO_STR STR_TO_TIME DATE TS_OR_DS_TO_DATE TO_DATE DAY DAY_OF_WEEK DAYOFWEEK
    DAY_OF_MONTH DAYOFMONTH DAY_OF_YEAR DAYOFYEAR WEEK WEEK_OF_YEAR WEEKOFYEAR MONTH QUARTER
    YEAR HOUR MINUTE EPOCH EPOCH_MS UNIX_TO_TIME TIME_TO_UNIX MAKE_DATE LAST_DAY INTERVAL
    JSON_EXTRACT JSON_EXTRACT_SCALAR JSON_EXTRACT_STRING JSON_VALUE
    """.split()
)


class GuardError(ValueError):
    """SQL the guard refuses, with the reason in the user's words."""


@dataclass(frozen=True)
class Access:
    """What one caller may read: the tables and their columns, whether personal data, and
    how many rows. ``pii_properties`` are the plan's properties flagged PII."""

    project_id: int
    tables: Mapping[str, frozenset[str]]
    pii: bool = False
    pii_properties: frozenset[str] = frozenset()
    max_rows: int = MAX_ROWS
    #: Every column of each table, so ``*`` expands to what it would really return.
    schema: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Guarded:
    """A query that passed: its tree (narrowed to the project and limited), its parameters
    and its SQL text."""

    expression: exp.Expression
    params: dict[str, Any]
    sql: str
    limit: int


def guard(sql: str, access: Access, dialect: str = "duckdb") -> Guarded:
    """``sql`` made safe to run for ``access``, or :class:`GuardError`."""
    if len(sql) > MAX_SQL_CHARS:
        raise GuardError(f"the query is longer than {MAX_SQL_CHARS:,} characters")
    try:
        statements = [s for s in sqlglot.parse(sql, dialect=dialect) if s is not None]
    except (ParseError, TokenError) as error:
        raise GuardError(f"this is not SQL the guard can read: {_first_line(error)}") from None
    if len(statements) != 1:
        raise GuardError(f"send exactly one statement (found {len(statements)})")
    root = statements[0]
    if not isinstance(root, exp.Select | exp.SetOperation):
        raise GuardError(f"only SELECT queries may run (this is {_kind(root)})")
    for select in root.find_all(exp.Select):
        if not select.expressions:
            raise GuardError("a SELECT needs something to select")
    for with_ in root.find_all(exp.With):
        if with_.args.get("recursive"):
            raise GuardError("recursive queries are not allowed")
    _check_nodes(root)
    ctes = _check_tables(root, access)
    _check_columns(root, access, dialect)
    limited, limit = _limit(root, access.max_rows)
    scoped = _narrow_to_project(limited, access, ctes)
    params = {"guard_project_id": access.project_id}
    return Guarded(scoped, params, scoped.sql(dialect=dialect), limit)


def aggregates_only(expression: exp.Expression) -> bool:
    """Whether a query returns aggregates (GROUP BY, or only aggregate functions at its root
    SELECT), never single event rows: what an LLM may read."""
    root = expression.find(exp.Select)
    if root is None:
        return False
    if root.args.get("group"):
        return True
    return all(any(isinstance(node, exp.AggFunc) for node in column.walk()) for column in root.expressions)


def _check_nodes(root: exp.Expression) -> None:
    for node in root.walk():
        if isinstance(node, _FORBIDDEN):
            raise GuardError(f"{_kind(node)} is not allowed in a query; only reading is")
        if isinstance(node, exp.Func):
            name = node.name.upper() if isinstance(node, exp.Anonymous) else node.sql_name()
            if name not in FUNCTIONS:
                raise GuardError(f"the function {name.lower()} is not allowed")


def _check_tables(root: exp.Expression, access: Access) -> set[str]:
    """Every table is a plain name the caller may read, or a CTE; the CTE names."""
    ctes = {cte.alias_or_name.lower() for cte in root.find_all(exp.CTE)}
    for name in ctes & {t.lower() for t in access.tables}:
        raise GuardError(f"a CTE may not take the name of the table {name!r}")
    for table in root.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise GuardError(f"reading from {table.this.sql()!r} is not allowed; read from a table")
        if table.args.get("db") or table.args.get("catalog"):
            raise GuardError(f"the table {table.sql()!r} is not readable; tables: {_names(access)}")
        name = table.name.lower()
        if name not in ctes and name not in access.tables:
            raise GuardError(f"the table {table.name!r} is not readable; tables: {_names(access)}")
    return ctes


def _check_columns(root: exp.Expression, access: Access, dialect: str) -> None:
    """Resolve every column (through aliases, CTEs, subqueries and ``*``) to a table's."""
    schema: dict[str, object] = {
        t: dict(access.schema.get(t) or dict.fromkeys(cols, "VARCHAR")) for t, cols in access.tables.items()
    }
    try:
        qualified = qualify(root.copy(), schema=schema, dialect=dialect, validate_qualify_columns=True)
    except OptimizeError as error:
        raise GuardError(f"the query names something that is not readable: {_first_line(error)}") from None
    for scope in traverse_scope(qualified):
        for column in scope.columns:
            source = scope.sources.get(column.table)
            if isinstance(source, exp.Table) and source.name.lower() in access.tables:
                _check_column(source.name.lower(), column, access)
    for whole in qualified.find_all(exp.TableColumn):
        raise GuardError(f"selecting a whole row ({whole.name}) is not allowed; name the columns")
    for column in qualified.find_all(exp.Column):
        query = column.find_ancestor(exp.Select, exp.SetOperation)
        if not column.table and (query is None or column.name not in query.named_selects):
            raise GuardError(f"{column.name!r} is not a column of the tables read")


def _check_column(table: str, column: exp.Column, access: Access) -> None:
    name = column.name.lower()
    readable = access.tables[table]
    if name in JSON_COLUMNS and not access.pii and name not in readable:
        key = _json_key(column)
        if key is None:
            raise GuardError(
                f"{table}.{name} holds personal data; read it by key (such as {name}->>'$.plan') "
                "or with a role that may see personal data"
            )
        if key in access.pii_properties:
            raise GuardError(f"the property {key!r} is personal data; this role may not read it")
        return
    if name not in readable:
        why = "holds personal data" if not access.pii else "is not readable"
        raise GuardError(f"the column {table}.{name} {why} for this role")


def _json_key(column: exp.Column) -> str | None:
    """The top-level key a JSON column is read by, when it is read by constant keys only;
    a PII key anywhere in a nested path counts too."""
    parent = column.parent
    if not isinstance(parent, exp.JSONExtract | exp.JSONExtractScalar) or parent.this is not column:
        return None
    path = parent.expression
    if not isinstance(path, exp.JSONPath):
        return None
    keys: list[str] = []
    for part in path.expressions:
        if isinstance(part, exp.JSONPathRoot):
            continue
        if not isinstance(part, exp.JSONPathKey) or not isinstance(part.this, str):
            return None
        keys.append(part.this)
    return keys[0] if keys else None


def _limit(root: exp.Expression, max_rows: int) -> tuple[exp.Expression, int]:
    if isinstance(root, exp.Select):
        limit = root.args.get("limit")
        if limit is None:
            return root.limit(max_rows), max_rows
        value = limit.expression
        if not (isinstance(value, exp.Literal) and value.is_int):
            raise GuardError("LIMIT must be a whole number")
        kept = min(int(value.this), max_rows)
        return root.limit(kept), kept
    wrapped = exp.select("*").from_(
        exp.Subquery(this=root, alias=exp.TableAlias(this=exp.to_identifier("result")))
    )
    return wrapped.limit(max_rows), max_rows


def _narrow_to_project(root: exp.Expression, access: Access, ctes: set[str]) -> exp.Expression:
    """Each table read becomes its rows of the caller's project, under the same name."""

    def narrow(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Table) or node.name.lower() in ctes:
            return node
        rows = (
            exp.select("*")
            .from_(exp.Table(this=exp.to_identifier(node.name.lower())))
            .where(exp.column("project_id").eq(exp.Placeholder(this="guard_project_id")))
        )
        return exp.Subquery(this=rows, alias=exp.TableAlias(this=exp.to_identifier(node.alias_or_name)))

    return root.transform(narrow)


def _kind(node: exp.Expr) -> str:
    return node.key.upper().replace("_", " ")


def _names(access: Access) -> str:
    return ", ".join(sorted(access.tables))


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
