"""表二 / 表三 / 表四 of the 2019 and 2021 report formats, from document rows to long records.

Rows are found by their labels wherever the document's table structure has been lost; 表三
rows whose label was lost (fragmented PDF-to-markdown output) are placed by their order between
labelled rows, but only when the count of unlabelled rows matches the count of missing rows
exactly. Anything else is flagged, never guessed: a row that printed fewer cells than the
template has gets no values, and a template row the document does not show is ``missing``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from transforms.catalog import CatalogEntry, ColumnEntry, label_matcher, table_columns
from transforms.cell_values import AMBIGUOUS, BLANK, MISSING, OK, OK_WITH_NOTE, PLACEHOLDER, parse_cell_value
from transforms.document_rows import Row
from transforms.indicator_rows import MATCHED, MATCHED_BY_POSITION, UNMAPPED
from transforms.labels import clean_label, normalize_label
from transforms.templates import FMT_2019, FMT_2021

T2_LAYOUT = {
    FMT_2021: {
        "T2.1.1": ("issued", "repealed", "in_force"),
        "T2.1.2": ("issued", "repealed", "in_force"),
        "T2.5.1": ("decisions",),
        "T2.6.1": ("decisions",),
        "T2.6.2": ("decisions",),
        "T2.8.1": ("fees",),
    },
    FMT_2019: {
        "T2.1.1": ("made", "published", "total_published"),
        "T2.1.2": ("made", "published", "total_published"),
        "T2.5.1": ("previous_items", "change", "decisions"),
        "T2.5.2": ("previous_items", "change", "decisions"),
        "T2.6.1": ("previous_items", "change", "decisions"),
        "T2.6.2": ("previous_items", "change", "decisions"),
        "T2.8.1": ("previous_items", "change"),
        "T2.9.1": ("procurement_items", "procurement_amount"),
    },
}
_T3_HEAD = ["T3.1", "T3.2", "T3.3.1", "T3.3.2", *[f"T3.3.3.{i}" for i in range(1, 9)]]
_T3_HEAD += [f"T3.3.4.{i}" for i in range(1, 4)] + [f"T3.3.5.{i}" for i in range(1, 6)]
T3_ROWS_SPLIT_SIX = [*_T3_HEAD, "T3.3.6.1", "T3.3.6.2", "T3.3.6.3", "T3.3.7", "T3.4"]  # 2021: 25 rows
T3_ROWS_SINGLE_SIX = [*_T3_HEAD, "T3.3.6", "T3.3.7", "T3.4"]  # 2019, and 2021 reports in the old layout
T4_ROWS = ["T4.1", "T4.2", "T4.3"]
_T4_START = re.compile(r"行政复议|复议后起诉|未经复议")
_T2_CAPTION = re.compile(r"第二十条\s*第\s*[（(][一二三四五六七八九十]+[)）]\s*项")
_SENTENCE = re.compile(r"[，。；;]")
_T3_START = re.compile(r"本列数据的勾稽关系|收到和处理政府信息公开申请|申请人情况")


@dataclass
class TableResult:
    records: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_NUMBERING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+\.)")
_SQUASHED = re.compile(r"[\s,，、.。:：;；()（）“”\"]")


@lru_cache(maxsize=8192)  # the same template labels recur in every report
def _squash(label: str) -> str:
    """Label text without numbering, spaces or punctuation, keeping bracketed notes."""
    return _SQUASHED.sub("", _NUMBERING.sub("", unicodedata.normalize("NFKC", label)))


def _is_value(cell: str) -> bool:
    return parse_cell_value(cell).status in (OK, OK_WITH_NOTE, BLANK, PLACEHOLDER)


def split_row(row: Row) -> tuple[list[str], list[str]]:
    """Label cells and the trailing run of value cells (numbers, blanks, dashes, number+note)."""
    cells = list(row.cells)
    cut = len(cells)
    while cut > 0 and _is_value(cells[cut - 1]):
        cut -= 1
    return [c for c in cells[:cut] if c], cells[cut:]


def _fit(values: list[str], width: int) -> list[str] | None:
    """``values`` as exactly ``width`` cells: extra blank cells at either end are layout debris."""
    values = list(values)
    while len(values) > width and not values[-1]:
        values.pop()
    while len(values) > width and not values[0]:
        values.pop(0)
    return values if len(values) == width else None


class _RowFinder:
    """Match a row's label cells to one table's data rows (most specific cell first)."""

    def __init__(self, template: str, codes: list[str]) -> None:
        matcher = label_matcher(template)
        self.entries = {code: matcher.entries[code] for code in codes if code in matcher.entries}
        self.by_label: dict[str, str] = {}
        self.full_text: dict[str, str] = {}  # label with its bracketed note, for fragment search
        for code, entry in self.entries.items():
            self.by_label[normalize_label(entry.label_zh)] = code
            self.full_text[_squash(entry.label_zh)] = code
        catalog_aliases = matcher.aliases_of(codes)
        for alias, code in catalog_aliases.items():
            self.by_label.setdefault(normalize_label(alias), code)

    def find(self, labels: list[str]) -> str | None:
        for label in reversed(labels):
            code = self.by_label.get(normalize_label(label))
            if code:
                return code
        for label in reversed(labels):  # a fragment of one label only (PDF line breaks)
            key = _squash(label)
            if len(key) >= 4:
                hits = {code for text, code in self.full_text.items() if key in text}
                if len(hits) == 1:
                    return hits.pop()
        return None


@lru_cache(maxsize=8192)  # every cell of a row, and the same labels in every report
def _row_label(labels: tuple[str, ...]) -> str:
    return clean_label(" ".join(labels)) if labels else ""


def cell_record(
    entry: CatalogEntry,
    column: ColumnEntry,
    raw: str,
    row: Row | None,
    labels: list[str],
    catalog_status: str,
    status_override: str | None = None,
    note: str = "",
) -> dict:
    cell = parse_cell_value(raw)
    status = status_override or cell.status
    value = None if status_override else cell.value
    return {
        "table_id": entry.table_id,
        "indicator_code": entry.code,
        "catalog_status": catalog_status,
        "row_label": _row_label(tuple(labels)),
        "row_path": entry.label_path,
        "column_code": column.code,
        "column_label": column.label_zh,
        "unit": column.unit or entry.unit,
        "value": value,
        "value_raw": raw if not status_override or status_override == AMBIGUOUS else "",
        "value_status": status,
        "value_note": note or cell.note,
        "source_line": row.line if row else None,
        "source_page": row.page if row else None,
    }


def _row_records(entry, columns, values, row, labels, catalog_status) -> list[dict]:
    return [cell_record(entry, col, raw, row, labels, catalog_status) for col, raw in zip(columns, values, strict=True)]


def flagged_records(entry, columns, row, labels, status, note) -> list[dict]:
    return [cell_record(entry, col, "", row, labels, MATCHED, status_override=status, note=note) for col in columns]


def table2_records(rows: list[Row], template: str) -> TableResult:
    """表二 rows by label, anywhere before 表三; unknown labelled rows inside 表二 are kept, flagged."""
    layout = T2_LAYOUT[template]
    finder = _RowFinder(template, list(layout))
    columns = table_columns(template, "t2")
    result = TableResult()
    found: dict[str, tuple[Row, list[str], list[str]]] = {}
    unknown: list[tuple[Row, list[str], list[str]]] = []
    inside = False
    for row in rows[: table3_start(rows, template)]:
        labels, values = split_row(row)
        inside = inside or any(_T2_CAPTION.search(cell) for cell in row.cells)
        if not labels or not values:
            continue
        code = finder.find(labels[-1:])  # 表二 labels are whole cells; fragments would be too loose
        if code and code not in found:
            found[code] = (row, labels, values)
            inside = True
        elif code is None and inside and len(values) <= 3 and any(values) and _looks_like_row_label(labels[-1]):
            unknown.append((row, labels, values))  # e.g. a province's extra row (其他主动公开文件…)
    for code, column_codes in layout.items():
        entry = finder.entries[code]
        cols = [columns[c] for c in column_codes]
        if code not in found:
            result.records += flagged_records(entry, cols, None, [], MISSING, "row not found in the document")
            continue
        row, labels, values = found[code]
        fitted = _fit(values, len(cols))
        if fitted is None:
            note = f"row printed {len(values)} cells for {len(cols)} columns: {' | '.join(values)}"
            result.records += flagged_records(entry, cols, row, labels, AMBIGUOUS, note)
            result.notes.append(f"表二 {entry.label_zh}: {note}")
        else:
            result.records += _row_records(entry, cols, fitted, row, labels, MATCHED)
    for row, labels, values in unknown:
        result.records += _unknown_t2_records(row, labels, values)
        result.notes.append(f"表二: row not in the template kept as unmapped: {clean_label(labels[-1])}")
    return result


def _looks_like_row_label(label: str) -> bool:
    """A table label, not a sentence of narrative that happens to end in a number."""
    bare = re.sub(r"[（(][^()（）]*[)）]", "", label)
    return 0 < len(bare) <= 30 and not _SENTENCE.search(bare)


def _unknown_t2_records(row: Row, labels: list[str], values: list[str]) -> list[dict]:
    label = clean_label(labels[-1])
    records = []
    for position, raw in enumerate(values, start=1):
        cell = parse_cell_value(raw)
        records.append(
            {
                "table_id": "t2",
                "indicator_code": f"unmapped:t2:{normalize_label(label)}#{row.line}.{position}",
                "catalog_status": UNMAPPED,
                "row_label": label,
                "row_path": f"二、主动公开政府信息情况/{label}",
                "column_code": "",
                "column_label": "",
                "unit": "",
                "value": cell.value,
                "value_raw": raw,
                "value_status": cell.status,
                "value_note": f"column {position} of a row the template does not have",
                "source_line": row.line,
                "source_page": row.page,
            }
        )
    return records


def table3_start(rows: list[Row], template: str) -> int:
    """Where 表三 begins: the last 表三 heading before its first labelled row.

    Only headings just before the table count: a preamble that names the section does not.
    """
    finder = _RowFinder(template, [*T3_ROWS_SPLIT_SIX, "T3.3.6"])
    first = next((i for i, row in enumerate(rows) if all(split_row(row)) and finder.find(split_row(row)[0])), None)
    if first is None:
        return len(rows)
    headings = [i for i in range(first) if _T3_START.search(" ".join(rows[i].cells))]
    return headings[-1] if headings else first


def _t3_layout(rows: list[Row], template: str) -> list[str]:
    """Which 表三 rows this report prints: （六）其他处理 as one row (2019 layout) or three (2021)."""
    if template == FMT_2019:
        return T3_ROWS_SINGLE_SIX
    finder = _RowFinder(template, ["T3.3.6", "T3.3.6.1", "T3.3.6.2", "T3.3.6.3"])
    seen = set()
    for row in rows:
        labels, values = split_row(row)
        if labels and _fit(values, 7) is not None:
            seen.add(finder.find(labels))
    if "T3.3.6" in seen and not seen & {"T3.3.6.1", "T3.3.6.2", "T3.3.6.3"}:
        return T3_ROWS_SINGLE_SIX
    return T3_ROWS_SPLIT_SIX


def table3_records(rows: list[Row], template: str) -> tuple[TableResult, int]:
    """Records for 表三 and the index of the row after it (where 表四 may start)."""
    sequence = _t3_layout(rows, template)
    finder = _RowFinder(template, sequence)
    columns = list(table_columns(template, "t3").values())
    result = TableResult()
    if sequence is T3_ROWS_SINGLE_SIX and template == FMT_2021:
        result.notes.append("表三 （六）其他处理 printed as one row (2019 layout)")

    # Candidate rows: 7 value cells, inside the 表三 region, in document order.
    start = table3_start(rows, template)
    candidates: list[tuple[int, Row, list[str], list[str], str | None]] = []
    end = len(rows)
    for index in range(start, len(rows)):
        labels, values = split_row(rows[index])
        fitted = _fit(values, 7)
        code = finder.find(labels) if labels else None
        if fitted is None:
            if code and values:  # a labelled row with the wrong number of cells: damaged
                candidates.append((index, rows[index], labels, values, code))
            continue
        empty = not any(fitted) or all(parse_cell_value(v).status == PLACEHOLDER for v in fitted)
        if empty and code is None:
            continue  # header dummies; a labelled row of blanks is a row of blank cells
        candidates.append((index, rows[index], labels, fitted, code))
        if code == "T3.4":
            end = index + 1
            break
    position = {code: i for i, code in enumerate(sequence)}
    placed: dict[str, tuple[Row, list[str], list[str], str]] = {}
    damaged: dict[str, tuple[Row, list[str], list[str]]] = {}
    pending: list[tuple[Row, list[str], list[str]]] = []
    last = -1

    def settle(upto: int) -> None:
        """Place the unlabelled rows seen since the last anchor into the gap before ``upto``."""
        nonlocal pending
        gap = [code for code in sequence[last + 1 : upto] if code not in placed and code not in damaged]
        if pending and len(pending) == len(gap):
            for code, (row, labels, values) in zip(gap, pending, strict=True):
                placed[code] = (row, labels, values, MATCHED_BY_POSITION)
        elif pending:
            lines = ", ".join(str(r.line) for r, _, _ in pending)
            result.notes.append(f"表三: {len(pending)} unlabelled rows (lines {lines}) for {len(gap)} gaps: not placed")
            for row, labels, values in pending:
                result.records += _unplaced_records(row, labels, values, columns)
        pending = []

    for _index, row, labels, values, code in candidates:
        if code is not None and code in position and position[code] > last and code not in placed:
            settle(position[code])
            if len(values) == 7:
                placed[code] = (row, labels, values, MATCHED)
            else:
                damaged[code] = (row, labels, values)
            last = position[code]
        elif len(values) == 7:
            pending.append((row, labels, values))
    settle(len(sequence))

    for code in sequence:
        entry = finder.entries[code]
        if code in placed:
            row, labels, values, status = placed[code]
            result.records += _row_records(entry, columns, values, row, labels, status)
        elif code in damaged:
            row, labels, values = damaged[code]
            note = f"row printed {len(values)} cells for 7 columns: {' | '.join(values)}"
            result.records += flagged_records(entry, columns, row, labels, AMBIGUOUS, note)
            result.notes.append(f"表三 {entry.label_zh}: {note}")
        else:
            result.records += flagged_records(entry, columns, None, [], MISSING, "row not found in the document")
    return result, end


def _unplaced_records(row: Row, labels: list[str], values: list[str], columns: list[ColumnEntry]) -> list[dict]:
    label = clean_label(" ".join(labels)) or f"(unlabelled row at line {row.line})"
    return [
        {
            "table_id": "t3",
            "indicator_code": f"unmapped:t3:line{row.line}",
            "catalog_status": UNMAPPED,
            "row_label": label,
            "row_path": f"三、收到和处理政府信息公开申请情况/{label}",
            "column_code": column.code,
            "column_label": column.label_zh,
            "unit": column.unit,
            "value": parse_cell_value(raw).value,
            "value_raw": raw,
            "value_status": parse_cell_value(raw).status,
            "value_note": "row could not be placed in the template",
            "source_line": row.line,
            "source_page": row.page,
        }
        for column, raw in zip(columns, values, strict=True)
    ]


def table4_records(rows: list[Row], template: str, after: int) -> TableResult:
    """表四: 15 cells (3 groups × 5 results), as one row of 15 or rows of 5, after 表三."""
    columns = list(table_columns(template, "t4").values())
    finder = _RowFinder(template, T4_ROWS)
    result = TableResult()
    start = next((i for i in range(after, len(rows)) if _T4_START.search(" ".join(rows[i].cells))), after)
    collected: list[str] = []
    source: list[Row] = []
    for row in rows[start:]:
        labels, values = split_row(row)
        if not values or not any(values):
            continue
        if labels and not finder.find(labels) and collected:
            break  # text with numbers after the table
        if labels and not finder.find(labels):
            continue
        collected += values
        source.append(row)
        if len(collected) >= 15:
            break
    fitted = _fit(collected, 15)
    for group, code in enumerate(T4_ROWS):
        entry = finder.entries[code]
        if fitted is None:
            status = MISSING if not collected else AMBIGUOUS
            note = (
                "table not found"
                if not collected
                else f"{len(collected)} cells printed for 15: {' | '.join(collected)}"
            )
            result.records += flagged_records(entry, columns, source[0] if source else None, [], status, note)
            continue
        cells = fitted[group * 5 : group * 5 + 5]
        row = source[min(group, len(source) - 1)]
        result.records += _row_records(entry, columns, cells, row, [entry.label_zh], MATCHED)
    if fitted is None:
        result.notes.append(f"表四: {len(collected)} cells found for 15")
    return result


def post2019_records(rows: list[Row], template: str) -> TableResult:
    """All cells of 表二, 表三 and 表四, in table order."""
    t2 = table2_records(rows, template)
    t3, end = table3_records(rows, template)
    t4 = table4_records(rows, template, end)
    return TableResult(t2.records + t3.records + t4.records, t2.notes + t3.notes + t4.notes)
