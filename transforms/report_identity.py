"""Who published a report and which year it covers, each with where it was read, cross-checked.

A value under the wrong year or agency is a wrong value, so both are read from the report itself
first and from what the crawl recorded beside it (:class:`~transforms.crawled_pages.PageHints`)
only after:

- the year from the first of: the report's title; its statistics period (统计期限…2023年1月1日…);
  the body's own statements of the year (2023年，…); the crawl's title; the file's name; the
  publication date minus one (``publication_date_estimate``, an estimate, so flagged);
- the agency from the title (or the page's publisher field), else the body, else the crawl's title
  or source. A short form (省教育厅, 我厅) is resolved against a full name stated elsewhere in the
  same document or row, and used only then.

Before anything is published: the title, the statistics period and the crawl's title must agree on
the year, and the year must be one the table's template can belong to (``templates.toml``
``years``). Where they cannot be reconciled, :class:`IdentityError` names both sides.

Pages that are not disclosure annual reports (a 法治政府建设 report, a website's 报表, a bureau's
统计年报, a policy) are told apart by their titles (``crawl_fields.toml``), see :func:`page_kind`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cache
from pathlib import PurePosixPath

from transforms.crawled_pages import PageHints, crawl_vocabulary
from transforms.layouts import template_layout
from transforms.report_metadata import (
    ReportMetadata,
    canonical_agency,
    extract_report_metadata,
    title_agency_and_year,
    year_from_name,
)

# Where a report's year and agency were read (reports.year_source, reports.agency_source).
YEAR_SOURCES = (
    "title",
    "statistics_period",
    "body",
    "crawl_title",
    "file_name",
    "publication_date_estimate",
)
AGENCY_SOURCES = ("title", "publisher_field", "body", "crawl_title", "crawl_source", "joined_page", "")

REPORT, OTHER, UNKNOWN = "report", "other", "unknown"


class IdentityError(ValueError):
    """The report's year or agency cannot be settled; the message names both sides."""


@dataclass(frozen=True)
class ReportIdentity:
    metadata: ReportMetadata
    year_source: str
    agency_source: str


# ---- what kind of page ----------------------------------------------------------------------------


@cache
def _title_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    titles = crawl_vocabulary()["titles"]
    return re.compile("|".join(titles["other"])), re.compile("|".join(titles["report"]))


def _squash(text: str) -> str:
    return "".join(text.split())


def page_kind(title: str) -> str:
    """``report`` when ``title`` names a disclosure annual report (or its statistics table),
    ``other`` when it names another kind of page or nothing of the sort, ``unknown`` when empty."""
    title = _squash(title)
    if not title:
        return UNKNOWN
    other, report = _title_patterns()
    if other.search(title):
        return OTHER
    return REPORT if report.search(title) else OTHER


def heading(text: str) -> str:
    """The document's first line, when it is short enough to be a heading."""
    for line in text.split("\n")[:5]:
        line = _squash(line).strip("#")
        if line:
            return line if len(line) <= 60 else ""
    return ""


def not_a_report(text: str, hints: PageHints | None, has_table: bool) -> str | None:
    """Why this page is not a disclosure annual report, or None when it may be one."""
    if hints is not None and hints.http_status is not None and not 200 <= hints.http_status < 300:
        return f"HTTP {hints.http_status} response, not a page"
    crawl_title = hints.title if hints is not None else ""
    kind = page_kind(crawl_title)
    if kind == OTHER and (not has_table or _title_patterns()[0].search(_squash(crawl_title))):
        return f"not a disclosure annual report: {crawl_title[:80]!r}"
    first = heading(text)
    if kind == UNKNOWN and first and _title_patterns()[0].search(first) and not _title_patterns()[1].search(first):
        return f"not a disclosure annual report: {first[:80]!r}"
    return None


# ---- the year -------------------------------------------------------------------------------------

