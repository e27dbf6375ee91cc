"""Read a scanned PDF (pages that are images, no text layer) by OCR into the rows a text PDF gives.

Each page is rendered at its scan's resolution, straightened, its seal dropped
(:mod:`transforms.seal_dropout`), and its ruled tables found from the image
(:mod:`transforms.table_grid`): one :class:`Row` per table row, one cell per grid cell, merged
cells as the text-PDF reader gives them, ``line`` the row's index within its page. Each cell's text
lines are cut apart by the gaps in its ink and read by the recogniser (:mod:`transforms.ocr_engine`);
the row keeps each cell's recognition confidence (the lowest of its lines'; an empty cell, with
no ink, is 1.0). The ink outside the tables (title, agency, dates, narrative) is read line by line
into the document's text, with each table row's cells as a line in its place, as a text PDF's
text holds them. Numbers read this way are not checked here: that is the interpreter's job.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import numpy as np

from transforms.decoding import normalize_text
from transforms.document_rows import PAGE_NUMBER, Document, Row
from transforms.limits import DEFAULT_LIMITS, ReadLimits, check_limit
from transforms.ocr_engine import DIGIT_LOOKALIKES
from transforms.pdf_document import UnreadablePdfError
from transforms.seal_dropout import Seal, dark_print, overlaps, print_gray, without_gray_seal
from transforms.table_grid import find_tables, ink_mask, skew_angle, straighten

PDF = "pdf"

MIN_TABLE_IMAGE = (300, 100)  # pixels: a table of a few rows in a screenshot at 96 dpi is larger
IMAGE_DPI = 200.0  # an embedded image that states no resolution: most scans and screenshots of tables
# A scan is read at its own resolution, within these bounds: below 150 dpi a 7 pt digit is too
# small to read, above 300 dpi reading costs more and gains nothing.
OCR_DPI_RANGE = (150, 300)
CELL_INSET = 2.0  # points cut from each side of a cell: its rules' ink stays out of the crop
LINE_PAD = 4  # pixels of white around a text line, as the recogniser was trained with
SPECK_AREA = 1.0  # square points: ink smaller than this is scanner dust, not a mark
DUST_AREA = 3.0  # square points: a cell whose only ink is less than this, and round, is blank
MIN_TEXT_HEIGHT = 4.0  # points: a line of text outside the tables is at least this tall (a 7 pt glyph is 5)
MIN_TEXT_INK = 8.0  # square points of ink: less, on a line outside the tables, is dust (一 at 11 pt is 11)
SPECK_LINE = 0.5  # a band of ink smaller than this × the tallest line's height, beside lines, is dust
DUST_SPECK = 1.5  # points: a mark smaller than this each way, apart from a line's text, is dust (。 is 3)
LINE_MERGE = 1.3  # bands of ink whose union is at most this × a line's height are one line (二, 三)
RECOGNITION_CHUNK = 48  # lines read between two looks at the page's time budget
UNDER_SEAL_CONFIDENCE = 0.45  # read through a seal: only arithmetic confirms it; short, it may be a misread value
SECOND_READ_SCALE = 1.5  # a number's line is read again this much larger: readings that differ are not sure
MINUS_SIGNS = ("-", "−", "－")
DASH_HEIGHT = 0.4  # a minus sign is at most this share of the digits' height
DASH_WIDTH = 0.3  # ... and at least this share of it wide
_NUMERIC_LINE = re.compile(r"[-−+]?[\d.,]+")

_SPACED_NUMBER = re.compile(r"[\d.,\s]+")
# Only a cell made of digits and their look-alikes (ocr_engine.DIGIT_LOOKALIKES) is read as a number.
_NUMBER_LOOKALIKE = re.compile(r"[\dIl|Oo。]+(?:[.,]\d+)*\.?")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# What the recogniser reads for a Chinese punctuation mark in Chinese text: the half-width form,
# or a look-alike (丶 for 、). Reports print the full-width forms, and labels are matched on them.
CJK_LOOKALIKES = {"(": "（", ")": "）", ":": "：", ";": "；", "丶": "、"}
_LOOKALIKE = re.compile("|".join(re.escape(k) for k in CJK_LOOKALIKES))
_ASCII_COMMA = re.compile(r"(?<!\d),|,(?!\d)")  # a comma not inside a number (1,234)


class UnreadableImageError(ValueError):
    """The image cannot be decoded; the message says why."""


@dataclass
class _Job:
    """Line images to read and where their text goes."""

    lines: list[np.ndarray]
    texts: list[str]
    scores: list[float]


def read_scanned_pdf(data: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """The document of a PDF whose pages are scans: each page's tables as rows, its text by OCR.
    Raises OverLimitError for a file over its page or pixel limits, or a page over its time budget."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    pages = len(pdf)
    pdf.close()
    read = read_scanned_pages(data, range(1, pages + 1), limits)
    rows = [row for _, page_rows, _ in read for row in page_rows]
    return Document(PDF, "\n".join(text for *_, text in read), rows, f"pdf ({pages} pages, OCR)")


