"""The cross-year rules (X1–X4) on constructed pairs of reports, one pair that keeps each rule and
one that breaks it, evaluated by the same SQL the dataset's views use, over in-memory tables."""

import duckdb
import pytest

from expectations.cross_year import CROSS_YEAR_COLUMNS, cross_year_rules, cross_year_sql

AGENCY = "320813/人民政府"


def _evaluate(reports: list[tuple], cells: list[tuple]) -> list[dict]:
    """reports: (report_id, agency_id, year, template, source_file); cells: (report_id, table_id,
    indicator_code, column_code, value, value_status, value_raw)."""
    connection = duckdb.connect()
    connection.execute(
        "CREATE TABLE r (report_id VARCHAR, agency_id VARCHAR, report_year SMALLINT, template VARCHAR, "
        "source_file VARCHAR)"
    )
    connection.execute(
        "CREATE TABLE c (report_id VARCHAR, table_id VARCHAR, indicator_code VARCHAR, column_code VARCHAR, "
        "value DOUBLE, value_status VARCHAR, value_raw VARCHAR)"
    )
    connection.executemany("INSERT INTO r VALUES (?, ?, ?, ?, ?)", reports)
    connection.executemany("INSERT INTO c VALUES (?, ?, ?, ?, ?, ?, ?)", cells)
    cursor = connection.execute(cross_year_sql("r", "c"))
    names = [d[0] for d in cursor.description]
    assert names == list(CROSS_YEAR_COLUMNS)
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _cell(report: str, table: str, row: str, column: str, value) -> tuple:
    if value is None:
        return (report, table, row, column, None, "blank", "")
    return (report, table, row, column, float(value), "ok", str(value))


def _pair(template_before: str, template_after: str, years=(2021, 2022)) -> list[tuple]:
    return [
        ("before", AGENCY, years[0], template_before, "before.html"),
        ("after", AGENCY, years[1], template_after, "after.html"),
    ]


def _outcomes(results: list[dict], rule: str) -> dict[tuple[str, str], str]:
    return {(r["row_code"], r["column_code"]): r["outcome"] for r in results if r["rule_id"] == rule}


def test_every_cross_year_rule_is_tested_here():
    assert {r.rule_id for r in cross_year_rules()} == {"X1", "X2", "X3", "X4"}


@pytest.mark.parametrize("carried_over, outcome", [(3, "pass"), (4, "fail")])
def test_x1_carried_over_is_last_years_carried_forward(carried_over, outcome):
    cells = [
        _cell("before", "t3", "T3.4", "natural_person", 3),
        _cell("before", "t3", "T3.4", "total", 3),
        _cell("after", "t3", "T3.2", "natural_person", carried_over),
        _cell("after", "t3", "T3.2", "total", carried_over),
    ]
    results = _evaluate(_pair("fmt_2019", "fmt_2021", (2020, 2021)), cells)
    assert _outcomes(results, "X1") == {("", "natural_person"): outcome, ("", "total"): outcome}
    failed = [r for r in results if r["outcome"] == "fail"]
    for result in failed:  # the later report's, naming both reports and both cells
        assert result["report_id"] == "after" and result["previous_report_id"] == "before"
        assert result["severity"] == "warning"
        assert "2021 T3.2/" in result["detail"] and "2020 T3.4/" in result["detail"]
        assert "before.html" in result["detail"]


@pytest.mark.parametrize("cumulative, outcome", [(4359, "pass"), (2255, "fail")])
def test_x2_cumulative_is_last_years_plus_this_years(cumulative, outcome):
    cells = [
        _cell("before", "local", "L1", "cumulative", 3620),
        _cell("before", "local", "L1", "this_year", 500),
        _cell("after", "local", "L1", "this_year", 739),
        _cell("after", "local", "L1", "cumulative", cumulative),
    ]
    results = _evaluate(_pair("local_table", "local_table", (2011, 2012)), cells)
    assert _outcomes(results, "X2") == {("L1", ""): outcome}
    result = next(r for r in results if r["rule_id"] == "X2")
    assert (result["actual"], result["expected"]) == (cumulative, 3620 + 739)


