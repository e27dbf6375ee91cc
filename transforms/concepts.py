"""The concept map, as data (``concepts.csv``): which table cells a plain question refers to in
each template — requests received, carried over, answered, carried forward, reviews, lawsuits,
and the numbers a report's text states about its tables.

Used by the narrative rules (text ↔ table), the run-together splitter (the text's numbers as a
constraint) and the ``report_summary`` view. A concept's cells add up (lawsuits = T4.2 + T4.3);
an ``alternative`` reading is another sum the text may mean (received counted with last year's
carried-over requests). Checked when loaded against the template layouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from transforms.layouts import TEMPLATES, template_layout

CONCEPTS_FILE = "concepts.csv"
CONCEPT_COLUMNS = ["concept", "templates", "cells", "reading", "text_check", "description"]
PRIMARY, ALTERNATIVE = "", "alternative"
# The questions report_summary answers across template families.
SUMMARY_CONCEPTS = ("received", "carried_over", "answered", "carried_forward", "reviews", "lawsuits")


@dataclass(frozen=True)
class ConceptCells:
    concept: str
    template: str
    cells: tuple[tuple[str, str], ...]  # (row code, column code), summed
    alternative: bool
    text_check: bool  # compare what the text states with these cells (R7, the splitter's text checks)
    description: str

    @property
    def table_id(self) -> str:
        return template_layout(self.template).table_of(self.cells[0][0])


@cache
def load_concepts() -> tuple[ConceptCells, ...]:
    with resources.files("transforms").joinpath(CONCEPTS_FILE).open(encoding="utf-8") as handle:
        return parse_concepts(pd.read_csv(handle, dtype=str, keep_default_na=False))


def parse_concepts(table: pd.DataFrame) -> tuple[ConceptCells, ...]:
    """The concept map of a concepts table, checked against the layouts."""
    if list(table.columns) != CONCEPT_COLUMNS:
        raise ValueError(f"{CONCEPTS_FILE}: columns {list(table.columns)} != {CONCEPT_COLUMNS}")
    concepts = []
    for r in table.itertuples(index=False):
        where = f"{CONCEPTS_FILE}: {r.concept} ({r.templates})"
        if r.reading not in (PRIMARY, ALTERNATIVE):
            raise ValueError(f"{where}: reading must be empty or {ALTERNATIVE!r}, not {r.reading!r}")
        if r.text_check not in ("yes", "no"):
            raise ValueError(f"{where}: text_check must be yes or no, not {r.text_check!r}")
        cells = tuple([*cell.split("/"), ""][:2] for cell in r.cells.split("|") if cell)
        if not cells:
            raise ValueError(f"{where}: no cells")
        for template in r.templates.split("|"):
            if template not in TEMPLATES:
                raise ValueError(f"{where}: unknown template {template!r}")
            layout = template_layout(template)
            for row, column in cells:
                if not layout.has_cell(row, column):
                    raise ValueError(f"{where}: {template} has no cell {row}/{column}")
            concepts.append(
                ConceptCells(
                    r.concept,
                    template,
                    tuple(map(tuple, cells)),
                    r.reading == ALTERNATIVE,
                    r.text_check == "yes",
                    r.description,
                )
            )
    primaries = [(c.concept, c.template) for c in concepts if not c.alternative]
    if len(primaries) != len(set(primaries)):
        raise ValueError(f"{CONCEPTS_FILE}: a concept has two primary readings in one template")
    return tuple(concepts)


def concept_cells(template: str, text_checked: bool = False) -> dict[str, list[ConceptCells]]:
    """Concept → its readings in ``template``, the primary one first; only those the text is
    compared with when ``text_checked``."""
    found: dict[str, list[ConceptCells]] = {}
    for concept in sorted(load_concepts(), key=lambda c: c.alternative):
        if concept.template == template and (concept.text_check or not text_checked):
            found.setdefault(concept.concept, []).append(concept)
    return found


def stated_checks(
    template: str, codes: set[str], columns: list[str], stated: dict[str, list[float]]
) -> list[tuple[str, object]]:
    """What the text states (concept → its stated values), as checks over a table of candidate
    cells (row code → one value per column in ``columns``): one per concept whose cells are all
    among ``codes``; it holds when one statement equals one of the concept's readings, and cannot
    be answered (None) while the table lacks a cell it needs."""
    positions = {column: index for index, column in enumerate(columns)}
    checks = []
    for concept, readings in concept_cells(template, text_checked=True).items():
        usable = [r.cells for r in readings if all(row in codes and col in positions for row, col in r.cells)]
        if concept not in stated or not usable:
            continue

        def check(table, values=stated[concept], usable=usable):
            totals = [
                sum(table[row][positions[column]] for row, column in reading)
                for reading in usable
                if all(row in table for row, _ in reading)
            ]
            if not totals:
                return None
            verdict = False
            for total in totals:
                for value in values:
                    verdict = verdict | (abs(total - value) < 1e-6)
            return verdict

        checks.append(("text", check))
    return checks
