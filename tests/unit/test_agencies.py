"""Placing an agency: GB/T 2260 divisions valid for the report's year, never a guess.

The codes below are from the published code lists (洪泽县 320829 became 淮安市洪泽区 320813 in
2016; 鼓楼区 is a district of 南京, 徐州, 福州 and 开封), not from the parser's output.
"""

import pandas as pd
import pytest

from transforms.agencies import DivisionChange, normal_name, place_agency, revisions_for_year
from transforms.agency_table import AGENCY_INPUT_COLUMNS, agency_rows
from transforms.schemas import AGENCIES


@pytest.mark.parametrize(
    ("name", "year", "agency_id", "level"),
    [
        ("桃源县人民政府", 2018, "430725/人民政府", "county"),
        ("淮安市人民政府", 2024, "320800/人民政府", "city"),
        ("江苏省人民政府", 2020, "320000/人民政府", "province"),
        ("洪泽区人民政府", 2023, "320813/人民政府", "county"),
        ("淮安市洪泽区人民政府", 2024, "320813/人民政府", "county"),  # the city prefix changes nothing
        ("洪泽区政府", 2017, "320813/人民政府", "county"),
        ("洪泽县人民政府", 2014, "320829/人民政府", "county"),
        ("洪泽县人民政府", 2016, "320829/人民政府", "county"),  # abolished during 2016: still valid for it
        ("沭阳县发展和改革局", 2023, "321322/发展和改革局", "department"),
        ("沭阳县发改局", 2023, "321322/发展和改革局", "department"),  # a standard short form
        ("上海市人民政府办公厅", 2025, "310000/人民政府办公厅", "department"),
        ("南京市鼓楼区人民政府", 2020, "320106/人民政府", "county"),
        ("北京市东城区人民政府", 2020, "110101/人民政府", "county"),
        ("桃源县漳江镇人民政府", 2018, "430725/漳江镇人民政府", "township"),
    ],
)
def test_placed_in_the_division_of_its_year(name, year, agency_id, level):
    placed = place_agency(name, year)
    assert (placed.agency_id, placed.level, placed.division_code) == (agency_id, level, agency_id.split("/")[0])
    assert "GB/T 2260 revision" in placed.placement


def test_a_division_not_yet_created_is_not_placed():
    placed = place_agency("洪泽区人民政府", 2014)  # 洪泽区 dates from 2016; in 2014 it was 洪泽县
    assert (placed.agency_id, placed.division_code, placed.level) == ("?/洪泽区人民政府", "", "")
    assert "not placed" in placed.placement and "2014" in placed.placement


def test_a_name_of_several_divisions_is_not_guessed():
    placed = place_agency("鼓楼区人民政府", 2020)
    assert placed.division_code == "" and placed.agency_id == "?/鼓楼区人民政府"
    assert all(code in placed.placement for code in ("320106", "320302", "350102", "410204"))


def test_overrides_settle_zones_and_misprints():
    zone = place_agency("平潭综合实验区", 2012)
    committee = place_agency("平潭综合实验区管委会", 2025)
    office = place_agency("平潭综合实验区管委会办公室", 2025)
    assert zone.agency_id == committee.agency_id == office.agency_id
    assert (zone.level, zone.division_code) == ("zone", "350128")
    county = place_agency("平潭县人民政府", 2012)
    assert county.division_code == "350128" and county.agency_id != zone.agency_id  # two bodies, one division
    misprint = place_agency("沐阳县人民政府", 2025)  # no 沐阳县 exists
    assert (misprint.agency, misprint.agency_id) == ("沭阳县人民政府", "321322/人民政府")
    assert misprint.placement.startswith("override:")


def test_unknown_zone_and_bare_department_stay_unplaced():
    zone = place_agency("淮安经济技术开发区管委会", 2020)
    assert zone.division_code == "" and "agency_overrides.csv" in zone.placement
    assert zone.agency == "淮安经济技术开发区管理委员会"
    department = place_agency("市场监督管理局", 2020)
    assert department.agency_id == "?/市场监督管理局" and "division_changes.csv" in department.placement
    assert place_agency("", 2020).agency_id == ""
    assert place_agency("桃源县人民政府", None).division_code == ""


def test_later_divisions_come_from_the_changes_file():
    # A division created after the package's newest revision (201904): valid from its month on.
    changes = (DivisionChange("350405", "沙县区", "202103"),)
    assert place_agency("三明市沙县区人民政府", 2022, changes).division_code == "350405"
    assert place_agency("三明市沙县区人民政府", 2020, changes).division_code == ""
    assert revisions_for_year(2021, changes) == ["202103", "201904"]
    ended = (DivisionChange("350499", "旧区", "202001", "202201"),)
    assert place_agency("旧区人民政府", 2021, ended).division_code == "350499"
    assert place_agency("旧区人民政府", 2021, ended).agency_id == "350499/人民政府"
    assert place_agency("旧区人民政府", 2023, ended).division_code == ""


def test_revisions_in_force_during_a_year():
    assert revisions_for_year(2016)[0] == "201612" and revisions_for_year(2016)[-1] == "201512"
    assert revisions_for_year(2024) == ["201904"]
    assert revisions_for_year(1970) == []


def test_normal_name():
    assert normal_name("沭阳县 发改局") == "沭阳县发展和改革局"


def test_agency_rows_one_per_body():
    reports = pd.DataFrame(
        [
            ("320813/人民政府", "洪泽区人民政府", "洪泽区人民政府", "county", "320813", 2023),
            ("320813/人民政府", "淮安市洪泽区人民政府", "淮安市洪泽区人民政府", "county", "320813", 2024),
            ("?/某局", "某局", "某局", "", "", 2020),
            ("", "", "", "", "", 2020),  # names no agency: no row
        ],
        columns=AGENCY_INPUT_COLUMNS,
    )
    rows = agency_rows(reports).set_index("agency_id")
    assert list(rows.reset_index().columns) == AGENCIES.column_names
    hongze = rows.loc["320813/人民政府"]
    assert hongze["name"] == "淮安市洪泽区人民政府"  # as often as the other: the latest wins
    assert hongze["names_seen"] == "洪泽区人民政府|淮安市洪泽区人民政府"
    assert (hongze["province"], hongze["city"], hongze["county"]) == ("江苏省", "淮安市", "洪泽区")
    assert (hongze["first_year"], hongze["last_year"], hongze["reports"]) == (2023, 2024, 2)
    assert rows.loc["?/某局", "province"] == "" and len(rows) == 2
    assert agency_rows(reports.iloc[3:]).empty
