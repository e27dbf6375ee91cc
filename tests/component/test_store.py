"""The versioned store: Delta tables under one version log; readers see whole versions."""

import datetime as dt

import duckdb
import pandas as pd
import pytest
from conftest import record_concurrently

from flows.dataset.store import Store, VersionConflictError, VersionNotFoundError
from flows.dataset.views import build_duckdb
from transforms.schemas import QUARANTINE


def _quarantine(files: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_file": files,
            "stage": "decode",
            "reason": "empty file",
            "duplicate_of": None,
            "source_sha256": "0" * 64,
            "size_bytes": 0,
        },
        columns=QUARANTINE.column_names,
    )


def _commit(store: Store, files: list[str]):
    written = store.write({"quarantine": _quarantine(files)})
    return store.record(store.pending(written, {"quarantine": len(files)}, {"files_seen": len(files)}))


def _files_in(store: Store, version) -> list[str]:
    return sorted(store.read(version, "quarantine").column("source_file").to_pylist())


def test_a_version_pins_each_table_and_reads_back(tmp_path):
    store = Store(tmp_path)
    assert store.current() is None
    first = _commit(store, ["a.txt"])
    second = _commit(store, ["a.txt", "b.txt"])
    assert [v.version for v in store.history()] == [1, 2]
    assert store.current() == second and second.rows == {"quarantine": 2}
    assert _files_in(store, store.get(1)) == ["a.txt"]  # time travel
    assert _files_in(store, second) == ["a.txt", "b.txt"]
    assert all(path.endswith(".parquet") for path in store.files(second, "quarantine"))
    assert store.files(first, "reports") == []  # a table never written has no files
    with pytest.raises(VersionNotFoundError, match="no version 7"):
        store.get(7)


def test_what_is_written_but_not_recorded_is_invisible_and_undone(tmp_path):
    store = Store(tmp_path)
    committed = _commit(store, ["a.txt"])
    store.write({"quarantine": _quarantine(["x.txt", "y.txt"])})  # a run that dies here
    assert store.current() == committed
    assert _files_in(store, store.current()) == ["a.txt"]
    assert store.prepare() == ["quarantine"]
    assert store.prepare() == []  # nothing left to undo
    assert _files_in(store, _commit(store, ["a.txt", "c.txt"])) == ["a.txt", "c.txt"]


def test_schemas_are_enforced_on_write_and_nothing_is_committed(tmp_path):
    store = Store(tmp_path)
    _commit(store, ["a.txt"])
    with pytest.raises(ValueError, match="columns differ"):
        store.write({"quarantine": _quarantine(["b.txt"]).drop(columns="reason")})
    with pytest.raises(ValueError, match="does not conform"):
        store.write({"quarantine": _quarantine([None])})
    assert [v.version for v in store.history()] == [1]


def test_a_version_number_is_recorded_once(tmp_path):
    store = Store(tmp_path)
    _commit(store, ["a.txt"])
    pending = store.pending({}, {}, {})
    store.record(pending)
    with pytest.raises(VersionConflictError, match="committed by another writer first"):
        store.record(pending)


def test_two_concurrent_commits_record_one_version(tmp_path):
    """Two writers race for version 2: one record is created, the other fails cleanly."""
    from dataclasses import replace

    store = Store(tmp_path)
    _commit(store, ["a.txt"])
    candidates = [replace(store.pending({}, {}, {}), summary={"writer": n}) for n in range(2)]
    outcomes = record_concurrently(store, candidates)
    assert sorted(type(o).__name__ for o in outcomes) == ["DatasetVersion", "VersionConflictError"]
    winner = next(o for o in outcomes if not isinstance(o, Exception))
    assert [v.version for v in store.history()] == [1, 2]
    assert store.current().summary == winner.summary
    assert not list((tmp_path / "_versions").glob("*.tmp"))


def test_rollback_is_a_new_version_with_the_old_tables(tmp_path):
    store = Store(tmp_path)
    _commit(store, ["a.txt"])
    _commit(store, ["a.txt", "b.txt"])
    back = store.record(store.rollback(1))
    assert (back.version, back.operation, back.summary["rolled_back_to"]) == (3, "rollback", 1)
    assert _files_in(store, store.current()) == ["a.txt"]
    store.prepare()  # the Delta table is ahead of the rolled-back pin: the next writer restores it
    assert _files_in(store, _commit(store, ["z.txt"])) == ["z.txt"]


