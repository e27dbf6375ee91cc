"""Word 97-2003 and WPS files, told from their content: read only once converted to DOCX or XLSX.

A Word 97-2003 .doc is an OLE2 file with a WordDocument stream. Kingsoft WPS Writer's .wps (WPS
Office 2005 on) is the same binary Word format with WPS's own additions, so its content is that of a
.doc; only the file name tells them apart, and it is used for the wording of the reason only. A
Kingsoft .et (WPS Spreadsheets) is a BIFF8 workbook (a Workbook stream), an .xls by content, which
the spreadsheet reader reads without conversion; LibreOffice reads both the same way (its "MS
Word 97" type lists .wps, its "MS Excel 97" type .et).

Not recognised: WPS 97/2000 files (a format of their own, which LibreOffice cannot read either) and
Microsoft Works .wps (OLE2 with CONTENTS or MN0 streams, not WordDocument).

The conversion itself (a subprocess) is not done here: :func:`transforms.documents.read_document_bytes`
takes a converter, and ``flows.parsing.legacy_office`` provides one.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from transforms.spreadsheet_document import _open_ole, is_word97

DOC, WPS, ET = "doc", "wps", "et"
DOCX, XLSX = "docx", "xlsx"

# A converter: (file bytes, kind, target) → the converted file's bytes; raises ConversionError.
Converter = Callable[[bytes, str, str], bytes]

_DESCRIBED = {DOC: "Word 97-2003 .doc", WPS: "WPS Writer .wps", ET: "WPS Spreadsheets .et"}
_F_ENCRYPTED = 0x0100  # in the FIB's flags word at offset 10 of the WordDocument stream


class ConversionError(ValueError):
    """A converter could not convert the file; the message is the quarantine reason."""


@dataclass(frozen=True)
class LegacyOffice:
    kind: str  # DOC, WPS or ET
    target: str  # DOCX or XLSX: what it is read as once converted

    @property
    def described(self) -> str:
        return describe(self.kind)


def describe(kind: str) -> str:
    """How a reason names the kind of file: "Word 97-2003 .doc"."""
    return _DESCRIBED.get(kind, f".{kind} file")


def legacy_office(data: bytes, name_hint: str = "") -> LegacyOffice | None:
    """What a Word 97-2003 or WPS Writer file is read as once converted; None for anything else.
    ``name_hint`` (the file name, if known) only tells a .wps from a .doc."""
    if not is_word97(data):
        return None
    kind = WPS if name_hint.lower().endswith((".wps", ".wpt")) else DOC
    return LegacyOffice(kind, DOCX)


def is_encrypted_word97(data: bytes) -> bool:
    """A password-protected .doc: no converter can read it without the password."""
    ole = _open_ole(data)
    if ole is None:
        return False
    try:
        header = ole.read("WordDocument")[:12]
    except (ValueError, KeyError, IndexError, struct.error):
        return False
    return len(header) >= 12 and bool(struct.unpack_from("<H", header, 10)[0] & _F_ENCRYPTED)
