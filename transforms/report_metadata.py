"""Facts about a report that its text states plainly: who, which year, when published."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

_TITLE_HINT = re.compile(r"政府信息公开.*(年度报告|年报)|信息公开工作.*报告")
_TITLE = re.compile(r"^(?P<before>.*?)(?P<year>(?:19|20)\d{2})\s*年度?\s*(?P<after>.*?)(?:政府信息公开|信息公开)")
_DATE = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日")
_FIELD_LABEL = re.compile(r"^(?:标题|题目|名称)[:：]")  # crawled pages label their fields
_YEAR = re.compile(r"(?:19|20)\d{2}")
_AGENCY_LINE = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,30}(?:人民政府|政府|办公室|办公厅|局|委员会|委|厅|院|中心|县|市|区)$"
)
_TITLE_IN_TEXT = re.compile(
    r"(?P<agency>[\u4e00-\u9fff（）()]{0,20})(?:19|20)\d{2}\s*年度?[\u4e00-\u9fff（）()]{0,30}?"
    r"(?:政府信息公开(?:工作)?年度报告|政府信息公开(?:工作)?年报|信息公开工作(?:年度)?报告)"
)
_TABLE_CAPTION = re.compile(r"政府信息公开.*统计(?:报)?表")
_FILLED_ON = re.compile(r"填报日期[:：]?\s*" + _DATE.pattern)
# A bare administrative area name (no department suffix) is published by its people's government.
_AREA_ONLY = re.compile(r"^[\u4e00-\u9fff]{1,12}(?:省|自治区|市|县|区|旗|州|盟|镇|乡|街道)$")
_DEPARTMENT_HINT = re.compile(r"局|委|办|厅|院|中心|所|站|队|会|部|处|政府")
# Zones run by a 管委会, not a people's government: their name is kept as written.
_ZONE = re.compile(r"(?:实验|开发|新|园|高新|经济|保税|综合)区$")
# Crawled pages label who published them; "来源" is the portal's field, often another body.
_PUBLISHER = re.compile(r"(?:发布机构|发文机关|发布单位)[:：]\s*(?P<agency>[\u4e00-\u9fff（）()]{2,30})")
_POSTED_ON = re.compile(
    r"(?:发布时间|发布日期|成文日期)[:：]\s*(?P<y>(?:19|20)\d{2})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})"
)


@dataclass(frozen=True)
class ReportMetadata:
    title: str
    agency_as_written: str
    agency: str
    report_year: int | None
    publication_date: date | None
    table_filled_on: date | None
    agency_source: str = ""  # title or publisher_field; empty when no agency was found


def _to_date(match: re.Match[str] | None) -> date | None:
    if match is None:
        return None
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


def find_title(lines: list[str]) -> str:
    """The first title-like line near the top; PDF extractions break titles over 2–3 lines."""
    # Crawled pages label their fields: "标题：…".
    head = [_FIELD_LABEL.sub("", "".join(line.strip().strip("#").split())) for line in lines[:40]]
    for start, line in enumerate(head):
        if not line or len(line) > 80:
            continue
        for span in (1, 2, 3):
            # A broken title starts with its year, or with the agency alone on its line.
            if span > 1 and not (_YEAR.search(line) or _AGENCY_LINE.match(line)):
                break
            candidate = "".join(head[start : start + span])
            if len(candidate) <= 80 and _TITLE_HINT.search(candidate) and _TITLE.match(candidate):
                return candidate
    # Crawler text runs the title into the body; a spreadsheet has only its table's caption.
    opening = "".join(head)[:300]
    found = _TITLE_IN_TEXT.search(opening)
    if found:  # the agency is what stands right before the year, up to 20 characters
        return found.group()
    captions = [line for line in head if len(line) <= 80 and _TABLE_CAPTION.search(line) and _TITLE.match(line)]
    return captions[0] if captions else ""


def canonical_agency(agency_as_written: str) -> str:
    """桃源县 → 桃源县人民政府; a department name stays as written."""
    if (
        _AREA_ONLY.match(agency_as_written)
        and not _DEPARTMENT_HINT.search(agency_as_written)
        and not _ZONE.search(agency_as_written)
    ):
        return agency_as_written + "人民政府"
    return agency_as_written


def extract_report_metadata(text: str) -> ReportMetadata:
    """Title, agency, year and dates from the report's opening lines and table footer."""
    lines = text.split("\n")
    title = find_title(lines)
    agency, year = title_agency_and_year(title)
    source = "title" if agency else ""
    if not agency:  # a title without its agency: the page's publisher field, when it has one
        publisher = _PUBLISHER.search("\n".join(lines[:40]))
        agency, source = (publisher["agency"], "publisher_field") if publisher else ("", "")
    published = None
    # The publication date is printed alone (or in brackets) just under the title.
    start = next(
        (i for i, line in enumerate(lines) if title and title.startswith(re.sub(r"\s+", "", line).strip("#") or "\0")),
        0,
    )
    for line in lines[start + 1 : start + 6]:
        stripped = line.strip().strip("（）()")
        date_match = _DATE.fullmatch(stripped) if stripped else None
        if date_match:
            published = _to_date(date_match)
            break
    if published is None:  # crawled pages state when the page was posted
        published = _to_date(_POSTED_ON.search("\n".join(lines[:30])))
    return ReportMetadata(
        title=title,
        agency_as_written=agency,
        agency=canonical_agency(agency) if agency else "",
        report_year=year,
        publication_date=published,
        table_filled_on=_to_date(_FILLED_ON.search(text)),
        agency_source=source,
    )


def title_agency_and_year(title: str) -> tuple[str, int | None]:
    """河北省教育厅2021年度政府信息公开工作报告 → (河北省教育厅, 2021); ("", None) for no such title."""
    match = _TITLE.match(title)
    if not match:
        return "", None
    agency = _CAPTION_PREFIX.sub("", (match["before"] or match["after"]).strip("（）()"))
    return _LEADING_MARKS.sub("", agency), int(match["year"])


# An agency's name opens with a character: a mark before it (：, ·) is a scan's speck or a caption's.
_LEADING_MARKS = re.compile(r"^[^\u4e00-\u9fff0-9A-Za-z（(]+")
# A table's caption opens with its attachment number or section: 附件1：…, 七、…
_CAPTION_PREFIX = re.compile(
    r"^(?:(?:附件|附表)\s*[0-9一二三四五六七八九十]*\s*[:：、.]?|[一二三四五六七八九十]+、)\s*"
)


_NAME_TITLE = re.compile(
    r"(?P<before>[\u4e00-\u9fff（）()]*?)(?P<year>(?:19|20)\d{2})\s*年度?(?P<after>[\u4e00-\u9fff（）()]*)"
)


def year_from_name(name: str, found: ReportMetadata) -> ReportMetadata:
    """The year from a file name (平潭县2012年政府信息公开情况统计表.xlsx), for a document whose own
    text states none (a spreadsheet attachment without a title row). Not the agency: a file is
    named by whoever saved it, so an agency comes only from the report's title and text."""
    match = _NAME_TITLE.search(name)
    if match is None:
        return found
    return replace(found, report_year=int(match["year"]))
