"""The font synthetic PDFs embed: no CJK font is installed here, and real reports carry one.

Every glyph is a plain box; what matters is the cmap (ASCII, Latin-1, general and CJK punctuation,
circled numbers, CJK ideographs, full-width forms), so the PDF carries an embedded subset font with
a ToUnicode map, as Word and WPS exports do. Built once per process with fontTools (~1 s).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

PDF_FONT = "XxgkSyntheticCJK"


@lru_cache(maxsize=1)
def register_pdf_font() -> str:
    """Register the font with reportlab (once) and return its name."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    ranges = [
        (0x20, 0x7E),
        (0xA0, 0xFF),
        (0x2010, 0x206F),
        (0x2460, 0x24FF),
        (0x3000, 0x303F),
        (0x4E00, 0x9FFF),
        (0xFF01, 0xFF5E),
    ]
    codes = [code for start, end in ranges for code in range(start, end + 1)]
    names = [".notdef", *(f"u{code:04X}" for code in codes)]
    pen = TTGlyphPen(None)
    pen.moveTo((50, -120))
    for point in ((50, 800), (950, 800), (950, -120)):
        pen.lineTo(point)
    pen.closePath()
    box = pen.glyph()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({code: f"u{code:04X}" for code in codes})
    builder.setupGlyf(dict.fromkeys(names, box))
    builder.setupHorizontalMetrics({n: (500 if n != ".notdef" and int(n[1:], 16) < 0x2000 else 1000, 0) for n in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": PDF_FONT, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, sTypoDescender=-120, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    data = io.BytesIO()
    builder.save(data)
    data.seek(0)
    pdfmetrics.registerFont(TTFont(PDF_FONT, data))
    return PDF_FONT


# Fonts with real glyphs, for PDFs that are printed and scanned (a box glyph reads as nothing):
# Debian's fonts-arphic-uming (a 宋体-like serif, what most reports are set in) and
# fonts-wqy-microhei (a 黑体-like sans). (path, index in the collection)
PRINT_FONTS = {
    "song": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    "hei": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
}


@contextmanager
def printed_glyphs(style: str = "song") -> Iterator[None]:
    """Within the block, PDFs built with :func:`register_pdf_font` carry a real CJK font's glyphs
    (same name, so every generator's ``to_pdf`` prints with it unchanged); the box font after."""
    from pathlib import Path

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path, index = PRINT_FONTS[style]
    if not Path(path).exists():
        raise FileNotFoundError(f"{path}: install Debian's {Path(path).parent.name} fonts to print scans")
    register_pdf_font()
    boxes = pdfmetrics.getFont(PDF_FONT)
    # registerFont keeps the first font of a name, so the registry entry is swapped directly.
    pdfmetrics._fonts[PDF_FONT] = TTFont(PDF_FONT, path, subfontIndex=index)
    try:
        yield
    finally:
        pdfmetrics._fonts[PDF_FONT] = boxes
