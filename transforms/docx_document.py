"""Read a DOCX report: its tables as tables (merged cells resolved), its paragraphs as text."""

from __future__ import annotations

import io
import re
import zipfile

from transforms.decoding import normalize_text
from transforms.document_rows import Document, Row
from transforms.limits import DEFAULT_LIMITS, XML_PARSER_OPTIONS, ReadLimits, check_container, check_limit
from transforms.zip_errors import ZIP_ERRORS, unreadable_zip

DOCX = "docx"


class UnreadableDocxError(ValueError):
    """The file is a ZIP but not a readable Word document."""


def is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except ZIP_ERRORS:
        return False  # a damaged ZIP: a text report it is not either, which its reader says


def _text(cell_text: str) -> str:
    # Word wraps header words inside a cell ("商业\n企业"); Chinese joins without a space.
    return re.sub(r"\s+", " ", normalize_text(re.sub(r"\s*\n\s*", "", cell_text))).strip()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_RUN_TEXT = {f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-", f"{_W}ptab": "\t"}


def _paragraph_text(paragraph) -> str:
    """A paragraph's text as python-docx gives it: runs (also inside hyperlinks), tabs and breaks."""
    parts = []
    for child in paragraph.iterchildren(f"{_W}r", f"{_W}hyperlink"):
        if child.tag == f"{_W}hyperlink":
            parts.append(_paragraph_text(child))
            continue
        for item in child.iter(f"{_W}t", *_RUN_TEXT):
            parts.append((item.text or "") if item.tag == f"{_W}t" else _RUN_TEXT[item.tag])
    return "".join(parts)


def _cell_text(cell) -> str:
    return "\n".join(_paragraph_text(p) for p in cell.iterchildren(f"{_W}p"))


def _int_attribute(element, path: str, default: int) -> int:
    found = element.find(path)
    try:
        return max(0, int(found.get(f"{_W}val", default))) if found is not None else default
    except ValueError:  # not a number: Word would ignore it
        return default


def _table_rows(table, limits: ReadLimits) -> list[list[str]]:
    """Each row's cells left to right, a horizontally merged cell once; a vertically merged
    continuation cell carries its merge origin's text (as python-docx reads it)."""
    rows: list[list[str]] = []
    origin_text: dict[int, str] = {}  # grid column → text of the cell a vertical merge continues
    for row in table.iterchildren(f"{_W}tr"):
        column = _int_attribute(row, f"{_W}trPr/{_W}gridBefore", 0)
        cells = []
        for cell in row.iterchildren(f"{_W}tc"):
            span = _int_attribute(cell, f"{_W}tcPr/{_W}gridSpan", 1)
            check_limit("DOCX table cell spans too many columns", span, limits, "max_table_span")
            merge = cell.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(f"{_W}val", "continue") == "continue":
                text = origin_text.get(column, "")
            else:
                text = _cell_text(cell)
                origin_text[column] = text
            cells.append(text)
            column += span
        rows.append(cells)
    return rows


def read_docx(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Rows of every table, in document order; a horizontally merged cell counts once.

    The XML is read with lxml directly: python-docx took ~50 ms a report, most of it resolving
    merged cells cell by cell.
    """
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_container(archive, limits, "DOCX")
            part = archive.getinfo("word/document.xml")
            check_limit("DOCX document XML unpacks too large", part.file_size, limits, "max_text_bytes", "bytes")
            xml = archive.read(part)
        check_limit("DOCX document XML has too many elements", xml.count(b"<"), limits, "max_xml_elements")
        body = etree.fromstring(xml, etree.XMLParser(**XML_PARSER_OPTIONS)).find(f"{_W}body")
    except (*ZIP_ERRORS, KeyError, etree.XMLSyntaxError) as exc:
        if not unreadable_zip(exc):
            raise
        raise UnreadableDocxError(f"DOCX cannot be opened: {exc}") from exc
    if body is None:
        raise UnreadableDocxError("DOCX cannot be opened: no document body")
    rows: list[Row] = []
    paragraphs: list[str] = []
    number = tables = 0
    for element in body.iterchildren(f"{_W}tbl", f"{_W}p"):
        if element.tag == f"{_W}p":
            paragraphs.append(_paragraph_text(element))
            continue
        tables += 1
        for cells in _table_rows(element, limits):
            number += 1
            texts = [_text(text) for text in cells]
            if any(texts):
                rows.append(Row(tuple(texts), number, table=tables))
    text = "\n".join(normalize_text(p).strip() for p in paragraphs if p.strip())
    return Document(DOCX, text, rows, "docx")


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".gif")


def docx_images(data: bytes) -> list[bytes]:
    """The pictures a DOCX holds (``word/media``), in name order: a scanned table pasted in as
    an image is one of them. Bounded by the container's checked sizes (``read_docx`` first)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(
            n for n in archive.namelist() if n.startswith("word/media/") and n.lower().endswith(IMAGE_SUFFIXES)
        )
        return [archive.read(name) for name in names]
