"""A small server-side grid: dash-ag-grid's infinite row model backed by SQL.

The browser asks for one block of rows at a time (``getRowsRequest``: startRow, endRow,
sortModel, filterModel); :func:`fetch_block` applies AG Grid's filter and sort models to a
SQLAlchemy ``select()`` *in SQL*, slices it with LIMIT/OFFSET and answers with
``{"rowData": [...], "rowCount": n}`` for ``getRowsResponse``. Whole tables never reach the browser.

The request is never trusted. :func:`request_problems` names what in it no AG Grid sends (the
server answers such a request 400, dashboard/request_guard.py); whatever still reaches
:func:`fetch_block` is read leniently: unknown fields, unknown operators and malformed values
are ignored, block sizes and list lengths are capped, and every value is bound as a parameter.
Dates, numbers and texts are read by the bounds in dashboard/bounds.py.

A page uses it like this::

    COLUMNS = {"title": GridColumn(Action.title), "due_on": GridColumn(Action.due_on, "date")}
    query = select(Action.id.label("id"), Action.title.label("title"), ...)
    response = fetch_block(session, query, COLUMNS, request, id_field="id")

and in its layout ``create_grid("atgarder-grid", [column_def("title", "Åtgärd"), ...], lang)``.
When controls outside the grid change, :func:`register_grid_refresh` makes the grid ask again.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import dash_ag_grid as dag
from dash import Input, Output, clientside_callback
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    false,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

from dashboard import constants as c
from dashboard.bounds import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_TEXT_LENGTH,
    bounded_date,
    bounded_text,
    finite_number,
)
from etl.formatting import format_datetime

log = logging.getLogger(__name__)

ColumnKind = Literal["text", "number", "date", "set"]
KINDS: tuple[str, ...] = ("text", "number", "date", "set")

MAX_BLOCK_SIZE = 500  # rows per request, whatever the browser asks for
MAX_START_ROW = 10_000_000
MAX_CONDITIONS = 5  # conditions per column in a combined filter
MAX_SET_VALUES = 500
MAX_SORT_COLUMNS = 3
# What an AG Grid request may hold at most (beyond: a bad request, request_problems).
MAX_ROW = MAX_START_ROW + MAX_BLOCK_SIZE
MAX_SORT_ITEMS = 50
MAX_FILTER_FIELDS = 100
FILTER_TYPES = ("text", "number", "date", "set")


@dataclass(frozen=True)
class GridColumn:
    """How one grid field maps to SQL: the expression to filter and sort on, and its kind."""

    expression: ColumnElement[Any]
    kind: ColumnKind = "text"


Columns = Mapping[str, GridColumn]


# --------------------------------------------------------------------------- case folding


def labelled(column, labels: Mapping[str, str]) -> ColumnElement[str]:
    """``column``'s codes as the words of ``labels``, in SQL so that a grid filters and sorts on
    them; a code without a word as itself."""
    return case(*[(column == code, literal(label)) for code, label in labels.items()], else_=column)


class casefold(FunctionElement):  # noqa: N801 (a SQL function, named like one)
    """lower() that also folds Swedish letters on SQLite, whose lower() folds ASCII only."""

    type = String()
    inherit_cache = True


# Upper-case letters SQLite's lower() leaves alone but Swedish (and Nordic) text is full of.
_NON_ASCII_UPPER = "ÅÄÖÆØÜÉÈ"


@compiles(casefold)
def _casefold_default(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(casefold, "sqlite")
def _casefold_sqlite(element, compiler, **kw):
    text = compiler.process(element.clauses, **kw)
    for upper in _NON_ASCII_UPPER:
        text = f"replace({text}, '{upper}', '{upper.lower()}')"
    return f"lower({text})"


# --------------------------------------------------------------------------- request parsing


@dataclass(frozen=True)
class BlockRequest:
    start_row: int
    end_row: int
    sort_model: list
    filter_model: dict

    @property
    def limit(self) -> int:
        return self.end_row - self.start_row


def _as_int(value: object, default: int) -> int:
    number = finite_number(value)
    return default if number is None else int(number)


def parse_request(request: object, block_size: int = c.GRID_BLOCK_SIZE) -> BlockRequest:
    """The block asked for, with rows clamped to [0, MAX_START_ROW] and at most MAX_BLOCK_SIZE."""
    data = request if isinstance(request, dict) else {}
    start = min(max(_as_int(data.get("startRow"), 0), 0), MAX_START_ROW)
    end = _as_int(data.get("endRow"), start + block_size)
    end = min(max(end, start), start + MAX_BLOCK_SIZE)
    sort_model = data.get("sortModel")
    filter_model = data.get("filterModel")
    return BlockRequest(
        start_row=start,
        end_row=end,
        sort_model=sort_model if isinstance(sort_model, list) else [],
        filter_model=filter_model if isinstance(filter_model, dict) else {},
    )


# --------------------------------------------------------------------------- value coercion


def _text_value(value: object) -> str | None:
    return bounded_text(value)


def _number_value(value: object) -> float | None:
    """A finite number; AG Grid sends numbers, a forger may send their text ("12")."""
    if isinstance(value, str) and len(value) <= MAX_TEXT_LENGTH:
        try:
            value = float(value)
        except ValueError:
            return None
    return finite_number(value)


def _date_value(value: object) -> dt.date | None:
    """AG Grid sends dates as "2026-11-28 00:00:00"; only the date part matters here."""
    return bounded_date(value) if isinstance(value, str) else None


# --------------------------------------------------------------------------- bad requests

# Every operator AG Grid's text, number and date filters offer (not only the ones we show).
_OPERATORS = frozenset(
    ("empty", "equals", "notEqual", "contains", "notContains", "startsWith", "endsWith",
     "lessThan", "lessThanOrEqual", "greaterThan", "greaterThanOrEqual", "inRange",
     "blank", "notBlank")
)  # fmt: skip


def _condition_problems(field: str, model: dict) -> list[str]:
    filter_type = model.get("filterType", "text")
    if filter_type not in FILTER_TYPES:
        return [f"{field}: unknown filter type"]
    operator = model.get("type")
    if operator is not None and not (isinstance(operator, str) and operator in _OPERATORS):
        return [f"{field}: unknown operator"]
    problems = []
    if filter_type == "number":
        for key in ("filter", "filterTo"):
            if model.get(key) is not None and finite_number(model[key]) is None:
                problems.append(f"{field}: {key} is not a finite number")
    elif filter_type == "date":
        for key in ("dateFrom", "dateTo"):
            if model.get(key) is not None and _date_value(model[key]) is None:
                problems.append(f"{field}: {key} is not a date between 1900 and 2200")
    elif filter_type == "set":
        values = model.get("values")
        if not isinstance(values, list) or len(values) > MAX_SET_VALUES:
            problems.append(f"{field}: values is not a list of at most {MAX_SET_VALUES}")
        elif any(v is not None and _text_value(v) is None for v in values):
            problems.append(f"{field}: values holds something other than text or numbers")
    elif model.get("filter") is not None and _text_value(model["filter"]) is None:
        problems.append(f"{field}: filter is not text")
    return problems


def _filter_problems(filter_model: object) -> list[str]:
    if filter_model is None:
        return []
    if not isinstance(filter_model, dict) or len(filter_model) > MAX_FILTER_FIELDS:
        return [f"filterModel is not an object of at most {MAX_FILTER_FIELDS} fields"]
    problems = []
    for field, model in filter_model.items():
        if len(field) > MAX_TEXT_LENGTH or not isinstance(model, dict):
            problems.append("filterModel holds something other than column filters")
            continue
        conditions = model.get("conditions")
        if conditions is None:
            problems += _condition_problems(field, model)
            continue
        if (
            not isinstance(conditions, list)
            or len(conditions) > MAX_CONDITIONS
            or model.get("operator") not in ("AND", "OR")
        ):
            problems.append(f"{field}: conditions are not a combined filter")
            continue
        for part in conditions:
            if not isinstance(part, dict) or "conditions" in part:
                problems.append(f"{field}: a condition is not a filter")
            else:
                problems += _condition_problems(field, part)
    return problems


def _sort_problems(sort_model: object) -> list[str]:
    if sort_model is None:
        return []
    if not isinstance(sort_model, list) or len(sort_model) > MAX_SORT_ITEMS:
        return [f"sortModel is not a list of at most {MAX_SORT_ITEMS}"]
    for item in sort_model:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("colId"), str)
            or len(item["colId"]) > MAX_TEXT_LENGTH
            or item.get("sort") not in ("asc", "desc", None)
        ):
            return ["sortModel holds something other than column sorts"]
    return []


def request_problems(request: object) -> list[str]:
    """What in a ``getRowsRequest`` no AG Grid of this app sends: row numbers that are not
    whole numbers in [0, MAX_ROW], sorts and filters of the wrong shape, operators and filter
    types it does not have, numbers beyond a float, dates outside 1900–2200 (the date filters
    refuse those years in the browser), lists where text belongs. Empty when ``request`` is
    None or well-formed; :func:`parse_request` reads the same request leniently."""
    if request is None:
        return []
    if not isinstance(request, dict):
        return ["the grid request is not an object"]
    problems = []
    for key in ("startRow", "endRow"):
        value = request.get(key)
        number = finite_number(value)
        if value is not None and (number is None or number != int(number)
                                  or not 0 <= number <= MAX_ROW):  # fmt: skip
            problems.append(f"{key} is not a row number between 0 and {MAX_ROW}")
    return (
        problems
        + _sort_problems(request.get("sortModel"))
        + _filter_problems(request.get("filterModel"))
    )


# --------------------------------------------------------------------------- filter model


def _text_condition(expr, model: dict) -> ColumnElement[bool] | None:
    kind = model.get("type")
    if kind == "blank":
        return or_(expr.is_(None), expr == "")
    if kind == "notBlank":
        return and_(expr.is_not(None), expr != "")
    value = _text_value(model.get("filter"))
    if value is None or value == "":
        return None
    # Case-insensitive on both back ends, Swedish letters included.
    lowered = casefold(expr)
    needle = value.lower()
    if kind == "contains":
        return lowered.contains(needle, autoescape=True)
    if kind == "notContains":
        return or_(expr.is_(None), not_(lowered.contains(needle, autoescape=True)))
    if kind == "equals":
        return lowered == needle
    if kind == "notEqual":
        return or_(expr.is_(None), lowered != needle)
    if kind == "startsWith":
        return lowered.startswith(needle, autoescape=True)
    if kind == "endsWith":
        return lowered.endswith(needle, autoescape=True)
    return None


def _ordered_condition(expr, kind: object, low, high) -> ColumnElement[bool] | None:
    """Comparisons shared by numbers and dates; ``inRange`` is inclusive at both ends."""
    if kind == "blank":
        return expr.is_(None)
    if kind == "notBlank":
        return expr.is_not(None)
    if low is None:
        return None
    if kind == "equals":
        return expr == low
    if kind == "notEqual":
        return or_(expr.is_(None), expr != low)
    if kind == "lessThan":
        return expr < low
    if kind == "lessThanOrEqual":
        return expr <= low
    if kind == "greaterThan":
        return expr > low
    if kind == "greaterThanOrEqual":
        return expr >= low
    if kind == "inRange":
        if high is None:
            return None
        low, high = (low, high) if low <= high else (high, low)
        return expr.between(low, high)
    return None


def _set_condition(column: GridColumn, model: dict) -> ColumnElement[bool] | None:
    values = model.get("values")
    if not isinstance(values, list):
        return None
    values = values[:MAX_SET_VALUES]
    if not values:
        return false()  # AG Grid's set filter with nothing ticked shows nothing
    coerce = {"number": _number_value, "date": _date_value}.get(column.kind, _text_value)
    present = [v for v in (coerce(x) for x in values if x is not None) if v is not None]
    parts = []
    if present:
        parts.append(column.expression.in_(present))
    if any(x is None for x in values):
        parts.append(column.expression.is_(None))
    return or_(*parts) if parts else false()


def _single_condition(column: GridColumn, model: dict) -> ColumnElement[bool] | None:
    filter_type = model.get("filterType")
    if filter_type == "set":
        return _set_condition(column, model)
    expr = column.expression
    if column.kind == "number":
        return _ordered_condition(
            expr,
            model.get("type"),
            _number_value(model.get("filter")),
            _number_value(model.get("filterTo")),
        )
    if column.kind == "date":
        return _ordered_condition(
            expr,
            model.get("type"),
            _date_value(model.get("dateFrom")),
            _date_value(model.get("dateTo")),
        )
    return _text_condition(expr, model)


def column_condition(column: GridColumn, model: object) -> ColumnElement[bool] | None:
    """The SQL condition for one column's filter model (plain or combined); None to ignore."""
    if not isinstance(model, dict):
        return None
    conditions = model.get("conditions")
    if conditions is None and isinstance(model.get("condition1"), dict):
        conditions = [model.get("condition1"), model.get("condition2")]  # AG Grid < 29
    if isinstance(conditions, list):
        parts = [
            column_condition(column, part)
            for part in conditions[:MAX_CONDITIONS]
            if isinstance(part, dict) and "conditions" not in part  # no nesting
        ]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return or_(*parts) if model.get("operator") == "OR" else and_(*parts)
    return _single_condition(column, model)


