"""`xxgk export`: the dataset (or the part the filters select) as one Excel workbook or as CSV files.

The workbook, written with openpyxl:

* ``summary``: one row per report (agency, year, template, received, answered, carried over,
  carried forward, reviews, lawsuits, rules failed);
* one sheet per report, its tables laid out as printed (统计表, or 表二 / 表三 / 表四): rows in printed
  order with their labels and units, columns with their printed headers. Numbers are numbers,
  blank cells empty, placeholders (and cells that could not be read) their printed text. Cells whose
  value_status is not ``ok`` are filled yellow with their status, note and printed text as a
  comment; the cells of a failed arithmetic rule get a red border and fill, the rule id and its
  arithmetic in the comment;
* ``indicators``: the standard indicators of each selected report (``report_indicators``): value,
  numerator, denominator and source cells, or the reason it has none;
* ``peers``, when the filter selects one agency: its rank among the agencies of its level in its
  city and province, per indicator and year (``peer_ranks``);
* ``failed_rules``: every failed rule of the selected reports with its arithmetic (across years too);
* ``quarantine``: the files that were not read (they belong to no report, so the filters do not
  apply to them).

CSV: the main views, UTF-8 with a byte-order mark so Excel reads the Chinese text correctly.

Every value comes from crawled files: sheet names are cleaned of the characters Excel forbids,
text cells are always stored as text (a label starting with ``=`` is not a formula), and control
characters Excel cannot store are removed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from flows.present.report_view import WHOLE_ROW, is_missing, named_cells, printed_columns
from transforms.vocabulary import (
    AMBIGUOUS,
    INFERRED,
    NOT_FLAGGED,
    OK_WITH_NOTE,
    PLACEHOLDER,
    TABLE_CAPTIONS,
    UNPARSED,
)

SUMMARY_SHEET = "summary"
INDICATORS_SHEET = "indicators"
PEERS_SHEET = "peers"
FAILED_RULES_SHEET = "failed_rules"
QUARANTINE_SHEET = "quarantine"

# statuses whose cell shows the printed text when it has no number
SHOWN_AS_PRINTED = frozenset({PLACEHOLDER, UNPARSED, AMBIGUOUS, OK_WITH_NOTE, INFERRED})

FLAG_FILL = "FFF2CC"  # light yellow: a cell whose status is not ok
RULE_FILL = "FFC7CE"  # light red: a cell of a failed rule
RULE_BORDER = "C00000"
HEADER_FILL = "D9E1F2"


# The CSV export: the documented main views, in this order.
CSV_VIEWS = ("reports", "report_summary", "report_wide", "indicators", "rule_results", "failed_rules", "quarantine")


@dataclass(frozen=True)
class Filters:
    agency: str | None = None
    year: int | None = None
    report_id: str | None = None

    def where(self) -> tuple[str, list]:
        """A WHERE clause over ``reports`` and its parameters."""
        clauses, params = ["true"], []
        for column, value in (("agency", self.agency), ("report_year", self.year), ("report_id", self.report_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        return " AND ".join(clauses), params


def selected_report_ids(connection, filters: Filters) -> list[str]:
    where, params = filters.where()
    rows = connection.execute(f"SELECT report_id FROM reports WHERE {where} ORDER BY report_id", params).fetchall()
    return [row[0] for row in rows]


def _frame(connection, sql: str, report_ids: list[str] | None) -> pd.DataFrame:
    """``sql`` (which selects from a view with a report_id column, aliased nothing) limited to the
    selected reports; ``report_ids`` None: unfiltered."""
    if report_ids is None:
        return connection.execute(sql).df()
    return connection.execute(
        f"SELECT * FROM ({sql}) WHERE report_id IN (SELECT unnest(CAST(? AS VARCHAR[])))", [report_ids]
    ).df()


# ---- CSV ------------------------------------------------------------------------------------------


def write_csv(connection, folder: Path, filters: Filters) -> list[Path]:
    """The main views as ``<view>.csv`` in ``folder`` (UTF-8 with BOM); the quarantine list whole."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = selected_report_ids(connection, filters)
    written = []
    for view in CSV_VIEWS:
        sql = f"SELECT * FROM {view}"
        frame = spreadsheet_safe(_frame(connection, sql, None if view == "quarantine" else ids))
        path = folder / f"{view}.csv"
        _replace(path, lambda target, frame=frame: frame.to_csv(target, index=False, encoding="utf-8-sig"))
        written.append(path)
    return written


