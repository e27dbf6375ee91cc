"""Every curated table's columns, declared once; Parquet writes and GX suites derive from here."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from transforms.agencies import AGENCY_LEVELS
from transforms.vocabulary import NOT_FAILURES, QUARANTINE_STAGES, RULE_OUTCOMES  # noqa: F401  (re-exported)


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    nullable: bool
    description: str


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    partition_by: str | None = None
    description: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns])

    def to_arrow(self, frame: pd.DataFrame) -> pa.Table:
        """Conform ``frame`` to this schema: exact columns, declared types, no nulls in required columns."""
        if list(frame.columns) != self.column_names:
            missing = [c for c in self.column_names if c not in frame.columns]
            extra = [c for c in frame.columns if c not in self.column_names]
            raise ValueError(f"{self.name}: columns differ from the schema (missing {missing}, extra {extra})")
        try:  # pyarrow enforces the declared types and non-nullable fields
            return pa.Table.from_pandas(frame, schema=self.arrow_schema(), preserve_index=False, safe=True)
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise ValueError(f"{self.name}: does not conform to its schema: {exc}") from exc

    def empty_frame(self) -> pd.DataFrame:
        return self.arrow_schema().empty_table().to_pandas()


def _c(name: str, type_: pa.DataType, description: str, nullable: bool = False) -> Column:
    return Column(name, type_, nullable, description)


STR, INT16, INT32, INT64, F64, DATE = pa.string(), pa.int16(), pa.int32(), pa.int64(), pa.float64(), pa.date32()

INDICATORS = TableSchema(
    name="indicators",
    description="One row per statistics-table cell of every published report.",
    primary_key=("report_id", "indicator_code", "column_code"),
    partition_by="report_year",
    columns=(
        _c("report_id", STR, "Content hash of the normalised report text (16 hex chars)."),
        _c("report_year", INT16, "Year the report covers."),
        _c("agency", STR, "Publishing agency, canonical form."),
        _c("template", STR, "Table template: stat_2014, local_table, fmt_2019, fmt_2021."),
        _c("table_id", STR, "Table within the report: stat (2014 统计表), local (older local tables), t2, t3, t4."),
        _c("indicator_code", STR, "Catalog code; 'unmapped:…' or 'duplicate:…' when the row is not in the catalog."),
        _c("catalog_status", STR, "matched, matched_by_position (label lost, placed by order), unmapped or duplicate."),
        _c("row_label", STR, "Row label as printed (wrapped lines joined)."),
        _c("row_path", STR, "Canonical Chinese label path, e.g. 三、依申请公开情况/（一）收到申请数."),
        _c("column_code", STR, "Column code (natural_person, total, …); empty for one-value tables."),
        _c("column_label", STR, "Canonical Chinese column label; empty for one-value tables."),
        _c("unit", STR, "Unit as printed; empty for section rows."),
        _c("value", F64, "The number, null when blank, a placeholder, unreadable or not applicable.", nullable=True),
        _c("value_raw", STR, "The cell exactly as written."),
        _c(
            "value_status",
            STR,
            "ok, ok_with_note, blank, placeholder, not_applicable, unparsed, ambiguous (printed, cell unknown), "
            "missing (the template has the cell, the document does not show it).",
        ),
        _c("value_note", STR, "Text split off the number (unit or note inside the cell)."),
        _c("row_order", INT32, "Position of the row in the printed table."),
        _c("source_file", STR, "File the cell came from, relative to the raw folder."),
        _c("source_page", INT32, "PDF page or spreadsheet sheet the cell is on; null for text forms.", nullable=True),
        _c(
            "source_line",
            INT32,
            "1-based line of the cell in the normalised text; for PDFs, its table row on the page; "
            "for spreadsheets, its row in the sheet; "
            "null for a missing cell.",
            nullable=True,
        ),
    ),
)

REPORTS = TableSchema(
    name="reports",
    description="One row per published report.",
    primary_key=("report_id",),
    columns=(
        _c("report_id", STR, "Content hash of the normalised report text."),
        _c("report_year", INT16, "Year the report covers."),
        _c(
            "agency",
            STR,
            "Publishing agency as this report names it, canonical form (桃源县 → 桃源县人民政府; short forms "
            "and misprints settled by transforms/agency_overrides.csv).",
        ),
        _c("agency_as_written", STR, "Agency as named in the title (or the page's publisher field)."),
        _c(
            "agency_id",
            STR,
            "The body (agencies.agency_id): division/body, or ?/name when not placed; empty: none named.",
        ),
        _c("agency_level", STR, f"{', '.join(AGENCY_LEVELS)}; empty when not placed."),
        _c(
            "division_code",
            STR,
            "GB/T 2260 code of the agency's division, valid for the report year; empty: not placed.",
        ),
        _c("agency_placement", STR, "How the agency was placed (revision and divisions, or override), or why not."),
        _c("title", STR, "Report title (else the crawl's title for it)."),
        _c(
            "publication_date",
            DATE,
            "Date printed under the title, else the page's date as the crawl recorded it.",
            nullable=True,
        ),
        _c(
            "year_source",
            STR,
            "Where report_year was read: title, statistics_period, body, crawl_title, file_name, or "
            "publication_date_estimate (the publication date minus one: an estimate).",
        ),
        _c(
            "agency_source",
            STR,
            "Where the agency was read: title, publisher_field, body, crawl_title, crawl_source, joined_page; "
            "empty: none found.",
        ),
        _c("source_url", STR, "URL the crawl fetched the page from (crawler exports, web archives); else empty."),
        _c(
            "other_sources",
            STR,
            "Other documents of the same report joined to it (its narrative page, say), |-separated; else empty.",
        ),
        _c("template", STR, "Table template."),
        _c("table_title", STR, "Title printed above the statistics table."),
        _c("table_filled_on", DATE, "填报日期 in the table footer.", nullable=True),
        _c("table_rows", INT32, "Rows read from the table."),
        _c("cells_with_value", INT32, "Cells holding a number."),
        _c("cells_without_value", INT32, "Cells blank, placeholder or unreadable (section rows excluded)."),
        _c("unmapped_rows", INT32, "Rows not matched to the catalog."),
        _c("layout_notes", STR, "What was unusual about the tables' layout or damaged in them; empty when nothing."),
        _c(
            "source_file",
            STR,
            "File the report was read from, relative to the raw folder; a page of a crawl container as "
            "<file>#row=N (exports), #line=N (JSON Lines) or #uri=…&date=… (web archives).",
        ),
        _c("source_sha256", STR, "SHA-256 of the file's (or page's) bytes."),
        _c("encoding", STR, "Detected text encoding."),
        _c("size_bytes", INT64, "File size."),
    ),
)

RULE_RESULTS = TableSchema(
    name="rule_results",
    description="Arithmetic consistency and value rules evaluated per report; they flag, never block.",
    primary_key=("report_id", "rule_id", "table_id", "row_code", "column_code"),  # R8, C1 run once per table
    columns=(
        _c("report_id", STR, "Report the rule was evaluated on."),
        _c(
            "rule_id",
            STR,
            "Rule id (transforms/arithmetic_rules.csv): P1…P12e, R1…R8 from the spec; C1 (a count too large), "
            "Y1 (report year out of range); R7 and P1t compare the text with the tables.",
        ),
        _c(
            "table_id",
            STR,
            "Table the rule checks (stat, local, t2, t3, t4); 'text' for the text ↔ table rules (R7, P1t); "
            "'report' for a rule on the report as a whole (Y1).",
        ),
        _c("row_code", STR, "Row the rule was evaluated on, for rules within a row (R3, R5); else empty."),
        _c("column_code", STR, "Column the rule was evaluated on, for rules within a column (R1, R4); else empty."),
        _c("severity", STR, "error (an identity the table must satisfy) or warning (usually holds)."),
        _c("description", STR, "What the rule checks."),
        _c("expected", F64, "Value the rule derives from the parts.", nullable=True),
        _c("actual", F64, "Value the report prints.", nullable=True),
        _c("outcome", STR, "pass, fail or not_applicable (RULE_OUTCOMES)."),
        _c("detail", STR, "The arithmetic, written out."),
    ),
)

# Where a file can fail, so where it is quarantined (the "stage" column); known to the gate.

QUARANTINE = TableSchema(
    name="quarantine",
    description="Every input file that did not become a report, with the reason.",
    primary_key=("source_file",),
    columns=(
        _c("source_file", STR, "File, relative to the raw folder; or a page of a crawl container (see reports)."),
        _c("stage", STR, f"Where it failed: {', '.join(QUARANTINE_STAGES)}."),
        _c("reason", STR, "Why, in words."),
        _c(
            "duplicate_of",
            STR,
            "report_id of the report with the same content (duplicates), or that the page was joined to.",
            nullable=True,
        ),
        _c("source_sha256", STR, "SHA-256 of the file's bytes."),
        _c("size_bytes", INT64, "File size."),
    ),
)

CATALOG = TableSchema(
    name="catalog",
    description="Indicator catalog: codes, canonical labels (zh/en), units.",
    primary_key=("code",),
    columns=(
        _c("code", STR, "Indicator code."),
        _c("parent_code", STR, "Parent indicator code; empty at the top."),
        _c("template", STR, "Template the indicator belongs to."),
        _c("table_id", STR, "Table within the template."),
        _c("label_zh", STR, "Canonical Chinese label."),
        _c("label_en", STR, "English label."),
        _c("unit", STR, "Canonical unit; empty for section rows."),
        _c("value_kind", STR, "count, amount or section."),
        _c("aliases", STR, "Other printed labels, |-separated."),
        _c("maps_to", STR, "For a local-table row: the 2014 统计表 code measuring the same thing; empty if none."),
        _c("label_path", STR, "Canonical Chinese label path."),
    ),
)

NARRATIVE_FACTS = TableSchema(
    name="narrative_facts",
    description="Numbers the report's text states about its tables, with the sentence they come from.",
    primary_key=("report_id", "fact_order"),
    columns=(
        _c("report_id", STR, "Report the sentence is in."),
        _c("fact_order", INT32, "Position of the fact in the report's text."),
        _c("fact_code", STR, "received, answered, carried_over, carried_forward, reviews, lawsuits, fees, channel_…"),
        _c("value", F64, "The number as stated."),
        _c("unit", STR, "Unit as stated (件, 条, 元, 万元)."),
        _c("sentence", STR, "The sentence, spaces removed."),
        _c("source_line", INT32, "Line where the sentence's paragraph starts."),
    ),
)

CATALOG_COLUMNS = TableSchema(
    name="catalog_columns",
    description="Columns of every table: codes, labels (zh/en), units, kinds, printed headings.",
    primary_key=("table_id", "templates", "column_code"),
    columns=(
        _c("table_id", STR, "Table: stat, local, t2, t3, t4."),
        _c("templates", STR, "Templates the column appears in, |-separated."),
        _c("column_code", STR, "Column code."),
        _c("label_zh", STR, "Canonical Chinese label."),
        _c("label_en", STR, "English label."),
        _c("unit", STR, "Unit of the column's cells."),
        _c("value_kind", STR, "count, amount, signed_count or free_amount; empty: the row's unit decides."),
        _c("aliases", STR, "Other printed headings, |-separated ({year} stands for a year: 2011年度)."),
    ),
)

INPUTS = TableSchema(
    name="inputs",
    description="Every raw file a version was built from: what an incremental run compares the raw folder with.",
    primary_key=("source_file",),
    columns=(
        _c("source_file", STR, "File, relative to the raw folder; or a page of a crawl container."),
        _c("container", STR, "For a page: the crawl container (export, web archive) it is in; empty for a file."),
        _c("size_bytes", INT64, "File size when it was read."),
        _c("mtime_ns", INT64, "Modification time when it was read (ns since the epoch)."),
        _c("source_sha256", STR, "SHA-256 of the file's bytes."),
        _c("parser_version", STR, "Hash of the parsing code and template data that read it."),
    ),
)


def wide_columns() -> dict[str, tuple[str, str]]:
    """Column name → (row, column) for report_wide, in catalog order: a one-value table's row by
    its code (A3.1 → A3_1), a table with a 总计 column by its total (T3_1), others per column
    (T2_1_1_issued). Local tables reach the A* columns through the 2014 series."""
    from transforms.catalog import load_catalog
    from transforms.layouts import all_layouts

    cells: dict[str, dict[str, None]] = {}
    for layout in all_layouts():
        for table in layout.tables.values():
            if table.table_id == "local":
                continue
            totals = [c.code for c in table.columns if c.code == "total"]
            for rows in table.variants.values():
                for row in rows:
                    if row.entry.value_kind == "section":
                        continue
                    chosen = totals or [c.code for c in row.columns]
                    cells.setdefault(row.code, {}).update(dict.fromkeys(chosen))
    names = {}
    for code in load_catalog()["code"]:
        for column in cells.get(code, {}):
            suffix = f"_{column}" if column and column != "total" else ""
            names[code.replace(".", "_") + suffix] = (code, column)
    return names


_REPORT_COLUMNS = (
    _c("report_id", STR, "Report."),
    _c("report_year", INT16, "Year the report covers."),
    _c("agency", STR, "Publishing agency, canonical form."),
    _c("template", STR, "Table template."),
    _c("source_file", STR, "File the report was read from."),
)

REPORT_WIDE = TableSchema(
    name="report_wide",
    description="One row per report, one column per valued indicator (computed when a version is committed).",
    primary_key=("report_id",),
    columns=(
        *_REPORT_COLUMNS,
        *(_c(name, F64, f"{code} {column}".strip(), nullable=True) for name, (code, column) in wide_columns().items()),
    ),
)


def _summary_columns() -> tuple[Column, ...]:
    from transforms.concepts import SUMMARY_CONCEPTS

    return tuple(_c(name, F64, f"{name}, where the template has it", nullable=True) for name in SUMMARY_CONCEPTS)


REPORT_SUMMARY = TableSchema(
    name="report_summary",
    description="The same questions across template families, per report (concepts.csv).",
    primary_key=("report_id",),
    columns=(*_REPORT_COLUMNS, *_summary_columns()),
)

REPORT_INDICATORS = TableSchema(
    name="report_indicators",
    description="The standard indicators of each report (indicator_definitions.csv), with their inputs, "
    "or the reason there is no value.",
    primary_key=("report_id", "indicator"),
    columns=(
        _c("report_id", STR, "Report."),
        _c("agency_id", STR, "The report's agency (agencies.agency_id)."),
        _c("agency", STR, "Publishing agency, canonical form."),
        _c("report_year", INT16, "Year the report covers."),
        _c("template", STR, "Table template."),
        _c("indicator", STR, "Indicator name (transforms/indicator_definitions.csv)."),
        _c("label_en", STR, "Its English label."),
        _c("unit", STR, "Its unit: 件, %, 件/百件 (per 100 requests), 万元."),
        _c(
            "value",
            F64,
            "scale × numerator / denominator (or × numerator); null when it cannot be known.",
            nullable=True,
        ),
        _c("numerator", F64, "Sum of the numerator's concepts.", nullable=True),
        _c("denominator", F64, "Sum of the denominator's concepts; null for an indicator without one.", nullable=True),
        _c("reason", STR, "Why there is no value (template, blank or unreadable cell, denominator 0); else empty."),
        _c("source_cells", STR, "The cells used, code/column=as printed, numerator's first."),
        _c("source_file", STR, "File the report was read from."),
        _c("indicator_order", INT32, "Position of the indicator in its definitions file."),
    ),
)

AGENCIES = TableSchema(
    name="agencies",
    description="One row per publishing body, from its reports' names (transforms/agencies.py).",
    primary_key=("agency_id",),
    columns=(
        _c("agency_id", STR, "division_code/body (320813/人民政府), or ?/name for a name no division places."),
        _c("name", STR, "The name its reports give most often (then the latest, then the longest)."),
        _c("names_seen", STR, "Every name its reports print, |-separated."),
        _c("level", STR, f"{', '.join(AGENCY_LEVELS)}; empty when not placed."),
        _c("division_code", STR, "GB/T 2260 code of its division in its latest report's year; empty: not placed."),
        _c("province", STR, "Province-level division."),
        _c("city", STR, "Prefecture-level division; empty for a province-level body or a municipality."),
        _c("county", STR, "County-level division; empty above county level."),
        _c("first_year", INT16, "First report year."),
        _c("last_year", INT16, "Last report year."),
        _c("reports", INT32, "Reports published."),
    ),
)

CURATED_TABLES: dict[str, TableSchema] = {
    t.name: t
    for t in (
        INDICATORS,
        REPORTS,
        RULE_RESULTS,
        NARRATIVE_FACTS,
        QUARANTINE,
        CATALOG,
        CATALOG_COLUMNS,
        INPUTS,
        REPORT_WIDE,
        REPORT_SUMMARY,
        REPORT_INDICATORS,
        AGENCIES,
    )
}
