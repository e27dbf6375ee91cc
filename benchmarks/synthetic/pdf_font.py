"""The font synthetic PDFs embed: no CJK font is installed here, and real reports carry one.

Every glyph is a plain box; what matters is the cmap (ASCII, Latin-1, general and CJK punctuation,
circled numbers, CJK ideographs, full-width forms), so the PDF carries an embedded subset font with
a ToUnicode map, as Word and WPS exports do. Built once per process with fontTools (~1 s).
"""

from __future__ import annotations

import io
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
