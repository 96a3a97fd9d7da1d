"""Check a raw workbook against the schema and the store, collecting every problem at once.

``validate(raw, known)`` parses every cell (etl.parsing), then checks what a single cell cannot
show: required sheets and columns, duplicates within the file and against other sources in the
store, references to org codes (from the store, or from the same organisation workbook), and the
rules of the domain (review after classification, Klar needs Klardatum, …). It returns the parsed
workbook only when there are no issues, so the loader never sees half-valid data.

The store is read beforehand into ``KnownCodes`` (``load_known_codes``) so validation itself is a
pure function of its inputs and easy to test.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING

from etl import namespace, vocab
from etl.columns import PLAIN_TEXT, CellProblem, parse_column
from etl.issues import ValidationIssue, show_value
from etl.parsing import CellError, parse_cell, visible
from etl.reader import RawSheet, RawWorkbook, fold
from etl.schema import (
    COVER,
    SETTING_MATRIX_SIZE,
    WORKBOOK_KINDS,
    Column,
    ColumnType,
    Sheet,
    WorkbookKind,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

FUTURE_TOLERANCE = dt.timedelta(days=1)
MIN_MATRIX_SIZE, MAX_MATRIX_SIZE = 2, 10
KIND_LABELS = {"organisation": "Organisation", "administration": "Förvaltning",
               "object": "Förvaltningsobjekt"}  # fmt: skip
CHUNK = 2000  # codes per IN (...) query (SQLite allows 32 766 parameters)
# Free text without a column length (descriptions, comments) is capped well below Excel's cell
# limit (32 767): calamine silently cuts longer cells there, so a cut text always exceeds the cap
# and is refused instead of stored truncated; and a megabyte per cell would bloat every page.
MAX_FREE_TEXT = 10_000

# The length of the store column each text lands in (etl.models), so text too long for its
# column is caught here and not by PostgreSQL in the middle of a load. Written out rather than
# read from the models: the reading worker (etl.pipeline) parses cells without ever reading the
# store, and starts without importing SQLAlchemy and the models (about a quarter of a second).
# tests/test_validate_column_lengths.py holds every figure equal to its model column.
MAX_LENGTH: dict[tuple[str, str], int] = {
    ("cover", "code"): 40,  # Administration.code
    ("municipalities", "code"): 10,
    ("municipalities", "name"): 100,
    ("administrations", "code"): 40,
    ("administrations", "name"): 200,
    ("units", "code"): 60,
    ("units", "name"): 200,
    ("units", "manager_name"): 200,
    ("units", "manager_email"): 200,
    ("roles", "person_name"): 200,  # RoleAssignment
    ("roles", "email"): 200,
    ("providers", "code"): 40,
    ("providers", "name"): 200,
    ("governance_objects", "code"): 40,
    ("governance_objects", "name"): 200,
    ("areas", "code"): 40,  # MaturityArea
    ("areas", "name"): 200,
    ("settings", "key"): 60,
    ("settings", "value"): 200,
    ("assets", "code"): 60,
    ("assets", "name"): 300,
    ("assets", "carrier_name"): 300,
    ("assets", "register_ref"): 100,
    ("classifications", "model_version"): 40,
    ("classifications", "label_set"): 40,
    ("risk_analyses", "code"): 60,
    ("risk_analyses", "responsible"): 200,
    ("risks", "code"): 60,
    ("actions", "code"): 60,
    ("actions", "responsible"): 200,
    ("actions", "responsible_email"): 200,
}

# Entities whose codes are unique in the whole store, and the table that holds them (the
# models' __tablename__, held equal by the same test).
CODED_TABLES: dict[str, str] = {
    "assets": "asset",
    "risk_analyses": "risk_analysis",
    "risks": "risk",
    "actions": "action",
}
# The column each of them is looked up by (a follow-up is taken by unit and period).
TAKEN_COLUMNS = {**{entity: "code" for entity in CODED_TABLES}, "follow_ups": "unit"}


# --------------------------------------------------------------------------- what the store knows


@dataclass
class KnownCodes:
    municipalities: set[str] = field(default_factory=set)
    administrations: dict[str, str] = field(default_factory=dict)  # code -> municipality code
    units: dict[str, str] = field(default_factory=dict)  # code -> administration code
    providers: set[str] = field(default_factory=set)
    governance_objects: set[str] = field(default_factory=set)
    # object code -> the municipalities taking part in it, and -> its provider (or None): whose
    # units and which provider an object's file may hand assets and actions to (etl.namespace)
    participants: dict[str, set[str]] = field(default_factory=dict)
    object_providers: dict[str, str | None] = field(default_factory=dict)
    areas: dict[str, str] = field(default_factory=dict)  # fold(code) and fold(name) -> code
    matrix_size: int = vocab.DEFAULT_MATRIX_SIZE
    # entity ("assets", …, "follow_ups") -> code (follow-ups: "unit|period") -> source key, for
    # codes of this file that the store already holds
    taken: dict[str, dict[str, str]] = field(default_factory=dict)
    _area_lookups: dict[object, str | None] = field(default_factory=dict, repr=False,
                                                    compare=False)  # fmt: skip

    def area_code(self, text: str) -> str | None:
        # Every gap-analysis row and many actions name an area in words: fold each text once.
        try:
            return self._area_lookups[text]
        except KeyError:
            code = self._area_lookups[text] = self.areas.get(fold(text))
            return code
        except TypeError:  # unhashable cell value
            return self.areas.get(fold(text))


def _chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _raw_codes(raw: RawWorkbook | None, sheet_key: str, column_key: str) -> list[str]:
    if raw is None or sheet_key not in raw.sheets:
        return []
    sheet = raw.sheets[sheet_key]
    codes = set()
    for value in set(_column_values(sheet, column_key)):
        if value is not None:
            codes.add(
                value.strip() if isinstance(value, str) else parse_cell(ColumnType.TEXT, value)
            )
    return sorted(c for c in codes if c)


def _column_values(sheet: RawSheet, column_key: str,
                   values: list[tuple[object, ...]] | None = None) -> list[object]:  # fmt: skip
    """The raw cells of one column, row by row (None where the column or the cell is missing).

    ``values``: every row's values, when the caller takes several columns of the sheet."""
    index = sheet.columns.get(column_key)
    if values is None:
        values = [r.values for r in sheet.rows]
    if index is None:
        return [None] * len(values)
    try:  # the reader pads every row to the header's width: a C-level pass
        return list(map(itemgetter(index), values))
    except IndexError:  # a hand-built sheet with short rows
        return [v[index] if index < len(v) else None for v in values]


def load_known_codes(session: Session, raw: RawWorkbook | None = None) -> KnownCodes:
    """Org codes, areas and settings from the store; and which of ``raw``'s ids it already holds."""
    known = load_org_codes(session)
    known.taken = load_taken(session, raw)
    return known


