"""The 统计表 reader on tiny inline tables in the forms real files use."""

import pytest

from transforms.stat_table import TableNotFoundError, TruncatedTableError, parse_stat_table

ONE_CELL_PER_LINE = (
    "报告正文\n"
    "2018年度某县政府信息公开工作统计表\n"
    "\t统　计　指　标\n\t单位\n\t统计数\n\n"
    "\t三、依申请公开情况\n\t——\n\t\n\n"
    "\t　　（一）收到申请数\n\t件\n\t229\n\n"
    "\t　　（一）主动公开政府信息数\n　　　　（不同渠道和方式公开相同信息计1条）\n\t条\n\t136500\n\n"
    "\t　　2.传真申请数\n\t件\n\t\n\n"
    "\t单位负责人：某某\t填报日期：2019年3月12日\n"
)


def test_one_cell_per_line_with_wrapped_label_and_blank_value():
    table = parse_stat_table(ONE_CELL_PER_LINE)
    assert table.title == "2018年度某县政府信息公开工作统计表"
    assert table.ended_by_footer
    assert [(r.label.strip(), r.unit, r.value) for r in table.rows] == [
        ("三、依申请公开情况", "——", ""),
        ("（一）收到申请数", "件", "229"),
        ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）", "条", "136500"),  # wrapped line joined
        ("2.传真申请数", "件", ""),
    ]
    assert table.rows[1].value_line == 13  # the line holding 229


def test_tab_separated_rows_without_blank_lines():
    text = "\t统计指标\t单位\t统计数\n\t一、主动公开情况\t——\t\n\t（一）收到申请数\t件\t12\n\t1.当面申请数\t件\t7\n"
    rows = parse_stat_table(text).rows
    assert [(r.label, r.unit, r.value) for r in rows] == [
        ("一、主动公开情况", "——", ""),
        ("（一）收到申请数", "件", "12"),
        ("1.当面申请数", "件", "7"),
    ]


def test_row_without_value_cell_is_blank_not_zero():
    rows = parse_stat_table("\t统计指标\t单位\t统计数\n\t（一）收到申请数\n\t件\n\n\t1.当面申请数\t件\t3\n").rows
    assert rows[0].value == ""
    assert rows[1].value == "3"


def test_missing_header_is_reported():
    with pytest.raises(TableNotFoundError, match="no statistics table"):
        parse_stat_table("只有正文，没有表格。\n共收到申请10件。\n")


def test_table_cut_inside_a_row_is_truncated():
    with pytest.raises(TruncatedTableError, match="收到申请数"):
        parse_stat_table("\t统计指标\t单位\t统计数\n\t一、依申请公开情况\t——\t\n\t（一）收到申请数\n")
