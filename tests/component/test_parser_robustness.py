"""Inputs that once made the parser fail with an exception other than QuarantineError (a "parser
error"), or take time quadratic in their size: each now parses or is quarantined with a reason.
Found by fuzzing (benchmarks/fuzz_reports.py, tests/component/test_fuzz.py); the fixtures here
are the smallest that showed each fault."""

from __future__ import annotations

import io
import struct
import time
import zipfile

import lxml.html
import pytest
from conftest import SAMPLE_REPORT

from transforms.decoding import normalize_text
from transforms.document_rows import html_span, read_document
from transforms.limits import DEFAULT_LIMITS
from transforms.narrative_facts import extract_narrative_facts, paragraphs
from transforms.parse_report import QuarantineError, parse_report
from transforms.pdf_document import UnreadablePdfError, read_with_pdfminer
from transforms.run_together import grouped_total_splits, splits, total_splits
from transforms.run_together_tables import row_runs


def _outcome(data: bytes, name: str = "report.txt") -> QuarantineError | None:
    """None when the report parses; its QuarantineError when it is quarantined (anything else fails)."""
    try:
        parse_report(data, name)
    except QuarantineError as exc:
        return exc
    return None


# --- a post-2019 label alone: zip(strict=True) over no located rows --------------------------


def test_a_lone_post2019_column_label_is_quarantined():
    quarantine = _outcome("某县人民政府2021年政府信息公开工作年度报告\n本年废止件数\n".encode())
    assert quarantine is not None and quarantine.stage == "table"
    assert row_runs("本年废止件数", {}, 6) == {}  # no label of the table found: no runs


def test_a_stray_post2019_label_in_the_sample_is_quarantined():
    lines = SAMPLE_REPORT.read_text(encoding="utf-8").split("\n")
    for at in (0, 10, len(lines) // 2, len(lines)):
        text = "\n".join([*lines[:at], "本年废止件数", *lines[at:]])
        assert _outcome(text.encode("utf-8")) is not None  # the label makes it a 2021 report, without 表三


# --- control characters: lxml refuses them in any text set on the tree -----------------------


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><p>某县报告</p>\x0b<table><tr><td>本年<br>\x0c废止</td></tr></table></body></html>",
        "<html><body><p>某县报告</p>\x01\x1f<table><tr><td>c</td></tr></table></body></html>",
        "<html><body><p>某县报告</p>&#11;<table><tr><td>c<br>&#xFFFE;d</td></tr></table></body></html>",
        "<html><body><p>某县报告</p>&#x0B;&#0012;&#31<p>e</p></body></html>",
    ],
)
def test_control_characters_in_html_are_spaces(page):
    document = read_document(normalize_text(page))
    assert "某县报告" in document.text
    assert _outcome(page.encode("utf-8"), "page.html").stage == "template"  # no table: quarantined


def test_normalize_text_turns_control_characters_into_spaces():
    assert normalize_text("a\x0bb\x0cc\x00d\x1fe\ufffef\tg\r\nh") == "a b c d e f\tg\nh"


def test_allowed_character_references_are_kept():
    page = "<html><body><p>甲&#9;乙&#32;丙&#65;&#x4e01;</p><table><tr><td>x</td></tr></table></body></html>"
    assert "甲\t乙 丙A丁" in read_document(page).text