# A text cell a spreadsheet would read as a formula (OWASP, CSV injection): =, +, -, @, tab, CR.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that starts like a formula prefixed with ``'``, so Excel and
    LibreOffice show it as text (``=HYPERLINK(…).txt`` stays a file name); numbers stay numbers
    (−18 is a number column's value, not text)."""
    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object and not pd.api.types.is_string_dtype(values):
            continue
        text = values.map(lambda v: isinstance(v, str) and v.startswith(_FORMULA_START))
        if text.any():
            frame[column] = values.where(~text, "'" + values.astype(str))
    return frame


def _replace(path: Path, write: Callable[[Path], None], follow_links: bool = True) -> None:
    """Write beside ``path`` and rename into place: a failed export leaves no half-written file;
    a link at ``path`` gets its target written (``follow_links``). The temporary name is this
    process's (one writer per path at a time: the dataset's lock, or one export);
    ``tempfile.mkstemp`` cost 0.7 ms a file here, ten times the write."""
    if follow_links:
        path = path.resolve()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


# ---- sheet names and cell text --------------------------------------------------------------------

_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_RESERVED_SHEET_NAMES = {"history"}


def sheet_name(wanted: str, taken: set[str]) -> str:
    """``wanted`` as an Excel sheet name: without []:*?/\\ and control characters, not starting or
    ending with an apostrophe, at most 31 characters, unique (case-insensitively) among ``taken``,
    to which it is added."""
    name = _FORBIDDEN_IN_SHEET_NAME.sub("_", wanted).strip().strip("'").strip() or "report"
    if name.lower() in _RESERVED_SHEET_NAMES:
        name += "_"
    candidate, number = name[:31], 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: 31 - len(suffix)].rstrip("'") + suffix
    taken.add(candidate.lower())
    return candidate


def _clean(text: object) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", "" if text is None else str(text))


def _put(sheet, row: int, column: int, value: object):
    """One cell: numbers as numbers, None/NaN empty, everything else as text (never a formula)."""
    cell = sheet.cell(row=row, column=column)
    if is_missing(value):
        return cell
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, int | float):
        cell.value = int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 else value
    else:
        cell.value = _clean(value)
        cell.data_type = "s"
    return cell


def _comment(text: str):
    from openpyxl.comments import Comment

    comment = Comment(_clean(text)[:30000], "xxgk")
    comment.width, comment.height = 320, 140
    return comment


def _write_table(sheet, headers: list[str], rows: Iterable[Iterable], widths: dict[int, float] | None = None) -> None:
    """A plain sheet: a header row (frozen), then ``rows``; column widths from the content."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    lengths = [_display_width(h) for h in headers]
    for column, header in enumerate(headers, start=1):
        cell = _put(sheet, 1, column, header)
        cell.font, cell.fill = bold, fill
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _put(sheet, number, column, value)
            if not is_missing(value):
                lengths[column - 1] = max(lengths[column - 1], _display_width(value))
    for column, length in enumerate(lengths, start=1):
        width = (widths or {}).get(column, min(max(length + 2, 8), 60))
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"


def _display_width(value: object) -> int:
    text = str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)  # CJK characters are two columns wide


# ---- the workbook ---------------------------------------------------------------------------------

SUMMARY_SQL = """
SELECT r.report_id, r.agency, r.report_year, r.template, s.received, s.answered, s.carried_over,
       s.carried_forward, s.reviews, s.lawsuits,
       (SELECT count(*) FROM failed_rules f WHERE f.report_id = r.report_id) AS rules_failed,
       r.source_file
FROM reports r LEFT JOIN report_summary s USING (report_id)
"""
SUMMARY_HEADERS = [
    "agency",
    "year",
    "template",
    "received",
    "answered",
    "carried over",
    "carried forward",
    "reviews",
    "lawsuits",
    "rules failed",
    "source file",
    "sheet",
    "report_id",
]
FAILED_SQL = """
SELECT agency, report_year, rule_id, severity, table_id, row_code, column_code, description, expected, actual,
       detail, source_file, report_id
FROM failed_rules
"""
FAILED_HEADERS = [
    "agency",
    "year",
    "rule",
    "severity",
    "table",
    "row",
    "column",
    "description",
    "expected",
    "actual",
    "arithmetic",
    "source file",
    "report_id",
]
INDICATORS_SQL = """
SELECT agency, report_year, indicator, label_en, unit, value, numerator, denominator, reason, source_cells,
       source_file, report_id, indicator_order
