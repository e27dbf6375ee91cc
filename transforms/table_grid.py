"""The ruled tables of a page image: the page straightened, its ruling lines found, and the cells
they bound, as the text-PDF reader finds them from drawn lines.

Ruling lines are what is left of the ink after a morphological opening with a long thin kernel
(horizontal, then vertical): text strokes are shorter than the kernel, a table's lines are longer.
The lines become pdfplumber edges in PDF points, and pdfplumber's own table finder (with the
text-PDF reader's indexed cell search) turns them into cells, so merged cells (rowspans, colspans)
come out as they do from a text PDF: a cell in the row and column it starts in, None where it spans.
A red seal's ring leaves short curved pieces, thicker than a printed rule: those are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Sizes on the printed page, in points (1/72 inch), turned into pixels at the page's dpi.
RULE_MIN_HORIZONTAL = 24.0  # a horizontal rule spans at least this (a narrow cell is ~30 pt)
RULE_MIN_VERTICAL = 6.0  # a vertical rule at least this: a row is ~12 pt and more, a glyph's stroke less
RULE_MAX_THICKNESS = 1.5  # thicker than this (a seal's ring, a filled shape) is no rule
RULE_END_SLACK = 3.0  # a rule ends on another within this (pdfplumber's own intersection tolerance)
DESKEW_RANGE = 3.0  # degrees either way a scan may be turned
DESKEW_STEP = 0.1  # first search step (degrees), then refined to a tenth of it
DESKEW_DPI = 72  # the page is straightened by searching a copy at this resolution
INK_BLOCK = 1 / 6  # inches: the neighbourhood the ink threshold adapts to (uneven scan lighting)
INK_CONTRAST = 20  # gray levels darker than the neighbourhood that count as ink (scan noise is ~6)

Rect = tuple[int, int, int, int]  # x, y, width, height in pixels


@dataclass(frozen=True)
class GridTable:
    """One table: its rows, each a list of cell boxes in pixels (left, top, right, bottom), None
    where a merged cell from the left or above covers the position."""

    rows: list[list[tuple[int, int, int, int] | None]]
    bbox: tuple[int, int, int, int]


def ink_mask(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Dark marks (255) on a light page (0), against the local background."""
    import cv2

    block = max(3, int(dpi * INK_BLOCK) | 1)
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    return cv2.adaptiveThreshold(smooth, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, INK_CONTRAST)


def skew_angle(ink: np.ndarray, dpi: float) -> float:
    """The angle (degrees, counter-clockwise) that straightens the page: text lines and rules are
    horizontal when the rows' ink is most concentrated (projection profile)."""
    import cv2

    scale = min(1.0, DESKEW_DPI / dpi)
    small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    height, width = small.shape
    centre = (width / 2, height / 2)

    def sharpness(angle: float) -> float:
        turned = cv2.warpAffine(small, cv2.getRotationMatrix2D(centre, angle, 1.0), (width, height))
        profile = turned.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    best = max(np.arange(-DESKEW_RANGE, DESKEW_RANGE + 1e-9, DESKEW_STEP), key=sharpness)
    fine = DESKEW_STEP / 10
    return float(max(np.arange(best - DESKEW_STEP, best + DESKEW_STEP + 1e-9, fine), key=sharpness))


def straighten(gray: np.ndarray, angle: float) -> np.ndarray:
    import cv2

    if abs(angle) < 0.01:
        return gray
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)


def _rules(ink: np.ndarray, dpi: float, horizontal: bool) -> list[Rect]:
    """Rules as boxes (x, y, width, height): the ink that survives opening with a long thin kernel,
    kept only where it is as thin as a printed rule and straight. A seal's ring that crosses a rule
    merges with it; the rule is kept across the crossing, the ring's own pieces are dropped."""
    import cv2

    points = dpi / 72
    length = max(3, round((RULE_MIN_HORIZONTAL if horizontal else RULE_MIN_VERTICAL) * points))
    kernel = np.ones((1, length) if horizontal else (length, 1), np.uint8)
    mask = cv2.morphologyEx(ink if horizontal else ink.T.copy(), cv2.MORPH_OPEN, kernel if horizontal else kernel.T)
    # Worked on as horizontal: a vertical rule is a horizontal one of the transposed page.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    thickest = max(2, round(RULE_MAX_THICKNESS * points) + 2)  # + the blur of scanning
    boxes = []
    for index in range(1, count):
        x, y, w, h, _ = (int(v) for v in stats[index])
        if h <= thickest:
            box = (x, y, w, h)
        else:
            columns = labels[y : y + h, x : x + w] == index
            heights = columns.sum(axis=0)
            middles = (columns * np.arange(h)[:, None]).sum(axis=0) / np.maximum(heights, 1)
            thin = (heights > 0) & (heights <= thickest)
            if thin.sum() < 0.6 * w:
                continue  # mostly thick or curved: a seal, a filled shape
            middle = float(np.median(middles[thin]))
            straight = thin & (np.abs(middles - middle) <= thickest / 2)
            if straight.sum() < 0.6 * w:
                continue
            kept = np.flatnonzero(straight)
            box = (x + int(kept[0]), y + round(middle) - 1, int(kept[-1] - kept[0]) + 1, 3)
        if box[2] >= length:
            boxes.append(box if horizontal else (box[1], box[0], box[3], box[2]))
    return boxes


