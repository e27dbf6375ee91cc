"""One report file's bytes → its metadata row and its long indicator rows, or a quarantine reason."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from transforms.cell_values import MISSING, NOT_APPLICABLE, NUMBER_STATUSES
from transforms.decoding import UnreadableReportError, content_report_id, decode_report_bytes, normalize_text
from transforms.document_rows import TEXT, Document, read_document
from transforms.docx_document import UnreadableDocxError, is_docx, read_docx
from transforms.indicator_rows import MATCHED, MATCHED_BY_POSITION, stat_table_records
from transforms.local_table import LocalTableNotFoundError, local_table_records
from transforms.narrative_facts import extract_narrative_facts
from transforms.pdf_document import UnreadablePdfError, read_pdf
from transforms.post2019_tables import post2019_records
from transforms.report_metadata import extract_report_metadata
from transforms.run_together_tables import run_together_records
from transforms.stat_table import TableNotFoundError, TruncatedTableError, parse_stat_table
from transforms.templates import LOCAL_TABLE, STAT_2014, TemplateUnclearError, detect_template


class QuarantineError(ValueError):
    """The file cannot join the dataset; ``str(error)`` is the reason shown to users."""

    def __init__(self, reason: str, stage: str) -> None:
        super().__init__(reason)
        self.stage = stage


@dataclass
class ParsedReport:
    report: dict
    indicators: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class _Tables:
    records: list[dict]
    title: str
    notes: list[str]
    text: str
    facts: list | None = None  # narrative facts, when reading the tables already needed them


def _stat_table_is_cut_off(records: list[dict], ended_by_footer: bool, last_section: str) -> bool:
    """No footer and the rows stop before the template's last section: the text was cut."""
    if ended_by_footer or not records:
        return not records
    sections = [
        r["indicator_code"] for r in records if r["catalog_status"] == MATCHED and "." not in r["indicator_code"]
    ]
    return not sections or sections[-1] != last_section


def _read_stat_2014(text: str) -> _Tables:
    try:
        table = parse_stat_table(text)
    except (TableNotFoundError, TruncatedTableError) as exc:
        raise QuarantineError(str(exc), "table") from exc
    records = stat_table_records(table, STAT_2014)
    if _stat_table_is_cut_off(records, table.ended_by_footer, last_section="A9"):
        last = records[-1]["row_label"] if records else "the header"
        raise QuarantineError(
            f"statistics table cut off: text ends after {last!r} ({len(records)} rows) "
            "before the table's last section or footer",
            "table",
        )
    return _Tables(records, table.title, [], text)


def _read_post2019(document: Document, template: str) -> _Tables:
    result = post2019_records(document.rows, template)
    facts = None
    if not any(r["value_status"] not in (MISSING,) for r in result.records) and document.form == TEXT:
        # No row with separate cells: crawler text whose numbers run together.
        facts = extract_narrative_facts(document.text)
        result = run_together_records(document.text, template, facts)
    by_code = {}
    for record in result.records:
        by_code.setdefault(record["indicator_code"], []).append(record)
    found = [r for r in result.records if r["value_status"] != MISSING]
    if not found:
        raise QuarantineError(
            "表二/表三/表四 labels found but no row with the template's cells: the numbers are run together "
            "or otherwise unseparated (not supported yet)",
            "table",
        )
    t3_end_missing = all(r["value_status"] == MISSING for r in by_code.get("T3.4", []))
    t4_missing = all(r["value_status"] == MISSING for code in ("T4.1", "T4.2", "T4.3") for r in by_code.get(code, []))
    if t3_end_missing and t4_missing:
        placed = [r["row_label"] for r in result.records if r["table_id"] == "t3" and r["value_status"] != MISSING]
        last = placed[-1] if placed else "its header"
        raise QuarantineError(
            f"statistics tables cut off: 表三 stops after {last!r} and 表四 is not in the text", "table"
        )
    if not any(r["value_status"] in NUMBER_STATUSES for r in result.records):
        raise QuarantineError("表二/表三/表四 are present but every cell is empty (a blank template?)", "table")
    for order, record in enumerate(result.records, start=1):
        record["row_order"] = order
    return _Tables(result.records, "", result.notes, document.text, facts)


