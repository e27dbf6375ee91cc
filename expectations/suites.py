"""GX Core 1.x expectations, one builder per curated table, derived from the schemas.

Builders return plain expectation lists; :mod:`expectations.gx_validation` binds them to a context.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from transforms.catalog import load_column_catalog
from transforms.cell_records import CATALOG_STATUSES, MATCHED, MATCHED_BY_POSITION, UNMAPPED
from transforms.cell_values import VALUE_STATUSES
from transforms.layouts import TEMPLATES, UNITS, all_layouts
from transforms.schemas import INDICATORS, REPORTS, TableSchema

ALLOWED_UNITS = ("", *sorted(UNITS))  # the units the table readers recognise, or none (section rows)
FIRST_REPORT_YEAR = 2007  # the 2007 条例 started annual reports (first covering 2008)


def _structure(schema: TableSchema) -> list[gxe.Expectation]:
    """Exact columns, non-null required columns, unique primary key."""
    expectations: list[gxe.Expectation] = [
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=schema.column_names),
    ]
    expectations += [gxe.ExpectColumnValuesToNotBeNull(column=c.name) for c in schema.columns if not c.nullable]
    if len(schema.primary_key) == 1:
        expectations.append(gxe.ExpectColumnValuesToBeUnique(column=schema.primary_key[0]))
    else:
        expectations.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(schema.primary_key)))
    return expectations


def _year_range(last_year: int) -> gxe.Expectation:
    return gxe.ExpectColumnValuesToBeBetween(column="report_year", min_value=FIRST_REPORT_YEAR, max_value=last_year)


def indicators_expectations(catalog_codes: list[str], last_year: int) -> list[gxe.Expectation]:
    return [
        *_structure(INDICATORS),
        _year_range(last_year),
        gxe.ExpectColumnValuesToBeInSet(column="template", value_set=list(TEMPLATES)),
        gxe.ExpectColumnValuesToBeInSet(column="unit", value_set=list(ALLOWED_UNITS)),
        gxe.ExpectColumnValuesToBeInSet(column="value_status", value_set=list(VALUE_STATUSES)),
        gxe.ExpectColumnValuesToBeInSet(column="catalog_status", value_set=list(CATALOG_STATUSES)),
        gxe.ExpectColumnValuesToBeInSet(
            column="indicator_code",
            value_set=sorted(catalog_codes),
            row_condition=f'catalog_status=="{MATCHED}" or catalog_status=="{MATCHED_BY_POSITION}"',
            condition_parser="pandas",
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="column_code", value_set=["", *sorted(set(load_column_catalog()["column_code"]))]
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="table_id", value_set=sorted({t for layout in all_layouts() for t in layout.tables})
        ),
        # Counts cannot be negative; only 2019 表二's 本年增/减 (column "change") is signed, and a row
        # the template does not know has no declared sign (rule R8 still reports it, naming the cells).
        # Stated as "no row holds a negative count" so the row condition keeps only offending rows:
        # GX copies every column of the rows a condition keeps, and a condition keeping all
        # 1.4 M rows of a 10,000-report run cost 3 s.
        gxe.ExpectTableRowCountToEqual(
            value=0,
            row_condition=f'value < 0 and column_code!="change" and catalog_status!="{UNMAPPED}"',
            condition_parser="pandas",
            description="no negative count (only 本年增/减 is signed)",
        ),
        gxe.ExpectColumnValuesToBeBetween(column="source_line", min_value=1),
    ]


def reports_expectations(last_year: int) -> list[gxe.Expectation]:
    return [
        *_structure(REPORTS),
        _year_range(last_year),
        gxe.ExpectColumnValuesToBeInSet(column="template", value_set=list(TEMPLATES)),
        gxe.ExpectColumnValuesToMatchRegex(column="report_id", regex=r"^[0-9a-f]{16}$"),
        gxe.ExpectColumnValuesToBeBetween(column="table_rows", min_value=1),
    ]
