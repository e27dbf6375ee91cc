"""GX Core 1.x expectations, one builder per curated table, derived from the schemas.

The GX gate checks the pipeline's own invariants only — schema, unique keys, required columns,
known codes and statuses, report id format, source positions — and a failure blocks publishing.
A report's own impossible values (a negative or huge count, a report year no report covers) are
not checked here: the rules flag them on that report, which is still published (P11, P12e, R8,
C1, Y1 in ``transforms/arithmetic_rules.csv``). One report's typo must not hold back the others.

Builders return plain expectation lists; :mod:`expectations.gx_validation` binds them to a context.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from transforms.agencies import AGENCY_LEVELS
from transforms.catalog import load_column_catalog
from transforms.layouts import TEMPLATES, UNITS, all_layouts
from transforms.schemas import INDICATORS, REPORTS, TableSchema
from transforms.vocabulary import CATALOG_STATUSES, MATCHED, MATCHED_BY_POSITION, VALUE_STATUSES

ALLOWED_UNITS = ("", *sorted(UNITS))  # the units the table readers recognise, or none (section rows)


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


def indicators_expectations(catalog_codes: list[str]) -> list[gxe.Expectation]:
    return [
        *_structure(INDICATORS),
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
        gxe.ExpectColumnValuesToBeBetween(column="source_line", min_value=1),
    ]


def reports_expectations() -> list[gxe.Expectation]:
    return [
        *_structure(REPORTS),
        gxe.ExpectColumnValuesToBeInSet(column="template", value_set=list(TEMPLATES)),
        gxe.ExpectColumnValuesToMatchRegex(column="report_id", regex=r"^[0-9a-f]{16}$"),
        gxe.ExpectColumnValuesToBeBetween(column="table_rows", min_value=1),
        gxe.ExpectColumnValuesToBeInSet(column="agency_level", value_set=["", *AGENCY_LEVELS]),
        gxe.ExpectColumnValuesToMatchRegex(column="division_code", regex=r"^(?:[1-9][0-9]{5})?$"),
    ]
