"""Read a PDF report with a text layer: its tables as rows (cell boundaries from the ruling lines),
its text for metadata. A PDF without a text layer (a scan) cannot be read without OCR.

PDFium (pypdfium2) parses the page: characters with their boxes and the ruling lines drawn as
paths. pdfminer, under pdfplumber, took ten times as long to interpret the same pages (about
0.1 s a page), which a folder of thousands of PDFs cannot afford. The grid is then found by
pdfplumber's table finder, fed those characters and lines, so cells come out as pdfplumber reads
them: a merged cell (rowspan/colspan) is None and is dropped like an HTML span copy, a drawn but
empty cell is an empty string (a blank, not a zero). Tables that break across pages simply
continue in the row stream. A page whose text objects have no extent (a font without usable
metrics) sends the whole file through pdfminer instead: PDFium's text page drops characters there.
"""

from __future__ import annotations

import bisect
import ctypes
import io
import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from transforms.decoding import normalize_text
from transforms.document_rows import PAGE_NUMBER, Document, Row
from transforms.limits import DEFAULT_LIMITS, ReadLimits, check_limit

PDF = "pdf"

# Two points closer than this (in PDF points) along an axis lie on one ruling line; PDFium's
# matrix arithmetic leaves float noise that pdfminer's own coordinates did not have.
_AXIS_TOLERANCE = 0.01


class UnreadablePdfError(ValueError):
    """The PDF cannot be read as text; the message says why."""


class NoTextLayerError(UnreadablePdfError):
    """The PDF's pages are images (a scan): only OCR can read it."""


@dataclass(frozen=True)
class PdfDocument:
    document: Document
    pages: int
    page_texts: tuple[str, ...] = ()  # each page's text, in page order
    scanned_pages: tuple[int, ...] = ()  # pages (1-based) with no text but an image: scans, for OCR


@dataclass(frozen=True)
class _Page:
    """The part of a pdfplumber page its table finder reads, built from PDFium."""

    chars: list[dict]
    edges: list[dict]
    bbox: tuple[float, float, float, float]


def _cell(text: str | None) -> str | None:
    if text is None:
        return None
    # A cell's text wraps onto several lines; Chinese joins without a space.
    joined = re.sub(r"\s*\n\s*", "", text)
    return re.sub(r"\s+", " ", normalize_text(joined)).strip()


def _em(textpage, index: int) -> float:
    """The character's em size in page space: its font size scaled by its text matrix."""
    import pypdfium2.raw as pdfium

    m = pdfium.FS_MATRIX()
    pdfium.FPDFText_GetMatrix(textpage, index, m)
    return pdfium.FPDFText_GetFontSize(textpage, index) * math.sqrt(abs(m.a * m.d - m.b * m.c))


def _page_chars(textpage, height: float) -> list[dict]:
    import pypdfium2.raw as pdfium

    loose = pdfium.FS_RECTF()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    chars = []
    for index in range(pdfium.FPDFText_CountChars(textpage)):
        code = pdfium.FPDFText_GetUnicode(textpage, index)
        if code in (0, 0xFFFE, 0xFFFF, 0xFFFD) or 0xD800 <= code <= 0xDFFF:
            continue  # no text, or half of a character outside the BMP (reports use none)
        char = chr(code)
        if char in "\r\n":
            continue
        if char.isspace() and pdfium.FPDFText_IsGenerated(textpage, index):
            continue  # PDFium's own spaces and line breaks: the cell geometry places the text
        if not pdfium.FPDFText_GetCharBox(textpage, index, left, right, bottom, top):
            continue
        box = (left.value, right.value, bottom.value, top.value)
        # The loose box spans the font's ascent to descent and the glyph's advance, as pdfminer's
        # did: a full stop's tight box sits on the baseline and would fall out of its line. But
        # PDFium's loose box of a character set one per line (a vertical group label) can be
        # twenty times too wide; then the tight box is the truth.
        pdfium.FPDFText_GetLooseCharBox(textpage, index, loose)
        width, height_ = loose.right - loose.left, loose.top - loose.bottom
        glyph = max(box[1] - box[0], box[3] - box[2])
        if max(width, height_) <= 2 * glyph or max(width, height_) <= 1.5 * _em(textpage, index):
            box = (loose.left, loose.right, loose.bottom, loose.top)
        chars.append(
            {"text": char, "x0": box[0], "x1": box[1], "top": height - box[3],
             "bottom": height - box[2], "doctop": height - box[3], "upright": True}
        )  # fmt: skip
    return chars


