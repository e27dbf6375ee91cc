"""The one settings object: paths and options, from XXGK_* environment variables or defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from flows.dataset.storage import S3Path, location
from transforms.limits import DEFAULT_LIMITS, PLAIN_READING, ReadLimits, ReadOptions

REPO_ROOT = Path(__file__).resolve().parents[1]


def user_cache_dir() -> Path:
    """xxgk's folder in the user's cache (``$XDG_CACHE_HOME``, else ``~/.cache``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "xxgk"


AUDIT_DIR = "audit"  # the audit site's folder, in the local side of the dataset (and beside an s3 dataset)

# A folder, or s3://bucket/prefix on S3-compatible object storage (flows.dataset.storage).
LocationSetting = Annotated[Path | S3Path, BeforeValidator(location)]


class Settings(BaseSettings):
    """Defaults are relative to the repository; ``XXGK_RAW_DIR`` etc. override them."""

    model_config = SettingsConfigDict(env_prefix="XXGK_", extra="forbid")

    raw_dir: LocationSetting = Field(
        default=REPO_ROOT / "data" / "raw", description="Folder (or s3://bucket/prefix) of input report files."
    )
    curated_dir: LocationSetting = Field(
        default=REPO_ROOT / "data" / "curated", description="The dataset: a folder, or s3://bucket/prefix."
    )
    local_dir: Path | None = Field(
        default=None,
        description="Where the DuckDB file, Data Docs and audit site go: the dataset folder itself, "
        "or for an s3:// dataset <user cache>/xxgk/s3/<bucket>/<prefix> ($XDG_CACHE_HOME or ~/.cache).",
    )
    batch_size: int = Field(
        default=100,
        ge=1,
        description="Reports per parse batch (one worker call); a worker's memory grows with it.",
    )
    flush_rows: int = Field(
        default=100_000,
        ge=1,
        description="Rows buffered before they are validated and written; bounds the run's memory.",
    )
    follow_links: bool = Field(
        default=False,
        description="Read files that links in the raw folder point to outside it (else quarantined, not_a_file).",
    )
    max_files_per_partition: int = Field(
        default=32,
        ge=1,
        description="Parquet files a table partition may hold before a commit merges them (each flush adds one).",
    )
    parse_workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="Processes that parse batches."
    )
    dask_address: str | None = Field(
        default=None,
        description="Dask scheduler to parse on (tcp://host:8786); unset: local worker processes (parse_workers).",
    )
    retention_days: float = Field(
        default=7, ge=0, description="Days an earlier dataset version stays readable (time travel, rollback)."
    )
    max_quarantine_rise: float = Field(
        default=20,
        ge=0,
        description="Points by which the quarantined share of files may rise above the published version's "
        "before a run is held back (unless --accept-quarantine).",
    )

    # What one query of `xxgk query` (and status, export) may cost: set before the sandbox locks.
    query_memory_limit: str = Field(
        default="2GB", description="DuckDB memory_limit of a query: past it, it spills, then stops."
    )
    site_memory_limit: str = Field(
        default="500MB",
        description="DuckDB memory_limit while a run writes the audit site: past it, DuckDB spills to a temporary "
        "folder, so the site's memory does not grow with the archive.",
    )
    query_threads: int = Field(default=2, ge=1, description="DuckDB threads of a query.")
    query_max_temp_size: str = Field(
        default="4GB", description="DuckDB max_temp_directory_size: how much a query may spill to disk."
    )
    query_timeout_seconds: float = Field(
        default=300, gt=0, description="Wall time of a query; past it, the query is interrupted."
    )

    # What one file may cost to read (transforms.limits.ReadLimits, where each is described).
    max_file_bytes: int = Field(default=DEFAULT_LIMITS.max_file_bytes, ge=1, description="Largest file read.")
    max_text_bytes: int = Field(
        default=DEFAULT_LIMITS.max_text_bytes, ge=1, description="Largest text/HTML file, or DOCX XML unpacked."
    )
    max_text_lines: int = Field(
        default=DEFAULT_LIMITS.max_text_lines, ge=1, description="Lines of a text file, table rows of HTML."
    )
    max_cells: int = Field(default=DEFAULT_LIMITS.max_cells, ge=1, description="Cells of a text or HTML page.")
    max_container_bytes: int = Field(
        default=DEFAULT_LIMITS.max_container_bytes, ge=1, description="DOCX/XLSX/ODS: all members unpacked."
    )
    max_container_entries: int = Field(
        default=DEFAULT_LIMITS.max_container_entries, ge=1, description="DOCX/XLSX/ODS: members."
    )
    max_xml_elements: int = Field(
        default=DEFAULT_LIMITS.max_xml_elements, ge=1, description="Elements of a DOCX's document XML."
    )
    max_pdf_pages: int = Field(default=DEFAULT_LIMITS.max_pdf_pages, ge=1, description="Pages of a PDF.")
    max_html_depth: int = Field(default=DEFAULT_LIMITS.max_html_depth, ge=1, description="HTML element nesting.")
    max_table_span: int = Field(default=DEFAULT_LIMITS.max_table_span, ge=1, description="A table cell's span.")
    max_seconds_per_file: float = Field(
        default=DEFAULT_LIMITS.max_seconds_per_file, gt=0, description="Wall time to read one file."
    )
    max_ocr_pages: int = Field(default=DEFAULT_LIMITS.max_ocr_pages, ge=1, description="Pages of a scan read by OCR.")
    max_ocr_pixels: int = Field(
        default=DEFAULT_LIMITS.max_ocr_pixels, ge=1, description="Pixels of one page image read by OCR."
    )
    max_ocr_seconds_per_page: float = Field(
        default=DEFAULT_LIMITS.max_ocr_seconds_per_page, gt=0, description="Wall time of OCR on one page."
    )

    # What reading may use beyond Python (transforms.limits.ReadOptions).
    ocr: bool = Field(
        default=True, description="Read pages without a text layer (scans) by OCR; off: such files are quarantined."
    )
    ocr_min_confidence: float = Field(
        default=PLAIN_READING.ocr_min_confidence,
        ge=0,
        le=1,
        description="An OCR'd number that no identity of its table nor the text confirms is published only at or "
        "above this recognition confidence (else it is ocr_unverified, without a value).",
    )

    soffice: str | None = Field(
        default=None,
        description="LibreOffice's soffice, which converts Word 97-2003 and WPS files (default: the one on PATH; "
        "without one, such files are quarantined with how to install it).",
    )
    convert_timeout_seconds: float = Field(default=60, gt=0, description="Wall time of one LibreOffice conversion.")

    @property
    def read_options(self) -> ReadOptions:
        from flows.parsing.legacy_office import LibreOffice  # no pandas or subprocess work: a small module

        return ReadOptions(
            ocr=self.ocr,
            ocr_min_confidence=self.ocr_min_confidence,
            convert=LibreOffice(self.soffice, self.convert_timeout_seconds),
        )

    @property
    def read_limits(self) -> ReadLimits:
        return ReadLimits(**{name: getattr(self, name) for name in ReadLimits.names()}, options=self.read_options)

    @property
    def output_dir(self) -> Path:
        """The local side of the dataset (see ``local_dir``)."""
        if self.local_dir is not None:
            return self.local_dir
        if self.curated_dir.is_remote:  # the user's cache, never the installed source tree
            return user_cache_dir() / "s3" / self.curated_dir.bucket / self.curated_dir.key
        return self.curated_dir

    @property
    def duckdb_path(self) -> Path:
        return self.output_dir / "xxgk.duckdb"

    @property
    def data_docs_dir(self) -> Path:
        return self.output_dir / "data_docs"

    @property
    def audit_dir(self) -> Path:
        return self.output_dir / AUDIT_DIR
