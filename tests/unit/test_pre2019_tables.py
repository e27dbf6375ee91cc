"""Pre-2019 tables (统计表 and the older local tables) from document rows, on tiny inline tables in
the forms real files use."""

import pytest

from transforms.document_rows import read_document
from transforms.narrative_facts import extract_narrative_facts
from transforms.pre2019_tables import Pre2019TableError, find_header, pre2019_records

STAT_HEADER = "\t统计指标\t单位\t统计数\n"
FOOTER = "\t单位负责人：某某\t填报日期：2019年3月12日\n"


def _table(text: str, template: str | None = None):
    document = read_document(text)
    return pre2019_records(document.rows, document.text, extract_narrative_facts(document.text), template)


def _cells(text: str, template: str | None = "stat_2014") -> list:
    return _table(text, template).records


ONE_CELL_PER_LINE = (
    "报告正文\n"
    "2018年度某县政府信息公开工作统计表\n"
    "\t统　计　指　标\n\t单位\n\t统计数\n\n"
    "\t三、依申请公开情况\n\t——\n\t\n\n"
    "\t　　（一）收到申请数\n\t件\n\t229\n\n"
    "\t　　（一）主动公开政府信息数\n　　　　（不同渠道和方式公开相同信息计1条）\n\t条\n\t136500\n\n"
    "\t　　2.传真申请数\n\t件\n\t\n\n" + FOOTER
)


def test_one_cell_per_line_with_wrapped_label_and_blank_value():
    table = _table(ONE_CELL_PER_LINE)
    assert table.template == "stat_2014"
    assert table.title == "2018年度某县政府信息公开工作统计表"
    printed = [r for r in table.records if r.value_status != "missing"]
    assert [(r.row_label, r.unit, r.value_raw, r.value_status) for r in printed] == [
        ("三、依申请公开情况", "", "", "not_applicable"),
        ("（一）收到申请数", "件", "229", "ok"),
        ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "136500", "ok"),  # wrapped line joined
        ("2.传真申请数", "件", "", "blank"),  # blank, not 0
    ]
    assert printed[1].source_line == 13  # the line holding 229
    assert printed[1].value == 229.0 and printed[3].value is None


def test_tab_separated_rows_and_a_label_wrapped_before_its_cells():
    text = (
        STAT_HEADER + "\t三、依申请公开情况\t——\t\n\t（一）收到申请数\t件\t12\n"
        "\t（二）申请办结数\n（含按时和延期）\t件\t7\n" + FOOTER
    )
    printed = [r for r in _cells(text) if r.value_status != "missing"]
    assert [(r.indicator_code, r.value) for r in printed] == [("A3", None), ("A3.1", 12.0), ("A3.2", 7.0)]


def test_an_open_bracket_misread_does_not_swallow_the_rows_after_it():
    """An OCR'd label that ends in a stray （ (a seal's stroke) leaves a bracket open: the next row,
    with its own cells, and a section heading whose 、 was lost, are rows of their own."""
    text = (
        STAT_HEADER + "\t八、机构建设和保障经费情况\t——\t\n"
        "\t（三）从事政府信息公开工作人员数查（\t人\t130\n"
        "\t（四）政府信息公开专项经费\t万元\t40\n"
        "\t（五）其他经费（\t万元\t2\n"
        "\t九政府信息公开会议和培训情况\t\t\n\t（一）召开政府信息公开工作会议或专题会议数\t次\t1\n"
    )
    printed = {r.indicator_code: r.value for r in _cells(text) if r.value_status != "missing"}
    assert printed["A8.4"] == 40.0 and "A9" in printed and printed["A9.1"] == 1.0
    assert "A8.3" not in printed  # its label, misread, is unmapped: kept, not placed
    unmapped = [r.value for r in _cells(text) if r.catalog_status == "unmapped"]
    assert unmapped == [130.0, 2.0]


def test_a_required_row_the_table_does_not_print_is_missing_not_zero():
    records = _cells(STAT_HEADER + "\t（一）收到申请数\t件\t3\n" + FOOTER)
    by_code = {r.indicator_code: r for r in records}
    assert by_code["A3.1"].value == 3.0
    assert by_code["A3.2"].value_status == "missing" and by_code["A3.2"].value is None
    assert "A3.1.5" not in by_code  # a provincial row is optional: absent, not missing
    assert "A1" not in by_code  # a section row has no cell to miss


def test_missing_header_is_reported():
    with pytest.raises(Pre2019TableError, match="header"):
        _cells("只有正文，没有表格。\n共收到申请10件。\n", None)


def test_text_cut_off_before_the_last_section_is_quarantined():
    with pytest.raises(Pre2019TableError, match=r"cut off.*收到申请数"):
        _cells(STAT_HEADER + "\t三、依申请公开情况\t——\t\n\t（一）收到申请数\t件\t4\n")


def test_same_label_under_different_sections_gets_different_codes():
    records = _cells(
        STAT_HEADER + "\t四、行政复议数量\t件\t2\n\t（二）被依法纠错数\t件\t1\n"
        "\t五、行政诉讼数量\t件\t3\n\t（二）被依法纠错数\t件\t0\n" + FOOTER
    )
    printed = [r for r in records if r.value_status != "missing"]
    assert [r.indicator_code for r in printed] == ["A4", "A4.2", "A5", "A5.2"]
    assert printed[3].row_path == "五、行政诉讼数量/（二）被依法纠错数"