def _matrix(obj) -> tuple[float, ...]:
    import pypdfium2.raw as pdfium

    m = pdfium.FS_MATRIX()
    pdfium.FPDFPageObj_GetMatrix(obj, m)
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _path_points(obj, matrix: tuple[float, ...]) -> Iterator[list[tuple[float, float]]]:
    """Each subpath of a path object as a polyline in page space; a curve ends a polyline."""
    import pypdfium2.raw as pdfium

    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    polyline: list[tuple[float, float]] = []
    start = None  # the current subpath's first point, where closing it returns
    for index in range(pdfium.FPDFPath_CountSegments(obj)):
        segment = pdfium.FPDFPath_GetPathSegment(obj, index)
        pdfium.FPDFPathSegment_GetPoint(segment, x, y)
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = pdfium.FPDFPathSegment_GetType(segment)
        if kind == pdfium.FPDF_SEGMENT_MOVETO or start is None:
            start = point
        if kind == pdfium.FPDF_SEGMENT_LINETO and polyline:
            polyline.append(point)
        else:
            if len(polyline) > 1:
                yield polyline
            polyline = [point]  # a move, or a curve: a line drawn after it starts at its end point
        if pdfium.FPDFPathSegment_GetClose(segment):
            polyline.append(start)
            yield polyline
            polyline = [start]  # after closing, drawing continues from the subpath's start
    if len(polyline) > 1:
        yield polyline


def _page_objects(container, count, get, matrix: tuple | None) -> Iterator[tuple[object, int, tuple]]:
    """Path and text objects with their type and page-space matrix, descending into form XObjects."""
    import pypdfium2.raw as pdfium

    for index in range(count(container)):
        obj = get(container, index)
        kind = pdfium.FPDFPageObj_GetType(obj)
        if kind == pdfium.FPDF_PAGEOBJ_TEXT:
            yield obj, kind, ()
        elif kind in (pdfium.FPDF_PAGEOBJ_PATH, pdfium.FPDF_PAGEOBJ_FORM):  # images draw no ruling lines
            own = _matrix(obj) if matrix is None else _compose(_matrix(obj), matrix)
            if kind == pdfium.FPDF_PAGEOBJ_PATH:
                yield obj, kind, own
            else:
                yield from _page_objects(obj, pdfium.FPDFFormObj_CountObjects, pdfium.FPDFFormObj_GetObject, own)


def _degenerate_text(objects: list[tuple[object, int, tuple]]) -> bool:
    """A text object without width or height: its font gives PDFium no usable metrics, and PDFium's
    text page then drops characters (a one-character line vanished in tests). pdfminer reads them."""
    import pypdfium2.raw as pdfium

    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    for obj, kind, _ in objects:
        if kind != pdfium.FPDF_PAGEOBJ_TEXT or not pdfium.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            continue
        if right.value - left.value < 0.01 or top.value - bottom.value < 0.01:
            return True
    return False


def _page_edges(objects: list[tuple[object, int, tuple]], height: float) -> list[dict]:
    """Horizontal and vertical segments of every drawn path, as pdfplumber's edges."""
    import pypdfium2.raw as pdfium

    edges = []
    for obj, kind, matrix in objects:
        if kind != pdfium.FPDF_PAGEOBJ_PATH:
            continue
        for polyline in _path_points(obj, matrix):
            for (x0, y0), (x1, y1) in itertools.pairwise(polyline):
                if abs(y0 - y1) <= _AXIS_TOLERANCE and abs(x0 - x1) > _AXIS_TOLERANCE:
                    top = height - y0
                    edges.append(
                        {"x0": min(x0, x1), "x1": max(x0, x1), "top": top, "bottom": top, "width": abs(x1 - x0),
                         "height": 0.0, "orientation": "h", "object_type": "curve_edge"}
                    )  # fmt: skip
                elif abs(x0 - x1) <= _AXIS_TOLERANCE and abs(y0 - y1) > _AXIS_TOLERANCE:
                    top, bottom = height - max(y0, y1), height - min(y0, y1)
                    edges.append(
                        {"x0": x0, "x1": x0, "top": top, "bottom": bottom, "width": 0.0,
                         "height": bottom - top, "orientation": "v", "object_type": "curve_edge"}
                    )  # fmt: skip
    return edges


