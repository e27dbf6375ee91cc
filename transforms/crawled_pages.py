"""A crawl's container file → the documents it holds, each with what the crawl knew about it.

Crawls rarely come as one file per report. Two containers are read here:

- **crawler exports**: CSV/TSV, JSON, JSON Lines (Scrapy's feed exports) and XLSX in which each
  row is one crawled page. An export is recognised by its header (``crawl_fields.toml``: a content
  column and at least one other known column), never by its file name. Each data row is a
  document; its locator is ``<file>#row=N`` (N the 1-based data record; for JSON Lines
  ``#line=N``, the line of the file).
- **web archives** (WARC, gzipped or not, as wget, Browsertrix, Heritrix and the Wayback Machine
  write them): each HTML, PDF, DOCX or spreadsheet response (or resource) record is a document; its
  locator is ``<file>#uri=<target URI>&date=<WARC-Date>``. Requests, metadata, revisits and
  images, scripts or styles are not documents.

A page's content (HTML or text in an export, the HTTP body in a WARC) is handed on as bytes, to
go through the same reading path as a file of that form. The export's other columns (title,
date, URL, source, category, attachments) are :class:`PageHints`: what the report's metadata may
fall back on, never what its table is read from.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import tomllib
import zipfile
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from transforms.decoding import UnreadableReportError, decode_report_bytes
from transforms.limits import DEFAULT_LIMITS, ReadLimits
from transforms.spreadsheet_document import UnreadableSpreadsheetError, first_sheet_values
from transforms.zip_errors import ZIP_ERRORS

FIELDS = ("title", "content", "date", "url", "source", "attachments", "category")


@dataclass(frozen=True)
class PageHints:
    """What the crawl recorded beside a page's content."""

    title: str = ""
    date: date | None = None  # when the page was published (or crawled, in a WARC)
    url: str = ""
    source: str = ""
    category: str = ""
    attachments: str = ""
    http_status: int | None = None  # WARC responses only


@dataclass(frozen=True)
class CrawledPage:
    locator: str  # <container>#row=N, #line=N or #uri=…&date=…
    content: bytes
    hints: PageHints


class UnreadableCrawlError(ValueError):
    """The file is a crawl container but cannot be split into pages; the message says why."""


@cache
def crawl_vocabulary() -> dict:
    text = resources.files("transforms").joinpath("crawl_fields.toml").read_text(encoding="utf-8")
    vocabulary = tomllib.loads(text)
    assert set(vocabulary["fields"]) == set(FIELDS), vocabulary["fields"].keys()
    return vocabulary


@cache
def _field_names() -> dict[str, str]:
    """Column name (normalised) → field."""
    return {_key(name): field for field, names in crawl_vocabulary()["fields"].items() for name in names}


def _key(name: object) -> str:
    return re.sub(r"\s+", "", str(name)).strip("\ufeff").lower()


def header_fields(header: list) -> dict[str, int] | None:
    """Field → column index when ``header`` is a crawler export's header, else None."""
    known = _field_names()
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        field = known.get(_key(name))
        if field is not None and field not in found:
            found[field] = index
    if "content" not in found or len(found) < 2:
        return None
    return found


# ---- dates --------------------------------------------------------------------------------------

_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def parse_date(text: str) -> date | None:
    """2024-01-26, 2024/1/26, 2024年1月26日, 20240126…; None when no date."""
    text = str(text or "").strip()
    match = _DATE.search(text) or re.match(r"((?:19|20)\d{2})(\d{2})(\d{2})", text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


# ---- exports --------------------------------------------------------------------------------------


def _hints(values: dict[str, str]) -> PageHints:
    return PageHints(
        title=" ".join(str(values.get("title") or "").split()),
        date=parse_date(values.get("date") or ""),
        url=str(values.get("url") or "").strip(),
        source=str(values.get("source") or "").strip(),
        category=str(values.get("category") or "").strip(),
        attachments=_attachments(values.get("attachments")),
    )


def _attachments(value) -> str:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value or "").strip()


def _content_bytes(value) -> bytes:
    if isinstance(value, list | tuple):  # Scrapy items often hold a page's text as a list of strings
        value = "\n".join(str(v) for v in value)
    return str(value or "").encode("utf-8")


def _page(container: str, fragment: str, values: dict) -> CrawledPage:
    return CrawledPage(f"{container}#{fragment}", _content_bytes(values.get("content")), _hints(values))