def apply_filter_model(query: Select, columns: Columns, filter_model: object) -> Select:
    """``query`` restricted by every known column's filter; unknown fields are ignored."""
    if not isinstance(filter_model, dict):
        return query
    for field, model in filter_model.items():
        column = columns.get(field) if isinstance(field, str) else None
        if column is None:
            log.debug("grid filter on unknown field %r ignored", field)
            continue
        condition = column_condition(column, model)
        if condition is not None:
            query = query.where(condition)
    return query


def apply_sort_model(
    query: Select,
    columns: Columns,
    sort_model: object,
    default_order: Iterable[Any] = (),
    tiebreaker: ColumnElement[Any] | None = None,
) -> Select:
    """ORDER BY the requested columns (nulls last), then the default order, then a unique key.

    The unique tiebreaker keeps LIMIT/OFFSET blocks stable: without it rows with equal sort keys
    could appear in two blocks or in none.
    """
    order = []
    seen = set()
    if isinstance(sort_model, list):
        for item in sort_model[:MAX_SORT_COLUMNS]:
            if not isinstance(item, dict):
                continue
            field = item.get("colId")
            column = columns.get(field) if isinstance(field, str) else None
            if column is None or field in seen:
                continue
            seen.add(field)
            direction = item.get("sort")
            if direction == "desc":
                order.append(column.expression.desc().nulls_last())
            elif direction == "asc":
                order.append(column.expression.asc().nulls_last())
    order.extend(default_order)
    if tiebreaker is not None:
        order.append(tiebreaker)
    return query.order_by(None).order_by(*order) if order else query


