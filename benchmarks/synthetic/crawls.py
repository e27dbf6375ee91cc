"""Synthetic crawls: crawler exports (CSV, TSV, JSON, JSON Lines, XLSX) and web archives (WARC) of
an agency's disclosure section, with what each row or record is known to be.

A crawl holds annual reports beside other pages, as real crawls do: policies, 法治政府建设 reports,
a website's annual 报表 with tables of its own, a bureau's 统计年报; report pages whose title the
crawler kept in its own column (the page text starts with the body); and a pre-2019 report split
over two pages, its narrative and its 统计表. Each :class:`CrawlRow` says what it is (report,
other, or part of a split report), and for a report its agency, year, template and cells, as the
report generators made them: nothing here asks the parser.
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import dataclass, field
from datetime import date

from benchmarks.synthetic.post2019 import FMT_2019, FMT_2021, RUN_TOGETHER, make_post2019_report
from benchmarks.synthetic.pre2019 import make_pre2019_report

REPORT, OTHER, NARRATIVE, TABLE = "report", "other", "narrative", "table"
EXPORT_FORMS = ("csv", "csv_crlf", "csv_cr", "csv_bom", "csv_gbk", "tsv", "jsonl", "json", "xlsx")
HEADERS = {
    "zh": ["标题", "时间", "内容", "一级类别", "来源网站", "访问地址", "附件链接"],
    "en": ["title", "date", "content", "category", "source", "url", "attachments"],
}


@dataclass
class CrawlRow:
    kind: str  # report, other, narrative (of a split report) or table (its 统计表 page)
    title: str  # the crawl's title column
    content: str  # the page as crawled: HTML or text
    published: date
    url: str
    agency: str = ""  # a report's agency, as its title names it
    year: int | None = None
    template: str = ""
    cells: dict = field(default_factory=dict)  # (row code, column code) → printed text, or ExpectedCell
    partner: int | None = None  # a split report: the index of its other page


def _drop_title(text: str) -> str:
    """The page text as a crawler keeps it when the title went to its own column."""
    lines = text.split("\n")
    return "\n".join(lines[1:]) if lines else text


def _post2019_row(rng: random.Random, index: int, agency_index: int, html: bool) -> CrawlRow:
    template = rng.choice([FMT_2019, FMT_2021])
    form = (
        "html"
        if html
        else rng.choice(
            ["text_cells", "markdown", "text_tabs", RUN_TOGETHER]
            if template == FMT_2021
            else ["text_cells", "markdown", "text_tabs"]
        )
    )
    report = make_post2019_report(rng, agency_index, template, form)
    title = f"{report.agency}{report.year}年政府信息公开工作年度报告"
    titled = html or rng.random() < 0.3  # some pages keep their title line, most lost it to the column
    content = report.text if titled else _drop_title(report.text)
    if not html and rng.random() < 0.2:
        content = content.replace("\n", "\r")  # bare CR line breaks
    return CrawlRow(
        REPORT,
        title,
        content,
        date(report.year + 1, 1, rng.randint(10, 28)),
        f"http://www.example.gov.cn/zfxxgk/nb/{index}.html",
        report.agency,
        report.year,
        template,
        dict(report.cells),
    )


def _split_report(rng: random.Random, index: int, agency_index: int, html: bool) -> list[CrawlRow]:
    """A pre-2019 report published as two pages: the narrative, and its 统计表 on a page of its own
    (as text, or as two HTML pages whose table page is titled 政府信息公开情况统计表（N年度））."""
    report = make_pre2019_report(rng, agency_index, "stat_2014", "html" if html else "text_cells")
    table_title = f"政府信息公开情况统计表（{report.year}年度）"
    caption = report.layout.get("caption") or ""
    if html:
        page = report.text
        start = page.index("<table")
        if caption and report.layout.get("caption_mode") == "above" and caption in page[:start]:
            start = page.rfind("<", 0, page.rindex(caption, 0, start))  # the caption's own element
        narrative = page[:start] + "</body></html>"
        table = f"<html><head><title>{table_title}</title></head><body>" + page[start:]
    else:
        lines = report.text.split("\n")
        squashed = ["".join(line.split()) for line in lines]
        header = squashed.index("".join(report.layout["header"][0].split()))
        above = [i for i in range(header) if caption and squashed[i] == "".join(caption.split())]
        cut = len("\n".join(lines[: above[-1] if above else header])) + 1
        narrative, table = _drop_title(report.text[:cut]), report.text[cut:]
    published = report.published or date(report.year + 1, 2, 1)
    url = f"http://www.example.gov.cn/zfxxgk/nb/{index}"
    year, agency, cells = report.year, report.agency, dict(report.cells)
    return [
        CrawlRow(NARRATIVE, report.title, narrative, published, url + "a.html", agency, year, partner=index + 1),
        CrawlRow(TABLE, table_title, table, published, url + "b.html", agency, year, "stat_2014", cells, index),
    ]


def _other_rows(rng: random.Random, agency: str, year: int, index: int) -> list[CrawlRow]:
    url = f"http://www.example.gov.cn/zfxxgk/other/{index}"
    published = date(year + 1, 1, rng.randint(2, 28))
    website_table = (
        "<table><tr><td>网站名称</td><td>" + agency + "门户网站</td></tr>"
        f"<tr><td>独立用户访问总量（单位：个）</td><td>{rng.randint(1000, 90000)}</td></tr>"
        f"<tr><td>网站总访问量（单位：次）</td><td>{rng.randint(10000, 900000)}</td></tr>"
        f"<tr><td>信息发布（单位：条）</td><td>{rng.randint(100, 9000)}</td></tr>"
        f"<tr><td>政务新媒体 微博 信息发布量</td><td>{rng.randint(10, 900)}</td></tr></table>"
    )
    return [
        CrawlRow(
            OTHER,
            f"关于印发《{agency}优化营商环境若干措施》的通知",
            f"各有关单位：现将《{agency}优化营商环境若干措施》印发给你们，请认真贯彻落实。\n{agency}\n{year}年3月2日",
            published,
            url + "1.html",
        ),
        CrawlRow(
            OTHER,
            f"{agency}{year}年度法治政府建设情况报告",
            f"{year}年，{agency}深入学习贯彻习近平法治思想。全年办理行政复议案件{rng.randint(1, 30)}件，"
            f"行政诉讼{rng.randint(0, 9)}件。",
            published,
            url + "2.html",
        ),
        CrawlRow(
            OTHER,
            f"{agency}网站工作{year}年度报表",
            f"<html><body>{website_table}</body></html>",
            published,
            url + "3.html",
        ),
        CrawlRow(
            OTHER,
            f"{agency}{year}年统计年报",
            f"{year}年统计年报\n指标 本年 上年\n规模以上工业增加值 {rng.randint(100, 900)} {rng.randint(100, 900)}\n",
            published,
            url + "4.html",
        ),
    ]


def make_crawl(rng: random.Random, reports: int = 4, first_index: int = 0, html: bool = False) -> list[CrawlRow]:
    """Rows of one crawl: ``reports`` report pages, a split report, and four pages of other kinds;
    ``html``: every page as an HTML page (as a web archive holds them)."""
    rows: list[CrawlRow] = []
    for number in range(reports):
        rows.append(_post2019_row(rng, len(rows), first_index + number + 1, html))
    rows += _split_report(rng, len(rows), first_index + reports + 1, html)
    agency = rows[0].agency
    rows += _other_rows(rng, agency, rows[0].year or 2020, len(rows))
    return rows


# ---- writers ----------------------------------------------------------------------------------


def _values(row: CrawlRow) -> list[str]:
    return [
        row.title,
        row.published.isoformat(),
        row.content,
        "政府信息公开年报",
        "http://www.example.gov.cn",
        row.url,
        "",
    ]


def export_bytes(rows: list[CrawlRow], form: str, header: str = "zh") -> bytes:
    """The crawl as a crawler would export it; rows in order (row N is the Nth data record)."""
    names = HEADERS[header]
    if form in ("json", "jsonl"):
        items = [dict(zip(names, _values(row), strict=True)) for row in rows]
        if form == "json":
            return json.dumps(items, ensure_ascii=False, indent=1).encode("utf-8")
        return ("\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n").encode("utf-8")
    if form == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(names)
        for row in rows:
            sheet.append(_values(row))
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    terminator = {"csv_crlf": "\r\n", "csv_cr": "\r"}.get(form, "\n")
    buffer = io.StringIO(newline="")
    # A field holding a line break is quoted: csv's minimal quoting looks only for the terminator's
    # own characters, so only the CRLF export may quote minimally.
    quoting = csv.QUOTE_MINIMAL if form == "csv_crlf" else csv.QUOTE_ALL
    writer = csv.writer(buffer, delimiter="\t" if form == "tsv" else ",", lineterminator=terminator, quoting=quoting)
    writer.writerow(names)
    for row in rows:
        writer.writerow(_values(row))
    text = buffer.getvalue()
    if form == "csv_gbk":
        return text.encode("gb18030")
    return (b"\xef\xbb\xbf" if form == "csv_bom" else b"") + text.encode("utf-8")


def warc_bytes(rows: list[CrawlRow], extra_records: bool = True) -> bytes:
    """The crawl as a web archive: each page an HTML response record (the title in <title>, as a
    page has it), with a request record and an image response beside each, as wget writes them."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for row in rows:
        body = row.content
        if "<html" not in body:
            paragraphs = "".join(f"<p>{line}</p>" for line in body.replace("\r", "\n").split("\n"))
            body = f"<html><body>{paragraphs}</body></html>"
        if "<title" not in body:  # a page has its title in <head>
            body = body.replace("<html>", f"<html><head><title>{row.title}</title></head>", 1)
        payload = body.encode("utf-8")
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        when = f"{row.published.isoformat()}T08:00:00Z"
        if extra_records:
            request = StatusAndHeaders(
                f"GET {row.url} HTTP/1.1", [("Host", "www.example.gov.cn")], is_http_request=True
            )
            writer.write_record(writer.create_warc_record(row.url, "request", http_headers=request))
        record = writer.create_warc_record(
            row.url,
            "response",
            payload=io.BytesIO(payload),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": when},
        )
        writer.write_record(record)
        if extra_records:
            image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    row.url + ".png", "response", payload=io.BytesIO(b"\x89PNG\r\n"), http_headers=image
                )
            )
    return out.getvalue()