def _delimited(text: str, container: str) -> list[CrawledPage] | None:
    first = text.lstrip("\ufeff").split("\n", 1)[0].split("\r", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    csv.field_size_limit(1 << 30)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return None
    fields = header_fields(header)
    if fields is None:
        return None
    pages = []
    try:
        for number, row in enumerate(reader, start=1):
            if not any(cell.strip() for cell in row):
                continue  # a blank line between records is no record
            values = {field: row[index] if index < len(row) else "" for field, index in fields.items()}
            pages.append(_page(container, f"row={number}", values))
    except csv.Error as exc:
        raise UnreadableCrawlError(f"crawler export: CSV broken after data record {len(pages)}: {exc}") from exc
    return pages


def _objects(items: list, container: str, fragment: str, numbers: list[int]) -> list[CrawledPage] | None:
    objects = [item for item in items if isinstance(item, dict)]
    if not objects:
        return None
    keys: list[str] = []
    for item in objects[:50]:
        keys += [k for k in item if k not in keys]
    fields = header_fields(keys)
    if fields is None:
        return None
    names = {field: keys[index] for field, index in fields.items()}
    return [
        _page(container, f"{fragment}={number}", {field: item.get(name) for field, name in names.items()})
        for number, item in zip(numbers, items, strict=True)
        if isinstance(item, dict)
    ]


def _json(text: str, container: str) -> list[CrawledPage] | None:
    stripped = text.lstrip("\ufeff").strip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
        except ValueError:
            return None
        if not isinstance(items, list):
            return None
        return _objects(items, container, "record", list(range(1, len(items) + 1)))
    if stripped.startswith("{"):
        items, numbers = [], []
        for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                items.append(json.loads(line))
            except ValueError:
                if not items:
                    return None  # not JSON Lines (a single JSON object over several lines, say)
                raise UnreadableCrawlError(f"JSON Lines export: line {number} is not JSON") from None
            numbers.append(number)
        return _objects(items, container, "line", numbers)
    return None


def _xlsx(data: bytes, container: str, limits: ReadLimits) -> list[CrawledPage] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                return None
            # A header holds a content column's name: look for one before the workbook is read
            # (a report's own table never names one), in the shared strings or the first sheet.
            strings = [n for n in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml") if n in names]
            head = b"".join(_zip_head(archive, name) for name in strings).decode("utf-8", "replace").lower()
    except ZIP_ERRORS:
        return None
    if not any(name in head for name in crawl_vocabulary()["fields"]["content"]):
        return None
    try:
        rows = first_sheet_values(data, limits)
    except UnreadableSpreadsheetError as exc:
        raise UnreadableCrawlError(f"crawler export (XLSX): {exc}") from exc
    fields = header_fields(rows[0]) if rows else None
    if fields is None:
        return None
    pages = []
    for number, row in enumerate(rows[1:], start=1):
        if not any(str(cell).strip() for cell in row):
            continue
        values = {field: _cell_text(row[index]) if index < len(row) else "" for field, index in fields.items()}
        pages.append(_page(container, f"row={number}", values))
    return pages


def _zip_head(archive: zipfile.ZipFile, name: str, size: int = 1 << 20) -> bytes:
    with archive.open(name) as member:
        return member.read(size)


def _cell_text(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---- web archives ---------------------------------------------------------------------------------

_DOCUMENT_TYPES = re.compile(
    r"html|pdf|msword|officedocument|ms-excel|opendocument|spreadsheet|text/plain", re.IGNORECASE
)
_DOCUMENT_MAGIC = (b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


def is_warc(data: bytes) -> bool:
    if data.startswith(b"WARC/"):
        return True
    if data.startswith(b"\x1f\x8b"):
        import gzip
        import zlib

        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:4096], 16)
        except (zlib.error, gzip.BadGzipFile):
            return False
        return head.startswith(b"WARC/")
    return False


def _warc(data: bytes, container: str) -> list[CrawledPage]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    pages = []
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            if record.rec_type not in ("response", "resource"):
                continue
            uri = record.rec_headers.get_header("WARC-Target-URI") or ""
            when = record.rec_headers.get_header("WARC-Date") or ""
            status = None
            content_type = record.rec_headers.get_header("Content-Type") or ""
            if record.rec_type == "response" and record.http_headers is not None:
                status = int(record.http_headers.get_statuscode() or 0)
                content_type = record.http_headers.get_header("Content-Type") or ""
            body = record.content_stream().read()
            if not (_DOCUMENT_TYPES.search(content_type) or body.startswith(_DOCUMENT_MAGIC)):
                continue  # images, scripts, styles, robots.txt: not documents
            locator = f"{container}#uri={uri.replace('#', '%23')}&date={when}"
            hints = PageHints(title=_html_title(body), date=parse_date(when), url=uri, http_status=status)
            pages.append(CrawledPage(locator, body, hints))
    except (ArchiveLoadFailed, OSError, ValueError, EOFError) as exc:
        raise UnreadableCrawlError(f"web archive (WARC) unreadable after {len(pages)} documents: {exc}") from exc
    return pages


_HTML_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def _html_title(body: bytes) -> str:
    """A page's <title>: what a web archive keeps as the crawl's title for it."""
    match = _HTML_TITLE.search(body[:65536])
    if not match:
        return ""
    raw = match.group(1)
    for codec in ("utf-8", "gb18030"):
        try:
            return html.unescape(" ".join(raw.decode(codec).split()))
        except UnicodeDecodeError:
            continue
    return ""


# ---- any container -----------------------------------------------------------------------------


def split_crawl(data: bytes, container: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[CrawledPage] | None:
    """The pages of a crawler export or web archive, in file order; None when ``data`` is neither
    (it is then a document of its own). Raises :class:`UnreadableCrawlError` for a container that
    is broken part way."""
    if is_warc(data):
        return _warc(data, container)
    if data.startswith(b"PK\x03\x04"):
        return _xlsx(data, container, limits)
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"[", b"{"):
        text = _decoded(data)
        return _json(text, container) if text is not None else None
    if not _export_header(head):  # the common case, a report: its first line is no export header
        return None
    text = _decoded(data)
    return _delimited(text, container) if text is not None else None


def _decoded(data: bytes) -> str | None:
    try:
        return decode_report_bytes(data).text
    except UnreadableReportError:
        return None


def _export_header(head: bytes) -> bool:
    """Whether the first line of ``head`` (UTF-8 or GB18030) is a CSV/TSV export's header."""
    line = re.split(rb"[\r\n]", head, maxsplit=1)[0]
    if b"," not in line and b"\t" not in line:
        return False
    for codec in ("utf-8", "gb18030"):
        try:
            text = line.decode(codec)
        except UnicodeDecodeError:
            continue
        delimiter = "\t" if text.count("\t") > text.count(",") else ","
        cells = next(csv.reader([text], delimiter=delimiter), [])
        if header_fields(cells) is not None:
            return True
    return False