def test_a_vertical_tab_in_a_real_page_changes_nothing(shared_corpus):
    data = (shared_corpus / "shuyang_fgj_2023.html").read_bytes()
    at = data.index(b"\n", len(data) // 2) + 1
    original = parse_report(data, "page.html")
    for junk in (b"\x0b", b"\x0c", b"&#11;"):
        mutated = parse_report(data[:at] + junk + data[at:], "page.html")
        assert [(r.indicator_code, r.column_code, r.value) for r in mutated.records] == [
            (r.indicator_code, r.column_code, r.value) for r in original.records
        ]


# --- HTML spans: int() on colspan=";" and "1e9" -----------------------------------------------


def _cell(attributes: str):
    return lxml.html.fromstring(f"<table><tr><td {attributes}>x</td></tr></table>").find(".//td")


MAX_TABLE_SPAN = DEFAULT_LIMITS.max_table_span


@pytest.mark.parametrize(
    "attribute, span",
    [
        ("colspan=;", 1),
        ('colspan="1e9"', 1),  # as a browser reads it: the leading digits
        ('colspan="2;"', 2),
        ('colspan=""', 1),
        ('colspan="0"', 1),
        ('colspan="-3"', 1),
        ('colspan=" +3 "', 3),
        ('colspan="abc"', 1),
        ("", 1),
        (f'colspan="{MAX_TABLE_SPAN}"', MAX_TABLE_SPAN),
    ],
)
def test_spans_are_read_leniently(attribute, span):
    assert html_span(_cell(attribute), "colspan", MAX_TABLE_SPAN) == span


@pytest.mark.parametrize("value", [str(MAX_TABLE_SPAN + 1), "1000000000", "9" * 5000])
def test_a_span_over_the_limit_quarantines_the_file_naming_the_limit(value):
    page = f'<html><body><p>某县2018年报告</p><table><tr><td rowspan="{value}">统计表</td></tr></table></body></html>'
    quarantine = _outcome(page.encode("utf-8"), "page.html")
    assert quarantine is not None and quarantine.stage == "limit"
    assert "max_table_span" in str(quarantine)


# --- time linear in the input --------------------------------------------------------------------


def test_paragraphs_are_unchanged():
    text = "一、概述\n2018年，我县\n做了工作。\n1\n2\n（一）短标题\n正文"
    assert paragraphs(text) == [
        (1, "一、概述"),
        (2, "2018年，我县做了工作。"),
        (4, "12"),
        (6, "（一）短标题"),
        (7, "正文"),
    ]


def test_many_short_digit_lines_take_linear_time():
    """paragraphs matched its heading pattern on the paragraph growing line by line: 80,000 lines
    took 86 s. Linear, 200,000 lines take well under a second."""
    text = "\n".join(str(i % 10) for i in range(200_000))
    start = time.perf_counter()
    assert len(paragraphs(text)) == 1
    assert time.perf_counter() - start < 5


def test_a_long_digit_run_before_a_unit_takes_linear_time():
    """The carried-forward pattern began with a number: tried from each digit of a long run, each try
    scanned the rest of the run (50,000 digits: ~10 s)."""
    start = time.perf_counter()
    assert extract_narrative_facts("共有" + "1" * 50_000 + "件") == []
    assert time.perf_counter() - start < 5
    [fact] = [
        f for f in extract_narrative_facts("本年度共有12件结转下一年度办理。") if f.fact_code == "carried_forward"
    ]
    assert fact.value == 12


def test_long_digit_runs_are_too_many_splits_not_a_long_search():
    """A run longer than its cells could print (~12 digits a cell) has too many splits; a shorter
    one is searched with pruning and a step budget (a real row's run takes < 2,000 steps)."""
    start = time.perf_counter()
    assert total_splits("1" * 40 + "5", 7) is None  # searched every composition: minutes
    assert total_splits("1" * 5000, 7) is None  # int() refuses over 4,300 digits
    assert splits("1" * 200, 7) is None
    assert grouped_total_splits("1" * 100, 3, 5) is None
    assert time.perf_counter() - start < 5
    assert total_splits("640020470", 7) == [("64", "0", "0", "2", "0", "4", "70")]


# --- damaged containers ---------------------------------------------------------------------------

_DOCUMENT_XML = (
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    "<w:p><w:r><w:t>某县2021年报告</w:t></w:r></w:p></w:body></w:document>"
).encode()


def _docx() -> bytearray:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", _DOCUMENT_XML)
    return bytearray(out.getvalue())


def _bad_deflate() -> bytes:
    data = _docx()
    start = 30 + len("word/document.xml")
    data[start : start + 4] = b"\xff\xff\xff\xff"  # block type 3: zlib.error "invalid block type"
    return bytes(data)


def _unknown_version() -> bytes:
    data = _docx()
    struct.pack_into("<H", data, data.find(b"PK\x01\x02") + 6, 232)  # NotImplementedError: version 23.2
    return bytes(data)


def _before_the_file() -> bytes:
    data = _docx()
    struct.pack_into("<I", data, data.rfind(b"PK\x05\x06") + 16, 0xFFFFFFFF)  # ValueError: negative seek
    return bytes(data)


@pytest.mark.parametrize("damaged", [_bad_deflate, _unknown_version, _before_the_file])
def test_a_damaged_zip_is_quarantined(damaged):
    quarantine = _outcome(damaged(), "report.docx")
    assert quarantine is not None and quarantine.stage == "decode"


def _xls_with_dimensions(first_row: int) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    sheet.write(0, 0, "某县2012年政府信息公开情况统计表")
    sheet.write(1, 0, "主动公开信息数")
    sheet.write(1, 1, 12)
    out = io.BytesIO()
    book.save(out)
    data = bytearray(out.getvalue())
    dimensions = data.find(b"\x00\x02\x0e\x00")  # the sheet's DIMENSIONS record (BIFF8: 14 bytes)
    struct.pack_into("<I", data, dimensions + 4, first_row)
    return bytes(data)


def test_an_xls_whose_dimensions_wrap_round_is_refused_before_calamine():
    """A first row after the last: calamine reserved room for billions of cells (318 GB) and the
    allocation failure aborted the process, with no exception to catch."""
    quarantine = _outcome(_xls_with_dimensions(0x13000000), "table.xls")
    assert quarantine is not None and "too large to read" in str(quarantine)
    assert _outcome(_xls_with_dimensions(0), "table.xls") is not None  # intact: read, then no table found


def test_an_xlsx_cell_beyond_the_last_column_skips_its_sheet():
    """r="ZZZZZZ2" (past XFD): calamine built a range of billions of cells and the allocation
    failure aborted the process; the sheet's used range now counts it, and the sheet is skipped."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["某县2012年政府信息公开情况统计表"])
    book.active.append(["主动公开信息数", 12])
    out = io.BytesIO()
    book.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'r="B2"', b'r="ZZZZZZ2"')
            target.writestr(info, content)
    quarantine = _outcome(damaged.getvalue(), "table.xlsx")
    assert quarantine is not None and "too large to read" in str(quarantine)


def _pdf(page: bytes) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"3 0 obj " + page + b" endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def test_a_pdf_page_pdfium_cannot_load_is_quarantined():
    quarantine = _outcome(_pdf(b"42"), "report.pdf")
    assert quarantine is not None and str(quarantine).startswith("PDF page 1 cannot be read")


def test_a_pdf_pdfminer_cannot_read_is_unreadable():
    with pytest.raises(UnreadablePdfError, match=r"^PDF cannot be read"):
        read_with_pdfminer(_pdf(b"<< /Type /Page /Parent 2 0 R /MediaBox null >>"))  # TypeError in pdfplumber