def filtered_query(
    query: Select,
    columns: Columns,
    request: object,
    *,
    default_order: Iterable[Any] = (),
    tiebreaker: ColumnElement[Any] | None = None,
) -> Select:
    """The grid's query with the request's filter and sort applied (no slicing): for exports."""
    block = parse_request(request)
    query = apply_filter_model(query, columns, block.filter_model)
    return apply_sort_model(query, columns, block.sort_model, default_order, tiebreaker)


# --------------------------------------------------------------------------- rows


def json_value(value: object) -> object:
    """A value the browser can take: dates as ISO text, times as Swedish time ("2026-12-06
    21:07", the same zone as every other time shown), Decimals as floats, NaN as None."""
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def rows_to_json(rows, id_field: str | None = None) -> list[dict]:
    out = []
    for row in rows:
        record = {key: json_value(value) for key, value in row._mapping.items()}
        if id_field is not None:
            # AG Grid wants string row ids (getRowId).
            record[ROW_ID] = str(record.get(id_field))
        out.append(record)
    return out


def count_rows(session: Session, query: Select) -> int:
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


@dataclass(frozen=True)
class Shortcut:
    """Cheaper queries for a grid's first look (no column filter, no column sort), where the
    full query would make the database build every row twice: once to count, once to sort.

    ``count_query`` has exactly as many rows as the grid's query; ``keys_query`` selects the
    grid's tiebreaker (its unique key) for exactly those rows, already in the grid's default
    order (default order, then the tiebreaker). Both may skip the joins that only add columns.
    """

    count_query: Select
    keys_query: Select
    # Count with a window over the keys query, in the same pass as the block's keys: cheaper
    # when building the rows is the work (a few hundred thousand rows at most), dearer when the
    # rows are many and cheap (then the window keeps every row where LIMIT keeps a block).
    count_with_keys: bool = False
    # (session, start, limit) -> the keys of rows [start, start + limit) in the default order,
    # or None to use keys_query: for orders an index walk answers part by part, where
    # keys_query sorts every row first.
    block_keys: Callable[[Session, int, int], list | None] | None = None
    # keys -> the grid's query for those rows only, where filtering the whole query by key
    # would still compute what it joins for every row; None: the query filtered by key.
    rows_of_keys: Callable[[list], Select] | None = None
    # session -> the number of rows of count_query when known without counting them (a stored
    # aggregate), or None to count.
    total: Callable[[Session], int | None] | None = None


