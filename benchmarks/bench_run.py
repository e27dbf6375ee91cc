"""Volume benchmark: N synthetic reports through ``xxgk run`` end to end (Prefect + GX included).

    python benchmarks/bench_run.py --reports 10000

Prints reports/second, the run's peak memory (max RSS of the child process), the seconds of each
stage (``xxgk run --timings``), and the run's ratio to the floor: reading, hashing and decoding
the same files in this process. The target (issue #23) is 10,000 reports in ≤ 30 s on a 2-core
machine. Figures only: no assertion here, since shared machines are noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic.post2019 import RUN_TOGETHER, make_post2019_report, to_docx, to_pdf
from benchmarks.synthetic.pre2019 import make_pre2019_report

SUFFIX = {"html": ".html", "markdown": ".md", "markdown_fragments": ".md"}
# Pre-2019 reports as they were published: mostly HTML pages, then text copies, attachments.
PRE2019_FORMS = {
    "html": 35,
    "text_cells": 15,
    "text_tabs": 10,
    "text_spaces": 5,
    "run_together": 10,
    "markdown": 5,
    "markdown_fragments": 5,
    "docx": 6,
    "pdf": 4,
    "xlsx": 5,
}


CRAWL_FORMS = ("csv", "csv_crlf", "csv_gbk", "jsonl", "xlsx", "warc")


def generate(
    raw_dir: Path, count: int, seed: int, pre2019_share: float, wild_share: float, crawl_share: float = 0.0
) -> tuple[int, Counter]:
    """A mix of templates and forms: pre-2019 统计表 and local tables in every form they were published
    in; 2019/2021 tables in six text forms, and a share of them as found in the wild (run-together
    crawler text, DOCX, PDF); ``crawl_share`` of the reports inside crawls (exports and web
    archives of 4 report pages, a report split over 2 pages and 4 pages of other kinds)."""
    from benchmarks.synthetic.crawls import REPORT, TABLE, export_bytes, make_crawl, warc_bytes

    rng = random.Random(seed)
    total, mix = 0, Counter()
    forms, weights = list(PRE2019_FORMS), list(PRE2019_FORMS.values())
    index = 0
    while index < count:
        # a crawl holds 5 reports: drawn a fifth as often; drawn only with a share, so the mix without
        # crawls stays as it was
        if crawl_share and rng.random() < crawl_share / 5:
            form = rng.choice(CRAWL_FORMS)
            rows = make_crawl(rng, reports=4, first_index=index, html=form == "warc")
            data = warc_bytes(rows) if form == "warc" else export_bytes(rows, form)
            suffix = ".warc.gz" if form == "warc" else (".jl" if form == "jsonl" else f".{form.split('_')[0]}")
            (raw_dir / f"crawl_{index:06d}{suffix}").write_bytes(data)
            total += len(data)
            reports = sum(row.kind in (REPORT, TABLE) for row in rows)
            mix[f"crawl/{form}"] += reports
            index += reports
            continue
        if rng.random() < pre2019_share:
            template = rng.choice(["stat_2014", "local_table"])
            report = make_pre2019_report(rng, index, template, rng.choices(forms, weights)[0])
            data, kind, suffix = report.to_bytes(), f"{template}/{report.form}", report.suffix
        elif rng.random() < wild_share:  # crawler text with run-together cells, a Word file, a PDF
            form = rng.choice([RUN_TOGETHER, "docx", "pdf"])
            if form == RUN_TOGETHER:
                report = make_post2019_report(rng, index, "fmt_2021", RUN_TOGETHER)
                data, suffix = report.text.encode("utf-8"), ".txt"
            else:
                report = make_post2019_report(rng, index, None, "markdown")
                data, suffix = (to_docx(report), ".docx") if form == "docx" else (to_pdf(report), ".pdf")
            kind = f"{report.template}/{form}"
        else:
            report = make_post2019_report(rng, index)
            data, kind = report.text.encode("utf-8"), f"{report.template}/{report.form}"
            suffix = SUFFIX.get(report.form, ".txt")
        (raw_dir / f"report_{index:06d}{suffix}").write_bytes(data)
        total += len(data)
        mix[kind] += 1
        index += 1
    return total, mix


def read_hash_decode_seconds(raw: Path) -> float:
    """The floor a run cannot go under: every file read, hashed and decoded to text, in one process."""
    import hashlib

    from transforms.decoding import UnreadableReportError, decode_report_bytes

    started = time.perf_counter()
    for path in sorted(raw.iterdir()):
        data = path.read_bytes()
        hashlib.sha256(data).hexdigest()
        with contextlib.suppress(UnreadableReportError):  # PDF, DOCX, XLSX, WARC: bytes, not text
            decode_report_bytes(data)
    return time.perf_counter() - started


def timed_run(raw: Path, curated: Path, *extra: str) -> tuple[float, subprocess.CompletedProcess]:
    """``xxgk run`` with its stage timings: (wall seconds, the finished process)."""
    xxgk = Path(sys.executable).with_name("xxgk")
    command = [str(xxgk), "run", "--raw", str(raw), "--curated", str(curated), "--quiet", "--timings", *extra]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    return time.perf_counter() - started, result


def stage_seconds(stderr: str) -> dict[str, float]:
    """The stages ``xxgk run --timings`` printed (its last ``timings:`` line)."""
    lines = [line for line in stderr.splitlines() if line.startswith("timings: ")]
    return json.loads(lines[-1].removeprefix("timings: ")) if lines else {}


def run_notices(stderr: str) -> list[str]:
    """What the run told besides its timings (a site not written, the volume gate): a run that
    failed part of its work can look fast, so the figures are printed with it."""
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith("timings: ")]


def print_stages(elapsed: float, stderr: str) -> None:
    """Each stage's seconds and share of the wall time; what no stage covers is start-up and exit."""
    stages = stage_seconds(stderr)
    stages["interpreter, CLI imports, exit"] = elapsed - sum(stages.values())
    width = max(map(len, stages))
    for name, seconds in stages.items():
        print(f"  {name:<{width}}  {seconds:6.2f} s  {100 * seconds / elapsed:5.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--pre2019-share", type=float, default=0.4, help="share of pre-2019 reports in the mix")
    parser.add_argument(
        "--wild-share", type=float, default=0.1, help="share of 2019/2021 reports as run-together text, DOCX or PDF"
    )
    parser.add_argument(
        "--crawl-share", type=float, default=0.05, help="share of reports delivered inside crawler exports and WARCs"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated folder")
    parser.add_argument(
        "--raw", type=Path, help="reports folder to use: generated into when empty or missing, reused otherwise"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    raw, curated = args.raw or work / "raw", work / "curated"
    if not raw.is_dir() or not any(raw.iterdir()):
        raw.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        size, mix = generate(raw, args.reports, args.seed, args.pre2019_share, args.wild_share, args.crawl_share)
        print(f"generated {args.reports} reports ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
        print("mix: " + ", ".join(f"{kind} {n}" for kind, n in sorted(mix.items())))
    else:
        print(f"reusing {raw} ({sum(1 for _ in raw.iterdir())} files)")

    floor = read_hash_decode_seconds(raw)
    elapsed, result = timed_run(raw, curated)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb, cpu = usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime
    print(result.stdout)
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        sys.exit(result.returncode)
    print(
        f"xxgk run: {args.reports} reports in {elapsed:.1f} s = {args.reports / elapsed:.0f} reports/s; "
        f"peak memory {peak_mb:.0f} MB"
    )
    print(
        f"CPU (user + sys) of the run and every process it waited for: {cpu:.1f} s, "
        f"{100 * cpu / (elapsed * (os.cpu_count() or 1)):.0f} % of {os.cpu_count()} cores over the run"
    )
    print_stages(elapsed, result.stderr)
    for notice in run_notices(result.stderr):
        print(f"  run notice: {notice}")
    print(f"floor (read, hash, decode every file in one process): {floor:.2f} s; the run is {elapsed / floor:.0f}x it")
    print(
        f"target: 10,000 reports in <= 30 s -> {'met' if args.reports >= 10_000 and elapsed <= 30 else 'see figures'}"
    )
    if args.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