def test_vacuum_forgets_old_versions_but_never_the_current_one(tmp_path):
    store = Store(tmp_path)
    for files in (["a.txt"], ["b.txt"], ["c.txt"]):
        _commit(store, files)
    assert store.vacuum(dt.timedelta(days=7)) == []  # all are recent
    assert store.vacuum(dt.timedelta(0)) == [1, 2]
    assert [v.version for v in store.history()] == [3]
    assert _files_in(store, store.current()) == ["c.txt"]
    parquet = list((tmp_path / "quarantine").glob("*.parquet"))
    assert len(parquet) == 1  # the files only the forgotten versions used are gone


def test_a_reader_held_open_across_a_commit_keeps_its_version(tmp_path):
    """The DuckDB file is replaced by rename; a connection opened before reads its own version."""
    store = Store(tmp_path)
    database = tmp_path / "xxgk.duckdb"
    build_duckdb(store, _commit(store, ["a.txt"]), database).replace(database)
    reader = duckdb.connect(str(database), read_only=True)
    try:
        second = store.pending(store.write({"quarantine": _quarantine(["a.txt", "b.txt"])}), {"quarantine": 2}, {})
        built = build_duckdb(store, second, database)
        store.record(second)
        built.replace(database)
        assert reader.execute("SELECT count(*), max(version) FROM quarantine, dataset_version").fetchall() == [(1, 1)]
    finally:
        reader.close()
    with duckdb.connect(str(database), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*), max(version) FROM quarantine, dataset_version").fetchall() == [(2, 2)]


def test_a_fragmented_table_is_compacted_with_its_rows_and_order_and_old_versions_stay(tmp_path):
    """Each flush appends a file; past the limit a commit merges them: the same rows in the same
    order, fewer files, and the version before still reads its own files."""
    store = Store(tmp_path)
    before = _commit(store, ["a.txt"])
    for number in range(5):
        store.append("quarantine", _quarantine([f"f{number}_{n}.txt" for n in range(3)]))
    appended = store.latest("quarantine")
    assert len(store.latest_files("quarantine")) == 6
    assert not store.compact("quarantine", max_files_per_partition=6)  # at the limit: left alone
    assert store.compact("quarantine", max_files_per_partition=3)
    assert len(store.latest_files("quarantine")) == 1
    pd.testing.assert_frame_equal(store.latest("quarantine"), appended)
    after = store.record(store.pending(store.latest_versions(["quarantine"]), {"quarantine": 16}, {}))
    assert _files_in(store, after) == sorted(appended["source_file"])
    assert _files_in(store, before) == ["a.txt"]
    assert not store.compact("reports", max_files_per_partition=1)  # a table never written


def test_a_version_is_committed_only_on_top_of_the_version_its_run_started_from(tmp_path):
    """Another writer's version since the run began (say the lock was lost) is a conflict: the
    run's tables would be mixed with the other run's."""
    store = Store(tmp_path)
    _commit(store, ["a.txt"])
    written = store.write({"quarantine": _quarantine(["a.txt", "mine.txt"])})
    _commit(store, ["a.txt", "theirs.txt"])  # another writer, meanwhile
    with pytest.raises(VersionConflictError, match=r"version 2 of .* was committed by another writer first"):
        store.pending(written, {"quarantine": 2}, {}, started_from=1)
    assert store.pending(written, {"quarantine": 2}, {}, started_from=2).version == 3


def test_what_a_run_that_did_not_commit_wrote_is_deleted(tmp_path):
    """A failed run's appends leave no file behind (a full disk must not stay full), and every
    recorded version still reads."""
    store = Store(tmp_path)
    first = _commit(store, ["a.txt"])
    second = _commit(store, ["a.txt", "b.txt"])
    kept = {path for path in tmp_path.rglob("*.parquet")}
    for number in range(3):  # a run that appended, then failed
        store.append("quarantine", _quarantine([f"failed_{number}.txt"]))
    assert len(set(tmp_path.rglob("*.parquet")) - kept) == 3
    store.prepare()
    removed = store.remove_unpinned_files()
    assert len(removed) == 3 and set(tmp_path.rglob("*.parquet")) == kept
    assert _files_in(store, first) == ["a.txt"] and _files_in(store, second) == ["a.txt", "b.txt"]
    assert store.remove_unpinned_files() == []
