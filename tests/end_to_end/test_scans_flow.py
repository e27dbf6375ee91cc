"""Scans through the real flow: a gray-scanned report with its seal over a table joins the dataset
with OCR'd numbers, none of them wrong; with ``XXGK_OCR=off`` it is quarantined, saying so.
Expected values are the generator's cells, not a parser's reading of the text PDF."""

from pathlib import Path

import pytest
from conftest import printed_synthetic_report

from benchmarks.synthetic.scans import ScanStyle, scan_pdf

SEED = 11


@pytest.fixture(scope="module")
def gray_scan():
    report, pdf = printed_synthetic_report(SEED)
    return report, scan_pdf(pdf, SEED, ScanStyle(dpi=200, grayscale=True))


def _run_on(scan: bytes, work: Path):
    """The real flow over a raw folder holding ``scan``; its dataset, opened read-only."""
    import duckdb

    from flows.run.pipeline import xxgk_pipeline

    raw, curated = work / "raw", work / "curated"
    raw.mkdir()
    (raw / "scanned_report.pdf").write_bytes(scan)
    xxgk_pipeline(raw_dir=raw, curated_dir=curated)
    return duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True)


def test_a_gray_scan_joins_the_dataset_with_checked_numbers(gray_scan, tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_OCR", "on")
    report, scan = gray_scan
    with _run_on(scan, tmp_path) as db:
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
    with _run_on(scan, tmp_path) as db:
        reasons = db.execute("SELECT source_file, reason FROM quarantine").fetchall()
        reports = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert reports == 0 and len(reasons) == 1
    assert reasons[0][0].endswith("scanned_report.pdf") and "XXGK_OCR" in reasons[0][1]
