"""What reading a damaged ZIP container (DOCX, XLSX, ODS) raises, so that readers can say the file
cannot be opened instead of failing: a bad signature, CRC or header (BadZipFile), a version or
compression method zipfile does not know (NotImplementedError), an encrypted member
(RuntimeError), damaged deflate, bzip2 or LZMA data (zlib.error, OSError, LZMAError), a stream cut
short (EOFError), an offset before the start of the file ("negative seek value": ValueError)."""

from __future__ import annotations

import lzma
import zipfile
import zlib

from transforms.limits import OverLimitError

ZIP_ERRORS = (
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    zlib.error,
    OSError,
    lzma.LZMAError,
    EOFError,
    ValueError,
)


def unreadable_zip(exc: BaseException) -> bool:
    """``exc`` (one of ZIP_ERRORS) says the container is damaged; a file over a limit is another matter."""
    return not isinstance(exc, OverLimitError)
