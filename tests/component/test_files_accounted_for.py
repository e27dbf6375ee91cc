"""A pipeline invariant: every file a version is built from is in ``reports`` or in ``quarantine``,
exactly once. A break is a validation failure naming the files (the run publishes nothing)."""

import pandas as pd
from conftest import SAMPLE_REPORT

from flows.dataset.store import Store
from flows.parsing.raw_files import scan_raw_folder
from flows.run.ingest import Ingest, files_not_accounted_for
from flows.run.plan import manifest_rows
from transforms.assemble import catalog_tables, to_frames
from transforms.parse_report import parse_report


def _series(*names: str) -> pd.Series:
    return pd.Series(list(names), dtype=object)


def test_every_file_once_is_no_failure():
    assert files_not_accounted_for(_series("a.txt", "b.txt"), _series("a.txt"), _series("b.txt")) == []


def test_each_break_is_named():
    inputs = _series("a.txt", "b.txt", "c.txt", "d.txt", "e.txt")
    published = _series("a.txt", "c.txt", "d.txt", "d.txt", "stale.txt")
    quarantined = _series("c.txt", "e.txt", "e.txt")
    failures = files_not_accounted_for(inputs, published, quarantined)
    prefix = "inputs: every file in reports or quarantine exactly once: "
    assert failures == [
        prefix + "read but neither published nor quarantined (1): b.txt",
        prefix + "both published and quarantined (1): c.txt",
        prefix + "in reports twice (1): d.txt",
        prefix + "in quarantine twice (1): e.txt",
        prefix + "not an input of this version (1): stale.txt",
    ]


def test_a_long_list_names_the_first_files_and_counts_the_rest():
    inputs = _series(*(f"{n:02}.txt" for n in range(25)))
    (failure,) = files_not_accounted_for(inputs, _series(), _series())
    assert failure.endswith(
        "(25): 00.txt, 01.txt, 02.txt, 03.txt, 04.txt, 05.txt, 06.txt, 07.txt, 08.txt, 09.txt and 15 more"
    )


def _run(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    sample = SAMPLE_REPORT.read_text(encoding="utf-8")
    (raw / "taoyuan.txt").write_text(sample, encoding="utf-8")
    (raw / "shimen.txt").write_text(sample.replace("桃源县", "石门县"), encoding="utf-8")
    (raw / "empty.txt").write_bytes(b"")
    files = scan_raw_folder(raw)
    run = Ingest(Store(tmp_path / "curated"), full=True, validate=None, flush_rows=10_000)
    parsed = [parse_report((raw / name).read_bytes(), name) for name in ("shimen.txt", "taoyuan.txt")]
    empty = {"source_file": "empty.txt", "stage": "decode", "reason": "empty file", "duplicate_of": None}
    empty |= {"source_sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "size_bytes": 0}
    tables = run.add(to_frames(parsed, [empty]))
    run.resolve_other_forms()
    done = pd.concat([tables[name][["source_file", "source_sha256"]] for name in ("reports", "quarantine")])
    return run, files, dict(zip(done["source_file"], done["source_sha256"], strict=True))


def test_a_run_that_accounts_for_every_file_finishes_clean(tmp_path):
    run, files, hashes = _run(tmp_path)
    run.finish(manifest_rows(files, hashes), catalog_tables())
    assert run.failures == []


def test_a_file_the_run_read_and_lost_is_a_failure(tmp_path):
    """A file of the run that no batch returned (a lost worker result, say): named, not a KeyError."""
    run, files, hashes = _run(tmp_path)
    run.store.delete("reports", "source_file", ["shimen.txt"])
    run.finish(manifest_rows(files, {k: v for k, v in hashes.items() if k != "shimen.txt"}), catalog_tables())
    assert run.failures == [
        "inputs: every file in reports or quarantine exactly once: "
        "read but neither published nor quarantined (1): shimen.txt"
    ]
