"""Normalise printed row labels so that the same indicator matches however it was typeset."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Numbering in front of a label: 一、 （一） (一) 1. 1、 1） and the 其中： lead-in.
_NUMBERING = re.compile(
    r"^(?:"
    r"[一二三四五六七八九十]+[、.．,，]"
    r"|[(（][一二三四五六七八九十]+[)）][、.．]?"
    r"|\d+[.、．)）]"
    r"|[(（]\d+[)）]"
    r"|其中[:：]?"
    r")"
)
_PARENTHETICAL = re.compile(r"[(（][^()（）]*[)）]")
_DROP = re.compile(r"[\s:：;；,，。.、“”\"'‘’]")


@lru_cache(maxsize=65536)  # the same few hundred labels recur in every report
def normalize_label(label: str) -> str:
    """Match key for a label: no numbering, notes in brackets, spacing or punctuation.

    >>> normalize_label("　　（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）")
    '主动公开政府信息数'
    >>> normalize_label("其中：主要负责同志参加新闻发布会次数")
    '主要负责同志参加新闻发布会次数'
    """
    text = unicodedata.normalize("NFKC", label)
    text = re.sub(r"\s+", "", text)
    # Numbering may be stacked ("1.其中："), so strip repeatedly.
    while True:
        stripped = _NUMBERING.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    previous = None
    while previous != text:  # nested brackets: strip innermost first
        previous, text = text, _PARENTHETICAL.sub("", text)
    return _DROP.sub("", text)


_NUMBERING_LEVELS = (
    (1, re.compile(r"[一二三四五六七八九十]+[、.．]")),
    (2, re.compile(r"\([一二三四五六七八九十]+\)")),
    (3, re.compile(r"\d+[.、．)]")),
)


def numbering_level(label: str) -> int | None:
    """Outline level implied by the label's numbering: 1 for 一、, 2 for （一）, 3 for 1., else None."""
    text = unicodedata.normalize("NFKC", label).lstrip()
    for level, pattern in _NUMBERING_LEVELS:
        if pattern.match(text):
            return level
    return None


@lru_cache(maxsize=65536)  # every cell of a row, and the same labels in every report
def clean_label(label: str) -> str:
    """The label as printed, with wrapped lines joined and outer spacing removed."""
    return " ".join(label.split())
