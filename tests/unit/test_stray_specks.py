"""Dust on a text line's rows is not part of the line: what the recogniser would read as letters
before a title (and so before the agency's name)."""

import numpy as np

from transforms.scanned_pdf import _without_stray_specks

SPECK = 5  # pixels: dust is smaller each way (1.5 pt at 240 dpi)


def _band() -> np.ndarray:
    """A 30-pixel line: specks in the margin, a title's characters, a full stop after them."""
    band = np.zeros((30, 400), bool)
    for x in (10, 40, 75):
        band[12:14, x : x + 2] = True  # scanner dust, 2 × 2 pixels
    for x in range(150, 300, 30):
        band[2:28, x : x + 20] = True  # characters
    band[24:28, 302:306] = True  # 。 right after the last character
    return band


def test_dust_apart_from_the_line_is_left_out_and_punctuation_beside_it_stays():
    columns = _without_stray_specks(_band(), SPECK)
    assert columns.min() == 150 and columns.max() == 305


def test_a_line_without_dust_keeps_every_column():
    band = _band()
    band[:, :100] = False
    assert np.array_equal(_without_stray_specks(band, SPECK), np.flatnonzero(band.any(axis=0)))


def test_a_band_of_specks_only_is_dust():
    band = np.zeros((30, 400), bool)
    band[1:3, 20:22] = band[26:28, 200:202] = band[14:16, 380:382] = True
    assert len(_without_stray_specks(band, SPECK)) == 0
    lone = np.zeros((20, 40), bool)
    lone[:, 18:21] = True  # a lone 1: its own height, not a speck
    assert len(_without_stray_specks(lone, SPECK)) == 3