def fetch_block(
    session: Session,
    query: Select,
    columns: Columns,
    request: object,
    *,
    id_field: str = "id",
    default_order: Iterable[Any] = (),
    tiebreaker: ColumnElement[Any] | None = None,
    shortcut: Shortcut | None = None,
) -> dict:
    """Answer one ``getRowsRequest``: ``{"rowData": [...], "rowCount": n}``.

    ``query`` selects labelled columns (labels = grid fields) and is already scoped to the viewer;
    ``columns`` says which fields may be filtered and sorted and how. With a ``shortcut`` (and a
    ``tiebreaker``) an unfiltered request is counted with the shortcut's count query, and an
    unfiltered, unsorted one picks its rows' keys with the shortcut's key query (or its
    ``block_keys``) and reads only the block's rows in full.
    """
    block = parse_request(request)
    filtered = apply_filter_model(query, columns, block.filter_model)
    unfiltered = shortcut is not None and tiebreaker is not None and filtered is query
    plain = unfiltered and not _sort_fields(columns, block.sort_model)
    known = shortcut.total(session) if unfiltered and shortcut.total is not None else None
    if plain and shortcut.count_with_keys and block.limit > 0 and known is None:
        counted = shortcut.keys_query.add_columns(func.count().over().label("_grid_total"))
        found = session.execute(counted.limit(block.limit).offset(block.start_row)).all()
        if found:  # past the end no row carries the count: counted below as usual
            keys = [row[0] for row in found]
            rows = _rows_by_keys(session, query, columns, keys, default_order, tiebreaker, shortcut)
            return {"rowData": rows_to_json(rows, id_field), "rowCount": int(found[0][1])}
    total = known
    if total is None:
        total = count_rows(session, shortcut.count_query if unfiltered else filtered)
    if block.limit <= 0 or block.start_row >= total:
        return {"rowData": [], "rowCount": total}
    if plain:
        keys = None
        if shortcut.block_keys is not None:
            keys = shortcut.block_keys(session, block.start_row, block.limit)
        if keys is None:
            keys = list(
                session.scalars(shortcut.keys_query.limit(block.limit).offset(block.start_row))
            )
        rows = _rows_by_keys(session, query, columns, keys, default_order, tiebreaker, shortcut)
        return {"rowData": rows_to_json(rows, id_field), "rowCount": total}
    filtered = apply_sort_model(filtered, columns, block.sort_model, default_order, tiebreaker)
    rows = session.execute(filtered.limit(block.limit).offset(block.start_row))
    return {"rowData": rows_to_json(rows, id_field), "rowCount": total}


