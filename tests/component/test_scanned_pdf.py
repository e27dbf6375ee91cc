"""Scanned PDFs read by OCR: a synthetic report printed, stamped and scanned at 200 dpi gives back
its cells; the values expected are the generator's own, not a parser's reading of the text PDF."""

import random
from pathlib import Path

import pytest
from conftest import skip_unless_installed

from benchmarks.synthetic.pdf_font import PRINT_FONTS, printed_glyphs
from benchmarks.synthetic.post2019 import FMT_2021, T3_COLUMNS, T3_ROWS, T4_COLUMNS, make_post2019_report, to_pdf
from benchmarks.synthetic.scans import ScanStyle, scan_pdf
from transforms.documents import UnreadableDocumentError, read_document_bytes
from transforms.limits import OverLimitError, ReadLimits, ReadOptions

OCR = ReadOptions(ocr=True)
OCR_ON = ReadLimits(options=OCR)

SEED = 11


@pytest.fixture(scope="module")
def scanned():
    fonts = all(Path(path).exists() for path, _ in PRINT_FONTS.values())
    skip_unless_installed(fonts, "Debian's fonts-arphic-uming and fonts-wqy-microhei", "XXGK_REQUIRE_OCR_FONTS")
    report = make_post2019_report(random.Random(SEED), 0, FMT_2021, "html")
    with printed_glyphs():
        pdf = to_pdf(report)
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
