"""The standard indicators of each report (``transforms/indicator_definitions.csv`` over the concepts
of ``concepts.csv``), computed when a batch is stored, like ``report_summary``: per report and
indicator, the value, its numerator and denominator, the cells they came from as printed, or no
value and the reason (the template prints no such cell, a cell is blank or unreadable, the
denominator is 0). Never a 0 for what a table does not print.

One SQL statement written from the definitions, run by DuckDB over the batch's frames.
"""

from __future__ import annotations

from functools import cache

import duckdb
import pandas as pd

from transforms.catalog import load_catalog
from transforms.concepts import concept_cells
from transforms.indicator_definitions import load_indicator_definitions, why_not_applicable
from transforms.layouts import TEMPLATES
from transforms.schemas import REPORT_INDICATORS

_YUAN_PER_WAN = 10000  # an amount printed in 元, in the indicators' 万元
_CELLS = ["report_id", "template", "indicator_code", "column_code", "unit", "value", "value_raw", "value_status"]
_REPORTS = ["report_id", "agency_id", "agency", "report_year", "template", "source_file"]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _values(rows: list[tuple]) -> str:
    def literal(value) -> str:
        return _quote(value) if isinstance(value, str) else repr(value)

    return ",\n    ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)


@cache
def report_indicators_sql() -> str:
    """Per report and indicator, over relations named reports, indicators and catalog."""
    definitions = load_indicator_definitions()
    used = {c for d in definitions for c in d.concepts}
    cells = [
        (template, concept, code, column, len(readings[0].cells))
        for template in TEMPLATES
        for concept, readings in concept_cells(template).items()
        if concept in used
        for code, column in readings[0].cells
    ]
    terms = [
        (d.indicator, side, t.concept, t.sign, position)
        for d in definitions
        for side, side_terms in (("n", d.numerator), ("d", d.denominator))
        for position, t in enumerate(side_terms)
    ]
    applies = [
        (d.indicator, d.label_en, d.unit, d.scale, bool(d.denominator), template,
         "" if template in d.templates else why_not_applicable(d, template), order)
        for order, d in enumerate(definitions)
        for template in TEMPLATES
    ]  # fmt: skip
    return f"""WITH concept_cells(template, concept, indicator_code, column_code, cells) AS (VALUES
    {_values(cells)}
), terms(indicator, side, concept, sign, term_order) AS (VALUES
    {_values(terms)}
), applies(indicator, label_en, unit, scale, has_denominator, template, not_applicable, indicator_order) AS (VALUES
    {_values(applies)}
), concept_values AS (
  SELECT i.report_id, m.concept,
    CASE WHEN count(i.value) = any_value(m.cells)
      THEN sum(CASE WHEN coalesce(nullif(i.unit, ''), k.unit) = '元' THEN i.value / {_YUAN_PER_WAN} ELSE i.value END)
    END AS value,
    CASE WHEN count(*) < any_value(m.cells) THEN m.concept || ': ' || (any_value(m.cells) - count(*)) || ' of its '
           || any_value(m.cells) || ' cells not in the report'
      ELSE string_agg(CASE WHEN i.value IS NULL THEN i.indicator_code || coalesce('/' || nullif(i.column_code, ''), '')
           || ' is ' || i.value_status END, ', ' ORDER BY i.indicator_code, i.column_code) END AS lacking,
    string_agg(i.indicator_code || coalesce('/' || nullif(i.column_code, ''), '') || '=' || i.value_raw
      || CASE WHEN i.value IS NULL THEN ' (' || i.value_status || ')' ELSE '' END, '; '
      ORDER BY i.indicator_code, i.column_code) AS cells
  FROM indicators i
  JOIN concept_cells m USING (template, indicator_code, column_code)
  LEFT JOIN catalog k ON k.code = i.indicator_code
  GROUP BY i.report_id, m.concept
), sides AS (
  SELECT r.report_id, a.indicator,
    CASE WHEN count(c.value) FILTER (WHERE t.side = 'n') = count(*) FILTER (WHERE t.side = 'n')
      THEN sum(t.sign * c.value) FILTER (WHERE t.side = 'n') END AS numerator,
    CASE WHEN count(c.value) FILTER (WHERE t.side = 'd') = count(*) FILTER (WHERE t.side = 'd')
      THEN sum(t.sign * c.value) FILTER (WHERE t.side = 'd') END AS denominator,
    string_agg(DISTINCT coalesce(c.lacking, t.concept || ': not in the report'), '; '
      ORDER BY coalesce(c.lacking, t.concept || ': not in the report')) FILTER (WHERE c.value IS NULL) AS lacking,
    string_agg(c.cells, '; ' ORDER BY t.side DESC, t.term_order) AS source_cells
  FROM reports r
  JOIN applies a ON a.template = r.template AND a.not_applicable = ''
  JOIN terms t ON t.indicator = a.indicator
  LEFT JOIN concept_values c ON c.report_id = r.report_id AND c.concept = t.concept
  GROUP BY r.report_id, a.indicator
)
SELECT r.report_id, r.agency_id, r.agency, r.report_year, r.template, a.indicator, a.label_en, a.unit,
  CASE WHEN s.lacking IS NOT NULL OR (a.has_denominator AND s.denominator = 0) THEN NULL
       WHEN a.has_denominator THEN a.scale * s.numerator / s.denominator
       ELSE a.scale * s.numerator END AS value,
  CASE WHEN s.lacking IS NULL THEN s.numerator END AS numerator,
  CASE WHEN s.lacking IS NULL AND a.has_denominator THEN s.denominator END AS denominator,
  CASE WHEN a.not_applicable <> '' THEN a.not_applicable
       WHEN s.lacking IS NOT NULL THEN 'no value for ' || s.lacking
       WHEN a.has_denominator AND s.denominator = 0 THEN 'the denominator is 0'
       ELSE '' END AS reason,
  coalesce(s.source_cells, '') AS source_cells, r.source_file, a.indicator_order
FROM reports r
JOIN applies a ON a.template = r.template
LEFT JOIN sides s ON s.report_id = r.report_id AND s.indicator = a.indicator"""


def report_indicators(reports: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """The ``report_indicators`` rows of a batch: every report × every indicator."""
    with duckdb.connect() as connection:
        connection.register("reports", reports[_REPORTS])
        connection.register("indicators", indicators[_CELLS])
        connection.register("catalog", load_catalog()[["code", "unit"]])
        frame = connection.execute(report_indicators_sql()).df()
    return frame[REPORT_INDICATORS.column_names].astype({"report_year": "int16", "indicator_order": "int32"})
