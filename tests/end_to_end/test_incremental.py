"""Incremental runs: only new and changed files are read; removed ones retire their rows; every raw
file is still in reports or in quarantine, and the same report in two files is still one."""

import duckdb
import pytest
from conftest import SAMPLE_REPORT, SHARED_DIR

from flows.dataset.store import Store


def _run(raw, curated, **options):
    from flows.run.pipeline import xxgk_pipeline

    return xxgk_pipeline(raw_dir=raw, curated_dir=curated, batch_size=2, **options)


def _accounted(curated) -> dict[str, str]:
    """source file → report or quarantine stage, as the DuckDB file shows it."""
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        rows = connection.execute(
            "SELECT source_file, 'report' FROM reports UNION ALL SELECT source_file, stage FROM quarantine"
        ).fetchall()
    return dict(rows)


def _value(curated, code: str):
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        return connection.execute(
            "SELECT list(value ORDER BY source_file) FROM indicators WHERE indicator_code = ?", [code]
        ).fetchall()[0][0]


@pytest.fixture
def raw(tmp_path):
    folder = tmp_path / "raw"
    folder.mkdir()
    sample = SAMPLE_REPORT.read_text(encoding="utf-8")
    (folder / "a.txt").write_text(sample, encoding="utf-8")
    (folder / "b.txt").write_text(sample.replace("桃源县", "石门县"), encoding="utf-8")
    (folder / "bad.txt").write_text("只有正文。", encoding="utf-8")
    return folder


def test_only_new_and_changed_files_are_read(prefect_harness, raw, tmp_path):
    curated = tmp_path / "curated"
    first = _run(raw, curated)
    assert (first.files_read, first.changes["full"], first.reports_published) == (3, True, 2)
    again = _run(raw, curated)  # nothing new: no new version, the summary describes the current one
    assert (again.files_read, again.reports_published, again.version) == (0, 2, first.version)
    assert again.notices == [f"nothing new, changed or removed: version {first.version} stays current"]
    sample = SAMPLE_REPORT.read_text(encoding="utf-8")
    (raw / "c.txt").write_text(sample.replace("桃源县", "澧县"), encoding="utf-8")
    (raw / "b.txt").write_text(sample.replace("桃源县", "石门县").replace("\t229\n", "\t230\n"), encoding="utf-8")
    (raw / "bad.txt").unlink()
    changed = _run(raw, curated)
    assert changed.changes == {
        "full": False, "files_added": 1, "files_changed": 1, "files_removed": 1, "files_unchanged": 1
    }  # fmt: skip
    assert (changed.files_read, changed.reports_published, changed.files_quarantined) == (2, 3, 0)
    assert _accounted(curated) == {"a.txt": "report", "b.txt": "report", "c.txt": "report"}
    assert _value(curated, "A3.1") == [229.0, 230.0, 229.0]  # b's old row retired, not kept beside the new
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM inputs").fetchall()[0][0] == 3
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:  # nothing duplicated
        assert connection.execute("SELECT count(*) FROM indicators").fetchall()[0][0] == 3 * 65
        # The per-report tables follow: b's new row, c's row, nothing of the retired ones.
        summary = connection.execute("SELECT source_file, received FROM report_summary ORDER BY 1").fetchall()
        assert summary == [("a.txt", 229.0), ("b.txt", 230.0), ("c.txt", 229.0)]
        wide = connection.execute("SELECT source_file, A3_1 FROM report_wide ORDER BY 1").fetchall()
        assert wide == summary


def test_a_touched_file_with_the_same_bytes_is_not_read_again(prefect_harness, raw, tmp_path):
    import os

    curated = tmp_path / "curated"
    _run(raw, curated)
    stat = (raw / "a.txt").stat()
    os.utime(raw / "a.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    touched = _run(raw, curated)
    assert (touched.files_read, touched.changes["files_changed"], touched.changes["files_unchanged"]) == (0, 0, 3)
    assert _run(raw, curated).version == touched.version  # its new time is remembered: nothing to do now


def test_duplicates_across_runs_and_a_retired_original(prefect_harness, raw, tmp_path):
    curated = tmp_path / "curated"
    _run(raw, curated)
    (raw / "a_copy.txt").write_bytes((raw / "a.txt").read_bytes())  # the same report, another file
    second = _run(raw, curated)
    assert second.files_read == 1
    assert _accounted(curated)["a_copy.txt"] == "duplicate"
    (raw / "a.txt").unlink()  # the original goes: its copy must now stand as the report
    third = _run(raw, curated)
    assert third.files_read == 1
    accounted = _accounted(curated)
    assert accounted["a_copy.txt"] == "report" and "a.txt" not in accounted


def test_a_parser_change_or_full_reads_everything(prefect_harness, raw, tmp_path, monkeypatch):
    from flows.run import plan as inputs

    curated = tmp_path / "curated"
    _run(raw, curated)
    assert _run(raw, curated, full=True).files_read == 3
    monkeypatch.setattr(inputs, "parser_version", lambda: "another-parser")
    changed = _run(raw, curated)
    assert (changed.files_read, changed.changes["full"]) == (3, True)
    assert _run(raw, curated).files_read == 0
    assert Store(curated).current().rows["reports"] == 2


@pytest.mark.skipif(not (SHARED_DIR / "corpus" / "real").is_dir(), reason="../shared/corpus is not present")
def test_a_crawler_copy_added_later_is_the_same_report(prefect_harness, tmp_path):
    corpus = SHARED_DIR / "corpus" / "real"
    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    (raw / "pingtan_2016_1.txt").write_bytes((corpus / "pingtan_2016_1.txt").read_bytes())
    _run(raw, curated)
    (raw / "pingtan_2016.html").write_bytes((corpus / "pingtan_2016.html").read_bytes())
    _run(raw, curated)  # the page, which prints every cell, replaces the crawler copy already published
    assert _accounted(curated) == {"pingtan_2016.html": "report", "pingtan_2016_1.txt": "duplicate"}