FROM report_indicators
"""
INDICATORS_HEADERS = [
    "agency",
    "year",
    "indicator",
    "label",
    "unit",
    "value",
    "numerator",
    "denominator",
    "why no value",
    "source cells",
    "source file",
    "report_id",
]
PEERS_SQL = """
SELECT p.agency, p.report_year, p.indicator, p.unit, p.value, p.scope, p.region, p.level, p.rank, p.peers,
       p.percentile
FROM peer_ranks p
WHERE p.agency_id IN (SELECT DISTINCT agency_id FROM reports WHERE report_id IN (SELECT unnest(CAST(? AS VARCHAR[]))))
ORDER BY p.indicator_order, p.report_year, p.scope
"""
PEERS_HEADERS = ["agency", "year", "indicator", "unit", "value", "peers in", "region", "level", "rank", "of",
                 "percentile"]  # fmt: skip
QUARANTINE_SQL = "SELECT source_file, stage, reason, duplicate_of, size_bytes, source_sha256 FROM quarantine"


def write_xlsx(connection, path: Path, filters: Filters) -> dict:
    """The workbook described above at ``path`` (replaced whole). Returns counts for the caller."""
    from openpyxl import Workbook

    ids = selected_report_ids(connection, filters)
    summary = _frame(connection, SUMMARY_SQL, ids).sort_values(["agency", "report_year", "report_id"], kind="stable")
    indicators = _frame(connection, "SELECT * FROM indicators", ids)
    failed = _frame(connection, FAILED_SQL, ids).sort_values(["agency", "report_year", "report_id", "rule_id"])
    quarantine = connection.execute(QUARANTINE_SQL + " ORDER BY source_file").df()
    reports = _frame(connection, "SELECT report_id, table_title FROM reports", ids)
    titles = dict(zip(reports["report_id"], reports["table_title"], strict=True))

    workbook = Workbook()
    summary_sheet = workbook.active
    summary_sheet.title = SUMMARY_SHEET
    taken = {SUMMARY_SHEET, INDICATORS_SHEET, PEERS_SHEET, FAILED_RULES_SHEET, QUARANTINE_SHEET}
    sheets: dict[str, str] = {}
    by_report = dict(tuple(indicators.groupby("report_id", sort=False))) if len(indicators) else {}
    failed_by_report = dict(tuple(failed.groupby("report_id", sort=False))) if len(failed) else {}
    for report in summary.itertuples(index=False):
        name = sheet_name(f"{report.agency or ''}{_year(report.report_year)}", taken)
        sheets[report.report_id] = name
        _write_report_sheet(
            workbook.create_sheet(name),
            report,
            titles.get(report.report_id),
            by_report.get(report.report_id, indicators.iloc[0:0]),
            failed_by_report.get(report.report_id, failed.iloc[0:0]),
        )
    _write_table(
        summary_sheet,
        SUMMARY_HEADERS,
        (
            [
                r.agency,
                r.report_year,
                r.template,
                r.received,
                r.answered,
                r.carried_over,
                r.carried_forward,
                r.reviews,
                r.lawsuits,
                r.rules_failed,
                r.source_file,
                sheets[r.report_id],
                r.report_id,
            ]
            for r in summary.itertuples(index=False)
        ),
    )
    derived = _frame(connection, INDICATORS_SQL, ids).sort_values(
        ["agency", "report_year", "report_id", "indicator_order"], kind="stable"
    )
    _write_table(
        workbook.create_sheet(INDICATORS_SHEET),
        INDICATORS_HEADERS,
        derived.drop(columns="indicator_order").itertuples(index=False),
        widths={8: 40, 9: 50},
    )
    if filters.agency is not None:
        peers = connection.execute(PEERS_SQL, [ids]).fetchall()
        _write_table(workbook.create_sheet(PEERS_SHEET), PEERS_HEADERS, peers)
    _write_table(
        workbook.create_sheet(FAILED_RULES_SHEET), FAILED_HEADERS, failed.itertuples(index=False), widths={8: 50}
    )
    _write_table(workbook.create_sheet(QUARANTINE_SHEET), list(quarantine.columns), quarantine.itertuples(index=False))
    _replace(path, workbook.save)
    return {"reports": len(summary), "rules_failed": len(failed), "quarantined": len(quarantine)}


def _year(value: object) -> str:
    return "" if is_missing(value) else str(int(value))


def _table_columns(template: str, table_id: str, cells: pd.DataFrame) -> list[tuple[str, str]]:
    """(column_code, header) in printed order: every column of the template's table, then any other."""
    found = dict(cells[["column_code", "column_label"]].fillna("").itertuples(index=False))
    columns = printed_columns(template, table_id, found, every=True)
    return [(code, label or "value") for code, label in columns] or [("", "value")]


