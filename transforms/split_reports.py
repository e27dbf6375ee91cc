"""One report in two documents: its narrative page and its statistics-table page (or attachment).

Offices often published the pre-2019 统计表 on a page of its own, beside the narrative page of
the same report; a crawl keeps both as two rows or records. Within one crawl container, a page
with tables and a disclosure report's page without tables are one report when they name the same
year and do not name different agencies, and neither has another such partner: the report keeps
the table page's id and cells, takes the narrative's agency where the table page names none and
its statements of the numbers, and lists the narrative page in ``other_sources``. Anything less
certain is left as it is (the narrative page stays quarantined as a report without tables).
"""

from __future__ import annotations

from dataclasses import dataclass

from transforms.agencies import place_agency
from transforms.parse_report import NarrativePage, ParsedReport, agency_fields, fact_rows_of


@dataclass(frozen=True)
class Narrative:
    locator: str
    page: NarrativePage


def _agency(report: ParsedReport) -> str:
    return report.report["agency"]


def _fits(report: ParsedReport, narrative: Narrative) -> bool:
    meta = narrative.page.identity.metadata
    if report.report["report_year"] != meta.report_year:
        return False
    return not (_agency(report) and meta.agency and _agency(report) != meta.agency)


def join_split_reports(reports: list[ParsedReport], narratives: list[Narrative]) -> dict[str, str]:
    """Join each narrative page to the one report it belongs to (``reports`` are changed in
    place); returns narrative locator → the report_id it joined."""
    partners = {n.locator: [r for r in reports if _fits(r, n)] for n in narratives}
    joined: dict[str, str] = {}
    for narrative in narratives:
        candidates = partners[narrative.locator]
        if len(candidates) != 1:
            continue
        report = candidates[0]
        rivals = [n for n in narratives if report in partners[n.locator]]
        if len(rivals) != 1:
            continue
        _join(report, narrative)
        joined[narrative.locator] = report.report["report_id"]
    return joined


def _join(report: ParsedReport, narrative: Narrative) -> None:
    row = report.report
    meta = narrative.page.identity.metadata
    row["other_sources"] = "|".join(filter(None, [row["other_sources"], narrative.locator]))
    if not row["agency"] and meta.agency:
        placed = place_agency(meta.agency, row["report_year"])
        row.update(**agency_fields(placed, meta.agency_as_written), agency_source="joined_page")
    if not row["title"] and meta.title:
        row["title"] = meta.title
    if row["publication_date"] is None and meta.publication_date is not None:
        row["publication_date"] = meta.publication_date
    report.facts.extend(fact_rows_of(row.report_id, narrative.page.facts, start=len(report.facts)))
