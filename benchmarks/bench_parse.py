"""Parse cost per report in one process, with the crawl step's share: what issue #21 must not raise.

    python benchmarks/bench_parse.py --reports 2000 [--crawl-share 0.05]

Generates bench_run's mix, then parses every file the way a parse worker does
(``flows.parsing.batch.parse_files``, batches of 100, with a crash journal as a worker keeps one)
and prints ms per report, and separately the
time the crawl-container check (``split_crawl``) takes over the same files. Figures only.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_run import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--crawl-share", type=float, default=0.0)
    parser.add_argument("--no-journal", action="store_true", help="parse without the crash journal workers keep")
    args = parser.parse_args()
    from flows.parsing.batch import parse_files
    from flows.parsing.raw_files import scan_raw_folder

    with tempfile.TemporaryDirectory(prefix="xxgk-bench-parse-") as work:
        raw = Path(work) / "raw"
        raw.mkdir()
        extra = (args.crawl_share,) if args.crawl_share else ()
        size, _ = generate(raw, args.reports, args.seed, 0.4, 0.1, *extra)
        files = scan_raw_folder(raw)
        journal = None if args.no_journal else Path(tempfile.mkdtemp(prefix="xxgk-journal-", dir=work))
        parse_files(files[:20], journal=journal)  # imports and caches, as a worker has them
        started = time.perf_counter()
        reports = pages = 0
        for start in range(0, len(files), 100):
            frames = parse_files(files[start : start + 100], journal=journal)
            reports += len(frames.reports)
            pages += 0 if getattr(frames, "pages", None) is None else int((frames.pages["container"] != "").sum())
        elapsed = time.perf_counter() - started
        print(f"{len(files)} files, {reports} reports, {pages} crawled pages ({size / 1e6:.1f} MB)")
        print(f"parse: {elapsed:.1f} s = {1000 * elapsed / max(reports, 1):.2f} ms per report")
        try:
            from transforms.crawled_pages import split_crawl
        except ImportError:
            return
        started = time.perf_counter()
        for file in files:
            split_crawl(file.path.read_bytes(), file.name)
        check = time.perf_counter() - started
        print(
            f"  of which the crawl-container check (split_crawl, alone): {check:.2f} s"
            f" = {1000 * check / len(files):.3f} ms per file"
        )


if __name__ == "__main__":
    main()
