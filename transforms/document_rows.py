"""Read a report in any text form into table rows: cells in document order, with source lines.

Forms: plain text with one cell per line (rows separated by blank lines), text with cells
separated by tabs or runs of spaces, markdown pipe tables (also split into fragments), and HTML
tables (rowspan/colspan expanded, site header and footer outside the tables ignored).
Interpreting the rows as 表二/表三/表四 is :mod:`transforms.post2019_tables`' job.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import lxml.etree
import lxml.html

from transforms.decoding import normalize_text
from transforms.limits import DEFAULT_LIMITS, OverLimitError, ReadLimits, check_limit

TEXT, MARKDOWN, HTML = "text", "markdown", "html"

# An OCR'd cell read this unsure, short or with digits in it, is a misread value rather than a
# label. Measured: row labels read at 0.52 and up, misread numbers at 0.10–0.30; a garbled
# header cell can be as unsure, but a header row has no values for it to join.
MISREAD_CONFIDENCE = 0.5
MISREAD_LENGTH = 3
PAGE_NUMBER = re.compile(r"^\s*[—\-–－]+\s*\d{1,3}\s*[—\-–－]+\s*$")
_MD_SEPARATOR = re.compile(r"^\s*:?-{2,}:?\s*$")
_MD_ROW = re.compile(r"^[^\S\n]*\|.*\|[^\S\n]*$", re.MULTILINE)
_MD_SEPARATOR_ROW = re.compile(r"^[^\S\n]*\|\s*:?-{2,}", re.MULTILINE)
_TRAILING_NUMBERS = re.compile(r"^(?P<label>.*?[^\d\s.,])\s+(?P<numbers>[-+]?\d[\d,.]*(?:\s+[-+]?\d[\d,.]*)*)$")
_SPACE_RUN = re.compile(r" {2,}")
_MD_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Header cells a PDF-to-markdown tool makes up for a table fragment: 数据1 | 数据2, Column 1, 列1.
_MD_MADE_UP_HEADER = re.compile(r"^(?:数据|列|字段|Column|Col)\s*\d+$", re.IGNORECASE)
_BLOCK_TAGS = ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article")


_SPAN = re.compile(r"\s*\+?0*([0-9]+)")


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    line: int  # 1-based line in the (normalised) source text; for PDFs, the row within its page
    page: int | None = None  # PDF page; spreadsheet sheet
    lines: tuple[int, ...] = ()  # each cell's own line, where cells sit on lines of their own
    table: int | None = None  # which table of the document (HTML, DOCX, spreadsheet); None: one stream
    confidences: tuple[float, ...] = ()  # each cell's OCR recognition confidence (0–1); () when not OCR'd

    def misread(self, index: int) -> bool:
        """Cell ``index`` was read by OCR as something no report prints there: a few characters,
        or digits among others ('知' for 44 under a seal's stroke, '59证'), read unsure."""
        if not self.confidences or self.confidences[index] >= MISREAD_CONFIDENCE:
            return False
        text = self.cells[index]
        return len(text) <= MISREAD_LENGTH or any(c.isdigit() for c in text)


@dataclass(frozen=True)
class Document:
    form: str
    text: str  # readable plain text, for metadata and narrative
    rows: list[Row]
    encoding: str = ""  # how the bytes were read: a text encoding, or the container ("pdf (3 pages)")
    content_id: str = ""  # hash of the normalised content: the same report in two encodings is one


def detect_form(text: str) -> str:
    head = text[:20000].lower()
    if "<table" in head or "<html" in head or "<body" in head:
        return HTML
    # [^\S\n]: spaces within the line (^\s* ran on over every blank line below each line start: quadratic).
    if _MD_ROW.search(text) and _MD_SEPARATOR_ROW.search(text):
        return MARKDOWN
    return TEXT


def read_document(text: str, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Rows of every table-like line or element in ``text`` (already normalised)."""
    form = detect_form(text)
    if form == HTML:
        return _read_html(text, limits)
    # Each line becomes a row of cells (~300 bytes a cell): bounded before, not after, they are made.
    # A cell ends at a tab, a space (numbers after a label) or a pipe, so these bound their number.
    check_limit("text has too many lines", text.count("\n") + 1, limits, "max_text_lines")
    separators = text.count("\n") + text.count("\t") + text.count(" ") + text.count("|")
    check_limit("text has too many cells", separators + 1, limits, "max_cells")
    return Document(form, text, _read_lines(text.split("\n"), markdown=form == MARKDOWN))


def _clean(cell: str) -> str:
    return " ".join(cell.split())  # whitespace runs to one space, trimmed (as \s+ → " ", faster)


def _split_line(line: str) -> list[str]:
    """Cells of one text line: tabs, else runs of 2+ spaces; trailing numbers split off a label."""
    cells = [_clean(c) for c in (line.split("\t") if "\t" in line else _SPACE_RUN.split(line.strip()))]
    first = next((i for i, cell in enumerate(cells) if cell), len(cells))
    cells = cells[first:]  # leading empty cells dropped (pop(0) one by one is quadratic)
    if cells:
        match = _TRAILING_NUMBERS.match(cells[-1])
        if match:
            cells[-1:] = [match["label"].strip(), *match["numbers"].split()]
    return cells


def _read_lines(lines: list[str], markdown: bool) -> list[Row]:
    rows: list[Row] = []
    block: list[str] = []  # one-cell-per-line row being collected
    block_lines: list[int] = []

    def flush() -> None:
        nonlocal block, block_lines
        if block:
            rows.append(Row(tuple(block), block_lines[0], lines=tuple(block_lines)))
        block, block_lines = [], []

    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped and line.startswith("\t") and line.count("\t") == 1:  # an empty cell of its own
            block.append("")
            block_lines.append(number)
            continue
        if not stripped:
            flush()
            continue
        if PAGE_NUMBER.match(stripped):
            continue
        if markdown and stripped.startswith("|"):
            flush()
            if "<" in stripped:
                stripped = _MD_BREAK.sub(" ", stripped)
            cells = [_clean(c) for c in stripped.strip("|").split("|")]
            if not all(_MD_SEPARATOR.match(c) for c in cells):
                rows.append(Row(tuple(cells), number))
            elif rows and rows[-1].line == number - 1 and all(_MD_MADE_UP_HEADER.match(c) for c in rows[-1].cells):
                rows.pop()  # the made-up header above this separator is no row of the report
            continue
        if line.startswith("\t") and line.count("\t") == 1:  # one cell per line, sample style
            block.append(_clean(line))
            block_lines.append(number)
            continue
        if block and not line.startswith("\t"):  # a wrapped cell continues the previous one
            first, *more = line.split("\t")  # and the row may go on, tab-separated, after it
            block[-1] += _clean(first)
            block += [_clean(cell) for cell in more]
            block_lines += [number] * len(more)
            continue
        flush()
        cells = _split_line(line)
        if cells:
            rows.append(Row(tuple(cells), number))
    flush()
    return rows


def _html_cell_text(cell) -> str:
    for br in cell.iter("br"):
        br.tail = " " + (br.tail or "")
    return _clean(normalize_text(cell.text_content()))


def _table_rows(table, index: int, limits: ReadLimits, cells_before: int) -> list[Row]:
    """Rows of one <table> with spans expanded: colspan copies dropped, rowspan labels repeated."""
    max_span = limits.max_table_span
    made = cells_before
    rows: list[Row] = []
    pending: dict[int, tuple[str, int]] = {}  # column → (text, rows left) from rowspans above
    for tr in table.iter("tr"):
        if next(tr.iterancestors("table")) is not table:  # a nested table's row
            continue
        cells: list[str] = []
        column = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while column in pending:
                cells.append(_take_rowspan(pending, column))
                column += 1
            text = _html_cell_text(td)
            colspan = html_span(td, "colspan", max_span)
            rowspan = html_span(td, "rowspan", max_span)
            cells.append(text)
            if rowspan > 1:
                pending[column] = (text, rowspan - 1)
            column += colspan
        while column in pending:
            cells.append(_take_rowspan(pending, column))
            column += 1
        made += len(cells)  # rowspans repeat cells into the rows below: counted as they are made
        check_limit("HTML tables have too many cells", made, limits, "max_cells")
        rows.append(Row(tuple(c for c in cells if c is not None), tr.sourceline or 0, table=index))
    return rows


_DATA_IMAGE = re.compile(
    r"""<img\b[^>]*?\bsrc\s*=\s*["']?\s*data:image/(?:png|jpe?g|gif|bmp|tiff?|webp)\s*;\s*base64\s*,([A-Za-z0-9+/=\s]+)""",
    re.IGNORECASE,
)


def html_images(html: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[bytes]:
    """The pictures an HTML page carries in itself (``<img src="data:image/png;base64,…">``), in
    page order: a statistics table saved as a picture. Pictures it links to are not in the file."""
    import base64
    import binascii

    images, total = [], 0
    for match in _DATA_IMAGE.finditer(html):
        try:
            image = base64.b64decode(re.sub(r"\s+", "", match[1]))
        except (binascii.Error, ValueError):
            continue  # a damaged picture adds nothing
        total += len(image)
        check_limit("HTML pictures too large", total, limits, "max_file_bytes", "bytes")
        images.append(image)
    return images


def html_span(cell, attribute: str, max_span: int) -> int:
    """A cell's colspan/rowspan as a browser reads it: its leading digits (``2;`` is 2, ``1e9`` is
    1), 1 when there are none or they are 0. A span over ``max_span`` is no table a report prints."""
    match = _SPAN.match(cell.get(attribute) or "")
    digits = match[1] if match else "1"
    span = int(digits) if len(digits) <= 100 else math.inf  # int() refuses over 4,300 digits
    if span > max_span:
        raise OverLimitError(f"HTML table cell {attribute}", span, "max_table_span", max_span)
    return max(span, 1)


def _take_rowspan(pending: dict[int, tuple[str, int]], column: int) -> str | None:
    text, left = pending[column]
    if left <= 1:
        del pending[column]
    else:
        pending[column] = (text, left - 1)
    # A label spanning rows gives each row its context; a spanned value must not be counted twice.
    return None if re.fullmatch(r"[-+]?\d[\d,.]*|", text) else text


# A character reference to a character XML cannot hold (&#11;, &#xFFFE;): lxml would put the
# character itself into the tree, where no text can be set next to it.
_XML_INCOMPATIBLE_REFERENCE = re.compile(
    r"&#(?:0*(?:[1-8]|1[1-2]|1[4-9]|2\d|3[01]|6553[45])|[xX]0*(?:[1-8bBcCeEfF]|1[\da-fA-F]|[fF]{3}[eEfF]))(?![\da-fA-F]);?"
)


def _nesting_depth(root) -> int:
    depth = deepest = 0
    for event, _element in lxml.etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


def _read_html(text: str, limits: ReadLimits) -> Document:
    root = lxml.html.fromstring(_XML_INCOMPATIBLE_REFERENCE.sub(" ", text))
    check_limit("HTML nested too deep", _nesting_depth(root), limits, "max_html_depth", "levels")
    check_limit("HTML has too many table rows", sum(1 for _ in root.iter("tr")), limits, "max_text_lines")
    for junk in root.xpath("//script|//style|//noscript"):
        junk.drop_tree()
    heading = root.xpath("string(//h1)").strip() or root.xpath("string(//title)").strip()
    rows: list[Row] = []
    made = 0
    for index, table in enumerate(root.iter("table"), start=1):
        table_rows = _table_rows(table, index, limits, made)
        made += sum(len(row.cells) for row in table_rows)
        rows.extend(table_rows)
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
    body = root.find("body")
    plain = normalize_text((body if body is not None else root).text_content())
    plain = "\n".join(line.strip() for line in plain.split("\n") if line.strip())
    return Document(HTML, f"{heading}\n{plain}", rows)
