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
from functools import lru_cache

from benchmarks.synthetic_reports import AREAS, SUFFIXES
from transforms.catalog import load_catalog, table_columns
from transforms.post2019_tables import T2_LAYOUT, T3_ROWS_SINGLE_SIX, T3_ROWS_SPLIT_SIX, T4_ROWS
from transforms.templates import FMT_2019, FMT_2021

FORMS = ("text_cells", "text_tabs", "text_spaces", "markdown", "markdown_fragments", "html")
RUN_TOGETHER = "run_together"  # 2021 format only: cells recovered by arithmetic, some stay ambiguous
T2_CAPTIONS = {
    "T2.1": "第二十条第（一）项",
    "T2.5": "第二十条第（五）项",
    "T2.6": "第二十条第（六）项",
    "T2.8": "第二十条第（八）项",
    "T2.9": "第二十条第（九）项",
}
T3_CAPTION = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_GROUPS = {
    "T3.3.3": "（三）不予公开",
    "T3.3.4": "（四）无法提供",
    "T3.3.5": "（五）不予处理",
    "T3.3.6": "（六）其他处理",
}


@dataclass(frozen=True)
class SyntheticPost2019:
    template: str
    form: str
    year: int
    agency: str
    text: str
    cells: dict[tuple[str, str], str]  # (row code, column code) → the cell as printed ("" = blank)


def _labels() -> dict[str, str]:
    catalog = load_catalog()
    return dict(zip(catalog["code"], catalog["label_zh"], strict=True))


def _t2_cells(rng: random.Random, template: str) -> dict[tuple[str, str], str]:
    cells = {}
    for code, columns in T2_LAYOUT[template].items():
        for column in columns:
            kind = table_columns(template, "t2")[column].value_kind
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
    for code in T4_ROWS:
        parts = [rng.randint(0, 9) for _ in range(4)]
        for column, value in zip(("upheld", "corrected", "other_result", "pending"), parts, strict=True):
            cells[(code, column)] = str(value)
        cells[(code, "total")] = str(sum(parts))
    return cells


