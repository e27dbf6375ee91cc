"""Scanned PDFs read by OCR: a synthetic report printed, stamped and scanned at 200 dpi gives back
its cells; the values expected are the generator's own, not a parser's reading of the text PDF."""

import pytest
from conftest import printed_synthetic_report

from benchmarks.synthetic.post2019 import FMT_2021, T3_COLUMNS, T3_ROWS, T4_COLUMNS
from benchmarks.synthetic.scans import ScanStyle, scan_pdf
from transforms.documents import UnreadableDocumentError, read_document_bytes
from transforms.limits import OverLimitError, ReadLimits, ReadOptions

OCR = ReadOptions(ocr=True)
OCR_ON = ReadLimits(options=OCR)

SEED = 11


@pytest.fixture(scope="module")
def printed():
    """The report (the generator's cells) and its text PDF, the scans' source."""
    return printed_synthetic_report(SEED)


@pytest.fixture(scope="module")
def scanned(printed):
    report, pdf = printed
    scan = scan_pdf(pdf, SEED, ScanStyle(dpi=200, grayscale=False))
    return report, scan, read_document_bytes(scan, OCR_ON)


def test_scan_has_no_text_layer_and_is_quarantined_without_ocr(scanned):
    _, scan, _ = scanned
    with pytest.raises(UnreadableDocumentError, match="no text layer"):
        read_document_bytes(scan)


def test_table_rows_read_back_from_the_scan(scanned):
    report, _, document = scanned
    assert document.form == "pdf" and document.encoding == "pdf (2 pages, OCR)"
    tails = {row.cells[-len(T3_COLUMNS) :] for row in document.rows}
    t3 = {code: tuple(report.cells[(code, column)] for column in T3_COLUMNS) for code in T3_ROWS[FMT_2021]}
    missed = [code for code, values in t3.items() if values not in tails]
    assert len(missed) <= 1, missed  # 表三: every row's seven numbers, in order (the seal may cover one)
    t4 = tuple(report.cells[(group, column)] for group in ("T4.1", "T4.2", "T4.3") for column in T4_COLUMNS)
    assert any(row.cells == t4 for row in document.rows)  # 表四's fifteen numbers in one row
    for row in document.rows:
        assert row.page in (1, 2) and len(row.confidences) == len(row.cells)
        assert all(0.0 <= c <= 1.0 for c in row.confidences)
    assert report.agency in document.text and f"{report.year}年" in document.text  # metadata from the text


def test_limits_bound_the_work(scanned):
    _, scan, _ = scanned
    with pytest.raises(OverLimitError, match="max_ocr_pages"):
        read_document_bytes(scan, ReadLimits(max_ocr_pages=1, options=OCR))
    with pytest.raises(OverLimitError, match=r"page 1 is too large.*max_ocr_pixels"):
        read_document_bytes(scan, ReadLimits(max_ocr_pixels=1_000_000, options=OCR))
    with pytest.raises(OverLimitError, match=r"OCR of PDF page 1 takes too long.*max_ocr_seconds_per_page"):
        read_document_bytes(scan, ReadLimits(max_ocr_seconds_per_page=0.0, options=OCR))


def test_an_image_of_a_table_reads_as_its_page(scanned):
    """An image embedded in a DOCX or HTML page (here: the scan's second page as a PNG) gives the
    rows its page gives in the PDF."""
    import io

    import pypdfium2 as pdfium

    from transforms.scanned_pdf import read_table_image

    _, scan, document = scanned
    page = pdfium.PdfDocument(scan)[1].render(scale=200 / 72).to_pil()
    png = io.BytesIO()
    page.save(png, "PNG", dpi=(200, 200))
    image = read_table_image(png.getvalue())
    assert image.encoding == "image (OCR)"
    from_pdf = [row.cells for row in document.rows if row.page == 2]
    assert [row.cells for row in image.rows] == from_pdf


def _page_png(pdf: bytes, index: int) -> bytes:
    import io

    import pypdfium2 as pdfium

    png = io.BytesIO()
    pdfium.PdfDocument(pdf)[index].render(scale=200 / 72).to_pil().save(png, "PNG", dpi=(200, 200))
    return png.getvalue()


