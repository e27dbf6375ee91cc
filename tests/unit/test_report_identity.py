"""Who and which year: each read from where it is stated, with its source; disagreements quarantined."""

from datetime import date

import pytest

from transforms.crawled_pages import PageHints
from transforms.parse_report import QuarantineError, parse_report
from transforms.report_identity import IdentityError, identity_of, not_a_report, page_kind

BODY = (
    "根据《中华人民共和国政府信息公开条例》规定，发布本年度报告。报告中所列数据统计期限为{period}年1月1日至12月31日。"
    "一、总体情况\n{body}年，省教育厅坚持以习近平新时代中国特色社会主义思想为指导，持续深化政务公开。"
    "全年收到政府信息公开申请10件。"
)


def _text(period=2023, body=2023) -> str:
    return BODY.format(period=period, body=body)


def test_a_page_without_its_title_takes_the_year_from_its_statistics_period():
    hints = PageHints(title="河北省教育厅2023年度政府信息公开工作报告", date=date(2024, 1, 26))
    identity = identity_of(_text(), hints, "export.csv#row=1", None)
    meta = identity.metadata
    assert (meta.report_year, identity.year_source) == (2023, "statistics_period")
    # 省教育厅 is a short form: resolved by the full name the row's title states
    assert (meta.agency, identity.agency_source) == ("河北省教育厅", "body")
    assert meta.publication_date == date(2024, 1, 26)


def test_the_sources_in_their_order():
    text = "一、总体情况\n2019年，我局认真贯彻《条例》。"
    assert identity_of(text, None, "a.txt", None).year_source == "body"
    only_title = PageHints(title="某某市财政局2019年政府信息公开工作年度报告")
    found = identity_of("一、总体情况\n我局认真贯彻《条例》。", only_title, "a.csv#row=2", None)
    assert (found.metadata.report_year, found.year_source) == (2019, "crawl_title")
    assert (found.metadata.agency, found.agency_source) == ("某某市财政局", "crawl_title")
    dated = identity_of("我局认真贯彻《条例》。", PageHints(date=date(2020, 2, 1)), "a.csv#row=3", None)
    assert (dated.metadata.report_year, dated.year_source) == (2019, "publication_date_estimate")
    assert dated.metadata.agency == ""  # 我局 names no one; nothing else does


def test_a_short_form_that_nothing_resolves_is_not_taken():
    identity = identity_of(_text(), PageHints(title="2023年度政府信息公开工作报告"), "e.csv#row=1", None)
    assert identity.metadata.agency == ""


def test_disagreeing_years_are_never_published():
    hints = PageHints(title="河北省教育厅2022年度政府信息公开工作报告")
    with pytest.raises(IdentityError, match="the statistics period says 2023, the crawl's title says 2022"):
        identity_of(_text(), hints, "export.csv#row=1", None)


def test_a_table_under_a_year_its_template_was_not_in_use():
    hints = PageHints(title="河北省科技厅2016年度政府信息公开工作报告")
    with pytest.raises(IdentityError, match=r"fmt_2021 table .* cannot belong to a 2016 report"):
        identity_of("一、总体情况\n", hints, "export.csv#row=9", "fmt_2021")
    with pytest.raises(IdentityError, match="stat_2014"):
        identity_of("一、总体情况\n", PageHints(title="某县2019年政府信息公开工作年度报告"), "x", "stat_2014")
    identity_of("一、总体情况\n", PageHints(title="某县2020年政府信息公开工作年度报告"), "x", "fmt_2019")


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("河北省工业和信息化厅2023年度政府信息公开工作报告", "report"),
        ("河北省工业和信息化厅2019年政府信息公开报告", "report"),
        ("政府信息公开情况统计表（2018年度）", "report"),
        ("河北省工业和信息化厅2023年度法治政府建设情况报告", "other"),
        ("河北省工业和信息化厅网站工作2019年度报表", "other"),
        ("某某县统计局2019年统计年报", "other"),
        ("关于印发《某某办法》的通知", "other"),
        ("", "unknown"),
    ],
)
def test_what_kind_of_page_a_title_names(title, kind):
    assert page_kind(title) == kind


def test_pages_that_are_not_reports_say_what_they_are():
    assert "法治政府建设" in not_a_report("正文", PageHints(title="某县2020年法治政府建设情况报告"), False)
    # a website's annual 报表 has tables of its own, and is still no disclosure report
    assert not_a_report("网站名称", PageHints(title="某县网站工作2019年度报表"), True)
    assert not_a_report("…", PageHints(http_status=404), False) == "HTTP 404 response, not a page"
    assert not_a_report("正文", PageHints(title="某县2020年政府信息公开工作年度报告"), False) is None
    assert not_a_report("正文", None, False) is None


def test_a_crawled_page_that_is_no_report_is_quarantined_apart():
    with pytest.raises(QuarantineError) as caught:
        parse_report("正文".encode(), "e.csv#row=2", hints=PageHints(title="某县2020年法治政府建设情况报告"))
    assert caught.value.stage == "not_a_report"
    with pytest.raises(QuarantineError) as caught:
        parse_report(b"", "e.csv#row=3", hints=PageHints(title="某县2020年政府信息公开工作年度报告"))
    assert (caught.value.stage, str(caught.value)) == ("decode", "the crawled page has no content")
