"""Synthetic 2019/2021-format reports (表二/表三/表四) with known values, in every input form.

Forms: ``text_cells`` (one cell per line, rows separated by blank lines), ``text_tabs`` (cells
separated by tabs), ``text_spaces`` (runs of spaces; no blank cells, which spaces cannot show),
``markdown`` (one pipe table per table), ``markdown_fragments`` (one sub-table per row, as
PDF-to-markdown tools write them) and ``html`` (Word-style markup, rowspan/colspan, <br> in
headers, &nbsp; blanks, a site header and footer around the report).
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass

# The layouts below are this generator's own, written from the specification
# (docs/report-format-spec.md §B.2–B.5) and the official blank template (template_2021_blank.docx),
# never imported from the parser: a mistake in the parser's layout data must not be mirrored here.
# Codes are the project's public catalog codes, so generated cells compare with parsed ones.
from benchmarks.synthetic.pdf_font import register_pdf_font

FMT_2019 = "fmt_2019"  # 《…年度报告格式（试行）》, reports for 2019 and 2020
FMT_2021 = "fmt_2021"  # 《…年度报告格式》 (国办公开办函〔2021〕30号), reports for 2021 onward

AREAS = ["桃源", "石门", "澧县", "汉寿", "临澧", "安乡", "津市", "鼎城", "武陵", "慈利", "桑植", "永定"]
SUFFIXES = ["县", "区", "市"]

FORMS = ("text_cells", "text_tabs", "text_spaces", "markdown", "markdown_fragments", "html")
RUN_TOGETHER = "run_together"  # 2021 format only: cells recovered by arithmetic, some stay ambiguous

# 表二 columns: code → (header as printed, kind of value). Kinds: "count" (whole number), "amount"
# (万元, may carry decimals), "signed_count" (本年增/减: 减 written as a negative number) and
# "free_amount" (采购总金额: no unit in the header; written here as a whole number).
T2_COLUMNS = {
    FMT_2021: {
        "issued": ("本年制发件数", "count"),
        "repealed": ("本年废止件数", "count"),
        "in_force": ("现行有效件数", "count"),
        "decisions": ("本年处理决定数量", "count"),
        "fees": ("本年收费金额（单位：万元）", "amount"),
    },
    FMT_2019: {
        "made": ("本年新制作数量", "count"),
        "published": ("本年新公开数量", "count"),
        "total_published": ("对外公开总数量", "count"),
        "previous_items": ("上一年项目数量", "count"),
        "change": ("本年增/减", "signed_count"),
        "decisions": ("处理决定数量", "count"),
        "procurement_items": ("采购项目数量", "count"),
        "procurement_amount": ("采购总金额", "free_amount"),
    },
}
T2_CAPTIONS = {
    "T2.1": "第二十条第（一）项",
    "T2.5": "第二十条第（五）项",
    "T2.6": "第二十条第（六）项",
    "T2.8": "第二十条第（八）项",
    "T2.9": "第二十条第（九）项",
}
# 表二 sub-tables in printed order: caption code → (columns, rows as (code, 信息内容 label)).
T2_TABLES = {
    FMT_2021: {
        "T2.1": (("issued", "repealed", "in_force"), (("T2.1.1", "规章"), ("T2.1.2", "行政规范性文件"))),
        "T2.5": (("decisions",), (("T2.5.1", "行政许可"),)),
        "T2.6": (("decisions",), (("T2.6.1", "行政处罚"), ("T2.6.2", "行政强制"))),
        "T2.8": (("fees",), (("T2.8.1", "行政事业性收费"),)),
    },
    FMT_2019: {
        "T2.1": (("made", "published", "total_published"), (("T2.1.1", "规章"), ("T2.1.2", "规范性文件"))),
        "T2.5": (
            ("previous_items", "change", "decisions"),
            (("T2.5.1", "行政许可"), ("T2.5.2", "其他对外管理服务事项")),
        ),
        "T2.6": (("previous_items", "change", "decisions"), (("T2.6.1", "行政处罚"), ("T2.6.2", "行政强制"))),
        "T2.8": (("previous_items", "change"), (("T2.8.1", "行政事业性收费"),)),
        "T2.9": (("procurement_items", "procurement_amount"), (("T2.9.1", "政府集中采购"),)),
    },
}

# 表三: the same seven columns and header block in both versions.
T3_CAPTION = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_COLUMNS = {
    "natural_person": "自然人",
    "business": "商业企业",
    "research": "科研机构",
    "nonprofit": "社会公益组织",
    "legal_services": "法律服务机构",
    "other": "其他",
    "total": "总计",
}
T3_RESULTS = "三、本年度办理结果"
T3_GROUPS = {
    "T3.3.3": "（三）不予公开",
    "T3.3.4": "（四）无法提供",
    "T3.3.5": "（五）不予处理",
    "T3.3.6": "（六）其他处理",
}
# 表三 rows in printed order, as (code, the row's innermost label). 一/二/四 span the three label
# columns, （一）（二）（七） (and 2019's single （六）) the inner two; numbered rows sit under a group.
_T3_HEAD = (
    ("T3.1", "一、本年新收政府信息公开申请数量"),
    ("T3.2", "二、上年结转政府信息公开申请数量"),
    ("T3.3.1", "（一）予以公开"),
    ("T3.3.2", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    ("T3.3.3.1", "1.属于国家秘密"),
    ("T3.3.3.2", "2.其他法律行政法规禁止公开"),
    ("T3.3.3.3", "3.危及“三安全一稳定”"),
    ("T3.3.3.4", "4.保护第三方合法权益"),
    ("T3.3.3.5", "5.属于三类内部事务信息"),
    ("T3.3.3.6", "6.属于四类过程性信息"),
    ("T3.3.3.7", "7.属于行政执法案卷"),
    ("T3.3.3.8", "8.属于行政查询事项"),
    ("T3.3.4.1", "1.本机关不掌握相关政府信息"),
    ("T3.3.4.2", "2.没有现成信息需要另行制作"),
    ("T3.3.4.3", "3.补正后申请内容仍不明确"),
    ("T3.3.5.1", "1.信访举报投诉类申请"),
    ("T3.3.5.2", "2.重复申请"),
    ("T3.3.5.3", "3.要求提供公开出版物"),
    ("T3.3.5.4", "4.无正当理由大量反复申请"),
    ("T3.3.5.5", "5.要求行政机关确认或重新出具已获取信息"),
)
_T3_TAIL = (("T3.3.7", "（七）总计"), ("T3.4", "四、结转下年度继续办理"))
T3_ROWS = {
    FMT_2019: dict((*_T3_HEAD, ("T3.3.6", "（六）其他处理"), *_T3_TAIL)),  # 23 rows
    FMT_2021: dict(
        (
            *_T3_HEAD,
            ("T3.3.6.1", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
            ("T3.3.6.2", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
            ("T3.3.6.3", "3.其他"),
            *_T3_TAIL,
        )
    ),  # 25 rows
}

# 表四: one data row, three groups of the same five columns.
T4_GROUPS = {"T4.1": "行政复议", "T4.2": "未经复议直接起诉", "T4.3": "复议后起诉"}  # the last two under 行政诉讼
T4_COLUMNS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other_result": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}


@dataclass(frozen=True)
class SyntheticPost2019:
    template: str
    form: str
    year: int
    agency: str
    text: str
    cells: dict[tuple[str, str], str]  # (row code, column code) → the cell as printed ("" = blank)


def _t2_layout(template: str) -> dict[str, tuple[str, ...]]:
    """表二's rows in printed order: row code → its column codes."""
    return {code: columns for columns, rows in T2_TABLES[template].values() for code, _ in rows}


