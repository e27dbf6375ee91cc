"""Analyst views' SQL on tiny in-memory tables."""

import duckdb

from flows.duckdb_views import ANALYST_VIEWS


def test_carry_over_chain_compares_with_last_years_report():
    with duckdb.connect() as db:
        db.execute("CREATE TABLE reports (report_id VARCHAR, agency VARCHAR, report_year SMALLINT)")
        db.execute(
            "INSERT INTO reports VALUES ('a22', '甲县人民政府', 2022), ('a23', '甲县人民政府', 2023),"
            " ('b23', '乙县人民政府', 2023)"
        )
        db.execute(
            "CREATE TABLE indicators (report_id VARCHAR, indicator_code VARCHAR, column_code VARCHAR, value DOUBLE)"
        )
        db.execute(
            """INSERT INTO indicators VALUES
            ('a22', 'T3.4', 'natural_person', 5), ('a22', 'T3.4', 'business', 1), ('a22', 'T3.4', 'total', NULL),
            ('a23', 'T3.2', 'natural_person', 5), ('a23', 'T3.2', 'business', 0), ('a23', 'T3.2', 'total', 5),
            ('b23', 'T3.2', 'natural_person', 2)"""
        )
        db.execute(ANALYST_VIEWS["carry_over_chain"])
        rows = db.sql(
            "SELECT agency, report_year, previous_year, column_code, outcome FROM carry_over_chain ORDER BY column_code"
        ).fetchall()
    assert rows == [
        ("甲县人民政府", 2023, 2022, "business", "fail"),
        ("甲县人民政府", 2023, 2022, "natural_person", "pass"),
        ("甲县人民政府", 2023, 2022, "total", "not_applicable"),
    ]
