"""One table cell as read from a report: a declared type, built in one function.

The interpreters of every template produce :class:`CellRecord`; :func:`parse_report` adds the
report's own fields (id, year, agency, template, file) when it turns them into rows of the
``indicators`` table. A field missing or misspelt here fails the unit tests that compare these
fields with the table's schema, not the Parquet write.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from operator import attrgetter

from transforms.catalog import CatalogEntry, ColumnEntry
from transforms.cell_values import NUMBER_STATUSES, parse_cell_value
from transforms.document_rows import Row
from transforms.labels import clean_label
from transforms.vocabulary import CATALOG_STATUSES, DUPLICATE, MATCHED, MATCHED_BY_POSITION, UNMAPPED  # noqa: F401

# The report-level columns of ``indicators``, filled in by parse_report.
REPORT_FIELDS = ("report_id", "report_year", "agency", "template", "source_file")


@dataclass(slots=True)
class CellRecord:
    table_id: str
    indicator_code: str
    catalog_status: str
    row_label: str
    row_path: str
    column_code: str
    column_label: str
    unit: str
    value: float | None
    value_raw: str
    value_status: str
    value_note: str
    row_order: int
    source_page: int | None
    source_line: int | None

    def as_row(self, **report_fields) -> dict:
        """The record as a row of ``indicators`` (dataclasses.asdict deep-copies: 80 µs a cell)."""
        row = dict(zip(CELL_FIELDS, cell_values(self), strict=True))
        row.update(report_fields)
        return row


CELL_FIELDS = tuple(f.name for f in fields(CellRecord))
cell_values = attrgetter(*CELL_FIELDS)  # a record's fields as a tuple, in CELL_FIELDS order


@dataclass(frozen=True)
class RowIdentity:
    """Which row a cell belongs to: a catalog row, or a row the catalog does not know."""

    table_id: str
    code: str
    path: str
    unit: str = ""

    @staticmethod
    @lru_cache(maxsize=1024)  # one per catalog row
    def of(entry: CatalogEntry) -> RowIdentity:
        return RowIdentity(entry.table_id, entry.code, entry.label_path, entry.unit)


def cell_record(
    row: RowIdentity,
    column: ColumnEntry | None,
    raw: str,
    source: Row | None,
    label: str,
    catalog_status: str = MATCHED,
    *,
    status: str | None = None,
    note: str = "",
    unit: str | None = None,
    cell_index: int | None = None,
    row_order: int = 0,
) -> CellRecord:
    """The record of one cell printed as ``raw``. ``status`` overrides what the text reads as: an
    ambiguous or missing cell has no value whatever it shows; an inferred one keeps its number."""
    cell = parse_cell_value(raw)
    line = source.line if source else None
    if source is not None and cell_index is not None and cell_index < len(source.lines) and raw.strip():
        line = source.lines[cell_index]  # a printed cell's own line; a blank one points at its row
    return CellRecord(
        table_id=row.table_id,
        indicator_code=row.code,
        catalog_status=catalog_status,
        row_label=clean_label(label),
        row_path=row.path,
        column_code=column.code if column else "",
        column_label=column.label_zh if column and column.code else "",  # one-value tables name none
        unit=unit if unit is not None else ((column.unit if column else "") or row.unit),
        value=cell.value if status is None or status in NUMBER_STATUSES else None,
        value_raw=raw,
        value_status=status or cell.status,
        value_note=note or cell.note,
        row_order=row_order,
        source_page=source.page if source else None,
        source_line=line,
    )
