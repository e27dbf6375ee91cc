"""One report file's bytes → its metadata row and its long indicator rows, or a quarantine reason.

One path for every template: bytes → document (rows of cells with their source position, and the
narrative text) → template, told from the tables' labels → that template's interpreter → cell
records. Each step runs once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from transforms.agencies import AgencyPlacement, place_agency
from transforms.cell_records import MATCHED, MATCHED_BY_POSITION, REPORT_FIELDS, CellRecord
from transforms.cell_values import AMBIGUOUS, MISSING, NOT_APPLICABLE, NUMBER_STATUSES
from transforms.crawled_pages import PageHints
from transforms.document_rows import TEXT, Document
from transforms.documents import UnreadableDocumentError, read_document_bytes
from transforms.limits import DEFAULT_LIMITS, OverLimitError, ReadLimits
from transforms.narrative_facts import NarrativeFact, extract_narrative_facts
from transforms.ocr_verification import ocr_confidences, stated_cells, verify_ocr_cells
from transforms.post2019_tables import TableResult, post2019_records
from transforms.pre2019_tables import PRE_2019, Pre2019TableError, pre2019_records
from transforms.report_identity import REPORT, IdentityError, ReportIdentity, identity_of, not_a_report, page_kind
from transforms.rows import FactRow, ReportRow
from transforms.run_together_tables import run_together_records
from transforms.templates import TemplateUnclearError, detect_template


class QuarantineError(ValueError):
    """The file cannot join the dataset; ``str(error)`` is the reason shown to users.

    ``narrative`` is set for a disclosure report's page without tables whose year (and maybe
    agency) is known: the narrative half of a report whose tables are on another page."""

    def __init__(self, reason: str, stage: str, narrative: NarrativePage | None = None) -> None:
        super().__init__(reason)
        self.stage = stage
        self.narrative = narrative


@dataclass(frozen=True)
class NarrativePage:
    """A report's page that has no statistics table: what it says about who, when, and its numbers."""

    identity: ReportIdentity
    facts: list[NarrativeFact]


@dataclass
class ParsedReport:
    report: ReportRow
    records: list[CellRecord] = field(default_factory=list)
    facts: list[FactRow] = field(default_factory=list)

    @property
    def report_fields(self) -> dict:
        """The report's own columns of each ``indicators`` row."""
        return {name: self.report[name] for name in REPORT_FIELDS}

    @property
    def indicators(self) -> list[dict]:
        """The cells as rows of the ``indicators`` table."""
        fields = self.report_fields
        return [record.as_row(**fields) for record in self.records]


@dataclass(frozen=True)
class _Tables:
    records: list[CellRecord]
    title: str
    notes: list[str]


def _read_pre2019(document: Document, template: str, facts: list[NarrativeFact]) -> _Tables:
    try:
        table = pre2019_records(document.rows, document.text, facts, template, compact_ok=document.form == TEXT)
    except Pre2019TableError as exc:
        raise QuarantineError(str(exc), "table") from exc
    return _Tables(table.records, table.title, table.notes)


def _read_post2019(document: Document, template: str, facts: list[NarrativeFact]) -> _Tables:
    result = post2019_records(document.rows, template)
    if all(r.value_status == MISSING for r in result.records) and document.form == TEXT:
        # No row with separate cells: crawler text whose numbers run together.
        result = run_together_records(document.text, template, facts)
    _check_post2019(result)
    for order, record in enumerate(result.records, start=1):
        record.row_order = order
    return _Tables(result.records, "", result.notes)


def _check_post2019(result: TableResult) -> None:
    found = [r for r in result.records if r.value_status != MISSING]
    if not found:
        raise QuarantineError(
            "表二/表三/表四 labels found but no row with the template's cells: the numbers are run together "
            "or otherwise unseparated (not supported yet)",
            "table",
        )
    t3 = [r for r in result.records if r.table_id == "t3"]
    t3_end_missing = bool(t3) and all(
        r.value_status == MISSING for r in t3 if r.indicator_code == t3[-1].indicator_code
    )
    t4_missing = all(r.value_status == MISSING for r in result.records if r.table_id == "t4")
    if t3_end_missing and t4_missing:
        placed = [r.row_label for r in t3 if r.value_status != MISSING]
        last = placed[-1] if placed else "its header"
        raise QuarantineError(
            f"statistics tables cut off: 表三 stops after {last!r} and 表四 is not in the text", "table"
        )
    if not any(r.value_status in NUMBER_STATUSES or r.value_status == AMBIGUOUS for r in result.records):
        raise QuarantineError("表二/表三/表四 are present but every cell is empty (a blank template?)", "table")