def _t2_cells(rng: random.Random, template: str) -> dict[tuple[str, str], str]:
    cells = {}
    for code, columns in _t2_layout(template).items():
        for column in columns:
            kind = T2_COLUMNS[template][column][1]
            if kind == "amount":
                value = f"{rng.randint(0, 5000)}.{rng.randint(0, 99):02d}".rstrip("0").rstrip(".")
            elif kind == "signed_count":
                value = str(rng.randint(-20, 20))
            else:
                value = str(rng.randint(0, 3000))
            cells[(code, column)] = value
    return cells


def _t3_cells(rng: random.Random, rows: list[str], blanks: bool) -> dict[tuple[str, str], str]:
    """Cells that satisfy the template's arithmetic: R1 and R4 per column, R3 per row."""
    applicant = ["natural_person", "business", "research", "nonprofit", "legal_services", "other"]
    # Organisations often leave their columns blank (not 0) when they had no requests.
    blank_columns = set(rng.sample(applicant[1:], rng.randint(0, 3))) if blanks else set()
    results = [code for code in rows if code.startswith("T3.3.") and code != "T3.3.7"]
    numbers: dict[tuple[str, str], int] = {}
    for column in applicant:
        high = 0 if column in blank_columns else (40 if column == "natural_person" else 5)
        for code in results:
            numbers[(code, column)] = rng.randint(0, high)
        answered = sum(numbers[(code, column)] for code in results)
        numbers[("T3.3.7", column)] = answered
        numbers[("T3.4", column)] = rng.randint(0, high)
        numbers[("T3.2", column)] = rng.randint(0, min(high, answered + numbers[("T3.4", column)]))
        numbers[("T3.1", column)] = answered + numbers[("T3.4", column)] - numbers[("T3.2", column)]
    cells = {}
    for code in rows:
        for column in applicant:
            cells[(code, column)] = "" if column in blank_columns else str(numbers[(code, column)])
        cells[(code, "total")] = str(sum(numbers[(code, column)] for column in applicant))
    return cells


