"""Each per-file limit: a file over it is quarantined (stage "limit") with a reason naming the limit
and its setting, before the cost is paid; files under every limit are not affected."""

from __future__ import annotations

import contextlib
import io
import os
import resource
import time
import zipfile

import pytest

from transforms.limits import DEFAULT_LIMITS, ReadLimits
from transforms.parse_report import QuarantineError, parse_report

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def _docx(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def paragraphs(*texts: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{t}</w:t></w:r></w:p>" for t in texts)
    return f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>'.encode()


def _quarantined(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> QuarantineError:
    with pytest.raises(QuarantineError) as caught:
        parse_report(data, name, limits)
    return caught.value


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_docx_zip_bomb_is_refused_before_inflating():
    """1 MB that would inflate to 1 GiB: refused from the declared sizes, in well under a second,
    with no memory to speak of (the reader used to take 2.4 GB)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("word/document.xml", paragraphs("2018年政府信息公开工作年度报告"))
        with archive.open("word/media/bomb.bin", "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(1024):
                member.write(block)
    bomb = buffer.getvalue()
    assert len(bomb) < 2_000_000
    before, started = _peak_rss_mb(), time.perf_counter()
    error = _quarantined(bomb, "bomb.docx")
    assert time.perf_counter() - started < 1.0
    assert _peak_rss_mb() - before < 100
    assert error.stage == "limit"
    assert "DOCX unpacks too large: 1,073," in str(error) and "XXGK_MAX_CONTAINER_BYTES" in str(error)


def test_a_docx_of_millions_of_empty_paragraphs_is_refused_by_element_count():
    """64 MiB of <w:p/> took 1.9 GB to parse; its XML is over the text limit, and a smaller one
    (8 MB, 1.4 million elements) is over the element limit: refused before lxml builds a tree."""
    empty = b"<w:p/>" * (8_000_000 // 6)
    xml = f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body>'.encode() + empty + b"</w:body></w:document>"
    before = _peak_rss_mb()
    error = _quarantined(_docx(xml), "paragraphs.docx")
    assert error.stage == "limit" and "too many elements" in str(error) and "XXGK_MAX_XML_ELEMENTS" in str(error)
    assert _peak_rss_mb() - before < 200  # the XML itself, inflated once; no tree
    huge = _quarantined(_docx(b"<w:p/>" * (64 * 1024 * 1024 // 6)), "huge.docx")
    assert "DOCX document XML unpacks too large" in str(huge) and "XXGK_MAX_TEXT_BYTES" in str(huge)


def test_a_docx_with_too_many_members_is_refused():
    extra = {f"word/media/{i}.bin": b"" for i in range(30)}
    error = _quarantined(_docx(paragraphs("x"), extra), "many.docx", ReadLimits(max_container_entries=20))
    assert "DOCX holds too many files: 32" in str(error) and "XXGK_MAX_CONTAINER_ENTRIES" in str(error)


def test_a_docx_table_span_over_the_limit_is_refused():
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="100000"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>'
    table = f"<w:tbl><w:tr>{cell}</w:tr></w:tbl>"
    xml = f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body>{table}</w:body></w:document>'
    error = _quarantined(_docx(xml.encode()), "span.docx")
    assert "spans too many columns: 100,000" in str(error) and "XXGK_MAX_TABLE_SPAN" in str(error)


def test_huge_text_is_refused_unread():
    text = ("1\n" * 11_000_000).encode()  # 22 MB: 200 MB cost 1.55 GB and became one report of 190,010 "facts"
    error = _quarantined(text, "huge.txt")
    assert error.stage == "limit" and "text file too large: 22,000,000 bytes" in str(error)
    assert "XXGK_MAX_TEXT_BYTES" in str(error)


def test_any_file_over_the_file_limit_is_refused():
    error = _quarantined(b"%PDF-1.4\n" + bytes(2000), "big.pdf", ReadLimits(max_file_bytes=1000))
    assert "file too large: 2,009 bytes" in str(error) and "XXGK_MAX_FILE_BYTES" in str(error)


def test_a_pdf_with_too_many_pages_is_refused_by_its_page_count():
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument.new()
    for _ in range(20_000):
        pdf.new_page(100, 100)
    buffer = io.BytesIO()
    pdf.save(buffer)
    started = time.perf_counter()
    error = _quarantined(buffer.getvalue(), "pages.pdf")
    assert time.perf_counter() - started < 5  # the page count only: 100,000 pages used to take 55 s
    assert "PDF has too many pages: 20,000" in str(error) and "XXGK_MAX_PDF_PAGES" in str(error)


def test_deeply_nested_html_is_refused_naming_the_depth_limit():
    """100,000 nested <div>s were read as "numbers run together"; the HTML parser stops at 256."""
    table = "<table><tr><td>收到申请数</td><td>5</td></tr></table>"
    nested = "<div>" * 100_000 + table + "</div>" * 100_000
    page = f"<html><body><h1>2018年政府信息公开工作年度报告</h1>{nested}</body></html>"
    error = _quarantined(page.encode(), "deep.html")
    assert error.stage == "limit" and "HTML nested too deep" in str(error) and "XXGK_MAX_HTML_DEPTH" in str(error)


def test_an_html_span_over_the_limit_is_refused():
    page = (
        "<html><body><h1>2018年政府信息公开工作年度报告</h1>"
        '<table><tr><td colspan="100000">统计表</td></tr><tr><td>收到申请数</td><td>5</td></tr></table></body></html>'
    )
    error = _quarantined(page.encode(), "span.html")
    assert error.stage == "limit" and "XXGK_MAX_TABLE_SPAN" in str(error)


def test_real_reports_are_under_every_limit(shared_corpus, sample_bytes):
    """The defaults leave room: every corpus file reads the same with tight-but-real limits."""
    tight = ReadLimits(max_text_bytes=1_000_000, max_pdf_pages=20, max_html_depth=40, max_table_span=50)
    for path in sorted(p for p in shared_corpus.iterdir() if p.is_file()):
        data = path.read_bytes()
        try:
            default = parse_report(data, path.name).records
        except QuarantineError as exc:
            assert exc.stage != "limit", (path.name, str(exc))
            continue
        assert parse_report(data, path.name, tight).records == default, path.name
    assert parse_report(sample_bytes, "taoyuan.txt", tight).records


def test_xml_entities_name_no_file_that_is_read(tmp_path):
    """XXE: a DOCX whose XML declares an entity for a local file. The file's text is nowhere in
    what is read, and an entity bomb (billion laughs) does not expand."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-XXE-7f3a", encoding="utf-8")
    doctype = f'<!DOCTYPE w:document [<!ENTITY leak SYSTEM "file://{os.fspath(secret)}">]>'
    xml = (
        f'<?xml version="1.0"?>{doctype}<w:document xmlns:w="{_W}"><w:body>'
        "<w:p><w:r><w:t>桃源县2018年政府信息公开工作年度报告 &leak;</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    try:
        parsed = parse_report(_docx(xml.encode()), "xxe.docx")
        shown = repr(parsed.report) + repr(parsed.records) + repr(parsed.facts)
    except QuarantineError as exc:
        shown = str(exc)
    assert "SECRET-XXE-7f3a" not in shown
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "lol">{laughs}]>'
    bomb += f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>&l9;</w:t></w:r></w:p></w:body></w:document>'
    before, started = _peak_rss_mb(), time.perf_counter()
    with contextlib.suppress(QuarantineError):
        parse_report(_docx(bomb.encode()), "laughs.docx")
    assert time.perf_counter() - started < 2 and _peak_rss_mb() - before < 100


def test_a_text_of_too_many_lines_is_refused_before_its_rows_are_made():
    """19 MB of one-digit lines (under the byte limit) took 3.1 GB and 80 s as rows of cells."""
    before, started = _peak_rss_mb(), time.perf_counter()
    error = _quarantined(b"1\n" * 9_900_000, "lines.txt")
    assert time.perf_counter() - started < 10 and _peak_rss_mb() - before < 400
    assert "text has too many lines: 9,900,001" in str(error) and "XXGK_MAX_TEXT_LINES" in str(error)
    page = "<html><body><table>" + "<tr><td>收到申请数</td><td>1</td></tr>" * 200_000 + "</table></body></html>"
    error = _quarantined(page.encode(), "rows.html")
    assert "HTML has too many table rows: 200,000" in str(error)


def test_a_page_of_too_many_cells_is_refused():
    """99,000 lines of 60 tab-separated cells (19 MB, under the line limit) took 1.7 GB as rows."""
    before = _peak_rss_mb()
    error = _quarantined((("收到申请数" + "\t12" * 60 + "\n") * 99_000).encode(), "wide.txt")
    assert "text has too many cells" in str(error) and "XXGK_MAX_CELLS" in str(error)
    assert _peak_rss_mb() - before < 400
    spans = "<tr>" + '<td rowspan="1000">收到申请数</td>' * 600 + "</tr>" + "<tr><td>1</td></tr>" * 999
    page = f"<html><body><table>{spans}</table></body></html>"
    error = _quarantined(page.encode(), "spans.html")  # 600 cells repeated into 999 rows below
    assert "HTML tables have too many cells" in str(error) and "XXGK_MAX_CELLS" in str(error)