def _cluster(values: list[float], tolerance: float) -> dict[float, int]:
    """Chain values closer than the tolerance into one cluster, as pdfplumber clusters lines."""
    clusters: dict[float, int] = {}
    previous, number = None, -1
    for value in sorted(set(values)):
        if previous is None or value - previous > tolerance:
            number += 1
        clusters[value] = number
        previous = value
    return clusters


def pdf_cell_text(chars: list[dict]) -> str:
    """A cell's characters as lines of words, with pdfplumber's default tolerances (3 pt)."""
    line_of = _cluster([c["top"] for c in chars], 3)
    lines = []
    ordered = sorted(chars, key=lambda c: (line_of[c["top"]], c["x0"]))
    for _, line in itertools.groupby(ordered, key=lambda c: line_of[c["top"]]):
        words, word, previous = [], "", None
        for char in line:
            if char["text"].isspace():
                words.append(word)
                word, previous = "", None
                continue
            if previous is not None and (char["x0"] > previous["x1"] + 3 or char["x0"] < previous["x0"]):
                words.append(word)
                word = ""
            word += char["text"]
            previous = char
        words.append(word)
        lines.append(" ".join(w for w in words if w))
    return "\n".join(lines)


def _table_cells(table, chars_by_middle: list[tuple[float, float, dict]]) -> list[list[str | None]]:
    """Each row's cells as text: a character belongs to the cell holding its centre."""
    middles = [m[0] for m in chars_by_middle]
    rows = []
    for row in table.rows:
        _, top, _, bottom = row.bbox
        in_row = chars_by_middle[bisect.bisect_left(middles, top) : bisect.bisect_left(middles, bottom)]
        texts: list[str | None] = []
        for cell in row.cells:
            if cell is None:
                texts.append(None)
                continue
            x0, top, x1, bottom = cell
            inside = [c for v, h, c in in_row if x0 <= h < x1 and top <= v < bottom]
            texts.append(pdf_cell_text(inside) if inside else "")
        rows.append(texts)
    return rows


