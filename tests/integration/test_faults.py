"""One writer at a time, and what a killed run leaves behind: real processes, a real ``kill -9``."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.synthetic_post2019 import make_post2019_report

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
        refused = subprocess.run(
            [XXGK, "run", "--raw", str(busy_raw), "--curated", str(curated), "--quiet"],
            capture_output=True,
            text=True,
            timeout=120,
        )
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


def test_a_killed_run_leaves_no_process_and_its_lock_is_taken_over(busy_raw, tmp_path):
    curated = tmp_path / "curated"
    run = _start(busy_raw, curated)
    _holder(curated)
    deadline = time.monotonic() + 120
    while len(_children(run.pid)) < 3 and time.monotonic() < deadline:  # the API server and parse workers
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