def test_matching_ignores_numbering_style_notes_and_spacing():
    records = _cells(
        STAT_HEADER + "\t三、依申请公开情况\t——\t\n\t(一)收到申请数（含电子邮件）\t件\t9\n"
        "\t　　　 　其中：涉及国家秘密\t件\t0\n" + FOOTER
    )
    assert [r.indicator_code for r in records[:3]] == ["A3", "A3.1", "A3.3.4a"]
    assert records[1].row_label == "(一)收到申请数（含电子邮件）"
    assert records[0].value_status == "not_applicable" and records[0].value is None


def test_unknown_rows_are_kept_and_flagged():
    records = _cells(
        STAT_HEADER + "\t三、依申请公开情况\t——\t\n\t5.微信小程序申请数\t件\t4\n\t（一）收到申请数\t件\t4\n" + FOOTER
    )
    unknown = records[1]
    assert unknown.catalog_status == "unmapped"
    assert unknown.indicator_code.startswith("unmapped:A3:微信小程序申请数")
    assert unknown.row_path == "三、依申请公开情况/5.微信小程序申请数"
    assert unknown.value == 4.0
    assert records[2].indicator_code == "A3.1"


def test_a_repeated_row_is_flagged_not_overwritten():
    records = _cells(STAT_HEADER + "\t六、举报投诉数量\t件\t1\n\t六、举报投诉数量\t件\t2\n" + FOOTER)
    assert [r.catalog_status for r in records[:2]] == ["matched", "duplicate"]
    assert [r.value for r in records[:2]] == [1.0, 2.0]
    assert len({r.indicator_code for r in records[:2]}) == 2


LOCAL_HTML = """<html><body><p>附件1：某县2012年政府信息公开情况统计表</p>
<table><tr><td>&nbsp; 指标名称</td><td><p>计量</p><p>单位</p></td><td><p>2012</p><p>年度</p></td><td>历年累计</td></tr>
<tr><td>主动公开信息数</td><td>条</td><td>20</td><td>35</td></tr>
<tr><td>其中：1.网站公开</td><td>条</td><td>18</td><td>&nbsp;</td></tr>
<tr><td>受理依申请公开信息总数</td><td>条</td><td>-</td><td>4</td></tr>
<tr><td>行政复议数</td><td>件</td><td>0</td></tr>
</table><p>附件下载</p></body></html>"""


def test_local_table_header_split_over_paragraphs_and_headed_by_the_year():
    document = read_document(LOCAL_HTML)
    header = find_header(document.rows)
    assert header.template == "local_table" and header.year == 2012
    assert [c.code for c in header.values] == ["this_year", "cumulative"]
    table = pre2019_records(document.rows, document.text, [])
    cells = {(r.indicator_code, r.column_code): r for r in table.records}
    assert (cells["L1", "this_year"].value, cells["L1", "cumulative"].value) == (20.0, 35.0)
    assert cells["L1.1", "cumulative"].value_status == "blank"  # &nbsp; is blank, not 0
    assert cells["L2", "this_year"].value_status == "placeholder"
    # One cell printed for two columns: which one is not for us to guess.
    assert {cells["L4", c].value_status for c in ("this_year", "cumulative")} == {"ambiguous"}
    assert table.title == "某县2012年政府信息公开情况统计表"


def test_local_table_without_cumulative_column_and_units_inside_labels():
    text = "指标名称\t本年\n主动公开政府信息数（条）\t12\n行政复议数（件）\t1\n"
    table = _table(text)
    assert table.template == "local_table"
    assert [(r.indicator_code, r.column_code, r.unit, r.value) for r in table.records] == [
        ("L1", "this_year", "条", 12.0),
        ("L4", "this_year", "件", 1.0),
    ]
    assert table.notes == ["no 历年累计 column"]


def test_crawler_text_with_cells_run_together_is_split_by_the_tables_identities():
    text = (
        "某县2016年度政府信息公开工作年度报告 全年主动公开政府信息3460条。"
        "指标名称计量单位本年度历年累计主动公开文件数条346085376其中：1、政府网站公开数条3460853762、政府公报公开数条00"
        "行政复议数件00 附件下载"
    )
    cells = {(r.indicator_code, r.column_code): r for r in _table(text).records}
    assert (cells["L1", "this_year"].value, cells["L1", "cumulative"].value) == (3460.0, 85376.0)
    assert cells["L1.1", "this_year"].value == 3460.0  # the next row's "2、" is not a digit of this one
    assert cells["L1", "this_year"].value_status == "inferred"
    assert (cells["L4", "this_year"].value, cells["L4", "cumulative"].value) == (0.0, 0.0)
    without_text = _table(text.replace("全年主动公开政府信息3460条。", ""))
    assert {r.value_status for r in without_text.records if r.indicator_code == "L1"} == {"ambiguous"}


def test_columns_the_template_does_not_have_are_left_out_by_position():
    """A 序号 column before the labels, a 代码 column and a 备注 column: a row as wide as its header
    is read by position, so the remark is not taken for the value (定西-style monthly tables)."""
    text = (
        "序号\t指标名称\t计量单位\t代码\t本年度\t历年累计\t备注\n"
        "1\t主动公开信息数\t条\t01\t20\t35\t含网站\n"
        "2\t行政复议数\t件\t02\t\t3\t\n"
    )
    cells = {(r.indicator_code, r.column_code): r for r in _table(text).records}
    assert (cells["L1", "this_year"].value, cells["L1", "cumulative"].value) == (20.0, 35.0)
    assert cells["L1", "this_year"].unit == "条"
    assert cells["L4", "this_year"].value_status == "blank" and cells["L4", "cumulative"].value == 3.0
