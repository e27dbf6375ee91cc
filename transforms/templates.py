"""Tell which table template a report uses, from the tables' own labels (not from the year).

The labels that tell templates apart are data (``templates.toml``): the post-2019 versions by the
labels only one of them prints, the pre-2019 tables by their header (统计指标 / 单位 / 统计数, or
指标名称 / 计量单位 / 本年度 / 历年累计), found among the document's rows or, in crawler text whose
cells ran together, in its compact text.
"""

from __future__ import annotations

from transforms.document_rows import Document
from transforms.layouts import POST_2019, TEMPLATES, template_layout
from transforms.pre2019_tables import find_compact_header, find_header
from transforms.run_together import compact_text

STAT_2014, LOCAL_TABLE, FMT_2019, FMT_2021 = "stat_2014", "local_table", "fmt_2019", "fmt_2021"
assert set(TEMPLATES) == {STAT_2014, LOCAL_TABLE, FMT_2019, FMT_2021}, TEMPLATES


class TemplateUnclearError(ValueError):
    """The text has post-2019 tables but does not show which version."""


def searchable_text(document: Document) -> str:
    """The document's text and its table cells, whitespace removed (DOCX and spreadsheet tables
    are not in their text)."""
    cells = "".join("".join(row.cells) for row in document.rows)
    return "".join((document.text + cells).split())


def detect_template(document: Document) -> str | None:
    """``stat_2014``, ``fmt_2019``, ``fmt_2021``, ``local_table`` or None when no known table is present.

    The 2019 and 2021 versions differ in 表二's columns; when 表二 is absent, 表三's （六）其他处理
    sub-rows (2021 only) decide.
    """
    squashed = searchable_text(document)
    for template in (FMT_2021, FMT_2019):
        if any(marker in squashed for marker in template_layout(template).markers):
            return template
    header = find_header(document.rows)
    if header is not None:
        return header.template
    if any(marker in squashed for marker in POST_2019["markers"]):
        if any(marker in squashed for marker in template_layout(FMT_2021).weak_markers):
            return FMT_2021
        raise TemplateUnclearError(
            "post-2019 tables, but neither 表二's columns nor 表三's （六） rows tell the 2019 from the 2021 format"
        )
    found = find_compact_header(compact_text(document.text)[0])
    return found[0] if found else None