@pytest.mark.parametrize("in_force, outcome", [(12, "pass"), (13, "fail")])
def test_x3_in_force_is_last_years_plus_issued_minus_repealed(in_force, outcome):
    cells = [
        _cell("before", "t2", "T2.1.2", "in_force", 10),
        _cell("after", "t2", "T2.1.2", "issued", 5),
        _cell("after", "t2", "T2.1.2", "repealed", 3),
        _cell("after", "t2", "T2.1.2", "in_force", in_force),
    ]
    results = _evaluate(_pair("fmt_2021", "fmt_2021"), cells)
    assert _outcomes(results, "X3") == {("T2.1.2", ""): outcome}


@pytest.mark.parametrize("previous_items, outcome", [(7, "pass"), (9, "fail")])
def test_x4_last_years_items_agree(previous_items, outcome):
    cells = [
        _cell("before", "t2", "T2.5.1", "previous_items", 10),
        _cell("before", "t2", "T2.5.1", "change", -3),
        _cell("after", "t2", "T2.5.1", "previous_items", previous_items),
        _cell("after", "t2", "T2.5.1", "change", 1),
    ]
    results = _evaluate(_pair("fmt_2019", "fmt_2019", (2019, 2020)), cells)
    assert _outcomes(results, "X4") == {("T2.5.1", ""): outcome}


def test_a_gap_year_is_no_pair_and_no_failure():
    cells = [_cell("before", "t3", "T3.4", "total", 3), _cell("after", "t3", "T3.2", "total", 9)]
    assert _evaluate(_pair("fmt_2021", "fmt_2021", (2021, 2023)), cells) == []


def test_another_agency_or_an_unplaced_one_is_no_pair():
    cells = [_cell("before", "t3", "T3.4", "total", 3), _cell("after", "t3", "T3.2", "total", 9)]
    other = [("before", "320812/人民政府", 2021, "fmt_2021", "b"), ("after", AGENCY, 2022, "fmt_2021", "a")]
    assert _evaluate(other, cells) == []
    unplaced = [("before", "", 2021, "fmt_2021", "b"), ("after", "", 2022, "fmt_2021", "a")]
    assert _evaluate(unplaced, cells) == []


def test_a_template_the_rule_does_not_cover_is_not_checked():
    """X3 needs the 2021 表二 in both years: a 2020 report (2019 form) prints no 现行有效件数."""
    cells = [_cell("before", "t2", "T2.1.2", "total_published", 10), _cell("after", "t2", "T2.1.2", "in_force", 3)]
    assert _outcomes(_evaluate(_pair("fmt_2019", "fmt_2021", (2020, 2021)), cells), "X3") == {}


def test_blank_cells_count_as_0_but_a_blank_total_makes_the_rule_not_applicable():
    cells = [
        _cell("before", "t3", "T3.4", "business", None),
        _cell("before", "t3", "T3.4", "total", None),
        _cell("after", "t3", "T3.2", "business", 0),
        _cell("after", "t3", "T3.2", "total", 0),
    ]
    results = _evaluate(_pair("fmt_2021", "fmt_2021"), cells)
    assert _outcomes(results, "X1") == {("", "business"): "pass", ("", "total"): "not_applicable"}
    business = next(r for r in results if r["column_code"] == "business")
    assert "(blank, read as 0)" in business["detail"]


def test_a_cell_missing_from_last_years_report_makes_the_rule_not_applicable():
    cells = [_cell("after", "t3", "T3.2", "total", 2), ("before", "t3", "T3.4", "total", None, "ambiguous", "5225")]
    results = _evaluate(_pair("fmt_2021", "fmt_2021"), cells)
    assert _outcomes(results, "X1") == {("", "total"): "not_applicable"}
    assert results[0]["expected"] is None and "(ambiguous)" in results[0]["detail"]


def test_last_year_with_two_reports_is_no_pair_and_pairs_do_not_multiply():
    """Two reports of the agency last year: which one this year follows is unknown, so nothing is
    compared; and 50 reports in each of two years make no 2,500 pairs (the run at 100,000 synthetic
    reports ran out of memory when they did)."""
    cells = [_cell("before", "t3", "T3.4", "total", 3), _cell("after", "t3", "T3.2", "total", 9)]
    reissued = [*_pair("fmt_2021", "fmt_2021"), ("before-bis", AGENCY, 2021, "fmt_2021", "before-bis.html")]
    assert _evaluate(reissued, [*cells, _cell("before-bis", "t3", "T3.4", "total", 9)]) == []
    many = [(f"a{n}", AGENCY, 2021 + n % 2, "fmt_2021", f"a{n}.html") for n in range(100)]
    assert _evaluate(many, [_cell(f"a{n}", "t3", "T3.4", "total", 1) for n in range(100)]) == []
