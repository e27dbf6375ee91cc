"""One writer at a time, and what a killed run leaves behind: real processes, a real ``kill -9``."""

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from benchmarks.synthetic.post2019 import make_post2019_report

XXGK = str(Path(sys.executable).with_name("xxgk"))
LOCK = ".xxgk.lock"


@pytest.fixture(scope="module")
def busy_raw(tmp_path_factory) -> Path:
    """Enough reports that a run parses for a few seconds, in many batches."""
    raw = tmp_path_factory.mktemp("busy_raw")
    for index in range(800):
        report = make_post2019_report(random.Random(index), index, None, "text_tabs")
        (raw / f"report_{index:04d}.txt").write_text(report.text, encoding="utf-8")
    return raw


def _start(raw: Path, curated: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "XXGK_BATCH_SIZE": "40"}
    command = [XXGK, "run", "--raw", str(raw), "--curated", str(curated), "--quiet", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _holder(curated: Path, timeout: float = 60) -> dict:
    """The lock file's note, once a run has taken the lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = (curated / LOCK).read_text() if (curated / LOCK).exists() else ""
        if text:
            return json.loads(text)
        time.sleep(0.05)
    raise AssertionError("no run took the lock")


def _second_run(raw: Path, curated: Path) -> subprocess.CompletedProcess:
    """A run started while another holds the dataset: it should be refused at once."""
    command = [XXGK, "run", "--raw", str(raw), "--curated", str(curated), "--quiet"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _children(pid: int) -> set[int]:
    """Every process descended from ``pid`` (from /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def test_a_second_run_is_refused_naming_the_first_then_waits_with_wait(busy_raw, tmp_path):
    curated = tmp_path / "curated"
    first = _start(busy_raw, curated)
    try:
        holder = _holder(curated)
        assert holder["pid"] == first.pid
        refused = _second_run(busy_raw, curated)
        assert refused.returncode == 3, refused.stderr
        assert f"being written by pid {first.pid} on " in refused.stderr and "--wait" in refused.stderr
        waiting = _start(busy_raw, curated, "--wait")
        _, err = waiting.communicate(timeout=300)
        assert waiting.returncode == 0, err
        assert f"waiting: {curated} is being written by pid {first.pid}" in err.replace("\n", "")
        assert first.wait(timeout=300) == 0  # the first run finished before the second could start
    finally:
        first.kill()
    assert (curated / LOCK).read_text() == ""  # a run that ends normally clears its note


def test_deleting_the_lock_file_lets_no_second_writer_in(busy_raw, tmp_path):
    """The lock is on the dataset folder: with the note file deleted (rm .xxgk.lock), a second
    run is still refused, and the first one publishes."""
    curated = tmp_path / "curated"
    first = _start(busy_raw, curated)
    try:
        _holder(curated)
        (curated / LOCK).unlink()
        refused = _second_run(busy_raw, curated)
        assert refused.returncode == 3, refused.stderr
        assert "is being written by" in refused.stderr
        _, err = first.communicate(timeout=300)
        assert first.returncode == 0, err
    finally:
        first.kill()


def test_a_killed_run_leaves_no_process_and_its_lock_is_taken_over(busy_raw, tmp_path):
    curated = tmp_path / "curated"
    temporary_before = set(Path(tempfile.gettempdir()).glob("xxgk-*"))
    run = _start(busy_raw, curated)
    _holder(curated)
    deadline = time.monotonic() + 120
    while len(_children(run.pid)) < 3 and time.monotonic() < deadline:  # the API server and parse workers
        time.sleep(0.1)
    while not set(Path(tempfile.gettempdir()).glob("xxgk-parsing-*")) - temporary_before:  # batches in flight
        assert time.monotonic() < deadline, "the run never started parsing"
        time.sleep(0.1)
    family = _children(run.pid)
    assert len(family) >= 3, family
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _alive(family) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(family), f"left behind: {_alive(family)}"
    after = subprocess.run(
        [XXGK, "run", "--raw", str(busy_raw), "--curated", str(curated), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert after.returncode == 0, after.stderr
    assert f"taking over the lock left by a run that ended without releasing it (pid {run.pid}" in after.stderr.replace(
        "\n", ""
    )
    assert "│ reports published │ 800" in after.stdout
    left = set(Path(tempfile.gettempdir()).glob("xxgk-*")) - temporary_before
    assert not left, f"the killed run's temporary folders were not reclaimed: {left}"


def _group_alive(pgid: int) -> list[int]:
    """Processes still in the killed run's process group (its server and workers inherit it)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def _counts(connection) -> tuple:
    return connection.execute(
        "SELECT (SELECT max(version) FROM dataset_version), (SELECT count(*) FROM reports),"
        " (SELECT count(*) FROM indicators), (SELECT count(*) FROM report_summary),"
        " (SELECT count(*) FROM quarantine)"
    ).fetchall()[0]


def _add_reports(raw: Path, start: int, count: int) -> None:
    for index in range(start, start + count):
        report = make_post2019_report(random.Random(index), index, None, "markdown")
        (raw / f"added_{index:04d}.md").write_text(report.text, encoding="utf-8")


def test_runs_killed_while_parsing_writing_committing_and_rebuilding(busy_raw, tmp_path):
    """After each kill -9: the version before reads complete (also through a connection held open
    across the kill), nothing of the run is left running, and the next run loses nothing."""
    import duckdb

    from flows.faults import POINTS

    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    for path in sorted(busy_raw.iterdir())[:300]:
        (raw / path.name).write_bytes(path.read_bytes())
    first = subprocess.run([XXGK, "run", "--raw", str(raw), "--curated", str(curated), "--quiet"],
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert first.returncode == 0, first.stderr
    added = 0
    for point in POINTS:
        if point in ("parsing", "writing"):
            _add_reports(raw, 1000 + added, 20)  # work for the run to be killed in
            added += 20
        reader = duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True)
        before = _counts(reader)
        env = {**os.environ, "XXGK_KILL_AT": point, "XXGK_BATCH_SIZE": "10"}
        killed = subprocess.Popen(
            [XXGK, "run", "--raw", str(raw), "--curated", str(curated), "--quiet"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
        )  # fmt: skip
        _, err = killed.communicate(timeout=300)
        assert killed.returncode == -signal.SIGKILL, (point, killed.returncode, err[-2000:])
        deadline = time.monotonic() + 30
        while _group_alive(killed.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(killed.pid), (point, _group_alive(killed.pid))
        assert _counts(reader) == before, point  # the connection held open across the kill
        reader.close()
        with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as fresh:
            assert _counts(fresh) == before, point  # the file shows the version before, whole
    after = subprocess.run([XXGK, "run", "--raw", str(raw), "--curated", str(curated), "--quiet"],
                           capture_output=True, text=True, timeout=300)  # fmt: skip
    assert after.returncode == 0, after.stderr
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        version, reports, _, summaries, quarantined = _counts(connection)
    assert (reports, summaries, quarantined) == (300 + added, 300 + added, 0)
    assert f"│ reports published │ {reports}" in after.stdout
    assert f"yes: version {version}" in after.stdout  # the summary describes the version it committed
