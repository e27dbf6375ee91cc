"""Read a DOCX report: its tables as tables (merged cells resolved), its paragraphs as text."""

from __future__ import annotations

import io
import re
import zipfile

from transforms.decoding import normalize_text
from transforms.document_rows import Document, Row

DOCX = "docx"


class UnreadableDocxError(ValueError):
    """The file is a ZIP but not a readable Word document."""


def is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _text(cell_text: str) -> str:
    # Word wraps header words inside a cell ("商业\n企业"); Chinese joins without a space.
    return re.sub(r"\s+", " ", normalize_text(re.sub(r"\s*\n\s*", "", cell_text))).strip()


def read_docx(data: bytes) -> Document:
    """Rows of every table, in document order; a horizontally merged cell counts once."""
    import docx  # python-docx, needed only for DOCX input
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise UnreadableDocxError(f"DOCX cannot be opened: {exc}") from exc
    rows: list[Row] = []
    number = 0
    for table in document.tables:
        for row in table.rows:
            number += 1
            cells, previous = [], None
            for cell in row.cells:
                if cell._tc is previous:  # python-docx repeats a gridSpan-merged cell
                    continue
                previous = cell._tc
                cells.append(_text(cell.text))
            if any(cells):
                rows.append(Row(tuple(cells), number))
    text = "\n".join(normalize_text(p.text).strip() for p in document.paragraphs if p.text.strip())
    return Document(DOCX, text, rows)