def _rows_by_keys(
    session: Session,
    query: Select,
    columns: Columns,
    keys: list,
    order,
    tiebreaker,
    shortcut: Shortcut,
):
    """The grid's full rows of ``keys`` (its tiebreaker values), in the default order."""
    if shortcut.rows_of_keys is not None:
        query = shortcut.rows_of_keys(keys)
    picked = query.where(tiebreaker.in_(keys))
    return session.execute(apply_sort_model(picked, columns, [], order, tiebreaker))


def _sort_fields(columns: Columns, sort_model: object) -> list[str]:
    """The known fields the sort model would order by (what apply_sort_model uses)."""
    if not isinstance(sort_model, list):
        return []
    return [
        item.get("colId")
        for item in sort_model[:MAX_SORT_COLUMNS]
        if isinstance(item, dict)
        and isinstance(item.get("colId"), str)
        and item.get("colId") in columns
        and item.get("sort") in ("asc", "desc")
    ]


# --------------------------------------------------------------------------- the component

ROW_ID = "_row_id"

# AG Grid's locale keys (filter menu, pagination, overlays, aria texts) in Swedish.
LOCALE_TEXT_SV: dict[str, str] = {
    # The grid's own numbers (the pager's "1 till 100 av 1 242") the Swedish way.
    "thousandSeparator": "\u00a0",
    "decimalSeparator": ",",
    "page": "Sida",
    "of": "av",
    "to": "till",
    "more": "fler",
    "next": "Nästa",
    "last": "Sista",
    "first": "Första",
    "previous": "Föregående",
    "pageLastRowUnknown": "?",
    "nextPage": "Nästa sida",
    "lastPage": "Sista sidan",
    "firstPage": "Första sidan",
    "previousPage": "Föregående sida",
    "pageSizeSelectorLabel": "Rader per sida:",
    "loadingOoo": "Hämtar …",
    "loadingError": "Fel",
    "noRowsToShow": "Inga rader att visa",
    "enabled": "Aktiverad",
    "selectAll": "Markera alla",
    "searchOoo": "Sök …",
    "blanks": "(Tomma)",
    "noMatches": "Inga träffar",
    "filterOoo": "Filtrera …",
    "applyFilter": "Använd",
    "clearFilter": "Rensa",
    "resetFilter": "Återställ",
    "cancelFilter": "Avbryt",
    "textFilter": "Textfilter",
    "numberFilter": "Talfilter",
    "dateFilter": "Datumfilter",
    "setFilter": "Värdefilter",
    "empty": "Välj ett",
    "equals": "Lika med",
    "notEqual": "Inte lika med",
    "lessThan": "Mindre än",
    "greaterThan": "Större än",
    "lessThanOrEqual": "Mindre än eller lika med",
    "greaterThanOrEqual": "Större än eller lika med",
    "inRange": "Mellan",
    "inRangeStart": "Från",
    "inRangeEnd": "Till",
    "contains": "Innehåller",
    "notContains": "Innehåller inte",
    "startsWith": "Börjar med",
    "endsWith": "Slutar med",
    "blank": "Tom",
    "notBlank": "Inte tom",
    "before": "Före",
    "after": "Efter",
    "andCondition": "OCH",
    "orCondition": "ELLER",
    "dateFormatOoo": "åååå-mm-dd",
    "filterSummaryInactive": "är (alla)",
    "filterSummaryContains": "innehåller",
    "filterSummaryNotContains": "innehåller inte",
    "filterSummaryTextEquals": "är lika med",
    "filterSummaryTextNotEqual": "är inte lika med",
    "filterSummaryStartsWith": "börjar med",
    "filterSummaryEndsWith": "slutar med",
    "filterSummaryBlank": "är tom",
    "filterSummaryNotBlank": "är inte tom",
    "filterSummaryInRange": "mellan",
    "columns": "Kolumner",
    "filters": "Filter",
    "pinColumn": "Fäst kolumn",
    "pinLeft": "Fäst till vänster",
    "pinRight": "Fäst till höger",
    "noPin": "Lossa",
    "autosizeThiscolumn": "Anpassa bredd på kolumnen",
    "autosizeAllColumns": "Anpassa bredd på alla kolumner",
    "resetColumns": "Återställ kolumner",
    "sortAscending": "Sortera stigande",
    "sortDescending": "Sortera fallande",
    "sortUnSort": "Ta bort sortering",
    "columnFilter": "Kolumnfilter",
    "columnChooser": "Välj kolumner",
    "copy": "Kopiera",
    "ariaFilterInput": "Filtervärde",
    "ariaFilterValue": "Filtervärde",
    "ariaFilterFromValue": "Filtrera från",
    "ariaFilterToValue": "Filtrera till",
    "ariaFilterList": "Filterlista",
    "ariaFilteringOperator": "Filteroperator",
    "ariaFilterColumnsInput": "Filtrera kolumner",
    "ariaFilterMenuOpen": "Öppna filtermenyn",
    "ariaColumnFiltered": "Kolumnen är filtrerad",
    "ariaDateFilterInput": "Datum",
    "ariaMenuColumn": "Tryck Alt+nedåtpil för att öppna kolumnmenyn",
    "ariaFilterColumn": "Tryck Ctrl+Enter för att öppna filtret",
    "ariaSortableColumn": "Tryck Enter för att sortera",
    "ariaRowPageSize": "Rader per sida",
    "ariaSearch": "Sök",
    "ariaSearchFilterValues": "Sök filtervärden",
    "ariaHidden": "dold",
    "ariaVisible": "synlig",
    "ariaChecked": "markerad",
    "ariaUnchecked": "inte markerad",
    "ariaIndeterminate": "delvis markerad",
    "ariaLabelColumnMenu": "Kolumnmeny",
    "ariaLabelColumnFilter": "Kolumnfilter",
    "ariaLabelDialog": "Dialogruta",
    "ariaLabelSelectField": "Välj fält",
    "ariaPageSizeSelectorLabel": "Rader per sida",
}

