"""What one report file may cost to read: crawled files are untrusted, so every reader is bounded.
And what reading may use beyond Python (:class:`ReadOptions`), which travels with the limits to
every parse worker.

The defaults are far above any real report (the corpus's largest: a 111 KB HTML page nested 19
deep with spans of 22, a DOCX whose document XML has 10,128 elements, 6-page PDFs) and far below
what would strain a parse worker. A file over a limit is quarantined with a reason naming the
limit and its setting (``XXGK_`` + the field name in upper case).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

MB = 1_000_000


@dataclass(frozen=True)
class ReadOptions:
    """What reading may use beyond Python, set by the flow: OCR for pages without a text layer, and
    a converter for Word 97-2003 and WPS files (``convert(data, kind, target) -> bytes``)."""

    ocr: bool = False
    ocr_min_confidence: float = 0.8  # an OCR'd number that no identity or statement checks is published at or above
    convert: Callable[[bytes, str, str], bytes] | None = None


PLAIN_READING = ReadOptions()  # Python only: no OCR, no converter


@dataclass(frozen=True)
class ReadLimits:
    max_file_bytes: int = 200 * MB  # any file, checked before it is read
    max_text_bytes: int = 20 * MB  # text, markdown, HTML; and the XML a DOCX is read from, unpacked
    max_text_lines: int = 100_000  # lines of a text or markdown file, rows of an HTML page's tables
    max_cells: int = 500_000  # cells of a text or HTML page's rows (~300 bytes each once made)
    max_container_bytes: int = 300 * MB  # DOCX/XLSX/ODS: all ZIP members together, unpacked (as declared)
    max_container_entries: int = 5_000  # DOCX/XLSX/ODS: ZIP members
    max_xml_elements: int = 1_000_000  # elements of a DOCX's document XML (a real report has ~10,000)
    max_pdf_pages: int = 500
    max_html_depth: int = 200  # element nesting (the HTML parser itself stops at 256)
    max_table_span: int = 1_000  # HTML colspan/rowspan, DOCX gridSpan
    max_seconds_per_file: float = 60.0  # wall time, enforced by the parse worker
    max_ocr_pages: int = 50  # a scanned PDF's pages read by OCR (a report scan has 2–10)
    max_ocr_pixels: int = 40 * MB  # one page image to OCR (an A4 page at 300 dpi is 8.7 million)
    max_ocr_seconds_per_page: float = 30.0  # OCR of one page, checked between batches of lines
    options: ReadOptions = PLAIN_READING  # not a limit: what reading may use (settings of their own)

    @classmethod
    def names(cls) -> list[str]:
        """The limits, each a setting of the same name."""
        return [f.name for f in fields(cls) if f.name != "options"]


DEFAULT_LIMITS = ReadLimits()


# XML in a file (DOCX, XLSX, ODS) is read with no DTD loaded and no entity resolved, so no file or
# URL the file names is read (XXE); no network; libxml2's own limits (depth 256, entity
# amplification) stay on.
XML_PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


class OverLimitError(ValueError):
    """The file is over one of its :class:`ReadLimits`; the message is the quarantine reason."""

    def __init__(self, what: str, actual: float, limit_name: str, limit: float, unit: str = "") -> None:
        unit = f" {unit}" if unit else ""
        super().__init__(
            f"{what}: {actual:,}{unit}, over the limit of {limit:,}{unit} "
            f"({limit_name}, setting XXGK_{limit_name.upper()})"
        )
        self.limit_name = limit_name


def check_limit(what: str, actual: float, limits: ReadLimits, limit_name: str, unit: str = "") -> None:
    limit = getattr(limits, limit_name)
    if actual > limit:
        raise OverLimitError(what, actual, limit_name, limit, unit)


class FileTimeLimitError(BaseException):
    """Raised in a parse worker when a file takes longer than ``max_seconds_per_file``.

    A BaseException, like KeyboardInterrupt: readers that turn any library failure into a
    quarantine reason (``except Exception``) must let it through to the worker.
    """


def check_container(archive, limits: ReadLimits, form: str) -> None:
    """A ZIP container (DOCX, XLSX, ODS) before anything in it is inflated: Python's zipfile stops
    inflating a member at its declared size, so the declared sizes bound what reading costs."""
    members = archive.infolist()
    check_limit(f"{form} holds too many files", len(members), limits, "max_container_entries")
    unpacked = sum(member.file_size for member in members)
    check_limit(f"{form} unpacks too large", unpacked, limits, "max_container_bytes", "bytes")
