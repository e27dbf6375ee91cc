"""Mutated reports for ``parse_report``: every mutant must parse or be quarantined, and quickly.

A mutant is a real or generated report (text, markdown, HTML, DOCX, XLSX, XLS, ODS, PDF) with one
to three random mutations: lines deleted, duplicated or swapped, digits flipped, junk inserted
(random bytes, control characters, CJK, HTML tags, table labels), the text truncated or
re-encoded; a ZIP container's structure broken or the XML inside it mutated and re-zipped; a
PDF's xref, streams or numbers damaged. Mutant ``index`` of source ``name`` is made by
``random.Random(f"{name}:{seed}:{index}")``, so any failure is reproduced from its name alone:

    python benchmarks/fuzz_reports.py --source sample.txt --index 123 --show
    python benchmarks/fuzz_reports.py --mutants 20000 --seed 1   # a wider run, not in CI
    python benchmarks/fuzz_reports.py --regression all           # the crashes found so far

Outcomes: ``parsed``, ``quarantined``, or a failure: ``crash`` (any other exception: a parser
bug), ``slow`` (over the time bound) or ``died`` (the mutant ended the process parsing it: a
native library aborted; mutants run in forked children, see ``run_isolated``). The test is
tests/component/test_fuzz.py.
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import multiprocessing
import os
import random
import re
import signal
import struct
import subprocess
import sys
import time
import traceback
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from transforms.limits import FileTimeLimitError  # noqa: E402
from transforms.parse_report import QuarantineError, parse_report  # noqa: E402

SAMPLE = REPO / "data" / "raw" / "taoyuan_2018_report.txt"
CORPUS = REPO.parent / "shared" / "corpus" / "real"
STAT_TABLE = REPO / "tests" / "expected" / "taoyuan_2018_stat_table.csv"
SECONDS_PER_MUTANT = 10.0

TEXT, ZIP, PDF, OLE = "text", "zip", "pdf", "ole"


@dataclass(frozen=True)
class Source:
    name: str  # also the file name given to parse_report
    kind: str  # TEXT, ZIP, PDF or OLE: which mutations apply
    load: Callable[[], bytes | None]  # None: not available here (../shared absent)
    mutants: int  # in the CI test


def _corpus(name: str) -> Callable[[], bytes | None]:
    def load() -> bytes | None:
        path = CORPUS / name
        return path.read_bytes() if path.is_file() else None

    return load


def _stat_rows() -> list[dict]:
    with STAT_TABLE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


_CAPTION = "2018年度桃源县政府信息公开工作统计表"


def _sample_xls() -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    sheet.write_merge(0, 0, 0, 2, _CAPTION)
    for c, text in enumerate(("统计指标", "单位", "统计数")):
        sheet.write(1, c, text)
    for r, row in enumerate(_stat_rows(), start=2):
        value = row["value_as_printed"]
        sheet.write(r, 0, row["label_as_printed"])
        sheet.write(r, 1, row["unit_as_printed"])
        sheet.write(r, 2, float(value) if re.fullmatch(r"\d+(\.\d+)?", value) else value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sample_ods() -> bytes:
    from xml.sax.saxutils import escape

    def row(cells: list[str]) -> str:
        inner = "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(cell)}</text:p></table:table-cell>'
            for cell in cells
        )
        return f"<table:table-row>{inner}</table:table-row>"

    rows = [row([_CAPTION]), row(["统计指标", "单位", "统计数"])]
    rows += [row([r["label_as_printed"], r["unit_as_printed"], r["value_as_printed"]]) for r in _stat_rows()]
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="表1">{"".join(rows)}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
    return _fixed_zip(out.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The container re-zipped with fixed times (member times, docProps dates): the same bytes in
    every run, so that a mutant found failing is the same mutant when reproduced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("docProps/"):
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?", b"2020-01-01T00:00:00Z", content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = info.compress_type
            target.writestr(fixed, content)
    return out.getvalue()


def _generate(kind: str) -> bytes:
    """A synthetic report from the repository's generators (benchmarks/synthetic_*.py)."""
    if kind.startswith("post2019"):
        from benchmarks.synthetic.post2019 import RUN_TOGETHER, make_post2019_report, to_docx, to_pdf

        form = RUN_TOGETHER if kind.endswith("run_together") else "text_cells"
        report = make_post2019_report(random.Random(5), 1, "fmt_2021", form)
        if kind.endswith("docx"):
            return to_docx(report)
        return to_pdf(report) if kind.endswith("pdf") else report.text.encode("utf-8")
    from benchmarks.synthetic.pre2019 import make_seeded

    form = kind.removeprefix("pre2019_")
    return make_seeded(5, 1, template="local_table" if form == "pdf" else None, form=form).to_bytes()


def _synthetic(kind: str) -> Callable[[], bytes]:
    """The same bytes in every run, so that a failing mutant is the same mutant when reproduced."""

    def load() -> bytes:
        if not kind.endswith("pdf"):
            data = _generate(kind)
            return _fixed_zip(data) if data[:2] == b"PK" else data
        # In a child: ReportLab made invariant (no dates, IDs or font timestamps), and the font
        # subset, made in set order, under a fixed hash seed.
        code = (
            "import sys; import reportlab.rl_config; reportlab.rl_config.invariant = 1;"
            f" sys.path.insert(0, {str(REPO)!r}); from benchmarks.fuzz_reports import _generate;"
            f" sys.stdout.buffer.write(_generate({kind!r}))"
        )
        env = {**os.environ, "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "1577836800"}  # and font times
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True).stdout

    return load


