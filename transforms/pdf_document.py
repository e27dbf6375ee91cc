"""Read a PDF report with a text layer: its tables as rows (cell boundaries from the ruling lines),
its text for metadata. A PDF without a text layer (a scan) cannot be read without OCR.

Tables that break across pages simply continue in the row stream; merged cells (rowspan/colspan)
come back from pdfplumber as None and are dropped like HTML span copies, while a drawn but empty
cell is an empty string: a blank, not a zero.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from transforms.decoding import normalize_text
from transforms.document_rows import PAGE_NUMBER, Document, Row

PDF = "pdf"


class UnreadablePdfError(ValueError):
    """The PDF cannot be read as text; the message says why."""


@dataclass(frozen=True)
class PdfDocument:
    document: Document
    pages: int


def _cell(text: str | None) -> str | None:
    if text is None:
        return None
    # A cell's text wraps onto several lines; Chinese joins without a space.
    joined = re.sub(r"\s*\n\s*", "", text)
    return re.sub(r"\s+", " ", normalize_text(joined)).strip()


def read_pdf(data: bytes) -> PdfDocument:
    """Rows of every ruled table on every page, and the pages' text."""
    import pdfplumber  # a heavy import, needed only for PDFs
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PdfminerException, PDFSyntaxError, ValueError, TypeError) as exc:
        raise UnreadablePdfError(f"PDF cannot be opened: {exc}") from exc
    rows: list[Row] = []
    texts: list[str] = []
    with pdf:
        for number, page in enumerate(pdf.pages, start=1):
            text = normalize_text(page.extract_text() or "")
            texts.append("\n".join(line for line in text.split("\n") if not PAGE_NUMBER.match(line)))
            index = 0
            for table in page.extract_tables():
                for cells in table:
                    index += 1
                    kept = tuple(c for c in (_cell(cell) for cell in cells) if c is not None)
                    if any(kept):
                        rows.append(Row(kept, index, number))
        pages = len(pdf.pages)
    if not any(t.strip() for t in texts):
        raise UnreadablePdfError(f"PDF has no text layer ({pages} pages, scanned?): OCR is not supported")
    return PdfDocument(Document(PDF, "\n".join(texts), rows), pages)
