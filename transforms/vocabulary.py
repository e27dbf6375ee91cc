"""The closed vocabularies of the dataset, written once: what a cell's ``value_status``, a row's
``catalog_status``, a quarantine ``stage``, a rule's ``outcome`` and ``severity``, and a
``table_id`` may be, and how each table is captioned.

The interpreters write these values, the rules (``expectations/``) check them, and what people
read (the export, the audit site, ``check``, the CLI's SQL) shows them: all import them from here.
Plain constants and no imports, so the CLI can use them without loading pandas.
"""

from __future__ import annotations

# ---- a cell's value_status ---------------------------------------------------------------------
OK = "ok"
OK_WITH_NOTE = "ok_with_note"
BLANK = "blank"
PLACEHOLDER = "placeholder"
NOT_APPLICABLE = "not_applicable"
UNPARSED = "unparsed"
AMBIGUOUS = "ambiguous"  # printed, but which cell it belongs to cannot be told
MISSING = "missing"  # the template has the cell; the document does not show it
INFERRED = "inferred"  # cut out of run-together digits: the only split the table's arithmetic allows
OCR = "ocr"  # read from a scan, and confirmed by the table's arithmetic or text (or, unchecked, read surely)
OCR_UNVERIFIED = "ocr_unverified"  # read from a scan, and nothing confirms it: the digits in value_raw, no value
NUMBER_STATUSES = (OK, OK_WITH_NOTE, INFERRED, OCR)  # the cell has a value
VALUE_STATUSES = (
    OK, OK_WITH_NOTE, INFERRED, OCR, BLANK, PLACEHOLDER, NOT_APPLICABLE, UNPARSED, AMBIGUOUS, MISSING, OCR_UNVERIFIED,
)  # fmt: skip
NOT_FLAGGED = (OK, NOT_APPLICABLE)  # shown as they are; every other status is flagged to a reader

# ---- a row's catalog_status --------------------------------------------------------------------
MATCHED = "matched"
MATCHED_BY_POSITION = "matched_by_position"  # label lost in the document; row placed by its order
UNMAPPED = "unmapped"
DUPLICATE = "duplicate"
CATALOG_STATUSES = (MATCHED, MATCHED_BY_POSITION, UNMAPPED, DUPLICATE)

# ---- a quarantine row's stage: where a file (or a crawled page) stopped ------------------------
QUARANTINE_STAGES = (
    "not_a_file",  # a FIFO, socket, device, a dangling or looping link, a link out of the raw folder
    "read",
    "limit",
    "decode",
    "template",
    "table",
    "metadata",
    "error",
    "duplicate",
    "not_a_report",  # a page that is no disclosure annual report (a policy, say): listed, not a failure
    "joined",  # a document joined to another's report (its narrative page): listed, not a failure
)
DUPLICATE_STAGE, NOT_A_REPORT, JOINED, NOT_A_FILE = "duplicate", "not_a_report", "joined", "not_a_file"
# Stages that are no failure to read: they count neither against the volume gate nor as unread.
NOT_FAILURES = (DUPLICATE_STAGE, NOT_A_REPORT, JOINED)
LISTED = (NOT_A_REPORT, JOINED)  # pages listed apart: not reports of their own, and nothing failed

# ---- rules -------------------------------------------------------------------------------------
PASS, FAIL, NOT_CHECKED = "pass", "fail", "not_applicable"
RULE_OUTCOMES = (PASS, FAIL, NOT_CHECKED)
SEVERITIES = ("error", "warning")

# ---- tables --------------------------------------------------------------------------------------
TABLE_IDS = ("stat", "local", "t2", "t3", "t4")
TEXT_TABLE = "text"  # the table id of the text ↔ table rules' results (R7, P1t)
REPORT_TABLE = "report"  # the table id of a rule on the report as a whole (Y1)
TABLE_CAPTIONS = {"stat": "统计表", "local": "统计表", "t2": "表二", "t3": "表三", "t4": "表四"}


def sql_list(values) -> str:
    """Values as an SQL list of string literals: ``'a', 'b'``."""
    return ", ".join("'" + value.replace("'", "''") + "'" for value in values)