_FILTERS = {
    "text": "agTextColumnFilter",
    "set": "agTextColumnFilter",  # the set filter is Enterprise; equality on a text filter
    "number": "agNumberColumnFilter",
    "date": "agDateColumnFilter",
}
_FILTER_OPTIONS = {
    "text": [
        "contains",
        "notContains",
        "equals",
        "notEqual",
        "startsWith",
        "endsWith",
        "blank",
        "notBlank",
    ],
    "set": ["equals", "notEqual", "contains"],
    "number": [
        "equals",
        "notEqual",
        "lessThan",
        "lessThanOrEqual",
        "greaterThan",
        "greaterThanOrEqual",
        "inRange",
        "blank",
        "notBlank",
    ],
    "date": ["equals", "notEqual", "lessThan", "greaterThan", "inRange", "blank", "notBlank"],
}


# A header wraps between words only (assets/grid.css: no break inside a word, so "Sannolikhet"
# never reads "Sannoli khet"); a column is at least as wide as its header's longest word, measured
# at 1366 px: the header font's widest Swedish words average under 8.2 px a letter, and the
# cell's padding with the sort and filter icons takes 60 px.
HEADER_LETTER_PX = 8.2
HEADER_PADDING_PX = 60
# Ids are read and quoted whole: an id column fits "1882-SOC-A0012" at 1366 px, not "188…".
ID_FIELDS = frozenset({"code", "asset_code"})
ID_COLUMN_PX = 140


