"""Map a parsed table's rows onto catalog codes and emit one long row per cell."""

from __future__ import annotations

from transforms.catalog import label_matcher
from transforms.cell_values import NOT_APPLICABLE, parse_cell_value
from transforms.labels import clean_label, normalize_label, numbering_level
from transforms.stat_table import SECTION_UNITS, StatTable

MATCHED = "matched"
MATCHED_BY_POSITION = "matched_by_position"  # label lost in the document; row placed by its order
UNMAPPED = "unmapped"
DUPLICATE = "duplicate"
CATALOG_STATUSES = (MATCHED, MATCHED_BY_POSITION, UNMAPPED, DUPLICATE)


def stat_table_records(table: StatTable, template: str) -> list[dict]:
    """Long rows (without report-level columns) for a pre-2019 统计表.

    Rows the catalog does not know are kept with an ``unmapped:`` code and flagged.
    """
    matcher = label_matcher(template)
    section_code: str | None = None
    section_path = ""
    used_codes: set[str] = set()
    records: list[dict] = []
    for position, row in enumerate(table.rows, start=1):
        entry = matcher.match(row.label, section_code)
        if numbering_level(row.label) == 1 or (entry is not None and not entry.parent_code):
            section_code = entry.code if entry else None
            section_path = entry.label_zh if entry else clean_label(row.label)
        if entry is not None and entry.code in used_codes:
            status, code, path = DUPLICATE, f"duplicate:{entry.code}#{position}", entry.label_path
        elif entry is not None:
            status, code, path = MATCHED, entry.code, entry.label_path
            used_codes.add(entry.code)
        else:
            own = clean_label(row.label)
            path = own if numbering_level(row.label) == 1 or not section_path else f"{section_path}/{own}"
            status, code = UNMAPPED, f"unmapped:{section_code or '-'}:{normalize_label(row.label)}#{position}"
        cell = parse_cell_value(row.value)
        is_section = row.unit in SECTION_UNITS
        # A section row (unit ——) with an empty cell has no value by design, not a missing one.
        value_status = NOT_APPLICABLE if is_section and not row.value.strip() else cell.status
        records.append(
            {
                "table_id": "stat",
                "indicator_code": code,
                "catalog_status": status,
                "row_label": clean_label(row.label),
                "row_path": path,
                "column_code": "",
                "column_label": "",
                "unit": "" if is_section else row.unit,
                "value": cell.value,
                "value_raw": row.value,
                "value_status": value_status,
                "value_note": cell.note,
                "row_order": position,
                "source_line": row.value_line if row.value.strip() else row.label_line,
                "source_page": None,
            }
        )
    return records