def _t4_cells(rng: random.Random) -> dict[tuple[str, str], str]:
    cells = {}
    for code in T4_GROUPS:
        parts = [rng.randint(0, 9) for _ in range(4)]
        for column, value in zip(("upheld", "corrected", "other_result", "pending"), parts, strict=True):
            cells[(code, column)] = str(value)
        cells[(code, "total")] = str(sum(parts))
    return cells


def _table_rows(template: str, cells: dict) -> dict[str, list[list[str]]]:
    """Each table as rows of printed cells: label cells first, then values."""
    t2: list[list[str]] = []
    for caption_code, (columns, rows) in T2_TABLES[template].items():
        t2.append([T2_CAPTIONS[caption_code]])
        t2.append(["信息内容", *[T2_COLUMNS[template][c][0] for c in columns]])
        t2 += [[label, *[cells[(code, c)] for c in columns]] for code, label in rows]
    column_labels = list(T3_COLUMNS.values())
    t3 = [
        [T3_CAPTION, "申请人情况"],
        ["自然人", "法人或其他组织", "总计"],
        column_labels[1:6],
    ]
    seen_groups = set()
    for code, label in T3_ROWS[template].items():
        group = code.rsplit(".", 1)[0]
        context = []
        if code.startswith("T3.3.") and "T3.3" not in seen_groups:
            context.append(T3_RESULTS)
            seen_groups.add("T3.3")
        if group in T3_GROUPS and group not in seen_groups:
            context.append(T3_GROUPS[group])
            seen_groups.add(group)
        t3.append([*context, label, *[cells[(code, c)] for c in T3_COLUMNS]])
    t4 = [
        [T4_GROUPS["T4.1"], "行政诉讼"],
        [T4_GROUPS["T4.2"], T4_GROUPS["T4.3"]],
        list(T4_COLUMNS.values()) * 3,
        [cells[(code, c)] for code in T4_GROUPS for c in T4_COLUMNS],
    ]
    return {"t2": t2, "t3": t3, "t4": t4}


SECTION_HEADINGS = {
    "t2": "二、主动公开政府信息情况",
    "t3": "三、收到和处理政府信息公开申请情况",
    "t4": "四、政府信息公开行政复议、行政诉讼情况",
}


def _render_text(tables: dict, form: str) -> list[str]:
    lines: list[str] = []
    for table, rows in tables.items():
        lines += [SECTION_HEADINGS[table], ""]
        for row in rows:
            if form == "text_cells":
                lines += [f"\t{cell}" for cell in row] + [""]
            elif form == "text_tabs":
                lines.append("\t".join(row))
            else:
                lines.append("  ".join(row))
        lines.append("")
    return lines


def _render_run_together(tables: dict) -> list[str]:
    """One line, as a crawler flattens the page: every cell's text joined with no separator."""
    return ["".join(SECTION_HEADINGS[table] + "".join("".join(row) for row in rows) for table, rows in tables.items())]


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _render_markdown(tables: dict, fragments: bool) -> list[str]:
    lines: list[str] = []
    headings = {
        "t2": "## 表二：主动公开政府信息情况",
        "t3": "## 表三：收到和处理政府信息公开申请情况",
        "t4": "## 表四：行政复议、行政诉讼情况",
    }
    for table, rows in tables.items():
        lines += [headings[table], ""]
        width = max(len(r) for r in rows)
        if fragments:  # one sub-table per row, each with a placeholder header
            for row in rows:
                lines += [
                    _md_row([f"数据{i + 1}" for i in range(len(row))]),
                    _md_row(["---"] * len(row)),
                    _md_row(row),
                    "",
                ]
        else:
            lines += [_md_row(rows[0] + [""] * (width - len(rows[0]))), _md_row(["---"] * width)]
            lines += [_md_row(r) for r in rows[1:]] + [""]
    return lines


