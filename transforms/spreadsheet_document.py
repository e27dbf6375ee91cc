"""Read a spreadsheet attachment (.xlsx, .xls, .ods): every sheet's cells as rows, its titles as text.

Statistics tables of 2008–2018 were often published as workbooks rather than as reports. Each
sheet becomes rows of cell texts (``Row.line`` = the 1-based row number in the sheet,
``Row.page`` and ``Row.table`` = the 1-based sheet index, so no table runs across sheets), and a
plain text made of its title-like rows (the title above the table, "填报单位：…", dates, notes below
it) so that agency and year can be found when the workbook has no narrative; those rows stay in
the rows too. python-calamine parses the file; cells read as a person sees them: 136500.0 →
"136500", 0.30000000000000004 → "0.3", dates "2013年1月10日", an empty cell "" (trailing ones
dropped, interior ones kept), a header "计量\n单位" → "计量单位".

Merged cells, as HTML rowspan/colspan are read in :mod:`transforms.document_rows`: a horizontally
merged cell counts once; in the rows below its first, a vertically merged label is repeated and a
vertically merged number (or blank) is dropped, so it is not counted twice. calamine 0.9 gives the
merged ranges of .xlsx and .xls (``merged_cell_ranges``) but not of .ods (``None``); for .ods the
spans are read from content.xml here, which is parsed anyway to bound the cost.

Limitations: number formats are not applied (a cell shown as "50%" reads "0.5", "12.30" reads
"12.3", a date shown "2013/1/10" reads "2013年1月10日"); error values (#DIV/0!) and formulas without
a cached result read as blanks; a .xlsx cell written without its ``r`` reference escapes the size
guard below; .xlsb, Excel 2003 XML (SpreadsheetML) and "xls" files that are really HTML or text are
not spreadsheets by content (HTML goes to the HTML reader); Word 97-2003 .doc files are recognised
(:func:`is_word97`) but not read.

Cost: calamine builds each sheet as a dense rectangle over its used range, about 60 bytes a cell,
before any of it can be cut: one stray value at XFD1048576 makes a 5 KB .xlsx ask for 500 GB and
abort the process, one at IV65536 makes a .xls take 4 s and 1 GB. So the used range is measured
from the file first (cell references in the .xlsx sheet XML, cell records in the .xls BIFF stream,
rows and cells in the .ods content.xml) and a sheet over ``MAX_SHEET_CELLS`` is not handed to
calamine: a .xlsx sheet is skipped with a note (calamine reads .xlsx sheets one at a time); a .xls
or .ods workbook is refused (calamine reads all their sheets on opening). Of a sheet that is read,
at most ``MAX_ROWS`` × ``MAX_COLUMNS`` cells become rows, with a note when it was cut.
"""

from __future__ import annotations

import datetime
import io
import math
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import python_calamine

from transforms.decoding import normalize_text
from transforms.document_rows import Document, Row
from transforms.limits import DEFAULT_LIMITS, XML_PARSER_OPTIONS, FileTimeLimitError, ReadLimits, check_container
from transforms.zip_errors import ZIP_ERRORS, unreadable_zip

XLSX, XLS, ODS = "xlsx", "xls", "ods"

MAX_ROWS = 5_000  # rows of one sheet turned into Row objects
MAX_COLUMNS = 100  # columns of one sheet turned into cells
MAX_SHEET_CELLS = 2_000_000  # used-range area calamine may build for one sheet (~120 MB, ~0.5 s)
MAX_WORKBOOK_CELLS = 5_000_000  # and for all the sheets of a workbook together

_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NUMBER_OR_BLANK = re.compile(r"[-+]?\d[\d,.]*|")  # as document_rows._take_rowspan: not repeated down
_NUMBER = re.compile(r"[-+]?\d[\d,.]*%?")
_LINE_BREAK = re.compile(r"\s*\n\s*")
_PASS_THROUGH = (KeyboardInterrupt, SystemExit, FileTimeLimitError)


class UnreadableSpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why."""


@dataclass(frozen=True)
class Sheet:
    name: str
    index: int  # 1-based position in the workbook; its rows' ``page``
    rows: list[Row]  # every non-empty row, merged cells resolved
    text: str  # its title-like rows, one a line
    hidden: bool = False
    note: str = ""  # why rows are missing: cut at MAX_ROWS/MAX_COLUMNS, skipped as too large, …


@dataclass(frozen=True)
class Workbook:
    form: str  # XLSX, XLS or ODS
    sheets: list[Sheet] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        return [f"sheet {s.index} ({s.name}): {s.note}" for s in self.sheets if s.note]

    def document(self) -> Document:
        """The visible sheets as one document: their rows in order, their texts one after another
        (all sheets when only hidden ones have cells)."""
        shown = [sheet for sheet in self.sheets if not sheet.hidden and (sheet.rows or sheet.text)] or self.sheets
        text = "\n".join(sheet.text for sheet in shown if sheet.text)
        return Document(self.form, text, [row for sheet in shown for row in sheet.rows])


# --- what the bytes are -------------------------------------------------------------------------


def spreadsheet_form(data: bytes) -> str | None:
    """XLSX, XLS or ODS by content (never by file name); None when the bytes are none of them."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "xl/workbook.xml" in names:
                    return XLSX
                if "mimetype" in names and archive.read("mimetype").strip() == _ODS_MIMETYPE:
                    return ODS
        except ZIP_ERRORS:
            return None
        return None
    if data.startswith(OLE_SIGNATURE):
        streams = _ole_root_streams(data)
        if ("workbook" in streams or "book" in streams) and "worddocument" not in streams:
            return XLS
    return None


def is_spreadsheet(data: bytes) -> bool:
    """An .xlsx/.xlsm (ZIP with xl/workbook.xml), .xls (OLE2 file with a Workbook or Book stream)
    or .ods (ZIP whose mimetype says spreadsheet)."""
    return spreadsheet_form(data) is not None


def is_word97(data: bytes) -> bool:
    """A Word 97-2003 .doc: an OLE2 file with a WordDocument stream at its root. Not read here."""
    return data.startswith(OLE_SIGNATURE) and "worddocument" in _ole_root_streams(data)


# --- reading ------------------------------------------------------------------------------------


def _open(data: bytes, limits: ReadLimits) -> tuple[str, _Layout, object]:
    """The workbook's form, its layout (measured before calamine builds anything) and calamine's
    workbook; raises UnreadableSpreadsheetError."""
    form = spreadsheet_form(data)
    if form is None:
        raise UnreadableSpreadsheetError(_not_a_spreadsheet(data))
    layout = _layout(form, data, limits)
    try:
        return form, layout, python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except _PASS_THROUGH:
        raise
    except BaseException as exc:  # CalamineError, or a Rust panic (PanicException, a BaseException)
        reason = _calamine_reason(exc)
        if reason.endswith("Cannot detect file format"):  # calamine tried every format and says no more
            reason = f"spreadsheet cannot be opened: a damaged or unsupported .{form} file"
        raise UnreadableSpreadsheetError(reason) from exc


