"""Two OCR engines on the same scans: rapidocr-onnxruntime (PP-OCRv4, the model in its wheel) and
Debian's tesseract-ocr with chi_sim. Writes the figures behind benchmarks/ocr_engines.md.

    python -m benchmarks.ocr_engines [--reports 2] [--cells 80]

Cells: each numeric table cell of synthetic reports scanned at 150/200/300 dpi (a red seal, in
colour), cut from the page by the reader's own grid, read by each engine; a cell is right when
its text equals the text PDF's cell. Tesseract reads each crop as one line (--psm 7, digits and
Chinese); rapidocr recognises the crop (no detection). Pages: each engine reads a whole page
image (rapidocr with detection, tesseract --psm 6); similarity of its characters to the text
PDF's page text (difflib ratio, whitespace removed) and seconds per page.
"""

from __future__ import annotations

import argparse
import difflib
import random
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.synthetic.pdf_font import printed_glyphs
from benchmarks.synthetic.post2019 import FMT_2019, FMT_2021, make_post2019_report, to_pdf
from benchmarks.synthetic.scans import SCAN_DPIS, ScanStyle, scan_pdf
from transforms.pdf_document import read_pdf
from transforms.scanned_pdf import CELL_INSET, _inset, _job, _without_specks, ocr_text
from transforms.seal_dropout import print_gray
from transforms.table_grid import find_tables, ink_mask, skew_angle, straighten


def _pages(scan: bytes, dpi: int) -> list[np.ndarray]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(scan)
    pages = []
    for index in range(len(pdf)):
        gray = print_gray(pdf[index].render(scale=dpi / 72).to_numpy())
        pages.append(straighten(gray, skew_angle(ink_mask(gray, dpi), dpi)))
    return pages


def _numeric_cells(scan: bytes, text_pdf: bytes, dpi: int) -> list[tuple[np.ndarray, str]]:
    """(line crop, the text PDF's text) of each one-line numeric cell, matched by row and column."""
    expected = {(row.page, row.line): row.cells for row in read_pdf(text_pdf).document.rows}
    cells = []
    for number, gray in enumerate(_pages(scan, dpi), start=1):
        ink = _without_specks(ink_mask(gray, dpi), dpi)
        inset = max(1, round(CELL_INSET * dpi / 72))
        index = 0
        for table in find_tables(ink, dpi):
            for boxes in table.rows:
                index += 1
                kept = [box for box in boxes if box is not None]
                want = expected.get((number, index))
                if want is None or len(want) != len(kept):
                    continue
                for box, text in zip(kept, want, strict=True):
                    job = _job(gray, ink, _inset(box, inset), dpi)
                    if text.replace(".", "").isdigit() and len(job.lines) == 1:
                        cells.append((job.lines[0], text))
    return cells


def _page_text(pdf: bytes) -> str:
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()


def _tesseract(image: np.ndarray, psm: int, folder: Path) -> str:
    import cv2

    path = folder / "crop.png"
    cv2.imwrite(str(path), image)
    done = subprocess.run(
        ["tesseract", str(path), "-", "-l", "chi_sim", "--psm", str(psm)], capture_output=True, text=True, check=True
    )
    return done.stdout


def _similarity(got: str, want: str) -> float:
    return difflib.SequenceMatcher(None, "".join(got.split()), "".join(want.split()), autojunk=False).ratio()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=2)
    parser.add_argument("--cells", type=int, default=80, help="cells per dpi read by both engines")
    args = parser.parse_args()
    from rapidocr_onnxruntime import RapidOCR

    from transforms.ocr_engine import recognise_lines

    full = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    with printed_glyphs():
        texts = [
            to_pdf(make_post2019_report(random.Random(7 + i), i, (FMT_2019, FMT_2021)[i % 2], "html"))
            for i in range(args.reports)
        ]
    folder = Path(tempfile.mkdtemp(prefix="xxgk-ocr-engines-"))
    print(f"{'dpi':>4}{'cells':>7}{'rapid ok':>10}{'rapid s/cell':>14}{'tess ok':>9}{'tess s/cell':>13}")
    page_rows = []
    for dpi in SCAN_DPIS:
        cells = []
        scans = []
        for number, text_pdf in enumerate(texts):
            scan = scan_pdf(text_pdf, 7 + number, ScanStyle(dpi=dpi, grayscale=False))
            scans.append((scan, text_pdf))
            cells += _numeric_cells(scan, text_pdf, dpi)
        cells = random.Random(dpi).sample(cells, min(args.cells, len(cells)))
        recognise_lines([cells[0][0]])  # the model loaded before timing
        started = time.perf_counter()
        rapid = [ocr_text(text) for text, _ in recognise_lines([crop for crop, _ in cells])]
        rapid_seconds = (time.perf_counter() - started) / len(cells)
        started = time.perf_counter()
        tess = [ocr_text(_tesseract(crop, 7, folder)) for crop, _ in cells]
        tess_seconds = (time.perf_counter() - started) / len(cells)
        rapid_ok = sum(got == want for got, (_, want) in zip(rapid, cells, strict=True))
        tess_ok = sum(got == want for got, (_, want) in zip(tess, cells, strict=True))
        print(
            f"{dpi:>4}{len(cells):>7}{rapid_ok:>10}{rapid_seconds:>14.3f}{tess_ok:>9}{tess_seconds:>13.3f}", flush=True
        )
        # whole pages: the first page of the first report
        scan, text_pdf = scans[0]
        page = _pages(scan, dpi)[0]
        first_page = _page_text(text_pdf)
        started = time.perf_counter()
        result, _ = full(np.ascontiguousarray(np.stack([page] * 3, axis=-1)))
        rapid_page = (time.perf_counter() - started, _similarity("".join(r[1] for r in result or []), first_page))
        started = time.perf_counter()
        tess_text = _tesseract(page, 6, folder)
        tess_page = (time.perf_counter() - started, _similarity(tess_text, first_page))
        page_rows.append((dpi, rapid_page, tess_page))
    print()
    print(f"{'dpi':>4}{'rapid det+rec s/page':>22}{'similarity':>12}{'tess s/page':>13}{'similarity':>12}")
    for dpi, (rs, rq), (ts, tq) in page_rows:
        print(f"{dpi:>4}{rs:>22.2f}{rq:>12.3f}{ts:>13.2f}{tq:>12.3f}")


if __name__ == "__main__":
    main()
