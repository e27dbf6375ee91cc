"""Time to first output of the commands that do not run the pipeline (target: ≤ 1 s for
``--help``, ``status`` and ``query``), on a one-report dataset built first.

    python benchmarks/bench_cli_startup.py

Figures only (best of 5 each), no assertion: shared machines are noisy.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
XXGK = str(Path(sys.executable).with_name("xxgk"))


def _first_output_seconds(args: list[str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen([XXGK, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    process.stdout.read(1)
    elapsed = time.perf_counter() - started
    process.communicate()
    return elapsed


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="xxgk-startup-"))
    try:
        raw, curated = work / "raw", work / "curated"
        raw.mkdir()
        shutil.copy(REPO / "data" / "raw" / "taoyuan_2018_report.txt", raw)
        subprocess.run([XXGK, "run", "--raw", str(raw), "--curated", str(curated)], check=True, capture_output=True)
        commands = {
            "--help": ["--help"],
            "status": ["status", "--curated", str(curated)],
            "query": ["query", "SELECT count(*) FROM indicators", "--curated", str(curated)],
            "query --as-of 1": ["query", "SELECT 1", "--as-of", "1", "--curated", str(curated)],
            "history": ["history", "--curated", str(curated)],
        }
        for name, args in commands.items():
            best = min(_first_output_seconds(args) for _ in range(5))
            print(f"{name:<18} {best:5.2f} s to first output")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