def _render_html(tables: dict, title: str, date: str, template: str) -> str:
    def td(text: str, **attrs) -> str:
        extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
        body = html.escape(text).replace("\n", "<br>") if text else "&nbsp;"  # "\n" marks a header line break
        span = f'<span style="font-family:仿宋">{body}</span>'
        return f'<td{extra} valign="center"><p style="text-align:center">{span}</p></td>'

    parts = [
        f"<html><head><meta charset='utf-8'><title>{title}-某某县人民政府</title></head><body>",
        "<div class='header'><a href='/'>首页</a> | 政务公开 | 2,345 次浏览</div>",
        f"<h1>{title}</h1><p>{date}</p><p>一、总体情况</p><p>本年度工作有序开展。</p>",
    ]
    for table, rows in tables.items():
        parts.append("<table border='1' style='BORDER-COLLAPSE:collapse'><tbody>")
        if table == "t3":
            header, *data = rows
            parts.append("<tr>" + td(header[0], colspan=3, rowspan=3) + td("申请人情况", colspan=7) + "</tr>")
            parts.append(
                "<tr>" + td("自然人", rowspan=2) + td("法人或其他组织", colspan=5) + td("总计", rowspan=2) + "</tr>"
            )
            parts.append("<tr>" + "".join(td(c.replace("组织", "\n组织")) for c in rows[2]) + "</tr>")
            t3_rows = T3_ROWS[template]
            spans = {group: sum(1 for c in t3_rows if c.rsplit(".", 1)[0] == group) for group in T3_GROUPS}
            result_rows = sum(1 for c in t3_rows if c.startswith("T3.3."))
            for row, (code, label) in zip(data[2:], t3_rows.items(), strict=True):
                values = row[-7:]
                cells = ""
                group = code.rsplit(".", 1)[0]
                if code in ("T3.1", "T3.2", "T3.4"):
                    cells = td(label, colspan=3)
                else:
                    if code == "T3.3.1":
                        cells += td(T3_RESULTS, rowspan=result_rows)
                    if spans.get(group):
                        if code.endswith(".1"):
                            cells += td(T3_GROUPS[group], rowspan=spans[group])
                        cells += td(label)
                    else:
                        cells += td(label, colspan=2)
                parts.append("<tr>" + cells + "".join(td(v) for v in values) + "</tr>")
        elif table == "t4":
            parts.append("<tr>" + td(rows[0][0], colspan=5, rowspan=2) + td(rows[0][1], colspan=10) + "</tr>")
            parts.append("<tr>" + td(rows[1][0], colspan=5) + td(rows[1][1], colspan=5) + "</tr>")
            parts.append("<tr>" + "".join(td(c[:2] + "\n" + c[2:]) for c in rows[2]) + "</tr>")
            parts.append("<tr>" + "".join(td(v) for v in rows[3]) + "</tr>")
        else:
            for row in rows:
                if len(row) == 1:
                    parts.append("<tr>" + td(row[0], colspan=4) + "</tr>")
                elif len(row) == 2:
                    parts.append("<tr>" + td(row[0]) + td(row[1], colspan=3) + "</tr>")
                else:
                    parts.append("<tr>" + "".join(td(c) for c in row) + "</tr>")
        parts.append("</tbody></table><p>&nbsp;</p>")
    parts.append("<div class='footer'>主办：某某县人民政府办公室 电话：0527-12345678 访问量：99999</div></body></html>")
    return "\n".join(parts)