def read_spreadsheet(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Workbook:
    """Every sheet of the workbook, in order, with its rows, title text and any note.

    Raises :class:`UnreadableSpreadsheetError` when the file cannot be read at all, or has no cells.
    """
    form, layout, calamine = _open(data, limits)
    try:
        sheets = _read_sheets(calamine, layout)
    finally:
        calamine.close()
    if not any(sheet.rows or sheet.text for sheet in sheets):
        notes = [f"sheet {s.index}: {s.note}" for s in sheets if s.note]
        raise UnreadableSpreadsheetError("; ".join(notes) if notes else "spreadsheet has no cells")
    return Workbook(form, sheets)


def first_sheet_values(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> list[list]:
    """The first sheet's cell values as calamine gives them (a string keeps its line breaks), under
    the same size guards as :func:`read_spreadsheet`: a crawler export saved as a workbook."""
    _, layout, calamine = _open(data, limits)
    try:
        name = calamine.sheets_metadata[0].name if calamine.sheets_metadata else ""
        if layout.areas.get(name, 0) > MAX_SHEET_CELLS:
            raise UnreadableSpreadsheetError(f"spreadsheet too large to read: {_too_large(layout.areas[name])}")
        return calamine.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except _PASS_THROUGH:
        raise
    except UnreadableSpreadsheetError:
        raise
    except BaseException as exc:
        raise UnreadableSpreadsheetError(_calamine_reason(exc)) from exc
    finally:
        calamine.close()


def read_spreadsheet_document(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """The workbook as one :class:`Document` (form "xlsx", "xls" or "ods"): rows of its visible
    sheets (``page`` = sheet index), their title texts joined. Notes are on :func:`read_spreadsheet`."""
    return read_spreadsheet(data, limits).document()


def _not_a_spreadsheet(data: bytes) -> str:
    if data.startswith(OLE_SIGNATURE):
        streams = _ole_root_streams(data)
        if "worddocument" in streams:
            return "Word 97-2003 .doc: save as .docx or PDF"
        if "encryptedpackage" in streams:
            return "password-protected (encrypted) Office file"
        return "spreadsheet cannot be opened: OLE2 file without a workbook stream"
    if data.startswith(b"PK\x03\x04"):
        return "spreadsheet cannot be opened: damaged ZIP archive or not a workbook"
    return "not a spreadsheet (.xlsx, .xls or .ods)"


def _calamine_reason(exc: BaseException) -> str:
    if isinstance(exc, python_calamine.PasswordError):
        return "password-protected spreadsheet"
    return f"spreadsheet cannot be opened: {exc}".rstrip(": ")


@dataclass
class _Layout:
    """What the file says about its sheets before calamine reads them (keyed by sheet name)."""

    areas: dict[str, int] = field(default_factory=dict)  # used-range cells; .xlsx only
    merges: dict[str, list] = field(default_factory=dict)  # .ods only: calamine gives none


def _read_sheets(calamine, layout: _Layout) -> list[Sheet]:
    sheets: list[Sheet] = []
    budget = MAX_WORKBOOK_CELLS
    for index, meta in enumerate(calamine.sheets_metadata, start=1):
        name = meta.name
        hidden = meta.visible != python_calamine.SheetVisibleEnum.Visible
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            sheets.append(Sheet(name, index, [], "", hidden, "not a worksheet (chart, macro or dialog sheet)"))
            continue
        area = layout.areas.get(name, 0)
        if area > MAX_SHEET_CELLS or area > budget:
            sheets.append(Sheet(name, index, [], "", hidden, f"skipped: {_too_large(area)}"))
            continue
        budget -= area
        try:
            sheet = calamine.get_sheet_by_index(index - 1)  # builds the sheet; once only
            start = sheet.start
            values = sheet.to_python(skip_empty_area=True, nrows=MAX_ROWS) if start is not None else []
            height, width = sheet.height, sheet.width
            merges = sheet.merged_cell_ranges
        except _PASS_THROUGH:
            raise
        except BaseException as exc:
            reason = f"{type(exc).__name__}: {exc}".rstrip(": ")
            sheets.append(Sheet(name, index, [], "", hidden, f"skipped: damaged or unreadable sheet ({reason})"))
            continue
        if merges is None:
            merges = layout.merges.get(name, [])
        note = []
        if height > MAX_ROWS:
            note.append(f"cut to its first {MAX_ROWS:,} of {height:,} rows")
        if width > MAX_COLUMNS:
            note.append(f"cut to its first {MAX_COLUMNS} of {width:,} columns")
        rows, text = _sheet_rows(values, start or (0, 0), merges, index)
        sheets.append(Sheet(name, index, rows, text, hidden, "; ".join(note)))
    return sheets


def _too_large(area: int) -> str:
    return f"its used range has {area:,} cells (values far from the table?), too large to read"


# --- cells --------------------------------------------------------------------------------------


def _number_text(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # 136500.0 → "136500"; -0.0 → "0"
    text = f"{value:.15g}"  # the 15 digits a double holds: 0.30000000000000004 → "0.3"
    return format(Decimal(text), "f") if "e" in text else text  # 1e-05 → "0.00001"


def _date_text(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"  # as report_metadata reads dates


def _time_text(value: datetime.time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


def _cell(value) -> tuple[str, str]:
    """A cell as (one-line text, text with its line breaks kept) — the second for title text."""
    if isinstance(value, str):
        if not value or value.isspace():
            return "", ""
        text = normalize_text(value)
        if "\n" not in text:
            line = " ".join(text.split())
            return line, line
        # A header wraps inside its cell ("计量\n单位"); Chinese joins without a space.
        lines = "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())
        return " ".join(_LINE_BREAK.sub("", text).split()), lines
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = _number_text(value)
    elif isinstance(value, datetime.datetime):
        clock = value.time()
        text = _date_text(value) + (f" {_time_text(clock)}" if clock != datetime.time() else "")
    elif isinstance(value, datetime.date):
        text = _date_text(value)
    elif isinstance(value, datetime.time):
        text = _time_text(value)
    elif isinstance(value, datetime.timedelta):
        text = str(value)
    else:
        text = "" if value is None else str(value)
    return text, text


def _sheet_rows(values: list[list], start: tuple[int, int], merges, page: int) -> tuple[list[Row], str]:
    """Rows of a sheet's cells (``values`` from its top-left used cell ``start``), merges resolved."""
    top, left = start
    width = min(MAX_COLUMNS, max((len(row) for row in values), default=0))
    grid = [[_cell(value) for value in row[:width]] for row in values]
    height = len(grid)
    covered: dict[tuple[int, int], tuple[int, int]] = {}  # cell inside a merge → the merge's origin
    for (first_row, first_column), (last_row, last_column) in merges:
        origin = (first_row - top, first_column - left)
        for r in range(max(first_row - top, 0), min(last_row - top, height - 1) + 1):
            for c in range(max(first_column - left, 0), min(last_column - left, width - 1) + 1):
                if (r, c) != origin:
                    covered[r, c] = origin
    # A blank cell at a row's end is still a cell of the table (a blank, not a missing column), up
    # to the sheet's last column that holds anything; formatting alone widens no table.
    filled = max((c for row in grid for c, cell in enumerate(row) if cell[0]), default=-1)
    rows: list[Row] = []
    lines: list[list[str]] = []  # per row: its cells' texts with line breaks kept
    for r, cells_in in enumerate(grid):
        cells: list[tuple[str, str]] = []
        for c, cell in enumerate(cells_in):
            origin = covered.get((r, c))
            if origin is None:
                cells.append(cell)
                continue
            origin_row, origin_column = origin
            if origin_row == r or c != max(origin_column, 0):
                continue  # a copy across a horizontal span counts once
            spanned = grid[origin_row][origin_column] if origin_row >= 0 and origin_column >= 0 else ("", "")
            if not _NUMBER_OR_BLANK.fullmatch(spanned[0]):
                cells.append(spanned)  # a label gives its rows their context; a number is not repeated
        if not any(text for text, _ in cells):
            continue
        cells = cells[: filled + 1]
        if cells:
            rows.append(Row(tuple(text for text, _ in cells), top + r + 1, page, table=page))
            lines.append([kept for _, kept in cells])
    return rows, _title_text(rows, lines)


def _title_text(rows: list[Row], lines: list[list[str]]) -> str:
    """Rows outside the table grid, one a line: a row of a single cell (a title, a note, a date),
    or, above and below the rows holding numbers, a row with a "label：value" cell (填报单位：…).
    A sheet without numbers is all text."""
    numbered = [i for i, row in enumerate(rows) if any(_NUMBER.fullmatch(cell) for cell in row.cells)]
    first, last = (numbered[0], numbered[-1]) if numbered else (len(rows), -1)
    with_numbers = set(numbered)
    text: list[str] = []
    for i, row in enumerate(rows):
        if i in with_numbers:
            continue
        filled = [kept for kept in lines[i] if kept]
        if len(filled) == 1:
            text.append(filled[0])  # a single cell keeps its own line breaks
        elif not numbered or (not first <= i <= last and any("：" in cell or ":" in cell for cell in row.cells)):
            text.append(" ".join(cell for cell in row.cells if cell))
    return "\n".join(text)


# --- the size of each sheet, from the file itself -----------------------------------------------


def _layout(form: str, data: bytes, limits: ReadLimits) -> _Layout:
    if form == XLS:
        _check_xls(data)
        return _Layout()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_container(archive, limits, f".{form}")
            return _xlsx_layout(archive) if form == XLSX else _ods_layout(archive)
    except ZIP_ERRORS as exc:
        if not unreadable_zip(exc):
            raise
        raise UnreadableSpreadsheetError(f"spreadsheet cannot be opened: {exc}") from exc


def _check_area(areas: list[int]) -> None:
    """.xls and .ods: calamine builds every sheet on opening, so one oversized sheet refuses all."""
    for number, area in enumerate(areas, start=1):
        if area > MAX_SHEET_CELLS:
            raise UnreadableSpreadsheetError(f"spreadsheet too large to read: sheet {number}: {_too_large(area)}")
    if sum(areas) > MAX_WORKBOOK_CELLS:
        raise UnreadableSpreadsheetError(f"spreadsheet too large to read: {sum(areas):,} cells in its sheets")


class _Extent:
    """The rectangle around a sheet's value cells (0-based, inclusive)."""

    def __init__(self) -> None:
        self.top = self.left = math.inf
        self.bottom = self.right = -1

    def add(self, top: int, left: int, bottom: int, right: int) -> None:
        self.top, self.left = min(self.top, top), min(self.left, left)
        self.bottom, self.right = max(self.bottom, bottom), max(self.right, right)

    @property
    def area(self) -> int:
        return 0 if self.bottom < 0 else int((self.bottom - self.top + 1) * (self.right - self.left + 1))


# A .xlsx cell with a value: a <c> start tag with its reference, neither self-closing nor empty.
# Any reference calamine reads, also one beyond XFD1048576 (r="ZZZZZZ9": calamine builds a range
# of 10^10 cells, and the allocation failure aborts the process).
_XLSX_VALUE_CELL = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*(?<!/)>(?!</)')
_FAR = 10**12  # a row or column number beyond any sheet: longer references count as this far


def _column_number(letters: bytes) -> int:
    if len(letters) > 8:
        return _FAR
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number - 1


def _xlsx_layout(archive: zipfile.ZipFile) -> _Layout:
    """The used-range area of each worksheet, by sheet name, from the cell references."""
    from lxml import etree

    try:
        parser = etree.XMLParser(**XML_PARSER_OPTIONS)
        workbook = etree.fromstring(archive.read("xl/workbook.xml"), parser)
        relations = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), parser)
    except (KeyError, etree.XMLSyntaxError):
        return _Layout()  # calamine says what is wrong
    targets = {rel.get("Id"): rel.get("Target", "") for rel in relations.iter("{*}Relationship")}
    layout = _Layout()
    for sheet in workbook.iter("{*}sheet"):
        relation = next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None)
        target = targets.get(relation, "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        try:
            xml = archive.read(part)
        except KeyError:
            continue
        extent = _Extent()
        cells = _XLSX_VALUE_CELL.findall(xml)
        if cells:
            columns = [_column_number(letters) for letters in {letters for letters, _ in cells}]
            rows = [int(number) if len(number) <= 12 else _FAR for _, number in cells]
            extent.add(min(rows) - 1, min(columns), max(rows) - 1, max(columns))
        layout.areas[sheet.get("name", "")] = extent.area
    return layout


_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _int_attribute(element, name: str) -> int:
    try:
        return max(1, int(element.get(name, "1")))
    except ValueError:
        return 1


def _ods_layout(archive: zipfile.ZipFile) -> _Layout:
    """Each table's used-range area (refused here if too large) and merged ranges, by table name."""
    from lxml import etree

    layout = _Layout()
    areas: list[int] = []
    try:
        content = archive.read("content.xml")
    except KeyError:
        return layout
    cell_tags = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")
    name, extent, merges = "", _Extent(), []
    row = column = 0
    repeat_rows = 1
    try:
        for event, element in etree.iterparse(
            io.BytesIO(content),
            events=("start", "end"),
            tag=(f"{_TABLE}table", f"{_TABLE}table-row", *cell_tags),
            **XML_PARSER_OPTIONS,
        ):
            if event == "start":
                if element.tag == f"{_TABLE}table":
                    name, extent, merges, row = element.get(f"{_TABLE}name", ""), _Extent(), [], 0
                elif element.tag == f"{_TABLE}table-row":
                    column, repeat_rows = 0, _int_attribute(element, f"{_TABLE}number-rows-repeated")
                continue
            if element.tag in cell_tags:
                repeat = _int_attribute(element, f"{_TABLE}number-columns-repeated")
                spans = (
                    _int_attribute(element, f"{_TABLE}number-rows-spanned"),
                    _int_attribute(element, f"{_TABLE}number-columns-spanned"),
                )
                if spans != (1, 1):
                    merges.append(((row, column), (row + spans[0] - 1, column + spans[1] - 1)))
                if element.tag == cell_tags[0] and (element.get(f"{_OFFICE}value-type") or len(element)):
                    extent.add(row, column, row + repeat_rows - 1, column + repeat - 1)
                column += repeat
            elif element.tag == f"{_TABLE}table-row":
                row += repeat_rows
                element.clear()
            else:
                layout.merges[name] = merges
                areas.append(extent.area)
    except etree.XMLSyntaxError:
        return layout  # calamine says what is wrong
    _check_area(areas)
    return layout


# --- OLE2 compound files (.xls, .doc): the root's streams, one stream's bytes ---------------------

_FREE_SECTOR, _END_OF_CHAIN, _LAST_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFA


class _OleError(ValueError):
    pass


class _Ole:
    """Just enough of [MS-CFB] to list the root storage's streams and read one of them."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or not data.startswith(OLE_SIGNATURE):
            raise _OleError("not an OLE2 file")
        self.data = data
        (major,) = struct.unpack_from("<H", data, 0x1A)
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise _OleError("bad sector size")
        self.sector_size = 1 << shift
        fat_count, directory_start, _, self.mini_cutoff, minifat_start, _, difat_start, difat_count = (
            struct.unpack_from("<8I", data, 0x2C)
        )
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sector, per_sector = difat_start, self.sector_size // 4
        for _ in range(min(difat_count, len(data) // self.sector_size)):
            if sector > _LAST_SECTOR:
                break
            entries = struct.unpack(f"<{per_sector}I", self._sector(sector))
            difat.extend(entries[:-1])
            sector = entries[-1]
        self.fat: list[int] = []
        for sector in [s for s in difat if s <= _LAST_SECTOR][:fat_count]:
            self.fat.extend(struct.unpack(f"<{per_sector}I", self._sector(sector)))
        directory = self._chain_bytes(directory_start)
        self.entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
        if not self.entries or self.entries[0][66] != 5:
            raise _OleError("no root entry")
        self.minifat_start = minifat_start
        self.large_sizes = major == 4
        self.streams = self._root_streams()

    def _sector(self, sector: int) -> bytes:
        offset = (sector + 1) * self.sector_size
        if offset >= len(self.data):
            raise _OleError("sector beyond the end of the file")
        return self.data[offset : offset + self.sector_size]

    def _chain(self, start: int, table: list[int]) -> list[int]:
        chain: list[int] = []
        sector = start
        while sector <= _LAST_SECTOR:
            if sector >= len(table) or len(chain) > len(table):
                raise _OleError("broken sector chain")
            chain.append(sector)
            sector = table[sector]
        return chain

    def _chain_bytes(self, start: int) -> bytes:
        return b"".join(self._sector(sector) for sector in self._chain(start, self.fat))

    def _entry(self, number: int) -> tuple[str, int, int, int, int, int, int]:
        entry = self.entries[number]
        (length,) = struct.unpack_from("<H", entry, 64)
        name = entry[: max(0, min(length, 64) - 2)].decode("utf-16-le", "replace")
        left, right, child = struct.unpack_from("<3I", entry, 68)
        start, size = struct.unpack_from("<IQ", entry, 116)
        if not self.large_sizes:
            size &= 0xFFFFFFFF  # version 3 files may leave garbage in the high half
        return name, entry[66], left, right, child, start, size

    def _root_streams(self) -> dict[str, tuple[int, int]]:
        """Streams directly in the root storage (not in sub-storages such as an embedded object's),
        by case-folded name: (first sector, size)."""
        streams: dict[str, tuple[int, int]] = {}
        pending, seen = [self._entry(0)[4]], set()
        while pending:
            number = pending.pop()
            if number >= len(self.entries) or number in seen:
                continue
            seen.add(number)
            name, kind, left, right, _, start, size = self._entry(number)
            if kind == 2:
                streams[name.casefold()] = (start, size)
            pending += [left, right]
        return streams

    def read(self, name: str) -> bytes:
        start, size = self.streams[name.casefold()]
        if size >= self.mini_cutoff:
            return self._chain_bytes(start)[:size]
        _, _, _, _, _, root_start, root_size = self._entry(0)
        mini_stream = self._chain_bytes(root_start)[:root_size]
        minifat_bytes = self._chain_bytes(self.minifat_start) if self.minifat_start <= _LAST_SECTOR else b""
        minifat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
        return b"".join(mini_stream[s * 64 : s * 64 + 64] for s in self._chain(start, minifat))[:size]


def _open_ole(data: bytes) -> _Ole | None:
    try:
        return _Ole(data)
    except (_OleError, struct.error, IndexError):
        return None


def _ole_root_streams(data: bytes) -> dict[str, tuple[int, int]]:
    ole = _open_ole(data)
    return ole.streams if ole is not None else {}


# BIFF records whose first four bytes are the cell's row and column (BIFF5/BIFF8).
_BIFF_CELLS = frozenset({0x0006, 0x00D6, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E})  # blanks are not cells
_BIFF_MULRK, _BIFF_BOF, _BIFF_EOF, _BIFF_FILEPASS, _BIFF_BOUNDSHEET = 0x00BD, 0x0809, 0x000A, 0x002F, 0x0085
_BIFF_DIMENSIONS = 0x0200


def _check_xls(data: bytes) -> None:
    """Refuse an encrypted .xls, or one with a sheet calamine would build too large."""
    ole = _open_ole(data)
    if ole is None:
        return  # calamine says what is wrong
    try:
        stream = ole.read("workbook" if "workbook" in ole.streams else "book")
    except (_OleError, struct.error, IndexError):
        return
    sheets: list[int] = []
    position = 0
    while position + 4 <= len(stream):  # the workbook globals: sheet positions, encryption
        kind, length = struct.unpack_from("<HH", stream, position)
        if kind == _BIFF_FILEPASS:
            raise UnreadableSpreadsheetError("password-protected spreadsheet")
        if kind == _BIFF_BOUNDSHEET and length >= 4:
            sheets.append(struct.unpack_from("<I", stream, position + 4)[0])
        if kind == _BIFF_EOF:
            break
        position += 4 + length
    _check_area([_biff_sheet_area(stream, start) for start in sheets])


def _dimensions_area(body: bytes) -> int:
    """The cells calamine makes room for from a sheet's DIMENSIONS record, computed as it does (in
    unsigned 32-bit arithmetic: a first row after the last wraps round to billions of rows)."""
    if len(body) == 10:
        first_row, end_row, first_column, end_column = struct.unpack_from("<4H", body)
    elif len(body) == 14:
        first_row, end_row, first_column, end_column = struct.unpack_from("<IIHH", body)
    else:
        return 0  # calamine refuses the record
    if end_row < 1 or end_column < 1:
        return 1
    return ((end_row - first_row) % 2**32) * ((end_column - first_column) % 2**32)


def _biff_sheet_area(stream: bytes, position: int) -> int:
    """The larger of the sheet's used range (its value cells) and the area its DIMENSIONS record
    declares: calamine builds the one and makes room for the other."""
    extent = _Extent()
    declared = 0
    depth = 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        body = position + 4
        if kind == _BIFF_BOF:
            depth += 1
        elif kind == _BIFF_EOF:
            depth -= 1
            if depth <= 0:
                break
        elif depth == 1 and length >= 6 and (kind in _BIFF_CELLS or kind == _BIFF_MULRK):
            row, column = struct.unpack_from("<HH", stream, body)
            last = struct.unpack_from("<H", stream, body + length - 2)[0] if kind == _BIFF_MULRK else column
            extent.add(row, column, row, max(column, last))
        elif depth >= 1 and kind == _BIFF_DIMENSIONS:
            declared = max(declared, _dimensions_area(stream[body : body + length]))
        position = body + length
    return max(extent.area, declared)
