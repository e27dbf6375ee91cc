"""A report file's bytes → its :class:`~transforms.document_rows.Document`: rows of table cells with
their source position, and the narrative text. The form is told from the content, never from
the file name: DOCX, PDF, a spreadsheet, or text (plain, markdown or HTML) in any encoding; a Word
97-2003 or WPS file through a converter the caller gives (:mod:`transforms.legacy_office`).
"""

from __future__ import annotations

from dataclasses import replace

from transforms.cell_values import OK, parse_cell_value
from transforms.decoding import UnreadableReportError, content_report_id, decode_report_bytes, normalize_text
from transforms.document_rows import HTML, Document, html_images, read_document
from transforms.docx_document import UnreadableDocxError, docx_images, is_docx, read_docx
from transforms.legacy_office import DOCX, ConversionError, Converter, LegacyOffice, is_encrypted_word97, legacy_office
from transforms.limits import DEFAULT_LIMITS, ReadLimits, check_limit
from transforms.pdf_document import NoTextLayerError, PdfDocument, UnreadablePdfError, read_pdf
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
            if limits.options.ocr and not _has_number_rows(document):  # a table pasted in as a picture?
                document = _with_table_images(document, docx_images(data), limits, "docx")
            return replace(document, content_id=content_report_id(_with_cells(document)))
        if data.startswith(b"%PDF"):
            try:
                pdf = read_pdf(data, limits)
                document = pdf.document
                if pdf.scanned_pages and limits.options.ocr:
                    document = _with_scanned_pages(data, pdf, limits)
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
    document = replace(read_document(text, limits), encoding=decoded.encoding)
    if document.form == HTML and limits.options.ocr and not _has_number_rows(document):
        document = _with_table_images(document, html_images(text, limits), limits, decoded.encoding)
        if document.rows:
            return replace(document, content_id=content_report_id(_with_cells(document)))
    return replace(document, content_id=content_report_id(text))


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


def _has_number_rows(document: Document) -> bool:
    """Whether the document's tables hold numbers (two in a row): if not, and it has pictures, its
    statistics table may be one of them."""
    return any(sum(parse_cell_value(cell).status == OK for cell in row.cells) >= 2 for row in document.rows)


def _with_table_images(document: Document, images: list[bytes], limits: ReadLimits, form: str) -> Document:
    """``document`` with what OCR reads in its pictures (each picture a page of its own: its tables
    as rows, the rest as text), when one of them holds a table; a picture that cannot be decoded
    (a damaged file) adds nothing. ``form`` names what held them, for ``encoding``."""
    if not images:
        return document
    from transforms.scanned_pdf import UnreadableImageError, could_hold_a_table, read_table_image  # only here

    images = [image for image in images if could_hold_a_table(image)]  # not its icons and logos
    check_limit("too many pictures to OCR", len(images), limits, "max_ocr_pages")
    rows, texts, read = list(document.rows), [document.text], 0
    for number, image in enumerate(images, 1):
        try:
            pictured = read_table_image(image, limits)
        except UnreadableImageError:
            continue
        read += 1
        rows += [replace(row, page=number) for row in pictured.rows]
        texts.append(pictured.text)
    if len(rows) == len(document.rows):
        return document
    return replace(document, text="\n".join(texts), rows=rows, encoding=f"{form} ({read} images, OCR)")


def _with_scanned_pages(data: bytes, pdf: PdfDocument, limits: ReadLimits) -> Document:
    """A text PDF with scanned pages among its pages (a signed page, a table printed and scanned
    back in): those pages read by OCR, each page's rows and text in page order."""
    from transforms.scanned_pdf import read_scanned_pages  # OCR's libraries: only here

    texts = list(pdf.page_texts)
    rows = list(pdf.document.rows)
    for number, page_rows, text in read_scanned_pages(data, pdf.scanned_pages, limits):
        texts[number - 1] = text
        rows += page_rows
    rows.sort(key=lambda row: row.page or 0)  # stable: each page's rows stay in their order
    scanned = len(pdf.scanned_pages)
    encoding = f"pdf ({pdf.pages} pages, text layer; {scanned} OCR)"
    return replace(pdf.document, text="\n".join(texts), rows=rows, encoding=encoding)


def _with_cells(document: Document) -> str:
    """A document whose table is not in its text (DOCX, spreadsheets) is identified by both."""
    return document.text + "\n" + "\n".join(" ".join(row.cells) for row in document.rows)
