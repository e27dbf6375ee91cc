"""Tell which table template a report uses, from the tables' own labels (not from the year)."""

from __future__ import annotations

import re

from transforms.stat_table import find_header_line

STAT_2014 = "stat_2014"
FMT_2019 = "fmt_2019"
FMT_2021 = "fmt_2021"
LOCAL_TABLE = "local_table"  # 2008–2013 local / Fujian 2014–2018: 指标名称 / 计量单位 / 本年度 / 历年累计
TEMPLATES = (STAT_2014, FMT_2019, FMT_2021, LOCAL_TABLE)

_POST_2019_MARKERS = ("本列数据的勾稽关系", "未经复议直接起诉", "收到和处理政府信息公开申请情况")


class TemplateUnclearError(ValueError):
    """The text has post-2019 tables but does not show which version."""


def detect_template(text: str) -> str | None:
    """``stat_2014``, ``fmt_2019``, ``fmt_2021``, ``local_table`` or None when no known table is present.

    The 2019 and 2021 versions differ in 表二's columns; when 表二 is absent, 表三's （六）其他处理
    sub-rows (2021 only) decide.
    """
    squashed = re.sub(r"\s+", "", text)
    if any(m in squashed for m in ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额")):
        return FMT_2021
    if any(m in squashed for m in ("本年新制作数量", "本年新公开数量", "对外公开总数量", "第二十条第（九）项")):
        return FMT_2019
    if find_header_line(text.split("\n")) is not None:
        return STAT_2014
    if any(marker in squashed for marker in _POST_2019_MARKERS):
        if "逾期未按收费通知" in squashed or "逾期不补正" in squashed:
            return FMT_2021
        raise TemplateUnclearError(
            "post-2019 tables, but neither 表二's columns nor 表三's （六） rows tell the 2019 from the 2021 format"
        )
    if "指标名称" in squashed and "计量单位" in squashed:
        return LOCAL_TABLE
    return None