def read_scanned_pages(data: bytes, numbers, limits: ReadLimits = DEFAULT_LIMITS) -> list[tuple[int, list[Row], str]]:
    """(page number, table rows, text) of each page ``numbers`` names (1-based), read by OCR."""
    import pypdfium2 as pdfium

    _check_installed()
    numbers = list(numbers)
    check_limit("scanned PDF has too many pages to OCR", len(numbers), limits, "max_ocr_pages")
    pdf = pdfium.PdfDocument(data)
    read = []
    try:
        for number in numbers:
            try:
                page = pdf[number - 1]
                try:
                    page_rows, page_text = _read_page(page, number, limits)
                finally:
                    page.close()
            except pdfium.PdfiumError as exc:  # a damaged page or image
                raise UnreadablePdfError(f"PDF page {number} cannot be rendered for OCR: {exc}") from exc
            read.append((number, page_rows, page_text))
    finally:
        pdf.close()
    return read


def _check_installed() -> None:
    """OCR's packages, looked for without importing them (onnxruntime takes a while to import)."""
    from importlib.util import find_spec

    missing = [name for name in ("cv2", "onnxruntime", "rapidocr_onnxruntime") if find_spec(name) is None]
    if missing:
        raise UnreadablePdfError(f"OCR needs {', '.join(missing)}: install xxgk with its dependencies")


def scan_dpi(page) -> float:
    """The resolution the page's largest image was scanned at, within OCR_DPI_RANGE."""
    import pypdfium2.raw as pdfium_raw

    finest = 0.0
    for image in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, _, right, _ = image.get_bounds()
        finest = max(finest, image.get_px_size()[0] * 72 / max(1.0, right - left))
    dpi = finest or OCR_DPI_RANGE[1]
    return float(min(max(dpi, OCR_DPI_RANGE[0]), OCR_DPI_RANGE[1]))


def _read_page(page, number: int, limits: ReadLimits) -> tuple[list[Row], str]:
    started = time.monotonic()
    dpi = scan_dpi(page)
    width, height = page.get_size()
    pixels = round(width * dpi / 72) * round(height * dpi / 72)
    check_limit(f"PDF page {number} is too large to OCR", pixels, limits, "max_ocr_pixels", "pixels")
    return _read_image(print_gray(page.render(scale=dpi / 72).to_numpy()), dpi, number, started, limits)


