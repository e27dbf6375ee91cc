"""A dataset that is copied, moved, mounted read-only, or on a full disk: readers read it where it
is and write nothing into it; a run says what is wrong (exit 2), never with a traceback, and a
failed run leaves no file behind. The mounts need root with CAP_SYS_ADMIN: skipped without."""

from __future__ import annotations

import contextlib
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_REPORT

from benchmarks.synthetic.post2019 import make_post2019_report

XXGK = str(Path(sys.executable).with_name("xxgk"))


def _xxgk(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([XXGK, *args], capture_output=True, text=True, timeout=timeout)


@contextlib.contextmanager
def _tmpfs(path: Path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def small_raw(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("small_raw")
    shutil.copy(SAMPLE_REPORT, raw / "taoyuan.txt")
    return raw


def test_a_moved_dataset_is_read_where_it_is_and_not_written(small_raw, tmp_path):
    """The DuckDB file's views hold the old folder's paths: status, query, history and export read
    the copy (the old folder is gone) and write nothing into it."""
    first = tmp_path / "first"
    assert _xxgk("run", "--raw", str(small_raw), "--curated", str(first), "--quiet").returncode == 0
    moved = tmp_path / "elsewhere" / "dataset"
    moved.parent.mkdir()
    shutil.move(first, moved)
    before = _snapshot(moved)
    status = _xxgk("status", "--curated", str(moved))
    assert status.returncode == 0 and "Traceback" not in status.stderr, status.stderr
    query = _xxgk("query", "SELECT count(*) FROM reports", "--curated", str(moved), "--format", "csv")
    assert query.returncode == 0 and query.stdout.split() == ["count_star()", "1"], query.stderr
    assert _xxgk("history", "--curated", str(moved)).returncode == 0
    export = _xxgk("export", "--curated", str(moved), "--csv", str(tmp_path / "out"))
    assert export.returncode == 0, export.stderr
    assert _snapshot(moved) == before


def test_a_read_only_dataset_is_read_and_a_run_on_it_exits_2(small_raw, tmp_path):
    with _tmpfs(tmp_path / "mount", "64m") as mount:
        dataset = mount / "dataset"
        assert _xxgk("run", "--raw", str(small_raw), "--curated", str(dataset), "--quiet").returncode == 0
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        query = _xxgk("query", "SELECT count(*) FROM indicators", "--curated", str(dataset), "--format", "csv")
        assert query.returncode == 0, query.stderr
        assert _xxgk("status", "--curated", str(dataset)).returncode == 0
        run = _xxgk("run", "--raw", str(small_raw), "--curated", str(dataset), "--quiet")
        assert run.returncode == 2
        assert f"cannot write the dataset {dataset}" in run.stderr.replace("\n", "") and "Traceback" not in run.stderr


def test_a_full_disk_is_named_and_the_failed_run_leaves_no_file(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for index in range(400):
        report = make_post2019_report(random.Random(index), index, None, "text_tabs")
        (raw / f"report_{index:03d}.txt").write_text(report.text, encoding="utf-8")
    with _tmpfs(tmp_path / "mount", "1m") as mount:
        dataset = mount / "dataset"
        run = _xxgk("run", "--raw", str(raw), "--curated", str(dataset), "--quiet")
        assert run.returncode == 2
        assert f"no space left on device writing the dataset {dataset}" in run.stderr.replace("\n", "")
        assert not list(dataset.rglob("*.parquet")), "the failed run left its files"
