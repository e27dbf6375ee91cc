"""The table grid of a page image: straightened, its rules found, merged cells as a text PDF gives them."""

import numpy as np
import pytest

from transforms.table_grid import find_tables, ink_mask, skew_angle, straighten

DPI = 100  # 1 point = 100/72 pixels


def _page(angle: float = 0.0) -> np.ndarray:
    """A white page with one ruled 3 × 3 table: the first column's last two cells merged (a rowspan),
    the top row's last two merged (a colspan), glyph-like strokes inside cells, and a ring (a seal)."""
    import cv2

    page = np.full((600, 500), 255, np.uint8)
    xs, ys = [50, 200, 320, 450], [100, 160, 220, 280]
    for y in ys:
        cv2.line(page, (xs[0], y), (xs[-1], y), 0, 1)
    for x in xs:
        cv2.line(page, (x, ys[0]), (x, ys[-1]), 0, 1)
    page[ys[0] + 1 : ys[1], xs[2] - 1 : xs[2] + 2] = 255  # colspan: no rule between the top row's last two
    page[ys[2] - 1 : ys[2] + 2, xs[0] + 1 : xs[1]] = 255  # rowspan: no rule between the first column's last two
    for x in (70, 90, 230, 350):  # strokes of digits and characters
        cv2.line(page, (x, ys[1] + 15), (x, ys[1] + 40), 0, 2)
    cv2.putText(page, "2018", (60, 140), cv2.FONT_HERSHEY_SIMPLEX, 0.8, 0, 2)
    cv2.circle(page, (330, 290), 60, 140, 5)  # a gray seal ring across the rules at the bottom right
    if angle:
        matrix = cv2.getRotationMatrix2D((250, 300), angle, 1.0)
        page = cv2.warpAffine(page, matrix, (500, 600), flags=cv2.INTER_LINEAR, borderValue=255)
    return page


def test_straight_grid_with_merged_cells():
    (table,) = find_tables(ink_mask(_page(), DPI), DPI)
    present = [[cell is not None for cell in row] for row in table.rows]
    # Row 1: the colspan's copy is None; row 3: the rowspan's copy is None (pdfplumber's reading).
    assert present == [[True, True, False], [True, True, True], [False, True, True]]
    assert table.rows[1][0] is not None and table.rows[2][0] is None
    first = table.rows[1][0]
    assert first is not None and abs(first[0] - 50) <= 2 and abs(first[3] - 280) <= 2  # spans two rows


@pytest.mark.parametrize("angle", [0.6, -1.1])
def test_skewed_page_is_straightened_then_read(angle):
    page = _page(angle)
    found = skew_angle(ink_mask(page, DPI), DPI)
    assert abs(found + angle) <= 0.1  # turning back by the scan's own angle
    (table,) = find_tables(ink_mask(straighten(page, found), DPI), DPI)
    assert [sum(cell is not None for cell in row) for row in table.rows] == [2, 3, 2]


def test_blank_page_has_no_table():
    assert find_tables(ink_mask(np.full((300, 200), 255, np.uint8), DPI), DPI) == []
