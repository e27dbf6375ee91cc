"""Numbers the report's text states about its own tables, each with the sentence it came from.

Only plain statements are taken ("共受理政府信息公开申请229件", "电子邮件申请20件"); a sentence that
states no number (没有发生行政复议) gives no fact. Wording varies, so comparisons with the tables
are warnings, not errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# At most 12 digits, and all of them: a longer run is no count (float("1" * 400) is inf).
_NUMBER = r"(?<!\d)(?P<number>\d{1,12}(?:\.\d+)?)"
_GAP = r"[^。；;，,\n]{0,25}?"  # within one clause
FACT_PATTERNS: dict[str, list[re.Pattern[str]]] = {
    code: [re.compile(p) for p in patterns]
    for code, patterns in {
        "received": [rf"(?:收到|受理|接收|新收){_GAP}申请{_GAP}{_NUMBER}\s*件"],
        # Not "同意公开答复9件" or "不予公开答复2件": those are one outcome, not all answers.
        "answered": [rf"(?<!公开)(?<!处理)(?:答复|办结|办理)[^。；;，,\n\d]{{0,6}}?{_NUMBER}\s*件"],
        "carried_over": [rf"上一?年度?结转{_GAP}{_NUMBER}\s*件"],
        "carried_forward": [
            # (?<!\d): tried from inside a run of digits it fails as from the run's start, and each
            # try scans the whole run (quadratic on a long one).
            rf"(?<!\d){_NUMBER}\s*件{_GAP}(?:结转|顺延)(?:到|至)?下一?年",
            rf"(?:结转|顺延|转)(?:到|至)?下一?年度?{_GAP}{_NUMBER}\s*件",
        ],
        "proactive": [rf"主动公开{_GAP}信息\s*{_NUMBER}\s*条"],
        "normative_issued": [rf"制发的?(?:行政)?规范性文件\s*{_NUMBER}\s*件"],
        "normative_in_force": [rf"现行有效的?(?:行政)?规范性文件\s*{_NUMBER}\s*件"],
        "reviews": [rf"行政复议(?:案件|申请)?共?\s*{_NUMBER}\s*件"],
        "lawsuits": [rf"行政诉讼(?:案件)?共?\s*{_NUMBER}\s*件"],
        "fees": [rf"(?:信息处理费|收取费用){_GAP}{_NUMBER}\s*(?P<unit>万元|元)"],
        "channel_in_person": [rf"当面申请\s*{_NUMBER}\s*件"],
        "channel_fax": [rf"传真申请\s*{_NUMBER}\s*件"],
        "channel_online": [rf"(?:网上|网络|互联网)申请\s*{_NUMBER}\s*件"],
        "channel_letter": [rf"信函申请\s*{_NUMBER}\s*件"],
        "channel_email": [rf"电子邮件申请\s*{_NUMBER}\s*件"],
        "channel_other": [rf"其他形式申请\s*{_NUMBER}\s*件"],
    }.items()
}
FACT_UNITS = {"proactive": "条", "fees": "元"}
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])")
# Every fact pattern states a number with its unit; a sentence without one states no fact.
_NUMBER_WITH_UNIT = re.compile(r"\d\s*(?:件|条|万元|元)")


@dataclass(frozen=True)
class NarrativeFact:
    fact_code: str
    value: float
    unit: str
    sentence: str
    line: int


_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|#|\d+[.、])")
_TABLE_LINE = re.compile(r"\t|^\s*\|")


def paragraphs(text: str) -> list[tuple[int, str]]:
    """Lines joined into paragraphs (PDF text wraps mid-sentence), with their first line number."""
    paragraphs: list[tuple[int, str]] = []
    current, start = "", 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        standalone_heading = bool(_HEADING.match(line)) and len(stripped) <= 30
        # The length first: matching the heading on a long paragraph, line after line, is quadratic.
        ends = (current and current[-1] in "。；;：:！？!?") or (
            current and len(current) <= 30 and _HEADING.match(current)
        )
        if not stripped or _TABLE_LINE.search(line) or standalone_heading or ends:
            if current:
                paragraphs.append((start, current))
            current, start = "", number
            if not stripped or _TABLE_LINE.search(line):
                continue
        if not current:
            start = number
        current += stripped
    if current:
        paragraphs.append((start, current))
    return paragraphs


def extract_narrative_facts(text: str) -> list[NarrativeFact]:
    """Every fact stated in ``text``, in order; numbers in table rows are not narrative."""
    facts: list[NarrativeFact] = []
    for line_number, paragraph in paragraphs(text):
        for sentence in filter(None, (s.strip() for s in _SENTENCE_END.split(paragraph))):
            if not _NUMBER_WITH_UNIT.search(sentence):
                continue  # most sentences state no counted number
            compact = re.sub(r"\s+", "", sentence)
            if len(compact) < 6 or re.fullmatch(r"[\d.\s]+", compact):
                continue
            for code, patterns in FACT_PATTERNS.items():
                for pattern in patterns:
                    for match in pattern.finditer(compact):
                        if code == "answered" and re.search(
                            r"下一?年", compact[max(0, match.start() - 8) : match.end()]
                        ):
                            continue  # "转下一年度办理答复的有1件" is carried forward, not answered
                        unit = match.groupdict().get("unit") or FACT_UNITS.get(code, "件")
                        facts.append(NarrativeFact(code, float(match["number"]), unit, compact, line_number))
    return facts