def header_min_width(header: str) -> int:
    """The width (px) a column needs for ``header``'s longest word on one line."""
    longest = max((len(word) for word in header.split()), default=0)
    return math.ceil(longest * HEADER_LETTER_PX + HEADER_PADDING_PX)


def column_def(field: str, header: str, kind: ColumnKind = "text", **extra) -> dict:
    """An AG Grid column definition whose filter matches what :func:`column_condition` does.

    Every column has a header (its name is also the header's tooltip), is wide enough for the
    header's longest word, and a text or date the cell cuts short shows whole as a tooltip."""
    definition = {
        "field": field,
        "headerName": header,
        "headerTooltip": header,
        "minWidth": max(header_min_width(header), ID_COLUMN_PX if field in ID_FIELDS else 0),
        "filter": _FILTERS.get(kind, "agTextColumnFilter"),
        "filterParams": {
            "filterOptions": _FILTER_OPTIONS.get(kind, _FILTER_OPTIONS["text"]),
            "maxNumConditions": 2,
            "buttons": ["apply", "reset"],
            "closeOnApply": True,
        },
        "sortable": True,
    }
    if kind == "number":
        definition["type"] = "rightAligned"
    else:
        definition["tooltipField"] = field
    if kind == "date":
        definition["filterParams"]["inRangeInclusive"] = True
        # The years the server reads (dashboard/bounds.py): the filter refuses others as typed.
        definition["filterParams"]["minValidYear"] = EARLIEST_DATE.year
        definition["filterParams"]["maxValidYear"] = LATEST_DATE.year
    min_width = max(definition["minWidth"], extra.pop("minWidth", 0))
    definition.update(extra)
    definition["minWidth"] = min_width
    if definition.get("maxWidth"):
        definition["maxWidth"] = max(definition["maxWidth"], min_width)
    return definition


def column_defs(
    fields: dict[str, tuple[ColumnKind, str, str]],
    lang: str,
    extras: dict[str, dict] | None = None,
) -> list[dict]:
    """Column definitions from a page's ``{field: (kind, header_sv, header_en)}`` catalogue;
    ``extras`` adds per-field options (width, tooltip) to the ones :func:`column_def` sets."""
    extras = extras or {}
    return [
        column_def(field, header_en if lang == "en" else header_sv, kind, **extras.get(field, {}))
        for field, (kind, header_sv, header_en) in fields.items()
    ]


