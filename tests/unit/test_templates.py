"""Template detection from the tables' own labels, not from the year."""

import pytest

from transforms.document_rows import read_document
from transforms.templates import TemplateUnclearError, detect_template


@pytest.mark.parametrize(
    ("text", "template"),
    [
        ("\t统　计　指　标\n\t单位\n\t统计数\n", "stat_2014"),
        ("2019年度报告\n信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数", "fmt_2021"),
        ("2022年度报告\n信息内容 本年新制作数量 本年新公开数量 对外公开总数量", "fmt_2019"),
        (
            "本列数据的勾稽关系\n1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0",
            "fmt_2021",
        ),
        ("指标名称 计量单位 本年度 历年累计", "local_table"),
        ("指标名称计量单位2011年度历年累计主动公开信息数条12", "local_table"),  # crawler text, run together
        ("<table><tr><td>统 计 指 标</td><td>单位</td><td>统计数</td></tr></table>", "stat_2014"),
        (
            "<table><tr><td>指标名称</td><td><p>计量</p><p>单位</p></td><td><p>2011</p><p>年度</p></td></tr></table>",
            "local_table",
        ),
        (
            "| 指标名称 | 单位 | 统计数 |\n|---|---|---|\n| 收到申请数 | 件 | 3 |",
            "stat_2014",
        ),  # 统计数 names the 2014 form
        ("正文提到统计指标和统计数，但没有表格。", None),
        ("只有正文。", None),
    ],
)
def test_detect_template(text, template):
    assert detect_template(read_document(text)) == template


def test_post2019_tables_without_a_version_marker_are_unclear():
    with pytest.raises(TemplateUnclearError, match="2019 from the 2021"):
        detect_template(
            read_document(
                "三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：…）\n"
                "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1"
            )
        )
