"""The real Prefect flow over a mixed folder, queried through DuckDB like an analyst would."""

import os
from pathlib import Path

import duckdb
import pytest
from conftest import EXPECTED_QUARANTINE, POST2019_REPORTS

# 65 cells per 统计表; 表二 + 表三 + 表四 = 10 + 25×7 + 15 in 2021, 22 + 23×7 + 15 in 2019.
CELLS = {"stat_2014": 65, "fmt_2021": 200, "fmt_2019": 198}
CELLS["local_table"] = 2 * 8  # the small local table in conftest: 8 rows × (本年度, 历年累计)
# Two 统计表 texts, a 2021 HTML report and a 2021 PDF, a 2019 markdown report, a local table.
TOTAL_CELLS = 2 * CELLS["stat_2014"] + 2 * CELLS["fmt_2021"] + CELLS["fmt_2019"] + CELLS["local_table"]


@pytest.fixture(scope="module")
def db(published_dataset):
    with duckdb.connect(str(published_dataset / "xxgk.duckdb"), read_only=True) as connection:
        yield connection


def test_every_file_is_published_or_quarantined(db, mixed_raw_dir):
    inputs = sorted(
        p.relative_to(mixed_raw_dir).as_posix()
        for p in mixed_raw_dir.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )
    published = [r[0] for r in db.sql("SELECT source_file FROM reports ORDER BY 1").fetchall()]
    quarantined = [r[0] for r in db.sql("SELECT source_file FROM quarantine ORDER BY 1").fetchall()]
    assert published == sorted(["sub/shimen_2017.txt", "taoyuan_2018_report.txt", "local_2012.txt", *POST2019_REPORTS])
    assert sorted(published + quarantined) == inputs


def test_quarantine_reasons(db):
    rows = {
        f: (stage, reason)
        for f, stage, reason in db.sql("SELECT source_file, stage, reason FROM quarantine").fetchall()
    }
    assert set(rows) == set(EXPECTED_QUARANTINE)
    for source_file, (stage, reason) in EXPECTED_QUARANTINE.items():
        assert rows[source_file][0] == stage, source_file
        assert reason in rows[source_file][1], rows[source_file]


def test_duplicate_points_at_the_kept_report(db):
    kept = db.execute("SELECT report_id FROM reports WHERE source_file = 'taoyuan_2018_report.txt'").fetchall()[0][0]
    assert db.execute("SELECT duplicate_of FROM quarantine WHERE stage = 'duplicate'").fetchall()[0][0] == kept


def test_indicator_rows_and_partitions(db, published_dataset):
    assert db.execute("SELECT count(*) FROM indicators").fetchall()[0][0] == TOTAL_CELLS
    per_template = dict(
        db.sql("SELECT template, count(*) / count(DISTINCT report_id) FROM indicators GROUP BY 1").fetchall()
    )
    assert per_template == {"stat_2014": 65, "fmt_2021": 200, "fmt_2019": 198, "local_table": 16}
    years = db.sql("SELECT report_year FROM indicators GROUP BY 1 ORDER BY 1").fetchall()
    expected_years = sorted({2012, 2017, 2018, *(r.year for r in POST2019_REPORTS.values())})
    assert [y for (y,) in years] == expected_years
    partitions = sorted(p.name for p in (published_dataset / "indicators").iterdir() if p.name.startswith("report_"))
    assert partitions == [f"report_year={y}" for y in expected_years]
    value = db.sql(
        "SELECT value, value_raw, unit, row_path FROM indicators"
        " WHERE agency = '桃源县人民政府' AND indicator_code = 'A3.1'"
    ).fetchall()[0]
    assert value == (229.0, "229", "件", "三、依申请公开情况/（一）收到申请数")