def test_html_page_with_its_table_as_an_embedded_picture(scanned):
    """A page that carries its statistics table as a data: URI picture: the picture is read by OCR
    into the rows its scanned page gives; with OCR off, the page has no table rows."""
    import base64

    _, scan, document = scanned
    picture = base64.b64encode(_page_png(scan, 1)).decode()
    html = (
        "<html><head><meta charset='utf-8'><title>2024年政府信息公开工作年度报告</title></head><body>"
        "<table><tr><td>首页</td><td>政务公开</td></tr></table><p>（四）统计表见下图</p>"
        f"<p><img alt='' src=\"data:image/png;base64,{picture}\"></p></body></html>"
    ).encode()
    read = read_document_bytes(html, OCR_ON)
    assert read.form == "html" and read.encoding.endswith("(1 images, OCR)")
    from_scan = [row.cells for row in document.rows if row.page == 2]
    assert [row.cells for row in read.rows if row.page == 1] == from_scan
    assert not any(row.page for row in read_document_bytes(html).rows)


def test_text_pdf_with_a_scanned_page_reads_both(scanned, printed):
    """A text PDF whose second page was printed and scanned back in: page 1 from its text layer,
    page 2 by OCR, in page order; with OCR off only page 1."""
    import pypdfium2 as pdfium

    report, scan, document = scanned
    mixed_pdf = pdfium.PdfDocument.new()
    mixed_pdf.import_pages(pdfium.PdfDocument(printed[1]), [0])
    mixed_pdf.import_pages(pdfium.PdfDocument(scan), [1])
    import io

    out = io.BytesIO()
    mixed_pdf.save(out)
    mixed = read_document_bytes(out.getvalue(), OCR_ON)
    text_only = read_document_bytes(out.getvalue())
    assert mixed.encoding == "pdf (2 pages, text layer; 1 OCR)"
    assert [row.page for row in mixed.rows] == sorted(row.page for row in mixed.rows)
    assert [r.cells for r in mixed.rows if r.page == 2] == [r.cells for r in document.rows if r.page == 2]
    assert [r.cells for r in mixed.rows if r.page == 1] == [r.cells for r in text_only.rows]
    assert not any(row.page == 2 for row in text_only.rows)
    t4 = tuple(report.cells[(group, column)] for group in ("T4.1", "T4.2", "T4.3") for column in T4_COLUMNS)
    assert any(row.cells == t4 for row in mixed.rows if row.page == 2)


def test_gray_scan_under_a_seal_publishes_no_wrong_number(printed):
    """Scanned in gray, the seal is no longer red: its ring and star are divided out of the page,
    what is read through its characters is confirmed by the tables' arithmetic or not published.
    Every published number is the generator's; nearly all of them are published."""
    from transforms.parse_report import parse_report

    report, pdf = printed
    gray = scan_pdf(pdf, SEED, ScanStyle(dpi=200, grayscale=True))
    parsed = parse_report(gray, "gray.pdf", OCR_ON)
    published = {
        (r["indicator_code"], r["column_code"]): r["value"] for r in parsed.indicators if r["value"] is not None
    }
    cells = {key: float(text) for key, text in report.cells.items() if text}
    wrong = {
        key: (published[key], value) for key, value in cells.items() if key in published and published[key] != value
    }
    assert not wrong
    assert sum(key in published for key in cells) >= 0.95 * len(cells)


def test_icons_in_a_page_are_not_read_nor_counted(scanned):
    """A page without a table of numbers and with many small pictures (icons, a logo): none is a
    table, none is read, and their number is no reason to quarantine the page."""
    import base64
    import io

    from PIL import Image

    icon = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(icon, "PNG")
    tag = f"<img src='data:image/png;base64,{base64.b64encode(icon.getvalue()).decode()}'>"
    html = f"<html><body><p>2024年政府信息公开工作年度报告</p>{tag * 60}</body></html>".encode()
    read = read_document_bytes(html, ReadLimits(max_ocr_pages=5, options=OCR))
    assert read.form == "html" and "OCR" not in read.encoding and not read.rows