def _identity(document: Document, source_file: str, hints: PageHints | None, template: str) -> ReportIdentity:
    """From the report's own title and text first, then from what the crawl recorded (a
    spreadsheet without a title gets its year from its file's name); cross-checked."""
    try:
        return identity_of(document.text, hints, source_file, template)
    except IdentityError as exc:
        raise QuarantineError(str(exc), "metadata") from exc


def parse_report(
    data: bytes,
    source_file: str,
    limits: ReadLimits = DEFAULT_LIMITS,
    hints: PageHints | None = None,
) -> ParsedReport:
    """Parse one report (a file, or a crawled page with the crawl's ``hints``). Raises
    :class:`QuarantineError` with a precise reason when it cannot, also when reading it would cost
    more than ``limits`` allow (stage "limit") and when the page is no disclosure annual report
    (stage "not_a_report")."""
    try:
        return _parse_report(data, source_file, limits, hints)
    except OverLimitError as exc:
        raise QuarantineError(str(exc), "limit") from exc


def _no_table(document: Document, source_file: str, hints: PageHints | None) -> QuarantineError:
    reason = "no statistics table found (no 统计表 or 表二/表三/表四 labels)"
    try:
        identity = identity_of(document.text, hints, source_file, None)
    except IdentityError:
        return QuarantineError(reason, "template")
    titled = identity.metadata.title and page_kind(identity.metadata.title) == REPORT
    if not titled:  # only a disclosure report's own page is the narrative of one
        return QuarantineError(reason, "template")
    return QuarantineError(reason, "template", NarrativePage(identity, extract_narrative_facts(document.text)))


def _parse_report(data: bytes, source_file: str, limits: ReadLimits, hints: PageHints | None) -> ParsedReport:
    if hints is not None and not data.strip():
        why = not_a_report("", hints, False)
        if why:
            raise QuarantineError(why, "not_a_report")
        raise QuarantineError("the crawled page has no content", "decode")
    try:
        document = read_document_bytes(data, limits)
    except UnreadableDocumentError as exc:
        raise QuarantineError(str(exc), "decode") from exc
    try:
        template = detect_template(document)
    except TemplateUnclearError as exc:
        raise QuarantineError(str(exc), "template") from exc
    why = not_a_report(document.text, hints, template is not None)
    if why:
        raise QuarantineError(why, "not_a_report")
    if template is None:
        raise _no_table(document, source_file, hints)
    facts = extract_narrative_facts(document.text)
    read = _read_pre2019 if template in PRE_2019 else _read_post2019
    tables = read(document, template, facts)
    if any(row.confidences for row in document.rows):  # read by OCR: only what the report confirms is published
        records = verify_ocr_cells(
            tables.records, template, ocr_confidences(document.rows, tables.records), limits.options.ocr_min_confidence,
            stated_cells(template, facts),
        )  # fmt: skip
        tables = replace(tables, records=records)
    identity = _identity(document, source_file, hints, template)
    meta = identity.metadata
    placed = place_agency(meta.agency, meta.report_year)
    report_id = document.content_id
    records = tables.records
    report = ReportRow(
        report_id=report_id,
        report_year=meta.report_year,
        **agency_fields(placed, meta.agency_as_written),
        title=meta.title,
        publication_date=meta.publication_date,
        year_source=identity.year_source,
        agency_source=identity.agency_source,
        source_url=hints.url if hints is not None else "",
        other_sources="",
        template=template,
        table_title=tables.title,
        table_filled_on=meta.table_filled_on,
        table_rows=len({(r.table_id, r.indicator_code) for r in records}),
        cells_with_value=sum(r.value_status in NUMBER_STATUSES for r in records),
        cells_without_value=sum(r.value_status not in (*NUMBER_STATUSES, NOT_APPLICABLE) for r in records),
        unmapped_rows=len(
            {r.indicator_code for r in records if r.catalog_status not in (MATCHED, MATCHED_BY_POSITION)}
        ),
        layout_notes="; ".join(tables.notes),
        source_file=source_file,
        source_sha256=hashlib.sha256(data).hexdigest(),
        encoding=document.encoding,
        size_bytes=len(data),
    )
    fact_rows = fact_rows_of(report_id, facts)
    return ParsedReport(report, records, fact_rows)


def agency_fields(placed: AgencyPlacement, as_written: str) -> dict:
    """The agency columns of a report's row, from where the agency was placed."""
    return {
        "agency": placed.agency,
        "agency_as_written": as_written,
        "agency_id": placed.agency_id,
        "agency_level": placed.level,
        "division_code": placed.division_code,
        "agency_placement": placed.placement,
    }


def fact_rows_of(report_id: str, facts: list[NarrativeFact], start: int = 0) -> list[FactRow]:
    """The text's statements as rows of ``narrative_facts``, numbered from ``start`` + 1."""
    return [
        FactRow(report_id, start + order, f.fact_code, f.value, f.unit, f.sentence, f.line)
        for order, f in enumerate(facts, 1)
    ]
