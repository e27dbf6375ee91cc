"""Scans through the real flow: a gray-scanned report with its seal over a table joins the dataset
with OCR'd numbers, none of them wrong; with ``XXGK_OCR=off`` it is quarantined, saying so.
Expected values are the generator's cells, not a parser's reading of the text PDF."""

import random
from pathlib import Path

import pytest
from conftest import skip_unless_installed

from benchmarks.synthetic.pdf_font import PRINT_FONTS, printed_glyphs
from benchmarks.synthetic.post2019 import FMT_2021, make_post2019_report, to_pdf
from benchmarks.synthetic.scans import ScanStyle, scan_pdf

SEED = 11


@pytest.fixture(scope="module")
def gray_scan():
    fonts = all(Path(path).exists() for path, _ in PRINT_FONTS.values())
    skip_unless_installed(fonts, "Debian's fonts-arphic-uming and fonts-wqy-microhei", "XXGK_REQUIRE_OCR_FONTS")
    report = make_post2019_report(random.Random(SEED), 0, FMT_2021, "html")
    with printed_glyphs():
        pdf = to_pdf(report)
    return report, scan_pdf(pdf, SEED, ScanStyle(dpi=200, grayscale=True))


def _run(raw: Path, curated: Path):
    import duckdb

    from flows.run.pipeline import xxgk_pipeline

    xxgk_pipeline(raw_dir=raw, curated_dir=curated)
    return duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True)


def test_a_gray_scan_joins_the_dataset_with_checked_numbers(gray_scan, tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_OCR", "on")
    report, scan = gray_scan
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "scanned_report.pdf").write_bytes(scan)
    with _run(raw, tmp_path / "curated") as db:
        (encoding, year) = db.execute("SELECT encoding, report_year FROM reports").fetchone()
        cells = db.execute(
            "SELECT indicator_code, column_code, value, value_raw, value_status, value_note FROM indicators"
        ).fetchall()
        quarantined = db.execute("SELECT count(*) FROM quarantine").fetchone()[0]
    assert (encoding, year, quarantined) == ("pdf (2 pages, OCR)", report.year, 0)
    printed = {key: float(text) for key, text in report.cells.items() if text}
    published = {(code, column): value for code, column, value, *_ in cells if value is not None}
    assert all(published[key] == value for key, value in printed.items() if key in published)  # none wrong
    assert sum(key in published for key in printed) >= 0.95 * len(printed)
    statuses = {status for *_, status, _ in cells}
    assert {"ocr"} <= statuses <= {"ocr", "inferred", "ocr_unverified", "blank", "placeholder", "missing"}
    for *_, value, raw_text, status, note in cells:
        if status == "ocr_unverified":
            # no value; what was read is kept (or the note says a mark was read as nothing), and why
            assert value is None and (raw_text or "nothing" in note) and "OCR" in note
        if status == "ocr":
            assert "OCR confidence" in note


def test_with_ocr_off_the_scan_is_quarantined_saying_so(gray_scan, tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_OCR", "off")
    _, scan = gray_scan
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "scanned_report.pdf").write_bytes(scan)
    with _run(raw, tmp_path / "curated") as db:
        reasons = db.execute("SELECT source_file, reason FROM quarantine").fetchall()
        reports = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert reports == 0 and len(reasons) == 1
    assert reasons[0][0].endswith("scanned_report.pdf") and "XXGK_OCR" in reasons[0][1]
