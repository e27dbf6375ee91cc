"""The user's sample report, printed in six forms, gives its 65 cells exactly in each.

Every form is built here from two independent sources only: the sample's narrative (its lines
before "附件") and the hand-typed table (tests/expected/taoyuan_2018_stat_table.csv). Nothing
from the parser's catalog or layouts is used to build them.
"""

import html
import io
import re

import pytest
from conftest import EXPECTED_DIR, SAMPLE_REPORT

from benchmarks.synthetic.sample_forms import CAPTION, FOOTER, HEADER, load_sample, sample_pdf
from transforms.parse_report import parse_report

SECTION_KEYS = {"A1", "A1.2", "A2", "A2.2", "A3", "A8", "A9"}


@pytest.fixture(scope="module")
def sample() -> dict:
    s = load_sample(SAMPLE_REPORT, EXPECTED_DIR / "taoyuan_2018_stat_table.csv")
    assert s["title"] == "桃源县2018年度政府信息公开年度报告" and s["date"] == "2019年3月12日"
    rows = s["rows"]
    assert len(rows) == 65 and {r["key"] for r in rows if not r["value_as_printed"]} == SECTION_KEYS
    return s


def _note_split(label: str) -> tuple[str, str]:
    """A long label and its trailing bracketed note, as a site wraps it over two lines."""
    match = re.fullmatch(r"(.+?)(（[^（]*）)", label)
    return (match[1], match[2]) if match and len(label) > 20 else (label, "")


def _text(s: dict) -> bytes:  # the sample itself; every builder takes the sources
    return SAMPLE_REPORT.read_bytes()


def _html(s: dict) -> bytes:
    def cell(text: str) -> str:
        return f"<td>{html.escape(text)}</td>" if text else "<td>&nbsp;</td>"

    rows = [f"<tr>{''.join(f'<td>{h}</td>' for h in HEADER)}</tr>"]
    for r in s["rows"]:
        label, note = _note_split(r["label_as_printed"])
        label_cell = f"<td>{html.escape(label)}<br/>{html.escape(note)}</td>" if note else cell(label)
        rows.append(f"<tr>{label_cell}{cell(r['unit_as_printed'])}{cell(r['value_as_printed'])}</tr>")
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in [s["title"], s["date"], *s["paragraphs"]])
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{s["title"]}_桃源县人民政府</title></head><body>
<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>
<div class="toolbar">【字体：大 中 小】 【打印】 【关闭】</div>
<div class="content">
{paragraphs}
<p>附件</p>
<p>{CAPTION}</p>
<table border="1" cellspacing="0">
{chr(10).join(rows)}
</table>
{"".join(f"<p>{html.escape(f)}</p>" for f in FOOTER)}
</div>
<div class="footer">主办：桃源县人民政府办公室</div>
</body></html>
"""
    return page.encode("utf-8")


def _markdown(s: dict) -> bytes:
    table = [f"| {' | '.join(HEADER)} |", "| --- | --- | --- |"]
    table += [f"| {r['label_as_printed']} | {r['unit_as_printed']} | {r['value_as_printed']} |" for r in s["rows"]]
    parts = [f"# {s['title']}", s["date"], *s["paragraphs"], "附件", CAPTION, "\n".join(table), *FOOTER]
    return ("\n\n".join(parts) + "\n").encode("utf-8")


def _docx(s: dict) -> bytes:
    import docx

    document = docx.Document()
    for text in [s["title"], s["date"], *s["paragraphs"], "附件", CAPTION]:
        document.add_paragraph(text)
    table = document.add_table(rows=len(s["rows"]) + 1, cols=3)
    table.style = "Table Grid"
    for word_cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        word_cell.text = text
    for r, word_row in zip(s["rows"], list(table.rows)[1:], strict=True):
        texts = [r["label_as_printed"], r["unit_as_printed"], r["value_as_printed"]]
        for word_cell, text in zip(word_row.cells, texts, strict=True):
            word_cell.text = text
    for text in FOOTER:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx(s: dict) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "统计表"
    sheet.append([CAPTION, None, None])
    sheet.merge_cells("A1:C1")
    sheet.append(HEADER)
    for r in s["rows"]:
        value = r["value_as_printed"]
        sheet.append([r["label_as_printed"], r["unit_as_printed"], int(value) if value.isdigit() else value or None])
    workbook.create_sheet("填表说明").append(["本表统计数据截至2018年12月31日。"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


FORMS = {
    "text": (_text, "taoyuan_2018_report.txt"),
    "html": (_html, "taoyuan_2018_report.html"),
    "markdown": (_markdown, "taoyuan_2018_report.md"),
    "docx": (_docx, "taoyuan_2018_report.docx"),
    "xlsx": (_xlsx, "attachment.xlsx"),  # no year or county in the name: both must come from the sheet
    "pdf": (sample_pdf, "taoyuan_2018_report.pdf"),
}


@pytest.fixture(scope="module")
def parsed_forms(sample) -> dict:
    return {form: parse_report(build(sample), name) for form, (build, name) in FORMS.items()}


@pytest.mark.parametrize("form", list(FORMS))
def test_every_cell_exact_in_each_form(form, parsed_forms, sample):
    parsed = parsed_forms[form]
    report = parsed.report
    assert (report["template"], report["report_year"]) == ("stat_2014", 2018)
    assert "桃源县" in report["agency"]
    cells = {r["indicator_code"]: r for r in parsed.indicators}
    assert len(parsed.indicators) == len(cells) == 65
    assert set(cells) == {r["key"] for r in sample["rows"]}
    for row in sample["rows"]:
        cell = cells[row["key"]]
        got = (cell["value"], cell["value_status"])
        if row["value_as_printed"]:
            assert got == (float(row["value_as_printed"]), "ok"), (row["key"], cell["value_raw"])
        else:
            assert got == (None, "not_applicable"), row["key"]
    # No other status anywhere; "missing" would mean a row the form did not print, and every row is printed.
    statuses = [r["value_status"] for r in parsed.indicators]
    assert (statuses.count("ok"), statuses.count("not_applicable")) == (58, 7)


def test_xlsx_metadata_from_sheet_title_and_pdf_pages(parsed_forms):
    xlsx = parsed_forms["xlsx"].report
    assert xlsx["title"] == xlsx["table_title"] == CAPTION  # the merged title row, the only place naming both
    assert (xlsx["report_year"], xlsx["agency_as_written"], xlsx["agency"]) == (2018, "桃源县", "桃源县人民政府")
    pdf_pages = {r["source_page"] for r in parsed_forms["pdf"].indicators}
    assert None not in pdf_pages and len(pdf_pages) >= 2  # the ruled table breaks over two pages
