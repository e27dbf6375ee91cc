"""The gate's expectations, one suite per curated table, derived from the schemas, as plain data.

The gate checks the pipeline's own invariants only — schema, unique keys, required columns, known
codes and statuses, report id format, source positions — and a failure blocks publishing. A
report's own impossible values (a negative or huge count, a report year no report covers) are not
checked here: the rules flag them on that report, which is still published (P11, P12e, R8, C1, Y1
in ``transforms/arithmetic_rules.csv``). One report's typo must not hold back the others.

Each :class:`Expectation` names the GX Core expectation it is. Two engines run the same suites:
:mod:`expectations.batch_checks` (vectorised pandas, every batch of a run) and
:mod:`expectations.gx_validation` (GX itself, once a run, with Data Docs). A test holds them to the
same verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass

from transforms.agencies import AGENCY_LEVELS
from transforms.catalog import load_column_catalog
from transforms.layouts import TEMPLATES, UNITS, all_layouts
from transforms.schemas import INDICATORS, REPORTS, TableSchema
from transforms.vocabulary import CATALOG_STATUSES, MATCHED, MATCHED_BY_POSITION, VALUE_STATUSES

ALLOWED_UNITS = ("", *sorted(UNITS))  # the units the table readers recognise, or none (section rows)

# The GX Core 1.x expectation classes the suites use (great_expectations.expectations.<class>).
COLUMNS_IN_ORDER = "ExpectTableColumnsToMatchOrderedList"
NOT_NULL = "ExpectColumnValuesToNotBeNull"
UNIQUE = "ExpectColumnValuesToBeUnique"
COMPOUND_UNIQUE = "ExpectCompoundColumnsToBeUnique"
IN_SET = "ExpectColumnValuesToBeInSet"
BETWEEN = "ExpectColumnValuesToBeBetween"
MATCHES_REGEX = "ExpectColumnValuesToMatchRegex"


@dataclass(frozen=True)
class Expectation:
    """One GX expectation: its class and keyword arguments. ``only_where`` limits it to the rows
    whose column holds one of the values (GX: a pandas ``row_condition``)."""

    kind: str
    column: str | None = None
    columns: tuple[str, ...] = ()
    value_set: tuple = ()
    min_value: float | None = None
    regex: str | None = None
    only_where: tuple[str, tuple[str, ...]] | None = None


def _structure(schema: TableSchema) -> list[Expectation]:
    """Exact columns, non-null required columns, unique primary key."""
    expectations = [Expectation(COLUMNS_IN_ORDER, columns=tuple(schema.column_names))]
    expectations += [Expectation(NOT_NULL, column=c.name) for c in schema.columns if not c.nullable]
    if len(schema.primary_key) == 1:
        expectations.append(Expectation(UNIQUE, column=schema.primary_key[0]))
    else:
        expectations.append(Expectation(COMPOUND_UNIQUE, columns=tuple(schema.primary_key)))
    return expectations


def indicators_expectations(catalog_codes: list[str]) -> list[Expectation]:
    return [
        *_structure(INDICATORS),
        Expectation(IN_SET, "template", value_set=tuple(TEMPLATES)),
        Expectation(IN_SET, "unit", value_set=ALLOWED_UNITS),
        Expectation(IN_SET, "value_status", value_set=tuple(VALUE_STATUSES)),
        Expectation(IN_SET, "catalog_status", value_set=tuple(CATALOG_STATUSES)),
        Expectation(
            IN_SET,
            "indicator_code",
            value_set=tuple(sorted(catalog_codes)),
            only_where=("catalog_status", (MATCHED, MATCHED_BY_POSITION)),
        ),
        Expectation(IN_SET, "column_code", value_set=("", *sorted(set(load_column_catalog()["column_code"])))),
        Expectation(
            IN_SET, "table_id", value_set=tuple(sorted({t for layout in all_layouts() for t in layout.tables}))
        ),
        Expectation(BETWEEN, "source_line", min_value=1),
    ]


def reports_expectations() -> list[Expectation]:
    return [
        *_structure(REPORTS),
        Expectation(IN_SET, "template", value_set=tuple(TEMPLATES)),
        Expectation(MATCHES_REGEX, "report_id", regex=r"^[0-9a-f]{16}$"),
        Expectation(BETWEEN, "table_rows", min_value=1),
        Expectation(IN_SET, "agency_level", value_set=("", *AGENCY_LEVELS)),
        Expectation(MATCHES_REGEX, "division_code", regex=r"^(?:[1-9][0-9]{5})?$"),
    ]