def could_hold_a_table(data: bytes) -> bool:
    """Whether an image is large enough to hold a table (an icon, a logo or a spacer is not), from
    its header only; an image that cannot be read is left to :func:`read_table_image` to say so."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        width, height = Image.open(io.BytesIO(data)).size
    except (UnidentifiedImageError, OSError, ValueError):
        return True
    return width >= MIN_TABLE_IMAGE[0] and height >= MIN_TABLE_IMAGE[1]


def read_table_image(data: bytes, limits: ReadLimits = DEFAULT_LIMITS, dpi: float | None = None) -> Document:
    """The document of one image of a report's table (PNG, JPEG…, as a DOCX or HTML page embeds
    it): its tables as rows (page 1), the text around them. ``dpi``: the image's resolution where
    the container tells it (a DOCX's drawing size); else the image's own, else IMAGE_DPI."""
    import io

    from PIL import Image, UnidentifiedImageError

    started = time.monotonic()
    _check_installed()
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only: the size is known before decoding
    except (UnidentifiedImageError, OSError) as exc:
        raise UnreadableImageError(f"image cannot be read: {exc}") from exc
    width, height = image.size
    check_limit("image is too large to OCR", width * height, limits, "max_ocr_pixels", "pixels")
    resolution = dpi or float((image.info.get("dpi") or (IMAGE_DPI,))[0]) or IMAGE_DPI
    try:
        rgb = np.asarray(image.convert("RGB"))[..., ::-1]  # as PDFium renders: BGR
    except (OSError, ValueError) as exc:  # a truncated or damaged image
        raise UnreadableImageError(f"image cannot be decoded: {exc}") from exc
    dpi = min(max(resolution, 72.0), 600.0)
    rows, text = _read_image(print_gray(rgb), dpi, 1, started, limits)
    return Document(PDF, text, rows, "image (OCR)")


def _read_image(gray: np.ndarray, dpi: float, number: int, started: float, limits: ReadLimits) -> tuple[list[Row], str]:
    """One page image's table rows and text (``number``: its page, for rows and messages)."""
    gray = straighten(gray, skew_angle(ink_mask(gray, dpi), dpi))
    gray, seals = without_gray_seal(gray, dpi)
    ink = _without_specks(ink_mask(gray, dpi), dpi)
    tables = find_tables(ink, dpi)
    inset = max(1, round(CELL_INSET * dpi / 72))

    cell_jobs: list[list[list[_Job | None]]] = []
    for table in tables:
        cell_jobs.append(
            [[None if box is None else _job(gray, ink, _inset(box, inset), dpi) for box in row] for row in table.rows]
        )
    outside = ink.copy()
    for table in tables:
        left, top, right, bottom = table.bbox
        outside[max(0, top - inset) : bottom + inset, max(0, left - inset) : right + inset] = 0
    narrative = [(box[1], _job(gray, outside, box, dpi)) for box in _text_lines(outside, dpi)]
    jobs = [job for rows in cell_jobs for row in rows for job in row if job is not None]
    jobs += [job for _, job in narrative]
    through_seal = _through_seal(tables, cell_jobs, seals, gray, ink, inset, dpi)
    jobs += [again for _, again in through_seal]
    _recognise(jobs, number, started, limits)
    for job, again in through_seal:
        _settle_through_seal(job, again)

    rows: list[Row] = []
    lines: list[tuple[int, str]] = [(top, "".join(job.texts)) for top, job in narrative]
    index = 0
    for table, table_jobs in zip(tables, cell_jobs, strict=True):
        for boxes, row_jobs in zip(table.rows, table_jobs, strict=True):
            index += 1
            cells = [(_cell_text(job), _confidence(job)) for job in row_jobs if job is not None]
            if any(text for text, _ in cells):
                rows.append(Row(tuple(t for t, _ in cells), index, number, confidences=tuple(c for _, c in cells)))
                top = next(box for box in boxes if box is not None)[1]
                lines.append((top, " ".join(t for t, _ in cells if t)))
    text = "\n".join(line for _, line in sorted(lines, key=lambda item: item[0]) if line)
    text = "\n".join(line for line in normalize_text(text).split("\n") if not PAGE_NUMBER.match(line))
    return rows, text


def _without_specks(ink: np.ndarray, dpi: float) -> np.ndarray:
    import cv2

    smallest = SPECK_AREA * (dpi / 72) ** 2
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    specks = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] < smallest)
    specks = specks[specks > 0]
    if len(specks):
        ink = ink.copy()
        ink[np.isin(labels, specks)] = 0
    return ink


