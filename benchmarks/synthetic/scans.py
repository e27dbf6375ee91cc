"""Scans of text PDFs, as an office makes them: print, stamp, scan. Image-only PDFs for the OCR reader.

Text PDFs: :func:`benchmarks.synthetic.post2019.to_pdf`, the sample's
:func:`benchmarks.synthetic.sample_forms.sample_pdf` and the pre-2019 统计表
(:func:`benchmarks.synthetic.pre2019.make_seeded` with ``form="pdf"``).

Each page is rendered at the scan's dpi (150/200/300), turned by a slight skew, speckled with
noise, optionally stamped with a red round seal (公章) over part of its table, reduced to
grayscale or kept in colour and JPEG-compressed, then written as an image-only PDF (no text
layer). Everything random comes from the seed: the same text PDF and seed give the same scan.

The text PDFs must be printed with real glyphs (:func:`benchmarks.synthetic.pdf_font.printed_glyphs`):
the synthetic box font reads as nothing.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass

SCAN_DPIS = (150, 200, 300)


@dataclass(frozen=True)
class ScanStyle:
    """How rough the scan is; the defaults are a clean office scanner's."""

    dpi: int = 200
    skew_degrees: tuple[float, float] = (0.3, 1.2)  # |angle| drawn from this range, either sign
    noise: float = 6.0  # standard deviation of the gray-level noise (0–255)
    speckles: int = 300  # dark dust points per page
    stamp: bool = True  # a red seal over part of the first page that has a table
    grayscale: bool = True  # a scanner's document mode; in colour the seal stays red
    jpeg_quality: int = 75


def scan_pdf(pdf: bytes, seed: int, style: ScanStyle = ScanStyle()) -> bytes:
    """The image-only PDF that scanning the printed ``pdf`` gives."""
    import pypdfium2 as pdfium

    rng = random.Random(seed)
    document = pdfium.PdfDocument(pdf)
    try:
        images = []
        stamped = not style.stamp
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=style.dpi / 72, grayscale=False).to_pil().convert("RGB")
            page.close()
            if not stamped and _has_table(image):
                image = _stamp(image, rng, style.dpi)
                stamped = True
            images.append(_degrade(image, rng, style))
    finally:
        document.close()
    out = io.BytesIO()
    first, *rest = images
    first.save(out, "PDF", resolution=style.dpi, save_all=True, append_images=rest)
    return out.getvalue()


def _has_table(image) -> bool:
    """A page with long dark horizontal rules: a ruled table."""
    import numpy as np

    gray = np.asarray(image.convert("L")) < 128
    return int((gray.mean(axis=1) > 0.5).sum()) >= 3


def _stamp(image, rng: random.Random, dpi: int):
    """A red round seal, 42 mm across as offices' are, over the right part of the page's table."""
    from PIL import Image, ImageDraw, ImageFont

    from benchmarks.synthetic.pdf_font import PRINT_FONTS

    size = round(42 / 25.4 * dpi)
    seal = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(seal)
    red = (215, 30, 40, 170)  # ink that lets the print show through
    ring = max(2, size // 40)
    draw.ellipse((ring, ring, size - ring, size - ring), outline=red, width=ring)
    centre = size / 2
    star = [
        (centre + r * math.sin(math.pi * k / 5), centre - r * math.cos(math.pi * k / 5))
        for k, r in zip(range(10), [size * 0.12, size * 0.05] * 5, strict=True)
    ]
    draw.polygon(star, fill=red)
    path, index = PRINT_FONTS["song"]
    font = ImageFont.truetype(path, size // 9, index=index)
    text = "桃源县人民政府办公室"
    for k, char in enumerate(text):  # the agency's name around the upper arc
        angle = math.radians(-150 + 300 * k / (len(text) - 1))
        x, y = centre + size * 0.36 * math.sin(angle), centre - size * 0.36 * math.cos(angle)
        glyph = Image.new("RGBA", (size // 8, size // 8), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((0, 0), char, font=font, fill=red)
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.BICUBIC)
        seal.alpha_composite(glyph, (round(x - glyph.width / 2), round(y - glyph.height / 2)))
    width, height = image.size
    x = round(width * rng.uniform(0.55, 0.7))
    y = round(height * rng.uniform(0.3, 0.6))
    # Ink on ink multiplies: the seal reddens white paper, the black print under it stays black.
    import numpy as np

    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    layer.alpha_composite(seal, (x, y))
    rgba = np.asarray(layer, dtype=np.float32) / 255
    alpha = rgba[..., 3:]
    page = np.asarray(image, dtype=np.float32)
    return Image.fromarray((page * (1 - alpha + alpha * rgba[..., :3])).astype(np.uint8))


def _degrade(image, rng: random.Random, style: ScanStyle):
    """Skew, noise, dust, grayscale and JPEG, as the scanner leaves the page."""
    import numpy as np
    from PIL import Image

    angle = rng.uniform(*style.skew_degrees) * rng.choice((-1, 1))
    image = image.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    pixels = np.asarray(image.convert("L") if style.grayscale else image, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32))
    pixels = pixels + noise.normal(0, style.noise, pixels.shape)
    ys = noise.integers(0, pixels.shape[0], style.speckles)
    xs = noise.integers(0, pixels.shape[1], style.speckles)
    dust = noise.uniform(0, 120, style.speckles)
    pixels[ys, xs] = dust[:, None] if pixels.ndim == 3 else dust
    degraded = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    degraded.save(out, "JPEG", quality=style.jpeg_quality)  # the scanner's compression artefacts
    return Image.open(io.BytesIO(out.getvalue()))
