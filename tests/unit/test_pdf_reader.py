"""PDFs with a text layer: ruled tables read back cell by cell, from PDFs built with known values."""

import io
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.synthetic.post2019 import make_post2019_report, to_pdf
from transforms.parse_report import QuarantineError, parse_report
from transforms.pdf_document import pdf_cell_text, read_pdf
from transforms.templates import FMT_2019, FMT_2021


@pytest.mark.parametrize("template", [FMT_2019, FMT_2021])
@settings(max_examples=12, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_pdf_round_trip(template, seed):
    report = make_post2019_report(random.Random(seed), seed % 40, template, "markdown")
    parsed = parse_report(to_pdf(report), "synthetic.pdf")
    assert (parsed.report["template"], parsed.report["report_year"]) == (template, report.year)
    assert parsed.report["agency_as_written"] == report.agency
    cells = {(r["indicator_code"], r["column_code"]): r for r in parsed.indicators}
    assert set(cells) == set(report.cells)
    for key, printed in report.cells.items():
        assert cells[key]["value_raw"] == printed, key
        assert cells[key]["value_status"] == ("blank" if printed == "" else "ok"), key
        assert cells[key]["catalog_status"] == "matched", key


def test_table_breaking_across_pages_keeps_each_cell_page():
    report = make_post2019_report(random.Random(5), 5, FMT_2021, "markdown")
    parsed = parse_report(to_pdf(report), "synthetic.pdf")
    pages = {r["indicator_code"]: r["source_page"] for r in parsed.indicators}
    assert pages["T2.1.1"] == 1
    assert pages["T3.1"] < pages["T3.4"]  # 表三 continues on the next page
    assert pages["T4.1"] == pages["T4.3"] >= pages["T3.4"]


def test_page_numbers_stay_out_of_the_text():
    document = read_pdf(to_pdf(make_post2019_report(random.Random(2), 2, FMT_2021, "markdown"))).document
    assert "— 1 —" not in document.text and "— 2 —" not in document.text
    assert "政府信息公开工作年度报告" in document.text.split("\n")[0]


def _grid_pdf(scale: float) -> bytes:
    """A 2 × 3 grid drawn inside a form XObject placed with a scaling transform, text outside it."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(400, 300))
    c.beginForm("grid")
    for y in (0, 40, 80):
        c.line(0, y, 300, y)
    for x in (0, 100, 200, 300):
        c.line(x, 0, x, 80)
    c.endForm()
    c.saveState()
    c.translate(20, 150)
    c.scale(scale, scale)
    c.doForm("grid")
    c.restoreState()
    c.setFont("Helvetica", 10)
    for column, text in enumerate(["label", "12", ""]):
        c.drawString(20 + scale * (100 * column + 10), 150 + scale * 55, text)
    for column, text in enumerate(["other", "3 4", "5"]):
        c.drawString(20 + scale * (100 * column + 10), 150 + scale * 15, text)
    c.drawString(20, 20, "body text under the table")
    c.save()
    return out.getvalue()


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_ruling_lines_inside_a_transformed_form_xobject(scale):
    document = read_pdf(_grid_pdf(scale)).document
    # A drawn but empty cell is "", a blank; a space inside a cell is kept.
    assert [row.cells for row in document.rows] == [("label", "12", ""), ("other", "3 4", "5")]
    assert "body text under the table" in document.text


def test_cell_text_lines_and_words():
    def char(text, x0, top):
        return {"text": text, "x0": x0, "x1": x0 + 5, "top": top, "bottom": top + 10}

    # Two lines (tops 1 pt apart are one line), a gap wider than 3 pt starts a new word, a space
    # character ends one, and characters come back in reading order whatever their order here.
    chars = [char("b", 5, 1), char("a", 0, 0), char("c", 20, 0), char(" ", 25, 0), char("d", 30, 0), char("e", 0, 14)]
    assert pdf_cell_text(chars) == "ab c d\ne"


def test_broken_pdf_names_the_reason():
    with pytest.raises(QuarantineError, match="PDF cannot be opened"):
        parse_report(b"%PDF-1.7\n" + b"\x00garbage" * 20, "broken.pdf")


def test_font_without_metrics_is_read_through_pdfminer():
    """A non-embedded CID font (STSong-Light) gives PDFium no glyph extents, and its text page then
    drops a one-character line ("商业企" / "业"); such a file goes through pdfminer instead."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(300, 200))
    for y in (60, 120):
        c.line(20, y, 220, y)
    for x in (20, 120, 220):
        c.line(x, 60, x, 120)
    c.setFont("STSong-Light", 10)
    c.drawString(30, 100, "商业企")
    c.drawString(30, 88, "业")  # the label wrapped onto a second line of its cell
    c.drawString(130, 95, "12")
    c.save()
    document = read_pdf(out.getvalue()).document
    assert [row.cells for row in document.rows] == [("商业企业", "12")]


def test_the_indexed_cell_search_finds_what_pdfplumbers_finds(monkeypatch):
    """transforms.pdf_document's cell search is pdfplumber's with its scans indexed: the same rows
    on ruled tables of every shape the generators draw (merged cells, page breaks)."""
    import pdfplumber.table

    from benchmarks.synthetic.pre2019 import make_pre2019_report
    from transforms import pdf_document

    pdfs = [to_pdf(make_post2019_report(random.Random(seed), seed, None, "markdown")) for seed in range(3)]
    pdfs += [make_pre2019_report(random.Random(seed), seed, None, "pdf").to_bytes() for seed in range(3)]
    ours = [pdf_document.read_pdf(data).document.rows for data in pdfs]
    monkeypatch.setattr(pdf_document, "_intersections_to_cells", pdfplumber.table.intersections_to_cells)
    assert ours == [pdf_document.read_pdf(data).document.rows for data in pdfs]
    assert all(len(rows) > 10 for rows in ours)  # every PDF has a table read
