"""Fuzzing parse_report: 3,000 mutants of the sample, of real reports (text, markdown, HTML, PDF,
the blank DOCX template) and of generated ones (DOCX, XLSX, XLS, ODS, PDF) each parse or are
quarantined, each within its time bound; any other exception is a parser error.

The mutants come from benchmarks/fuzz_reports.py, seeded per source and index, so a failure names
the mutant and how to reproduce it; they run in a forked child, so that one that ends the process
(a native library aborting) is named too. One test per source: a failure says which form broke.
Sources in ../shared/corpus are skipped when it is absent. About 45 s on a 2-core machine.
"""

from __future__ import annotations

import logging

import pytest

from benchmarks.fuzz_reports import REGRESSIONS, SOURCES, regression, run_isolated, source_bytes

SEED = 0  # CI's mutants; a wider run: python benchmarks/fuzz_reports.py --mutants 20000 --seed 1


@pytest.fixture(autouse=True)
def _quiet_pdfminer():
    """pdfminer logs a warning for every damaged font: thousands, kept by the log capture."""
    logging.disable(logging.ERROR)
    yield
    logging.disable(logging.NOTSET)


def _source(name: str) -> None:
    if source_bytes(name) is None:
        pytest.skip(f"{name}: ../shared/corpus is not present")


@pytest.mark.parametrize("name", list(SOURCES))
def test_mutants_parse_or_are_quarantined(name):
    _source(name)
    outcomes = run_isolated(name, 0, SOURCES[name].mutants, SEED)  # in a forked child: a native abort is named
    failures = [outcome for outcome in outcomes if outcome.failed]
    assert not failures, f"{len(failures)} of {len(outcomes)} mutants of {name} failed:\n" + "\n".join(
        outcome.describe() for outcome in failures
    )
    assert {outcome.result for outcome in outcomes} >= {"quarantined"}  # the mutations do damage


@pytest.mark.parametrize("name", list(REGRESSIONS))
def test_crashes_found_so_far(name):
    source, _, before = REGRESSIONS[name]
    _source(source)
    outcome = regression(name)
    assert not outcome.failed, f"{outcome.describe()}\n    before its fix: {before}"