def load_org_codes(session: Session) -> KnownCodes:
    """Org codes, areas and settings from the store (``taken`` left empty).

    They change only when an organisation workbook loads, so a run reads them once and again
    only after such a load (etl.load).
    """
    from sqlalchemy import select

    from etl import models

    known = KnownCodes()
    known.municipalities = set(session.scalars(select(models.Municipality.code)))
    known.administrations = dict(
        session.execute(
            select(models.Administration.code, models.Municipality.code).join(models.Municipality)
        ).all()
    )
    known.units = dict(
        session.execute(
            select(models.Unit.code, models.Administration.code).join(models.Administration)
        ).all()
    )
    known.providers = set(session.scalars(select(models.Provider.code)))
    known.governance_objects = set(session.scalars(select(models.GovernanceObject.code)))
    known.object_providers = dict(
        session.execute(
            select(models.GovernanceObject.code, models.Provider.code).outerjoin(
                models.Provider, models.GovernanceObject.provider_id == models.Provider.id
            )
        ).all()
    )
    for obj, municipality in session.execute(
        select(models.GovernanceObject.code, models.Municipality.code)
        .join(models.GovernanceParticipant,
              models.GovernanceParticipant.governance_object_id == models.GovernanceObject.id)
        .join(models.Municipality,
              models.GovernanceParticipant.municipality_id == models.Municipality.id)
    ):  # fmt: skip
        known.participants.setdefault(obj, set()).add(municipality)
    for code, name in session.execute(select(models.MaturityArea.code, models.MaturityArea.name)):
        known.areas.setdefault(fold(code), code)
        known.areas.setdefault(fold(name), code)
    size = session.get(models.Setting, SETTING_MATRIX_SIZE)
    if size is not None and size.value.strip().isdigit():
        known.matrix_size = int(size.value)
    return known


def load_taken(session: Session, raw: RawWorkbook | None) -> dict[str, dict[str, str]]:
    """entity -> code -> source key, for the codes of ``raw`` the store already holds."""
    codes = {entity: _raw_codes(raw, entity, column) for entity, column in TAKEN_COLUMNS.items()}
    return lookup_taken(session, codes)


