"""A seal over a table, dropped from the page image: in red light for a colour scan, by its broad
mid-gray strokes for a grayscale one; print under it stays."""

import numpy as np

from transforms.seal_dropout import print_gray, without_gray_seal

DPI = 200
MM = DPI / 25.4


def _printed_page() -> np.ndarray:
    """White paper with black print: a row of thick strokes (digits) and a ruled line."""
    import cv2

    page = np.full((900, 900), 255, np.uint8)
    cv2.line(page, (50, 450), (850, 450), 0, 2)  # a table's rule
    for x in range(300, 600, 40):
        cv2.line(page, (x, 400), (x, 440), 20, 4)  # print strokes, some under the seal
    cv2.line(page, (100, 300), (250, 300), 130, 1)  # a thin stroke printed gray (anti-aliased print)
    return page


def _seal_factor(shape: tuple[int, int], level: int) -> np.ndarray:
    """A seal's ink as a multiplier: a ring 42 mm across and a filled star-like disc, at ``level``."""
    import cv2

    ink = np.zeros(shape, np.uint8)
    centre, radius = (480, 430), round(21 * MM)
    cv2.circle(ink, centre, radius, 1, round(1.2 * MM))
    cv2.circle(ink, centre, round(4 * MM), 1, -1)
    return np.where(ink.astype(bool), level / 255, 1.0)


def test_gray_seal_is_divided_out_and_print_under_it_stays():
    page = _printed_page()
    stamped = (page * _seal_factor(page.shape, 140)).astype(np.uint8)  # ink on ink multiplies
    out, seals = without_gray_seal(stamped, DPI)
    assert len(seals) == 1
    left, top, right, bottom = seals[0].box
    assert 130 <= seals[0].level <= 150
    assert 42 * MM <= right - left <= 50 * MM and 42 * MM <= bottom - top <= 50 * MM  # the ring, and a margin
    ring = _seal_factor(page.shape, 140) < 1
    paper_under_seal = ring & (page == 255)
    assert (out[paper_under_seal] >= 250).mean() > 0.97  # the seal's ink is paper again
    print_under_seal = ring & (page < 60)
    assert print_under_seal.any() and (out[print_under_seal] < 100).all()  # the print is not
    assert (out[page < 60] < 100).all()


def test_page_without_a_seal_is_unchanged():
    page = _printed_page()
    out, seals = without_gray_seal(page, DPI)
    assert seals == [] and np.array_equal(out, page)
    shaded = page.copy()
    shaded[100:160, 50:850] = 170  # a shaded header row: wide, thin, not round
    out, seals = without_gray_seal(shaded, DPI)
    assert seals == [] and np.array_equal(out, shaded)


def test_red_seal_drops_out_in_red_light():
    page = _printed_page()
    bgr = np.repeat(page[..., None], 3, axis=2).astype(np.float32)
    ring = _seal_factor(page.shape, 140) < 1
    bgr[ring] *= np.array([40 / 255, 30 / 255, 215 / 255])  # red ink (BGR) multiplies the paper
    gray = print_gray(bgr.astype(np.uint8))
    assert (gray[ring & (page == 255)] == 255).all()
    assert (gray[ring & (page < 60)] < 60).all()