def test_p1_failure_is_listed(db):
    failed = db.sql(
        "SELECT agency, report_year, rule_id, expected, actual, detail FROM failed_rules ORDER BY 2, 1"
    ).fetchall()
    assert ("桃源县人民政府", 2018, "P1", 208.0, 229.0, "229 ≠ 178 + 0 + 15 + 15 = 208") in failed
    # The generated post-2019 reports add up by construction: only the sample's P1 (and its copy's) fail.
    assert {(row[0], row[2]) for row in failed} == {("桃源县人民政府", "P1"), ("石门县人民政府", "P1")}


def test_post2019_rules_are_evaluated_per_column_and_row(db):
    outcomes = dict(
        db.sql(
            "SELECT rule_id, list(DISTINCT outcome ORDER BY outcome)"
            " FROM rule_results x JOIN reports r USING (report_id)"
            " WHERE r.template IN ('fmt_2019', 'fmt_2021') GROUP BY 1"
        ).fetchall()
    )
    assert set(outcomes) == {"R1", "R3", "R4", "R5", "R8", "C1", "Y1"}
    assert all("fail" not in values for values in outcomes.values())
    r1_columns = db.sql(
        "SELECT count(DISTINCT column_code) FROM rule_results x JOIN reports r USING (report_id)"
        " WHERE rule_id = 'R1' AND r.template = 'fmt_2021'"
    ).fetchall()[0][0]
    assert r1_columns == 7


def test_analyst_views(db):
    english = db.execute("SELECT label_en FROM indicators_en WHERE indicator_code = 'A3.1' LIMIT 1").fetchall()[0][0]
    assert english == "Requests received"
    wide = db.sql(
        "SELECT agency, report_year, A3_1, A3_1_1, A8_4 FROM report_wide"
        " WHERE template = 'stat_2014' ORDER BY report_year"
    ).fetchall()
    assert wide == [("石门县人民政府", 2017, 229.0, 178.0, 40.0), ("桃源县人民政府", 2018, 229.0, 178.0, 40.0)]


def _number(printed: str) -> float | None:
    return float(printed) if printed else None


def test_t3_grid_lays_out_table_three(db):
    report = POST2019_REPORTS["post2019/report_2021.html"]
    grid = db.sql(
        "SELECT indicator_code, natural_person, business, research, nonprofit, legal_services, other, total"
        " FROM t3_grid JOIN reports USING (report_id)"
        " WHERE source_file = 'post2019/report_2021.html' ORDER BY row_order",
    ).fetchall()
    assert len(grid) == 25
    columns = ["natural_person", "business", "research", "nonprofit", "legal_services", "other", "total"]
    for code, *values in grid:
        assert values == [_number(report.cells[(code, c)]) for c in columns], code


def test_pdf_report_cells_and_pages(db):
    report = POST2019_REPORTS["post2019/report_2023.pdf"]
    rows = db.sql(
        "SELECT indicator_code, column_code, value_raw, value_status, source_page"
        " FROM indicators WHERE source_file = 'post2019/report_2023.pdf'"
    ).fetchall()
    assert {(code, column): raw for code, column, raw, _, _ in rows} == report.cells
    assert {status for *_, status, _ in rows} <= {"ok", "blank"}
    # 表三 runs over the page break; every cell knows its page.
    pages = {page for *_, page in rows}
    assert None not in pages and len(pages) >= 2


def test_report_summary_across_template_families(db):
    rows = {
        r[0]: r[1:]
        for r in db.sql(
            "SELECT source_file, template, received, carried_over, answered, carried_forward, reviews, lawsuits"
            " FROM report_summary"
        ).fetchall()
    }
    assert rows["taoyuan_2018_report.txt"] == ("stat_2014", 229.0, None, 229.0, None, 0.0, 0.0)
    report = POST2019_REPORTS["post2019/report_2019.md"]
    cells = {k: _number(v) for k, v in report.cells.items()}
    assert rows["post2019/report_2019.md"] == (
        "fmt_2019",
        cells[("T3.1", "total")],
        cells[("T3.2", "total")],
        cells[("T3.3.7", "total")],
        cells[("T3.4", "total")],
        cells[("T4.1", "total")],
        cells[("T4.2", "total")] + cells[("T4.3", "total")],
    )


