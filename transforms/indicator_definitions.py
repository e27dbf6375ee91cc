"""The standard indicators, as data (``indicator_definitions.csv``): requests received, carry-forward
rate, substantive disclosure rate, refusal share, review and litigation rates, documents in force,
fees, each a formula over the concepts of ``concepts.csv`` (which cells of each template measure
requests received, refused, corrected …), so a 2014 统计表 and a 2021 表三 give the same indicator
where their cells mean the same thing.

A formula is a sum of concepts with signs (``disclosed + partly_disclosed``,
``regulations_issued - regulations_repealed``); the value is ``scale × numerator / denominator``,
or ``scale × numerator`` without a denominator. ``templates`` lists where the formula applies;
every concept it names must have cells in each of them (checked when loaded). Elsewhere the
indicator has no value, with the reason: never a 0 for what a table does not print.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from transforms.concepts import concept_cells
from transforms.layouts import TEMPLATES

DEFINITIONS_FILE = "indicator_definitions.csv"
DEFINITION_COLUMNS = [
    "indicator",
    "label_zh",
    "label_en",
    "unit",
    "scale",
    "numerator",
    "denominator",
    "templates",
    "description",
    "source",
]
_TERM = re.compile(r"\s*([+-]?)\s*([a-z_]+)\s*")
_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Term:
    concept: str
    sign: int  # +1 or -1


@dataclass(frozen=True)
class IndicatorDefinition:
    indicator: str
    label_zh: str
    label_en: str
    unit: str
    scale: float
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...]  # empty: the indicator is the numerator itself
    templates: tuple[str, ...]
    description: str
    source: str

    @property
    def concepts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.concept for t in (*self.numerator, *self.denominator)))

    def formula(self) -> str:
        def side(terms: tuple[Term, ...]) -> str:
            text = " ".join(f"{'-' if t.sign < 0 else '+'} {t.concept}" for t in terms)
            return text[2:] if text.startswith("+ ") else text

        scale = "" if self.scale == 1 else f"{self.scale:g} × "
        if not self.denominator:
            return scale + side(self.numerator)
        return f"{scale}({side(self.numerator)}) / ({side(self.denominator)})"


def parse_formula(text: str) -> tuple[Term, ...]:
    """``a + b - c`` → its terms; a ValueError for anything else."""
    terms, position = [], 0
    while position < len(text):
        match = _TERM.match(text, position)
        if match is None or (terms and not match.group(1)):
            raise ValueError(f"not a sum of concepts: {text!r}")
        terms.append(Term(match.group(2), -1 if match.group(1) == "-" else 1))
        position = match.end()
    return tuple(terms)


@cache
def load_indicator_definitions() -> tuple[IndicatorDefinition, ...]:
    with resources.files("transforms").joinpath(DEFINITIONS_FILE).open(encoding="utf-8") as handle:
        return parse_definitions(pd.read_csv(handle, dtype=str, keep_default_na=False))


def parse_definitions(table: pd.DataFrame) -> tuple[IndicatorDefinition, ...]:
    """The definitions of an indicator table, each checked against the templates and the concept
    map; a ValueError names the first wrong one."""
    if list(table.columns) != DEFINITION_COLUMNS:
        raise ValueError(f"{DEFINITIONS_FILE}: columns {list(table.columns)} != {DEFINITION_COLUMNS}")
    definitions = []
    for r in table.itertuples(index=False):
        where = f"{DEFINITIONS_FILE}: {r.indicator or '(no name)'}"
        if not _NAME.fullmatch(r.indicator):
            raise ValueError(f"{where}: a name is lower-case letters, digits and _")
        try:
            scale = float(r.scale)
            numerator = parse_formula(r.numerator)
            denominator = parse_formula(r.denominator) if r.denominator else ()
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if not numerator or scale <= 0:
            raise ValueError(f"{where}: a numerator and a positive scale are needed")
        templates = tuple(filter(None, r.templates.split("|")))
        unknown = sorted(set(templates) - set(TEMPLATES)) if templates else ["none"]
        if unknown:
            raise ValueError(f"{where}: unknown templates {unknown}")
        definition = IndicatorDefinition(
            r.indicator,
            r.label_zh,
            r.label_en,
            r.unit,
            scale,
            numerator,
            denominator,
            templates,
            r.description,
            r.source,
        )
        for template in templates:
            lacking = [c for c in definition.concepts if c not in concept_cells(template)]
            if lacking:
                raise ValueError(f"{where}: {template} has no cells for {lacking} (concepts.csv)")
        definitions.append(definition)
    names = [d.indicator for d in definitions]
    if len(names) != len(set(names)):
        raise ValueError(f"{DEFINITIONS_FILE}: an indicator is defined twice")
    return tuple(definitions)


def why_not_applicable(definition: IndicatorDefinition, template: str) -> str:
    """Why ``definition`` has no value for a report of ``template`` (one it does not apply to)."""
    lacking = [c for c in definition.concepts if c not in concept_cells(template)]
    if lacking:
        return f"{template} tables print no {', '.join(lacking)}"
    return f"not defined for {template} (see its description)"
