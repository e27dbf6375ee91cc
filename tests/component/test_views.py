"""Analyst views' SQL on tiny in-memory tables."""

import duckdb

from flows.dataset.views import ANALYST_VIEWS, year_over_year_sql


def test_carry_over_chain_compares_with_last_years_report():
    with duckdb.connect() as db:
        db.execute(
            "CREATE TABLE reports (report_id VARCHAR, agency_id VARCHAR, agency VARCHAR, report_year SMALLINT, "
            "template VARCHAR, source_file VARCHAR)"
        )
        # one body printing two names: joined on agency_id, not on the name
        db.execute(
            "INSERT INTO reports VALUES ('a22', '100001/人民政府', '甲县政府', 2022, 'fmt_2021', 'a22.html'),"
            " ('a23', '100001/人民政府', '甲县人民政府', 2023, 'fmt_2021', 'a23.html'),"
            " ('b23', '100002/人民政府', '乙县人民政府', 2023, 'fmt_2021', 'b23.html')"
        )
        db.execute(
            "CREATE TABLE indicators (report_id VARCHAR, table_id VARCHAR, indicator_code VARCHAR, column_code VARCHAR,"
            " value DOUBLE, value_status VARCHAR, value_raw VARCHAR)"
        )
        db.execute(
            """INSERT INTO indicators VALUES
            ('a22', 't3', 'T3.4', 'natural_person', 5, 'ok', '5'), ('a22', 't3', 'T3.4', 'business', 1, 'ok', '1'),
            ('a22', 't3', 'T3.4', 'total', NULL, 'blank', ''),
            ('a23', 't3', 'T3.2', 'natural_person', 5, 'ok', '5'), ('a23', 't3', 'T3.2', 'business', 0, 'ok', '0'),
            ('a23', 't3', 'T3.2', 'total', 5, 'ok', '5'), ('b23', 't3', 'T3.2', 'natural_person', 2, 'ok', '2')"""
        )
        db.execute(ANALYST_VIEWS["cross_year_results"])
        db.execute(ANALYST_VIEWS["carry_over_chain"])
        rows = db.sql(
            "SELECT agency, report_year, previous_year, column_code, outcome FROM carry_over_chain ORDER BY column_code"
        ).fetchall()
    assert rows == [
        ("甲县人民政府", 2023, 2022, "business", "fail"),
        ("甲县人民政府", 2023, 2022, "natural_person", "pass"),
        ("甲县人民政府", 2023, 2022, "total", "not_applicable"),
    ]


def test_year_over_year_per_agency():
    with duckdb.connect() as db:
        db.execute("CREATE TABLE reports (report_id VARCHAR, agency_id VARCHAR, report_year SMALLINT)")
        db.execute(
            "INSERT INTO reports VALUES ('a20', 'A', 2020), ('a21', 'A', 2021), ('a22', 'A', 2022),"
            " ('a22bis', 'A', 2022), ('a24', 'A', 2024), ('none', '', 2021)"
        )
        measures = ("received", "answered", "carried_over", "carried_forward", "reviews", "lawsuits")
        db.execute(f"CREATE TABLE report_summary (report_id VARCHAR, {', '.join(m + ' DOUBLE' for m in measures)})")
        db.execute(
            """INSERT INTO report_summary VALUES
            ('a20', 0, 0, NULL, NULL, 1, 1), ('a21', 10, 9, 0, 1, 2, 2), ('a22', 15, 15, 1, 0, 2, 2),
            ('a22bis', 15, 14, 1, 0, 2, 2), ('a24', 20, 20, 0, 0, 0, 0), ('none', 5, 5, 0, 0, 0, 0)"""
        )
        db.execute(
            "CREATE TABLE agencies (agency_id VARCHAR, name VARCHAR, level VARCHAR, division_code VARCHAR, "
            "province VARCHAR, city VARCHAR, county VARCHAR)"
        )
        db.execute("INSERT INTO agencies VALUES ('A', '甲县人民政府', 'county', '100001', '甲省', '甲市', '甲县')")
        db.execute(year_over_year_sql())
        rows = {
            r[0]: r[1:]
            for r in db.sql(
                "SELECT report_year, previous_year, reports, received, received_previous, received_change, "
                "received_change_relative, answered, agency FROM agency_year_over_year"
            ).fetchall()
        }
    assert set(rows) == {2020, 2021, 2022, 2024}  # a report naming no agency is in no series
    assert rows[2021] == (2020, 1, 10, 0, 10, None, 9, "甲县人民政府")  # relative change from 0: none
    # two reports for 2022 agree on received but not on answered: answered is not picked
    assert rows[2022] == (2021, 2, 15, 10, 5, 0.5, None, "甲县人民政府")
    assert rows[2024][:3] == (None, 1, 20) and rows[2024][4] is None  # no 2023 report: no change
