"""Template layouts, loaded from data: which tables a template has, their rows in printed order,
each row's columns, which rows a document may leave out, and how the tables are headed and closed.

The data: ``table_layouts.csv`` (rows), ``indicator_catalog.csv`` (labels, aliases, parents, units),
``column_catalog.csv`` (columns) and ``templates.toml`` (recognition, headers, captions, footers,
units). They are checked against each other when loaded: a row or column the catalogs do not
know, a template without a table, or a valued catalog row that no layout prints is an error at
load, not a silent gap. Readers, the run-together splitter, the rules and the views take widths,
labels and row sequences from here.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from transforms.catalog import (
    CatalogEntry,
    ColumnEntry,
    label_matcher,
    load_catalog,
    load_column_catalog,
    table_columns,
)

LAYOUTS_FILE = "table_layouts.csv"
TEMPLATES_FILE = "templates.toml"
LAYOUT_COLUMNS = ["template", "table_id", "layout", "row_code", "columns", "presence"]
STANDARD = ""  # the layout every report of the template prints unless its rows say otherwise
REQUIRED, OPTIONAL = "required", "optional"


@cache
def _settings() -> dict:
    with resources.files("transforms").joinpath(TEMPLATES_FILE).open("rb") as handle:
        return tomllib.load(handle)


def _units(kind: str) -> frozenset[str]:
    return frozenset(_settings()["units"][kind])


AMOUNT_UNITS = _units("amounts")  # may be decimal
UNITS = _units("counts") | AMOUNT_UNITS | _units("other")
SECTION_UNITS = _units("section")  # printed in a section row's unit column
TEMPLATES: tuple[str, ...] = tuple(_settings()["templates"])
POST_2019 = _settings()["post_2019"]


@dataclass(frozen=True)
class RowLayout:
    entry: CatalogEntry
    columns: tuple[ColumnEntry, ...]
    required: bool  # a document that does not print it has the row ``missing``

    @property
    def code(self) -> str:
        return self.entry.code


@dataclass(frozen=True)
class TableLayout:
    table_id: str
    columns: tuple[ColumnEntry, ...]  # every column of the table, in printed order
    variants: dict[str, tuple[RowLayout, ...]]  # layout name → rows in printed order

    @property
    def rows(self) -> tuple[RowLayout, ...]:
        return self.variants[STANDARD]

    @property
    def width(self) -> int:
        return len(self.columns)

    def codes(self, variant: str = STANDARD) -> list[str]:
        return [row.code for row in self.variants[variant]]

    def row(self, code: str) -> RowLayout:
        for rows in self.variants.values():
            for row in rows:
                if row.code == code:
                    return row
        raise KeyError(f"{self.table_id}: no row {code}")


@dataclass(frozen=True)
class TemplateLayout:
    template: str
    family: str  # pre_2019 or post_2019
    tables: dict[str, TableLayout]
    label_header: tuple[str, ...] = ()
    unit_header: tuple[str, ...] = ()
    caption: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()
    last_section: str = ""
    markers: tuple[str, ...] = ()
    weak_markers: tuple[str, ...] = ()
    years: tuple[int, int] = (1900, 2099)  # the report years the template can belong to

    @property
    def table(self) -> TableLayout:
        """The template's only table (pre-2019 templates have one)."""
        (only,) = self.tables.values()
        return only

    def table_of(self, code: str) -> str:
        for table in self.tables.values():
            if any(row.code == code for rows in table.variants.values() for row in rows):
                return table.table_id
        raise KeyError(f"{self.template}: no row {code}")

    def has_cell(self, code: str, column: str) -> bool:
        for table in self.tables.values():
            for rows in table.variants.values():
                if any(row.code == code and any(c.code == column for c in row.columns) for row in rows):
                    return True
        return False


@cache
def column_heading_pattern(column: ColumnEntry) -> re.Pattern[str]:
    """The column's label or aliases as printed in a header (spacing ignored; {year} any year).
    Cached: it is asked for every cell of every row that might be a header."""
    names = sorted({column.label_zh, *column.aliases}, key=len, reverse=True)
    parts = [re.escape(name).replace(re.escape("{year}"), r"(?:19|20)\d{2}") for name in names]
    return re.compile("(?:" + "|".join(parts) + ")")


