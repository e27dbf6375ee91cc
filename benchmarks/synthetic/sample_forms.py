"""The user's sample report (桃源县 2018) as printed forms, built from two independent sources only:
its narrative (the report's lines before "附件") and the hand-typed table
(tests/expected/taoyuan_2018_stat_table.csv). Nothing from the parser's catalog or layouts is used.
Shared by the sample's form tests and the scans made from its PDF.
"""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_REPORT = REPO_ROOT / "data" / "raw" / "taoyuan_2018_report.txt"
SAMPLE_TABLE = REPO_ROOT / "tests" / "expected" / "taoyuan_2018_stat_table.csv"

CAPTION = "2018年度桃源县政府信息公开工作统计表"
HEADER = ["统　计　指　标", "单位", "统计数"]
FOOTER = [
    "单位负责人：庞波　　　　审核人：于惠平　　　　填报人：周小云",
    "联系电话：6620322　　　　填报日期：2019年3月12日",
]


def load_sample(report: Path = SAMPLE_REPORT, table: Path = SAMPLE_TABLE) -> dict:
    """The sample's title, date line, paragraphs and table rows (key, label, unit and value as printed)."""
    lines = report.read_text(encoding="utf-8").split("\n")
    narrative = [line.strip() for line in lines[: next(i for i, line in enumerate(lines) if line.strip() == "附件")]]
    title, date_line, *rest = [line for line in narrative if line]
    with table.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {"title": title, "date": date_line, "paragraphs": rest, "rows": rows}


def sample_pdf(s: dict) -> bytes:
    """The sample as a PDF with a text layer: narrative paragraphs, then the ruled 统计表 over two pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from benchmarks.synthetic.pdf_font import register_pdf_font

    font = register_pdf_font()
    printed = "".join([s["title"], s["date"], *s["paragraphs"], CAPTION, *HEADER, *FOOTER])
    printed += "".join(
        v for r in s["rows"] for v in (r["label_as_printed"], r["unit_as_printed"], r["value_as_printed"])
    )
    uncovered = set(printed) - set(map(chr, pdfmetrics.getFont(font).face.charToGlyph))
    assert not uncovered, f"the PDF font has no glyph for {sorted(uncovered)}"  # else its text layer would lie
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, firstLineIndent=22)
    centred = ParagraphStyle("title", fontName=font, fontSize=15, leading=22, alignment=1)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    story = [Paragraph(html.escape(s["title"]), centred), Paragraph(s["date"], centred), Spacer(1, 8)]
    story += [Paragraph(html.escape(p), body) for p in s["paragraphs"]]
    story += [Paragraph("附件", body), Paragraph(CAPTION, centred), Spacer(1, 6)]
    data = [HEADER] + [
        [Paragraph(html.escape(r["label_as_printed"]), cell), r["unit_as_printed"], r["value_as_printed"]]
        for r in s["rows"]
    ]
    style = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONT", (0, 0), (-1, -1), font, 8)])
    story += [Table(data, colWidths=[300, 70, 80], style=style), Spacer(1, 8)]
    story += [Paragraph(text, body) for text in FOOTER]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=s["title"], invariant=True).build(story)
    return out.getvalue()