def _inset(box: tuple[int, int, int, int], inset: int) -> tuple[int, int, int, int]:
    left, top, right, bottom = box
    return (left + inset, top + inset, max(left + inset, right - inset), max(top + inset, bottom - inset))


def _bands(ink: np.ndarray, dpi: float, merge: float = LINE_MERGE) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom) of the text lines in ``ink``: runs of rows with ink, a
    character split by its own gaps (二, 三) joined back into its line."""
    rows_with_ink = np.flatnonzero(ink.any(axis=1))
    if not len(rows_with_ink):
        return []
    breaks = np.flatnonzero(np.diff(rows_with_ink) > 1)
    starts = [rows_with_ink[0], *rows_with_ink[breaks + 1]]
    ends = [*rows_with_ink[breaks], rows_with_ink[-1]]
    bands = [[int(s), int(e) + 1] for s, e in zip(starts, ends, strict=True)]
    heights = [e - s for s, e in bands]
    line = float(np.median([h for h in heights if h >= 0.5 * max(heights)]))
    merged: list[list[int]] = []
    for band in bands:
        if merged and band[1] - merged[-1][0] <= merge * line:
            merged[-1][1] = band[1]
        else:
            merged.append(band)
    boxes = []
    tallest = max(bottom - top for top, bottom in merged)
    for top, bottom in merged:
        columns = _without_stray_specks(ink[top:bottom], DUST_SPECK * dpi / 72)
        if not len(columns):
            continue
        left, right = int(columns[0]), int(columns[-1]) + 1
        # A speck of dust or a seal's edge beside a line is no line of its own; a lone dash is.
        if len(merged) > 1 and max(bottom - top, right - left) < SPECK_LINE * tallest:
            continue
        boxes.append((left, top, right, bottom))
    return boxes


def _without_stray_specks(band: np.ndarray, speck: float) -> np.ndarray:
    """The columns of a band of ink that hold its line: a mark under ``speck`` pixels each way,
    further than a line's height from any larger mark, is dust on the same rows (punctuation sits
    beside its text); a band of such marks only is dust (no columns). Read as part of the line,
    dust at 150 dpi came out as a run of letters before the title, and so before the agency's name."""
    import cv2

    height = band.shape[0]
    _, _, stats, _ = cv2.connectedComponentsWithStats(band.astype(np.uint8), connectivity=8)
    left, width = stats[1:, cv2.CC_STAT_LEFT], stats[1:, cv2.CC_STAT_WIDTH]
    small = (width < speck) & (stats[1:, cv2.CC_STAT_HEIGHT] < speck)
    if small.all():
        return np.flatnonzero(small)[:0]
    if not small.any():
        return np.flatnonzero(band.any(axis=0))
    marks = np.flatnonzero(~small)
    kept = list(marks)
    for mark in np.flatnonzero(small):
        gaps = np.maximum(left[marks] - (left[mark] + width[mark]), left[mark] - (left[marks] + width[marks]))
        if gaps.min() <= height:
            kept.append(mark)
    covered = np.zeros(band.shape[1], bool)
    for mark in kept:
        covered[left[mark] : left[mark] + width[mark]] = True
    return np.flatnonzero(covered & band.any(axis=0))


def _text_lines(ink: np.ndarray, dpi: float) -> list[tuple[int, int, int, int]]:
    """The page's text lines outside its tables: bands of ink as tall as text, and more than dust
    (a rule's leftover is thin, scanner dust small)."""
    shortest = MIN_TEXT_HEIGHT * dpi / 72
    lines = []
    for left, top, right, bottom in _bands(ink, dpi):
        mass = np.count_nonzero(ink[top:bottom, left:right]) / (dpi / 72) ** 2
        if bottom - top >= shortest and mass >= MIN_TEXT_INK:
            lines.append((left, top, right, bottom))
    return lines


