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

from transforms.catalog import ColumnEntry, label_matcher
from transforms.cell_records import MATCHED, MATCHED_BY_POSITION, UNMAPPED, CellRecord, RowIdentity, cell_record
from transforms.cell_values import AMBIGUOUS, BLANK, MISSING, OK, OK_WITH_NOTE, PLACEHOLDER, parse_cell_value
from transforms.document_rows import Row
from transforms.labels import clean_label, normalize_label
from transforms.layouts import POST_2019, STANDARD, TableLayout, template_layout

SIX_AS_ONE_ROW = "six_as_one_row"  # 2021 reports printing （六）其他处理 as one row, the 2019 way
_T2_CAPTION = re.compile("|".join(POST_2019["t2_start"]))
_T3_START = re.compile("|".join(POST_2019["t3_start"]))
_T4_START = re.compile("|".join(POST_2019["t4_start"]))
_SENTENCE = re.compile(r"[，。；;]")


@dataclass
class TableResult:
    records: list[CellRecord] = field(default_factory=list)
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


def refit_misread(row: Row, labels: list[str], values: list[str], width: int) -> tuple[list[str], list[str]]:
    """An OCR'd row whose values stop short of ``width`` at misread cells: those cells, and the
    values before them, are values too (unreadable ones, flagged later), as long as a label is
    left. Otherwise as split."""
    cut = len(row.cells) - len(values)
    while len(row.cells) - cut < width and cut > 0 and (row.misread(cut - 1) or _is_value(row.cells[cut - 1])):
        cut -= 1
    label_cells = [c for c in row.cells[:cut] if c]
    if cut == len(row.cells) - len(values) or len(row.cells) - cut != width or not label_cells:
        return labels, values
    return label_cells, list(row.cells[cut:])


def _fit(values: list[str], width: int) -> list[str] | None:
    """``values`` as exactly ``width`` cells: extra blank cells at either end are layout debris."""
    end = len(values)
    while end > width and not values[end - 1]:
        end -= 1
    start = 0
    while end - start > width and not values[start]:
        start += 1
    return list(values[start:end]) if end - start == width else None


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


@lru_cache(maxsize=64)  # one finder per template and row set, not one per report
def _row_finder(template: str, codes: tuple[str, ...]) -> _RowFinder:
    return _RowFinder(template, list(codes))


def _row_records(entry, columns, values, row, labels, catalog_status) -> list[CellRecord]:
    label, identity = " ".join(labels), RowIdentity.of(entry)
    return [
        cell_record(identity, column, raw, row, label, catalog_status)
        for column, raw in zip(columns, values, strict=True)
    ]


def flagged_records(entry, columns, row, labels, status, note) -> list[CellRecord]:
    label, identity = " ".join(labels), RowIdentity.of(entry)
    return [cell_record(identity, c, "", row, label, status=status, note=note) for c in columns]


def table2_records(rows: list[Row], template: str) -> TableResult:
    """表二 rows by label, anywhere before 表三; unknown labelled rows inside 表二 are kept, flagged."""
    layout = template_layout(template).tables["t2"]
    finder = _row_finder(template, tuple(layout.codes()))
    result = TableResult()
    found: dict[str, tuple[Row, list[str], list[str]]] = {}
    unknown: list[tuple[Row, list[str], list[str]]] = []
    inside = False
    widest = max(len(row.columns) for row in layout.rows)
    for row in rows[: table3_start(rows, template)]:
        labels, values = split_row(row)
        inside = inside or any(_T2_CAPTION.search(cell) for cell in row.cells)
        if row.confidences:
            labels, values = _refit_t2(row, labels, values, finder, layout)
        if not labels or not values:
            continue
        code = finder.find(labels[-1:])  # 表二 labels are whole cells; fragments would be too loose
        if code and code not in found:
            found[code] = (row, labels, values)
            inside = True
        elif code is None and inside and len(values) <= widest and any(values) and _looks_like_row_label(labels[-1]):
            unknown.append((row, labels, values))  # e.g. a province's extra row (其他主动公开文件…)
    for row_layout in layout.rows:
        entry, cols = row_layout.entry, list(row_layout.columns)
        if entry.code not in found:
            result.records += flagged_records(entry, cols, None, [], MISSING, "row not found in the document")
            continue
        row, labels, values = found[entry.code]
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