# Source → mutants in the CI test (3,000 in all); the wider local run scales these.
SOURCES: dict[str, Source] = {
    s.name: s
    for s in [
        Source("sample.txt", TEXT, SAMPLE.read_bytes, 600),
        Source("pingtan_2021_1.txt", TEXT, _corpus("pingtan_2021_1.txt"), 250),
        Source("pingtan_2016_1.txt", TEXT, _corpus("pingtan_2016_1.txt"), 150),
        Source("pingtan_2012_1.txt", TEXT, _corpus("pingtan_2012_1.txt"), 100),
        Source("huaian_2024_truncated_extract.txt", TEXT, _corpus("huaian_2024_truncated_extract.txt"), 50),
        Source("run_together_2021.txt", TEXT, _synthetic("post2019_run_together"), 150),
        Source("shanghai_kewei_2024.md", TEXT, _corpus("shanghai_kewei_2024.md"), 150),
        Source("shuyang_2025.md", TEXT, _corpus("shuyang_2025.md"), 100),
        Source("shuyang_fgj_2023.html", TEXT, _corpus("shuyang_fgj_2023.html"), 180),
        Source("pingtan_2012.html", TEXT, _corpus("pingtan_2012.html"), 150),
        Source("pingtanxian_2012.html", TEXT, _corpus("pingtanxian_2012.html"), 100),
        Source("template_2021_blank.docx", ZIP, _corpus("template_2021_blank.docx"), 150),
        Source("report_2021.docx", ZIP, _synthetic("post2019_docx"), 150),
        Source("stat_2014.xlsx", ZIP, _synthetic("pre2019_xlsx"), 200),
        Source("sample.ods", ZIP, _sample_ods, 100),
        Source("sample.xls", OLE, _sample_xls, 150),
        Source("local_table.pdf", PDF, _synthetic("pre2019_pdf"), 150),
        Source("report_2021.pdf", PDF, _synthetic("post2019_pdf"), 50),
        Source("huaian_2024.pdf", PDF, _corpus("huaian_2024.pdf"), 40),
        Source("hongze_2023.pdf", PDF, _corpus("hongze_2023.pdf"), 30),
    ]
}


@cache
def source_bytes(name: str) -> bytes | None:
    return SOURCES[name].load()


# --- mutations of text -------------------------------------------------------------------------

LABELS = [
    "本年废止件数",
    "本年制发件数",
    "现行有效件数",
    "政府信息公开情况统计表",
    "统计指标",
    "单位",
    "统计数",
    "指标名称",
    "计量单位",
    "本年度",
    "历年累计",
    "表二",
    "表三",
    "表四",
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "三、本年度办理结果",
    "（一）予以公开",
    "（七）总计",
    "四、结转下年度继续办理",
    "行政复议",
    "行政诉讼",
    "总计",
    "结果维持",
    "其他形式",
    "第二十条第（一）项",
    "主动公开信息数",
    "附件",
    "2018年度",
    "政府信息公开工作年度报告",
    "共受理政府信息公开申请12件",
    "结转下一年度办理3件",
    "——",
]
HTML_JUNK = [
    "<table>",
    "</table>",
    "<tr>",
    "</tr>",
    "<td>",
    "</td>",
    "<th>",
    '<td colspan=";">',
    '<td colspan="1e9">',
    '<td rowspan="0">',
    '<td rowspan="-2">',
    '<td colspan="1001">',
    '<td rowspan="2" colspan="3">',
    "<br>",
    "<br/>",
    "<p>",
    "</p>",
    "<div>",
    "<!--",
    "-->",
    "<![CDATA[",
    "<script>",
    "</script>",
    "<style>",
    "&#11;",
    "&#0;",
    "&#xFFFE;",
    "&#xD800;",
    "&nbsp;",
    "&",
    "<",
    "<?xml version='1.0'?>",
    "<!DOCTYPE html>",
    "<html>",
    "<body>",
    "</body>",
    "<h1>",
    "<title>",
    "<meta charset='gbk'>",
    "<table><tr><td><table><tr><td>",
]
TEXT_JUNK = ["\t", "\n", "\n\n", " " * 30, "|", "| --- | --- |", "| 数据1 | 数据2 |", "。", "；", "（一）", "1.", "# "]
CONTROL = [
    chr(c) for c in (*range(0x00, 0x20), 0x7F, 0x85, 0xA0, 0x2028, 0x2029, 0x200B, 0xFEFF, 0xFFFE, 0xFFFF, 0x3000)
]


def _junk(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.2:
        text = "".join(rng.choice(CONTROL) for _ in range(rng.randint(1, 4)))
        return text, f"control chars {text!r}"
    if roll < 0.35:
        text = "".join(chr(rng.randint(0x4E00, 0x9FFF)) for _ in range(rng.randint(1, 30)))
        return text, "random CJK"
    if roll < 0.55:
        text = rng.choice(LABELS)
        return text, f"label {text!r}"
    if roll < 0.75:
        text = "".join(rng.choice(HTML_JUNK) for _ in range(rng.randint(1, 3)))
        return text, f"HTML {text!r}"
    if roll < 0.85:
        text = rng.choice(TEXT_JUNK)
        return text, f"text {text!r}"
    if roll < 0.95:
        text = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, rng.choice([5, 40, 400]))))
        return text, f"{len(text)} digits"
    text = "".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 10)))
    return text, "random characters"


