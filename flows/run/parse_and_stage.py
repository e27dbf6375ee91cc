"""What a run's parse workers do: parse a batch, then render the audit pages of its reports
(:func:`flows.present.audit_site.stage_pages`) from the rows they hold, while the other workers
parse. The site then moves the pages of the published reports into place after the commit,
instead of reading every audited report back from the dataset to render it."""

from __future__ import annotations

import logging
from pathlib import Path

from flows.parsing.batch import parse_files
from flows.parsing.raw_files import RawFile
from flows.present.audit_site import stage_pages
from transforms.assemble import ParsedFrames
from transforms.limits import ReadLimits


def parse_and_stage(files: list[RawFile], limits: ReadLimits, journal: Path | None, site_dir: Path) -> ParsedFrames:
    frames = parse_files(files, limits, journal)
    tables = {
        "reports": frames.reports,
        "indicators": frames.indicators,
        "rule_results": frames.rule_results,
        "narrative_facts": frames.narrative_facts,
    }
    try:
        stage_pages(site_dir, tables)
    except Exception:  # a page not staged is rendered from the dataset: slower, never wrong
        logging.getLogger(__name__).warning("audit pages not staged", exc_info=True)
    return frames
