"""The rows a parse produces besides its cells, as declared types: a report, a fact the text
states, a quarantined file. Each has exactly its table's columns (a unit test compares them with
``transforms/schemas.py``), so a misspelt field fails where the row is built, not as a silent NaN
column of a DataFrame. :class:`~transforms.cell_records.CellRecord` is the cell's.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, fields
from datetime import date
from operator import attrgetter

# Two documents of one body, year and template are the same report when their tables agree: the
# one key both the batch's and the dataset's duplicate search group by.
SAME_REPORT_KEY = ("agency_id", "report_year", "template")


class _Row:
    """Shared by the row types: field access by name, as a tuple in column order."""

    def __getitem__(self, name: str):
        return getattr(self, name)

    def __setitem__(self, name: str, value) -> None:
        setattr(self, name, value)

    def update(self, **values) -> None:
        for name, value in values.items():
            if name not in self.field_names():
                raise KeyError(f"{type(self).__name__} has no field {name!r}")
            setattr(self, name, value)

    def values(self) -> tuple:
        """The fields in column order (shallow: ``astuple`` deep-copied every value of every row)."""
        return _getter(type(self))(self)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@functools.cache
def _getter(row_type: type) -> attrgetter:
    return attrgetter(*row_type.field_names())


@dataclass(slots=True)
class ReportRow(_Row):
    """A row of ``reports``."""

    report_id: str
    report_year: int
    agency: str
    agency_as_written: str
    agency_id: str
    agency_level: str
    division_code: str
    agency_placement: str
    title: str
    publication_date: date | None
    year_source: str
    agency_source: str
    source_url: str
    other_sources: str
    template: str
    table_title: str
    table_filled_on: date | None
    table_rows: int
    cells_with_value: int
    cells_without_value: int
    unmapped_rows: int
    layout_notes: str
    source_file: str
    source_sha256: str
    encoding: str
    size_bytes: int


@dataclass(slots=True)
class FactRow(_Row):
    """A row of ``narrative_facts``."""

    report_id: str
    fact_order: int
    fact_code: str
    value: float
    unit: str
    sentence: str
    source_line: int


@dataclass(slots=True)
class QuarantineRow(_Row):
    """A row of ``quarantine``."""

    source_file: str
    stage: str
    reason: str
    duplicate_of: str | None
    source_sha256: str
    size_bytes: int


def quarantine_row(
    source_file: str,
    stage: str,
    reason: str,
    data: bytes = b"",
    *,
    sha256: str | None = None,
    size: int | None = None,
    duplicate_of: str | None = None,
) -> QuarantineRow:
    """The one builder of quarantine rows: of a file (or page) whose bytes are ``data``, or, for one
    that was not read into memory, with its ``sha256`` and ``size`` given."""
    return QuarantineRow(
        source_file=source_file,
        stage=stage,
        reason=reason,
        duplicate_of=duplicate_of,
        source_sha256=sha256 if sha256 is not None else hashlib.sha256(data).hexdigest(),
        size_bytes=size if size is not None else len(data),
    )
