"""One report file's bytes → its metadata row and its long indicator rows, or a quarantine reason."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from transforms.cell_values import NOT_APPLICABLE, OK, OK_WITH_NOTE
from transforms.decoding import UnreadableReportError, content_report_id, decode_report_bytes, normalize_text
from transforms.indicator_rows import MATCHED, stat_table_records
from transforms.report_metadata import extract_report_metadata
from transforms.stat_table import TableNotFoundError, TruncatedTableError, parse_stat_table
from transforms.templates import LOCAL_TABLE, STAT_2014, detect_template


class QuarantineError(ValueError):
    """The file cannot join the dataset; ``str(error)`` is the reason shown to users."""

    def __init__(self, reason: str, stage: str) -> None:
        super().__init__(reason)
        self.stage = stage


@dataclass
class ParsedReport:
    report: dict
    indicators: list[dict] = field(default_factory=list)


def _stat_table_is_cut_off(records: list[dict], ended_by_footer: bool, last_section: str) -> bool:
    """No footer and the rows stop before the template's last section: the text was cut."""
    if ended_by_footer or not records:
        return not records
    sections = [
        r["indicator_code"] for r in records if r["catalog_status"] == MATCHED and "." not in r["indicator_code"]
    ]
    return not sections or sections[-1] != last_section


def parse_report(data: bytes, source_file: str) -> ParsedReport:
    """Parse one report. Raises :class:`QuarantineError` with a precise reason when it cannot."""
    try:
        decoded = decode_report_bytes(data)
    except UnreadableReportError as exc:
        raise QuarantineError(str(exc), "decode") from exc
    text = normalize_text(decoded.text)
    template = detect_template(text)
    if template is None:
        raise QuarantineError("no statistics table found (no 统计表 or 表二/表三/表四 labels)", "template")
    if template != STAT_2014:
        layout = "指标名称 / 计量单位 table" if template == LOCAL_TABLE else "表二/表三/表四"
        raise QuarantineError(f"template {template} ({layout}) is not supported yet", "template")
    try:
        table = parse_stat_table(text)
    except TableNotFoundError as exc:
        raise QuarantineError(str(exc), "table") from exc
    except TruncatedTableError as exc:
        raise QuarantineError(str(exc), "table") from exc
    records = stat_table_records(table, template)
    if _stat_table_is_cut_off(records, table.ended_by_footer, last_section="A9"):
        last = records[-1]["row_label"] if records else "the header"
        raise QuarantineError(
            f"statistics table cut off: text ends after {last!r} ({len(records)} rows) "
            "before the table's last section or footer",
            "table",
        )
    meta = extract_report_metadata(text)
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
        "table_title": table.title,
        "table_filled_on": meta.table_filled_on,
        "table_rows": len(records),
        "cells_with_value": sum(r["value_status"] in (OK, OK_WITH_NOTE) for r in records),
        "cells_without_value": sum(r["value_status"] not in (OK, OK_WITH_NOTE, NOT_APPLICABLE) for r in records),
        "unmapped_rows": sum(r["catalog_status"] != MATCHED for r in records),
        "source_file": source_file,
        "source_sha256": hashlib.sha256(data).hexdigest(),
        "encoding": decoded.encoding,
        "size_bytes": len(data),
    }
    return ParsedReport(report, records)