def _read_local_table(text: str) -> _Tables:
    try:
        facts = extract_narrative_facts(text)
        result = local_table_records(text, facts)
    except LocalTableNotFoundError as exc:
        raise QuarantineError(f"指标名称 / 计量单位 table: {exc}", "table") from exc
    if not result.records:
        raise QuarantineError("指标名称 / 计量单位 table has a header but no rows", "table")
    for order, record in enumerate(result.records, start=1):
        record["row_order"] = order
    titles = re.findall(r"[\u4e00-\u9fff（）()\d]{4,40}统计表", re.sub(r"\s+", "", text))
    title = re.sub(r"^.*?[：:]", "", titles[-1]) if titles else ""
    title = re.sub(
        r"^[〇○零一二三四五六七八九十\d]+年[一二三四五六七八九十\d]+月[一二三四五六七八九十\d]+日", "", title
    )
    return _Tables(result.records, title, result.notes, text, facts)


def parse_report(data: bytes, source_file: str) -> ParsedReport:
    """Parse one report. Raises :class:`QuarantineError` with a precise reason when it cannot."""
    if is_docx(data):
        try:
            document = read_docx(data)
        except UnreadableDocxError as exc:
            raise QuarantineError(str(exc), "decode") from exc
        encoding, text = "docx", document.text + "\n" + "\n".join(" ".join(r.cells) for r in document.rows)
    elif data.startswith(b"%PDF"):
        try:
            pdf = read_pdf(data)
        except UnreadablePdfError as exc:
            raise QuarantineError(str(exc), "decode") from exc
        document, encoding = pdf.document, f"pdf ({pdf.pages} pages, text layer)"
        text = document.text
    else:
        try:
            decoded = decode_report_bytes(data)
        except UnreadableReportError as exc:
            raise QuarantineError(str(exc), "decode") from exc
        document, encoding = None, decoded.encoding
        text = normalize_text(decoded.text)
    try:
        template = detect_template(text)
    except TemplateUnclearError as exc:
        raise QuarantineError(str(exc), "template") from exc
    if template is None:
        raise QuarantineError("no statistics table found (no 统计表 or 表二/表三/表四 labels)", "template")
    if template == STAT_2014:
        tables = _read_stat_2014(text)
    elif template == LOCAL_TABLE:
        tables = _read_local_table(text)
    else:
        tables = _read_post2019(document or read_document(text), template)
    records = tables.records
    meta = extract_report_metadata(tables.text)
    if meta.report_year is None:
        raise QuarantineError("report year not stated in the title", "metadata")
    report_id = content_report_id(text)
    for record in records:
        record.update(
            report_id=report_id,
            report_year=meta.report_year,
            agency=meta.agency,
            template=template,
            source_file=source_file,
        )
    report = {
        "report_id": report_id,
        "report_year": meta.report_year,
        "agency": meta.agency,
        "agency_as_written": meta.agency_as_written,
        "title": meta.title,
        "publication_date": meta.publication_date,
        "template": template,
        "table_title": tables.title,
        "table_filled_on": meta.table_filled_on,
        "table_rows": len({(r["table_id"], r["indicator_code"]) for r in records}),
        "cells_with_value": sum(r["value_status"] in NUMBER_STATUSES for r in records),
        "cells_without_value": sum(r["value_status"] not in (*NUMBER_STATUSES, NOT_APPLICABLE) for r in records),
        "unmapped_rows": len(
            {r["indicator_code"] for r in records if r["catalog_status"] not in (MATCHED, MATCHED_BY_POSITION)}
        ),
        "layout_notes": "; ".join(tables.notes),
        "source_file": source_file,
        "source_sha256": hashlib.sha256(data).hexdigest(),
        "encoding": encoding,
        "size_bytes": len(data),
    }
    facts = [
        {
            "report_id": report_id,
            "fact_order": order,
            "fact_code": f.fact_code,
            "value": f.value,
            "unit": f.unit,
            "sentence": f.sentence,
            "source_line": f.line,
        }
        for order, f in enumerate(tables.facts if tables.facts is not None else extract_narrative_facts(tables.text), 1)
    ]
    return ParsedReport(report, records, facts)
