"""Adversarial inputs of growing size through ``parse_report``: is any step worse than linear?

    python benchmarks/bench_adversarial.py            # every case at n, 2n, 4n
    python benchmarks/bench_adversarial.py --scale 4  # every case at 4n, 8n, 16n
    python benchmarks/bench_adversarial.py digit_lines html_nested

Each case builds a report whose hostile part grows with n (many short lines, one giant line,
many table rows, deep HTML nesting, repeated labels, long digit runs …), mostly inside a real
report's text so that every step (reading, template, narrative facts, tables) runs on it. Each
size is timed (best of a few runs when quick) and the time ratio per doubling printed: about 2 is
linear, about 4 quadratic. A ratio over 2.8 is flagged. Figures only, no assertion: shared
machines are noisy; rerun a flagged case alone, or at a larger --scale, before believing it.
"""

from __future__ import annotations

import argparse
import gc
import io
import multiprocessing
import random
import re
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic.post2019 import RUN_TOGETHER, make_post2019_report, to_docx
from transforms.parse_report import QuarantineError, parse_report

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "taoyuan_2018_report.txt"
FLAG_RATIO = 2.8  # per doubling: 2 is linear, 4 quadratic; between is noise or n log n


def _sample() -> tuple[str, str]:
    """The sample's narrative (before 附件) and its table (from 附件 on)."""
    text = SAMPLE.read_text(encoding="utf-8")
    cut = re.search(r"\n\s*附件", text).start()
    return text[:cut], text[cut:]


def _in_sample(payload: str, where: str = "narrative") -> bytes:
    """The sample with ``payload`` put into its narrative, or after its table."""
    head, table = _sample()
    text = f"{head}\n{payload}\n{table}" if where == "narrative" else f"{head}{table}\n{payload}\n"
    return text.encode("utf-8")


def _post2019(form: str) -> str:
    return make_post2019_report(random.Random(7), 1, "fmt_2021", form).text


def _in_post2019(form: str, payload: str, where: str = "narrative") -> bytes:
    text = _post2019(form)
    if where == "narrative":
        cut = text.index("一、总体情况")
        text = text[:cut] + payload + "\n" + text[cut:]
    else:
        text = text + "\n" + payload + "\n"
    return text.encode("utf-8")


def _crawler(payload: str) -> bytes:
    """A 2012 local table as crawler text (cells run together, numbers spaced), then ``payload``."""
    from benchmarks.synthetic.pre2019 import make_seeded

    report = make_seeded(2, 0, template="local_table", form="run_together")
    return (report.to_bytes().decode("utf-8").rstrip("\n") + payload + "\n").encode("utf-8")


def _html_page(body: str) -> bytes:
    head, table = _sample()
    paragraphs = "".join(f"<p>{line}</p>\n" for line in head.split("\n") if line.strip())
    cells = "".join(
        f"<tr>{''.join(f'<td>{cell.strip()}</td>' for cell in row.split(chr(10)))}</tr>\n"
        for row in table.split("\n\n")
        if row.strip()
    )
    return (
        f"<html><head><title>报告</title></head><body>{paragraphs}{body}<table>{cells}</table></body></html>".encode()
    )


def _docx_with_rows(rows: int) -> bytes:
    """The synthetic 2021 report as DOCX, its last table's last row repeated ``rows`` times."""
    data = to_docx(make_post2019_report(random.Random(7), 1, "fmt_2021", "text_cells"))
    source = zipfile.ZipFile(io.BytesIO(data))
    xml = source.read("word/document.xml").decode("utf-8")
    start = xml.rindex("<w:tr>") if "<w:tr>" in xml else xml.rindex("<w:tr ")
    end = xml.index("</w:tr>", start) + len("</w:tr>")
    xml = xml[:end] + xml[start:end] * rows + xml[end:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, xml if item.filename == "word/document.xml" else source.read(item))
    return out.getvalue()


def _xlsx_with_rows(rows: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2018年度某县政府信息公开工作统计表"])
    sheet.append(["统计指标", "单位", "统计数"])
    for i in range(rows):
        sheet.append([f"其他指标{i}", "条", i])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_T3_LABELS = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "三、本年度办理结果",
]
_CJK = "政府信息公开申请受理答复办结年度报告情况统计数量行政复议诉讼"

