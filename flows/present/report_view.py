"""A report as people read it: its tables as printed, each cell's status marker, the cells a failed
rule or a text ↔ table disagreement names. One view model for ``xxgk check``, the workbook and
the audit site, built from rows of ``indicators`` and ``rule_results``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pandas as pd

from transforms.catalog import table_columns
from transforms.concepts import concept_cells
from transforms.vocabulary import (
    AMBIGUOUS,
    BLANK,
    INFERRED,
    MISSING,
    NOT_APPLICABLE,
    OCR,
    OCR_UNVERIFIED,
    OK,
    OK_WITH_NOTE,
    PLACEHOLDER,
    UNPARSED,
)

# Marker after a cell's printed text; a plain number (ok) and a section row (not_applicable) have none.
MARKERS = {
    OK: "",
    NOT_APPLICABLE: "",
    OK_WITH_NOTE: "n",
    BLANK: "b",
    PLACEHOLDER: "p",
    INFERRED: "i",
    AMBIGUOUS: "a",
    MISSING: "m",
    UNPARSED: "u",
    OCR: "o",
    OCR_UNVERIFIED: "v",
}


LEGEND = {
    "n": "number with a note",
    "b": "blank",
    "p": "placeholder (—, /, 无)",
    "i": "inferred (cut out of run-together digits, or one OCR digit the arithmetic corrects)",
    "a": "ambiguous (printed, cell unknown)",
    "m": "missing (not in the document)",
    "u": "unparsed",
    "o": "read by OCR, confirmed by the arithmetic or the text",
    "v": "read by OCR, unverified: no value",
}


_OFFENDING = re.compile(r"([^\s,:/=]+)(?:/([^\s,:/=]+))?=")  # "A3.1=1.5" or "row/column=-2" in a detail


_TEXT_ONLY = re.compile(r"\((\w+), text\)")  # a part only the text names, in a P1t detail


def number(value) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def integer(value) -> int | None:
    return None if is_missing(value) else int(value)


def cell_view(row) -> dict:
    return {
        "table_id": row.table_id,
        "row_code": row.indicator_code,
        "row_label": row.row_label,
        "column_code": row.column_code,
        "column_label": row.column_label,
        "value": number(row.value),
        "raw": row.value_raw,
        "status": row.value_status,
        "note": row.value_note,
        "line": integer(row.source_line),
        "page": integer(row.source_page),
    }


def report_tables(indicators: pd.DataFrame, template: str) -> list[dict]:
    return tables_as_printed(list(indicators.itertuples(index=False)), template)


def tables_as_printed(cells: list, template: str, views: dict | None = None) -> list[dict]:
    """Each table as printed, from a report's cells (rows of ``indicators``, as named tuples), in
    the order the tables first appear: rows by row_order, columns in the template's order (then
    any other). Grouped in Python, not by pandas: a groupby per row cost the audit site 0.15 s a
    report. ``views``: the cells' :func:`cell_view` by (table_id, indicator_code, column_code),
    when the caller has them."""
    by_table: dict[str, list] = {}
    for cell in cells:
        by_table.setdefault(cell.table_id, []).append(cell)
    tables = []
    for table_id, table_cells in by_table.items():
        labels = {c.column_code: c.column_label for c in table_cells}
        printed = printed_columns(template, table_id, labels)
        order = [code for code, _ in printed]
        columns = [{"code": code, "label": label} for code, label in printed]
        by_row: dict[str, list] = {}
        for cell in sorted(table_cells, key=lambda c: c.row_order):  # row_order numbers cells in printed order
            by_row.setdefault(cell.indicator_code, []).append(cell)
        rows = []
        for code, row_cells in by_row.items():
            first = row_cells[0]
            by_column = {
                r.column_code: views[(r.table_id, r.indicator_code, r.column_code)] if views else cell_view(r)
                for r in row_cells
            }
            rows.append(
                {
                    "row_code": code,
                    "label": first.row_label,
                    "unit": first.unit,
                    "order": int(first.row_order),  # of its first cell
                    "cells": [by_column.get(c) for c in order],  # None: the row has no such cell
                }
            )
        tables.append({"table_id": table_id, "columns": columns, "rows": rows})
    return tables


WHOLE_ROW = "*"  # the column of a named cell when a rule names a whole row


def named_cells(result, rules: dict) -> list[tuple[str, str, str]]:
    """(side, row_code, column_code) of the cells a failed rule names: lhs the total, rhs the
    parts, ``cell`` a value rule's offending cell; column ``WHOLE_ROW`` for a rule on a row
    without a column. The one answer for check, the workbook and the audit site."""
    rule = rules.get(result.rule_id)
    row, column = (result.row_code or ""), (result.column_code or "")
    if rule is not None and rule.scope == "per_column":
        return [("lhs", c, column) for c in rule.lhs] + [("rhs", c, column) for c in rule.rhs]
    if rule is not None and rule.scope == "per_row":
        return [("lhs", row, c) for c in rule.lhs] + [("rhs", row, c) for c in rule.rhs]
    if rule is not None and rule.scope in ("integers", "count_size"):
        return [("cell", m[1], m[2] or "") for m in _OFFENDING.finditer(result.detail.split(":", 1)[-1])]
    return [("cell", row, column or WHOLE_ROW)] if row else []


def printed_columns(template: str, table_id: str, found: dict[str, str], every: bool = False) -> list[tuple[str, str]]:
    """(column_code, header) of a table in printed order: the template's columns (those ``found``
    in the report's cells, or ``every`` one), then any other column found, headed by its label."""
    known = table_columns(template, table_id)
    ordered = [(code, entry.label_zh or code) for code, entry in known.items() if every or code in found]
    return ordered + [(code, found[code] or code) for code in found if code not in known]