_YEAR = r"((?:19|20)\d{2})"
# 统计期限为2023年1月1日至12月31日 / 统计期限自2020年1月1日起至2020年12月31日止 / 统计时间为…
_PERIOD = re.compile(r"统计(?:期限|时限|时间|区间|周期)[^。；]{0,12}?" + _YEAR + r"\s*年\s*1\s*月\s*1\s*日")
# A sentence or section opening on the year: "2023年，省工业和信息化厅…", "2018年以来，…".
_BODY_YEAR = re.compile(r"(?:^|[。；！\n\s]|总体情况|基本情况)" + _YEAR + r"\s*年度?\s*(?:[，,]|以来)")


def period_year(text: str) -> int | None:
    match = _PERIOD.search(text[:30000])
    return int(match[1]) if match else None


def body_year(text: str) -> int | None:
    """The year the body opens its sentences with most often (ties: the first)."""
    years = [int(y) for y in _BODY_YEAR.findall(text[:20000])]
    return Counter(years).most_common(1)[0][0] if years else None


def _years(meta: ReportMetadata, text: str, hints: PageHints | None, file_name: str) -> list[tuple[str, int]]:
    """The years stated, in the order they are believed; the later sources are looked at only
    when no earlier one states a year (the title, the period and the crawl's title always are:
    they must agree)."""
    found: list[tuple[str, int]] = []
    if meta.report_year is not None:
        found.append(("title", meta.report_year))
    period = period_year(text)
    if period is not None:
        found.append(("statistics_period", period))
    crawl = crawl_title_year(hints.title) if hints is not None and hints.title else None
    if found:
        return found + ([("crawl_title", crawl)] if crawl is not None else [])
    body = body_year(text)
    if body is not None:
        found.append(("body", body))
    if crawl is not None:
        found.append(("crawl_title", crawl))
    if found:
        return found
    named = year_from_name(PurePosixPath(file_name.split("#", 1)[0]).stem, replace(meta, report_year=None))
    if named.report_year is not None:
        return [("file_name", named.report_year)]
    published = meta.publication_date or (hints.date if hints is not None else None)
    return [("publication_date_estimate", published.year - 1)] if published is not None else []


def crawl_title_year(title: str) -> int | None:
    """The year a crawl's title names: as a report's title does, else the one year it names
    (政府信息公开情况统计表（2018年度））."""
    _, year = title_agency_and_year(_squash(title))
    if year is not None:
        return year
    years = set(re.findall(_YEAR + r"\s*年", title))
    return int(years.pop()) if len(years) == 1 else None


_CHECKED = ("title", "statistics_period", "crawl_title")  # must agree where stated
_SAYS = {
    "title": "the title",
    "statistics_period": "the statistics period",
    "body": "the body",
    "crawl_title": "the crawl's title",
    "file_name": "the file name",
    "publication_date_estimate": "the publication date",
}


def _settle_year(found: list[tuple[str, int]]) -> tuple[int, str]:
    stated = [(source, year) for source, year in found if source in _CHECKED]
    for source, year in stated[1:]:
        first_source, first_year = stated[0]
        if year != first_year:
            raise IdentityError(
                f"the year cannot be settled: {_SAYS[first_source]} says {first_year}, {_SAYS[source]} says {year}"
            )
    if not found:
        raise IdentityError("report year not stated in the title, the text or the crawl's record")
    source, year = found[0]
    return year, source


def check_template_year(template: str, year: int, year_source: str) -> None:
    """A table of a template cannot belong to a year the template was not in use."""
    first, last = template_layout(template).years
    if not first <= year <= last:
        span = f"{first}–{last}" if last < 2099 else f"{first} on"
        raise IdentityError(
            f"a {template} table (used for reports of {span}) cannot belong to a {year} report "
            f"(the year from {_SAYS[year_source]}): table and metadata disagree"
        )


# ---- the agency -----------------------------------------------------------------------------------

