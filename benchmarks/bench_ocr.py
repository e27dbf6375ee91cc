"""How many of a report's cells survive print, scan and OCR: each synthetic report (and the user's
sample) is printed as a text PDF, scanned at 150/200/300 dpi (benchmarks/synthetic/scans.py), and
both are parsed; every cell of the scan's parse is compared with the same cell of the text PDF's.

    python -m benchmarks.bench_ocr [--reports 10] [--pre2019 0] [--modes colour,gray] [--seed 2026]

Prints per dpi: cells compared; recovered (published with the text PDF's value, or blank where it
is blank); wrong (published with another number: the figure that must be 0); unverified (read,
but nothing confirmed it: no value); missing (no cell, or not read); the OCR seconds per page
(median, p90) and the process's peak RSS; the scans whose template, year or agency differ from the
text PDF's. Then, for the cells no identity or statement checks,
how many are read right and wrong at each recognition confidence: what
``XXGK_OCR_MIN_CONFIDENCE`` is chosen from (``--min-confidence 0`` publishes them all).
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import time

from benchmarks.synthetic.pdf_font import printed_glyphs
from benchmarks.synthetic.post2019 import FMT_2019, FMT_2021, make_post2019_report, to_pdf
from benchmarks.synthetic.pre2019 import LOCAL_TABLE, STAT_2014, make_seeded
from benchmarks.synthetic.sample_forms import load_sample, sample_pdf
from benchmarks.synthetic.scans import SCAN_DPIS, ScanStyle, scan_pdf
from transforms.cell_values import parse_cell_value
from transforms.limits import PLAIN_READING, ReadLimits, ReadOptions
from transforms.parse_report import QuarantineError, parse_report
from transforms.vocabulary import OCR_UNVERIFIED

COUNTS = ("compared", "recovered", "wrong", "unverified", "missing")
METADATA = ("template", "report_year", "agency")
_CONFIDENCE = re.compile(r"OCR confidence (\d\.\d\d)")


def _cells(parsed) -> dict[tuple, tuple]:
    return {(r["table_id"], r["indicator_code"], r.get("column_code")):
            (r["value"], r["value_status"], r["value_note"], parse_cell_value(r["value_raw"]).value)
            for r in parsed.indicators}  # fmt: skip


def _compare(text_cells: dict, scan_cells: dict, unchecked: list) -> dict[str, int]:
    """Counts of ``COUNTS``; each cell no identity or statement checked goes to ``unchecked`` as
    (confidence, read right)."""
    counts = dict.fromkeys(COUNTS, 0)
    for key, (value, status, _, _) in text_cells.items():
        counts["compared"] += 1
        got = scan_cells.get(key)
        checked_by_nothing = got is not None and "no identity covers it" in got[2]
        if checked_by_nothing and (found := _CONFIDENCE.search(got[2])):
            unchecked.append((float(found.group(1)), got[3] == value))
        if got is not None and got[0] is not None and got[0] != value:
            counts["wrong"] += 1  # published, and not what the report prints
        elif got is not None and (got[0] == value if value is not None else got[1] == status):
            counts["recovered"] += 1
        elif got is not None and got[1] == OCR_UNVERIFIED:
            counts["unverified"] += 1
        else:
            counts["missing"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=10)
    parser.add_argument("--pre2019", type=int, default=0, help="also pre-2019 统计表 (stat_2014 and local tables)")
    parser.add_argument("--no-sample", action="store_true", help="leave the user's sample report out")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--modes", default="colour,gray", help="scans in colour (a red seal), in gray, or both")
    parser.add_argument("--min-confidence", type=float, default=PLAIN_READING.ocr_min_confidence)
    args = parser.parse_args()
    ocr = ReadLimits(options=ReadOptions(ocr=True, ocr_min_confidence=args.min_confidence))
    unchecked: list[tuple[float, bool]] = []

    sources: list[tuple[str, bytes]] = []
    with printed_glyphs():
        for index in range(args.reports):
            template = (FMT_2019, FMT_2021)[index % 2]
            report = make_post2019_report(random.Random(args.seed + index), index, template, "html")
            sources.append((f"synthetic_{index}_{template}.pdf", to_pdf(report)))
        for index in range(args.pre2019):
            template = (STAT_2014, LOCAL_TABLE)[index % 2]
            report = make_seeded(args.seed, index, template=template, form="pdf")
            sources.append((f"pre2019_{index}_{template}.pdf", report.data))
        if not args.no_sample:
            sources.append(("taoyuan_2018_report.pdf", sample_pdf(load_sample())))

    modes = args.modes.split(",")
    runs = [(mode, dpi) for mode in modes for dpi in SCAN_DPIS]
    totals = {run: dict.fromkeys(COUNTS, 0) for run in runs}
    seconds: dict[tuple, list[float]] = {run: [] for run in runs}
    sample_exact: dict[tuple, str] = {}
    metadata_wrong: list[str] = []
    for number, (name, pdf) in enumerate(sources):
        from_text = parse_report(pdf, name)
        text_cells = _cells(from_text)
        for mode, dpi in runs:
            run = (mode, dpi)
            scan = scan_pdf(pdf, args.seed + number, ScanStyle(dpi=dpi, grayscale=mode == "gray"))
            started = time.perf_counter()
            try:
                parsed = parse_report(scan, name, ocr)
            except QuarantineError as exc:
                print(f"{name} {mode} {dpi} dpi: quarantined: {exc}", flush=True)
                totals[run]["compared"] += len(text_cells)
                totals[run]["missing"] += len(text_cells)
                continue
            elapsed = time.perf_counter() - started
            pages = int(parsed.report.encoding.split("(")[1].split()[0])
            seconds[run] += [elapsed / pages] * pages
            counts = _compare(text_cells, _cells(parsed), unchecked)
            for field in METADATA:  # a value under the wrong year or agency is a wrong value
                if parsed.report[field] != from_text.report[field]:
                    metadata_wrong.append(f"{name} {mode} {dpi} dpi: {field} {parsed.report[field]!r}")
            for key, count in counts.items():
                totals[run][key] += count
            if name.startswith("taoyuan"):
                scan_cells = _cells(parsed)
                values = [k for k, (v, *_) in text_cells.items() if v is not None]
                exact = sum(k in scan_cells and scan_cells[k][0] == text_cells[k][0] for k in values)
                sample_exact[run] = f"{exact}/{len(values)}"
            print(f"{name} {mode} {dpi} dpi: {counts} {elapsed / pages:.2f} s/page", flush=True)
    print()
    header = (
        f"{'scan':>7}{'dpi':>5}{'compared':>10}{'recovered':>11}{'%':>7}{'wrong':>7}{'unverified':>12}{'missing':>9}"
    )
    print(f"{header}{'s/page med':>12}{'p90':>7}{'sample':>9}")
    for mode, dpi in runs:
        t = totals[(mode, dpi)]
        share = 100 * t["recovered"] / max(1, t["compared"])
        pages = sorted(seconds[(mode, dpi)]) or [float("nan")]
        p90 = pages[min(len(pages) - 1, int(0.9 * len(pages)))]
        print(f"{mode:>7}{dpi:>5}{t['compared']:>10}{t['recovered']:>11}{share:>7.1f}{t['wrong']:>7}{t['unverified']:>12}{t['missing']:>9}"
              f"{statistics.median(pages):>12.2f}{p90:>7.2f}{sample_exact.get((mode, dpi), ''):>9}")  # fmt: skip
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"report metadata ({', '.join(METADATA)}) unlike the text PDF's: {len(metadata_wrong)}")
    for line in metadata_wrong:
        print(f"  {line}")
    print("\ncells no identity or statement checks, by recognition confidence: read right / wrong")
    for low in (0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.99):
        right = sum(ok for c, ok in unchecked if c >= low)
        wrong = sum(not ok for c, ok in unchecked if c >= low)
        print(f"  confidence >= {low:.2f}: {right} right, {wrong} wrong")


if __name__ == "__main__":
    main()