def _line_span(rng: random.Random, length: int, most: int) -> tuple[int, int]:
    start = rng.randrange(length) if length else 0
    return start, min(length, start + rng.randint(1, most))


def text_delete_lines(rng: random.Random, text: str) -> tuple[str, str]:
    lines = text.split("\n")
    start, end = _line_span(rng, len(lines), rng.choice([1, 3, 10, 50]))
    return "\n".join(lines[:start] + lines[end:]), f"delete lines {start + 1}-{end}"


def text_duplicate_lines(rng: random.Random, text: str) -> tuple[str, str]:
    lines = text.split("\n")
    start, end = _line_span(rng, len(lines), rng.choice([1, 3, 10, 50]))
    times = rng.choice([1, 1, 2, 10, 100])
    return "\n".join(lines[:end] + lines[start:end] * times + lines[end:]), f"repeat lines {start + 1}-{end} ×{times}"


def text_swap_lines(rng: random.Random, text: str) -> tuple[str, str]:
    lines = text.split("\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines), f"swap lines {i + 1} and {j + 1}"


def text_join_lines(rng: random.Random, text: str) -> tuple[str, str]:
    positions = [m.start() for m in re.finditer("\n", text)]
    if not positions:
        return text, "join lines (none)"
    chosen = set(rng.sample(positions, min(len(positions), rng.choice([1, 5, 50, len(positions)]))))
    return "".join(ch for i, ch in enumerate(text) if i not in chosen), f"join {len(chosen)} line breaks"


def text_flip_digits(rng: random.Random, text: str) -> tuple[str, str]:
    positions = [m.start() for m in re.finditer(r"\d", text)]
    if not positions:
        return text, "flip digits (none)"
    chars = list(text)
    chosen = rng.sample(positions, min(len(positions), rng.choice([1, 3, 20])))
    for i in chosen:
        roll = rng.random()
        chars[i] = rng.choice("0123456789") if roll < 0.7 else ("" if roll < 0.85 else chars[i] * rng.randint(2, 9))
    return "".join(chars), f"flip digits at {sorted(chosen)[:5]}…"


def text_insert_junk(rng: random.Random, text: str) -> tuple[str, str]:
    junk, what = _junk(rng)
    at = rng.randint(0, len(text))
    return text[:at] + junk + text[at:], f"insert {what} at {at}"


def text_replace_label(rng: random.Random, text: str) -> tuple[str, str]:
    present = [label for label in LABELS if label in text]
    if not present:
        return text_insert_junk(rng, text)
    old, new = rng.choice(present), rng.choice([*LABELS, ""])
    return text.replace(old, new, rng.choice([1, -1])), f"replace {old!r} by {new!r}"


def text_truncate(rng: random.Random, text: str) -> tuple[str, str]:
    at = rng.randint(0, len(text))
    return text[:at], f"truncate at {at} of {len(text)}"


def text_html_attributes(rng: random.Random, text: str) -> tuple[str, str]:
    values = [";", "1e9", "", "-1", "0", "abc", "2;", " 3 ", "+2", "99999999999999999999", "1000", "1001", "٣", "0x10"]
    matches = list(re.finditer(r'(colspan|rowspan)\s*=\s*("[^"]*"|\'[^\']*\'|[^\s>]*)', text, re.IGNORECASE))
    value = rng.choice(values)
    if matches:
        m = rng.choice(matches)
        return text[: m.start()] + f'{m[1]}="{value}"' + text[m.end() :], f'{m[1]}="{value}" at {m.start()}'
    cells = [m.end() - 1 for m in re.finditer(r"<t[dh]\b[^>]*>", text)]
    if not cells:
        return text_insert_junk(rng, text)
    at = rng.choice(cells)
    attribute = rng.choice(["colspan", "rowspan"])
    return text[:at] + f' {attribute}="{value}"' + text[at:], f'add {attribute}="{value}" at {at}'


def text_tags(rng: random.Random, text: str) -> tuple[str, str]:
    """Delete or repeat a random tag (unbalancing the tree), or nest the body deeply."""
    tags = list(re.finditer(r"<[^<>]{1,200}>", text))
    if not tags:
        return text_insert_junk(rng, text)
    m = rng.choice(tags)
    roll = rng.random()
    if roll < 0.5:
        return text[: m.start()] + text[m.end() :], f"delete tag {m[0][:40]!r}"
    times = rng.choice([2, 10, 300])
    return text[: m.start()] + m[0] * times + text[m.end() :], f"repeat tag {m[0][:40]!r} ×{times}"


TEXT_MUTATIONS = [
    text_delete_lines,
    text_duplicate_lines,
    text_swap_lines,
    text_join_lines,
    text_flip_digits,
    text_insert_junk,
    text_insert_junk,
    text_replace_label,
    text_truncate,
]
HTML_MUTATIONS = [text_html_attributes, text_tags]


def _mutate_text(rng: random.Random, text: str, html: bool, notes: list[str]) -> str:
    for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
        mutation = rng.choice(TEXT_MUTATIONS + (HTML_MUTATIONS * 2 if html else []))
        text, note = mutation(rng, text)
        notes.append(note)
    return text


ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "big5", "gb2312", "hz"]


