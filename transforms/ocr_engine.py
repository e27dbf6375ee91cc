"""Text recognition of line images: PP-OCRv4's Chinese recogniser, as shipped inside the
rapidocr-onnxruntime wheel (no model download), run by onnxruntime.

Only the recogniser is loaded (not the detector or the angle classifier): the scanned-page reader
finds the text lines itself, from the table grid and the page's ink, and a line crop is all the
recogniser needs; recognition alone is several times faster than detection and recognition.
The model loads on first use, once per process, never at import.
"""

from __future__ import annotations

import threading
from functools import lru_cache

# One line image per onnxruntime run, on one thread: measured on this 2-core machine, batches
# (padded to their widest line) and intra-op threads were slower, and parse workers already run
# one per core.
RECOGNITION_BATCH = 1
RECOGNITION_THREADS = 1
# The narrowest input the recogniser pads a line to (its default, 320 pixels wide, made every short
# number cost as much as a sentence): 48 is one character's square, three times faster on digits.
RECOGNITION_MIN_WIDTH = 48

# What the recogniser reads for a digit in a cell that holds only a number: the letter I or l for
# 1, O or o (or the full stop 。) for 0. The reader reads them as the digit there; a glyph's
# confidence is therefore what its look-alikes score together (a lone 0 scores 0.5–0.8 as "0"
# and 0.1–0.4 as "o": measured on scans at 200 dpi).
DIGIT_LOOKALIKES = {"I": "1", "l": "1", "|": "1", "O": "0", "o": "0", "。": "0"}

_LOCK = threading.Lock()  # one model per process, even when threads ask for it at once


@lru_cache(maxsize=1)
def _recognizer():
    from pathlib import Path

    import rapidocr_onnxruntime
    from rapidocr_onnxruntime.ch_ppocr_rec import TextRecognizer
    from rapidocr_onnxruntime.utils import read_yaml, update_model_path

    config = update_model_path(read_yaml(str(Path(rapidocr_onnxruntime.__file__).parent / "config.yaml")))
    rec = dict(
        config["Rec"],
        rec_batch_num=RECOGNITION_BATCH,
        intra_op_num_threads=RECOGNITION_THREADS,
        inter_op_num_threads=RECOGNITION_THREADS,
        rec_img_shape=[3, 48, RECOGNITION_MIN_WIDTH],
    )
    recognizer = TextRecognizer(rec)
    _score_by_least_sure_character(recognizer.postprocess_op)
    recognizer.postprocess_op = _LookalikesScoredTogether(recognizer.postprocess_op)
    return recognizer


def _score_by_least_sure_character(decoder) -> None:
    """A line's confidence is its least sure character's probability, not the mean of them all:
    one misread digit in a long number hardly moves the mean (a wrong 1288 read at 0.99), while
    its own probability is low, and that one digit is what makes the number wrong."""
    decode = decoder.decode

    def least_sure(text_index, text_prob=None, return_word_box=False, is_remove_duplicate=False):
        lines = decode(text_index, text_prob, True, is_remove_duplicate)
        return [(text, min(info[4]) if info[4] else 0.0) for text, _, info in lines]

    decoder.decode = least_sure


class _LookalikesScoredTogether:
    """The recogniser's decoder, with each character's probability that of its look-alike group
    (``DIGIT_LOOKALIKES``: 0, O, o and 。 are one digit) rather than of the one glyph that won."""

    def __init__(self, decoder) -> None:
        import numpy as np

        self.decoder = decoder
        index = {char: i for i, char in enumerate(decoder.character)}
        digits = sorted(set(DIGIT_LOOKALIKES.values()))
        self.groups = [
            np.array([index[c] for c in (digit, *[k for k, v in DIGIT_LOOKALIKES.items() if v == digit]) if c in index])
            for digit in digits
        ]

    def __call__(self, preds, return_word_box: bool = False, **kwargs):
        import numpy as np

        best = preds.argmax(axis=2)
        probability = preds.max(axis=2)
        for group in self.groups:
            members = np.isin(best, group)
            if members.any():
                probability[members] = preds[..., group].sum(axis=2)[members]
        return self.decoder.decode(best, probability, return_word_box, is_remove_duplicate=True)


def recognise_lines(images: list) -> list[tuple[str, float]]:
    """Each line image's (text, confidence 0–1). ``images``: grayscale uint8 arrays, one text line each."""
    import cv2

    if not images:
        return []
    with _LOCK:
        recognizer = _recognizer()
    colour = [cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) for image in images]
    results, _ = recognizer(colour)
    return [(text, float(score)) for text, score in results]