def localised_column(definition: dict, lang: str) -> dict:
    """A number column writes its numbers the page language's way ("1 276" in Swedish), by the
    formatGridNumber of assets/grid_formats.js."""
    if definition.get("type") != "rightAligned" or "valueFormatter" in definition:
        return definition
    lang = "en" if lang == "en" else "sv"
    formatter = {"function": f"formatGridNumber(params.value, '{lang}')"}
    return {**definition, "valueFormatter": formatter}


def create_grid(
    grid_id: str,
    column_defs: list[dict],
    lang: str = "sv",
    *,
    height: str = "520px",
    page_size: int = c.GRID_BLOCK_SIZE,
    grid_options: dict | None = None,
) -> dag.AgGrid:
    """An AgGrid on the infinite row model, paged by the server, Swedish unless ``lang`` is "en".

    Cells are plain text (no HTML/markdown renderer; ``dangerously_allow_code`` stays off).
    Row ids come from :data:`ROW_ID`, which :func:`fetch_block` adds to every row.
    """
    options = {
        "rowModelType": "infinite",
        "cacheBlockSize": page_size,
        "maxBlocksInCache": 20,
        "infiniteInitialRowCount": 1,
        "pagination": True,
        "paginationPageSize": page_size,
        "paginationPageSizeSelector": False,
        "ensureDomOrder": True,  # screen readers read rows in DOM order
        "enableCellTextSelection": True,
        "suppressMultiSort": False,
        "tooltipShowDelay": 300,
    }
    if lang != "en":
        options["localeText"] = LOCALE_TEXT_SV
    options.update(grid_options or {})
    column_defs = [localised_column(d, lang) for d in column_defs]
    return dag.AgGrid(
        id=grid_id,
        rowModelType="infinite",
        columnDefs=column_defs,
        defaultColDef={
            "resizable": True,
            "sortable": True,
            "filter": True,
            "minWidth": 90,
            "flex": 1,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions=options,
        getRowId=f"params.data.{ROW_ID}",
        dangerously_allow_code=False,
        style={"height": height, "width": "100%"},
        className="ag-theme-quartz",
    )


_REFRESH_JS = """
function(request) {
    const gridId = %r;
    let api = null;
    try {
        api = window.dash_ag_grid && window.dash_ag_grid.getApi(gridId);
    } catch (notReady) {
        // A grid still starting asks for its first block with the controls as they are then.
        return window.dash_clientside.no_update;
    }
    if (!api || api.isDestroyed()) { return window.dash_clientside.no_update; }
    // The controls outside the grid as this grid (this instance: a page opened again has a new
    // one) last asked with.
    const asked = window.infosakGridControls = window.infosakGridControls || new WeakMap();
    const controls = JSON.stringify(Array.prototype.slice.call(arguments, 1));
    const triggered = (window.dash_clientside.callback_context.triggered || [])
        .map(function(t) { return t.prop_id; });
    if (triggered.indexOf(gridId + '.getRowsRequest') !== -1) {
        // The grid asks for a block: the server reads the controls as they are now.
        asked.set(api, controls);
        return window.dash_clientside.no_update;
    }
    // Not asked yet (its first request reads the controls as they are then), or the controls
    // written again with the same values (e.g. while the page starts): the rows stand.
    if (!asked.has(api) || asked.get(api) === controls) {
        return window.dash_clientside.no_update;
    }
    // The controls changed: drop the cached blocks so the grid asks the server again.
    asked.set(api, controls);
    api.purgeInfiniteCache();
    return window.dash_clientside.no_update;
}
"""


def register_grid_refresh(grid_id: str, inputs: list[Input]) -> None:
    """Make ``grid_id`` fetch again from the first block whenever one of ``inputs`` changes.

    The infinite row model only asks for rows when its own filter or sort changes; a page's
    controls and the global filters reach the server as callback State, so the grid must be told.
    It is told only once it has asked, and only when the controls differ from those it last
    asked with: while a page starts, its stores are written once more with the values the grid's
    first request reads, and a grid told then asked for the same rows twice.
    """
    clientside_callback(
        _REFRESH_JS % grid_id,
        Output(grid_id, "scrollTo", allow_duplicate=True),
        Input(grid_id, "getRowsRequest"),
        *inputs,
        prevent_initial_call=True,
    )
