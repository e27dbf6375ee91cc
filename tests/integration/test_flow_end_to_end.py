"""The real Prefect flow over a mixed folder, queried through DuckDB like an analyst would."""

import os
from pathlib import Path

import duckdb
import pytest
from conftest import EXPECTED_QUARANTINE


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
    assert published == ["sub/shimen_2017.txt", "taoyuan_2018_report.txt"]
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
    assert db.execute("SELECT count(*) FROM indicators").fetchall()[0][0] == 130
    years = db.sql("SELECT report_year, count(*) FROM indicators GROUP BY 1 ORDER BY 1").fetchall()
    assert years == [(2017, 65), (2018, 65)]
    assert sorted(p.name for p in (published_dataset / "indicators").iterdir()) == [
        "report_year=2017",
        "report_year=2018",
    ]
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
    assert {row[2] for row in failed} == {"P1"}


def test_analyst_views(db):
    english = db.execute("SELECT label_en FROM indicators_en WHERE indicator_code = 'A3.1' LIMIT 1").fetchall()[0][0]
    assert english == "Requests received"
    wide = db.sql("SELECT agency, report_year, A3_1, A3_1_1, A8_4 FROM report_wide ORDER BY report_year").fetchall()
    assert wide == [("石门县人民政府", 2017, 229.0, 178.0, 40.0), ("桃源县人民政府", 2018, 229.0, 178.0, 40.0)]


def test_views_work_from_another_working_directory(published_dataset, tmp_path):
    os.chdir(tmp_path)
    try:
        with duckdb.connect(str(published_dataset / "xxgk.duckdb"), read_only=True) as connection:
            assert connection.execute("SELECT count(*) FROM report_wide").fetchall()[0][0] == 2
    finally:
        os.chdir(Path(__file__).parent)


def test_data_docs_next_to_the_dataset(published_dataset):
    assert (published_dataset / "data_docs" / "index.html").is_file()


def test_rerun_is_idempotent(prefect_harness, mixed_raw_dir, published_dataset):
    from flows.pipeline import xxgk_pipeline

    def snapshot() -> dict[str, bytes]:
        return {
            p.relative_to(published_dataset).as_posix(): p.read_bytes() for p in published_dataset.rglob("*.parquet")
        }

    before = snapshot()
    xxgk_pipeline(raw_dir=mixed_raw_dir, curated_dir=published_dataset, batch_size=2)
    assert snapshot() == before
    with duckdb.connect(str(published_dataset / "xxgk.duckdb"), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM indicators").fetchall()[0][0] == 130


def test_validation_failure_publishes_nothing(prefect_harness, published_dataset, sample_bytes, tmp_path):
    from flows.pipeline import PublishBlockedError, xxgk_pipeline

    raw = tmp_path / "raw"
    raw.mkdir()
    # A negative count cannot occur in this template: the suite rejects it and blocks the run.
    (raw / "negative.txt").write_bytes(sample_bytes.replace(b"\t178\n", b"\t-178\n"))
    before = {p: p.read_bytes() for p in published_dataset.rglob("*") if p.is_file() and "data_docs" not in p.parts}
    with pytest.raises(PublishBlockedError, match="expect_column_values_to_be_between"):
        xxgk_pipeline(raw_dir=raw, curated_dir=published_dataset)
    after = {p: p.read_bytes() for p in published_dataset.rglob("*") if p.is_file() and "data_docs" not in p.parts}
    assert after == before


def test_run_publishes_a_summary_artifact(published_dataset):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        summary_key = ArtifactFilter(key=ArtifactFilterKey(any_=["xxgk-run-summary"]))
        artifacts = client.read_artifacts(artifact_filter=summary_key)
    expected = ("| files seen | 9 |", "| reports published | 2 |", "| cells written | 130 |")
    expected += ("| files quarantined | 7 |",)
    # Other tests' runs (the blocked one) write the same key; the mixed-folder run's summary must be among them.
    assert any(all(line in artifact.data for line in expected) for artifact in artifacts), [a.data for a in artifacts]