def make_post2019_report(
    rng: random.Random,
    index: int = 0,
    template: str | None = None,
    form: str | None = None,
    *,
    year: int | None = None,
    agency: str | None = None,
    previous: SyntheticPost2019 | None = None,
):
    """A report with random cells that satisfy its template's arithmetic. ``previous``: the same
    agency's report of the year before, which this one continues (its carry-over, documents in
    force and item counts follow on from it, as the cross-year rules expect)."""
    template = template or rng.choice([FMT_2019, FMT_2021])
    form = form or rng.choice(FORMS)
    if year is None:
        year = rng.randint(2019, 2020) if template == FMT_2019 else rng.randint(2021, 2025)
    if agency is None:
        agency = (rng.choice(AREAS) + rng.choice(SUFFIXES) + (str(index) if index else "")).replace("0", "〇")
        agency = "".join("〇一二三四五六七八九"[int(ch)] if ch.isdigit() else ch for ch in agency)
    # Spaces cannot show a blank cell, and run-together text loses it entirely.
    blanks = previous is None and form not in ("text_spaces", RUN_TOGETHER) and rng.random() < 0.5
    cells = {**_t2_cells(rng, template), **_t3_cells(rng, list(T3_ROWS[template]), blanks), **_t4_cells(rng)}
    if previous is not None:
        _continue_series(cells, previous, template)
    tables = _table_rows(template, cells)
    title = f"{agency}{year}年政府信息公开工作年度报告"
    date = f"{year + 1}年1月{rng.randint(10, 31)}日"
    intro = ["一、总体情况", f"{year}年，本机关认真贯彻《条例》，做好政府信息公开工作。"]
    if form == RUN_TOGETHER:
        text = "\n".join([title, date, "", *intro, *_render_run_together(tables)])
    elif form == "html":
        text = _render_html(tables, title, date, template)
    elif form.startswith("markdown"):
        text = "\n".join(
            [f"# {title}", "", f"({date})", "", *intro, "", *_render_markdown(tables, form.endswith("fragments"))]
        )
    else:
        text = "\n".join([title, date, "", *intro, "", *_render_text(tables, form)])
    return SyntheticPost2019(template, form, year, agency, text + "\n", cells)


def _continue_series(cells: dict, previous: SyntheticPost2019, template: str) -> None:
    """Make ``cells`` follow on from last year's report: 上年结转 = last year's 结转下年度 per column
    (一、本年新收 then balances 表三), 现行有效件数 = last year's + 制发 − 废止 (2021 表二), 上一年项目数量 =
    last year's + its 本年增/减 (2019 表二, both years in that form)."""
    applicant = ["natural_person", "business", "research", "nonprofit", "legal_services", "other"]
    for column in applicant:
        carried = int(previous.cells[("T3.4", column)] or 0)
        answered, forward = int(cells[("T3.3.7", column)]), int(cells[("T3.4", column)])
        forward = max(forward, carried - answered)  # new requests are never negative
        cells[("T3.2", column)], cells[("T3.4", column)] = str(carried), str(forward)
        cells[("T3.1", column)] = str(answered + forward - carried)
    for row in ("T3.1", "T3.2", "T3.4"):
        cells[(row, "total")] = str(sum(int(cells[(row, column)]) for column in applicant))
    for row, column in list(cells):
        if template == FMT_2021 and previous.template == FMT_2021 and column == "in_force":
            before = int(previous.cells[(row, "in_force")]) + int(cells[(row, "issued")])
            repealed = min(int(cells[(row, "repealed")]), before)
            cells[(row, "repealed")], cells[(row, "in_force")] = str(repealed), str(before - repealed)
        if template == FMT_2019 and previous.template == FMT_2019 and column == "previous_items":
            items = int(previous.cells[(row, "previous_items")]) + int(previous.cells[(row, "change")])
            cells[(row, "previous_items")] = str(items)
            cells[(row, "change")] = str(max(int(cells[(row, "change")]), -items))  # never below 0 items


def make_post2019_series(rng: random.Random, agency: str, years: range, form: str) -> list[SyntheticPost2019]:
    """One agency's reports for consecutive ``years`` (the 2019 form before 2021), each continuing
    the one before: an archive whose series are consistent."""
    series: list[SyntheticPost2019] = []
    for year in years:
        template = FMT_2019 if year < 2021 else FMT_2021
        previous = series[-1] if series else None
        series.append(make_post2019_report(rng, 0, template, form, year=year, agency=agency, previous=previous))
    return series


