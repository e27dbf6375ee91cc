from datetime import date

import pytest

from transforms.report_metadata import canonical_agency, extract_report_metadata


def test_metadata_from_title_date_line_and_footer():
    text = "桃源县2018年度政府信息公开年度报告\n2019年3月12日\n\n正文……\n\t单位负责人：某\t填报日期：2019年3月10日\n"
    meta = extract_report_metadata(text)
    assert (meta.agency_as_written, meta.agency, meta.report_year) == ("桃源县", "桃源县人民政府", 2018)
    assert meta.publication_date == date(2019, 3, 12)
    assert meta.table_filled_on == date(2019, 3, 10)


def test_year_first_titles_and_bracketed_dates():
    meta = extract_report_metadata("# 2019年上海市人民政府办公厅政府信息公开工作年度报告\n\n(2020年1月31日)\n")
    assert (meta.agency, meta.report_year, meta.publication_date) == ("上海市人民政府办公厅", 2019, date(2020, 1, 31))


@pytest.mark.parametrize("mark", ["：", "·", "、 "])
def test_a_mark_before_the_agency_is_no_part_of_its_name(mark):
    """A scan's speck read as a colon or a dot before the title (measured at 150 dpi)."""
    meta = extract_report_metadata(f"{mark}桃源县2018年政府信息公开工作年度报告\n正文\n")
    assert (meta.agency_as_written, meta.report_year) == ("桃源县", 2018)


def test_no_title_gives_no_year():
    meta = extract_report_metadata("一份没有标题的文件\n")
    assert meta.report_year is None and meta.agency == ""


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("桃源县", "桃源县人民政府"),
        ("常德市", "常德市人民政府"),
        ("沭阳县发展和改革局", "沭阳县发展和改革局"),
        ("桃源县人民政府", "桃源县人民政府"),
    ],
)
def test_canonical_agency(written, canonical):
    assert canonical_agency(written) == canonical
