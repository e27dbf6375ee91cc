"""The user's sample report printed, stamped with a red seal over its table, scanned at 200 dpi and
read by OCR gives its 58 values exactly (expected values: the hand-typed table, not a parser's)."""

from pathlib import Path

import pytest
from conftest import EXPECTED_DIR, SAMPLE_REPORT, skip_unless_installed

from benchmarks.synthetic.pdf_font import PRINT_FONTS, printed_glyphs
from benchmarks.synthetic.sample_forms import load_sample, sample_pdf
from benchmarks.synthetic.scans import ScanStyle, scan_pdf
from transforms.limits import ReadLimits, ReadOptions
from transforms.parse_report import QuarantineError, parse_report
from transforms.vocabulary import INFERRED, OCR

SAMPLE_TABLE = EXPECTED_DIR / "taoyuan_2018_stat_table.csv"


@pytest.fixture(scope="module")
def sample_scan():
    if not (SAMPLE_REPORT.exists() and SAMPLE_TABLE.exists()):
        pytest.skip("the sample report is not in this checkout")
    fonts = all(Path(path).exists() for path, _ in PRINT_FONTS.values())
    skip_unless_installed(fonts, "Debian's fonts-arphic-uming and fonts-wqy-microhei", "XXGK_REQUIRE_OCR_FONTS")
    sample = load_sample(SAMPLE_REPORT, SAMPLE_TABLE)
    with printed_glyphs():
        pdf = sample_pdf(sample)
    return sample, scan_pdf(pdf, 2018, ScanStyle(dpi=200, grayscale=False))


def _assert_the_58_values(sample, parsed) -> None:
    assert (parsed.report["template"], parsed.report["report_year"]) == ("stat_2014", 2018)
    assert "桃源县" in parsed.report["agency"]
    cells = {r["indicator_code"]: r for r in parsed.indicators}
    printed = [r for r in sample["rows"] if r["value_as_printed"]]
    assert len(printed) == 58
    for row in printed:  # each published, and each equal to the value as printed
        cell = cells[row["key"]]
        assert (cell["value"], cell["value_status"] in (OCR, INFERRED)) == (float(row["value_as_printed"]), True), (
            row["key"],
            cell["value_raw"],
            cell["value_note"],
        )


def test_sample_scan_gives_its_58_values(sample_scan):
    sample, scan = sample_scan
    parsed = parse_report(scan, "taoyuan_2018_report.pdf", ReadLimits(options=ReadOptions(ocr=True)))
    assert parsed.report["encoding"] == "pdf (4 pages, OCR)"
    _assert_the_58_values(sample, parsed)


def test_sample_pasted_into_a_docx_as_pictures_gives_its_58_values(sample_scan):
    """An office's DOCX that holds its scanned pages as pictures, and no table."""
    import io

    import docx
    import pypdfium2

    sample, scan = sample_scan
    document = docx.Document()
    for page in pypdfium2.PdfDocument(scan):
        picture = io.BytesIO()
        page.render(scale=200 / 72).to_pil().save(picture, format="PNG", dpi=(200, 200))
        document.add_picture(picture)
    data = io.BytesIO()
    document.save(data)
    without = ReadLimits()
    with pytest.raises(QuarantineError, match="no statistics table"):  # OCR off: nothing to read
        parse_report(data.getvalue(), "taoyuan_2018_report.docx", without)
    parsed = parse_report(data.getvalue(), "taoyuan_2018_report.docx", ReadLimits(options=ReadOptions(ocr=True)))
    assert parsed.report["encoding"] == "docx (4 images, OCR)"
    _assert_the_58_values(sample, parsed)