def to_docx(report: SyntheticPost2019) -> bytes:
    """The report as a Word document: title and text as paragraphs, each table as a Word table."""
    import io

    import docx

    tables = _table_rows(report.template, report.cells)
    document = docx.Document()
    document.add_paragraph(f"{report.agency}{report.year}年政府信息公开工作年度报告")
    document.add_paragraph("一、总体情况")
    for heading, rows in zip(
        ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、行政复议、行政诉讼情况"),
        tables.values(),
        strict=True,
    ):
        document.add_paragraph(heading)
        width = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for row, word_row in zip(rows, table.rows, strict=True):
            # Pad on the left, so values keep their last-column alignment as in the printed table.
            # (A row's cells once: python-docx's table.cell(r, c) walks the whole grid each call.)
            for word_cell, text in zip(word_row.cells, [""] * (width - len(row)) + row, strict=True):
                word_cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _t3_grid(template: str, cells: dict) -> tuple[list[list[str]], list[tuple]]:
    """表三 as the official template draws it: three label columns with merged group cells."""
    t3_rows = list(T3_ROWS[template])
    column_labels = list(T3_COLUMNS.values())
    grid = [
        [T3_CAPTION, "", "", "申请人情况", *[""] * 6],
        ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
        ["", "", "", "", *column_labels[1:6], ""],
    ]
    spans = [((0, 0), (2, 2)), ((3, 0), (9, 0)), ((3, 1), (3, 2)), ((4, 1), (8, 1)), ((9, 1), (9, 2))]
    results = [i for i, code in enumerate(t3_rows) if code.startswith("T3.3.")]
    first = len(grid)
    spans.append(((0, first + results[0]), (0, first + results[-1])))
    for i, (code, label) in enumerate(T3_ROWS[template].items()):
        values = [cells[(code, c)] for c in T3_COLUMNS]
        depth = code.count(".")
        group = code.rsplit(".", 1)[0]
        if depth == 1:  # 一、/二、/四、 span all three label columns
            grid.append([label, "", "", *values])
            spans.append(((0, first + i), (2, first + i)))
        elif depth == 2:  # （一）予以公开 … spans the two inner label columns
            grid.append([T3_RESULTS, label, "", *values])
            spans.append(((1, first + i), (2, first + i)))
        else:
            grid.append([T3_RESULTS, T3_GROUPS[group], label, *values])
            rows = [j for j, other in enumerate(t3_rows) if other.rsplit(".", 1)[0] == group]
            if i == rows[0]:
                spans.append(((1, first + rows[0]), (1, first + rows[-1])))
    return grid, spans


def to_pdf(report: SyntheticPost2019) -> bytes:
    """The report as a PDF with a text layer, laid out as agencies print it: ruled tables with the
    template's merged cells, label text wrapped inside its cell, 表三 running over a page break, a
    page number in the footer, and an embedded subset font."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_pdf_font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=16)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9)
    tables = _table_rows(report.template, report.cells)
    t3_grid, t3_spans = _t3_grid(report.template, report.cells)

    def ruled(rows: list[list[str]], spans: list[tuple], widths: list[float]) -> Table:
        wrapped = [[Paragraph(text, cell) if text and not text.isdigit() else text for text in row] for row in rows]
        style = [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONT", (0, 0), (-1, -1), font, 7)]
        style += [("SPAN", start, end) for start, end in spans]
        return Table(wrapped, colWidths=widths, style=TableStyle(style))

    def padded(rows: list[list[str]]) -> list[list[str]]:
        width = max(len(r) for r in rows)
        return [[""] * (width - len(r)) + r for r in rows]

    t2 = padded(tables["t2"])
    t4 = padded(tables["t4"])
    t4_spans = [((0, 0), (4, 0)), ((5, 0), (14, 0)), ((5, 1), (9, 1)), ((10, 1), (14, 1))]
    t4[0] = [T4_GROUPS["T4.1"], *[""] * 4, "行政诉讼", *[""] * 9]
    t4[1] = [*[""] * 5, T4_GROUPS["T4.2"], *[""] * 4, T4_GROUPS["T4.3"], *[""] * 4]
    story = [
        Paragraph(f"{report.agency}{report.year}年政府信息公开工作年度报告", body),
        Paragraph(report.text.split("\n")[1], body),
        Paragraph("一、总体情况", body),
        Paragraph(f"{report.year}年，本机关认真贯彻《条例》，做好政府信息公开工作。", body),
    ]
    for key, table in (
        ("t2", ruled(t2, [], [451 / len(t2[0])] * len(t2[0]))),
        ("t3", ruled(t3_grid, t3_spans, [40, 60, 110] + [34.4] * 7)),
        ("t4", ruled(t4, t4_spans, [30] * 15)),
    ):
        story += [Spacer(1, 8), Paragraph(SECTION_HEADINGS[key], body), Spacer(1, 4), table]

    def page_number(canvas, document) -> None:
        canvas.setFont(font, 10)
        canvas.drawCentredString(A4[0] / 2, 30, f"— {document.page} —")

    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=report.agency).build(
        story, onFirstPage=page_number, onLaterPages=page_number
    )
    return out.getvalue()
