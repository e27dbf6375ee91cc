"""What is in a raw folder but is no regular file: FIFOs, devices, dangling and looping links, links
to folders and links out of the folder. None is opened (a FIFO would block the run), each is listed
in the quarantine with stage not_a_file and counted; ``--follow-links`` reads a linked file outside."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE_REPORT

from benchmarks.synthetic.post2019 import make_post2019_report

XXGK = str(Path(sys.executable).with_name("xxgk"))
NOT_FILES = {
    "fifo": "a FIFO (named pipe), not a file to read",
    "dangling.txt": "a dangling link (to nowhere.txt)",
    "loop_a.txt": "a link that cannot be followed",
    "loop_b.txt": "a link that cannot be followed",
    "zero.txt": "a link to a device (to /dev/zero)",
    "folder": "a link to a folder",
    "outside.txt": "link outside the raw folder",
}


@pytest.fixture(scope="module")
def odd_folder(tmp_path_factory) -> tuple[Path, str]:
    work = tmp_path_factory.mktemp("odd")
    raw = work / "raw"
    raw.mkdir()
    (raw / "taoyuan.txt").write_bytes(SAMPLE_REPORT.read_bytes())
    for index in range(8):  # enough reports that the quarantined share stays small
        report = make_post2019_report(random.Random(index), index, None, "text_tabs")
        (raw / f"report_{index}.txt").write_text(report.text, encoding="utf-8")
    outside = make_post2019_report(random.Random(99), 99, None, "text_tabs")
    (work / "elsewhere.txt").write_text(outside.text, encoding="utf-8")
    os.mkfifo(raw / "fifo")
    (raw / "dangling.txt").symlink_to("nowhere.txt")
    (raw / "loop_a.txt").symlink_to("loop_b.txt")
    (raw / "loop_b.txt").symlink_to("loop_a.txt")
    (raw / "zero.txt").symlink_to("/dev/zero")
    (raw / "folder").symlink_to(work)
    (raw / "outside.txt").symlink_to(work / "elsewhere.txt")
    (raw / "inside.txt").symlink_to("taoyuan.txt")  # a link within the folder is read
    return raw, outside.text.split("\n", 1)[0]


def _run(raw: Path, curated: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [XXGK, "run", "--raw", str(raw), "--curated", str(curated), "--quiet", "--accept-quarantine", *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def _rows(curated: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_what_is_no_regular_file_is_listed_never_read(odd_folder, tmp_path):
    raw, _ = odd_folder
    curated = tmp_path / "curated"
    result = _run(raw, curated)
    assert result.returncode == 0, result.stderr
    quarantine = {
        name: (stage, reason)
        for name, stage, reason in _rows(curated, "SELECT source_file, stage, reason FROM quarantine")
    }
    for name, reason in NOT_FILES.items():
        assert quarantine[name][0] == "not_a_file" and reason in quarantine[name][1], (name, quarantine.get(name))
    assert "--follow-links" in quarantine["outside.txt"][1]
    assert quarantine["taoyuan.txt"][0] == "duplicate"  # the link within the folder was read: the same text
    published = {name for (name,) in _rows(curated, "SELECT source_file FROM reports")}
    assert published == {"inside.txt", *(f"report_{i}.txt" for i in range(8))}
    counted = next(line for line in result.stdout.splitlines() if "files quarantined" in line)
    assert counted.split("│")[2].strip() == str(len(NOT_FILES) + 1), counted  # and the duplicate


def test_follow_links_reads_a_linked_file_outside_the_folder(odd_folder, tmp_path):
    raw, _ = odd_folder
    curated = tmp_path / "curated"
    result = _run(raw, curated, "--follow-links")
    assert result.returncode == 0, result.stderr
    published = {name for (name,) in _rows(curated, "SELECT source_file FROM reports")}
    assert "outside.txt" in published
    stages = dict(_rows(curated, "SELECT source_file, stage FROM quarantine"))
    assert stages["fifo"] == "not_a_file" and "outside.txt" not in stages
