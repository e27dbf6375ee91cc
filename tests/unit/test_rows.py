"""The typed rows have exactly their tables' columns: a field added to one and not the other fails here."""

import pytest

from transforms.cell_records import CELL_FIELDS, REPORT_FIELDS
from transforms.rows import SAME_REPORT_KEY, FactRow, QuarantineRow, ReportRow, quarantine_row
from transforms.schemas import INDICATORS, NARRATIVE_FACTS, QUARANTINE, REPORTS


@pytest.mark.parametrize(
    ("row_type", "schema"), [(ReportRow, REPORTS), (FactRow, NARRATIVE_FACTS), (QuarantineRow, QUARANTINE)]
)
def test_fields_are_the_schemas_columns(row_type, schema):
    assert row_type.field_names() == schema.column_names


def test_cells_with_their_report_fields_are_the_indicators_columns():
    assert sorted([*CELL_FIELDS, *REPORT_FIELDS]) == sorted(INDICATORS.column_names)


def test_the_same_report_key_is_made_of_report_columns():
    assert set(SAME_REPORT_KEY) <= set(REPORTS.column_names)


def test_one_quarantine_builder_for_read_and_unread_files():
    read = quarantine_row("a.txt", "decode", "empty file", b"")
    assert (read.source_sha256[:8], read.size_bytes, read.duplicate_of) == ("e3b0c442", 0, None)
    unread = quarantine_row("big.txt", "limit", "file too large", sha256="ab" * 32, size=10**9)
    assert (unread.source_sha256, unread.size_bytes) == ("ab" * 32, 10**9)
    with pytest.raises(KeyError, match="no field 'stag'"):
        read.update(stag="joined")  # a misspelt field fails where the row is built