def _failed_cells(failed: pd.DataFrame) -> dict[tuple[str, str, str], list[str]]:
    """(table_id, indicator_code, column_code or WHOLE_ROW) → comments of the failed rules naming that cell."""
    from transforms.identities import load_rules

    rules = {rule.rule_id: rule for rule in load_rules()}
    marks: dict[tuple[str, str, str], list[str]] = {}
    for f in failed.itertuples(index=False):
        text = f"rule {f.rule_id} failed ({f.severity}): {f.description}\n{f.detail or ''}".strip()
        for _, row, column in named_cells(f, rules):
            marks.setdefault((f.table_id, row, column), []).append(text)
    return marks


def _write_report_sheet(sheet, report, table_title, cells: pd.DataFrame, failed: pd.DataFrame) -> None:
    """One report as printed: each table a caption row, a header row, then its rows."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    bold, header_fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    flag_fill, rule_fill = PatternFill("solid", fgColor=FLAG_FILL), PatternFill("solid", fgColor=RULE_FILL)
    red = Side(style="medium", color=RULE_BORDER)
    rule_border = Border(left=red, right=red, top=red, bottom=red)
    marks = _failed_cells(failed)
    template = report.template or ""
    cells = cells.sort_values(["row_order"], kind="stable")
    tables = list(dict.fromkeys(cells["table_id"].fillna("")))
    widest = 3
    row_number = 1
    label_width = 20
    for index, table_id in enumerate(tables):
        table_cells = cells[cells["table_id"].fillna("") == table_id]
        columns = _table_columns(template, table_id, table_cells)
        widest = max(widest, 2 + len(columns))
        caption = TABLE_CAPTIONS.get(table_id, table_id)
        if table_id in ("stat", "local") and not is_missing(table_title) and table_title:
            caption = f"{caption}: {table_title}"
        title = f"{report.agency or ''} {_year(report.report_year)} {template} · {caption}"
        _put(sheet, row_number, 1, title).font = bold
        row_number += 1
        for column, header in enumerate(["指标", "单位", *(h for _, h in columns)], start=1):
            cell = _put(sheet, row_number, column, header)
            cell.font, cell.fill = bold, header_fill
        if index == 0:
            sheet.freeze_panes = sheet.cell(row=row_number + 1, column=2).coordinate
        row_number += 1
        position = {code: number for number, (code, _) in enumerate(columns, start=3)}
        key = (
            table_cells["indicator_code"]
            .fillna("")
            .where(table_cells["indicator_code"].notna(), "path:" + table_cells["row_path"].fillna(""))
        )
        for _, row_cells in table_cells.groupby(key, sort=False):
            first = row_cells.iloc[0]
            label = first.row_label if not is_missing(first.row_label) else first.row_path
            depth = 0 if is_missing(first.row_path) else str(first.row_path).count("/")
            label_cell = _put(sheet, row_number, 1, label)
            label_cell.alignment = Alignment(indent=depth, wrap_text=False)
            label_width = max(label_width, _display_width(label or "") + 2 * depth + 2)
            units = row_cells["unit"].dropna()
            if len(units):
                _put(sheet, row_number, 2, units.iloc[0])
            for c in row_cells.itertuples(index=False):
                code = "" if is_missing(c.column_code) else c.column_code
                column = position[code]
                status = c.value_status or ""
                value = c.value
                if is_missing(value) and status in SHOWN_AS_PRINTED:
                    value = c.value_raw
                cell = _put(sheet, row_number, column, value)
                notes = []
                if status not in NOT_FLAGGED:
                    cell.fill = flag_fill
                    note = "" if is_missing(c.value_note) else f"\nnote: {c.value_note}"
                    printed = "" if is_missing(c.value_raw) else f"\nprinted: {c.value_raw}"
                    notes.append(f"status: {status}{note}{printed}")
                row_code = "" if is_missing(c.indicator_code) else c.indicator_code
                rule_notes = marks.get((table_id, row_code, code), []) + marks.get((table_id, row_code, WHOLE_ROW), [])
                if rule_notes:
                    cell.fill, cell.border = rule_fill, rule_border
                    notes.extend(rule_notes)
                if notes:
                    cell.comment = _comment("\n\n".join(notes))
            row_number += 1
        row_number += 1  # a blank row between tables
    sheet.column_dimensions["A"].width = min(label_width, 90)
    sheet.column_dimensions["B"].width = 8
    for column in range(3, widest + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    if not tables:
        _put(sheet, 1, 1, f"{report.agency or ''} {_year(report.report_year)}: no table cells")
