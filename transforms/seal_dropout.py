"""A page image in gray levels without its office's seal (公章), so the print under it can be read.

Offices stamp the report's last page, often over its table. In a colour scan the seal is red: red
ink passes red light, so the red channel shows the black print under the seal and not the seal
(a scanner's red dropout). In a grayscale scan the seal is a uniform mid-gray. Its ring is found
as a circle of a seal's size drawn in mid-gray strokes wider than print's (a Hough transform),
the ring's band as the radii where that gray covers most of the circle, and its star as a solid
gray body in the middle; there the seal's ink is divided out by its own gray level. Ink
multiplies, so print under the seal is the seal's gray times its own: divided by the seal's level
it is as dark as elsewhere, and the seal's ink becomes paper. The seal's characters are as thin
and as gray as print, and stay: :func:`dark_print` keeps only what is darker than the seal's ink,
for a second reading of the cells under it, and what is read there the tables' arithmetic checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEAL_REDNESS = 30  # a pixel this many levels redder than green and blue is a seal's ink, not print
SEAL_PRINT_LEVEL = 160  # under a red seal, only what is darker than this in red light is print
# A seal's ink in a grayscale scan: red ink at offices' density is 120–160; print is darker, and
# its thin strokes' mid-gray is narrower than the seal's ring.
SEAL_GRAY_LEVELS = (90, 190)
SEAL_SIZE_MM = (20.0, 70.0)  # a seal's diameter (offices' round seals are 38–45 mm across)
SEAL_MIN_INK_MM2 = 30.0  # a 40 mm ring 1 mm wide is ~125 mm²: a page with less broad gray has no seal
SEAL_HOUGH_VOTES = 40  # Hough accumulator votes for a ring (measured: seals' rings at 150–300 dpi)
SEAL_RING_SEARCH_MM = 3.0  # the ring's band is looked for this far either side of the circle found
SEAL_CENTRE_SHIFTS = (-2, -1, 0, 1, 2)  # pixels: the Hough centre, at half resolution, is this near
SEAL_RING_COVERAGE = 0.5  # a radius where broad gray covers this share of the circle is the ring's
SEAL_STAR_BODY_MM = 0.8  # a gray shape this thick in the seal's middle is its star: strokes are thinner
SEAL_LEVEL_PERCENTILE = 30  # the seal's ink level: its broad parts' gray, lighter edges left out
SEAL_PAPER = 0.8  # under a seal, what is lighter than this (of white) after dividing it out is paper
SEAL_DARK_PRINT = 0.8  # under a seal, print is what is darker than this share of its ink's level
SEAL_EDGE = 15  # beside a seal's ink, what is this much lighter than the ink is its blurred edge


Box = tuple[int, int, int, int]  # left, top, right, bottom in pixels


@dataclass(frozen=True)
class Seal:
    box: Box  # the seal's square on the page
    level: float  # its ink's gray level


def overlaps(box: Box, seals: list[Seal]) -> bool:
    left, top, right, bottom = box
    return any(left < s.box[2] and s.box[0] < right and top < s.box[3] and s.box[1] < bottom for s in seals)


def dark_print(gray: np.ndarray, seals: list[Seal]) -> np.ndarray:
    """``gray`` with only what is darker than each seal's ink inside its box: print there, without
    the seal's characters (as gray as its ring) and without print's own lighter edges."""
    out = gray.copy()
    for seal in seals:
        left, top, right, bottom = seal.box
        patch = out[top:bottom, left:right]
        patch[patch > SEAL_DARK_PRINT * seal.level] = 255
    return out


def print_gray(pixels: np.ndarray) -> np.ndarray:
    """The page (BGR or BGRA as PDFium renders it, or gray) in gray levels, without a red seal."""
    import cv2

    if pixels.ndim == 2 or pixels.shape[2] == 1:
        return np.ascontiguousarray(pixels.reshape(pixels.shape[:2]))

    blue, green, red = (pixels[..., i] for i in range(3))  # PDFium renders BGR(A)
    seal = ((red.astype(np.int16) - np.maximum(green, blue)) > SEAL_REDNESS).astype(np.uint8)
    seal = cv2.dilate(seal, np.ones((5, 5), np.uint8)).astype(bool)  # and its edge, blurred by JPEG
    gray = cv2.cvtColor(np.ascontiguousarray(pixels[..., :3]), cv2.COLOR_BGR2GRAY)
    # Print under the seal is dark in red light; the seal's own edges, where JPEG blurred its
    # colour, are only a lighter gray there: paper.
    gray[seal] = np.where(red[seal] > SEAL_PRINT_LEVEL, np.uint8(255), red[seal])
    return gray


def without_gray_seal(gray: np.ndarray, dpi: float) -> tuple[np.ndarray, list[Seal]]:
    """``gray`` without the ring and star of a seal in gray ink, and the seals' boxes: what is read
    there is read through the seal's remaining strokes (its characters)."""
    import cv2

    mm = dpi / 25.4
    low, high = SEAL_GRAY_LEVELS
    mid = ((gray >= low) & (gray <= high)).astype(np.uint8)
    broad = cv2.erode(mid, np.ones((3, 3), np.uint8))  # mid-gray 3 pixels across: no print's edge
    if np.count_nonzero(broad) < SEAL_MIN_INK_MM2 * mm * mm:
        return gray, []
    out, seals = gray, []
    for centre_x, centre_y, radius in _rings(broad, mm):
        reach = round(radius + SEAL_RING_SEARCH_MM * mm)
        left, top = max(0, round(centre_x) - reach), max(0, round(centre_y) - reach)
        right, bottom = min(gray.shape[1], round(centre_x) + reach), min(gray.shape[0], round(centre_y) + reach)
        area = (slice(top, bottom), slice(left, right))
        ys, xs = np.mgrid[top:bottom, left:right]
        distance = _distance_from_centre(broad[area], xs - centre_x, ys - centre_y, radius, mm)
        ring = _ring_band(broad[area].astype(bool), distance, radius, mm)
        if ring is None:
            continue
        star = _star(broad[area], distance, radius, mm, cv2)
        seal_ink = cv2.dilate((ring | star).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        ink = seal_ink & mid[area].astype(bool)
        level = float(np.percentile(gray[area][ring], SEAL_LEVEL_PERCENTILE))
        # The seal's ink is divided out: print under it is as dark as elsewhere, the ink paper.
        # Beside it, where JPEG blurred its edge, what is lighter than its ink is paper; a
        # printed rule there is as dark as the ink, and stays.
        edge = cv2.dilate(seal_ink.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool) & ~ink
        if out is gray:
            out = gray.copy()
        patch = out[area].astype(np.float32)
        lifted = np.minimum(255.0, patch[ink] * (255.0 / level))
        patch[ink] = np.where(lifted > SEAL_PAPER * 255, 255.0, lifted)
        patch[edge & (patch > level + SEAL_EDGE)] = 255.0
        out[area] = patch.astype(np.uint8)
        seals.append(Seal((left, top, right, bottom), level))
    return out, seals


def _rings(broad: np.ndarray, mm: float) -> list[tuple[float, float, float]]:
    """Circles (centre x, y and radius in pixels) of a seal's size drawn in broad mid-gray strokes:
    a Hough transform at half resolution (a ring is wide enough to keep its shape there)."""
    import cv2

    half = cv2.GaussianBlur(cv2.resize(broad * 255, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), (5, 5), 0)
    smallest, largest = (size / 2 * mm / 2 for size in SEAL_SIZE_MM)
    found = cv2.HoughCircles(
        half, cv2.HOUGH_GRADIENT, dp=1, minDist=largest * 2, param1=100, param2=SEAL_HOUGH_VOTES,
        minRadius=round(smallest), maxRadius=round(largest),
    )  # fmt: skip
    return [] if found is None else [(float(x) * 2, float(y) * 2, float(r) * 2) for x, y, r in found[0]]


def _distance_from_centre(broad: np.ndarray, dx: np.ndarray, dy: np.ndarray, radius: float, mm: float) -> np.ndarray:
    """Each pixel's distance from the ring's centre. The Hough circle is found at half resolution:
    the centre, to a pixel, is where the ring covers its circle best."""
    shifts = [(x, y) for x in SEAL_CENTRE_SHIFTS for y in SEAL_CENTRE_SHIFTS]
    best = max(shifts, key=lambda s: _peak_coverage(broad, np.hypot(dx - s[0], dy - s[1]), radius, mm))
    return np.hypot(dx - best[0], dy - best[1])


def _coverage(broad: np.ndarray, distance: np.ndarray, radius: float, mm: float) -> np.ndarray:
    """For each whole radius around ``radius``, the share of its circle that broad gray ink covers."""
    near = np.abs(distance - radius) <= SEAL_RING_SEARCH_MM * mm
    radii = np.round(distance[near]).astype(int)
    total = np.bincount(radii)
    inked = np.bincount(radii, weights=broad[near].astype(float), minlength=len(total))
    return np.divide(inked, total, out=np.zeros(len(total)), where=total > 0)


def _peak_coverage(broad: np.ndarray, distance: np.ndarray, radius: float, mm: float) -> float:
    return float(_coverage(broad, distance, radius, mm).max(initial=0.0))


def _ring_band(broad: np.ndarray, distance: np.ndarray, radius: float, mm: float) -> np.ndarray | None:
    """The ring's pixels: the radii around ``radius`` where broad gray ink covers most of the
    circle (print crossing it covers a few per cent); None when no band does (no ring)."""
    band = np.flatnonzero(_coverage(broad, distance, radius, mm) >= SEAL_RING_COVERAGE)
    if not len(band):
        return None
    inner, outer = int(band.min()), int(band.max())
    return (distance >= inner - 1) & (distance <= outer + 1) & broad


def _star(broad: np.ndarray, distance: np.ndarray, radius: float, mm: float, cv2) -> np.ndarray:
    """Solid gray shapes in the seal's middle (its star, in pieces where print crosses it): a
    body thicker than any printed stroke."""
    thick = max(3, round(SEAL_STAR_BODY_MM * mm))
    solid = cv2.erode(broad, np.ones((thick, thick), np.uint8)).astype(bool) & (distance <= 0.5 * radius)
    if not solid.any():
        return np.zeros(broad.shape, bool)
    _, labels = cv2.connectedComponents(broad)
    return np.isin(labels, np.unique(labels[solid])) & broad.astype(bool)
