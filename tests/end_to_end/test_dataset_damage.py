"""A damaged dataset: every command says what is damaged and where, in one message and without a
traceback, and points at ``xxgk doctor``, which names the damage and repairs what the dataset
alone can repair, as a new version."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_REPORT

XXGK = str(Path(sys.executable).with_name("xxgk"))


def _xxgk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([XXGK, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, Path]:
    """A raw folder and a dataset of two versions built from it."""
    work = tmp_path_factory.mktemp("damage")
    raw, dataset = work / "raw", work / "dataset"
    raw.mkdir()
    shutil.copy(SAMPLE_REPORT, raw / "taoyuan.txt")
    assert _xxgk("run", "--raw", str(raw), "--curated", str(dataset), "--quiet").returncode == 0
    assert _xxgk("run", "--raw", str(raw), "--curated", str(dataset), "--quiet", "--full").returncode == 0
    return raw, dataset


@pytest.fixture
def dataset(made, tmp_path) -> tuple[Path, Path]:
    raw, original = made
    copy = tmp_path / "dataset"
    shutil.copytree(original, copy)
    moved = _xxgk("doctor", "--curated", str(copy), "--repair")  # the copy's DuckDB file read the original
    assert moved.returncode == 0 and "reads another folder's files" in moved.stdout.replace("\n", ""), moved.stdout
    return raw, copy


def _one_message(result: subprocess.CompletedProcess, *words: str) -> None:
    text = result.stderr.replace("\n", "")
    assert "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in text, (word, result.stderr)


def _record(dataset: Path, version: int) -> Path:
    return dataset / "_versions" / f"{version:020d}.json"


def test_a_damaged_earlier_record_is_left_out(dataset):
    raw, folder = dataset
    _record(folder, 1).write_text('{"version": 1, "cre', encoding="utf-8")
    history = _xxgk("history", "--curated", str(folder))
    assert history.returncode == 0, history.stderr
    doctor = _xxgk("doctor", "--curated", str(folder))
    assert doctor.returncode == 0 and "00000000000000000001.json cannot be read" in doctor.stdout.replace("\n", "")
    assert _xxgk("run", "--raw", str(raw), "--curated", str(folder), "--quiet", "--full").returncode == 0


def test_a_damaged_current_record_is_named_and_repaired_as_a_new_version(dataset):
    raw, folder = dataset
    _record(folder, 2).write_text("{not json", encoding="utf-8")
    run = _xxgk("run", "--raw", str(raw), "--curated", str(folder), "--quiet", "--full")
    assert run.returncode == 2
    _one_message(run, "00000000000000000002.json", "the latest good version is 1", "xxgk doctor")
    doctor = _xxgk("doctor", "--curated", str(folder))
    assert doctor.returncode == 1 and "make version 1 current again" in doctor.stdout.replace("\n", "")
    repaired = _xxgk("doctor", "--curated", str(folder), "--repair")
    assert repaired.returncode == 0 and "version 3 is version 1 again" in repaired.stdout.replace("\n", "")
    assert _record(folder, 2).read_text(encoding="utf-8") == "{not json"  # history is not rewritten
    assert _xxgk("run", "--raw", str(raw), "--curated", str(folder), "--quiet", "--full").returncode == 0


def test_a_truncated_delta_log_entry_no_version_pins_is_moved_aside(dataset):
    raw, folder = dataset
    log = folder / "reports" / "_delta_log"
    latest = max(int(p.stem) for p in log.glob("*.json"))
    (log / f"{latest + 1:020d}.json").write_text('{"add": {"path": "part-0', encoding="utf-8")
    run = _xxgk("run", "--raw", str(raw), "--curated", str(folder), "--quiet", "--full")
    assert run.returncode == 2
    _one_message(run, "table reports cannot be read", "_delta_log", "xxgk doctor")
    repaired = _xxgk("doctor", "--curated", str(folder), "--repair")
    assert repaired.returncode == 0, repaired.stdout
    assert "moved aside 1 log entries of table reports" in repaired.stdout.replace("\n", "")
    assert _xxgk("run", "--raw", str(raw), "--curated", str(folder), "--quiet", "--full").returncode == 0


def test_a_missing_parquet_file_is_named_and_a_full_run_rebuilds(dataset):
    raw, folder = dataset
    gone = {path.name for path in (folder / "indicators").rglob("*.parquet")}
    for path in (folder / "indicators").rglob("*.parquet"):
        path.unlink()
    for command in (["status"], ["query", "SELECT count(*) FROM indicators"]):
        result = _xxgk(*command, "--curated", str(folder))
        assert result.returncode == 2, (command, result.stderr)
        _one_message(result, "is damaged", "indicators", "xxgk doctor")
    doctor = _xxgk("doctor", "--curated", str(folder))
    assert doctor.returncode == 1
    assert "Parquet files missing" in doctor.stdout
    assert any(name in doctor.stdout for name in gone)  # the first few of the current version's, named
    assert "--full" in doctor.stdout.replace("\n", "")
    assert _xxgk("run", "--raw", str(raw), "--curated", str(folder), "--quiet", "--full").returncode == 0
    assert _xxgk("doctor", "--curated", str(folder)).returncode == 0


def test_a_truncated_log_entry_the_current_version_pins_goes_back_to_the_last_version_that_reads(dataset):
    """The probe's case: the last commit's log entry cut short. Every command says so; the repair
    moves the entry aside with the record of the version that needed it, and makes the version
    before current again: runs work, and history keeps every readable version."""
    raw, folder = dataset
    log = folder / "reports" / "_delta_log"
    last = max((p for p in log.glob("*.json") if p.stem.isdigit()), key=lambda p: int(p.stem))
    last.write_bytes(last.read_bytes()[:40])
    for command in (["run", "--raw", str(raw), "--quiet", "--full"], ["rollback", "1"]):
        result = _xxgk(*command, "--curated", str(folder))
        assert result.returncode == 2, (command, result.stderr)
        _one_message(result, "table reports cannot be read", "xxgk doctor")
    doctor = _xxgk("doctor", "--curated", str(folder))
    assert doctor.returncode == 1 and "the records of versions 2 that need them" in doctor.stdout.replace("\n", "")
    repaired = _xxgk("doctor", "--curated", str(folder), "--repair")
    assert repaired.returncode == 0, repaired.stdout
    assert "version 3 is version 1 again" in repaired.stdout.replace("\n", "")
    assert _xxgk("doctor", "--curated", str(folder)).returncode == 0
    assert _xxgk("run", "--raw", str(raw), "--curated", str(folder), "--quiet", "--full").returncode == 0
    versions = _xxgk("query", "SELECT max(version) FROM dataset_version", "--curated", str(folder), "--format", "csv")
    assert versions.stdout.split()[-1] == "4"
