"""Crawl containers split into pages: exports in every form crawlers write, and web archives."""

import io
import json
import random
from datetime import date

import pytest

from benchmarks.synthetic.crawls import EXPORT_FORMS, HEADERS, make_crawl, warc_bytes
from benchmarks.synthetic.crawls import export_bytes as crawl_export
from transforms.crawled_pages import header_fields, parse_date, split_crawl

ROWS = [
    ("河北省教育厅2021年度政府信息公开工作报告", "2022-01-20", "第一行\r第二行\r\n第三行\n第四行", "http://x/1.html"),
    ("关于印发《某某办法》的通知", "2021/3/5", '一段"引号"，逗号,还有换行\n第二段', "http://x/2.html"),
]


def _csv(terminator: str, bom: bool = False, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    import csv

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=terminator, quoting=csv.QUOTE_ALL, delimiter=delimiter)
    writer.writerow(["标题", "发布日期", "正文", "链接"])
    for row in ROWS:
        writer.writerow(row)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding)


@pytest.mark.parametrize(
    "data",
    [
        _csv("\n"),
        _csv("\r\n"),
        _csv("\r"),
        _csv("\n", bom=True),
        _csv("\r\n", encoding="gb18030"),
        _csv("\n", delimiter="\t"),
    ],
    ids=["lf", "crlf", "cr", "bom", "gbk", "tsv"],
)
def test_csv_exports_keep_each_record_whole(data):
    pages = split_crawl(data, "export.csv")
    assert [p.locator for p in pages] == ["export.csv#row=1", "export.csv#row=2"]
    assert pages[0].content.decode() == ROWS[0][2]  # line breaks inside the quoted field kept as written
    assert pages[1].content.decode() == ROWS[1][2]
    assert pages[0].hints.title == ROWS[0][0]
    assert pages[0].hints.date == date(2022, 1, 20) and pages[1].hints.date == date(2021, 3, 5)
    assert pages[1].hints.url == "http://x/2.html"


def test_json_lines_are_located_by_their_line():
    lines = [json.dumps({"title": t, "date": d, "content": c, "url": u}, ensure_ascii=False) for t, d, c, u in ROWS]
    data = ("\n".join([lines[0], "", lines[1]]) + "\n").encode()
    pages = split_crawl(data, "items.jl")
    assert [p.locator for p in pages] == ["items.jl#line=1", "items.jl#line=3"]
    assert pages[1].content.decode() == ROWS[1][2]


def test_a_json_array_of_items_and_list_valued_content():
    items = [
        {"title": ROWS[0][0], "text": ["第一段", "第二段"], "link": "http://x/1.html", "files": ["a.pdf", "b.doc"]}
    ]
    pages = split_crawl(json.dumps(items, ensure_ascii=False).encode(), "items.json")
    assert pages[0].locator == "items.json#record=1"
    assert pages[0].content.decode() == "第一段\n第二段"
    assert pages[0].hints.attachments == "a.pdf b.doc"


def test_xlsx_export():
    rows = make_crawl(random.Random(3), reports=1)
    pages = split_crawl(crawl_export(rows, "xlsx"), "crawl.xlsx")
    assert [p.locator for p in pages] == [f"crawl.xlsx#row={n}" for n in range(1, len(rows) + 1)]
    assert [p.hints.title for p in pages] == [r.title for r in rows]
    assert pages[0].content.decode() == rows[0].content


def test_what_is_not_an_export_is_left_to_the_readers():
    report = "桃源县2018年度政府信息公开工作年度报告\n统计指标,单位,统计数\n".encode()
    assert split_crawl(report, "report.txt") is None
    assert split_crawl(b"name,value\nx,1\n", "plain.csv") is None  # a CSV, but not a crawler's
    assert split_crawl(b"%PDF-1.7 ...", "a.pdf") is None
    assert split_crawl('{"年度": 2018}'.encode(), "a.json") is None
    assert header_fields(["标题", "时间"]) is None  # no content column
    assert header_fields(["Title", " 内容 ", "URL"]) == {"title": 0, "content": 1, "url": 2}


def test_every_export_form_of_a_crawl_gives_every_row():
    rows = make_crawl(random.Random(11))
    for form in EXPORT_FORMS:
        for header in HEADERS:
            pages = split_crawl(crawl_export(rows, form, header), f"crawl.{form}")
            assert len(pages) == len(rows), (form, header)
            assert [p.hints.title for p in pages] == [r.title for r in rows], (form, header)
            texts = [p.content.decode().replace("\r\n", "\n") for p in pages]
            assert texts == [r.content.replace("\r\n", "\n") for r in rows], (form, header)


def test_web_archive_records_that_are_documents():
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    rows = make_crawl(random.Random(2), reports=1, html=True)
    data = warc_bytes(rows)
    pages = split_crawl(data, "crawl.warc.gz")
    # request records and the images beside each page are not documents
    assert len(pages) == len(rows)
    assert pages[0].locator == f"crawl.warc.gz#uri={rows[0].url}&date={rows[0].published.isoformat()}T08:00:00Z"
    assert pages[0].hints.url == rows[0].url and pages[0].hints.date == rows[0].published
    # from each page's <title> (a site may add its own name after it)
    assert all(p.hints.title.startswith(r.title) for p, r in zip(pages, rows, strict=True))

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    missing = StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            "http://x/gone", "response", payload=io.BytesIO(b"<html>no</html>"), http_headers=missing
        )
    )
    (page,) = split_crawl(out.getvalue(), "plain.warc")
    assert page.hints.http_status == 404


def test_dates_as_crawlers_write_them():
    assert parse_date("2024-01-26 10:22:01") == date(2024, 1, 26)
    assert parse_date("2024年1月6日") == date(2024, 1, 6)
    assert parse_date("20240126") == date(2024, 1, 26)
    assert parse_date("2024-02-30") is None and parse_date("") is None
