"""Pipeline invariants of the tables GX does not validate: codes the pipeline itself writes.

Cheap set checks on each flushed batch; a break is the pipeline's mistake, so it blocks
publishing like a failed GX expectation (the flow decides).
"""

from __future__ import annotations

import pandas as pd

from transforms.schemas import QUARANTINE, RULE_RESULTS
from transforms.vocabulary import QUARANTINE_STAGES, RULE_OUTCOMES, SEVERITIES

KNOWN_CODES = {
    (QUARANTINE.name, "stage"): QUARANTINE_STAGES,
    (RULE_RESULTS.name, "outcome"): RULE_OUTCOMES,
    (RULE_RESULTS.name, "severity"): SEVERITIES,
}


def unknown_codes(tables: dict[str, pd.DataFrame]) -> list[str]:
    failures = []
    for (table, column), known in KNOWN_CODES.items():
        frame = tables.get(table)
        if frame is None or frame.empty:
            continue
        unknown = sorted(set(frame[column].dropna().unique()) - set(known))
        if unknown:
            failures.append(f"{table}: {column} not one of {list(known)}: {unknown[:5]}")
    return failures