def test_views_work_from_another_working_directory(published_dataset, tmp_path):
    os.chdir(tmp_path)
    try:
        with duckdb.connect(str(published_dataset / "xxgk.duckdb"), read_only=True) as connection:
            assert connection.execute("SELECT count(*) FROM report_wide").fetchall()[0][0] == 6
    finally:
        os.chdir(Path(__file__).parent)


def test_data_docs_next_to_the_dataset(published_dataset):
    assert (published_dataset / "data_docs" / "index.html").is_file()


def _contents(dataset) -> dict[str, list]:
    """Every curated table's rows, sorted, as the DuckDB file shows them."""
    from transforms.schemas import CURATED_TABLES

    with duckdb.connect(str(dataset / "xxgk.duckdb"), read_only=True) as connection:
        return {name: sorted(map(repr, connection.execute(f"FROM {name}").fetchall())) for name in CURATED_TABLES}


def test_the_runs_audit_pages_are_the_pages_the_dataset_renders(published_dataset, tmp_path):
    """The run renders audit pages in its parse workers; rendered again from the published dataset
    alone, every report page is the same, byte for byte."""
    from flows.dataset.store import Store
    from flows.dataset.views import open_version
    from flows.present.audit_site import STAGED_DIR, write_audit_site

    site = published_dataset / "audit"
    assert not (site / STAGED_DIR).exists()
    store = Store(published_dataset)
    with open_version(store, store.current()) as connection:
        write_audit_site(connection, tmp_path / "site")
    pages = [
        {p.relative_to(folder).as_posix(): p.read_bytes() for p in (folder / "reports").rglob("*.html")}
        for folder in (site, tmp_path / "site")
    ]
    assert len(pages[0]) >= 3  # reports with failed rules or flagged cells
    assert pages[0] == pages[1]


def test_rerun_is_idempotent(prefect_harness, mixed_raw_dir, published_dataset):
    """A rerun over the same files changes nothing; reading them all again (--full) commits a new
    version with the same rows: none duplicated."""
    from flows.dataset.store import Store
    from flows.run.pipeline import xxgk_pipeline

    before, version = _contents(published_dataset), Store(published_dataset).current().version
    xxgk_pipeline(raw_dir=mixed_raw_dir, curated_dir=published_dataset, batch_size=2)
    assert (_contents(published_dataset), Store(published_dataset).current().version) == (before, version)
    xxgk_pipeline(raw_dir=mixed_raw_dir, curated_dir=published_dataset, batch_size=2, full=True)
    assert _contents(published_dataset) == before
    assert Store(published_dataset).current().version == version + 1
    with duckdb.connect(str(published_dataset / "xxgk.duckdb"), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM indicators").fetchall()[0][0] == TOTAL_CELLS


def test_validation_failure_publishes_nothing(prefect_harness, published_dataset, sample_bytes, tmp_path, monkeypatch):
    from expectations import suites
    from flows.run.pipeline import PublishBlockedError, xxgk_pipeline

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "sample.txt").write_bytes(sample_bytes)
    # A pipeline mistake blocks the run: here the parser writes a cell status the GX sets were not
    # told of. (A report's own bad value does not: tests/end_to_end/test_report_flags.py.)
    monkeypatch.setattr(suites, "VALUE_STATUSES", tuple(s for s in suites.VALUE_STATUSES if s != "ok"))
    from flows.dataset.store import Store

    versions, contents = Store(published_dataset).history(), _contents(published_dataset)
    database = (published_dataset / "xxgk.duckdb").read_bytes()
    blocked = r"expect_column_values_to_be_in_set\(\{'column': 'value_status'"
    with pytest.raises(PublishBlockedError, match=blocked):
        xxgk_pipeline(raw_dir=raw, curated_dir=published_dataset)
    assert Store(published_dataset).history() == versions  # no version recorded
    assert (published_dataset / "xxgk.duckdb").read_bytes() == database
    assert _contents(published_dataset) == contents
    assert Store(published_dataset).prepare() == []  # and what it wrote is already undone


