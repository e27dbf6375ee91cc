"""The gate's suites (:mod:`expectations.suites`) evaluated with vectorised pandas, batch by batch.

GX runs the same suites once a run, with Data Docs (:mod:`expectations.gx_validation`); it costs
about half a second a call whatever the batch, which every batch of a large run paid. These checks
give GX's verdicts (nulls are not checked by value expectations, as in GX) in milliseconds, and
name a failure as GX does: ``expect_…(column)``, the count and the first unexpected values.
"""

from __future__ import annotations

import re

import pandas as pd

from expectations.suites import (
    BETWEEN,
    COLUMNS_IN_ORDER,
    COMPOUND_UNIQUE,
    IN_SET,
    MATCHES_REGEX,
    NOT_NULL,
    UNIQUE,
    Expectation,
)

_EXAMPLES = 5


def gx_name(kind: str) -> str:
    """The name GX reports an expectation by: ExpectColumnValuesToBeInSet → expect_column_values_to_be_in_set."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower()


def failed_expectations(frame: pd.DataFrame, expectations: list[Expectation]) -> list[str]:
    """What ``frame`` breaks of ``expectations``, one line each; empty when it passes."""
    failures = []
    for expectation in expectations:
        if expectation.kind == COLUMNS_IN_ORDER:
            if list(frame.columns) != list(expectation.columns):
                failures.append(f"{gx_name(expectation.kind)}(); observed {list(frame.columns)}"[:300])
            continue
        if any(name not in frame.columns for name in (expectation.column, *expectation.columns) if name):
            failures.append(f"{gx_name(expectation.kind)}({_target(expectation)}); column missing")
            continue
        unexpected = _unexpected(frame, expectation)
        if len(unexpected):
            examples = unexpected.head(_EXAMPLES).tolist()
            failures.append(
                f"{gx_name(expectation.kind)}({_target(expectation)}); {len(unexpected)} unexpected, e.g. {examples}"
            )
    return failures


def _target(expectation: Expectation) -> str:
    where = ""
    if expectation.only_where is not None:
        where = f" where {expectation.only_where[0]} in {list(expectation.only_where[1])}"
    return (expectation.column or ", ".join(expectation.columns)) + where


def _unexpected(frame: pd.DataFrame, expectation: Expectation) -> pd.Series:
    """The unexpected values (rows, for a compound key)."""
    if expectation.only_where is not None:
        column, values = expectation.only_where
        frame = frame[frame[column].isin(values)]
    if expectation.kind == COMPOUND_UNIQUE:
        keys = frame[list(expectation.columns)]
        keys = keys[keys.notna().any(axis=1)]  # GX leaves out rows whose key is all missing
        repeated = keys[keys.duplicated(keep=False)]
        return pd.Series(list(repeated.itertuples(index=False, name=None)), dtype=object)
    values = frame[expectation.column]
    if expectation.kind == NOT_NULL:
        return values[values.isna()]
    values = values[values.notna()]  # value expectations leave nulls out, as GX does
    if expectation.kind == UNIQUE:
        return values[values.duplicated(keep=False)]
    if expectation.kind == IN_SET:
        return values[~values.isin(expectation.value_set)]
    if expectation.kind == BETWEEN:
        return values[values < expectation.min_value]
    if expectation.kind == MATCHES_REGEX:
        return values[~values.astype(str).str.contains(expectation.regex, regex=True)]
    raise ValueError(f"no vectorised check for {expectation.kind}")
