"""The standard indicators as views, written from the data that defines them
(``transforms/indicator_definitions.csv`` over the concepts of ``transforms/concepts.csv``):

- ``report_indicators``: per report and indicator, the value, its numerator and denominator, the
  cells they came from, or no value and the reason (the template prints no such cell, a cell is
  blank or unreadable, the denominator is 0).
- ``agency_indicators``: per agency, year and indicator; two reports of one agency and year (a
  re-issue) give a value only where they agree.
- ``peer_ranks``: each value's rank and percentile among the agencies of the same level in the
  same city, and in the same province, that year.

Views, not tables: they always follow the dataset version they are opened on.
"""

from __future__ import annotations

from functools import cache

from transforms.concepts import concept_cells
from transforms.indicator_definitions import load_indicator_definitions, why_not_applicable
from transforms.layouts import TEMPLATES

INDICATOR_VIEWS = ("report_indicators", "agency_indicators", "peer_ranks")
PEER_SCOPES = ("city", "province")  # agencies column that names the region of each scope
_YUAN_PER_WAN = 10000  # an amount printed in 元, in the indicators' 万元


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _values(rows: list[tuple]) -> str:
    def literal(value) -> str:
        return _quote(value) if isinstance(value, str) else repr(value)

    return ",\n    ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)


@cache
def report_indicators_sql() -> str:
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
    return f"""CREATE VIEW report_indicators AS
WITH concept_cells(template, concept, indicator_code, column_code, cells) AS (VALUES
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


AGENCY_INDICATORS_SQL = """CREATE VIEW agency_indicators AS
SELECT x.agency_id, coalesce(any_value(g.name), any_value(x.agency)) AS agency, any_value(g.level) AS level,
  any_value(g.province) AS province, any_value(g.city) AS city, any_value(g.county) AS county,
  x.report_year, x.indicator, any_value(x.label_en) AS label_en, any_value(x.unit) AS unit,
  CASE WHEN count(DISTINCT x.value) = 1 THEN max(x.value) END AS value,
  CASE WHEN count(DISTINCT x.value) = 1 THEN max(x.numerator) FILTER (WHERE x.value IS NOT NULL) END AS numerator,
  CASE WHEN count(DISTINCT x.value) = 1 THEN max(x.denominator) FILTER (WHERE x.value IS NOT NULL) END AS denominator,
  CASE WHEN count(DISTINCT x.value) > 1
         THEN 'its ' || count(*) || ' reports of the year disagree: '
              || string_agg(DISTINCT CAST(round(x.value, 4) AS VARCHAR), ' | '
                            ORDER BY CAST(round(x.value, 4) AS VARCHAR))
       WHEN count(DISTINCT x.value) = 1 THEN ''
       ELSE min(x.reason) END AS reason,
  coalesce(min(x.source_cells) FILTER (WHERE x.value IS NOT NULL), min(x.source_cells)) AS source_cells,
  count(*) AS reports, string_agg(x.report_id, '|' ORDER BY x.report_id) AS report_ids,
  min(x.indicator_order) AS indicator_order
FROM report_indicators x
LEFT JOIN agencies g ON g.agency_id = x.agency_id
WHERE x.agency_id <> ''
GROUP BY x.agency_id, x.report_year, x.indicator"""


def peer_ranks_select(source: str = "agency_indicators") -> str:
    """Ranks over ``source`` (agency_indicators, or a table holding its rows)."""
    scopes = " UNION ALL ".join(
        f"SELECT *, {_quote(scope)} AS scope, {scope} AS region FROM valued WHERE {scope} <> ''"
        for scope in PEER_SCOPES
    )
    return f"""WITH valued AS (
  SELECT agency_id, agency, level, province, city, report_year, indicator, label_en, unit, value, indicator_order
  FROM {source} WHERE value IS NOT NULL AND level <> ''
), scoped AS ({scopes})
SELECT agency_id, agency, level, province, city, report_year, indicator, label_en, unit, value, scope, region,
  rank() OVER (PARTITION BY scope, region, level, report_year, indicator ORDER BY value DESC) AS rank,
  count(*) OVER (PARTITION BY scope, region, level, report_year, indicator) AS peers,
  100.0 * cume_dist() OVER (PARTITION BY scope, region, level, report_year, indicator ORDER BY value)
    AS percentile,
  indicator_order
FROM scoped"""


def peer_ranks_sql() -> str:
    return f"CREATE VIEW peer_ranks AS {peer_ranks_select()}"


def indicator_view_statements() -> list[str]:
    return [report_indicators_sql(), AGENCY_INDICATORS_SQL, peer_ranks_sql()]