def _encode(rng: random.Random, text: str, notes: list[str]) -> bytes:
    if rng.random() < 0.75:
        return text.encode("utf-8", "surrogatepass")
    encoding = rng.choice(ENCODINGS)
    try:
        data = text.encode(encoding)
    except UnicodeError:
        data = text.encode(encoding, "replace")
        encoding += " (unencodable characters replaced)"
    notes.append(f"encode as {encoding}")
    return data


# --- mutations of bytes ------------------------------------------------------------------------


def bytes_flip(rng: random.Random, data: bytes, start: int = 0, end: int | None = None) -> tuple[bytes, str]:
    end = len(data) if end is None else end
    if end <= start:
        return data, "flip bytes (none)"
    out = bytearray(data)
    count = rng.choice([1, 4, 32])
    for _ in range(count):
        out[rng.randrange(start, end)] = rng.randrange(256)
    return bytes(out), f"flip {count} bytes in {start}-{end}"


def bytes_insert(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    at = rng.randint(0, len(data))
    return data[:at] + junk + data[at:], f"insert {len(junk)} random bytes at {at}"


def bytes_truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    at = rng.randint(0, len(data))
    return data[:at], f"truncate to {at} of {len(data)} bytes"


def bytes_prefix(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    prefix = rng.choice(
        [b"%PDF-1.4\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]
    )
    return prefix + data, f"prefix {prefix!r}"


def _mutate_bytes(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    mutation = rng.choice([bytes_flip, bytes_insert, bytes_truncate, bytes_prefix])
    data, note = mutation(rng, data)
    notes.append(note)
    return data


# --- mutations of ZIP containers (DOCX, XLSX, ODS) ---------------------------------------------


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def _rezip(members: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names, on purpose
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, content in members:
                archive.writestr(info.filename, content, info.compress_type)
    return out.getvalue()


XML_JUNK = [
    '<w:gridSpan w:val="x"/>',
    '<w:gridSpan w:val="99999999"/>',
    '<w:gridSpan w:val="-5"/>',
    '<w:vMerge w:val="restart"/>',
    "<w:vMerge/>",
    '<w:gridBefore w:val="zz"/>',
    "<w:tc><w:p><w:r><w:t>本年废止件数</w:t></w:r></w:p></w:tc>",
    "<w:tr><w:tc><w:p/></w:tc></w:tr>",
    "<w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>",
    '<mergeCell ref="A1:ZZZ99999"/>',
    '<mergeCell ref="B2"/>',
    '<dimension ref="A1:XFD1048576"/>',
    '<c r="A1048576" t="s"><v>999</v></c>',
    '<c r="ZZZZ1" t="n"><v>1e400</v></c>',
    '<c r="B3" t="s"><v>-1</v></c>',
    '<table:table-cell table:number-columns-repeated="16384"/>',
    '<table:table-row table:number-rows-repeated="1048576"><table:table-cell/></table:table-row>',
    '<table:table-cell table:number-columns-spanned="999999"/>',
    "&#11;",
    "&#1;",
    "&unknown;",
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>',
    "<",
    "]]>",
]


def _mutate_xml(rng: random.Random, xml: bytes, notes: list[str]) -> bytes:
    text = xml.decode("utf-8", "replace")
    roll = rng.random()
    if roll < 0.4:
        junk = rng.choice(XML_JUNK)
        tags = [m.end() for m in re.finditer(r">", text)] or [0]
        at = rng.choice(tags)
        notes.append(f"insert {junk!r} at {at}")
        text = text[:at] + junk + text[at:]
    elif roll < 0.55:
        values = list(re.finditer(r'(w:val|ref|r|table:number-[a-z-]+)="([^"]*)"', text))
        if values:
            m = rng.choice(values)
            new = rng.choice(["", "x", "-1", "0", "99999999999", "A0", "ZZZZZZ9", "1:1", "A1:B", "2.5"])
            notes.append(f'{m[1]}="{m[2]}" → "{new}"')
            text = text[: m.start(2)] + new + text[m.end(2) :]
    elif roll < 0.7:
        tags = list(re.finditer(r"<[^<>]{1,300}>", text))
        if tags:
            m = rng.choice(tags)
            notes.append(f"delete tag {m[0][:40]!r}")
            text = text[: m.start()] + text[m.end() :]
    else:
        text = _mutate_text(rng, text, False, notes)
    return text.encode("utf-8", "surrogatepass")


def zip_xml(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    members = _members(data)
    xml = [i for i, (info, _) in enumerate(members) if info.filename.endswith(".xml")]
    index = rng.choice(xml or range(len(members)))
    info, content = members[index]
    notes.append(f"in {info.filename}:")
    members[index] = (info, _mutate_xml(rng, content, notes))
    return _rezip(members)


def zip_drop_member(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    members = _members(data)
    info, _ = members.pop(rng.randrange(len(members)))
    notes.append(f"drop member {info.filename}")
    return _rezip(members)


def zip_duplicate_member(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    members = _members(data)
    info, content = rng.choice(members)
    other = rng.choice(members)[1]
    members.insert(rng.randint(0, len(members)), (info, rng.choice([content, other, b"", b"<x/>"])))
    notes.append(f"duplicate member {info.filename}")
    return _rezip(members)


def _central_directory(data: bytes) -> tuple[int, int]:
    end = data.rfind(b"PK\x05\x06")
    start = data.find(b"PK\x01\x02")
    return (start, end) if 0 <= start < end else (max(0, len(data) - 200), len(data))


def zip_corrupt_directory(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    start, end = _central_directory(data)
    if rng.random() < 0.3 and end + 22 <= len(data):
        # The end record: entry counts, directory size and offset.
        field = rng.choice([(8, "<H"), (10, "<H"), (12, "<I"), (16, "<I")])
        value = rng.choice([0, 1, 0xFFFF if field[1] == "<H" else 0xFFFFFFFF, rng.randrange(1 << 16)])
        notes.append(f"end record field at +{field[0]} = {value}")
        out = bytearray(data)
        struct.pack_into(field[1], out, end + field[0], value)
        return bytes(out)
    data, note = bytes_flip(rng, data, start, end + 22)
    notes.append(f"central directory: {note}")
    return data


def zip_corrupt_member(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = rng.choice(archive.infolist())
    header = info.header_offset
    name_length, extra_length = struct.unpack_from("<HH", data, header + 26)
    start = header + 30 + name_length + extra_length
    data, note = bytes_flip(rng, data, start, start + info.compress_size)
    notes.append(f"member {info.filename}: {note}")
    return data


def zip_header_fields(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    """A member's compression method, flags or sizes changed, in its local header and directory entry."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = rng.choice(archive.infolist())
    out = bytearray(data)
    field, value = rng.choice(
        [
            ("method", rng.choice([1, 12, 14, 99])),
            ("flags", 1),  # encrypted
            ("file_size", rng.choice([0, 1, 0xFFFFFFFF, 50_000_000])),
            ("compress_size", rng.choice([0, 1, 0xFFFFFFFF])),
        ]
    )
    local_at, central_at, fmt = {
        "method": (8, 10, "<H"),
        "flags": (6, 8, "<H"),
        "file_size": (22, 24, "<I"),
        "compress_size": (18, 20, "<I"),
    }[field]
    struct.pack_into(fmt, out, info.header_offset + local_at, value)
    # The directory entry of this member: the one whose local header offset is info.header_offset.
    for m in re.finditer(re.escape(b"PK\x01\x02"), data):
        if struct.unpack_from("<I", data, m.start() + 42)[0] == info.header_offset:
            struct.pack_into(fmt, out, m.start() + central_at, value)
            break
    notes.append(f"member {info.filename}: {field} = {value}")
    return bytes(out)


ZIP_MUTATIONS = [
    zip_xml,
    zip_xml,
    zip_xml,
    zip_drop_member,
    zip_duplicate_member,
    zip_corrupt_directory,
    zip_corrupt_member,
    zip_header_fields,
]


# --- mutations of PDFs and OLE2 files ----------------------------------------------------------


def pdf_xref(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    roll = rng.random()
    start = data.rfind(b"startxref")
    if roll < 0.4 and start >= 0:
        m = re.compile(rb"startxref\s*(\d+)").match(data, start)
        if m:
            value = rng.choice([b"0", b"1", b"999999999", b"-5", b"", str(rng.randrange(len(data))).encode()])
            notes.append(f"startxref = {value!r}")
            return data[: m.start(1)] + value + data[m.end(1) :]
    xref = data.rfind(b"xref", 0, start if start > 0 else len(data))
    if xref >= 0:
        data, note = bytes_flip(rng, data, xref, min(len(data), xref + 400))
        notes.append(f"xref table: {note}")
        return data
    data, note = bytes_flip(rng, data, max(0, len(data) - 300))
    notes.append(f"trailer: {note}")
    return data


def pdf_streams(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    streams = [(m.end(), data.find(b"endstream", m.end())) for m in re.finditer(rb"stream\r?\n", data)]
    streams = [(s, e) for s, e in streams if e > s]
    if not streams:
        return _mutate_bytes(rng, data, notes)
    start, end = rng.choice(streams)
    data, note = bytes_flip(rng, data, start, end)
    notes.append(f"stream: {note}")
    return data


def pdf_numbers(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    keys = rb"/(?:Length|Count|Size|First|N|W|MediaBox|CropBox|Rotate|Kids|Parent|Root|Pages|Font|Widths|BBox)"
    found = list(re.finditer(keys + rb"\s*(\[[^\]]{0,200}\]|-?\d+(?:\s+\d+\s+R)?)", data))
    if not found:
        return _mutate_bytes(rng, data, notes)
    m = rng.choice(found)
    value = rng.choice(
        [
            b"0",
            b"-1",
            b"99999999999",
            b"1e30",
            b"[]",
            b"[0 0 0 0]",
            b"[0 0 1e9 1e9]",
            b"null",
            b"3 0 R",
            b"(x)",
            b"[1 2",
        ]
    )
    notes.append(f"{m[0][:30]!r} → {value!r}")
    return data[: m.start(1)] + value + data[m.end(1) :]


def pdf_objects(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    objects = list(re.finditer(rb"\d+\s+\d+\s+obj\b.*?endobj", data, re.DOTALL))
    if not objects:
        return _mutate_bytes(rng, data, notes)
    m = rng.choice(objects)
    if rng.random() < 0.5:
        notes.append(f"delete object {m[0][:20]!r}")
        return data[: m.start()] + data[m.end() :]
    notes.append(f"repeat object {m[0][:20]!r}")
    return data[: m.end()] + b"\n" + m[0] + data[m.end() :]


PDF_MUTATIONS = [pdf_xref, pdf_streams, pdf_streams, pdf_numbers, pdf_numbers, pdf_objects]


def ole_fields(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    """The compound file header: sector shifts, FAT and directory starts, counts."""
    offset, fmt = rng.choice([(30, "<H"), (32, "<H"), (44, "<I"), (48, "<I"), (60, "<I"), (64, "<I"), (68, "<I")])
    value = rng.choice([0, 1, 7, 0x10, 0xFFFF if fmt == "<H" else 0xFFFFFFFE, rng.randrange(256)])
    out = bytearray(data)
    if len(out) >= offset + struct.calcsize(fmt):
        struct.pack_into(fmt, out, offset, value)
    notes.append(f"OLE header +{offset} = {value}")
    return bytes(out)


def ole_body(rng: random.Random, data: bytes, notes: list[str]) -> bytes:
    data, note = bytes_flip(rng, data, min(512, len(data)), len(data))
    notes.append(f"OLE body: {note}")
    return data


OLE_MUTATIONS = [ole_fields, ole_body, ole_body]


# --- crashes found so far, as explicit mutations (independent of the random mutator) -------------


def _insert_line(data: bytes, line: int, text: str) -> bytes:
    lines = data.decode("utf-8").split("\n")
    return "\n".join([*lines[:line], text, *lines[line:]]).encode("utf-8")


def _insert_after_line_break(data: bytes, junk: bytes) -> bytes:
    at = data.index(b"\n", len(data) // 2) + 1
    return data[:at] + junk + data[at:]


def _first_span(data: bytes, value: bytes) -> bytes:
    return re.sub(rb'colspan="\d+"', b"colspan=" + value, data, count=1)


def _zip_member_data(data: bytes, name: str, junk: bytes) -> bytes:
    """The first bytes of a member's compressed data overwritten (deflate block type 3: invalid)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    return data[:start] + junk + data[start + len(junk) :]


def _zip_member_replace(data: bytes, name: str, old: bytes, new: bytes) -> bytes:
    return _rezip(
        [(info, content.replace(old, new, 1) if info.filename == name else content) for info, content in _members(data)]
    )


def _zip_directory_field(data: bytes, offset: int, fmt: str, value: int, record: bytes = b"PK\x01\x02") -> bytes:
    """A field of the first record starting with ``record`` (the last, for a ZIP's end record): a
    central directory entry, or a BIFF record of an .xls."""
    out = bytearray(data)
    at = data.rfind(record) if record == b"PK\x05\x06" else data.find(record)
    struct.pack_into(fmt, out, at + offset, value)
    return bytes(out)


def _pdf_broken_font(data: bytes) -> bytes:
    """The embedded font file zeroed at its start: PDFium gets no glyph boxes, so the file is read
    by pdfminer (transforms.pdf_document._degenerate_text)."""
    m = re.search(rb"/Length1 \d+\s*>>\s*stream\r?\n", data)
    return data[: m.end()] + b"\0" * 64 + data[m.end() + 64 :]


def _pdf_media_box(data: bytes, box: bytes) -> bytes:
    return re.sub(rb"/MediaBox \[[^\]]*\]", b"/MediaBox " + box, data)


def _pdf_to_unicode_filter(data: bytes) -> bytes:
    for number in set(re.findall(rb"/ToUnicode (\d+) 0 R", data)):
        m = re.search(rb"\n" + number + rb" 0 obj\s*<<[^>]*?/FlateDecode", data)
        data = data[: m.end() - len(b"FlateDecode")] + b"F\xb7ateDecode" + data[m.end() :]
    return data


def _crawler_tail(data: bytes, tail: str) -> bytes:
    return data.rstrip(b"\n") + tail.encode("utf-8") + b"\n"


# name → (source, mutation, what the parser did with it before it was fixed)
REGRESSIONS: dict[str, tuple[str, Callable[[bytes], bytes], str]] = {
    "lone 本年废止件数 line": (
        "sample.txt",
        lambda d: _insert_line(d, 100, "本年废止件数"),
        "ValueError: zip() argument 2 is longer than argument 1 (run_together_tables.row_runs)",
    ),
    "vertical tab in an HTML page": (
        "shuyang_fgj_2023.html",
        lambda d: d.replace(b"</p>", b"</p>\x0b", 1),  # in a block element's tail
        "ValueError: All strings must be XML compatible (lxml, setting an element's tail)",
    ),
    "&#11; in an HTML page": (
        "pingtan_2012.html",
        lambda d: _insert_after_line_break(d, b"&#11;"),
        "ValueError: All strings must be XML compatible (lxml)",
    ),
    "colspan=;": ("shuyang_fgj_2023.html", lambda d: _first_span(d, b";"), "ValueError: int() of ';'"),
    'colspan="1e9"': ("shuyang_fgj_2023.html", lambda d: _first_span(d, b'"1e9"'), "ValueError: int() of '1e9'"),
    "colspan over the limit": (
        "shuyang_fgj_2023.html",
        lambda d: _first_span(d, b'"99999999999999999999"'),
        "a span of 10^20 columns taken as read",
    ),
    "DOCX member with damaged deflate data": (
        "report_2021.docx",
        lambda d: _zip_member_data(d, "word/document.xml", b"\xff\xff\xff\xff"),
        "zlib.error: invalid block type (read_docx)",
    ),
    "DOCX directory entry of version 23.2": (
        "template_2021_blank.docx",
        lambda d: _zip_directory_field(d, 6, "<H", 232),
        "NotImplementedError: zip file version 23.2 (is_docx)",
    ),
    "XLSX directory offset before the file": (
        "stat_2014.xlsx",
        lambda d: _zip_directory_field(d, 16, "<I", 0xFFFFFFFF, b"PK\x05\x06"),
        "ValueError: negative seek value (spreadsheet reader)",
    ),
    "XLS DIMENSIONS whose first row is after the last": (
        "sample.xls",
        lambda d: _zip_directory_field(d, 4, "<I", 0x13000000, b"\x00\x02\x0e\x00"),
        "calamine reserved room for 10^10 cells: memory allocation failed, the process aborted",
    ),
    "XLSX cell reference beyond column XFD": (
        "stat_2014.xlsx",
        lambda d: _zip_member_replace(d, "xl/worksheets/sheet1.xml", b'r="A5"', b'r="ZZZZZZ5"'),
        "calamine built a range of 10^10 cells: memory allocation failed, the process aborted",
    ),
    "PDF page object PDFium cannot load": (
        "huaian_2024.pdf",
        lambda d: d.replace(b"/Kids [6 0 R", b"/Kids [1 0 R", 1),
        "PdfiumError: Failed to load page.",
    ),
    "PDF /MediaBox null (pdfminer path)": (
        "local_table.pdf",
        lambda d: _pdf_media_box(_pdf_broken_font(d), b"null"),
        "TypeError: 'NoneType' object is not iterable (pdfplumber)",
    ),
    "PDF /MediaBox [] (pdfminer path)": (
        "local_table.pdf",
        lambda d: _pdf_media_box(_pdf_broken_font(d), b"[]"),
        "IndexError: list index out of range (pdfplumber)",
    ),
    "PDF /MediaBox [0 0 1e9 1e9] (pdfminer path)": (
        "local_table.pdf",
        lambda d: _pdf_media_box(_pdf_broken_font(d), b"[0 0 1e9 1e9]"),
        "MalformedPDFException: Bounding box contains non-number coordinate(s) (pdfplumber)",
    ),
    "PDF /ToUnicode with an unknown filter (pdfminer path)": (
        "local_table.pdf",
        lambda d: _pdf_to_unicode_filter(_pdf_broken_font(d)),
        "PdfminerException: Unsupported filter",
    ),
    "long digit run in a run-together 表三 row": (
        "run_together_2021.txt",
        lambda d: d.replace(
            "本年新收政府信息公开申请数量".encode(), ("本年新收政府信息公开申请数量" + "1" * 40).encode(), 1
        ),
        "every split of the run tried: minutes (run_together.total_splits)",
    ),
    "crawler line of spaced digits": (
        "pingtan_2012_1.txt",
        lambda d: _crawler_tail(d, " ".join("1" for _ in range(200_000))),
        "quadratic look-ahead from each space (run_together.compact_text): ~60 s",
    ),
    "crawler text without digits after the table": (
        "pingtan_2012_1.txt",
        lambda d: _crawler_tail(d, "政府信息公开工作" * 5_000),
        "quadratic search for unknown rows (pre2019_tables.compact_rows): ~40 s",
    ),
    "many short digit lines": (
        "sample.txt",
        lambda d: _insert_line(d, 20, "\n".join(str(i % 10) for i in range(100_000))),
        "quadratic heading match on a growing paragraph (narrative_facts.paragraphs): ~130 s",
    ),
    "many blank lines": (
        "shanghai_kewei_2024.md",
        lambda d: _insert_line(d, 20, "\n" * 100_000),
        "quadratic markdown detection (^\\s* over every blank line): ~14 s",
    ),
}


def regression(name: str) -> Outcome:
    source, mutation, _ = REGRESSIONS[name]
    data = source_bytes(source)
    if data is None:
        raise LookupError(f"{source} is not available here")
    return _run(mutation(data), source, -1, name)


# --- mutants and their outcome -----------------------------------------------------------------


def mutant(name: str, index: int, seed: int = 0) -> tuple[bytes, str]:
    """Mutant ``index`` of source ``name`` and what was done to it."""
    source = SOURCES[name]
    data = source_bytes(name)
    if data is None:
        raise LookupError(f"{name} is not available here")
    rng = random.Random(f"{name}:{seed}:{index}")
    notes: list[str] = []
    if source.kind == TEXT:
        html = name.endswith(".html")
        text = _mutate_text(rng, data.decode("utf-8"), html, notes)
        data = _encode(rng, text, notes)
        if rng.random() < 0.1:
            data = _mutate_bytes(rng, data, notes)
    else:
        mutations = {ZIP: ZIP_MUTATIONS, PDF: PDF_MUTATIONS, OLE: OLE_MUTATIONS}[source.kind]
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            if rng.random() < 0.15:
                data = _mutate_bytes(rng, data, notes)
                continue
            try:
                data = rng.choice(mutations)(rng, data, notes)
            except Exception as exc:
                # An earlier mutation broke what this one reads: damage the bytes instead.
                notes.append(f"({type(exc).__name__} reading the mutant)")
                data = _mutate_bytes(rng, data, notes)
    return data, "; ".join(notes)


@dataclass(frozen=True)
class Outcome:
    name: str  # the source
    index: int  # the mutant's index; -1 for a regression case
    what: str  # the mutations, or the regression case's name
    result: str  # "parsed", "quarantined", "crash", "slow"
    seconds: float
    detail: str = ""  # the quarantine reason, or the exception and where it was raised
    seed: int = 0

    @property
    def failed(self) -> bool:
        return self.result in ("crash", "slow", "died")

    def describe(self) -> str:
        if self.index < 0:
            again = f"--regression {self.what!r}"
        else:
            again = f"--source {self.name} --index {self.index}" + (f" --seed {self.seed}" if self.seed else "")
        return (
            f"{self.name} #{self.index} (seed {self.seed}; {self.what}): {self.result} after {self.seconds:.1f} s:"
            f" {self.detail}\n    reproduce: python benchmarks/fuzz_reports.py {again}"
        )


@contextmanager
def _alarm(seconds: float):
    """Stop a parse stuck in Python code after ``seconds`` (as the parse worker does)."""

    def on_alarm(signum, frame):
        raise FileTimeLimitError

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_one(name: str, index: int, seed: int = 0, bound: float = SECONDS_PER_MUTANT) -> Outcome:
    data, what = mutant(name, index, seed)
    return _run(data, name, index, what, bound, seed)


def _run(data: bytes, name: str, index: int, what: str, bound: float = SECONDS_PER_MUTANT, seed: int = 0) -> Outcome:
    start = time.perf_counter()
    try:
        with _alarm(bound * 3):
            parse_report(data, name)
        result, detail = "parsed", ""
    except QuarantineError as exc:
        result, detail = "quarantined", f"[{exc.stage}] {exc}"
    except FileTimeLimitError:
        result, detail = "slow", f"stopped after {bound * 3:g} s"
    except Exception as exc:  # any other exception is the bug looked for
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        result = "crash"
        detail = f"{type(exc).__name__}: {str(exc)[:300]} at {Path(frame.filename).name}:{frame.lineno} ({frame.name})"
    seconds = time.perf_counter() - start
    if result != "crash" and seconds > bound:
        result, detail = "slow", f"{detail} (took {seconds:.1f} s, bound {bound:g} s)"
    return Outcome(name, index, what, result, seconds, detail, seed)


def _child(connection, name: str, first: int, end: int, seed: int) -> None:
    for index in range(first, end):
        connection.send(run_one(name, index, seed))
    connection.close()


def run_isolated(name: str, first: int, count: int, seed: int = 0) -> list[Outcome]:
    """Mutants ``first`` … ``first + count - 1`` of one source in a forked child, each outcome sent
    back as it is known: a mutant that ends the process (a native library aborting, which no
    ``except`` catches) is a failure, "died", and the rest run in a new child."""
    context = multiprocessing.get_context("fork")
    outcomes: list[Outcome] = []
    end = first + count
    while first < end:
        receiving, sending = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(sending, name, first, end, seed))
        child.start()
        sending.close()
        received = 0
        while True:
            try:
                outcomes.append(receiving.recv())
            except EOFError:
                break
            received += 1
        child.join()
        receiving.close()
        if child.exitcode == 0 and first + received == end:
            break
        index = first + received  # the mutant it was parsing
        signal_name = signal.Signals(-child.exitcode).name if child.exitcode < 0 else f"exit {child.exitcode}"
        what = mutant(name, index, seed)[1]
        outcomes.append(Outcome(name, index, what, "died", 0.0, f"the process ended ({signal_name})", seed))
        first = index + 1
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mutants", type=int, default=3000, help="in all, shared as in the CI test")
    parser.add_argument("--seed", type=int, default=0, help="another seed gives other mutants (CI uses 0)")
    parser.add_argument("--first", type=int, default=0, help="index of each source's first mutant")
    parser.add_argument("--source", action="append", help="only this source (repeatable)")
    parser.add_argument("--index", type=int, help="only this mutant (with --source)")
    parser.add_argument("--show", action="store_true", help="print the mutant's bytes (repr, first 2,000)")
    parser.add_argument("--regression", action="append", help="run this regression case (repeatable; 'all')")
    args = parser.parse_args()
    logging.disable(logging.ERROR)  # pdfminer's warnings about every damaged font
    if args.regression:
        for name in REGRESSIONS if "all" in args.regression else args.regression:
            print(regression(name).describe())
        return
    names = args.source or list(SOURCES)
    if args.index is not None:
        for name in names:
            data, what = mutant(name, args.index, args.seed)
            print(f"{name} #{args.index}: {what}")
            if args.show:
                print(repr(data[:2000]))
            print(run_one(name, args.index, args.seed).describe())
        return
    planned = sum(SOURCES[n].mutants for n in names)
    results: Counter = Counter()
    failures: list[Outcome] = []
    slowest: list[Outcome] = []
    started = time.perf_counter()
    for name in names:
        if source_bytes(name) is None:
            print(f"{name}: not available, skipped")
            continue
        count = max(1, round(SOURCES[name].mutants * args.mutants / planned))
        source_start = time.perf_counter()
        for outcome in run_isolated(name, args.first, count, args.seed):
            results[outcome.result] += 1
            slowest = sorted([*slowest, outcome], key=lambda o: -o.seconds)[:5]
            if outcome.failed:
                failures.append(outcome)
                print(outcome.describe(), flush=True)
        print(f"{name}: {count} mutants in {time.perf_counter() - source_start:.1f} s", flush=True)
    print(f"\n{sum(results.values())} mutants in {time.perf_counter() - started:.1f} s: {dict(results)}")
    print("slowest:\n" + "\n".join(f"  {o.seconds:.2f} s {o.name} #{o.index} ({o.what})" for o in slowest))
    kinds = Counter(f"{f.result}: {f.detail.split(' at ')[0][:80]}" for f in failures)
    for kind, count in kinds.most_common():
        print(f"{count:5} × {kind}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
