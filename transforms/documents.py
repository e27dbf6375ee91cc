"""A report file's bytes → its :class:`~transforms.document_rows.Document`: rows of table cells with
their source position, and the narrative text. The form is told from the content, never from
the file name: DOCX, PDF, a spreadsheet, or text (plain, markdown or HTML) in any encoding; a Word
97-2003 or WPS file through a converter the caller gives (:mod:`transforms.legacy_office`).
"""

from __future__ import annotations

from dataclasses import replace

from transforms.decoding import UnreadableReportError, content_report_id, decode_report_bytes, normalize_text
from transforms.document_rows import Document, read_document
from transforms.docx_document import UnreadableDocxError, docx_images, is_docx, read_docx
from transforms.legacy_office import DOCX, ConversionError, Converter, LegacyOffice, is_encrypted_word97, legacy_office
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


class NeedsConversionError(UnreadableDocumentError):
    """A Word 97-2003 or WPS file, read only once converted, and no converter was given."""

    def __init__(self, legacy: LegacyOffice) -> None:
        super().__init__(
            f"{legacy.described}: needs converting to .{legacy.target} (LibreOffice), or save as .docx or PDF"
        )
        self.legacy, self.kind, self.target = legacy, legacy.kind, legacy.target

    def __reduce__(self):  # pickled as what it was made from (a worker may send it to its parent)
        return type(self), (self.legacy,)


def read_document_bytes(data: bytes, limits: ReadLimits = DEFAULT_LIMITS, convert: Converter | None = None) -> Document:
    """The document in ``data``, with ``content_id`` set; raises UnreadableDocumentError, or
    OverLimitError when reading it would cost more than ``limits`` allow. A Word 97-2003 or WPS
    file is read once ``convert`` (by default ``limits.options.convert``) has made it a DOCX;
    without a converter, NeedsConversionError. A PDF without a text layer (a scan) is read by OCR
    when ``limits.options.ocr``; else it is unreadable ("no text layer")."""
    convert = convert or limits.options.convert
    check_limit("file too large", len(data), limits, "max_file_bytes", "bytes")
    legacy = legacy_office(data)
    if legacy is not None:
        return _read_converted(data, legacy, limits, convert)
    try:
        if is_docx(data):
            document = read_docx(data, limits)
            if not document.rows and limits.options.ocr:  # no table but pictures: a table pasted in as an image
                document = _with_table_images(document, docx_images(data), limits)
            return replace(document, content_id=content_report_id(_with_cells(document)))
        if data.startswith(b"%PDF"):
            try:
                document = read_pdf(data, limits).document
            except NoTextLayerError as scan:
                if not limits.options.ocr:
                    raise UnreadablePdfError(f"{scan}: OCR is off (setting XXGK_OCR)") from scan
                from transforms.scanned_pdf import read_scanned_pdf  # OCR's libraries load only for scans

                document = read_scanned_pdf(data, limits)
                if not document.rows and not document.text.strip():
                    raise UnreadablePdfError(f"{scan}: OCR read no text on it") from scan
            return replace(document, content_id=content_report_id(document.text))
        # Every other Office 97-2003 file goes to the spreadsheet reader, which names what it is when
        # it is not a workbook: an encrypted file, something else.
        if is_spreadsheet(data) or data.startswith(OLE_SIGNATURE):
            document = read_spreadsheet_document(data, limits)
            return replace(document, encoding=document.form, content_id=content_report_id(_with_cells(document)))
        check_limit("text file too large", len(data), limits, "max_text_bytes", "bytes")
        decoded = decode_report_bytes(data)
    except (UnreadableDocxError, UnreadablePdfError, UnreadableSpreadsheetError, UnreadableReportError) as exc:
        raise UnreadableDocumentError(str(exc)) from exc
    text = normalize_text(decoded.text)
    return replace(read_document(text, limits), encoding=decoded.encoding, content_id=content_report_id(text))


def _read_converted(data: bytes, legacy: LegacyOffice, limits: ReadLimits, convert: Converter | None) -> Document:
    if is_encrypted_word97(data):
        raise UnreadableDocumentError(f"{legacy.described}: password-protected (encrypted)")
    if convert is None:
        raise NeedsConversionError(legacy)
    try:
        converted = convert(data, legacy.kind, legacy.target)
        check_limit("converted file too large", len(converted), limits, "max_file_bytes", "bytes")
        read = read_docx if legacy.target == DOCX else read_spreadsheet_document
        document = read(converted, limits)
    except ConversionError as exc:
        raise UnreadableDocumentError(str(exc)) from exc
    except (UnreadableDocxError, UnreadableSpreadsheetError) as exc:
        raise UnreadableDocumentError(f"{legacy.described}, converted to .{legacy.target}: {exc}") from exc
    # Identified as the DOCX/XLSX it became, as a report first published in that form would be.
    encoding = f"{legacy.kind} (converted to {legacy.target})"
    return replace(document, encoding=encoding, content_id=content_report_id(_with_cells(document)))


def _with_table_images(document: Document, images: list[bytes], limits: ReadLimits) -> Document:
    """``document`` with what OCR reads in its pictures (each picture a page of its own: its tables
    as rows, the rest as text), when one of them holds a table; a picture that cannot be decoded
    (a damaged file) adds nothing."""
    from transforms.scanned_pdf import UnreadableImageError, read_table_image  # OCR's libraries: only here

    rows, texts, read = list(document.rows), [document.text], 0
    for number, image in enumerate(images, 1):
        try:
            pictured = read_table_image(image, limits)
        except UnreadableImageError:
            continue
        read += 1
        rows += [replace(row, page=number) for row in pictured.rows]
        texts.append(pictured.text)
    if not rows:
        return document
    return replace(document, text="\n".join(texts), rows=rows, encoding=f"docx ({read} images, OCR)")


def _with_cells(document: Document) -> str:
    """A document whose table is not in its text (DOCX, spreadsheets) is identified by both."""
    return document.text + "\n" + "\n".join(" ".join(row.cells) for row in document.rows)
