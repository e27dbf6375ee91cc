"""Values from crawled files, made safe to show: control characters written out, no markup.

File names, and every other value of a dataset, come from crawled files: untrusted. Rich would
read "[bold red]x.txt" as markup (or crash on "a[/b]c"), ":smile:" as an emoji, and an escape
sequence would reach the terminal raw. So every such value is shown as a rich Text (no markup,
no emoji), with its control characters written out; the audit site escapes the same text.
"""

from __future__ import annotations

import unicodedata

from rich.text import Text

# Bidirectional overrides and isolates reorder what follows them; line and paragraph separators and
# the byte-order mark are invisible or break lines. Shown as escapes, like C0/C1 controls.
_FORMATTING = frozenset("\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")


def is_control(ch: str) -> bool:
    return ch in _FORMATTING or unicodedata.category(ch) in ("Cc", "Cs")  # C0, DEL, C1; lone surrogates


def visible(value: object, keep: str = "") -> str:
    """``value`` as text whose control characters (C0, DEL, C1, lone surrogates, bidi controls) are
    written out as Python writes them (``\\x1b``, ``\\n``, ``\\u202e``), except those in ``keep``."""
    text = "" if value is None else str(value)
    if text.isprintable() and _FORMATTING.isdisjoint(text):
        return text
    return "".join(repr(ch)[1:-1] if ch not in keep and is_control(ch) else ch for ch in text)


def text(value: object, style: str = "", keep: str = "") -> Text:
    """A dataset value (or a message quoting one) for rich output: literal, controls made visible."""
    return Text(visible(value, keep), style=style)
