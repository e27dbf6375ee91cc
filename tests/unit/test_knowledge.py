"""Template knowledge is data, checked when loaded; code takes widths, rows and identities from it."""

import dataclasses

import pandas as pd
import pytest

from transforms import layouts as layouts_module
from transforms.catalog import check_column_catalog, load_column_catalog
from transforms.cell_records import CELL_FIELDS, REPORT_FIELDS, CellRecord
from transforms.concepts import load_concepts, parse_concepts
from transforms.identities import (
    column_checks,
    load_bounds,
    load_rules,
    parse_bounds,
    parse_rules,
    row_check,
    rules_for,
)
from transforms.layouts import all_layouts, template_layout
from transforms.run_together import resolve_rows
from transforms.schemas import INDICATORS


def test_a_cell_record_and_its_report_fields_are_exactly_the_indicators_schema():
    assert not set(CELL_FIELDS) & set(REPORT_FIELDS)
    assert sorted(CELL_FIELDS + REPORT_FIELDS) == sorted(INDICATORS.column_names)
    with pytest.raises(TypeError):  # a misspelt field fails where the record is built
        CellRecord(**{name: None for name in CELL_FIELDS}, value_stauts="ok")


def test_every_layout_loads_and_matches_the_spec_widths():
    shapes = {
        (layout.template, table_id): (len(table.rows), table.width)
        for layout in all_layouts()
        for table_id, table in layout.tables.items()
    }
    assert shapes[("fmt_2021", "t3")] == (25, 7)  # spec B.3: 25 rows × 7 applicant columns
    assert shapes[("fmt_2019", "t3")] == (23, 7)
    assert shapes[("fmt_2021", "t4")] == shapes[("fmt_2019", "t4")] == (3, 5)
    assert shapes[("local_table", "local")][1] == 2  # this year and cumulative
    assert shapes[("stat_2014", "stat")] == (67, 1)  # the sample's 65 rows and two provincial ones
    assert len(template_layout("fmt_2021").tables["t3"].codes("six_as_one_row")) == 23


def _rules(**changes) -> pd.DataFrame:
    row = {
        "rule_id": "X1",
        "templates": "local_table",
        "table_id": "local",
        "severity": "error",
        "scope": "per_column",
        "lhs": "L2",
        "relation": "eq",
        "aggregate": "sum",
        "rhs": "L2.1|L2.2",
        "description": "test",
    }
    return pd.DataFrame([{**row, **changes}])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"relation": "approx"}, "relation 'approx'"),
        ({"aggregate": "mean"}, "aggregate 'mean'"),
        ({"scope": "per_cell"}, "scope 'per_cell'"),
        ({"severity": "fatal"}, "severity 'fatal'"),
        ({"templates": "stat_2015"}, "unknown templates"),
        ({"rhs": "L2.1|L2.99"}, "rows not in local"),
        ({"scope": "per_row", "lhs": "this_year", "rhs": "last_year"}, "columns not in local"),
        ({"table_id": "t3"}, "has no table 't3'"),
        ({"scope": "count_size"}, "a count_size rule names no cells"),
        (
            {"scope": "integers", "lhs": "", "relation": "", "aggregate": "", "rhs": "", "table_id": "t3"},
            "no table 't3'",
        ),
        (
            {"scope": "report_year", "lhs": "", "relation": "", "aggregate": "", "rhs": "", "table_id": "local"},
            "its table is 'report'",
        ),
    ],
)
def test_a_wrong_rule_is_an_error_at_load(change, message):
    parse_rules(_rules())  # the unchanged rule is fine
    with pytest.raises(ValueError, match=message):
        parse_rules(_rules(**change))


def test_value_bounds_are_data_checked_at_load():
    bounds = load_bounds()
    assert bounds.largest_count == 100_000_000 and bounds.first_report_year == 2007
    good = {"first_report_year": 2007, "years_ahead": 1, "largest_count": 100_000_000}
    assert parse_bounds(good) == bounds
    with pytest.raises(ValueError, match="keys"):
        parse_bounds({**good, "largest_amount": 5})
    with pytest.raises(ValueError, match="largest_count = '1e8'"):
        parse_bounds({**good, "largest_count": "1e8"})
    # the value and report rules flag reports; they are no constraint of the run-together splitter
    value_rules = {r.rule_id for r in load_rules() if r.scope in ("integers", "count_size", "report_year")}
    assert value_rules == {"P11", "P12e", "R8", "C1", "Y1"}
    splitter = {r.rule_id for layout in all_layouts() for t in layout.tables for r in rules_for(layout.template, t)}
    assert {"P1", "P12c", "R1"} <= splitter
    assert not splitter & value_rules


def test_a_wrong_column_catalog_is_an_error_at_load():
    columns = load_column_catalog()
    with pytest.raises(ValueError, match="unknown value kinds"):
        check_column_catalog(columns.assign(value_kind="kount"))
    with pytest.raises(ValueError, match="listed twice"):
        check_column_catalog(pd.concat([columns, columns.tail(1)]))


def test_a_concept_must_name_cells_its_template_has():
    table = pd.DataFrame(
        [
            {
                "concept": "received",
                "templates": "fmt_2021",
                "cells": "T3.1/totl",
                "reading": "",
                "text_check": "yes",
                "description": "",
            }
        ]
    )
    with pytest.raises(ValueError, match=r"has no cell T3\.1/totl"):
        parse_concepts(table)
    assert {c.concept for c in load_concepts()} >= {"received", "answered", "reviews", "lawsuits"}


def test_a_layout_row_the_catalog_does_not_know_is_an_error(monkeypatch):
    bad = layouts_module.load_layouts().copy()
    bad.loc[bad["row_code"] == "L1", "columns"] = "this_year|next_year"
    monkeypatch.setattr(layouts_module, "load_layouts", lambda: bad)
    layouts_module.template_layout.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"unknown columns \['next_year'\]"):
            layouts_module.template_layout("local_table")
    finally:
        layouts_module.template_layout.cache_clear()


def test_the_splitter_takes_its_constraints_from_the_rules_file():
    """Edit the identities and the run-together splitter follows: without P12c (this year ≤
    cumulative) '12' has two readings in a two-column local row, with it only one."""
    table = template_layout("local_table").table
    name, check = row_check("local_table", table)
    assert name == "P12c"
    assert resolve_rows({"L4": "12"}, 2, check, name, [])["L4"].parts == ("1", "2")
    assert resolve_rows({"L4": "12"}, 2, None, "", [])["L4"].parts == ("1", "2")  # one split anyway
    assert resolve_rows({"L4": "21"}, 2, check, name, [])["L4"].parts is None  # 2 > 1: no reading
    ids = [rule_id for rule_id, _ in column_checks("local_table", table, table.codes())]
    assert ids == [r.rule_id for r in load_rules() if "local_table" in r.templates and r.scope == "per_column"]


def test_cell_records_are_frozen_in_shape():
    record = CellRecord(**{name: None for name in CELL_FIELDS})
    assert set(dataclasses.asdict(record)) == set(CELL_FIELDS)
