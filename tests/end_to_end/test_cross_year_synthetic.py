"""The cross-year rules over a synthetic archive whose series are consistent: the real flow finds
nothing to flag, and checks every pair it can (benchmarks/synthetic/post2019.make_post2019_series
writes each year's cells from last year's, independently of the rules' data)."""

import random

import duckdb
import pytest

from benchmarks.synthetic.post2019 import make_post2019_report, make_post2019_series


@pytest.fixture(scope="module")
def archive(prefect_harness, tmp_path_factory):
    from flows.run.pipeline import xxgk_pipeline

    raw = tmp_path_factory.mktemp("series_raw")
    rng = random.Random(2025)
    series = [
        *make_post2019_series(rng, "桃源县人民政府", range(2019, 2024), "html"),
        *make_post2019_series(rng, "石门县人民政府", range(2020, 2025), "markdown"),
    ]
    # A gap year: 2021 and 2023 of one agency, whose carry-over does not follow (nothing to compare).
    series.append(make_post2019_report(rng, 0, "fmt_2021", "html", year=2021, agency="澧县人民政府"))
    series.append(make_post2019_report(rng, 0, "fmt_2021", "html", year=2023, agency="澧县人民政府"))
    for report in series:
        suffix = "html" if report.form == "html" else "md"
        (raw / f"{report.agency}_{report.year}.{suffix}").write_text(report.text, encoding="utf-8")
    curated = tmp_path_factory.mktemp("series_curated")
    summary = xxgk_pipeline(raw_dir=raw, curated_dir=curated)
    assert summary.published and summary.reports_published == len(series)
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "SELECT x.rule_id, x.outcome, r.agency, r.report_year "
            "FROM cross_year_results x JOIN reports r USING (report_id)"
        ).fetchall()
        failed = connection.execute("SELECT rule_id, detail FROM failed_rules WHERE rule_id LIKE 'X%'").fetchall()
    return {"results": rows, "failed": failed}


def test_a_consistent_archive_fails_no_cross_year_rule(archive):
    assert archive["failed"] == []
    assert not [r for r in archive["results"] if r[1] == "fail"]


def test_every_pair_is_checked_and_a_gap_year_is_not(archive):
    passed = {(rule, agency, year) for rule, outcome, agency, year in archive["results"] if outcome == "pass"}
    pairs = {(agency, year) for _, _, agency, year in archive["results"]}
    assert pairs == {("桃源县人民政府", y) for y in range(2020, 2024)} | {
        ("石门县人民政府", y) for y in range(2021, 2025)
    }
    assert ("X4", "桃源县人民政府", 2020) in passed  # both years in the 2019 form
    assert ("X1", "桃源县人民政府", 2021) in passed  # 2020 (2019 form) to 2021
    assert ("X3", "桃源县人民政府", 2021) not in passed  # 2020 prints no 现行有效件数
    assert {("X1", "石门县人民政府", y) for y in range(2021, 2025)} <= passed
    assert {("X3", "石门县人民政府", y) for y in range(2022, 2025)} <= passed
