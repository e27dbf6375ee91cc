"""The gate: a conforming frame passes; each break of a pipeline invariant is caught, and a
report's own impossible values (flagged by the rules instead) are not. Every case runs both
engines, GX and the vectorised batch checks, and they must give the same verdicts."""

from collections import Counter

import pandas as pd
import pytest

from expectations.batch_checks import failed_expectations
from expectations.gx_validation import validate_tables
from expectations.suites import indicators_expectations, reports_expectations
from transforms.catalog import load_catalog
from transforms.parse_report import parse_report
from transforms.schemas import INDICATORS, REPORTS


@pytest.fixture(scope="module")
def frames(sample_bytes):
    parsed = parse_report(sample_bytes, "taoyuan_2018_report.txt")
    return pd.DataFrame(parsed.indicators)[INDICATORS.column_names], pd.DataFrame([parsed.report])[REPORTS.column_names]


def _names(failures: list[str]) -> Counter:
    return Counter(failure.split("(", 1)[0] for failure in failures)


def _validate(indicators: pd.DataFrame, reports: pd.DataFrame, docs_dir=None):
    codes = load_catalog()["code"].tolist()
    suites = {
        "indicators": (indicators, indicators_expectations(codes)),
        "reports": (reports, reports_expectations()),
    }
    outcomes = {o.table: o for o in validate_tables(suites, docs_dir)}
    for name, (frame, expectations) in suites.items():  # the batch checks give GX's verdicts
        assert _names(failed_expectations(frame, expectations)) == _names(outcomes[name].failures), name
    return outcomes


def test_sample_passes_and_data_docs_are_written(frames, tmp_path):
    outcomes = _validate(*frames, docs_dir=tmp_path / "docs")
    assert outcomes["indicators"].success, outcomes["indicators"].failures
    assert outcomes["reports"].success, outcomes["reports"].failures
    assert (tmp_path / "docs" / "index.html").exists()


def _broken(frame: pd.DataFrame, row: int, column: str, value) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[row, column] = value
    return frame


@pytest.mark.parametrize(
    ("column", "value", "expectation"),
    [
        ("unit", "公斤", "expect_column_values_to_be_in_set"),
        ("value_status", "guessed", "expect_column_values_to_be_in_set"),
        ("indicator_code", "A99.9", "expect_column_values_to_be_in_set"),  # matched but not in the catalog
        ("indicator_code", "A1.1a", "expect_compound_columns_to_be_unique"),  # duplicate key
        ("source_line", 0, "expect_column_values_to_be_between"),
        ("report_id", None, "expect_column_values_to_not_be_null"),
    ],
)
def test_breakage_is_caught(frames, column, value, expectation):
    indicators, reports = frames
    outcome = _validate(_broken(indicators, 1, column, value), reports)["indicators"]
    assert not outcome.success
    assert any(f.startswith(expectation) for f in outcome.failures), outcome.failures


@pytest.mark.parametrize(
    ("column", "value", "expectation"),
    [
        ("report_id", "NOT-HEX", "expect_column_values_to_match_regex"),
        ("division_code", "012345", "expect_column_values_to_match_regex"),
        ("agency_level", "galaxy", "expect_column_values_to_be_in_set"),
        ("table_rows", 0, "expect_column_values_to_be_between"),
        ("template", "fmt_2030", "expect_column_values_to_be_in_set"),
    ],
)
def test_report_breakage_is_caught(frames, column, value, expectation):
    indicators, reports = frames
    outcome = _validate(indicators, _broken(reports, 0, column, value))["reports"]
    assert not outcome.success
    assert any(f.startswith(expectation) for f in outcome.failures), outcome.failures


def test_batch_checks_name_what_failed(frames):
    indicators, _ = frames
    expectations = indicators_expectations(load_catalog()["code"].tolist())
    broken = _broken(_broken(indicators, 1, "unit", "公斤"), 2, "unit", "吨")
    assert failed_expectations(broken, expectations) == [
        "expect_column_values_to_be_in_set(unit); 2 unexpected, e.g. ['公斤', '吨']"
    ]
    assert failed_expectations(indicators, expectations) == []


def test_a_reports_impossible_values_do_not_block_the_batch(frames):
    """A negative count, a report year of 2099 and a count no agency reaches are the report's own
    errors: rules P11/R8, Y1 and C1 flag them on that report; the gate lets the batch through."""
    indicators, reports = frames
    bad = indicators.copy()
    bad.loc[bad["indicator_code"] == "A2.1", "value"] = -5.0
    bad.loc[bad["indicator_code"] == "A1.1", "value"] = 3e9
    bad["report_year"] = 2099
    outcomes = _validate(bad, reports.assign(report_year=2099))
    assert outcomes["indicators"].success, outcomes["indicators"].failures
    assert outcomes["reports"].success, outcomes["reports"].failures


def test_the_same_batch_with_a_genuine_break_still_fails(frames):
    indicators, reports = frames
    bad = indicators.copy()
    bad.loc[bad["indicator_code"] == "A2.1", "value"] = -5.0
    bad["report_year"] = 2099
    unknown_status = _validate(_broken(bad, 1, "value_status", "guessed"), reports)["indicators"]
    assert not unknown_status.success
    assert any("value_status" in f for f in unknown_status.failures), unknown_status.failures
    duplicate_key = _validate(pd.concat([bad, bad.iloc[[3]]], ignore_index=True), reports)["indicators"]
    assert not duplicate_key.success
    assert any(f.startswith("expect_compound_columns_to_be_unique") for f in duplicate_key.failures)
    duplicate_report = _validate(bad, pd.concat([reports, reports], ignore_index=True))["reports"]
    assert not duplicate_report.success
    assert any(f.startswith("expect_column_values_to_be_unique") for f in duplicate_report.failures)


def test_unmapped_rows_do_not_need_catalog_codes(frames):
    indicators, reports = frames
    broken = _broken(_broken(indicators, 1, "indicator_code", "unmapped:A1:某某数#2"), 1, "catalog_status", "unmapped")
    assert _validate(broken, reports)["indicators"].success


def test_extra_column_is_caught(frames):
    indicators, reports = frames
    assert not _validate(indicators.assign(extra=1), reports)["indicators"].success


def test_codes_the_pipeline_writes_outside_gx_are_known():
    """Quarantine stages and rule outcomes are pipeline invariants too: an unknown one blocks."""
    import pandas as pd

    from expectations.invariants import unknown_codes

    good = {
        "quarantine": pd.DataFrame({"stage": ["limit", "duplicate"]}),
        "rule_results": pd.DataFrame({"outcome": ["pass", "fail"], "severity": ["error", "warning"]}),
    }
    assert unknown_codes(good) == []
    bad = {**good, "quarantine": pd.DataFrame({"stage": ["limit", "oops"]})}
    assert unknown_codes(bad) == [
        "quarantine: stage not one of ['not_a_file', 'read', 'limit', 'decode', 'template', 'table', "
        "'metadata', 'error', 'duplicate', 'not_a_report', 'joined']: ['oops']"
    ]
