"""Turn a report file's bytes into normalised text, or say why that is impossible."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import charset_normalizer

# Magic numbers of formats that are not plain-text reports (yet).
_BINARY_SIGNATURES: dict[bytes, str] = {
    b"%PDF": "PDF document",
    b"PK\x03\x04": "ZIP container (DOCX/XLSX or archive)",
    b"\xd0\xcf\x11\xe0": "legacy Office document (DOC/XLS)",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
}
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Encodings a Chinese government report can plausibly be in; anything else is a misdetection.
_PLAUSIBLE_ENCODINGS = {"utf_8", "gb18030", "gbk", "gb2312", "hz", "big5", "utf_16", "utf_16_le", "utf_16_be", "ascii"}

_CJK = re.compile(r"[\u4e00-\u9fff]")


class UnreadableReportError(ValueError):
    """The file cannot become report text; the message is the quarantine reason."""


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def decode_report_bytes(data: bytes) -> DecodedText:
    """Detect the encoding of ``data`` and decode it strictly.

    Order: empty check, BOM, binary signatures, strict UTF-8 (the common case, and cheap),
    then charset-normalizer restricted to encodings Chinese reports are published in.
    """
    if not data.strip():
        raise UnreadableReportError("empty file")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return DecodedText(data.decode(codec), codec.replace("-sig", "") + " (BOM)")
            except UnicodeDecodeError as exc:
                raise UnreadableReportError(
                    f"undecodable bytes: file starts with a {codec} byte-order mark "
                    f"but byte {exc.start} is invalid in {codec}"
                ) from exc
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise UnreadableReportError(f"binary file ({kind}), not a text report")
    if b"\x00" in data:
        return _decode_utf16_without_bom(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    else:
        if "\x00" in text:
            raise UnreadableReportError("binary file (contains NUL bytes), not a text report")
        return DecodedText(text, "utf-8")

    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding not in _PLAUSIBLE_ENCODINGS:
        raise UnreadableReportError(
            f"undecodable bytes: not valid UTF-8 (first bad byte at offset {utf8_error.start}) "
            f"and no Chinese text encoding fits"
            + (f" (best guess {best.encoding} rejected)" if best is not None else "")
        )
    text = str(best)
    if "\x00" in text:
        raise UnreadableReportError("binary file (contains NUL bytes), not a text report")
    if not _CJK.search(text):
        raise UnreadableReportError(f"undecodable bytes: decoding as {best.encoding} yields no Chinese text")
    return DecodedText(text, best.encoding)


_TEXT_CHAR = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u206f\x20-\x7e\t\n\r\u00a0-\u00ff]")


def _looks_like_text(text: str) -> bool:
    """Nearly every character is Chinese, ASCII or common punctuation (binary decodes to noise)."""
    return bool(text) and len(_TEXT_CHAR.findall(text)) >= 0.97 * len(text)


def _decode_utf16_without_bom(data: bytes) -> DecodedText:
    """NUL bytes mean UTF-16 text (NULs on one parity, text decodes to Chinese) or a binary file."""
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _CJK.search(text) and _looks_like_text(text):
            return DecodedText(text, codec.replace("-", "_"))
    raise UnreadableReportError("binary file (contains NUL bytes), not a text report")


_FULLWIDTH_ALNUM = {cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_SPACE_LIKE = {0x3000: " ", 0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x2009: " ", 0x202F: " "}
_INVISIBLE = {0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None}
# GB2312 has no EM DASH: pages served as gb2312 print —— as U+2015 HORIZONTAL BAR.
_DASH_LIKE = {0x2015: "—"}
_TRANSLATION = {**_FULLWIDTH_ALNUM, **_SPACE_LIKE, **_INVISIBLE, **_DASH_LIKE}
# str.translate looks up every character of a CJK text in the table (≈12 µs a cell); most texts
# hold none of these characters, so find them first and replace only what is there.
_TRANSLATED = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_TRANSLATION)) + "]")
# Characters XML cannot hold (C0 controls but tab and line ends, lone surrogates, U+FFFE/U+FFFF):
# a stray vertical tab or form feed in a page would stop lxml, and no report prints one.
XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def normalize_text(text: str) -> str:
    """Normalise line ends, full-width spaces/digits/letters, NBSP and zero-width characters;
    control characters (but tab and line ends) become spaces.

    Punctuation such as （一） is kept as written; label matching normalises further.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if XML_INCOMPATIBLE.search(text):
        text = XML_INCOMPATIBLE.sub(" ", text)
    if _TRANSLATED.search(text):
        text = text.translate(_TRANSLATION)
    # NFC only: NFKC would rewrite punctuation the report printed.
    return unicodedata.normalize("NFC", text)


def content_report_id(normalized_text: str) -> str:
    """A stable id from the content, so the same report in two files (or encodings) is one report.

    Trailing whitespace per line and blank-line runs are ignored: they change between copies.
    """
    canonical = "\n".join(line.rstrip() for line in normalized_text.strip().split("\n") if line.strip())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
