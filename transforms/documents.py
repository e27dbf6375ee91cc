"""A report file's bytes → its :class:`~transforms.document_rows.Document`: rows of table cells with
their source position, and the narrative text. The form is told from the content, never from
the file name: DOCX, PDF, a spreadsheet, or text (plain, markdown or HTML) in any encoding.
"""

from __future__ import annotations

from dataclasses import replace

from transforms.decoding import UnreadableReportError, content_report_id, decode_report_bytes, normalize_text
from transforms.document_rows import Document, read_document
from transforms.docx_document import UnreadableDocxError, is_docx, read_docx
from transforms.limits import DEFAULT_LIMITS, ReadLimits, check_limit
from transforms.pdf_document import NoTextLayerError, UnreadablePdfError, read_pdf
from transforms.spreadsheet_document import (
    OLE_SIGNATURE,
    UnreadableSpreadsheetError,
    is_spreadsheet,
    read_spreadsheet_document,
)


class UnreadableDocumentError(ValueError):
    """The bytes cannot become a document; the message is the quarantine reason."""


def read_document_bytes(data: bytes, limits: ReadLimits = DEFAULT_LIMITS, ocr: bool = False) -> Document:
    """The document in ``data``, with ``content_id`` set; raises UnreadableDocumentError, or
    OverLimitError when reading it would cost more than ``limits`` allow. ``ocr``: a PDF without a
    text layer (a scan) is read by OCR; else it is unreadable ("no text layer")."""
    check_limit("file too large", len(data), limits, "max_file_bytes", "bytes")
    try:
        if is_docx(data):
            document = read_docx(data, limits)
            return replace(document, content_id=content_report_id(_with_cells(document)))
        if data.startswith(b"%PDF"):
            try:
                document = read_pdf(data, limits).document
            except NoTextLayerError:
                if not ocr:
                    raise
                from transforms.scanned_pdf import read_scanned_pdf  # OCR's libraries load only for scans

                document = read_scanned_pdf(data, limits)
            return replace(document, content_id=content_report_id(document.text))
        # Every Office 97-2003 file goes to the spreadsheet reader, which names what it is when it
        # is not a workbook: a Word .doc (save as .docx or PDF), an encrypted file, something else.
        if is_spreadsheet(data) or data.startswith(OLE_SIGNATURE):
            document = read_spreadsheet_document(data, limits)
            return replace(document, encoding=document.form, content_id=content_report_id(_with_cells(document)))
        check_limit("text file too large", len(data), limits, "max_text_bytes", "bytes")
        decoded = decode_report_bytes(data)
    except (UnreadableDocxError, UnreadablePdfError, UnreadableSpreadsheetError, UnreadableReportError) as exc:
        raise UnreadableDocumentError(str(exc)) from exc
    text = normalize_text(decoded.text)
    return replace(read_document(text, limits), encoding=decoded.encoding, content_id=content_report_id(text))


def _with_cells(document: Document) -> str:
    """A document whose table is not in its text (DOCX, spreadsheets) is identified by both."""
    return document.text + "\n" + "\n".join(" ".join(row.cells) for row in document.rows)