def rule_cells(result, rules: dict, lookup: Callable[[str, str, str], dict | None]) -> list[dict]:
    """The cells a failed arithmetic rule names, each with its side (lhs: the total, rhs: the parts)."""
    found = []
    for side, row, column in named_cells(result, rules):
        cell = lookup(result.table_id, row, column)
        if cell is not None and cell["status"] != MISSING:
            found.append({"side": side, **cell})
    return found


def text_cells(result, template: str, find: Callable[[str, str], dict | None], rules: dict) -> list[dict]:
    """The table cells a text ↔ table rule compares the text with."""
    if result.rule_id == "R7":
        readings = concept_cells(template, text_checked=True).get(result.row_code, [])
        pairs = list(readings[0].cells) if readings else []
        return [{"side": "table", **c} for c in (find(r, col) for r, col in pairs) if c is not None]
    base = rules.get(result.rule_id.rstrip("t"))  # P1t: the cells of P1
    if base is None:
        return []
    return [
        {"side": side, **c}
        for side, codes in (("lhs", base.lhs), ("rhs", base.rhs))
        for c in (find(code, "") for code in codes)
        if c is not None and c["status"] != MISSING
    ]


def statements(result, facts: pd.DataFrame) -> list[dict]:
    """The sentences of the text a text ↔ table rule read, with their lines."""
    codes = [result.row_code] if result.rule_id == "R7" else _TEXT_ONLY.findall(result.detail)
    chosen = facts[facts["fact_code"].isin(codes)].sort_values("fact_order")
    return [
        {
            "fact_code": f.fact_code,
            "value": number(f.value),
            "unit": f.unit,
            "sentence": f.sentence,
            "line": integer(f.source_line),
        }
        for f in chosen.itertuples(index=False)
    ]


def where(cell: dict) -> str:
    parts = []
    if cell.get("page") is not None:
        parts.append(f"page {cell['page']}")
    if cell.get("line") is not None:
        parts.append(f"line {cell['line']}")
    return ", ".join(parts) or "no line"


def cell_text(cell: dict | None) -> str:
    """A grid cell: what is printed, then its status marker in brackets (none for a plain number)."""
    if cell is None:
        return ""
    marker = MARKERS.get(cell["status"], "?")
    return f"{cell['raw']} [{marker}]".lstrip() if marker else cell["raw"]


def row_where(row: dict) -> str:
    """Where the row is printed: its first cell's line (and page)."""
    for cell in row["cells"]:
        if cell is not None and (cell["line"] is not None or cell["page"] is not None):
            return f"p{cell['page']}:{cell['line']}" if cell["page"] is not None else str(cell["line"])
    return ""


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA or value is pd.NaT