def _intersections_to_cells(intersections: dict) -> list[tuple[float, float, float, float]]:
    """pdfplumber's ``intersections_to_cells`` with its searches indexed: the same cells in the same
    order. It rescans every later point for each point and rebuilds each edge set per comparison,
    quadratic in the points of a page (half the time of reading a table page)."""
    from pdfplumber.utils import obj_to_bbox

    v_edges = {point: frozenset(map(obj_to_bbox, found["v"])) for point, found in intersections.items()}
    h_edges = {point: frozenset(map(obj_to_bbox, found["h"])) for point, found in intersections.items()}

    def connects(p1, p2) -> bool:
        if p1[0] == p2[0] and not v_edges[p1].isdisjoint(v_edges[p2]):
            return True
        return p1[1] == p2[1] and not h_edges[p1].isdisjoint(h_edges[p2])

    points = sorted(intersections)
    same_x: dict[float, list] = {}
    same_y: dict[float, list] = {}
    for point in points:  # sorted by x, then y: each list is in the order pdfplumber scans it
        same_x.setdefault(point[0], []).append(point)
        same_y.setdefault(point[1], []).append(point)
    cells = []
    for point in points:
        below = [p for p in same_x[point[0]] if p > point]
        right = [p for p in same_y[point[1]] if p > point]
        found = None
        for below_point in below:
            if not connects(point, below_point):
                continue
            for right_point in right:
                if not connects(point, right_point):
                    continue
                corner = (right_point[0], below_point[1])
                if corner in intersections and connects(corner, right_point) and connects(corner, below_point):
                    found = (point[0], point[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def grid_tables(page) -> list:
    """pdfplumber's tables of ``page`` (anything with its chars, edges and bbox), found by its
    table finder with the cell search indexed (same cells, same tables). Also the OCR reader's,
    over the rules it found in a page image (:mod:`transforms.table_grid`)."""
    from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections

    class GridFinder(TableFinder):
        def __init__(self, page) -> None:
            self.page = page
            self.settings = TableSettings.resolve(None)
            self.edges = self.get_edges()
            tolerance = (self.settings.intersection_x_tolerance, self.settings.intersection_y_tolerance)
            self.intersections = edges_to_intersections(self.edges, *tolerance)
            self.cells = _intersections_to_cells(self.intersections)
            self.tables = [Table(self.page, group) for group in cells_to_tables(self.cells)]

    return GridFinder(page).tables


def _page_tables(page: _Page) -> list[list[list[str | None]]]:
    # pdfplumber's table finder reads only the chars, edges and bbox of a page to find the grid;
    # the cells' text is cut here, by position, faster than its Table.extract scans every char
    # for every row.
    middles = sorted(
        (((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, c) for c in page.chars), key=lambda m: m[0]
    )
    return [_table_cells(table, middles) for table in grid_tables(page)]


def _rows_of(number: int, tables: list[list[list[str | None]]]) -> list[Row]:
    rows, index = [], 0
    for table in tables:
        for cells in table:
            index += 1
            kept = tuple(c for c in (_cell(cell) for cell in cells) if c is not None)
            if any(kept):
                rows.append(Row(kept, index, number))
    return rows


def _page_text(text: str) -> str:
    return "\n".join(line for line in normalize_text(text).split("\n") if not PAGE_NUMBER.match(line))


def _document(texts: list[str], rows: list[Row], pages: int, scanned: tuple[int, ...] = ()) -> PdfDocument:
    if not any(t.strip() for t in texts):
        raise NoTextLayerError(f"PDF has no text layer ({pages} pages, scanned?)")
    document = Document(PDF, "\n".join(texts), rows, f"pdf ({pages} pages, text layer)")
    return PdfDocument(document, pages, tuple(texts), scanned)


def _has_image(page) -> bool:
    import pypdfium2.raw as pdfium_raw

    return next(iter(page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE], max_depth=2)), None) is not None


def _pdfminer_pages(data: bytes) -> list[tuple[str, list]]:
    """Each page's text and tables as pdfplumber reads them (library calls only: see below)."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [(page.extract_text() or "", page.extract_tables()) for page in pdf.pages]


def read_with_pdfminer(data: bytes) -> PdfDocument:
    """The thorough, slow path (pdfminer interprets each page, ~0.1 s), for fonts PDFium cannot measure."""
    from pdfminer.pdfexceptions import PDFException
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    try:
        pages = _pdfminer_pages(data)
    # A damaged file: pdfminer's own errors (pdfplumber wraps those of a page's layout), and what
    # pdfplumber raises on a malformed object (a /MediaBox null, [] or [0 0 1e9 1e9]).
    except (
        PdfminerException,
        MalformedPDFException,
        PDFException,
        PSException,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
    ) as exc:
        raise UnreadablePdfError(f"PDF cannot be read: {exc}") from exc
    texts = [_page_text(text) for text, _ in pages]
    rows = [row for number, (_, tables) in enumerate(pages, start=1) for row in _rows_of(number, tables)]
    return _document(texts, rows, len(pages))


def read_pdf(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> PdfDocument:
    """Rows of every ruled table on every page, and the pages' text."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_raw
    from pdfplumber.utils import extract_text

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise UnreadablePdfError(f"PDF cannot be opened: {exc}") from exc
    rows: list[Row] = []
    texts: list[str] = []
    scanned: list[int] = []
    try:
        pages = len(pdf)
        check_limit("PDF has too many pages", pages, limits, "max_pdf_pages")
        for number in range(1, pages + 1):
            try:
                page = pdf[number - 1]
            except pdfium.PdfiumError as exc:  # a damaged page object
                raise UnreadablePdfError(f"PDF page {number} cannot be read: {exc}") from exc
            left, bottom, right, top = page.get_mediabox()
            height = top  # PDF space grows upwards; table geometry reads top-down
            objects = list(
                _page_objects(page.raw, pdfium_raw.FPDFPage_CountObjects, pdfium_raw.FPDFPage_GetObject, None)
            )
            if _degenerate_text(objects):
                return read_with_pdfminer(data)
            textpage = page.get_textpage()
            chars = _page_chars(textpage.raw, height)
            # Lines laid out from the characters' positions, as pdfplumber lays out a page; PDFium's
            # own text follows the content stream, which interleaves a table's header cells.
            texts.append(_page_text(extract_text(chars)) if chars else "")
            if not chars and _has_image(page):
                scanned.append(number)  # a scanned page among text pages (a signed last page)
            table_page = _Page(chars, _page_edges(objects, height), (left, height - top, right, height - bottom))
            rows += _rows_of(number, _page_tables(table_page) if chars else [])
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return _document(texts, rows, pages, tuple(scanned))
