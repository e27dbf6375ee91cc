"""Synthetic reports generated from known values parse back to exactly those values."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.synthetic_reports import encode, make_report
from transforms.parse_report import parse_report


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_round_trip(seed):
    rng = random.Random(seed)
    report = make_report(rng, index=rng.randint(0, 50))
    parsed = parse_report(encode(report, rng), "synthetic.txt")
    assert parsed.report["report_year"] == report.year
    assert parsed.report["agency_as_written"] == report.agency
    assert {r["indicator_code"]: r["value"] for r in parsed.indicators} == report.values
    assert all(r["catalog_status"] == "matched" for r in parsed.indicators)
