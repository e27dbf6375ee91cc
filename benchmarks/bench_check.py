"""``xxgk check`` end to end: the wall time of the command (a subprocess, imports included).

    python benchmarks/bench_check.py                 # the sample, and one corpus PDF when present
    python benchmarks/bench_check.py FILE...         # files of your own

Target (issue #12): one report ≤ 3 s. Figures only (best of ``--repeat``), no assertion: shared
machines are noisy.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
XXGK = Path(sys.executable).with_name("xxgk")
DEFAULT_FILES = [
    REPO_ROOT / "data" / "raw" / "taoyuan_2018_report.txt",
    REPO_ROOT.parent / "shared" / "corpus" / "real" / "huaian_2024.pdf",
]


def wall_time(path: Path, repeat: int) -> tuple[float, int]:
    best, code = float("inf"), -1
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run([str(XXGK), "check", str(path)], capture_output=True, check=False)
        best, code = min(best, time.perf_counter() - started), done.returncode
    return best, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for path in args.files or [p for p in DEFAULT_FILES if p.exists()]:
        seconds, code = wall_time(path, args.repeat)
        print(f"xxgk check {path.name}: {seconds:.2f} s wall (best of {args.repeat}), exit {code}")


if __name__ == "__main__":
    main()