def _refit_t2(row: Row, labels: list[str], values: list[str], finder: _RowFinder, layout: TableLayout):
    """An OCR'd 表二 row with a misread value: its label is found once the misread cells are
    counted as values, to the width of the row that label names. Otherwise as split."""
    widths = {r.entry.code: len(r.columns) for r in layout.rows}
    code = finder.find(labels[-1:]) if labels else None
    if code is not None and _fit(values, widths[code]) is not None:
        return labels, values
    for width in sorted(set(widths.values())):
        new_labels, new_values = refit_misread(row, labels, values, width)
        if new_values is not values and widths.get(finder.find(new_labels[-1:])) == width:
            return new_labels, new_values
    return labels, values


def _looks_like_row_label(label: str) -> bool:
    """A table label, not a sentence of narrative that happens to end in a number."""
    bare = re.sub(r"[（(][^()（）]*[)）]", "", label)
    return 0 < len(bare) <= 30 and not _SENTENCE.search(bare)


def _unknown_t2_records(row: Row, labels: list[str], values: list[str]) -> list[CellRecord]:
    label = clean_label(labels[-1])
    records = []
    for position, raw in enumerate(values, start=1):
        identity = RowIdentity(
            "t2", f"unmapped:t2:{normalize_label(label)}#{row.line}.{position}", f"二、主动公开政府信息情况/{label}"
        )
        note = f"column {position} of a row the template does not have"
        records.append(cell_record(identity, None, raw, row, label, UNMAPPED, note=note))
    return records


def _all_t3_codes(template: str) -> list[str]:
    table = template_layout(template).tables["t3"]
    return list(dict.fromkeys(code for variant in table.variants for code in table.codes(variant)))


def table3_start(rows: list[Row], template: str) -> int:
    """Where 表三 begins: the last 表三 heading before its first labelled row.

    Only headings just before the table count: a preamble that names the section does not.
    """
    finder = _row_finder(template, tuple(_all_t3_codes(template)))
    first = next((i for i, row in enumerate(rows) if all(split_row(row)) and finder.find(split_row(row)[0])), None)
    if first is None:
        return len(rows)
    headings = [i for i in range(first) if _T3_START.search(" ".join(rows[i].cells))]
    return headings[-1] if headings else first


def t3_variant(rows: list[Row], template: str) -> str:
    """Which 表三 layout this report prints: the template's own, or （六）其他处理 as one row."""
    table = template_layout(template).tables["t3"]
    if SIX_AS_ONE_ROW not in table.variants:
        return STANDARD
    own, other = set(table.codes()), set(table.codes(SIX_AS_ONE_ROW))
    finder = _row_finder(template, tuple(sorted(own ^ other)))
    seen = set()
    for row in rows:
        labels, values = split_row(row)
        if labels and _fit(values, table.width) is not None:
            seen.add(finder.find(labels))
    if seen & (other - own) and not seen & (own - other):
        return SIX_AS_ONE_ROW
    return STANDARD