def _table_rows(template: str, t3_rows: list[str], cells: dict, labels: dict) -> dict[str, list[list[str]]]:
    """Each table as rows of printed cells: label cells first, then values."""
    t2: list[list[str]] = []
    for caption_code, caption in T2_CAPTIONS.items():
        codes = [c for c in T2_LAYOUT[template] if c.rsplit(".", 1)[0] == caption_code]
        if not codes:
            continue
        columns = T2_LAYOUT[template][codes[0]]
        t2.append([caption])
        t2.append(["信息内容", *[table_columns(template, "t2")[c].label_zh for c in columns]])
        t2 += [[labels[code], *[cells[(code, c)] for c in T2_LAYOUT[template][code]]] for code in codes]
    column_labels = [c.label_zh for c in table_columns(template, "t3").values()]
    t3 = [
        [T3_CAPTION, "申请人情况"],
        ["自然人", "法人或其他组织", "总计"],
        column_labels[1:6],
    ]
    seen_groups = set()
    for code in t3_rows:
        group = code.rsplit(".", 1)[0]
        context = []
        if code.startswith("T3.3.") and "T3.3" not in seen_groups:
            context.append("三、本年度办理结果")
            seen_groups.add("T3.3")
        if group in T3_GROUPS and group not in seen_groups:
            context.append(T3_GROUPS[group])
            seen_groups.add(group)
        t3.append([*context, labels[code], *[cells[(code, c)] for c in table_columns(template, "t3")]])
    results = [c.label_zh for c in table_columns(template, "t4").values()]
    t4 = [
        ["行政复议", "行政诉讼"],
        ["未经复议直接起诉", "复议后起诉"],
        results * 3,
        [cells[(code, c)] for code in T4_ROWS for c in table_columns(template, "t4")],
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


def _render_html(tables: dict, title: str, date: str, t3_rows: list[str], template: str) -> str:
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
            labels = _labels()
            spans = {"T3.3.3": 8, "T3.3.4": 3, "T3.3.5": 5, "T3.3.6": 3 if "T3.3.6.1" in t3_rows else 0}
            result_rows = sum(1 for c in t3_rows if c.startswith("T3.3."))
            for row, code in zip(data[2:], t3_rows, strict=True):
                values = row[-7:]
                cells = ""
                group = code.rsplit(".", 1)[0]
                if code in ("T3.1", "T3.2", "T3.4"):
                    cells = td(labels[code], colspan=3)
                else:
                    if code == "T3.3.1":
                        cells += td("三、本年度办理结果", rowspan=result_rows)
                    if spans.get(group):
                        if code.endswith(".1"):
                            cells += td(T3_GROUPS[group], rowspan=spans[group])
                        cells += td(labels[code])
                    else:
                        cells += td(labels[code], colspan=2)
                parts.append("<tr>" + cells + "".join(td(v) for v in values) + "</tr>")
        elif table == "t4":
            parts.append("<tr>" + td("行政复议", colspan=5, rowspan=2) + td("行政诉讼", colspan=10) + "</tr>")
            parts.append("<tr>" + td("未经复议直接起诉", colspan=5) + td("复议后起诉", colspan=5) + "</tr>")
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


def make_post2019_report(rng: random.Random, index: int = 0, template: str | None = None, form: str | None = None):
    template = template or rng.choice([FMT_2019, FMT_2021])
    form = form or rng.choice(FORMS)
    year = rng.randint(2019, 2020) if template == FMT_2019 else rng.randint(2021, 2025)
    agency = (rng.choice(AREAS) + rng.choice(SUFFIXES) + (str(index) if index else "")).replace("0", "〇")
    agency = "".join("〇一二三四五六七八九"[int(ch)] if ch.isdigit() else ch for ch in agency)
    t3_rows = T3_ROWS_SINGLE_SIX if template == FMT_2019 else T3_ROWS_SPLIT_SIX
    # Spaces cannot show a blank cell, and run-together text loses it entirely.
    blanks = form not in ("text_spaces", RUN_TOGETHER) and rng.random() < 0.5
    cells = {**_t2_cells(rng, template), **_t3_cells(rng, t3_rows, blanks), **_t4_cells(rng)}
    labels = _labels()
    tables = _table_rows(template, t3_rows, cells, labels)
    title = f"{agency}{year}年政府信息公开工作年度报告"
    date = f"{year + 1}年1月{rng.randint(10, 31)}日"
    intro = ["一、总体情况", f"{year}年，本机关认真贯彻《条例》，做好政府信息公开工作。"]
    if form == RUN_TOGETHER:
        text = "\n".join([title, date, "", *intro, *_render_run_together(tables)])
    elif form == "html":
        text = _render_html(tables, title, date, t3_rows, template)
    elif form.startswith("markdown"):
        text = "\n".join(
            [f"# {title}", "", f"({date})", "", *intro, "", *_render_markdown(tables, form.endswith("fragments"))]
        )
    else:
        text = "\n".join([title, date, "", *intro, "", *_render_text(tables, form)])
    return SyntheticPost2019(template, form, year, agency, text + "\n", cells)


def to_docx(report: SyntheticPost2019) -> bytes:
    """The report as a Word document: title and text as paragraphs, each table as a Word table."""
    import io

    import docx

    labels = _labels()
    t3_rows = T3_ROWS_SINGLE_SIX if report.template == FMT_2019 else T3_ROWS_SPLIT_SIX
    tables = _table_rows(report.template, t3_rows, report.cells, labels)
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


def _t3_grid(template: str, t3_rows: list[str], cells: dict, labels: dict) -> tuple[list[list[str]], list[tuple]]:
    """表三 as the official template draws it: three label columns with merged group cells."""
    t3_columns = table_columns(template, "t3")
    columns = list(t3_columns)
    column_labels = [c.label_zh for c in t3_columns.values()]
    grid = [
        [T3_CAPTION, "", "", "申请人情况", *[""] * 6],
        ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
        ["", "", "", "", *column_labels[1:6], ""],
    ]
    spans = [((0, 0), (2, 2)), ((3, 0), (9, 0)), ((3, 1), (3, 2)), ((4, 1), (8, 1)), ((9, 1), (9, 2))]
    results = [i for i, code in enumerate(t3_rows) if code.startswith("T3.3.")]
    first = len(grid)
    spans.append(((0, first + results[0]), (0, first + results[-1])))
    for i, code in enumerate(t3_rows):
        values = [cells[(code, c)] for c in columns]
        depth = code.count(".")
        group = code.rsplit(".", 1)[0]
        if depth == 1:  # 一、/二、/四、 span all three label columns
            grid.append([labels[code], "", "", *values])
            spans.append(((0, first + i), (2, first + i)))
        elif depth == 2:  # （一）予以公开 … spans the two inner label columns
            grid.append(["三、本年度办理结果", labels[code], "", *values])
            spans.append(((1, first + i), (2, first + i)))
        else:
            grid.append(["三、本年度办理结果", T3_GROUPS[group], labels[code], *values])
            rows = [j for j, other in enumerate(t3_rows) if other.rsplit(".", 1)[0] == group]
            if i == rows[0]:
                spans.append(((1, first + rows[0]), (1, first + rows[-1])))
    return grid, spans


PDF_FONT = "XxgkSyntheticCJK"


@lru_cache(maxsize=1)
def _register_pdf_font() -> str:
    """An embeddable TrueType font covering CJK ideographs, CJK and full-width punctuation and
    ASCII, every glyph a plain box: the text layer is what matters, and it makes the PDF carry an
    embedded subset font with a ToUnicode map, as Word and WPS exports do (no CJK font is
    installed here). Built once per process with fontTools."""
    import io

    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    ranges = [(0x20, 0x7E), (0x2010, 0x206F), (0x3000, 0x303F), (0x4E00, 0x9FFF), (0xFF01, 0xFF5E)]
    codes = [code for start, end in ranges for code in range(start, end + 1)]
    names = [".notdef", *(f"u{code:04X}" for code in codes)]
    pen = TTGlyphPen(None)
    for point in ((50, -120), (50, 800), (950, 800), (950, -120)):
        (pen.lineTo if point != (50, -120) else pen.moveTo)(point)
    pen.closePath()
    box = pen.glyph()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({code: f"u{code:04X}" for code in codes})
    builder.setupGlyf(dict.fromkeys(names, box))
    builder.setupHorizontalMetrics({n: (500 if n != ".notdef" and int(n[1:], 16) < 0x2000 else 1000, 0) for n in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": PDF_FONT, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    data = io.BytesIO()
    builder.save(data)
    data.seek(0)
    pdfmetrics.registerFont(TTFont(PDF_FONT, data))
    return PDF_FONT


def to_pdf(report: SyntheticPost2019) -> bytes:
    """The report as a PDF with a text layer, laid out as agencies print it: ruled tables with the
    template's merged cells, label text wrapped inside its cell, 表三 running over a page break, a
    page number in the footer, and an embedded subset font."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _register_pdf_font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=16)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9)
    labels = _labels()
    t3_rows = T3_ROWS_SINGLE_SIX if report.template == FMT_2019 else T3_ROWS_SPLIT_SIX
    tables = _table_rows(report.template, t3_rows, report.cells, labels)
    t3_grid, t3_spans = _t3_grid(report.template, t3_rows, report.cells, labels)

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
    t4[0] = ["行政复议", *[""] * 4, "行政诉讼", *[""] * 9]
    t4[1] = [*[""] * 5, "未经复议直接起诉", *[""] * 4, "复议后起诉", *[""] * 4]
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
