"""A number's minus sign, seen in its ink: what the reader checks the recogniser's reading against."""

import numpy as np
import pytest

from transforms.scanned_pdf import has_minus_sign


def _line(text: str, scale: float = 0.9) -> np.ndarray:
    import cv2

    image = np.full((44, 160), 255, np.uint8)
    cv2.putText(image, text, (8, 32), cv2.FONT_HERSHEY_SIMPLEX, scale, 0, 2)
    return image


@pytest.mark.parametrize("text", ["-17", "-5", "-120", "-2,517"])
def test_a_minus_sign_before_the_digits_is_seen(text):
    assert has_minus_sign(_line(text))


@pytest.mark.parametrize("text", ["17", "0", "2517", "1-2", "4.5"])
def test_digits_alone_have_none(text):
    assert not has_minus_sign(_line(text))


def test_a_speck_is_no_sign():
    image = _line("17")
    image[20:22, 2:4] = 0  # dust before the number: too small to be a sign
    assert not has_minus_sign(image)
    image[14:30, 2:5] = 0  # a tall mark (a rule's remnant): not flat
    assert not has_minus_sign(image)


def test_a_sign_blurred_into_its_digit_is_seen():
    """At 150 dpi a minus sign touches the digit after it: one blob, whose first columns are flat."""
    import cv2

    image = np.full((44, 160), 255, np.uint8)
    cv2.putText(image, "9", (30, 32), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    cv2.line(image, (10, 20), (32, 20), 0, 2)  # the dash, run into the 9's bowl
    assert has_minus_sign(image)
    assert has_minus_sign(cv2.resize(image, None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA))