def lookup_taken(session: Session, codes: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """entity -> code -> source key, for the ``codes`` (entity -> codes) the store holds.

    Plain SQL with one IN list per entity (and chunk): this runs once per file, and the ORM's
    statement handling cost more than the index lookups themselves.
    """
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"

    def lookup(sql: str, codes: list[str]) -> list[tuple]:
        found: list[tuple] = []
        for chunk in _chunks(codes):
            statement = sql.format(marks=", ".join([mark] * len(chunk)))
            found.extend(connection.exec_driver_sql(statement, tuple(chunk)).all())
        return found

    taken: dict[str, dict[str, str]] = {}
    for entity, table in CODED_TABLES.items():
        sql = (f"SELECT t.code, s.key FROM {table} t JOIN source s ON s.id = t.source_id "
               "WHERE t.code IN ({marks})")  # fmt: skip
        taken[entity] = dict(lookup(sql, codes.get(entity, [])))  # type: ignore[arg-type]
    follow_ups = lookup(
        "SELECT u.code, f.period, s.key FROM follow_up_report f JOIN unit u ON u.id = f.unit_id "
        "JOIN source s ON s.id = f.source_id WHERE u.code IN ({marks})",
        codes.get("follow_ups", []),
    )
    taken["follow_ups"] = {f"{unit}|{period}": key for unit, period, key in follow_ups}
    return taken


# --------------------------------------------------------------------------- parsed result


class ParsedRow(dict):
    """One parsed row: column key -> value (None for a key it lacks), and its Excel row number.

    A dict itself, so ``row["code"]`` is a plain dict lookup: the rules read millions of cells.
    ``ParsedRow.of(number, values)`` builds one (dict's own constructor, no Python __init__).
    """

    __slots__ = ("number",)

    @classmethod
    def of(cls, number: int, values) -> ParsedRow:  # a mapping or (key, value) pairs
        row = cls(values)
        row.number = number
        return row

    def __missing__(self, key: str) -> None:
        return None

    def __repr__(self) -> str:
        return f"ParsedRow({self.number}, {dict.__repr__(self)})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ParsedRow):
            return self.number == other.number and dict.__eq__(self, other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dict it is


@dataclass
class ParsedWorkbook:
    file_name: str
    sha256: str
    kind: str  # organisation | administration | object
    code: str
    sheets: dict[str, list[ParsedRow]]
    present: set[str]  # sheet keys found in the file (a present sheet may be empty)
    prepared_by: str | None = None
    prepared_on: dt.date | None = None

    @property
    def source_key(self) -> str:
        return source_key(self.kind, self.code)

    def rows(self, sheet_key: str) -> list[ParsedRow]:
        return self.sheets.get(sheet_key, [])


def source_key(kind: str, code: str) -> str:
    return f"{kind}:{code}"


def describe_source(key: str) -> str:
    """ "administration:1882-SOC" → "Förvaltning 1882-SOC" for messages."""
    kind, _, code = key.partition(":")
    return f"{KIND_LABELS.get(kind, kind)} {code}"


# --------------------------------------------------------------------------- the cover


@dataclass
class Cover:
    kind: str | None
    code: str | None
    prepared_by: str | None
    prepared_on: dt.date | None
    issues: list[ValidationIssue]

    @property
    def source_key(self) -> str | None:
        return source_key(self.kind, self.code) if self.kind and self.code else None


def read_cover(raw: RawWorkbook) -> Cover:
    """Typ and Kod from the cover sheet (needed before validation to find the source)."""
    issues: list[ValidationIssue] = []
    sheet = raw.sheets.get("cover")
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    if sheet is None:
        issues.append(ValidationIssue(
            raw.file_name, COVER.name, None, None, None,
            "Bladet Uppgifter saknas. Det ska finnas först i filen med raderna Typ och Kod "
            "(använd mallen).",
            "The sheet Uppgifter is missing. It must come first with the rows Typ and Kod "
            "(use the template).",
        ))  # fmt: skip
        return Cover(None, None, None, None, issues)
    by_name = {fold(n): c for c in COVER.columns for n in (c.header, c.key, *c.aliases)}
    for row in sheet.rows:
        column = by_name.get(fold(row.values[0])) if row.values[0] is not None else None
        if column is not None and column.key not in values:
            values[column.key] = row.values[1]
            rows[column.key] = row.number
    parsed: dict[str, object] = {}
    for column in COVER.columns:
        raw_value = values.get(column.key)
        try:
            parsed[column.key] = parse_cell(column.type, raw_value)
        except CellError as exc:
            shown = visible(raw_value) if isinstance(raw_value, str) else raw_value
            issues.append(ValidationIssue(raw.file_name, sheet.name, rows.get(column.key),
                                          column.header, show_value(shown), exc.message_sv,
                                          exc.message_en))  # fmt: skip
            continue
        if column.required and parsed[column.key] is None:
            issues.append(ValidationIssue(
                raw.file_name, sheet.name, rows.get(column.key), column.header, None,
                f"Uppgiften {column.header} saknas på bladet Uppgifter. {column.help_sv}.",
                f"{column.header} is missing on the sheet Uppgifter. {column.help_en}.",
            ))  # fmt: skip
    return Cover(parsed.get("kind"), parsed.get("code"), parsed.get("prepared_by"),  # type: ignore[arg-type]
                 parsed.get("prepared_on"), issues)  # type: ignore[arg-type]  # fmt: skip


# --------------------------------------------------------------------------- what the file says


@dataclass
class ParsedSheet:
    """One sheet's parsed cells, column by column (``columns`` in the schema's column order)."""

    numbers: list[int]  # Excel row number of each row
    columns: list[list[object]]

    def rows(self, keys: list[str]) -> list[ParsedRow]:
        # Every column has one value per row, by construction: no strict checks. The dicts are
        # built by map() in C; only the row numbers are set one by one.
        rows = list(map(ParsedRow, map(zip, repeat(keys), zip(*self.columns))))  # noqa: B905
        for row, number in zip(rows, self.numbers, strict=True):
            row.number = number
        return rows


@dataclass
class PreparedWorkbook:
    """Everything a file says by itself: its cover, its sheets and every cell parsed.

    ``prepare`` makes it from the raw cells alone (no store), so a large run prepares the next
    files in another process while this one writes (etl.pipeline). What depends on the store
    (codes known and taken, which change as files load) is checked afterwards by ``check``.
    Its issues are kept in the order ``validate`` reports them: cover, sheets, cells.
    """

    file_name: str
    sha256: str
    cover: Cover
    matrix_size: int  # the risk matrix the level cells were parsed for
    sheet_names: dict[str, str] = field(default_factory=dict)  # present sheet key -> its name
    code_row: int | None = None  # the cover's Kod row
    sheet_issues: list[ValidationIssue] = field(default_factory=list)  # unknown, duplicate, missing
    cell_issues: list[ValidationIssue] = field(default_factory=list)  # columns and cells
    sheets: dict[str, ParsedSheet | None] = field(default_factory=dict)  # None: not parsed
    codes: dict[str, list[str]] = field(default_factory=dict)  # what load_taken looks up

    @property
    def source_key(self) -> str | None:
        return self.cover.source_key


def prepare(raw: RawWorkbook, matrix_size: int = vocab.DEFAULT_MATRIX_SIZE) -> PreparedWorkbook:
    """Read the cover and parse every cell of ``raw``: the part of validation needing no store.

    ``matrix_size`` is the store's risk matrix (likelihood and consequence levels depend on it).
    """
    return _Preparer(raw, matrix_size).run()


class _Preparer:
    def __init__(self, raw: RawWorkbook, matrix_size: int) -> None:
        self.raw = raw
        self.matrix_size = matrix_size
        self.issues: list[ValidationIssue] = []

    def add(self, sheet: Sheet | RawSheet | str | None, row: int | None, column: Column | str |
            None, value: object, sv: str, en: str) -> None:  # fmt: skip
        self.issues.append(_issue(self.raw.file_name, sheet, row, column, value, sv, en))

    def run(self) -> PreparedWorkbook:
        raw = self.raw
        cover = read_cover(raw)
        prepared = PreparedWorkbook(raw.file_name, raw.sha256, cover, self.matrix_size,
                                    {key: sheet.name for key, sheet in raw.sheets.items()})  # fmt: skip
        kind = (
            WORKBOOK_KINDS[cover.kind]
            if cover.kind is not None and cover.code is not None
            else None
        )
        self._check_unknown_sheets(kind)
        prepared.sheet_issues, self.issues = self.issues, []
        if kind is None:
            return prepared
        cover_sheet = raw.sheets["cover"]
        prepared.code_row = next((r.number for r in cover_sheet.rows
                                  if fold(r.values[0]) == "kod"), None)  # fmt: skip
        for sheet in kind.sheets:
            if not sheet.key_value:
                prepared.sheets[sheet.key] = self._parse_sheet(sheet)
        prepared.cell_issues = self.issues
        prepared.codes = _taken_codes(prepared, kind)
        return prepared

    def _check_unknown_sheets(self, kind: WorkbookKind | None) -> None:
        for name in self.raw.duplicate_sheets:
            self.add(
                name,
                None,
                None,
                None,
                "Bladet finns två gånger i filen. Slå ihop raderna till ett blad.",
                "The sheet occurs twice in the file. Merge the rows into one sheet.",
            )
        if kind is None:
            return
        allowed = {s.key for s in kind.sheets}
        for key, sheet in self.raw.sheets.items():
            if key not in allowed:
                self.add(
                    sheet,
                    None,
                    None,
                    None,
                    f"Bladet {sheet.name} hör inte till en arbetsbok av typen "
                    f"{kind.label_sv}. Ta bort bladet eller rätta Typ på bladet Uppgifter.",
                    f"The sheet {sheet.name} does not belong in a workbook of kind "
                    f"{kind.label_sv}. Remove it or correct Typ on the sheet Uppgifter.",
                )
        for sheet in kind.sheets:
            if sheet.required and sheet.key not in self.raw.sheets:
                self.add(sheet, None, None, None,
                         f"Bladet {sheet.name} saknas. Det krävs i en arbetsbok av typen "
                         f"{kind.label_sv} (använd mallen).",
                         f"The sheet {sheet.name} is missing; a {kind.label_sv} workbook "
                         "requires it (use the template).")  # fmt: skip

    def _parse_sheet(self, sheet: Sheet) -> ParsedSheet | None:
        """The sheet's cells parsed; None when it is absent or lacks a required column."""
        raw_sheet = self.raw.sheets.get(sheet.key)
        if raw_sheet is None:
            return None
        missing = [c for c in sheet.columns if c.required and c.key not in raw_sheet.columns]
        for column in missing:
            self.add(raw_sheet, raw_sheet.header_row, column, None,
                     f"Kolumnen {column.header} saknas på bladet {raw_sheet.name}. Lägg till den "
                     "med den rubriken i rubrikraden (se mallen).",
                     f"The column {column.header} is missing on the sheet {raw_sheet.name}. Add "
                     "it with that heading in the header row (see the template).")  # fmt: skip
        if missing:
            return None
        # Column by column (etl.columns), then rows; issues in the file's order (row, column).
        problems: list[tuple[int, int, CellProblem]] = []
        parsed_columns = []
        values = [r.values for r in raw_sheet.rows]  # once per sheet, not once per column
        for position, column in enumerate(sheet.columns):
            raw_values = _column_values(raw_sheet, column.key, values)
            found: list[CellProblem] = []
            parsed_columns.append(parse_column(raw_values, column, _limit(sheet.key, column),
                                               self.matrix_size, found))  # fmt: skip
            problems.extend((p.index, position, p) for p in found)
        rows = raw_sheet.rows
        for index, position, problem in sorted(problems, key=lambda t: (t[0], t[1])):
            self.add(raw_sheet, rows[index].number, sheet.columns[position], problem.value,
                     problem.message_sv, problem.message_en)  # fmt: skip
        return ParsedSheet([r.number for r in rows], parsed_columns)


def _limit(sheet_key: str, column: Column) -> int | None:
    """The longest text the store keeps for this column (for a code list: per code)."""
    if column.type is ColumnType.CODE_LIST:
        return MAX_LENGTH[("units", "code")]
    limit = MAX_LENGTH.get((sheet_key, column.key))
    if limit is None and column.type in PLAIN_TEXT:
        limit = MAX_FREE_TEXT
    return limit


def _issue(file_name: str, sheet: Sheet | RawSheet | str | None, row: int | None,
           column: Column | str | None, value: object, sv: str, en: str) -> ValidationIssue:  # fmt: skip
    sheet_name = sheet if isinstance(sheet, str) or sheet is None else sheet.name
    column_name = column.header if isinstance(column, Column) else column
    return ValidationIssue(file_name, sheet_name, row, column_name, show_value(value), sv, en)


def _taken_codes(prepared: PreparedWorkbook, kind: WorkbookKind) -> dict[str, list[str]]:
    """entity -> the distinct codes of the file that another source might already own.

    From the parsed cells: a cell that did not parse is never compared with the store's codes.
    """
    codes: dict[str, list[str]] = {}
    for entity, column_key in TAKEN_COLUMNS.items():
        sheet = prepared.sheets.get(entity)
        if sheet is None:
            continue
        position = [c.key for c in kind.sheet(entity).columns].index(column_key)
        codes[entity] = sorted({v for v in sheet.columns[position] if v})  # type: ignore[type-var]
    return codes


# --------------------------------------------------------------------------- the validator


def validate(
    raw: RawWorkbook, known: KnownCodes, *, today: dt.date | None = None
) -> tuple[ParsedWorkbook | None, list[ValidationIssue]]:
    """The parsed workbook (None when anything is wrong) and every issue found."""
    return check(prepare(raw, known.matrix_size), known, today=today)


def check(
    prepared: PreparedWorkbook, known: KnownCodes, *, today: dt.date | None = None
) -> tuple[ParsedWorkbook | None, list[ValidationIssue]]:
    """``validate`` for a prepared file: what the store's codes (``known``) say about it."""
    if prepared.matrix_size != known.matrix_size:
        raise ValueError(f"{prepared.file_name} was parsed for a {prepared.matrix_size}x"
                         f"{prepared.matrix_size} risk matrix, the store has "
                         f"{known.matrix_size}x{known.matrix_size}")  # fmt: skip
    return _Validator(prepared, known, today or dt.date.today()).run()


class _Validator:
    def __init__(self, prepared: PreparedWorkbook, known: KnownCodes, today: dt.date) -> None:
        self.prepared = prepared
        self.known = known
        self.latest_allowed = today + FUTURE_TOLERANCE
        self.issues: list[ValidationIssue] = []
        self.kind: WorkbookKind | None = None
        self.code: str | None = None
        self.parsed: dict[str, list[ParsedRow]] = {}
        self.scope: namespace.WriteScope | None = None  # an administration's or object's file
        self.own_units: set[str] = set()  # units found in the scope (most rows name a few)

    # ---------------------------------------------------------------- reporting

    def add(self, sheet: Sheet | RawSheet | str | None, row: int | None, column: Column | str |
            None, value: object, sv: str, en: str) -> None:  # fmt: skip
        self.issues.append(_issue(self.prepared.file_name, sheet, row, column, value, sv, en))

    def sheet_name(self, key: str) -> str:
        name = self.prepared.sheet_names.get(key)
        return name if name is not None else self.kind.sheet(key).name  # type: ignore[union-attr]

    def add_at(self, sheet_key: str, row: ParsedRow, column_key: str, sv: str, en: str,
               value: object = ...) -> None:  # fmt: skip
        """An issue about one parsed cell, named by schema keys."""
        column = self.kind.sheet(sheet_key).column(column_key)  # type: ignore[union-attr]
        shown = row[column_key] if value is ... else value
        if isinstance(shown, list):
            shown = ", ".join(shown)
        self.add(self.sheet_name(sheet_key), row.number, column, shown, sv, en)

    # ---------------------------------------------------------------- driver

    def run(self) -> tuple[ParsedWorkbook | None, list[ValidationIssue]]:
        prepared = self.prepared
        cover = prepared.cover
        self.issues.extend(cover.issues)
        if cover.kind is None or cover.code is None:
            self.issues.extend(prepared.sheet_issues)
            return None, self.issues
        self.kind = WORKBOOK_KINDS[cover.kind]
        self.code = cover.code
        self._check_cover_code()
        self.issues.extend(prepared.sheet_issues)
        self.issues.extend(prepared.cell_issues)
        for sheet in self.kind.sheets:
            if not sheet.key_value:
                parsed = prepared.sheets.get(sheet.key)
                keys = [c.key for c in sheet.columns]
                self.parsed[sheet.key] = parsed.rows(keys) if parsed is not None else []
        if self.kind.key == "organisation":
            self._check_organisation()
        else:
            self._check_data()
        if self.issues:
            return None, self.issues
        workbook = ParsedWorkbook(
            prepared.file_name, prepared.sha256, self.kind.key, self.code, self.parsed,
            {k for k in prepared.sheet_names if k != "cover"}, cover.prepared_by,
            cover.prepared_on,
        )  # fmt: skip
        return workbook, []

    def _check_cover_code(self) -> None:
        kind, code = self.kind.key, self.code  # type: ignore[union-attr]
        cover_sheet = self.prepared.sheet_names["cover"]
        row = self.prepared.code_row
        limit = MAX_LENGTH[("cover", "code")]
        if len(code) > limit:  # type: ignore[arg-type]
            self.add(cover_sheet, row, "Kod", code, f"Koden är för lång (högst {limit} tecken).",
                     f"The code is too long (at most {limit} characters).")  # fmt: skip
        if kind == "administration" and code not in self.known.administrations:
            self.add(cover_sheet, row, "Kod", code,
                     f"Förvaltningen {code} finns inte i organisationen. Kontrollera koden, eller "
                     "läs först in organisationsfilen där förvaltningen finns.",
                     f"The administration {code} is not in the organisation. Check the code, or "
                     "load the organisation workbook that lists it first.")  # fmt: skip
        if kind == "object" and code not in self.known.governance_objects:
            self.add(cover_sheet, row, "Kod", code,
                     f"Förvaltningsobjektet {code} finns inte i organisationen. Kontrollera koden, "
                     "eller läs först in organisationsfilen där objektet finns.",
                     f"The governance object {code} is not in the organisation. Check the code, "
                     "or load the organisation workbook that lists it first.")  # fmt: skip

    # ---------------------------------------------------------------- helpers for rules

    def _unique(self, sheet_key: str, column_key: str, what_sv: str, what_en: str) -> set[str]:
        """Flag duplicate codes within the file; the set of codes present."""
        first: dict[str, int] = {}
        for row in self.parsed.get(sheet_key, []):
            code = row[column_key]
            if code is None:
                continue
            if code in first:
                self.add_at(sheet_key, row, column_key,
                            f"{what_sv} {code} finns redan på rad {first[code]}. Varje "
                            f"{what_sv.lower()} får bara förekomma en gång.",
                            f"{what_en} {code} already occurs on row {first[code]}; each must "
                            "be unique.")  # fmt: skip
            else:
                first[code] = row.number
        return set(first)

    def _unique_in_store(self, sheet_key: str, what_sv: str, what_en: str) -> set[str]:
        """Codes unique within the file, in its namespace and not owned by another source; the
        codes present."""
        codes = self._unique(sheet_key, "code", what_sv, what_en)
        self._not_taken(sheet_key, what_sv, what_en)
        return codes

    def _not_taken(self, sheet_key: str, what_sv: str, what_en: str) -> None:
        """Flag codes another source already owns, and codes outside the file's namespace."""
        taken = self.known.taken.get(sheet_key, {})
        mine = source_key(self.kind.key, self.code)  # type: ignore[union-attr, arg-type]
        scope = self.scope
        rows = self.parsed.get(sheet_key, [])
        outside = set() if scope is None else set(scope.codes_outside([r["code"] for r in rows]))
        for row in rows:
            code = row["code"]
            owner = taken.get(code)  # type: ignore[arg-type]
            if owner is not None and owner != mine:
                # Taken already (by a file loaded before namespaces were enforced, or by the
                # source whose namespace it is): say who has it, and where this file may write.
                hint_sv, hint_en = (namespace.allowed_messages(code, scope)  # type: ignore[arg-type]
                                    if code in outside else ("", ""))  # fmt: skip
                self.add_at(
                    sheet_key,
                    row,
                    "code",
                    f"{what_sv} {code} används redan av {describe_source(owner)}. "
                    f"Koden måste vara unik i hela kommunen; välj en annan.{hint_sv}",
                    f"{what_en} {code} is already used by "
                    f"{describe_source(owner)}. Codes must be unique; choose another.{hint_en}",
                )
            elif code in outside:
                self.add_at(sheet_key, row, "code",
                            *namespace.outside_messages(what_sv, what_en, code, scope))  # type: ignore[arg-type]  # fmt: skip

    def _holds_future(self, sheet_key: str, column_key: str) -> bool:
        """Whether any date of the column is after ``latest_allowed``: asked once per column
        before its rows, which call ``_future`` only then (a national delivery holds 1.4 million
        such dates, and all but a few columns none: the calls with the search in Python were
        2.4 s of the loader's profile).

        A parsed date column holds dates or None (``parsing.parse_date``): its latest is found
        in C."""
        values = map(itemgetter(column_key), self.parsed.get(sheet_key, []))
        latest = max(filter(None, values), default=None)
        return latest is not None and latest > self.latest_allowed

    def _future(self, sheet_key: str, row: ParsedRow, column_key: str) -> None:
        value = row[column_key]
        if isinstance(value, dt.date) and value > self.latest_allowed:
            header = self.kind.sheet(sheet_key).column(column_key).header  # type: ignore[union-attr]
            self.add_at(
                sheet_key,
                row,
                column_key,
                f"{header} {value.isoformat()} ligger i framtiden. Ange ett datum som "
                "redan har passerat.",
                f"{header} {value.isoformat()} is in the future; it must have passed.",
            )

    def _unknown(self, sheet_key: str, row: ParsedRow, column_key: str, code: str, what_sv: str,
                 what_en: str, where_sv: str, where_en: str) -> None:  # fmt: skip
        self.add_at(
            sheet_key,
            row,
            column_key,
            f"{what_sv} {code} finns inte {where_sv}. Kontrollera koden.",
            f"{what_en} {code} does not exist {where_en}. Check the code.",
            value=code,
        )

    # ---------------------------------------------------------------- organisation workbook

    def _check_organisation(self) -> None:
        known = self.known
        present = self.prepared.sheet_names.keys()
        here_sv, here_en = "i den här filen", "in this file"

        def codes(sheet_key: str, what_sv: str, what_en: str, fallback: Iterable[str]) -> set[str]:
            if sheet_key not in present:  # an absent optional sheet leaves the store's as is
                return set(fallback)
            return self._unique(sheet_key, "code", what_sv, what_en)

        municipalities = codes(
            "municipalities", "Kommunkoden", "Municipality code", known.municipalities
        )
        administrations = codes(
            "administrations", "Förvaltningskoden", "Administration code", known.administrations
        )
        units = codes("units", "Enhetskoden", "Unit code", known.units)
        providers = codes("providers", "Leverantörskoden", "Provider code", known.providers)
        objects = codes(
            "governance_objects", "Objektkoden", "Object code", known.governance_objects
        )
        self._unique("areas", "code", "Områdeskoden", "Area code")
        self._unique("settings", "key", "Inställningen", "Setting")
        admin_municipality = dict(known.administrations)
        for row in self.parsed["administrations"]:
            if row["code"] and row["municipality"]:
                admin_municipality[row["code"]] = row["municipality"]  # type: ignore[index]
            if row["municipality"] and row["municipality"] not in municipalities:
                self._unknown("administrations", row, "municipality", row["municipality"],
                              "Kommunen", "The municipality", "på bladet Kommuner",
                              "on the sheet Kommuner")  # type: ignore[arg-type]  # fmt: skip
        for row in self.parsed["units"]:
            if row["administration"] and row["administration"] not in administrations:
                self._unknown("units", row, "administration", row["administration"],
                              "Förvaltningen", "The administration", "på bladet Förvaltningar",
                              "on the sheet Förvaltningar")  # type: ignore[arg-type]  # fmt: skip
        for row in self.parsed.get("governance_objects", []):
            if row["provider"] and row["provider"] not in providers:
                self._unknown("governance_objects", row, "provider", row["provider"],
                              "Leverantören", "The provider", "på bladet Leverantörer",
                              "on the sheet Leverantörer")  # type: ignore[arg-type]  # fmt: skip
        self._check_participants(municipalities, administrations, objects, admin_municipality)
        self._check_org_namespaces(municipalities, administrations, objects)
        nodes = municipalities | administrations | units | objects
        for row in self.parsed["roles"]:
            if row["node"] and row["node"] not in nodes:
                self._unknown(
                    "roles",
                    row,
                    "node",
                    row["node"],
                    "Organisationen",
                    "The organisation code",
                    f"{here_sv} (varken kommun, förvaltning, enhet eller förvaltningsobjekt)",
                    here_en,
                )  # type: ignore[arg-type]
        for row in self.parsed.get("settings", []):
            if row["key"] == SETTING_MATRIX_SIZE and row["value"] is not None:
                value = str(row["value"]).strip()
                if not value.isdigit() or not MIN_MATRIX_SIZE <= int(value) <= MAX_MATRIX_SIZE:
                    self.add_at(
                        "settings",
                        row,
                        "value",
                        f"Riskmatrisens storlek ska vara ett heltal "
                        f"{MIN_MATRIX_SIZE}–{MAX_MATRIX_SIZE}, t.ex. 4.",
                        f"The risk matrix size must be a whole number "
                        f"{MIN_MATRIX_SIZE}–{MAX_MATRIX_SIZE}, e.g. 4.",
                    )

    def _check_org_namespaces(self, municipalities: set[str], administrations: set[str],
                              objects: set[str]) -> None:  # fmt: skip
        """Each administration in its municipality's namespace, each unit in its
        administration's, each object under GO-, and no namespace inside another (etl.namespace).

        A parent that is unknown is reported as such already, and not compared with.
        """
        for row in self.parsed["administrations"]:
            code, municipality = row["code"], row["municipality"]
            if code is None or municipality not in municipalities:
                continue
            if not namespace.in_namespace(code, municipality):  # type: ignore[arg-type]
                self.add_at("administrations", row, "code", *namespace.parent_messages(
                    "Förvaltningskoden", "The administration code", code, "kommunen",  # type: ignore[arg-type]
                    "municipality", municipality))  # type: ignore[arg-type]  # fmt: skip
        for row in self.parsed["units"]:
            code, administration = row["code"], row["administration"]
            if code is None or administration not in administrations:
                continue
            if not namespace.in_namespace(code, administration):  # type: ignore[arg-type]
                self.add_at("units", row, "code", *namespace.parent_messages(
                    "Enhetskoden", "The unit code", code, "förvaltningen", "administration",  # type: ignore[arg-type]
                    administration))  # type: ignore[arg-type]  # fmt: skip
        object_rows = self.parsed.get("governance_objects", [])
        reported: set[tuple[str, str]] = set()  # one issue per cell
        for row in object_rows:
            code = row["code"]
            if code and not namespace.in_namespace(code, namespace.OBJECT_ROOT):  # type: ignore[arg-type]
                reported.add(("governance_objects", code))  # type: ignore[arg-type]
                self.add_at("governance_objects", row, "code",
                            *namespace.object_code_messages(code))  # type: ignore[arg-type]  # fmt: skip
        # Administrations and objects own the namespaces data files write in: no two may meet.
        nested = namespace.enclosing([*administrations, *objects])
        for sheet_key, rows in (("administrations", self.parsed["administrations"]),
                                ("governance_objects", object_rows)):  # fmt: skip
            for row in rows:
                code = row["code"]
                if code in nested and (sheet_key, code) not in reported:
                    reported.add((sheet_key, code))  # type: ignore[arg-type]
                    self.add_at(sheet_key, row, "code",
                                *namespace.nested_messages(code, nested[code]))  # type: ignore[arg-type, index]  # fmt: skip

    def _check_participants(self, municipalities: set[str], administrations: set[str],
                            objects: set[str], admin_municipality: dict[str, str]) -> None:  # fmt: skip
        seen: dict[tuple, int] = {}
        for row in self.parsed.get("participants", []):
            obj, mun, adm = row["governance_object"], row["municipality"], row["administration"]
            if obj and obj not in objects:
                self._unknown(
                    "participants",
                    row,
                    "governance_object",
                    obj,
                    "Förvaltningsobjektet",
                    "The governance object",
                    "på bladet Förvaltningsobjekt",
                    "on the sheet Förvaltningsobjekt",
                )  # type: ignore[arg-type]
            if mun and mun not in municipalities:
                self._unknown(
                    "participants",
                    row,
                    "municipality",
                    mun,
                    "Kommunen",
                    "The municipality",
                    "på bladet Kommuner",
                    "on the sheet Kommuner",
                )  # type: ignore[arg-type]
            if adm and adm not in administrations:
                self._unknown(
                    "participants",
                    row,
                    "administration",
                    adm,
                    "Förvaltningen",
                    "The administration",
                    "på bladet Förvaltningar",
                    "on the sheet Förvaltningar",
                )  # type: ignore[arg-type]
            elif adm and mun and admin_municipality.get(adm) != mun:  # type: ignore[call-overload]
                self.add_at(
                    "participants",
                    row,
                    "administration",
                    f"Förvaltningen {adm} hör inte till kommunen {mun}.",
                    f"The administration {adm} does not belong to municipality {mun}.",
                )
            key = (obj, mun, adm)
            if obj and mun and key in seen:
                self.add_at(
                    "participants",
                    row,
                    "governance_object",
                    f"Samma deltagare finns redan på rad {seen[key]}.",
                    f"The same participant already occurs on row {seen[key]}.",
                )
            seen.setdefault(key, row.number)

    # ---------------------------------------------------------------- administration / object

    def _check_data(self) -> None:
        known, kind = self.known, self.kind.key  # type: ignore[union-attr]
        # A file whose own code is unknown is refused on the cover already: with no scope to
        # compare with, every row would seem foreign.
        if self.code in (known.administrations if kind == "administration"
                         else known.governance_objects):  # fmt: skip
            self.scope = namespace.write_scope(kind, self.code, known.administrations,  # type: ignore[arg-type]
                                               known.participants, known.object_providers)  # fmt: skip
        assets = self._check_assets()
        self._check_classifications(assets)
        analyses = self._check_risk_analyses(assets)
        risks = self._unique_in_store("risks", "Risk-ID", "Risk id")
        for row in self.parsed["risks"]:
            if row["analysis"] and row["analysis"] not in analyses:
                self._unknown(
                    "risks",
                    row,
                    "analysis",
                    row["analysis"],
                    "Analys-ID",
                    "Analysis id",
                    "på bladet Riskanalyser i den här filen",
                    "on the sheet Riskanalyser of this file",
                )  # type: ignore[arg-type]
        self._check_gap_analysis()
        self._check_actions(risks)
        if "follow_ups" in self.parsed:
            self._check_follow_ups()

    def _unit_known(self, sheet_key: str, row: ParsedRow, column_key: str, code: str) -> bool:
        if code in self.known.units:
            return True
        self._unknown(
            sheet_key,
            row,
            column_key,
            code,
            "Enheten",
            "The unit",
            "i organisationen (bladet Enheter i organisationsfilen)",
            "in the organisation (sheet Enheter of the organisation workbook)",
        )
        return False

    def _owner_in_scope(self, sheet_key: str, row: ParsedRow, column_key: str, unit: str,
                        what_sv: str, what_en: str) -> None:  # fmt: skip
        """Flag a known owner unit outside the file's municipalities (etl.namespace).

        ``what_sv``/``what_en``: what it would own, plural ("åtgärder"/"actions").
        """
        scope = self.scope
        administration = self.known.units[unit]
        municipality = self.known.administrations.get(administration)
        if scope is None or scope.may_own(municipality):
            self.own_units.add(unit)
            return
        self.add_at(sheet_key, row, column_key,
                    *namespace.foreign_unit_messages(what_sv, what_en, unit, administration,
                                                     municipality or "?", scope,
                                                     provider_may_own=sheet_key == "actions"),
                    value=unit)  # fmt: skip

    def _joined(self, obj: str) -> bool:
        """Whether the file's municipality takes part in the object ``obj``."""
        scope = self.scope
        return scope is None or bool(scope.municipalities & self.known.participants.get(obj, set()))

    def _provider_in_scope(self, provider: str) -> bool:
        """Whether ``provider`` may own an action of this file (an object's: its own provider)."""
        scope = self.scope
        return scope is None or scope.kind != "object" or scope.may_own_as_provider(provider)

    def _check_assets(self) -> dict[str, list[str]]:
        """Asset code -> owner unit codes."""
        self._unique_in_store("assets", "Tillgångs-ID", "Asset id")
        owners_by_asset: dict[str, list[str]] = {}
        is_admin = self.kind.key == "administration"  # type: ignore[union-attr]
        for row in self.parsed["assets"]:
            owners: list[str] = row["owners"] or []  # type: ignore[assignment]
            if row["code"]:
                owners_by_asset.setdefault(row["code"], owners)  # type: ignore[arg-type]
            for index, unit in enumerate(owners):
                if not self._unit_known("assets", row, "owners", unit):
                    continue
                if index == 0 and is_admin and self.known.units[unit] != self.code:
                    self.add_at("assets", row, "owners",
                                f"Ansvarig ägare (första enheten) {unit} hör till förvaltningen "
                                f"{self.known.units[unit]}, inte {self.code}. Sätt en egen "
                                "enhet först, eller för tillgången i den andra förvaltningens fil.",
                                f"The primary owner (first unit) {unit} belongs to administration "
                                f"{self.known.units[unit]}, not {self.code}. Put one of your own "
                                "units first, or keep the asset in the other administration's "
                                "file.", value=unit)  # fmt: skip
                else:
                    if unit not in self.own_units:
                        self._owner_in_scope("assets", row, "owners", unit, "tillgångar",
                                             "assets")  # fmt: skip
            obj = row["governance_object"]
            if obj and obj not in self.known.governance_objects:
                self._unknown(
                    "assets",
                    row,
                    "governance_object",
                    obj,
                    "Förvaltningsobjektet",
                    "The governance object",
                    "i organisationen",
                    "in the organisation",
                )  # type: ignore[arg-type]
            elif obj and is_admin and not self._joined(obj):  # type: ignore[arg-type]
                self.add_at("assets", row, "governance_object",
                            *namespace.object_not_joined_messages(obj, self.scope))  # type: ignore[arg-type]  # fmt: skip
            elif obj and not is_admin and obj != self.code:
                self.add_at(
                    "assets",
                    row,
                    "governance_object",
                    f"Filen gäller förvaltningsobjektet {self.code}, men tillgången anger "
                    f"{obj}. Lämna kolumnen tom eller skriv {self.code}.",
                    f"The file is for governance object {self.code} but the asset names "
                    f"{obj}. Leave it blank or write {self.code}.",
                )
        return owners_by_asset

    def _asset_in_file(self, sheet_key: str, row: ParsedRow,
                       owners_by_asset: dict[str, list[str]]) -> None:  # fmt: skip
        """Classifications and risk analyses name an asset of this file's Tillgångar sheet."""
        asset = row["asset"]
        if asset and asset not in owners_by_asset:
            self._unknown(sheet_key, row, "asset", asset, "Tillgången", "The asset",  # type: ignore[arg-type]
                          "på bladet Tillgångar i den här filen",
                          "on the sheet Tillgångar of this file")  # fmt: skip

    def _check_classifications(self, owners_by_asset: dict[str, list[str]]) -> None:
        seen: dict[tuple, int] = {}
        late = self._holds_future("classifications", "classified_on")
        for row in self.parsed.get("classifications", []):
            asset = row["asset"]
            self._asset_in_file("classifications", row, owners_by_asset)
            classified, review = row["classified_on"], row["next_review_on"]
            if classified and review and review < classified:  # type: ignore[operator]
                self.add_at(
                    "classifications",
                    row,
                    "next_review_on",
                    f"Nästa översyn ({review}) ligger före klassningsdatumet "
                    f"({classified}). Rätta något av datumen.",
                    f"The next review ({review}) is before the classification date "
                    f"({classified}). Correct one of the dates.",
                )
            if late:
                self._future("classifications", row, "classified_on")
            owners = owners_by_asset.get(asset, [])  # type: ignore[arg-type]
            for unit in row["participants"] or []:  # type: ignore[attr-defined]
                if not self._unit_known("classifications", row, "participants", unit):
                    continue
                if asset in owners_by_asset and unit not in owners:
                    self.add_at("classifications", row, "participants",
                                f"Enheten {unit} deltog enligt filen men äger inte tillgången "
                                f"{asset} (ägare: {', '.join(owners)}). Bara ägare kan delta; "
                                "rätta deltagarna eller ägarna på bladet Tillgångar.",
                                f"The unit {unit} took part but does not own the asset {asset} "
                                f"(owners: {', '.join(owners)}). Only owners take part.",
                                value=unit)  # fmt: skip
            key = (asset, classified)
            if asset and classified and key in seen:
                self.add_at(
                    "classifications",
                    row,
                    "classified_on",
                    f"Tillgången {asset} har redan en klassning med samma datum (rad {seen[key]}).",
                    f"The asset {asset} already has a classification on the same date "
                    f"(row {seen[key]}).",
                )
            seen.setdefault(key, row.number)

    def _check_risk_analyses(self, owners_by_asset: dict[str, list[str]]) -> set[str]:
        analyses = self._unique_in_store("risk_analyses", "Analys-ID", "Analysis id")
        late = self._holds_future("risk_analyses", "analysed_on")
        for row in self.parsed["risk_analyses"]:
            asset = row["asset"]
            self._asset_in_file("risk_analyses", row, owners_by_asset)
            if asset is None and self.kind.key == "administration":  # type: ignore[union-attr]
                self.add_at("risk_analyses", row, "asset",
                            "Tillgångs-ID saknas. I en förvaltnings fil gäller en riskanalys en "
                            "tillgång; analyser av ett helt förvaltningsobjekt hör till objektets "
                            "fil.",
                            "The asset id is missing. In an administration's workbook a risk "
                            "analysis concerns an asset; whole-object analyses belong in the "
                            "object's workbook.")  # fmt: skip
            if late:
                self._future("risk_analyses", row, "analysed_on")
        return analyses

    def _check_gap_analysis(self) -> None:
        seen: dict[tuple, int] = {}
        late = self._holds_future("gap_analysis", "assessed_on")
        for row in self.parsed.get("gap_analysis", []):
            area = row["area"]
            code = self.known.area_code(area) if area else None  # type: ignore[arg-type]
            if area and code is None:
                self._unknown(
                    "gap_analysis",
                    row,
                    "area",
                    area,
                    "Området",
                    "The area",
                    "i områdeskatalogen (bladet Områden i organisationsfilen)",
                    "in the area catalogue",
                )  # type: ignore[arg-type]
            if late:
                self._future("gap_analysis", row, "assessed_on")
            key = (row["assessed_on"], code)
            if code and row["assessed_on"] and key in seen:
                self.add_at(
                    "gap_analysis",
                    row,
                    "area",
                    f"Området har redan en bedömning med samma datum (rad {seen[key]}).",
                    f"The area already has an assessment on that date (row {seen[key]}).",
                )
            seen.setdefault(key, row.number)
            row["area_code"] = code

    def _check_actions(self, risks: set[str]) -> None:
        self._unique_in_store("actions", "Åtgärds-ID", "Action id")
        late = self._holds_future("actions", "completed_on")
        for row in self.parsed.get("actions", []):
            risk, area = row["risk"], row["area"]
            if risk is None and area is None:
                self.add_at(
                    "actions",
                    row,
                    "risk",
                    "Åtgärden saknar både Risk-ID och Område. Ange risken eller "
                    "nulägesanalysens område som åtgärden kommer från.",
                    "The action has neither a risk id nor an area. Give the risk or the "
                    "gap-analysis area it comes from.",
                )
            if risk and risk not in risks:
                self._unknown(
                    "actions",
                    row,
                    "risk",
                    risk,
                    "Risken",
                    "The risk",
                    "på bladet Risker i den här filen",
                    "on the sheet Risker of this file",
                )  # type: ignore[arg-type]
            row["area_code"] = self.known.area_code(area) if area else None  # type: ignore[arg-type]
            if area and row["area_code"] is None:
                self._unknown(
                    "actions",
                    row,
                    "area",
                    area,
                    "Området",
                    "The area",
                    "i områdeskatalogen",
                    "in the area catalogue",
                )  # type: ignore[arg-type]
            unit, provider = row["owner_unit"], row["provider"]
            if unit is None and provider is None:
                self.add_at(
                    "actions",
                    row,
                    "owner_unit",
                    "Åtgärden saknar ägare. Ange Ägande enhet, eller Leverantör för "
                    "åtgärder i ett gemensamt förvaltningsobjekt.",
                    "The action has no owner. Give the owner unit, or the provider for "
                    "actions of a shared governance object.",
                )
            # A unit found in the scope before is known: most rows skip both lookups.
            if (unit and unit not in self.own_units
                    and self._unit_known("actions", row, "owner_unit", unit)):  # type: ignore[arg-type]  # fmt: skip
                self._owner_in_scope("actions", row, "owner_unit", unit, "åtgärder", "actions")  # type: ignore[arg-type]
            if provider and provider not in self.known.providers:
                self._unknown(
                    "actions",
                    row,
                    "provider",
                    provider,
                    "Leverantören",
                    "The provider",
                    "i organisationen",
                    "in the organisation",
                )  # type: ignore[arg-type]
            elif provider and not self._provider_in_scope(provider):  # type: ignore[arg-type]
                self.add_at("actions", row, "provider",
                            *namespace.foreign_provider_messages(provider, self.scope))  # type: ignore[arg-type]  # fmt: skip
            status, completed = row["status"], row["completed_on"]
            if status == "done" and completed is None:
                self.add_at(
                    "actions",
                    row,
                    "completed_on",
                    "Status är Klar men Klardatum saknas. Fyll i när åtgärden blev klar.",
                    "The status is Klar (done) but the completion date is missing.",
                )
            if completed is not None and status is not None and status != "done":
                label = vocab.ACTION_STATUSES[status]  # type: ignore[index]
                self.add_at(
                    "actions",
                    row,
                    "completed_on",
                    f"Klardatum är ifyllt men status är {label}. Sätt status Klar, eller "
                    "töm Klardatum.",
                    f"A completion date is given but the status is {label}. Set the "
                    "status to Klar or clear the date.",
                )
            if late:
                self._future("actions", row, "completed_on")

    def _check_follow_ups(self) -> None:
        seen: dict[tuple, int] = {}
        taken = self.known.taken.get("follow_ups", {})
        mine = source_key(self.kind.key, self.code)  # type: ignore[union-attr, arg-type]
        late = [key for key in ("submitted_on", "last_access_review_on")
                if self._holds_future("follow_ups", key)]  # fmt: skip
        for row in self.parsed["follow_ups"]:
            unit, period = row["unit"], row["period"]
            if unit and self._unit_known("follow_ups", row, "unit", unit):  # type: ignore[arg-type]
                if self.known.units[unit] != self.code:  # type: ignore[index]
                    self.add_at(
                        "follow_ups",
                        row,
                        "unit",
                        f"Enheten {unit} hör till förvaltningen {self.known.units[unit]}"  # type: ignore[index]
                        f", inte {self.code}. Rapportera den i sin egen förvaltnings fil.",
                        f"The unit {unit} belongs to administration "
                        f"{self.known.units[unit]}, not {self.code}.",
                    )  # type: ignore[index]
                owner = taken.get(f"{unit}|{period}")
                if owner is not None and owner != mine:
                    self.add_at(
                        "follow_ups",
                        row,
                        "period",
                        f"Uppföljningen för {unit} {period} finns redan i "
                        f"{describe_source(owner)}.",
                        f"The follow-up of {unit} for {period} already exists in "
                        f"{describe_source(owner)}.",
                    )
            key = (unit, period)
            if unit and period and key in seen:
                self.add_at(
                    "follow_ups",
                    row,
                    "period",
                    f"Enheten {unit} har redan en uppföljning för {period} (rad {seen[key]}).",
                    f"The unit {unit} already has a follow-up for {period} (row {seen[key]}).",
                )
            seen.setdefault(key, row.number)
            for key in late:
                self._future("follow_ups", row, key)


def count_rows(workbook: ParsedWorkbook) -> dict[str, int]:
    """Rows per sheet key of a parsed workbook (the counts a load reports)."""
    return dict(Counter({key: len(rows) for key, rows in workbook.sheets.items() if rows}))


__all__ = [
    "Cover",
    "KnownCodes",
    "ParsedRow",
    "ParsedWorkbook",
    "count_rows",
    "describe_source",
    "load_known_codes",
    "load_org_codes",
    "load_taken",
    "lookup_taken",
    "prepare",
    "check",
    "PreparedWorkbook",
    "read_cover",
    "source_key",
    "validate",
]