def _job(gray: np.ndarray, ink: np.ndarray, box: tuple[int, int, int, int], dpi: float) -> _Job:
    """The text lines inside ``box``, as padded grayscale crops; none where its only ink is dust."""
    left, top, right, bottom = box
    lines = []
    inside = ink[top:bottom, left:right]
    if _dust_only(inside, dpi):
        return _Job(lines, [], [])
    for x0, y0, x1, y1 in _bands(inside, dpi):
        if _dust_only(inside[y0:y1, x0:x1], dpi):
            continue  # a speck beside the cell's text, on a line of its own
        crop = gray[top + y0 : top + y1, left + x0 : left + x1]
        lines.append(np.pad(crop, LINE_PAD, constant_values=255))
    return _Job(lines, [], [])


def _dust_only(ink: np.ndarray, dpi: float) -> bool:
    """Ink too little and too round to be a mark: a dash (a placeholder) is long, a digit tall."""
    marks = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
    if not len(marks[0]):
        return True
    width, height = marks[0][-1] - marks[0][0] + 1, marks[1][-1] - marks[1][0] + 1
    area = int(np.count_nonzero(ink))
    return area < DUST_AREA * (dpi / 72) ** 2 and max(width, height) < 2 * min(width, height)


def _recognise(jobs: list[_Job], number: int, started: float, limits: ReadLimits) -> None:
    from transforms.ocr_engine import recognise_lines

    queue = [(job, line) for job in jobs for line in job.lines]
    for begin in range(0, len(queue), RECOGNITION_CHUNK):
        chunk = queue[begin : begin + RECOGNITION_CHUNK]
        for (job, _), (text, score) in zip(chunk, recognise_lines([line for _, line in chunk]), strict=True):
            job.texts.append(text)
            job.scores.append(score)
        elapsed = round(time.monotonic() - started, 1)
        check_limit(f"OCR of PDF page {number} takes too long", elapsed, limits, "max_ocr_seconds_per_page", "s")
    _read_numbers_again(jobs, number, started, limits)


def _read_numbers_again(jobs: list[_Job], number: int, started: float, limits: ReadLimits) -> None:
    """Every line read as a number is read a second time, from the crop enlarged by
    ``SECOND_READ_SCALE``, and its ink looked at for a minus sign: where the two readings differ,
    or the reading's sign is not the ink's, the line's confidence is 0. A recogniser's own score
    does not tell a dropped sign or a seal's stroke read as a digit (wrong reads at 0.99 were
    measured); a reading that does not survive a change of scale is not sure."""
    import cv2

    from transforms.ocr_engine import recognise_lines

    numbers = [
        (job, index, cv2.resize(job.lines[index], None, fx=SECOND_READ_SCALE, fy=SECOND_READ_SCALE,
                                interpolation=cv2.INTER_CUBIC))
        for job in jobs
        for index, text in enumerate(job.texts)
        if _NUMERIC_LINE.fullmatch(ocr_text(text))
    ]  # fmt: skip
    for begin in range(0, len(numbers), RECOGNITION_CHUNK):
        chunk = numbers[begin : begin + RECOGNITION_CHUNK]
        for (job, index, _), (text, _) in zip(chunk, recognise_lines([line for *_, line in chunk]), strict=True):
            read = ocr_text(job.texts[index])
            if ocr_text(text) != read or read.startswith(MINUS_SIGNS) != has_minus_sign(job.lines[index]):
                job.scores[index] = 0.0
        elapsed = round(time.monotonic() - started, 1)
        check_limit(f"OCR of PDF page {number} takes too long", elapsed, limits, "max_ocr_seconds_per_page", "s")