@cache
def load_layouts() -> pd.DataFrame:
    with resources.files("transforms").joinpath(LAYOUTS_FILE).open(encoding="utf-8") as handle:
        layouts = pd.read_csv(handle, dtype=str, keep_default_na=False)
    if list(layouts.columns) != LAYOUT_COLUMNS:
        raise ValueError(f"{LAYOUTS_FILE}: columns {list(layouts.columns)} != {LAYOUT_COLUMNS}")
    return layouts


@cache
def template_layout(template: str) -> TemplateLayout:
    """Everything the readers know about one template, checked against the catalogs."""
    settings = _settings()["templates"].get(template)
    if settings is None:
        raise ValueError(f"{TEMPLATES_FILE}: unknown template {template!r}")
    named = {t for templates in load_column_catalog()["templates"] for t in templates.split("|")}
    if named - set(TEMPLATES):
        raise ValueError(f"column_catalog.csv: unknown templates {sorted(named - set(TEMPLATES))}")
    layouts = load_layouts()
    rows = layouts[layouts["template"] == template]
    if rows.empty:
        raise ValueError(f"{LAYOUTS_FILE}: template {template!r} has no table")
    entries = label_matcher(template).entries
    tables: dict[str, TableLayout] = {}
    for table_id, table_rows in rows.groupby("table_id", sort=False):
        columns = table_columns(template, table_id)
        if not columns:
            raise ValueError(f"column_catalog.csv: table {table_id} of {template} has no columns")
        variants: dict[str, list[RowLayout]] = {}
        for r in table_rows.itertuples(index=False):
            where = f"{LAYOUTS_FILE}: {template} {table_id} {r.row_code}"
            entry = entries.get(r.row_code)
            if entry is None or entry.table_id != table_id:
                raise ValueError(f"{where}: not a catalog row of this template's table")
            unknown = [c for c in filter(None, r.columns.split("|")) if c not in columns]
            if unknown:
                raise ValueError(f"{where}: unknown columns {unknown}")
            if r.presence not in (REQUIRED, OPTIONAL):
                raise ValueError(f"{where}: presence must be {REQUIRED} or {OPTIONAL}, not {r.presence!r}")
            row_columns = tuple(columns[c] for c in r.columns.split("|")) if r.columns else tuple(columns.values())
            variants.setdefault(r.layout, []).append(RowLayout(entry, row_columns, r.presence == REQUIRED))
        if STANDARD not in variants:
            raise ValueError(f"{LAYOUTS_FILE}: {template} {table_id} has no standard layout")
        tables[table_id] = TableLayout(
            table_id, tuple(columns.values()), {name: tuple(rs) for name, rs in variants.items()}
        )
    printed = {row.code for table in tables.values() for rs in table.variants.values() for row in rs}
    catalog = load_catalog()
    valued = catalog[catalog["template"].str.split("|").map(lambda ts: template in ts)]
    valued = valued[valued["value_kind"] != "section"]
    unprinted = sorted(set(valued["code"]) - printed)
    if unprinted:
        raise ValueError(f"{LAYOUTS_FILE}: {template}: catalog rows no layout prints: {unprinted}")
    return TemplateLayout(
        template=template,
        family=settings["family"],
        tables=tables,
        **{key: tuple(settings.get(key, ())) for key in ("label_header", "unit_header", "caption", "footer")},
        last_section=settings.get("last_section", ""),
        markers=tuple(settings.get("markers", ())),
        weak_markers=tuple(settings.get("weak_markers", ())),
        years=_years(template, settings.get("years")),
    )


def _years(template: str, years) -> tuple[int, int]:
    if not (isinstance(years, list) and len(years) == 2 and all(isinstance(y, int) for y in years)):
        raise ValueError(f"{TEMPLATES_FILE}: {template}: years must be [first, last], not {years!r}")
    first, last = years
    if first > last:
        raise ValueError(f"{TEMPLATES_FILE}: {template}: years {first}–{last} run backwards")
    return first, last


def all_layouts() -> list[TemplateLayout]:
    return [template_layout(template) for template in TEMPLATES]