def test_run_publishes_a_summary_artifact(published_dataset):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        summary_key = ArtifactFilter(key=ArtifactFilterKey(any_=["xxgk-run-summary"]))
        artifacts = client.read_artifacts(artifact_filter=summary_key)
    expected = ("| files seen | 13 |", "| reports published | 6 |", f"| cells written | {TOTAL_CELLS} |")
    expected += ("| files quarantined | 7 |",)
    # Other tests' runs (the blocked one) write the same key; the mixed-folder run's summary must be among them.
    assert any(all(line in artifact.data for line in expected) for artifact in artifacts), [a.data for a in artifacts]


def test_narrative_facts_and_text_rules_are_published(db):
    email = db.sql(
        "SELECT value, unit FROM narrative_facts JOIN reports USING (report_id)"
        " WHERE source_file = 'taoyuan_2018_report.txt' AND fact_code = 'channel_email'"
    ).fetchall()
    assert email == [(20.0, "件")]
    p1t = db.sql(
        "SELECT outcome FROM rule_results JOIN reports USING (report_id)"
        " WHERE source_file = 'taoyuan_2018_report.txt' AND rule_id = 'P1t'"
    ).fetchall()
    assert p1t == [("pass",)]
    assert db.sql("SELECT count(*) FROM carry_over_chain").fetchall()[0][0] == 0  # no agency twice here


def test_local_table_cells_and_summary(db):
    """conftest's local table: 主动公开信息数 "1201500" is 120 | 1500 (the text says 120; 其中 rows fit under it)."""
    cells = dict(
        db.sql(
            "SELECT indicator_code || '/' || column_code, value FROM indicators JOIN reports USING (report_id)"
            " WHERE reports.source_file = 'local_2012.txt' AND table_id = 'local'"
        ).fetchall()
    )
    assert (cells["L1/this_year"], cells["L1/cumulative"]) == (120.0, 1500.0)
    assert (cells["L1.1/this_year"], cells["L1.1/cumulative"]) == (110.0, 1400.0)
    assert (cells["L2/this_year"], cells["L2/cumulative"]) == (3.0, 9.0)
    summary = db.sql("SELECT received, answered, reviews FROM report_summary WHERE source_file = 'local_2012.txt'")
    assert summary.fetchall() == [(3.0, 3.0, 0.0)]


def test_local_table_rows_join_the_2014_series(db):
    """Rows that measure what a 2014 统计表 row measures carry its code (this-year column only);
    the rest keep their local code and stay out of the series."""
    series = {
        code: (source, value)
        for code, source, value in db.sql(
            "SELECT indicator_code, source_code, value FROM indicators_2014 WHERE source_file = 'local_2012.txt'"
        ).fetchall()
    }
    assert series["A1.1"] == ("L1", 120.0)  # 主动公开信息数
    assert series["A1.2.2"] == ("L1.1", 110.0)  # 网站公开
    assert series["A1.2.1"] == ("L1.2", 10.0)  # 政府公报公开
    assert series["A3.1"] == ("L2", 3.0) and series["A3.1.1"] == ("L2.1", 3.0)
    assert series["A3.3.2"] == ("L3.1", 3.0) and series["A4"] == ("L4", 0.0)
    assert not any(code.startswith("L") for code in series)
    wide = db.sql("SELECT A1_1, A3_1, A3_3 FROM report_wide WHERE source_file = 'local_2012.txt'").fetchall()
    assert wide == [(120.0, 3.0, 3.0)]
    # The 统计表 reports are in the same series under their own codes.
    taoyuan = db.sql(
        "SELECT source_code, value FROM indicators_2014 WHERE source_file = 'taoyuan_2018_report.txt'"
        " AND indicator_code = 'A3.1'"
    ).fetchall()
    assert taoyuan == [("A3.1", 229.0)]
