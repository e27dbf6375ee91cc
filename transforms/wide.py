"""Per-report tables: one row per report, computed from its cells when a batch is stored.

``report_wide`` has one column per valued indicator (``schemas.wide_columns``): a one-value
table's row by its code (A3_1), a table with a 总计 column by its total (T3_1), 表二 per column
(T2_1_1_issued); an older local table fills the 2014 columns its rows map to (``maps_to``).
``report_summary`` answers the same questions across template families (concepts.csv): a concept
whose cells add up (lawsuits = T4.2 + T4.3) has no value when one of them has none.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from transforms.catalog import load_catalog
from transforms.concepts import SUMMARY_CONCEPTS, concept_cells
from transforms.layouts import TEMPLATES
from transforms.schemas import REPORT_INDICATORS, REPORT_SUMMARY, REPORT_WIDE, wide_columns

_REPORT_KEYS = ["report_id", "report_year", "agency", "template", "source_file"]
LOCAL_COLUMN = "this_year"  # a local row maps to a 2014 row through its this-year column


@cache
def _wide_cells() -> pd.DataFrame:
    """(indicator_code, column_code) → report_wide column, local rows through ``maps_to``."""
    cells = [(code, column, name) for name, (code, column) in wide_columns().items()]
    catalog = load_catalog()
    by_target = {code: name for name, (code, column) in wide_columns().items() if column == ""}
    for local, target in zip(catalog["code"], catalog["maps_to"], strict=True):
        if target and target in by_target:
            cells.append((local, LOCAL_COLUMN, by_target[target]))
    return pd.DataFrame(cells, columns=["indicator_code", "column_code", "name"])


@cache
def _summary_cells() -> pd.DataFrame:
    """(template, indicator_code, column_code) → concept, with how many cells the concept adds."""
    rows = []
    for template in TEMPLATES:
        for concept in SUMMARY_CONCEPTS:
            readings = concept_cells(template).get(concept)
            if readings:
                cells = readings[0].cells
                rows += [(template, code, column, concept, len(cells)) for code, column in cells]
    return pd.DataFrame(rows, columns=["template", "indicator_code", "column_code", "concept", "cells"])


def _pivot(reports: pd.DataFrame, values: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    wide = values.pivot_table(index="report_id", columns="name", values="value", aggfunc="max") if len(values) else None
    frame = reports[_REPORT_KEYS].set_index("report_id")
    if wide is not None:
        frame = frame.join(wide)
    return frame.reindex(columns=[k for k in _REPORT_KEYS if k != "report_id"] + columns).reset_index()


def report_wide(reports: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    cells = indicators[["report_id", "indicator_code", "column_code", "value"]].merge(
        _wide_cells(), on=["indicator_code", "column_code"]
    )
    frame = _pivot(reports, cells, list(wide_columns()))
    return frame[REPORT_WIDE.column_names].astype({name: "float64" for name in wide_columns()})


def report_summary(reports: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    cells = indicators[["report_id", "template", "indicator_code", "column_code", "value"]].merge(
        _summary_cells(), on=["template", "indicator_code", "column_code"]
    )
    grouped = cells.groupby(["report_id", "concept"], sort=False).agg(
        value=("value", "sum"), valued=("value", "count"), cells=("cells", "first")
    )
    grouped = grouped[grouped["valued"] == grouped["cells"]].reset_index()  # every cell has a value
    frame = _pivot(reports, grouped.rename(columns={"concept": "name"}), list(SUMMARY_CONCEPTS))
    return frame[REPORT_SUMMARY.column_names].astype({name: "float64" for name in SUMMARY_CONCEPTS})


PER_REPORT_TABLES = (REPORT_WIDE.name, REPORT_SUMMARY.name, REPORT_INDICATORS.name)


def per_report_tables(reports: pd.DataFrame, indicators: pd.DataFrame) -> dict[str, pd.DataFrame]:
    from transforms.indicator_values import report_indicators  # imports duckdb: only where batches are stored

    return {
        REPORT_WIDE.name: report_wide(reports, indicators),
        REPORT_SUMMARY.name: report_summary(reports, indicators),
        REPORT_INDICATORS.name: report_indicators(reports, indicators),
    }