def _joined(rules: list[Rect], slack: int, horizontal: bool) -> list[Rect]:
    """The rules, and beside them the pieces of one rule that a scan (or a seal's ink over it)
    broke apart joined again: on the same line, with a gap of at most ``slack``. The pieces stay
    too, as a glyph's stroke joined onto a rule's end would leave the rule unframed."""
    # (position across, start, end along, thickness), the rule's own axis first
    spans = sorted(
        ((y, x, x + w, h) if horizontal else (x, y, y + h, w) for x, y, w, h in rules), key=lambda s: (s[0], s[1])
    )
    joined: list[list[int]] = []
    for position, start, end, thickness in spans:
        for rule in reversed(joined[-8:]):  # the few last pieces: one line's pieces sort together
            if abs(rule[0] - position) <= 2 and start <= rule[2] + slack:
                rule[2] = max(rule[2], end)
                break
        else:
            joined.append([position, start, end, thickness])
    if horizontal:
        whole = [(start, position, end - start, thickness) for position, start, end, thickness in joined]
    else:
        whole = [(position, start, thickness, end - start) for position, start, end, thickness in joined]
    pieces = set(rules)
    return rules + [rule for rule in whole if rule not in pieces]


def _framed(rules: list[Rect], across: list[Rect], slack: int, horizontal: bool) -> list[Rect]:
    """The rules whose both ends meet a rule across them: a table's rules end on other rules, a
    glyph's stroke that survived the opening does not (and pdfplumber's snapping would average it
    into a nearby rule, moving it)."""

    def meets(end: int, position: int, other: Rect) -> bool:
        x, y, w, h = other
        if horizontal:  # the other is vertical: it spans ``position`` (y) and sits at ``end`` (x)
            return x - slack <= end <= x + w + slack and y - slack <= position <= y + h + slack
        return y - slack <= end <= y + h + slack and x - slack <= position <= x + w + slack

    kept = []
    for rule in rules:
        x, y, w, h = rule
        first, last, position = (x, x + w, y + h // 2) if horizontal else (y, y + h, x + w // 2)
        if any(meets(first, position, o) for o in across) and any(meets(last, position, o) for o in across):
            kept.append(rule)
    return kept


def ruling_edges(ink: np.ndarray, dpi: float) -> list[dict]:
    """The page's rules as pdfplumber edges, in points from the top left."""
    scale = 72 / dpi
    slack = round(RULE_END_SLACK * dpi / 72)
    horizontal = _joined(_rules(ink, dpi, horizontal=True), slack, horizontal=True)
    vertical = _joined(_rules(ink, dpi, horizontal=False), slack, horizontal=False)
    edges = []
    for x, y, w, h in _framed(horizontal, vertical, slack, horizontal=True):
        top = (y + h / 2) * scale
        edges.append(
            {"x0": x * scale, "x1": (x + w) * scale, "top": top, "bottom": top, "width": w * scale,
             "height": 0.0, "orientation": "h", "object_type": "curve_edge"}
        )  # fmt: skip
    for x, y, w, h in _framed(vertical, horizontal, slack, horizontal=False):
        left = (x + w / 2) * scale
        edges.append(
            {"x0": left, "x1": left, "top": y * scale, "bottom": (y + h) * scale, "width": 0.0,
             "height": h * scale, "orientation": "v", "object_type": "curve_edge"}
        )  # fmt: skip
    return edges


@dataclass(frozen=True)
class _Page:
    """What pdfplumber's table finder reads of a page."""

    chars: list[dict]
    edges: list[dict]
    bbox: tuple[float, float, float, float]


def find_tables(ink: np.ndarray, dpi: float) -> list[GridTable]:
    """The page's ruled tables, top to bottom, with their cells in pixels."""
    from transforms.pdf_document import grid_tables  # the text-PDF reader's table finder

    height, width = ink.shape
    scale = 72 / dpi
    page = _Page([], ruling_edges(ink, dpi), (0.0, 0.0, width * scale, height * scale))

    def pixels(box) -> tuple[int, int, int, int]:
        return tuple(round(v / scale) for v in box)  # type: ignore[return-value]

    tables = []
    for table in grid_tables(page):
        rows = [[None if cell is None else pixels(cell) for cell in row.cells] for row in table.rows]
        tables.append(GridTable(rows, pixels(table.bbox)))
    return sorted(tables, key=lambda t: t.bbox[1])