_BODIES = r"(?:人民政府办公室|人民政府办公厅|人民政府|管理委员会|管委会|办公室|办公厅|委员会|局|厅|委|办|院|中心|署|所)"
# "2023年，省工业和信息化厅坚持…", "我厅…": the body names its agency in its opening sentences.
_BODY_AGENCY = re.compile(
    r"(?:19|20)\d{2}\s*年度?\s*(?:以来)?[，,]\s*(?P<agency>[\u4e00-\u9fff]{1,24}?" + _BODIES + r")"
    r"(?=坚持|认真|深入|紧紧|全面|按照|严格|以|在|围绕|进一步|继续|始终|高度|积极|紧密|不断|着力|聚焦|大力|扎实|切实|持续|牢固|把)"
)
_SHORT = re.compile(r"^(?:[省市县区州旗盟镇乡]|我|本)")
_FULL_NAME = re.compile(r"[\u4e00-\u9fff]{2,30}?" + _BODIES)


def _resolve_short(short: str, texts: list[str]) -> str | None:
    """省工业和信息化厅 → 河北省工业和信息化厅, 我厅 → …厅: a longer name stated in ``texts`` that ends
    with the short form's own words; None when there is none, or more than one."""
    tail = short[1:] if short[0] in "我本" else short
    names = set()
    for text in texts:
        for match in re.finditer(r"[\u4e00-\u9fff]{1,12}" + re.escape(tail), _squash(text)):
            name = match.group()
            if len(name) > len(tail) and not _SHORT.match(name) and not name.startswith(("我", "本")):
                names.add(_trim_prefix(name, tail))
    names.discard(None)
    return names.pop() if len(names) == 1 else None


_PROVINCE_OR_CITY = re.compile(r"[\u4e00-\u9fff]{2,4}?(?:省|自治区|市)$")


def _trim_prefix(name: str, tail: str) -> str | None:
    """The full name in a run of characters that ends with it: from the place name on."""
    head = name[: len(name) - len(tail)]
    for start in range(len(head)):
        prefix = head[start:]
        if re.fullmatch(r"[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|县|区|州|旗|盟)", prefix) or (
            tail[0] in "省市县区州旗盟" and _PROVINCE_OR_CITY.fullmatch(prefix + tail[0])
        ):
            return prefix + tail
    return None


def _agency(meta: ReportMetadata, text: str, hints: PageHints | None) -> tuple[str, str]:
    """(agency as written, source)."""
    if meta.agency_as_written:
        return meta.agency_as_written, meta.agency_source
    texts = [text[:20000]] + ([hints.title] if hints is not None and hints.title else [])
    crawl_agency = ""
    if hints is not None and hints.title:
        crawl_agency, _ = title_agency_and_year(_squash(hints.title))
    body = _BODY_AGENCY.search(_squash(text[:20000]))
    if body:
        named = body["agency"]
        if not _SHORT.match(named):
            return named, "body"
        resolved = _resolve_short(named, texts)
        if resolved:
            return resolved, "body"
    if crawl_agency:
        return crawl_agency, "crawl_title"
    if hints is not None and hints.source and _FULL_NAME.fullmatch(_squash(hints.source)):
        return _squash(hints.source), "crawl_source"
    return "", ""


def resolve_identity(
    meta: ReportMetadata, text: str, hints: PageHints | None, file_name: str, template: str | None
) -> ReportIdentity:
    """The report's year and agency with their sources; raises :class:`IdentityError`."""
    year, year_source = _settle_year(_years(meta, text, hints, file_name))
    if template is not None:
        check_template_year(template, year, year_source)
    agency, agency_source = _agency(meta, text, hints)
    published = meta.publication_date or (hints.date if hints is not None else None)
    title = meta.title or (_squash(hints.title) if hints is not None else "")
    resolved = replace(
        meta,
        title=title,
        report_year=year,
        agency_as_written=agency,
        agency=canonical_agency(agency) if agency else "",
        publication_date=published,
    )
    return ReportIdentity(resolved, year_source, agency_source)


def identity_of(text: str, hints: PageHints | None, file_name: str, template: str | None) -> ReportIdentity:
    return resolve_identity(extract_report_metadata(text), text, hints, file_name, template)


def is_estimate(year_source: str) -> bool:
    return year_source == "publication_date_estimate"
