"""Pre-2019 tables — the 2014 统计表 and the older local tables — from document rows to cell records.

Both print a label column, a unit column (or the unit inside the label, 主动公开政府信息数（条）)
and one or two value columns: 统计数, or this year's (本年度, 本年, 2011年度) and the cumulative
(历年累计). Which template, which value columns and in which order is read from the header,
whose words come from the layout data; the header's cells may be split over paragraphs or lines.
A row is its label cells, its unit cell and its value cells, found from the right (a text form
drops blank cells, a label may span two cells). Labels are matched to the catalog within their
section, so the same words under two parents get two codes; rows the catalog does not know are
kept as ``unmapped``, a repeated row as ``duplicate``; a required row the table does not print is
``missing``.

Crawler text whose table lost its cell boundaries is read from its compact text instead: labels
are located by the catalog's own labels, each row's unit and digits follow it, and digits that
ran together are split only where the table's identities (``arithmetic_rules.csv``) and the
text's own statements leave one reading (:mod:`transforms.run_together`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from transforms.catalog import CatalogEntry, ColumnEntry, label_matcher
from transforms.cell_records import DUPLICATE, MATCHED, UNMAPPED, CellRecord, RowIdentity, cell_record
from transforms.cell_values import (
    AMBIGUOUS,
    BLANK,
    INFERRED,
    MISSING,
    NOT_APPLICABLE,
    OK,
    OK_WITH_NOTE,
    PLACEHOLDER,
    parse_cell_value,
)
from transforms.concepts import stated_checks
from transforms.document_rows import Row
from transforms.identities import column_checks, row_check
from transforms.labels import clean_label, normalize_label, numbering_level
from transforms.layouts import SECTION_UNITS, UNITS, TemplateLayout, column_heading_pattern, template_layout
from transforms.narrative_facts import NarrativeFact
from transforms.run_together import Resolution, compact_text, resolve_rows

PRE_2019 = ("stat_2014", "local_table")
_VALUE_LIKE = frozenset((OK, OK_WITH_NOTE, BLANK, PLACEHOLDER))
_YEAR = re.compile(r"(?:19|20)\d{2}")
_UNIT_IN_LABEL = re.compile(r"[（(](?P<unit>[^()（）]{1,3})[)）]\s*$")
_SENTENCE = re.compile(r"[。；;！？]")
_MAX_HEADER_CELL = 16  # a header cell is a few words; a longer cell is narrative


class Pre2019TableError(ValueError):
    """The document has no readable table of this template; the message says why."""


@dataclass(frozen=True)
class Header:
    template: str
    index: int  # the (last) header row in the document's rows
    values: tuple[ColumnEntry, ...]  # value columns as printed, in order
    has_unit: bool
    year: int | None  # a year printed in a value heading (2011年度)
    table: int | None  # the document table the header is in
    # Each header cell's role: LABEL, UNIT, a value column's code, or None (序号, 代码, 备注 …);
    # empty when the header spans two rows. A row of the same width is read by position.
    roles: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class PrintedRow:
    """One row as printed: its label, unit and value cells, or the digits that ran together."""

    label: str
    unit: str
    values: tuple[str, ...] | None
    source: Row
    positions: tuple[int, ...] = ()  # where each value sits among the source row's cells
    run: str = ""  # digits (and boundary spaces) when the cells ran together


@dataclass
class Pre2019Table:
    template: str
    records: list[CellRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    title: str = ""


# ---------------------------------------------------------------------------------------------
# The header


def _squash(text: str) -> str:
    return "".join(text.split())


def _heading_columns(layout: TemplateLayout, cell: str) -> ColumnEntry | None:
    for column in layout.table.columns:
        if column_heading_pattern(column).fullmatch(cell):
            return column
    return None


LABEL, UNIT = "label", "unit"


def _header_in(cells: list[str], layout: TemplateLayout) -> tuple[list, list[ColumnEntry], bool, int | None] | None:
    """(each cell's role, value columns, has a unit column, year) when ``cells`` head this template."""
    squashed = [_squash(c) for c in cells]
    label = next(
        (i for i, c in enumerate(squashed) if len(c) <= _MAX_HEADER_CELL and any(h in c for h in layout.label_header)),
        None,
    )
    if label is None:
        return None
    values, year, has_unit = [], None, False
    roles: list[str | None] = [None] * label + [LABEL]
    for cell in squashed[label + 1 :]:
        column = None if cell in layout.unit_header else _heading_columns(layout, cell)
        if cell in layout.unit_header:
            has_unit = True
            roles.append(UNIT)
        elif column is not None and column not in values:
            values.append(column)
            roles.append(column.code)
            found = _YEAR.search(cell)
            year = year or (int(found.group()) if found else None)
        else:
            roles.append(None)
    return (roles, values, has_unit, year) if values else None


def find_header(rows: list[Row], templates: tuple[str, ...] = PRE_2019) -> Header | None:
    """The first row (or pair of rows) heading a pre-2019 table; the template whose value columns
    it names most fully wins (统计数 → stat_2014; 本年度/2011年度 + 历年累计 → local_table)."""
    layouts = [template_layout(t) for t in templates]
    for index, row in enumerate(rows):
        joined = "".join(row.cells)
        if not any(_names_a_header(joined, layout) for layout in layouts):
            continue
        cells = list(row.cells)
        best = None
        for span in (1, 2):  # a header whose value headings sit on a second row
            if span == 2:
                if index + 1 >= len(rows):
                    break
                cells = cells + list(rows[index + 1].cells)
            for layout in layouts:
                found = _header_in(cells, layout)
                if found and (best is None or len(found[1]) > len(best[1][1])):
                    best = (layout, found, span)
            if best:
                break
        if best:
            layout, (roles, values, has_unit, year), span = best
            last = index + span - 1
            by_position = tuple(roles) if span == 1 else ()
            return Header(layout.template, last, tuple(values), has_unit, year, rows[last].table, by_position)
    return None


_COMPACT_HEADERS: dict[str, re.Pattern[str]] = {}


def _compact_header(layout: TemplateLayout) -> re.Pattern[str]:
    """The header as crawler text prints it, cells run together: 指标名称计量单位2011年度历年累计."""
    if layout.template not in _COMPACT_HEADERS:
        label = "|".join(map(re.escape, layout.label_header))
        unit = "|".join(map(re.escape, layout.unit_header))
        values = "|".join(f"(?:{column_heading_pattern(c).pattern})" for c in layout.table.columns)
        _COMPACT_HEADERS[layout.template] = re.compile(
            rf"(?:{label})(?P<unit>{unit})?(?P<values>(?:{values}){{1,{layout.table.width}}})"
        )
    return _COMPACT_HEADERS[layout.template]


def find_compact_header(compact: str, templates: tuple[str, ...] = PRE_2019) -> tuple[str, re.Match] | None:
    found = []
    for template in templates:
        match = _compact_header(template_layout(template)).search(compact)
        if match:
            found.append((match.start(), -len(match["values"]), template, match))
    if not found:
        return None
    _, _, template, match = min(found)
    return template, match


# ---------------------------------------------------------------------------------------------
# Rows


def _value_like(cell: str) -> bool:
    return parse_cell_value(cell).status in _VALUE_LIKE


def split_printed_row(
    cells: tuple[str, ...], values: int, unit_column: bool = True
) -> tuple[list[str], str, list[str], tuple[int, ...]] | None:
    """(label cells, unit, value cells, their positions) of a table row, or None when the
    row has no label. The unit is the last unit cell with at most ``values`` value-like cells
    after it (a real unit before a section marker: "条 | -" is 条 and a dash); without one, or in a
    table without a unit column, the trailing value cells are the values and a bracketed unit at
    the label's end is the unit."""
    n = len(cells)
    choice = None
    for wanted in (UNITS, SECTION_UNITS) if unit_column else ():
        for i in range(n - 1, 0, -1):
            if n - 1 - i > values:
                break
            if _squash(cells[i]) in wanted and all(_value_like(c) for c in cells[i + 1 :]):
                choice = i
                break
        if choice is not None:
            break
    if choice is not None:
        label = [c for c in cells[:choice] if c.strip()]
        unit, found, start = _squash(cells[choice]), list(cells[choice + 1 :]), choice + 1
    else:
        cut = n
        while cut > 0 and n - cut < values and _value_like(cells[cut - 1]):
            cut -= 1
        label = [c for c in cells[:cut] if c.strip()]
        found, start = list(cells[cut:]), cut
        bracket = _UNIT_IN_LABEL.search(label[-1]) if label else None
        unit = bracket["unit"] if bracket and bracket["unit"] in UNITS else ""
    if not label:
        return None
    return label, unit, found, tuple(range(start, n))


def _by_position(cells: tuple[str, ...], header: Header) -> tuple[list[str], str, list[str], tuple[int, ...]] | None:
    """A row as wide as its header, read by position: other columns (序号, 代码, 备注) are left out.
    A unit column holding no unit (blank, or a section's dash) leaves the label's bracket to say."""
    if not header.roles or len(cells) != len(header.roles):
        return None
    label = [c for c, role in zip(cells, header.roles, strict=True) if role == LABEL and c.strip()]
    if not label:
        return None
    positions = tuple(header.roles.index(column.code) for column in header.values)
    unit = next((_squash(c) for c, role in zip(cells, header.roles, strict=True) if role == UNIT), "")
    if unit not in UNITS and unit not in SECTION_UNITS:
        bracket = _UNIT_IN_LABEL.search(label[-1])
        unit = bracket["unit"] if bracket and bracket["unit"] in UNITS else ""
    return label, unit, [cells[i] for i in positions], positions


def _names_a_header(text: str, layout: TemplateLayout) -> bool:
    squashed = _squash(text)
    return any(word in squashed for word in layout.label_header)


def _is_footer(row: Row, layout: TemplateLayout) -> bool:
    return any(word in cell for cell in row.cells for word in layout.footer)


def _open_brackets(text: str) -> int:
    return text.count("（") + text.count("(") - text.count("）") - text.count(")")


_NOTE_ONLY = re.compile(r"[（(][^（）()]*[)）]")


def _is_section_heading(text: str, layout: TemplateLayout) -> bool:
    entry = label_matcher(layout.template).match(text, None)
    return entry is not None and not entry.parent_code


def _continues_label(text: str) -> bool:
    """A label line that only finishes the one above: its bracketed note, or the end of one."""
    stripped = text.strip()
    return _open_brackets(stripped) < 0 or bool(_NOTE_ONLY.fullmatch(stripped))


def printed_rows(rows: list[Row], header: Header, layout: TemplateLayout) -> tuple[list[PrintedRow], str]:
    """The table's rows after its header, and how the table ended: footer, table, text or
    narrative (a paragraph after the table in a text form). A label wrapped onto a line of its
    own (its bracketed note, or the rest of an open bracket) joins the row it belongs to, before
    or after its cells."""
    found: list[PrintedRow] = []
    pending: PrintedRow | None = None  # a label printed without unit or value, not yet placed
    ending = "text" if header.table is None else "table"
    for row in rows[header.index + 1 :]:
        if header.table is not None and row.table != header.table:
            ending = "table"
            break
        if _is_footer(row, layout):
            ending = "footer"
            break
        joined = "".join(row.cells)
        if not joined.strip() or (_names_a_header(joined, layout) and _header_in(list(row.cells), layout)):
            continue  # an empty row, or the header again on a new page
        split = _by_position(row.cells, header) or split_printed_row(row.cells, len(header.values), header.has_unit)
        if split is None:
            continue  # a row of numbers only: no label to place it by
        label, unit, values, positions = split
        text = " ".join(label)
        bare = not unit and not any(v.strip() for v in values)
        if bare and (_SENTENCE.search(text) or len(text) > 60):
            ending = "narrative"
            break
        previous = pending or (found[-1] if found else None)
        # A row with its own cells after a complete one, or a section's heading, is a row of its
        # own, whatever brackets the one before left open (a misread, a note never closed).
        joins = (pending is not None or bare) and not _is_section_heading(text, layout)
        if previous is not None and joins and (_open_brackets(previous.label) > 0 or _continues_label(text)):
            merged = f"{previous.label}{text}"
            if pending is not None and not bare:  # the label's first line, then the rest with the cells
                found.append(PrintedRow(merged, unit, tuple(values), row, positions))
                pending = None
            elif pending is not None:
                pending = PrintedRow(merged, "", (), pending.source)
            else:
                found[-1] = PrintedRow(merged, previous.unit, previous.values, previous.source, previous.positions)
            continue
        if pending is not None:
            found.append(pending)
            pending = None
        if bare:
            pending = PrintedRow(text, unit, tuple(values), row, positions)
        else:
            found.append(PrintedRow(text, unit, tuple(values), row, positions))
    if pending is not None:
        found.append(pending)
    return found, ending


_ATTACHMENT_PREFIX = re.compile(r"^附件\d*[：:]?")
_DATE_PREFIX = re.compile(r"^[〇○零一二三四五六七八九十\d]+年[一二三四五六七八九十\d]+月[一二三四五六七八九十\d]+日")


def table_title(rows: list[Row], header: Header | None, layout: TemplateLayout, text: str) -> str:
    """The caption above the table: a row just above the header, else the last short line of the
    text that names a statistics table (附件1：…统计表 → …统计表)."""
    if header is not None:
        for row in reversed(rows[max(0, header.index - 6) : header.index]):
            for cell in row.cells:
                if any(word in cell for word in layout.caption) and len(cell) <= 80:
                    return clean_label(cell)
    words = "|".join(map(re.escape, layout.caption))
    captions = re.findall(rf"[\u4e00-\u9fff（）()\d]{{4,40}}(?:{words})", _squash(text))
    return _ATTACHMENT_PREFIX.sub("", _DATE_PREFIX.sub("", captions[-1])) if captions else ""


# ---------------------------------------------------------------------------------------------
# Crawler text whose cells ran together


_LEAD = (
    r"(?:其中[:：]?)?(?:[1-9][、.．]|[(（][\d一二三四五六七八九十]{1,2}[)）][、.．]?|[一二三四五六七八九十]+[、.．])?"
)
_LABEL_PUNCTUATION = re.compile(r"[、，,：:；;\s]")


def _label_body(label: str) -> str:
    """A catalog label without its numbering, lead-in and bracketed notes, as crawler text keeps it."""
    body = re.sub(r"[（(][^（）()]*[)）]", "", label)
    return re.sub(r"^" + _LEAD, "", body)


def _body_pattern(body: str) -> str:
    parts = []
    for char in body:
        parts.append("[、，,：:；;]?" if _LABEL_PUNCTUATION.match(char) else re.escape(char))
    return "".join(parts)


_LABEL_SEARCH: dict[str, re.Pattern[str]] = {}


def _label_search(layout: TemplateLayout) -> re.Pattern[str]:
    """Every label and alias of the template's rows, longest first (网站公开 inside 政府网站公开数)."""
    if layout.template not in _LABEL_SEARCH:
        matcher = label_matcher(layout.template)
        bodies = set()
        for row in layout.table.rows:
            for label in [row.entry.label_zh, *matcher.aliases_of([row.code])]:
                body = _label_body(label)
                if len(body) >= 2:
                    bodies.add(body)
        patterns = [_body_pattern(b) for b in sorted(bodies, key=len, reverse=True)]
        _LABEL_SEARCH[layout.template] = re.compile("|".join(patterns))
    return _LABEL_SEARCH[layout.template]


_UNIT_WORDS = "|".join(re.escape(u) for u in sorted(UNITS | SECTION_UNITS, key=len, reverse=True))
_NOTE = r"(?:[（(][^（）()]*[)）])?"
# What follows a located label: its bracketed note, unit and digits, then the next label's lead-in.
_TAIL = re.compile(rf"^{_NOTE}(?P<unit>{_UNIT_WORDS})?(?P<run>\d[\d .]*?)??(?P<lead>{_LEAD})$")
_TAIL_START = re.compile(rf"{_NOTE}(?P<unit>{_UNIT_WORDS})?(?P<run>\d[\d .]*)?")
# A row the catalog does not know, between two it does: a label, a unit, digits.
_UNKNOWN_ROW = re.compile(
    rf"(?P<label>(?:其中[:：])?(?:\d{{1,2}}[、.．])?[^\d\s.][^\d]*?)(?P<unit>{_UNIT_WORDS})(?P<run>\d[\d ]*)"
)


def compact_rows(layout: TemplateLayout, header_end: int, compact: str, lines: list[int]) -> list[PrintedRow]:
    """Rows from compact text after the header: each located label, then its unit and digits up
    to the next label; text between them shaped like "label unit digits" is a row the catalog
    does not know. The table ends where the text after a row is neither."""
    spans: list[tuple[int, int]] = []
    for match in _label_search(layout).finditer(compact, header_end):
        if not spans or match.start() >= spans[-1][1]:
            spans.append((match.start(), match.end()))
    rows: list[PrintedRow] = []
    for index, (start, end) in enumerate(spans):
        limit = spans[index + 1][0] if index + 1 < len(spans) else len(compact)
        lead = re.search(_LEAD + "$", compact[max(header_end, start - 6) : start])
        label = compact[start - len(lead.group()) if lead else start : end]
        between = compact[end:limit]
        tail = _TAIL.match(between)
        if tail is not None:
            rows.append(_compact_row(label, tail["unit"] or "", (tail["run"] or "").strip(), lines[start]))
            continue
        head = _TAIL_START.match(between)
        rows.append(_compact_row(label, head["unit"] or "", (head["run"] or "").strip(), lines[start]))
        rest = between[head.end() :]
        unknown, covered = [], 0
        # Each row where the last ended (searching past a failed start, as finditer did, is
        # quadratic in a long stretch of text without digits).
        while (found := _UNKNOWN_ROW.match(rest, covered)) is not None:
            unknown.append(found)
            covered = found.end()
        if not unknown or not re.fullmatch(_LEAD, rest[covered:]):
            break  # the text after this row is not the table's: the table ends here
        offset = end + head.end()
        rows += [_compact_row(m["label"], m["unit"], m["run"].strip(), lines[offset + m.start()]) for m in unknown]
    return rows


def _compact_row(label: str, unit: str, run: str, line: int) -> PrintedRow:
    return PrintedRow(label, unit, None, Row((run,) if run else (), line), 0, run)


# ---------------------------------------------------------------------------------------------
# Records


@dataclass
class _Placed:
    entry: CatalogEntry | None
    status: str  # MATCHED, DUPLICATE or UNMAPPED
    code: str
    path: str
    printed: PrintedRow
    order: int


def _place(printed: list[PrintedRow], layout: TemplateLayout) -> list[_Placed]:
    """Catalog codes for printed rows, section by section (the same words under two parents)."""
    matcher = label_matcher(layout.template)
    codes = {row.code for row in layout.table.rows}
    section_code: str | None = None
    section_path = ""
    used: set[str] = set()
    placed = []
    for order, row in enumerate(printed, start=1):
        entry = matcher.match(row.label, section_code)
        if entry is not None and entry.code not in codes:
            entry = None
        if numbering_level(row.label) == 1 or (entry is not None and not entry.parent_code):
            section_code = entry.code if entry else None
            section_path = entry.label_zh if entry else clean_label(row.label)
        if entry is not None and entry.code in used:
            placed.append(_Placed(entry, DUPLICATE, f"duplicate:{entry.code}#{order}", entry.label_path, row, order))
        elif entry is not None:
            used.add(entry.code)
            placed.append(_Placed(entry, MATCHED, entry.code, entry.label_path, row, order))
        else:
            own = clean_label(row.label)
            path = own if numbering_level(row.label) == 1 or not section_path else f"{section_path}/{own}"
            code = f"unmapped:{section_code or '-'}:{normalize_label(row.label)}#{order}"
            placed.append(_Placed(None, UNMAPPED, code, path, row, order))
    return placed


def _identity(place: _Placed, table_id: str) -> RowIdentity:
    if place.entry is not None:
        return RowIdentity(table_id, place.code, place.path, place.entry.unit)
    return RowIdentity(table_id, place.code, place.path)


def _row_records(place: _Placed, columns: tuple[ColumnEntry, ...], table_id: str, resolution=None) -> list[CellRecord]:
    row = place.printed
    identity = _identity(place, table_id)
    is_section = row.unit in SECTION_UNITS or (place.entry is not None and place.entry.value_kind == "section")
    unit = "" if row.unit in SECTION_UNITS else row.unit
    common = {"unit": unit, "row_order": place.order}
    records = []
    if row.values is not None:
        values = list(row.values)
        if not any(v.strip() for v in values) or len(values) == len(columns):
            values = values + [""] * (len(columns) - len(values))  # a text form drops blank cells
        else:
            note = f"row printed {len(values)} cells for {len(columns)} columns: {' | '.join(values)}"
            return [
                cell_record(identity, c, "", row.source, row.label, place.status, status=AMBIGUOUS, note=note, **common)
                for c in columns
            ]
        for offset, (column, raw) in enumerate(zip(columns, values, strict=True)):
            status = NOT_APPLICABLE if is_section and not raw.strip() else None
            index = row.positions[offset] if offset < len(row.positions) else None
            records.append(
                cell_record(
                    identity,
                    column,
                    raw,
                    row.source,
                    row.label,
                    place.status,
                    status=status,
                    cell_index=index,
                    **common,
                )
            )
        return records
    # digits that ran together
    if not row.run:
        status = NOT_APPLICABLE if is_section else BLANK
        return [
            cell_record(identity, c, "", row.source, row.label, place.status, status=status, **common) for c in columns
        ]
    if resolution is None or resolution.parts is None:
        if resolution is None:
            how = "a row the catalog does not know cannot be split by its identities"
        elif resolution.candidates == 0:
            how = f"no split satisfies {', '.join(resolution.constraints)}"
        else:
            count = "too many" if resolution.candidates < 0 else str(resolution.candidates)
            how = f"{count} splits satisfy {', '.join(resolution.constraints)}"
        chunks = row.run.split()
        if resolution is None and len(chunks) == len(columns):  # spaces keep the cells apart
            return [
                cell_record(identity, c, raw, row.source, row.label, place.status, **common)
                for c, raw in zip(columns, chunks, strict=True)
            ]
        note = f"run-together digits '{row.run}': {how}"
        return [
            cell_record(identity, c, "", row.source, row.label, place.status, status=AMBIGUOUS, note=note, **common)
            for c in columns
        ]
    split = len(row.run.split()) < len(columns)  # cut by arithmetic, not by printed boundaries
    note = f"split from '{row.run}' by {', '.join(resolution.constraints)}" if split else ""
    return [
        cell_record(
            identity,
            c,
            part,
            row.source,
            row.label,
            place.status,
            status=INFERRED if split else None,
            note=note,
            **common,
        )
        for c, part in zip(columns, resolution.parts, strict=True)
    ]


def _resolve(placed: list[_Placed], layout: TemplateLayout, columns, facts) -> dict[str, Resolution]:
    """Split each matched row's run-together digits into the table's value columns."""
    runs = {p.code: p.printed.run for p in placed if p.status == MATCHED and p.printed.values is None and p.printed.run}
    if not runs:
        return {}
    template, table = layout.template, layout.table
    name, check = row_check(template, table, columns)
    printed = [p.code for p in placed if p.status == MATCHED]
    table_checks = column_checks(template, table, printed, columns)
    stated: dict[str, list[float]] = {}
    for fact in facts:
        stated.setdefault(fact.fact_code, []).append(fact.value)
    texts = stated_checks(template, set(printed), [c.code for c in columns], stated)
    return resolve_rows(runs, len(columns), check, name, table_checks, soft_checks=texts)


def pre2019_records(
    rows: list[Row], text: str, facts: list[NarrativeFact], template: str | None = None, compact_ok: bool = True
) -> Pre2019Table:
    """Every cell of the document's pre-2019 table. Raises Pre2019TableError when there is none."""
    header = find_header(rows, (template,) if template else PRE_2019)
    ending = ""
    if header is not None:
        layout = template_layout(header.template)
        printed, ending = printed_rows(rows, header, layout)
        columns = header.values
    else:
        if not compact_ok:
            raise Pre2019TableError("no 统计指标 / 单位 / 统计数 or 指标名称 / 计量单位 header")
        compact, lines = compact_text(text)
        found = find_compact_header(compact, (template,) if template else PRE_2019)
        if found is None:
            raise Pre2019TableError("no 统计指标 / 单位 / 统计数 or 指标名称 / 计量单位 header")
        template_found, match = found
        layout = template_layout(template_found)
        values = match["values"]
        columns = tuple(c for c in layout.table.columns if column_heading_pattern(c).search(values))
        printed = compact_rows(layout, match.end(), compact, lines)
    result = Pre2019Table(layout.template, title=table_title(rows, header, layout, text))
    if not printed:
        raise Pre2019TableError(f"the {layout.table.rows[0].entry.label_zh} table has a header but no rows")
    missing_columns = [c.label_zh for c in layout.table.columns if c not in columns]
    if missing_columns:
        result.notes.append(f"no {' / '.join(missing_columns)} column")
    placed = _place(printed, layout)
    resolved = _resolve(placed, layout, columns, facts)
    for place in placed:
        resolution = resolved.get(place.code) if place.printed.values is None else None
        result.records += _row_records(place, columns, layout.table.table_id, resolution)
        if place.status == UNMAPPED:
            result.notes.append(f"row not in the catalog kept as unmapped: {clean_label(place.printed.label)}")
    _check_complete(result, placed, layout, ending, columns)
    return result


def _check_complete(result: Pre2019Table, placed: list[_Placed], layout: TemplateLayout, ending: str, columns) -> None:
    """A table whose text stops before its last section, with no footer, was cut off; a required
    row a complete table does not print is ``missing``."""
    printed = {p.code for p in placed if p.status == MATCHED}
    if layout.last_section and ending == "text":
        sections = [p.code for p in placed if p.status == MATCHED and not p.entry.parent_code]
        if not sections or sections[-1] != layout.last_section:
            last = placed[-1].printed.label if placed else "the header"
            raise Pre2019TableError(
                f"statistics table cut off: text ends after {clean_label(last)!r} ({len(placed)} rows) "
                "before the table's last section or footer"
            )
    order = len(placed)
    for row in layout.table.rows:
        if row.required and row.code not in printed and row.entry.value_kind != "section":
            order += 1
            identity = RowIdentity.of(row.entry)
            result.records += [
                cell_record(
                    identity,
                    c,
                    "",
                    None,
                    "",
                    MATCHED,
                    status=MISSING,
                    note="row not found in the document",
                    row_order=order,
                )
                for c in columns
            ]
