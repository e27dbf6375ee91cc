"""The indicator catalog: canonical codes, labels and units, kept as a data file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from transforms.labels import normalize_label

# A section heading's number without its 、 (or with it read as 一): only a whole heading after it counts.
_UNMARKED_SECTION_NUMBER = re.compile(r"^[一二三四五六七八九十]+")

CATALOG_FILE = "indicator_catalog.csv"
COLUMN_CATALOG_FILE = "column_catalog.csv"
CATALOG_COLUMNS = [
    "code",
    "parent_code",
    "template",
    "table_id",
    "label_zh",
    "label_en",
    "unit",
    "value_kind",
    "aliases",
    "maps_to",
]


@cache
def load_catalog() -> pd.DataFrame:
    """The catalog as shipped with the package, one row per indicator, with its label path."""
    with resources.files("transforms").joinpath(CATALOG_FILE).open(encoding="utf-8") as handle:
        catalog = pd.read_csv(handle, dtype=str, keep_default_na=False)
    if list(catalog.columns) != CATALOG_COLUMNS:
        raise ValueError(f"{CATALOG_FILE}: columns {list(catalog.columns)} != {CATALOG_COLUMNS}")
    if catalog["code"].duplicated().any():
        raise ValueError(
            f"{CATALOG_FILE}: duplicate codes {catalog.loc[catalog['code'].duplicated(), 'code'].tolist()}"
        )
    labels = dict(zip(catalog["code"], catalog["label_zh"], strict=True))
    parents = dict(zip(catalog["code"], catalog["parent_code"], strict=True))
    unknown_parents = {p for p in parents.values() if p and p not in labels}
    if unknown_parents:
        raise ValueError(f"{CATALOG_FILE}: unknown parent codes {sorted(unknown_parents)}")

    def path(code: str) -> str:
        chain = []
        while code:
            chain.append(labels[code])
            code = parents[code]
        return "/".join(reversed(chain))

    catalog["label_path"] = catalog["code"].map(path)
    _check_mappings(catalog)
    return catalog


def _check_mappings(catalog: pd.DataFrame) -> None:
    """A local-table row maps to at most one 2014 统计表 row measuring the same thing, one to one,
    so that the 2014 series view never shows two values for one report and indicator."""
    mapped = catalog[catalog["maps_to"] != ""]
    targets = catalog.set_index("code")
    problems = [
        f"{row.code} → {row.maps_to}"
        for row in mapped.itertuples()
        if row.template != "local_table"
        or row.maps_to not in targets.index
        or targets.loc[row.maps_to, "template"] != "stat_2014"
        or targets.loc[row.maps_to, "value_kind"] != row.value_kind
    ]
    problems += [f"{code} mapped twice" for code in mapped.loc[mapped["maps_to"].duplicated(), "maps_to"]]
    if problems:
        raise ValueError(f"{CATALOG_FILE}: maps_to must name a 2014 row of the same kind, once: {problems}")


@dataclass(frozen=True)
class ColumnEntry:
    code: str
    label_zh: str
    label_en: str
    unit: str
    value_kind: str  # count, amount, signed_count, free_amount; empty: the row's unit decides
    aliases: tuple[str, ...] = ()  # other printed headings; {year} stands for a four-digit year


COLUMN_CATALOG_COLUMNS = [
    "table_id",
    "templates",
    "column_code",
    "label_zh",
    "label_en",
    "unit",
    "value_kind",
    "aliases",
]
COLUMN_KINDS = frozenset({"count", "amount", "signed_count", "free_amount", ""})


@cache
def load_column_catalog() -> pd.DataFrame:
    """Columns of every table: code, labels, unit, kind and printed aliases per template (| separated)."""
    with resources.files("transforms").joinpath(COLUMN_CATALOG_FILE).open(encoding="utf-8") as handle:
        return check_column_catalog(pd.read_csv(handle, dtype=str, keep_default_na=False))


def check_column_catalog(columns: pd.DataFrame) -> pd.DataFrame:
    """The column catalog, or a ValueError naming what is wrong in it."""
    if list(columns.columns) != COLUMN_CATALOG_COLUMNS:
        raise ValueError(f"{COLUMN_CATALOG_FILE}: columns {list(columns.columns)} != {COLUMN_CATALOG_COLUMNS}")
    unknown_kinds = set(columns["value_kind"]) - COLUMN_KINDS
    if unknown_kinds:
        raise ValueError(f"{COLUMN_CATALOG_FILE}: unknown value kinds {sorted(unknown_kinds)}")
    per_template = columns.assign(template=columns["templates"].str.split("|")).explode("template")
    repeated = per_template[per_template.duplicated(["table_id", "template", "column_code"])]
    if not repeated.empty:
        raise ValueError(
            f"{COLUMN_CATALOG_FILE}: a column listed twice: {repeated[['table_id', 'column_code']].values}"
        )
    return columns


@cache
def table_columns(template: str, table_id: str) -> dict[str, ColumnEntry]:
    """Column code → entry for one table of one template, in printed order."""
    columns = load_column_catalog()
    rows = columns[(columns["table_id"] == table_id) & columns["templates"].str.split("|").map(lambda t: template in t)]
    return {
        r.column_code: ColumnEntry(
            r.column_code, r.label_zh, r.label_en, r.unit, r.value_kind, tuple(filter(None, r.aliases.split("|")))
        )
        for r in rows.itertuples()
    }


@dataclass(frozen=True)
class CatalogEntry:
    code: str
    table_id: str
    parent_code: str
    label_zh: str
    label_path: str
    unit: str
    value_kind: str
    section_code: str


@cache
def label_matcher(template: str) -> LabelMatcher:
    """One matcher per template per process: building it normalises every catalog label."""
    return LabelMatcher(template)


class LabelMatcher:
    """Finds catalog codes for printed labels of one template.

    A label is looked up within its top-level section first, so that the same words under
    different parents (（二）被依法纠错数 under 四 and under 五) get different codes.
    """

    def __init__(self, template: str) -> None:
        catalog = load_catalog()
        rows = catalog[catalog["template"].str.split("|").map(lambda templates: template in templates)]
        if rows.empty:
            raise ValueError(f"no catalog entries for template {template!r}")
        parents = dict(zip(rows["code"], rows["parent_code"], strict=True))

        def section_of(code: str) -> str:
            while parents.get(code):
                code = parents[code]
            return code

        self.entries: dict[str, CatalogEntry] = {}
        self._by_section: dict[tuple[str, str], str] = {}
        self._by_label: dict[str, set[str]] = {}
        self._aliases: dict[str, list[str]] = {}
        for row in rows.itertuples(index=False):
            section = section_of(row.code)
            entry = CatalogEntry(
                row.code, row.table_id, row.parent_code, row.label_zh, row.label_path, row.unit, row.value_kind, section
            )
            self.entries[row.code] = entry
            self._aliases[row.code] = list(filter(None, row.aliases.split("|")))
            for label in [row.label_zh, *filter(None, row.aliases.split("|"))]:
                key = normalize_label(label)
                scope = "" if not row.parent_code else section
                self._by_section.setdefault((scope, key), row.code)
                self._by_label.setdefault(key, set()).add(row.code)

    def aliases_of(self, codes: list[str]) -> dict[str, str]:
        """Printed alternatives (alias → code) for the given codes."""
        return {alias: code for code in codes for alias in self._aliases.get(code, [])}

    def match(self, label: str, section_code: str | None) -> CatalogEntry | None:
        """The entry for ``label`` printed inside ``section_code`` (None before any section)."""
        key = normalize_label(label)
        code = self._by_section.get(("", key))  # a top-level section heading
        if code is None and (bare := _UNMARKED_SECTION_NUMBER.sub("", label.strip(), count=1)) != label.strip():
            # A heading whose 、 was lost (九政府信息…) or read as 一 (七一依申请…): OCR does both.
            code = self._by_section.get(("", normalize_label(bare)))
        if code is None and section_code:
            code = self._by_section.get((section_code, key))
        if code is None and not section_code:  # outside a known section, accept a unique label
            candidates = self._by_label.get(key, set())
            code = next(iter(candidates)) if len(candidates) == 1 else None
        return self.entries.get(code) if code else None