# name → (n at scale 1, builder of the bytes for size n). n is tuned so the first size takes
# some tens of milliseconds.
CASES: dict[str, tuple[int, Callable[[int], bytes]]] = {
    # Text: many short lines, and one giant line.
    "digit_lines": (20_000, lambda n: _in_sample("\n".join(str(i % 10) for i in range(n)))),
    "digit_lines_after_table": (20_000, lambda n: _in_sample("\n".join(str(i % 10) for i in range(n)), "end")),
    "heading_lines": (10_000, lambda n: _in_sample("\n".join(f"（{'一二三'[i % 3]}）" for i in range(n)))),
    "numbered_lines": (10_000, lambda n: _in_sample("\n".join(f"{i}." for i in range(n)))),
    "giant_line_cjk": (100_000, lambda n: _in_sample((_CJK * (n // len(_CJK) + 1))[:n])),
    "giant_line_digits": (100_000, lambda n: _in_sample(("1234567890" * (n // 10 + 1))[:n])),
    "giant_digit_run_with_unit": (50_000, lambda n: _in_sample("受理申请" + "1" * n + "件")),
    "giant_facts_line": (3_000, lambda n: _in_sample("，".join(f"受理申请{i}件" for i in range(n)))),
    "many_fact_sentences": (3_000, lambda n: _in_sample("".join(f"共受理政府信息公开申请{i}件。" for i in range(n)))),
    "giant_spaces_line": (100_000, lambda n: _in_sample("标签" + " " * n + "1")),
    "spaced_digits_line": (30_000, lambda n: _in_sample(" ".join("1" for _ in range(n)))),
    "tab_lines": (10_000, lambda n: _in_sample("\n".join(f"其他指标{i}\t条\t{i}\t{i}" for i in range(n)))),
    "tab_line_giant": (30_000, lambda n: _in_sample("\t".join(str(i % 10) for i in range(n)))),
    "space_table_lines": (10_000, lambda n: _in_sample("\n".join(f"其他指标{i}  条  {i}" for i in range(n)))),
    "one_cell_lines": (10_000, lambda n: _in_sample("\n".join(f"\t其他{i}" for i in range(n)))),
    "wrapped_cell_lines": (10_000, lambda n: _in_sample("\t标签\n" + "\n".join("续" for _ in range(n)), "end")),
    "page_number_lines": (10_000, lambda n: _in_sample("\n".join(f"— {i % 999} —" for i in range(n)))),
    "leading_tabs_line": (30_000, lambda n: _in_sample("\t" * n + "其他指标\t条\t1")),
    "blank_lines": (30_000, lambda n: _in_sample("\n" * n)),
    "blank_lines_markdown": (30_000, lambda n: _in_post2019("markdown", "\n" * n + "|", "end")),
    # Crawler text: a local table whose cells ran together (compact text, rows found by label).
    "crawler_spaced_digits": (30_000, lambda n: _crawler(" ".join("1" for _ in range(n)))),
    "crawler_digit_then_spaces": (100_000, lambda n: _crawler("1" + " " * n + "x")),
    "crawler_text_after_table": (4_000, lambda n: _crawler("政府信息公开工作" * (n // 8))),
    # Labels the template and table readers look for, repeated.
    "stat_caption_lines": (3_000, lambda n: _in_sample("\n".join("政府信息公开情况统计表" for _ in range(n)))),
    "stat_header_rows": (3_000, lambda n: _in_sample("\n".join("统计指标\t单位\t统计数" for _ in range(n)))),
    "stat_table_repeated": (30, lambda n: _in_sample(_sample()[1] * n, "end")),
    "local_header_lines": (3_000, lambda n: _in_sample("\n".join("指标名称计量单位本年度历年累计" for _ in range(n)))),
    "repealed_label_lines": (3_000, lambda n: _in_sample("\n".join("本年废止件数" for _ in range(n)))),
    "t3_label_lines": (1_000, lambda n: _in_post2019("text_cells", "\n".join(_T3_LABELS * n), "end")),
    "t3_labels_one_line": (1_000, lambda n: _in_post2019(RUN_TOGETHER, "".join(_T3_LABELS * n), "end")),
    # Crawler text whose numbers run together.
    "run_together_long_run": (
        2_000,
        lambda n: _in_post2019(RUN_TOGETHER, "", "end").replace(
            "一、本年新收政府信息公开申请数量".encode(), ("一、本年新收政府信息公开申请数量" + "1" * n).encode()
        ),
    ),
    "run_together_t4_long_run": (
        2_000,
        lambda n: re.sub(
            rb"(\xe6\x80\xbb\xe8\xae\xa1)(\d)", lambda m: m[1] + b"1" * n + m[2], _in_post2019(RUN_TOGETHER, "")
        ),
    ),
    "run_together_many_facts": (
        1_000,
        lambda n: _in_post2019(RUN_TOGETHER, "".join(f"共受理政府信息公开申请{i}件，办结{i}件。" for i in range(n))),
    ),
    "t3_row_leading_blanks": (
        20_000,
        lambda n: _in_post2019(
            "text_tabs", "一、本年新收政府信息公开申请数量" + "\t" * n + "\t".join("1111117"), "end"
        ),
    ),
    # Markdown.
    "markdown_rows": (
        5_000,
        lambda n: _in_post2019("markdown", "\n".join(f"| 其他{i} | {i} | {i} |" for i in range(n)), "end"),
    ),
    "markdown_fragments": (
        2_000,
        lambda n: _in_post2019(
            "markdown_fragments",
            "\n\n".join(f"| 数据1 | 数据2 |\n| --- | --- |\n| 其他{i} | {i} |" for i in range(n)),
            "end",
        ),
    ),
    "markdown_wide_row": (
        20_000,
        lambda n: _in_post2019("markdown", "| " + " | ".join("1" for _ in range(n)) + " |", "end"),
    ),
    # HTML.
    "html_nested_divs": (2_000, lambda n: _html_page("<div>" * n + "深" + "</div>" * n)),
    "html_nested_tables": (200, lambda n: _html_page("<table><tr><td>" * n + "深" + "</td></tr></table>" * n)),
    "html_table_rows": (
        5_000,
        lambda n: _html_page("<table>" + "<tr><td>其他</td><td>条</td><td>1</td></tr>" * n + "</table>"),
    ),
    "html_wide_row": (10_000, lambda n: _html_page("<table><tr>" + "<td>1</td>" * n + "</tr></table>")),
    "html_rowspans": (
        3_000,
        lambda n: _html_page(
            "<table>" + "".join(f'<tr><td rowspan="1000">{i}</td><td>x</td></tr>' for i in range(n)) + "</table>"
        ),
    ),
    "html_brs_in_cell": (10_000, lambda n: _html_page("<table><tr><td>" + "a<br>" * n + "</td></tr></table>")),
    "html_paragraphs": (10_000, lambda n: _html_page("".join(f"<p>第{i}段。</p>" for i in range(n)))),
    "html_char_refs": (20_000, lambda n: _html_page("&#11;&#12;" * n)),
    # Containers.
    "docx_table_rows": (2_000, _docx_with_rows),
    "xlsx_rows": (2_000, _xlsx_with_rows),
}


def _once(data: bytes) -> tuple[float, str]:
    gc.collect()
    start = time.perf_counter()
    try:
        parsed = parse_report(data, "bench.txt")
        outcome = f"parsed ({parsed.report['template']})"
    except QuarantineError as exc:
        outcome = f"quarantined: {str(exc)[:60]}"
    except Exception as exc:  # a parser error: timed all the same
        outcome = f"PARSER ERROR {type(exc).__name__}: {str(exc)[:60]}"
    return time.perf_counter() - start, outcome


def measure(data: bytes) -> tuple[float, str]:
    """Best of up to three runs, while they are quick."""
    best, outcome = _once(data)
    for _ in range(2):
        if best > 0.5:
            break
        elapsed, outcome = _once(data)
        best = min(best, elapsed)
    return best, outcome


def _measure_size(name: str, n: int) -> tuple[float, str, int]:
    data = CASES[name][1](n)
    elapsed, outcome = measure(data)
    return elapsed, outcome, len(data)


def _child(connection, name: str, n: int) -> None:
    connection.send(_measure_size(name, n))


def _measure_with_timeout(name: str, n: int, timeout: float) -> tuple[float, str, int] | None:
    """In a forked child, so that a case stuck in C code (a regex, lxml) can be stopped."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sending, name, n))
    child.start()
    sending.close()
    result = None
    if receiving.poll(timeout):
        try:
            result = receiving.recv()
        except EOFError:  # the child died
            result = (0.0, f"the process ended (exit {child.exitcode})", 0)
    if child.is_alive():
        child.kill()
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("cases", nargs="*", help=f"cases to run (default: all): {', '.join(CASES)}")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every case's base n")
    parser.add_argument("--sizes", type=int, default=3, help="sizes per case: n, 2n, 4n, …")
    parser.add_argument(
        "--timeout", type=float, default=0, help="seconds per size, each in a child process (0: in process)"
    )
    args = parser.parse_args()
    unknown = set(args.cases) - set(CASES)
    if unknown:
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    flagged = []
    print(f"{'case':28} {'n':>9} {'bytes':>10} {'seconds':>9} {'ratio':>6}  outcome")
    for name in args.cases or CASES:
        base = CASES[name][0]
        previous = None
        for step in range(args.sizes):
            n = max(1, int(base * args.scale)) * 2**step
            if args.timeout:
                measured = _measure_with_timeout(name, n, args.timeout)
                if measured is None:
                    print(f"{name:28} {n:>9} {'':>10} {'>' + format(args.timeout, 'g'):>9}        timed out")
                    flagged.append(f"{name} at n={n}: over {args.timeout:g} s")
                    break
            else:
                measured = _measure_size(name, n)
            elapsed, outcome, size = measured
            ratio = elapsed / previous if previous else None
            flag = ratio is not None and ratio > FLAG_RATIO and elapsed > 0.05
            ratio_text = f"{ratio:6.2f}" if ratio is not None else " " * 6
            print(f"{name:28} {n:>9} {size:>10} {elapsed:9.3f} {ratio_text}{' !' if flag else '  '} {outcome}")
            if flag:
                flagged.append(f"{name} at n={n}: ×{ratio:.2f}")
            previous = elapsed
        sys.stdout.flush()
    print()
    print(f"superlinear (ratio > {FLAG_RATIO} per doubling, or timed out): {'; '.join(flagged) or 'none'}")


if __name__ == "__main__":
    main()