def table3_records(rows: list[Row], template: str) -> tuple[TableResult, int]:
    """Records for 表三 and the index of the row after it (where 表四 may start)."""
    table = template_layout(template).tables["t3"]
    variant = t3_variant(rows, template)
    sequence = table.codes(variant)
    width = table.width
    finder = _row_finder(template, tuple(sequence))
    columns = list(table.columns)
    last_code = sequence[-1]
    result = TableResult()
    if variant == SIX_AS_ONE_ROW:
        result.notes.append("表三 （六）其他处理 printed as one row (2019 layout)")

    # Candidate rows: a full row of value cells, inside the 表三 region, in document order.
    start = table3_start(rows, template)
    candidates: list[tuple[int, Row, list[str], list[str], str | None]] = []
    end = len(rows)
    for index in range(start, len(rows)):
        labels, values = split_row(rows[index])
        if rows[index].confidences and _fit(values, width) is None:
            labels, values = refit_misread(rows[index], labels, values, width)
        fitted = _fit(values, width)
        code = finder.find(labels) if labels else None
        if fitted is None:
            if code and values:  # a labelled row with the wrong number of cells: damaged
                candidates.append((index, rows[index], labels, values, code))
            continue
        empty = not any(fitted) or all(parse_cell_value(v).status == PLACEHOLDER for v in fitted)
        if empty and code is None:
            continue  # header dummies; a labelled row of blanks is a row of blank cells
        candidates.append((index, rows[index], labels, fitted, code))
        if code == last_code:
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
            if len(values) == width:
                placed[code] = (row, labels, values, MATCHED)
            else:
                damaged[code] = (row, labels, values)
            last = position[code]
        elif len(values) == width:
            pending.append((row, labels, values))
    settle(len(sequence))

    for code in sequence:
        entry = finder.entries[code]
        if code in placed:
            row, labels, values, status = placed[code]
            result.records += _row_records(entry, columns, values, row, labels, status)
        elif code in damaged:
            row, labels, values = damaged[code]
            note = f"row printed {len(values)} cells for {width} columns: {' | '.join(values)}"
            result.records += flagged_records(entry, columns, row, labels, AMBIGUOUS, note)
            result.notes.append(f"表三 {entry.label_zh}: {note}")
        else:
            result.records += flagged_records(entry, columns, None, [], MISSING, "row not found in the document")
    return result, end


def _unplaced_records(row: Row, labels: list[str], values: list[str], columns: list[ColumnEntry]) -> list[CellRecord]:
    label = clean_label(" ".join(labels)) or f"(unlabelled row at line {row.line})"
    identity = RowIdentity("t3", f"unmapped:t3:line{row.line}", f"三、收到和处理政府信息公开申请情况/{label}")
    note = "row could not be placed in the template"
    return [
        cell_record(identity, column, raw, row, label, UNMAPPED, note=note)
        for column, raw in zip(columns, values, strict=True)
    ]


def table4_cells(table: TableLayout) -> int:
    """表四 prints its rows side by side: one row of values, each group one of the table's rows."""
    return len(table.rows) * table.width


def table4_records(rows: list[Row], template: str, after: int) -> TableResult:
    """表四: its groups of cells (3 × 5), as one row of all of them or one row per group, after 表三."""
    table = template_layout(template).tables["t4"]
    columns = list(table.columns)
    cells, width = table4_cells(table), table.width
    finder = _row_finder(template, tuple(table.codes()))
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
        if len(collected) >= cells:
            break
    fitted = _fit(collected, cells)
    for group, row_layout in enumerate(table.rows):
        entry = row_layout.entry
        if fitted is None:
            status = MISSING if not collected else AMBIGUOUS
            note = (
                "table not found"
                if not collected
                else f"{len(collected)} cells printed for {cells}: {' | '.join(collected)}"
            )
            result.records += flagged_records(entry, columns, source[0] if source else None, [], status, note)
            continue
        group_cells = fitted[group * width : group * width + width]
        row = source[min(group, len(source) - 1)]
        result.records += _row_records(entry, columns, group_cells, row, [entry.label_zh], MATCHED)
    if fitted is None:
        result.notes.append(f"表四: {len(collected)} cells found for {cells}")
    return result


def post2019_records(rows: list[Row], template: str) -> TableResult:
    """All cells of 表二, 表三 and 表四, in table order."""
    t2 = table2_records(rows, template)
    t3, end = table3_records(rows, template)
    t4 = table4_records(rows, template, end)
    return TableResult(t2.records + t3.records + t4.records, t2.notes + t3.notes + t4.notes)