def has_minus_sign(line: np.ndarray) -> bool:
    """Whether a number's line image begins with a minus sign: its first columns of ink are a flat
    mark (at most ``DASH_HEIGHT`` of the digits' height) at their middle height, as wide as a
    dash, before anything tall. A dash blurred into the first digit (at 150 dpi) still shows as
    flat first columns. The recogniser drops a sign at high confidence; the ink does not. (A
    digit taken for a dash costs a reading; a dash missed, a wrong number.)"""
    import cv2

    _, ink = cv2.threshold(line, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = ink.astype(bool)
    columns = np.flatnonzero(ink.any(axis=0))
    rows = np.flatnonzero(ink.any(axis=1))
    if len(columns) < 2:
        return False
    top, height = int(rows[0]), int(rows[-1] - rows[0] + 1)
    flat = 0
    for column in columns:
        if column != columns[0] + flat:
            break  # a gap: the dash ends
        filled = np.flatnonzero(ink[:, column])
        low, high = int(filled[0]), int(filled[-1])
        if high - low + 1 > DASH_HEIGHT * height:
            break  # a tall stroke: a digit begins
        if not (top + 0.25 * height <= (low + high) / 2 <= top + 0.75 * height):
            return False  # a flat mark at the top or bottom (a 7's bar, a speck): no dash
        flat += 1
    return flat >= max(2, DASH_WIDTH * height) and flat < len(columns)


def _through_seal(tables, cell_jobs, seals: list[Seal], gray, ink, inset: int, dpi: float) -> list[tuple[_Job, _Job]]:
    """Each table cell under a gray seal, with a second job reading it from the seal's dark print
    only (:func:`~transforms.seal_dropout.dark_print`)."""
    if not seals:
        return []
    dark = dark_print(gray, seals)
    pairs = []
    for table, table_jobs in zip(tables, cell_jobs, strict=True):
        for boxes, row_jobs in zip(table.rows, table_jobs, strict=True):
            for box, job in zip(boxes, row_jobs, strict=True):
                if job is not None and overlaps(box, seals):
                    pairs.append((job, _job(dark, ink, _inset(box, inset), dpi)))
    return pairs


def _settle_through_seal(job: _Job, again: _Job) -> None:
    """A cell read through a seal's characters: a number read alike as scanned and from the dark
    print alone keeps its confidence. Otherwise the dark print's number (or, with none, the
    reading as scanned) stands at most ``UNDER_SEAL_CONFIDENCE``: only the tables' arithmetic can
    confirm it (a seal's stroke read as one more digit, at both scales, was measured at 0.89)."""
    read, dark = _cell_text(job), _cell_text(again)
    if read == dark and (not read or _NUMERIC_LINE.fullmatch(read)):
        return
    if _NUMERIC_LINE.fullmatch(dark):
        job.texts[:], job.scores[:] = again.texts, again.scores
    job.scores[:] = [min(score, UNDER_SEAL_CONFIDENCE) for score in job.scores]


def _cell_text(job: _Job) -> str:
    return ocr_text("".join(job.texts))


def ocr_text(text: str) -> str:
    """Recognised text as a report prints it: whitespace runs to one space, a number's digits
    together, Chinese punctuation in its full-width form where the text is Chinese."""
    text = re.sub(r"\s+", " ", normalize_text(text)).strip()
    if _SPACED_NUMBER.fullmatch(text):
        text = re.sub(r"\s+", "", text)  # a digit the recogniser set apart: 1 234 is 1234
    if _NUMBER_LOOKALIKE.fullmatch(text) and any(c.isdigit() or c in DIGIT_LOOKALIKES for c in text):
        text = "".join(DIGIT_LOOKALIKES.get(c, c) for c in text)
        return text[:-1] if text.endswith(".") else text  # a speck read as a full stop after the number
    if _CJK.search(text):
        text = _LOOKALIKE.sub(lambda m: CJK_LOOKALIKES[m[0]], text)
        text = _ASCII_COMMA.sub("，", text)
    return text


def _confidence(job: _Job) -> float:
    """The cell's confidence: its least certain line's (a mark read as nothing counts, at its own
    low score). A cell with no mark at all is certainly blank: 1.0."""
    return round(min(job.scores), 4) if job.scores else 1.0
