"""Synthetic pre-2019 reports with known values, for round-trip tests and the volume benchmark.

Layouts vary the way real files do: one cell per line or tab-separated rows, full-width or ASCII
indentation, parenthetical notes wrapped onto the next line, CRLF line ends, GB18030 bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from transforms.catalog import load_catalog

AREAS = ["桃源", "石门", "澧县", "汉寿", "临澧", "安乡", "津市", "鼎城", "武陵", "慈利", "桑植", "永定"]
SUFFIXES = ["县", "区", "市"]
NATIONAL_ROWS = [
    c for c in load_catalog().itertuples() if c.template == "stat_2014" and c.code not in ("A3.1.5", "A3.1.6")
]
# Printed labels carry notes the catalog's canonical labels leave out.
NOTES = {
    "A1.1": "（不同渠道和方式公开相同信息计1条）",
    "A2.1": "（不同方式回应同一热点或舆情计1次）",
    "A8.3.1": "（不包括政府公报及政府网站工作人员数）",
    "A8.4": "（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
}


@dataclass(frozen=True)
class SyntheticReport:
    agency: str
    year: int
    text: str
    values: dict[str, float | None]  # code → value; None for section rows


def _consistent_values(rng: random.Random) -> dict[str, float | None]:
    """Values that satisfy the template's arithmetic (so rules pass unless a test breaks them)."""
    v: dict[str, float | None] = {}
    channels = [rng.randint(0, 5000) for _ in range(5)]
    v.update(dict(zip(["A1.2.1", "A1.2.2", "A1.2.3", "A1.2.4", "A1.2.5"], channels, strict=True)))
    v["A1.1"] = max(channels) + rng.randint(0, sum(channels) - max(channels))
    v["A1.1a"] = rng.randint(0, v["A1.1"])
    v["A1.1b"] = rng.randint(0, 300)
    v["A2.1"] = rng.randint(0, 50)
    for total, part in (("A2.2.1", "A2.2.1a"), ("A2.2.2", "A2.2.2a")):
        v[total] = rng.randint(0, 40)
        v[part] = rng.randint(0, v[total])
    v.update({c: rng.randint(0, 200) for c in ("A2.2.3", "A2.2.4", "A2.2.5")})
    received = [rng.randint(0, 300) for _ in range(4)]
    v.update(dict(zip(["A3.1.1", "A3.1.2", "A3.1.3", "A3.1.4"], received, strict=True)))
    v["A3.1"] = sum(received)
    late = rng.randint(0, v["A3.1"])
    v["A3.2.1"], v["A3.2.2"] = v["A3.1"] - late, late
    v["A3.2"] = v["A3.1"]
    # Every request concluded is answered once: the answer rows add up to 申请办结数 (P3, P10).
    refused = {c: rng.randint(0, 2) for c in ("A3.3.4a", "A3.3.4b", "A3.3.4c", "A3.3.4d", "A3.3.4e", "A3.3.4f")}
    if sum(refused.values()) > v["A3.2"]:
        refused = dict.fromkeys(refused, 0)
    v.update(refused)
    v["A3.3.4"] = sum(refused.values())
    answer_codes = ("A3.3.1", "A3.3.2", "A3.3.3", "A3.3.5", "A3.3.6", "A3.3.7", "A3.3.8")
    cuts = sorted(rng.randint(0, v["A3.2"] - v["A3.3.4"]) for _ in range(len(answer_codes) - 1))
    bounds = [0, *cuts, v["A3.2"] - v["A3.3.4"]]
    v.update({code: bounds[i + 1] - bounds[i] for i, code in enumerate(answer_codes)})
    v["A3.3"] = v["A3.2"]
    for total in ("A4", "A5"):
        parts = [rng.randint(0, 5) for _ in range(3)]
        v.update(dict(zip([f"{total}.1", f"{total}.2", f"{total}.3"], parts, strict=True)))
        v[total] = sum(parts)
    v["A6"] = rng.randint(0, 20)
    v["A7"] = round(rng.random() * 2, 2) if rng.random() < 0.2 else 0
    v["A8.1"], v["A8.2"] = rng.randint(0, 3), rng.randint(0, 300)
    v["A8.3.1"], v["A8.3.2"] = rng.randint(0, 10), rng.randint(0, 200)
    v["A8.3"] = v["A8.3.1"] + v["A8.3.2"]
    v["A8.4"] = round(rng.random() * 80, 1)
    v.update({c: rng.randint(0, 400) for c in ("A9.1", "A9.2", "A9.3")})
    return {code: (float(x) if x is not None else None) for code, x in v.items()}


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def make_report(rng: random.Random, index: int = 0) -> SyntheticReport:
    agency = rng.choice(AREAS) + rng.choice(SUFFIXES) + (f"{index}" if index else "")
    agency = agency.replace("0", "〇")  # digits in a name would read as the year
    year = rng.randint(2014, 2018)
    values = _consistent_values(rng)
    one_cell_per_line = rng.random() < 0.6
    indent = rng.choice(["　　", "    ", ""])
    lines = [
        f"{agency}{year}年度政府信息公开工作年度报告",
        f"{year + 1}年3月{rng.randint(1, 28)}日",
        "",
        f"本年度报告根据《中华人民共和国政府信息公开条例》编制。全年共受理申请{_fmt(values['A3.1'])}件。",
        "附件",
        f"{year}年度{agency}政府信息公开工作统计表",
        "\t统　计　指　标" if one_cell_per_line else "\t统计指标\t单位\t统计数",
    ]
    if one_cell_per_line:
        lines += ["\t单位", "\t统计数", ""]
    for row in NATIONAL_ROWS:
        label = row.label_zh
        note = NOTES.get(row.code, "")
        wrap = bool(note) and rng.random() < 0.5
        unit = row.unit or "——"
        value = "" if row.value_kind == "section" else _fmt(values[row.code])
        first = f"\t{indent}{label}" + ("" if wrap else note)
        if one_cell_per_line:
            lines.append(first)
            if wrap:
                lines.append(f"{indent}{indent}{note}")
            lines += [f"\t{unit}", f"\t{value}", ""]
        elif wrap:
            lines += [first, f"{indent}{note}\t{unit}\t{value}"]
        else:
            lines.append(f"{first}\t{unit}\t{value}")
    lines.append(f"\t单位负责人：张三　　填报人：李四\t联系电话：1234567　填报日期：{year + 1}年3月1日")
    text = "\n".join(lines) + "\n"
    if rng.random() < 0.2:
        text = text.replace("\n", "\r\n")
    expected = {row.code: (None if row.value_kind == "section" else values[row.code]) for row in NATIONAL_ROWS}
    return SyntheticReport(agency, year, text, expected)


def encode(report: SyntheticReport, rng: random.Random) -> bytes:
    """Bytes as a site would serve them: mostly UTF-8, some GB18030 or UTF-8 with BOM."""
    roll = rng.random()
    if roll < 0.15:
        return report.text.encode("gb18030")
    if roll < 0.25:
        return report.text.encode("utf-8-sig")
    return report.text.encode("utf-8")
