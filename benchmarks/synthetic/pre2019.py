"""Synthetic pre-2019 reports (2008–2018) with known cells, in every form they are published in.

Two table templates:

* ``stat_2014`` — the national 《政府信息公开情况统计表》 (统计指标 / 单位 / 统计数, 2014–2018), its
  rows and labels exactly as the 桃源县 2018 sample prints them (shared/seeds/taoyuan_2018_report.txt);
* ``local_table`` — the older local tables (指标名称 / 计量单位 / 本年度 / 历年累计, 2008–2013, and
  Fujian up to 2018), in row-set variants copied from the real 平潭 pages (shared/corpus/real/).

The layouts are written here as literal data, on purpose independent of the parser's catalog
(nothing is imported from ``transforms``), so a mistake in the parser's layout data is caught by the
round-trip tests instead of being mirrored by the generator.

Forms (``FORMS``): ``text_cells`` (one cell per line, tab-indented, blank line between rows, wrapped
notes on a continuation line — the sample's style), ``text_tabs``, ``text_spaces``,
``run_together`` (crawler text: the body on one or a few lines, table cells joined with no
separator or one space), ``markdown``, ``markdown_fragments`` (one small pipe table per row),
``html`` (a real site's page), and the binary forms ``docx``, ``pdf``, ``xlsx``.

    report = make_pre2019_report(random.Random(seed), index, template="local_table", form="html")
    report.to_bytes()                # what a site would serve
    report.cells[("L2", "this_year")]  # ExpectedCell(value=21.0, status='ok', printed='21', note='')

Every cell the document shows is in ``cells`` with what the parser should return: the value, and
the status ``ok`` / ``ok_with_note`` / ``blank`` / ``placeholder`` / ``not_applicable`` (section rows)
/ ``inferred`` (two numbers run together with no separator: the parser has to cut them, and may
only answer ``ambiguous`` when the table's arithmetic leaves more than one cut). A local table
printed without its 历年累计 column has no ``cumulative`` cells (``layout["columns"]``).

Values are consistent (totals = their parts, 主动公开 ≥ its channels, cumulative ≥ this year) unless
``inconsistent`` picks the report: then ``layout["inconsistent"]`` names the one rule broken on
purpose (stat_2014: P1 P2 P3 P5 P6 P7; local_table: P12_requests P12_answers of_which cumulative;
either: text = the narrative's count differs from the table). Cells still hold what is printed, so
values round-trip; but run-together splits chosen by arithmetic can then be wrong, so a
"recovered or flagged, never wrong" property should skip those reports.

``layout`` records every variant drawn (header words, caption and where it goes, unit column,
section unit, indentation, wraps, encoding, newline, crawler header, Word markup, …), so a failing
case can be told apart by variant. The same (seed, index) gives the same report, byte for byte in
every form (``make_seeded``). Generation takes < 1 ms per text/markdown/HTML report, ~10–20 ms per
XLSX, ~25–60 ms per PDF (plus ~1.4 s once to build the embedded font) and ~50–70 ms per DOCX.
"""

from __future__ import annotations

import html as html_lib
import io
import random
from dataclasses import dataclass, field
from datetime import date

from benchmarks.synthetic.pdf_font import register_pdf_font

STAT_2014 = "stat_2014"
LOCAL_TABLE = "local_table"
TEMPLATES = (STAT_2014, LOCAL_TABLE)

TEXT_FORMS = (
    "text_cells",
    "text_tabs",
    "text_spaces",
    "run_together",
    "markdown",
    "markdown_fragments",
    "html",
)
BINARY_FORMS = ("docx", "pdf", "xlsx")
FORMS = TEXT_FORMS + BINARY_FORMS
SUFFIX = {
    "text_cells": ".txt",
    "text_tabs": ".txt",
    "text_spaces": ".txt",
    "run_together": ".txt",
    "markdown": ".md",
    "markdown_fragments": ".md",
    "html": ".html",
    "docx": ".docx",
    "pdf": ".pdf",
    "xlsx": ".xlsx",
}

# Cell statuses (the parser's closed set, written out here rather than imported).
OK, OK_WITH_NOTE, BLANK, PLACEHOLDER = "ok", "ok_with_note", "blank", "placeholder"
NOT_APPLICABLE, INFERRED = "not_applicable", "inferred"
PLACEHOLDERS = ("-", "/", "—")

# ---------------------------------------------------------------------------------------------
# Layouts (literal data)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatRow:
    """One row of the 2014 national table as the 桃源县 2018 sample prints it."""

    code: str
    label: str
    unit: str  # "——" for section rows
    depth: int  # 0 section heading, 1 （一）, 2 1., 3 其中/sub-items (drives the printed indentation)
    note: str = ""  # parenthetical note printed after the label
    wrap: int | None = None  # where the sample wraps label+note onto a continuation line (None: inline)
    kind: str = "count"  # count | amount (万元, decimals allowed) | section


S = "section"
STAT_2014_ROWS: tuple[StatRow, ...] = (
    StatRow("A1", "一、主动公开情况", "——", 0, kind=S),
    StatRow("A1.1", "（一）主动公开政府信息数", "条", 1, "（不同渠道和方式公开相同信息计1条）", wrap=12),
    StatRow("A1.1a", "其中：主动公开规范性文件数", "条", 3),
    StatRow("A1.1b", "制发规范性文件总数", "件", 3),
    StatRow("A1.2", "（二）通过不同渠道和方式公开政府信息的情况", "——", 1, kind=S),
    StatRow("A1.2.1", "1.政府公报公开政府信息数", "条", 2),
    StatRow("A1.2.2", "2.政府网站公开政府信息数", "条", 2),
    StatRow("A1.2.3", "3.政务微博公开政府信息数", "条", 2),
    StatRow("A1.2.4", "4.政务微信公开政府信息数", "条", 2),
    StatRow("A1.2.5", "5.其他方式公开政府信息数", "条", 2),
    StatRow("A2", "二、回应解读情况", "——", 0, kind=S),
    StatRow("A2.1", "（一）回应公众关注热点或重大舆情数", "次", 1, "（不同方式回应同一热点或舆情计1次）", wrap=17),
    StatRow("A2.2", "（二）通过不同渠道和方式回应解读的情况", "——", 1, kind=S),
    StatRow("A2.2.1", "1.参加或举办新闻发布会总次数", "次", 2),
    StatRow("A2.2.1a", "其中：主要负责同志参加新闻发布会次数", "次", 3),
    StatRow("A2.2.2", "2.政府网站在线访谈次数", "次", 2),
    StatRow("A2.2.2a", "其中：主要负责同志参加政府网站在线访谈次数", "次", 3),
    StatRow("A2.2.3", "3.政策解读稿件发布数", "篇", 2),
    StatRow("A2.2.4", "4.微博微信回应事件数", "次", 2),
    StatRow("A2.2.5", "5.其他方式回应事件数", "次", 2),
    StatRow("A3", "三、依申请公开情况", "——", 0, kind=S),
    StatRow("A3.1", "（一）收到申请数", "件", 1),
    StatRow("A3.1.1", "1.当面申请数", "件", 2),
    StatRow("A3.1.2", "2.传真申请数", "件", 2),
    StatRow("A3.1.3", "3.网络申请数", "件", 2),
    StatRow("A3.1.4", "4.信函申请数", "件", 2),
    StatRow("A3.2", "（二）申请办结数", "件", 1),
    StatRow("A3.2.1", "1.按时办结数", "件", 2),
    StatRow("A3.2.2", "2.延期办结数", "件", 2),
    StatRow("A3.3", "（三）申请答复数", "件", 1),
    StatRow("A3.3.1", "1.属于已主动公开范围数", "件", 2),
    StatRow("A3.3.2", "2.同意公开答复数", "件", 2),
    StatRow("A3.3.3", "3.同意部分公开答复数", "件", 2),
    StatRow("A3.3.4", "4.不同意公开答复数", "件", 2),
    StatRow("A3.3.4a", "其中：涉及国家秘密", "件", 3),
    StatRow("A3.3.4b", "涉及商业秘密", "件", 3),
    StatRow("A3.3.4c", "涉及个人隐私", "件", 3),
    StatRow("A3.3.4d", "危及国家安全、公共安全、经济安全和社会稳定", "件", 3),
    StatRow("A3.3.4e", "不是《条例》所指政府信息", "件", 3),
    StatRow("A3.3.4f", "法律法规规定的其他情形", "件", 3),
    StatRow("A3.3.5", "5.不属于本行政机关公开数", "件", 2),
    StatRow("A3.3.6", "6.申请信息不存在数", "件", 2),
    StatRow("A3.3.7", "7.告知作出更改补充数", "件", 2),
    StatRow("A3.3.8", "8.告知通过其他途径办理数", "件", 2),
    StatRow("A4", "四、行政复议数量", "件", 0),
    StatRow("A4.1", "（一）维持具体行政行为数", "件", 1),
    StatRow("A4.2", "（二）被依法纠错数", "件", 1),
    StatRow("A4.3", "（三）其他情形数", "件", 1),
    StatRow("A5", "五、行政诉讼数量", "件", 0),
    StatRow("A5.1", "（一）维持具体行政行为或者驳回原告诉讼请求数", "件", 1),
    StatRow("A5.2", "（二）被依法纠错数", "件", 1),
    StatRow("A5.3", "（三）其他情形数", "件", 1),
    StatRow("A6", "六、举报投诉数量", "件", 0),
    StatRow("A7", "七、依申请公开信息收取的费用", "万元", 0, kind="amount"),
    StatRow("A8", "八、机构建设和保障经费情况", "——", 0, kind=S),
    StatRow("A8.1", "（一）政府信息公开工作专门机构数", "个", 1),
    StatRow("A8.2", "（二）设置政府信息公开查阅点数", "个", 1),
    StatRow("A8.3", "（三）从事政府信息公开工作人员数", "人", 1),
    StatRow("A8.3.1", "1.专职人员数", "人", 2, "（不包括政府公报及政府网站工作人员数）"),
    StatRow("A8.3.2", "2.兼职人员数", "人", 2),
    # The sample wraps this one inside its note: "…及政府网站" / "建设维护等方面的经费）".
    StatRow(
        "A8.4",
        "（四）政府信息公开专项经费",
        "万元",
        1,
        "（不包括用于政府公报编辑管理及政府网站建设维护等方面的经费）",
        wrap=32,
        kind="amount",
    ),
    StatRow("A9", "九、政府信息公开会议和培训情况", "——", 0, kind=S),
    StatRow("A9.1", "（一）召开政府信息公开工作会议或专题会议数", "次", 1),
    StatRow("A9.2", "（二）举办各类培训班数", "次", 1),
    StatRow("A9.3", "（三）接受培训人员数", "人次", 1),
)
# Indentation (ideographic spaces) the sample puts after the leading tab, by depth.
SAMPLE_INDENT = {0: "", 1: "　　", 2: "　　　　　", 3: "　　　　　　"}


@dataclass(frozen=True)
class LocalRow:
    code: str
    label: str  # bare label, without its 其中：/1、 numbering (added when printed)
    unit: str
    parent: str = ""  # sub-rows are numbered 1、2、… under their parent, the first one "其中："
    kind: str = "count"  # count | amount (元)


# Row sets copied from the real pages; ``OPTIONAL`` rows are added to a variant now and then.
LOCAL_VARIANTS: dict[str, dict] = {
    # 平潭综合实验区 2012 (pingtan_2012.html): 1、 numbering, 行政申诉、举报数.
    "pingtan_2012": {
        "years": (2008, 2013),
        "sep": "、",
        "rows": (
            LocalRow("L1", "主动公开信息数", "条"),
            LocalRow("L1.1", "网站公开", "条", "L1"),
            LocalRow("L1.2", "政府公报公开", "条", "L1"),
            LocalRow("L2", "受理依申请公开信息总数", "条"),
            LocalRow("L2.1", "当面申请数", "条", "L2"),
            LocalRow("L2.2", "传真申请数", "条", "L2"),
            LocalRow("L2.3", "电子邮件申请数", "条", "L2"),
            LocalRow("L2.4", "网上申请数", "条", "L2"),
            LocalRow("L2.5", "信函申请数", "条", "L2"),
            LocalRow("L3", "对申请的答复总数", "条"),
            LocalRow("L3.1", "同意公开答复数", "条", "L3"),
            LocalRow("L3.2", "同意部分公开答复数", "条", "L3"),
            LocalRow("L3.3", "否决公开答复数", "条", "L3"),
            LocalRow("L4", "行政复议数", "件"),
            LocalRow("L5", "行政诉讼数", "件"),
            LocalRow("L7", "行政申诉、举报数", "件"),
        ),
        "optional": (
            ("L2.6", LocalRow("L2.6", "其它形式申请数", "条", "L2"), "L2.5"),
            ("L3.4", LocalRow("L3.4", "其他类型答复数", "条", "L3"), "L3.3"),
            ("L9", LocalRow("L9", "政府信息公开收费减免金额", "元", kind="amount"), "L7"),
        ),
    },
    # 平潭县人民政府 2012 (pingtanxian_2012.html): 1. numbering, six channels, 条 for 复议/诉讼/申诉.
    "pingtanxian_2012": {
        "years": (2008, 2013),
        "sep": ".",
        "rows": (
            LocalRow("L1", "主动公开信息数", "条"),
            LocalRow("L1.1", "网站公开", "条", "L1"),
            LocalRow("L1.2", "政府公报公开", "条", "L1"),
            LocalRow("L2", "受理依申请公开信息总数", "条"),
            LocalRow("L2.1", "当面申请数", "条", "L2"),
            LocalRow("L2.2", "传真申请数", "条", "L2"),
            LocalRow("L2.3", "电子邮件申请数", "条", "L2"),
            LocalRow("L2.4", "网上申请数", "条", "L2"),
            LocalRow("L2.5", "信函申请数", "条", "L2"),
            LocalRow("L2.6", "其它形式申请数", "条", "L2"),
            LocalRow("L3", "对申请的答复数", "条"),
            LocalRow("L3.1", "同意公开答复数", "条", "L3"),
            LocalRow("L3.2", "同意部分公开答复数", "条", "L3"),
            LocalRow("L3.3", "否决公开答复数", "条", "L3"),
            LocalRow("L4", "行政复议数", "条"),
            LocalRow("L5", "行政诉讼数", "条"),
            LocalRow("L6", "行政申诉数", "条"),
        ),
        "optional": (
            ("L3.4", LocalRow("L3.4", "其他类型答复数", "条", "L3"), "L3.3"),
            ("L9", LocalRow("L9", "政府信息公开收费减免金额", "元", kind="amount"), "L6"),
        ),
    },
    # 平潭综合实验区 2016 (pingtan_2016.html): 主动公开文件数, 信函、传真 merged, fee row, 复议 last.
    "pingtan_2016": {
        "years": (2014, 2018),
        "sep": "、",
        "rows": (
            LocalRow("L1", "主动公开文件数", "条"),
            LocalRow("L1.1", "政府网站公开数", "条", "L1"),
            LocalRow("L1.2", "政府公报公开数", "条", "L1"),
            LocalRow("L2", "受理依申请公开信息总数", "条"),
            LocalRow("L2.1", "当面申请数", "条", "L2"),
            LocalRow("L2.4", "网上申请数", "条", "L2"),
            LocalRow("L2.7", "信函、传真申请数", "条", "L2"),
            LocalRow("L3", "对申请的答复总数", "条"),
            LocalRow("L3.1", "同意公开答复数", "条", "L3"),
            LocalRow("L3.2", "同意部分公开答复数", "条", "L3"),
            LocalRow("L3.3", "不予公开答复数", "条", "L3"),
            LocalRow("L3.4", "其他类型答复数", "条", "L3"),
            LocalRow("L9", "政府信息公开收费减免金额", "元", kind="amount"),
            LocalRow("L8", "接受行政诉讼、举报数", "件"),
            LocalRow("L4", "行政复议数", "件"),
            LocalRow("L5", "行政诉讼数", "件"),
        ),
        "optional": (("L2.3", LocalRow("L2.3", "电子邮件申请数", "条", "L2"), "L2.4"),),
    },
    # 平潭综合实验区 2017/2018 (pingtan_2017_1.txt, pingtan_2018_1.txt): no fee row; 2017 words L2
    # "受理政府信息依申请公开总数"; 2018 numbers with "1." instead of "1、".
    "pingtan_2017": {
        "years": (2014, 2018),
        "sep": "、",
        "rows": (
            LocalRow("L1", "主动公开文件数", "条"),
            LocalRow("L1.1", "政府网站公开数", "条", "L1"),
            LocalRow("L1.2", "政府公报公开数", "条", "L1"),
            LocalRow("L2", "受理政府信息依申请公开总数", "条"),
            LocalRow("L2.1", "当面申请数", "条", "L2"),
            LocalRow("L2.4", "网上申请数", "条", "L2"),
            LocalRow("L2.7", "信函、传真申请数", "条", "L2"),
            LocalRow("L3", "对申请的答复总数", "条"),
            LocalRow("L3.1", "同意公开答复数", "条", "L3"),
            LocalRow("L3.2", "同意部分公开答复数", "条", "L3"),
            LocalRow("L3.3", "不予公开答复数", "条", "L3"),
            LocalRow("L3.4", "其他类型答复数", "条", "L3"),
            LocalRow("L8", "接受行政诉讼、举报数", "件"),
            LocalRow("L4", "行政复议数", "件"),
            LocalRow("L5", "行政诉讼数", "件"),
        ),
        "optional": (("L9", LocalRow("L9", "政府信息公开收费减免金额", "元", kind="amount"), "L3.4"),),
    },
}
LOCAL_SUMS = {"L2": ("L2.1", "L2.2", "L2.3", "L2.4", "L2.5", "L2.6", "L2.7"), "L3": ("L3.1", "L3.2", "L3.3", "L3.4")}

# ---------------------------------------------------------------------------------------------
# Names, dates
# ---------------------------------------------------------------------------------------------

AREAS = [
    "桃源", "石门", "汉寿", "临澧", "安乡", "慈利", "桑植", "平潭", "福清", "连江", "罗源", "闽侯",
    "永泰", "闽清", "仙游", "永春", "德化", "安溪", "霞浦", "古田", "屏南", "寿宁", "周宁", "柘荣",
]  # fmt: skip
DEPARTMENTS = [
    "教育局", "财政局", "民政局", "卫生局", "公安局", "交通运输局", "环境保护局", "统计局", "审计局",
    "商务局", "人力资源和社会保障局", "住房和城乡建设局", "林业局", "水利局", "发展和改革局",
]  # fmt: skip
PEOPLE = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "黄磊", "周敏", "吴琼", "林峰", "郑丽", "庞波"]
CN_DIGITS = "〇一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1–31 the way dates are written in words: 十, 二十, 二十一."""
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else CN_DIGITS[tens] + "十")) + (CN_DIGITS[ones] if ones else "")


def _cn_date(day: date, with_day: bool = True) -> str:
    year = "".join(CN_DIGITS[int(ch)] for ch in str(day.year))
    return f"{year}年{_cn_number(day.month)}月" + (f"{_cn_number(day.day)}日" if with_day else "")


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedCell:
    value: float | None  # what the parser should give (None for blank / placeholder / section)
    status: str  # ok | ok_with_note | blank | placeholder | not_applicable | inferred
    printed: str  # the cell as printed ("" = blank)
    note: str = ""  # the note the parser should keep for ok_with_note ("元", "其中修订16件")


@dataclass(frozen=True)
class SyntheticPre2019:
    template: str  # stat_2014 | local_table
    form: str  # one of FORMS
    year: int
    agency: str  # as written in the title
    title: str
    published: date | None  # the publication date printed under the title (None for XLSX)
    cells: dict[tuple[str, str], ExpectedCell]  # (row code, column code) → expected
    layout: dict = field(default_factory=dict)  # which variants were used (see module docstring)
    text: str | None = None  # text forms
    data: bytes | None = None  # binary forms

    @property
    def suffix(self) -> str:
        return SUFFIX[self.form]

    @property
    def values(self) -> dict[tuple[str, str], float | None]:
        return {key: cell.value for key, cell in self.cells.items()}

    def to_bytes(self) -> bytes:
        """The bytes a site would serve: text forms in the encoding the layout picked."""
        if self.data is not None:
            return self.data
        assert self.text is not None
        return self.text.encode(self.layout.get("encoding", "utf-8"))


@dataclass
class _Row:
    """A table row as printed: label (+ note), unit, value cells."""

    code: str
    label: str
    note: str
    unit: str
    values: list[str]
    depth: int
    section: bool = False
    wrap: int | None = None  # split point inside label+note for a continuation line

    @property
    def full_label(self) -> str:
        return self.label + self.note


@dataclass
class _Table:
    header: list[str]  # "\n" marks where a header cell is split over two paragraphs/lines
    rows: list[_Row]
    unit_column: bool


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


def _skewed(rng: random.Random, high: int, zero: float = 0.3) -> int:
    """Counts as reports show them: many zeros, mostly small, a few large."""
    if high <= 0 or rng.random() < zero:
        return 0
    return int(high * rng.random() ** 2.5)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [bounds[i + 1] - bounds[i] for i in range(parts)]


def _stat_values(rng: random.Random) -> dict[str, float]:
    """Values satisfying the 2014 table's arithmetic (spec C.2, P1–P9)."""
    quiet = rng.random() < 0.3  # no requests at all, as in many small agencies' tables
    scale = rng.choice([200, 3000, 40000, 150000])
    v: dict[str, float] = {}
    channels = [_skewed(rng, scale, 0.25) for _ in range(5)]
    if not any(channels):
        channels[1] = rng.randint(1, 500)
    for i, value in enumerate(channels, 1):
        v[f"A1.2.{i}"] = value
    # P7: the same item published on several channels counts once.
    v["A1.1"] = max(channels) + rng.randint(0, sum(channels) - max(channels))
    v["A1.1a"] = rng.randint(0, v["A1.1"] // 5)
    v["A1.1b"] = _skewed(rng, 300)
    v["A2.1"] = _skewed(rng, 60)
    for total in ("A2.2.1", "A2.2.2"):
        v[total] = _skewed(rng, 40)
        v[total + "a"] = rng.randint(0, int(v[total]))
    for code in ("A2.2.3", "A2.2.4", "A2.2.5"):
        v[code] = _skewed(rng, 200)
    received = [0] * 4 if quiet else [_skewed(rng, 300, 0.4) for _ in range(4)]
    for i, value in enumerate(received, 1):
        v[f"A3.1.{i}"] = value
    v["A3.1"] = sum(received)
    v["A3.2"] = v["A3.1"] - (rng.randint(0, min(3, int(v["A3.1"]))) if rng.random() < 0.2 else 0)
    late = rng.randint(0, int(v["A3.2"]) // 4) if rng.random() < 0.3 else 0
    v["A3.2.1"], v["A3.2.2"] = v["A3.2"] - late, late
    v["A3.3"] = v["A3.2"]
    refused = [rng.randint(0, 2) if rng.random() < 0.3 else 0 for _ in range(6)]
    if sum(refused) > v["A3.3"]:
        refused = [0] * 6
    for letter, value in zip("abcdef", refused, strict=True):
        v[f"A3.3.4{letter}"] = value
    v["A3.3.4"] = sum(refused)
    answers = _split(rng, int(v["A3.3"] - v["A3.3.4"]), 7)
    for code, value in zip(
        ("A3.3.1", "A3.3.2", "A3.3.3", "A3.3.5", "A3.3.6", "A3.3.7", "A3.3.8"), answers, strict=True
    ):
        v[code] = value
    for total in ("A4", "A5"):
        parts = [0, 0, 0] if quiet and rng.random() < 0.8 else [_skewed(rng, 6, 0.5) for _ in range(3)]
        for i, value in enumerate(parts, 1):
            v[f"{total}.{i}"] = value
        v[total] = sum(parts)
    v["A6"] = _skewed(rng, 20, 0.6)
    v["A7"] = round(rng.random() * 2, 2) if rng.random() < 0.15 else 0
    v["A8.1"], v["A8.2"] = rng.randint(0, 3), _skewed(rng, 300, 0.1)
    v["A8.3.1"], v["A8.3.2"] = rng.randint(0, 10), _skewed(rng, 200, 0.1)
    v["A8.3"] = v["A8.3.1"] + v["A8.3.2"]
    v["A8.4"] = round(rng.random() * 80, rng.choice([0, 1, 2])) if rng.random() < 0.7 else 0
    v["A9.1"], v["A9.2"] = _skewed(rng, 12, 0.2), _skewed(rng, 10, 0.2)
    v["A9.3"] = _skewed(rng, 800, 0.2)
    return {code: float(value) for code, value in v.items()}


def _local_values(rng: random.Random, codes: list[str], year: int) -> dict[tuple[str, str], float]:
    """This year's and cumulative values: totals = their channels/answers (P12) in both columns,
    主动公开 ≥ its two channels together, cumulative ≥ this year."""
    quiet = rng.random() < 0.45  # most real pages show no requests at all
    scale = rng.choice([300, 2000, 6000])
    years_before = max(0, year - 2008)

    def one_year(this: bool) -> dict[str, int]:
        v: dict[str, int] = {}
        factor = 1 if this else years_before
        web = _skewed(rng, scale * factor, 0.05) if factor else 0
        gazette = _skewed(rng, max(1, web // 20), 0.6) if factor else 0
        v["L1.1"], v["L1.2"] = web, gazette
        v["L1"] = web + gazette + (_skewed(rng, scale // 3 * factor, 0.5) if factor else 0)
        channels = [c for c in LOCAL_SUMS["L2"] if c in codes]
        for code in channels:
            v[code] = 0 if quiet or not factor else _skewed(rng, 25 * factor, 0.5)
        v["L2"] = sum(v[c] for c in channels)
        answers = [c for c in LOCAL_SUMS["L3"] if c in codes]
        answered = v["L2"] - (rng.randint(0, min(2, v["L2"])) if rng.random() < 0.2 else 0)
        weights = [5, 1, 1, 1][: len(answers)]
        shares = _split(rng, answered, len(answers) + sum(weights) - len(answers))
        # Fold the extra draws into 同意公开 so it usually dominates, as in real tables.
        parts = [sum(shares[: weights[0]]), *shares[weights[0] : weights[0] + len(answers) - 1]]
        for code, value in zip(answers, parts, strict=True):
            v[code] = value
        v["L3"] = sum(v[c] for c in answers)
        for code in ("L4", "L5", "L6", "L7", "L8"):
            v[code] = 0 if (quiet and this) or not factor else _skewed(rng, 3 * factor, 0.75)
        v["L9"] = rng.choice([0, 0, 0, 50, 120, 251000]) if factor else 0
        return v

    this, before = one_year(True), one_year(False)
    values = {}
    for code in codes:
        values[(code, "this_year")] = float(this[code])
        values[(code, "cumulative")] = float(this[code] + before[code])
    return values


def _break_stat(rng: random.Random, v: dict[str, float]) -> str:
    rule = rng.choice(["P1", "P2", "P3", "P5", "P6", "P7", "text"])
    delta = rng.randint(1, 9)
    target = {"P1": "A3.1", "P2": "A3.2.1", "P3": "A3.3.2", "P5": "A8.3.2", "P6": "A4.1"}.get(rule)
    if target:
        v[target] += delta
    elif rule == "P7":
        v["A1.1"] = sum(v[f"A1.2.{i}"] for i in range(1, 6)) + delta
    return rule


def _break_local(rng: random.Random, v: dict[tuple[str, str], float], codes: list[str]) -> str:
    rule = rng.choice(["P12_requests", "P12_answers", "of_which", "cumulative", "text"])
    delta = rng.randint(1, 9)
    if rule == "P12_requests":
        v[("L2", "this_year")] += delta
        v[("L2", "cumulative")] += delta
    elif rule == "P12_answers":
        v[("L3", "this_year")] += delta
        v[("L3", "cumulative")] += delta
    elif rule == "of_which":  # the website alone exceeds 主动公开 in total
        v[("L1.1", "this_year")] = v[("L1", "this_year")] + delta
        v[("L1.1", "cumulative")] = max(v[("L1.1", "cumulative")], v[("L1.1", "this_year")])
    elif rule == "cumulative":  # a cumulative below this year's count (a reset after a reorganisation)
        candidates = [c for c in codes if v[(c, "this_year")] > 0] or ["L1"]
        code = rng.choice(candidates)
        v[(code, "this_year")] = max(v[(code, "this_year")], 1)
        v[(code, "cumulative")] = rng.randint(0, int(v[(code, "this_year")]) - 1)
    return rule


# ---------------------------------------------------------------------------------------------
# Cells as printed
# ---------------------------------------------------------------------------------------------

NOTE_WORDS = ("网上", "新增", "修订", "当面", "本级")


def _print_cell(rng: random.Random, value: float, unit: str, mode: str) -> ExpectedCell:
    if mode == BLANK:
        return ExpectedCell(None, BLANK, "")
    if mode == PLACEHOLDER:
        return ExpectedCell(None, PLACEHOLDER, rng.choice(PLACEHOLDERS))
    text = _fmt(value)
    if mode == "note_unit":  # "251000元", "22件"
        return ExpectedCell(value, OK_WITH_NOTE, text + unit, unit)
    if mode == "note_bracket":  # "22（其中修订16件）"
        inner = f"其中{rng.choice(NOTE_WORDS)}{rng.randint(0, int(value))}{unit}"
        return ExpectedCell(value, OK_WITH_NOTE, f"{text}（{inner}）", inner)
    return ExpectedCell(value, OK, text)


def _cell_modes(
    rng: random.Random, keys: list[tuple[str, str]], values: dict, form: str, blanks: bool, notes: bool
) -> dict[tuple[str, str], str]:
    """Which cells print blank, a placeholder or a note. Blanks and placeholders stand for a zero
    (nothing to report); notes go on non-zero counts. Spaces cannot show a blank cell, and
    run-together text loses blanks, placeholders and notes alike."""
    modes = dict.fromkeys(keys, OK)
    if form == "run_together":
        return modes
    for key in keys:
        value = values[key]
        if blanks and value == 0:
            roll = rng.random()
            if roll < 0.15:
                modes[key] = PLACEHOLDER
            elif roll < 0.5 and form != "text_spaces":
                modes[key] = BLANK
        elif notes and value > 0 and rng.random() < 0.12:
            modes[key] = rng.choice(["note_unit", "note_bracket"]) if value == int(value) else "note_unit"
    return modes


# ---------------------------------------------------------------------------------------------
# Building the table
# ---------------------------------------------------------------------------------------------


def _stat_table(
    rng: random.Random, values: dict[str, float], modes: dict, form: str
) -> tuple[_Table, dict[tuple[str, str], ExpectedCell], dict]:
    layout: dict = {}
    unit_column = form not in ("html", "docx", "xlsx", "pdf") or rng.random() < 0.75
    # Text forms keep the sample's ——; tables drawn as tables sometimes leave the cell empty.
    blank_sections = form in ("html", "docx", "xlsx", "pdf") and rng.random() < 0.3
    section_unit = "" if not unit_column or blank_sections else "——"
    layout.update(unit_column=unit_column, section_unit=section_unit or "blank")
    header_word = rng.choice(["统　计　指　标", "统计指标", "统计指标"])
    header = [header_word, "单位", "统计数"] if unit_column else [header_word, "统计数"]
    if form in ("html", "docx", "pdf") and rng.random() < 0.3:
        header = [h.replace("统计指标", "统计\n指标") for h in header]
    layout["header"] = header
    rows, cells = [], {}
    for spec in STAT_2014_ROWS:
        key = (spec.code, "")
        if spec.kind == S:
            cells[key] = ExpectedCell(None, NOT_APPLICABLE, "")
            unit, printed = section_unit, ""
        else:
            cells[key] = _print_cell(rng, values[spec.code], spec.unit, modes[key])
            unit, printed = spec.unit, cells[key].printed
        note, label = spec.note, spec.label
        if not unit_column and spec.kind != S:
            note += f"（{spec.unit}）"
        row = _Row(spec.code, label, note, unit, [printed], spec.depth, spec.kind == S, spec.wrap)
        if not unit_column:
            row.unit = ""
        rows.append(row)
    return _Table(header, rows, unit_column), cells, layout


def _local_table(
    rng: random.Random,
    specs: list[LocalRow],
    sep: str,
    values: dict,
    modes: dict,
    form: str,
    year: int,
    cumulative: bool,
    run_together_sep: str,
) -> tuple[_Table, dict[tuple[str, str], ExpectedCell], dict]:
    layout: dict = {}
    unit_column = form not in ("html", "docx", "xlsx", "pdf") or rng.random() < 0.8
    this_header = rng.choices([f"{year}年度", "本年度", "本年", f"{year}\n年度"], weights=[5, 2, 1, 2])[0]
    if form not in ("html", "docx", "pdf", "xlsx"):
        this_header = this_header.replace("\n", "")
    unit_header = "计量\n单位" if form in ("html", "docx", "pdf") and rng.random() < 0.3 else "计量单位"
    header = ["指标名称"] + ([unit_header] if unit_column else []) + [this_header]
    if cumulative:
        header.append("历年累计")
    layout.update(unit_column=unit_column, header=header, numbering=sep)
    columns = ["this_year", "cumulative"] if cumulative else ["this_year"]
    cells: dict[tuple[str, str], ExpectedCell] = {}
    rows: list[_Row] = []
    counters: dict[str, int] = {}
    for spec in specs:
        label = spec.label
        if spec.parent:
            counters[spec.parent] = counters.get(spec.parent, 0) + 1
            number = counters[spec.parent]
            label = ("其中：" if number == 1 else "") + f"{number}{sep}{label}"
        printed = []
        for column in columns:
            key = (spec.code, column)
            cell = _print_cell(rng, values[key], spec.unit, modes[key])
            if form == "run_together" and cumulative and not run_together_sep:
                cell = ExpectedCell(cell.value, INFERRED, cell.printed)
            cells[key] = cell
            printed.append(cell.printed)
        note = "" if unit_column else f"（{spec.unit}）"
        rows.append(_Row(spec.code, label, note, spec.unit if unit_column else "", printed, 1 if spec.parent else 0))
    return _Table(header, rows, unit_column), cells, layout


# ---------------------------------------------------------------------------------------------
# Narrative
# ---------------------------------------------------------------------------------------------


def _scope(agency: str) -> str:
    if agency.endswith(("局", "委员会")):
        return "我局"
    if "县" in agency[-5:]:
        return "全县"
    if agency.endswith("市") or agency.endswith("市人民政府"):
        return "全市"
    return "全区"


def _we(agency: str) -> str:
    """我县 / 我区 / 我市 / 我局."""
    scope = _scope(agency)
    return scope if scope == "我局" else "我" + scope[-1]


def _percent(part: int, total: int) -> str:
    return f"{100 * part / total:.1f}%" if total else "0%"


def _stat_narrative(rng: random.Random, agency: str, year: int, v: dict[str, float], stated: dict) -> list[str]:
    office = agency + ("政务公开办" if not agency.endswith("局") else "办公室")
    proactive, requests = stated["proactive"], stated["requests"]
    paragraphs = [
        f"本年度报告是根据《中华人民共和国政府信息公开条例》(以下简称《条例》)和省、市政务公开工作要求，由{office}编制。"
        "全文包括概述，主动公开政府信息情况，依申请公开政府信息情况，政府信息公开咨询处理情况，"
        "政府信息公开行政复议、行政诉讼情况，政府信息公开支出与收费情况，存在的主要问题和改进措施。"
        f"本年度报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
        f"本年度报告的电子版可在{agency}政府网站上下载。如对本年度报告有疑问，请联系{office}。"
        f"电话：0736-66{rng.randint(10000, 99999)}。",
        "一、概述",
        f"{year}年，{_we(agency)}从{rng.randint(3, 5)}个方面全面提升了政务公开工作。",
        f"（一）领导高度重视。常务会专题研究政务公开政务服务工作{rng.randint(2, 6)}次，"
        "领导多次调研“互联网+政务服务”等工作。",
        "（二）细化公开责任。围绕年度政务公开工作要点，将各项工作任务进行逐一分解，落实责任主体、明确公开时限。",
        "二、主动公开政府信息情况",
        f"本地本单位{year}年度主动公开政府信息{_fmt(proactive)}条，全文电子化率{rng.randint(80, 100)}%。",
        f"（一）多渠道发布政务信息，主动接受群众监督。主动公开规范性文件{_fmt(v['A1.1a'])}条。",
        f"（二）充分利用新媒体，回应群众和社会关切。共发布信息{_fmt(v['A2.2.4'])}余次，对社会关切回应做到了不遮掩、不回避。",
        "三、依申请公开政府信息情况",
    ]
    if requests:
        paragraphs += [
            f"{agency}{year}年度共受理政府信息公开申请{_fmt(requests)}件。其中当面申请{_fmt(v['A3.1.1'])}件，"
            f"传真申请{_fmt(v['A3.1.2'])}件，网上申请{_fmt(v['A3.1.3'])}件，信函申请{_fmt(v['A3.1.4'])}件。",
            f"在已经答复的{_fmt(v['A3.3'])}件申请中：“同意公开”的{_fmt(v['A3.3.2'])}件，"
            f"占总数的{_percent(int(v['A3.3.2']), int(v['A3.3']))}。",
        ]
    else:
        paragraphs.append(f"{year}年度{_scope(agency)}未收到政府信息公开申请。")
    paragraphs += [
        "四、政府信息公开咨询处理情况",
        f"{year}年度共接受群众咨询{rng.randint(100, 60000)}人次，其中网上咨询{rng.randint(10, 30000)}人次。",
        "五、政府信息公开行政复议、行政诉讼情况",
        f"本年度发生政府信息公开行政复议{_fmt(v['A4'])}件、行政诉讼{_fmt(v['A5'])}件。"
        if v["A4"] or v["A5"]
        else f"{year}年度没有发生针对有关政府信息公开事务的行政复议和行政诉讼案件。",
        "六、政府信息公开支出与收费情况",
        f"{year}年，政务公开专项经费{_fmt(v['A8.4'])}万元；依申请公开信息收取费用{_fmt(v['A7'])}万元。",
        "七、存在的主要问题和改进措施",
        "回顾一年的工作，我们也还存在一些不足之处，个别单位的认识有待提高，导致政府信息公开工作不平衡。"
        f"{year + 1}年，我们将继续推进政务公开标准化规范化建设。",
    ]
    return paragraphs


def _local_narrative(rng: random.Random, agency: str, year: int, v: dict, codes: list[str], stated: dict) -> list[str]:
    scope = _scope(agency)
    proactive, requests = int(stated["proactive"]), int(stated["requests"])
    first = rng.randint(0, proactive)
    units = ("局机关各科室", "局属各单位") if scope == "我局" else ("直属各单位", "各乡镇")
    sections = [
        "概述",
        "主动公开政府信息情况",
        "政府信息依申请公开工作情况",
        "政府信息公开工作存在的主要问题及改进情况",
    ]
    paragraphs = [
        "本报告主要根据《中华人民共和国政府信息公开条例》（以下简称《条例》）以及本级各工作部门、各乡镇人民政府的"
        f"政府信息公开年度报告编制，现公布{year}年度政府信息公开年度报告。本报告由{'、'.join(sections)}、"
        f"政府信息公开情况统计表共五个部分组成。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日。"
        f"如对本报告有任何疑问，请与{agency}信息公开工作办公室联系"
        f"（邮编：350400；电话：2315{rng.randint(1000, 9999)}）。",
        "一、概述",
        f"推进政府信息公开工作是{agency}贯彻实施《条例》的重要举措。{year}年，{scope}政府信息公开工作持续稳步开展，"
        f"{year}年政府信息公开专栏访问量达{rng.randint(5000, 200000)}人次。",
        "二、主动公开政府信息情况",
        "（一）主动公开政府信息的数量",
        f"{year}年{scope}主动公开政府信息{proactive}条。其中，{units[0]}主动公开政府信息{first}条，"
        f"占{_percent(first, proactive)}。{units[1]}主动公开政府信息{proactive - first}条，"
        f"占{_percent(proactive - first, proactive)}。",
        "（二）主动公开政府信息的主要形式",
        "1.门户网站。在门户网站首页开辟了“政府信息公开”模块。"
        f"2.公众查阅点。目前已汇集了{rng.randint(20, 90)}个单位的主动公开的政府信息。",
        "三、政府信息依申请公开工作情况",
    ]
    if requests:
        answers = int(v[("L3", "this_year")])
        paragraphs.append(
            f"{year}年{scope}共收到有关政府信息公开的申请{requests}条，"
            f"其中当面申请数{int(v[('L2.1', 'this_year')])}条；"
            f"对依申请公开的答复总数{answers}条，其中同意公开答复数{int(v[('L3.1', 'this_year')])}条。"
        )
    else:
        paragraphs.append(f"{year}年{scope}未收到有关政府信息公开的申请，未收到有关政府信息公开行政复议申请。")
    paragraphs += [
        "四、政府信息公开工作存在的主要问题及改进情况",
        f"目前，{_we(agency)}在政府信息公开工作的开展中，仍存在一些不足。一是受人员编制限制，"
        "各单位信息公开工作均由办公室人员兼职经办；二是部分单位信息公开属性界定不准确。因此，我们考虑从以下几个方面作进一步的改进："
        "（一）深化公开内容，拓展公开形式。（二）进一步规范政府信息公开行为。",
    ]
    return paragraphs


# ---------------------------------------------------------------------------------------------
# Rendering: text forms
# ---------------------------------------------------------------------------------------------


def _indent(style: str, depth: int) -> str:
    if style == "sample":
        return SAMPLE_INDENT[min(depth, 3)]
    if style == "ascii":
        return "  " * depth
    return ""


def _wrapped(row: _Row, rng: random.Random) -> tuple[str, str]:
    """(first line, continuation) — the continuation is "" when the label is printed on one line."""
    full = row.full_label
    if not row.note or rng.random() < 0.4:
        return full, ""
    cut = row.wrap if row.wrap is not None else len(row.label)
    return full[:cut], full[cut:]


def _render_text(rng: random.Random, table: _Table, form: str, layout: dict) -> list[str]:
    indent_style = rng.choice(["sample", "sample", "ascii", "none"])
    layout["indent"] = indent_style

    def spaces() -> str:
        return " " * rng.randint(2, 6)

    # Tab rows copied out of Word start with the label; exported ones sometimes with a tab.
    lead = "\t" if form == "text_tabs" and rng.random() < 0.4 else ""
    if form == "text_tabs":
        layout["leading_tab"] = bool(lead)
    lines: list[str] = []
    if form == "text_cells":
        lines += [f"\t{cell}" for cell in table.header] + [""]
    elif form == "text_tabs":
        lines.append(lead + "\t".join(table.header))
    else:  # ideographic spaces inside 统　计　指　标 would read as separators
        lines.append(spaces().join(h.replace("　", "") for h in table.header))
    wraps = 0
    values_first = rng.random() < 0.5
    for row in table.rows:
        indent = _indent(indent_style, row.depth)
        first, rest = _wrapped(row, rng)
        wraps += bool(rest)
        # A continuation line has no leading tab: ideographic spaces, or nothing (as in the sample).
        cont = (rng.choice(["　　　　", ""]) + rest) if rest else ""
        cells = ([row.unit] if table.unit_column else []) + row.values
        if form == "text_cells":
            lines.append(f"\t{indent}{first}")
            if cont:
                lines.append(cont)
            lines += [f"\t{cell}" for cell in cells] + [""]
        else:
            if form == "text_tabs":
                tail = "\t" + "\t".join(cells)
            else:  # text_spaces: the row's cells separated by runs of spaces; empty cells vanish
                tail = "".join(spaces() + cell for cell in cells if cell)
            if not cont:
                lines.append(f"{lead}{indent}{first}{tail}")
            elif values_first:  # a wrapped label: the cells stay on its first line (top-aligned)…
                lines += [f"{lead}{indent}{first}{tail}", cont]
            else:  # …or follow the continuation line
                lines += [f"{lead}{indent}{first}", cont + tail]
    layout["wrapped_labels"] = wraps
    if wraps and form != "text_cells":
        layout["wrapped_cells_on"] = "first line" if values_first else "continuation line"
    return lines


def _render_run_together(table: _Table, sep: str) -> str:
    """The table as a crawler flattens it: every cell's text joined with ``sep`` ("" or " ")."""
    cells = [h.replace("\n", "") for h in table.header]
    for row in table.rows:
        cells.append(row.full_label)
        if table.unit_column:
            cells.append(row.unit)
        cells += [v for v in row.values if v]
    return sep.join(c for c in cells if c)


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _render_markdown(rng: random.Random, table: _Table, fragments: bool, layout: dict) -> list[str]:
    br = rng.random() < 0.3  # tools keep a cell's line break as <br>
    layout["markdown_br"] = br
    header = [h.replace("\n", "<br>" if br else "") for h in table.header]
    body = []
    for row in table.rows:
        label = row.label + ("<br>" if br and row.note else "") + row.note
        body.append([label, *([row.unit] if table.unit_column else []), *row.values])
    lines: list[str] = []
    if fragments:
        placeholder_header = rng.random() < 0.5
        layout["fragment_header"] = "placeholder" if placeholder_header else "row"
        for cells in [header, *body]:
            if placeholder_header:
                lines += [_md_row([f"数据{i + 1}" for i in range(len(cells))]), _md_row(["---"] * len(cells))]
                lines += [_md_row(cells), ""]
            else:
                lines += [_md_row(cells), _md_row(["---"] * len(cells)), ""]
    else:
        lines += [_md_row(header), _md_row(["---"] * len(header))] + [_md_row(cells) for cells in body] + [""]
    return lines


# ---------------------------------------------------------------------------------------------
# Rendering: HTML
# ---------------------------------------------------------------------------------------------

NAV_BEFORE = [
    "当前位置：",
    "首页政务公开政府信息公开政府信息公开年报",
]
NAV_SHARE = ["微信", "微博", "QQ空间", "全真版", "文字版", "文件下载", "相关链接：", "--&gt;"]


def _html_cell(text: str, rng_word: bool, header: bool, pad: str = "", indent: str = "") -> str:
    """One <td>: "\n" in the text splits it into two paragraphs (<p>2012</p><p>年度</p>)."""
    parts = text.split("\n")
    if rng_word:
        span = 'style="font-size:10.5pt;font-family:宋体;mso-ascii-font-family:Calibri"'
        paragraphs = "".join(
            f'<p class="MsoNormal" align="center" style="text-align:center"><span {span}>'
            f"{indent if i == 0 else ''}{html_lib.escape(p) if p else '&nbsp;'}</span><o:p></o:p></p>"
            for i, p in enumerate(parts)
        )
        return (
            f'<td width="{120 if header else 80}" valign="top" style="border:solid windowtext 1.0pt">{paragraphs}</td>'
        )
    if len(parts) > 1:
        return "<td>" + "".join(f"<p>{html_lib.escape(p)}</p>" for p in parts) + "</td>"
    body = html_lib.escape(text)
    return f"<td>{pad}{indent}{body}</td>"  # a blank cell: <td></td> or <td>&nbsp;</td>


def _render_html(
    rng: random.Random,
    title: str,
    published: date,
    agency: str,
    paragraphs: list[str],
    caption: str | None,
    caption_mode: str,
    table: _Table,
    layout: dict,
    charset: str,
) -> str:
    word = rng.random() < 0.35
    nav = rng.random() < 0.6
    one_paragraph = not word and rng.random() < 0.3  # the whole narrative in one <p>, as on pingtan_2016
    br_labels = rng.random() < 0.3
    nbsp = rng.random() < 0.4
    layout.update(
        word_markup=word, navigation=nav, one_paragraph=one_paragraph, br_in_labels=br_labels, nbsp_padding=nbsp
    )
    out = [
        "<!DOCTYPE html>",
        "<html>",
        f'<head>\n<meta charset="{charset}"/>'
        if rng.random() < 0.5
        else f'<head>\n<meta http-equiv="Content-Type" content="text/html; charset={charset}"/>',
        f"<title>{html_lib.escape(title)}</title>",
        "</head>",
        "<body>",
    ]
    if nav:
        out.append(
            '<div class="header"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/hdjl/">互动交流</a>'
            " | 无障碍浏览 | 繁体版</div>"
        )
    out.append('<div class="article_content">')
    if nav:
        out += [f"<p>{p}</p>" for p in NAV_BEFORE]
    out.append(f"<p>{html_lib.escape(title)}</p>" if rng.random() < 0.6 else f"<h1>{html_lib.escape(title)}</h1>")
    out.append(f"<p>{published.year}年{published.month}月{published.day}日</p>")
    if nav:
        out += [f"<p>来源：{html_lib.escape(agency)}</p>", f"<p>时间：{published.isoformat()} 00:00</p>"]
        out += [f"<p>{p}</p>" for p in NAV_SHARE]

    def para(text: str) -> str:
        if word:
            comment = "<!--[if !supportLists]-->" if text[:2] in ("（一", "（二", "1.", "2.") else ""
            return (
                '<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt">'
                f'{comment}<span style="font-size:16.0pt;font-family:仿宋_GB2312">{html_lib.escape(text)}</span></p>'
            )
        return f"<p>{html_lib.escape(text)}</p>"

    if one_paragraph:
        out.append("<p>" + html_lib.escape("".join(paragraphs)) + "</p>")
    else:
        out += [para(p) for p in paragraphs]
    if caption and caption_mode == "above":
        out.append(para(caption) if word else f"<p>{html_lib.escape(caption)}</p>")
    table_attrs = (
        ' class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0"'
        ' style="border-collapse:collapse;border:none"'
        if word
        else ' border="1" cellspacing="0"'
    )
    out += [f"<table{table_attrs}>", "<tbody>"]
    width = len(table.header)
    if caption and caption_mode == "in_table":
        out.append(f'<tr><td colspan="{width}">{html_lib.escape(caption)}</td></tr>')
    header_cells = []
    for i, text in enumerate(table.header):
        pad = "&nbsp; " if nbsp and i == 0 else ""
        header_cells.append(_html_cell(text, word, True, pad))
    out.append("<tr>" + "".join(header_cells) + "</tr>")
    for row in table.rows:
        label = row.full_label
        if br_labels and (row.note or "其中：" in label):
            cut = len(row.label) if row.note else label.index("其中：") + 3
            label_html = html_lib.escape(label[:cut]) + "<br/>" + html_lib.escape(label[cut:])
        else:
            label_html = html_lib.escape(label)
        indent = "&nbsp;" * (2 * row.depth) if nbsp and row.depth else ""
        if word:
            span = 'style="font-size:10.5pt;font-family:宋体"'
            label_td = (
                f'<td width="300" valign="top" style="border:solid windowtext 1.0pt"><p class="MsoNormal">'
                f"<span {span}>{indent}{label_html}</span><o:p></o:p></p></td>"
            )
        else:
            label_td = f"<td>{indent}{label_html}</td>"
        cells = [label_td]
        if table.unit_column:
            cells.append(_html_cell(row.unit, word, False, "&nbsp;" if nbsp and not row.unit else ""))
        for value in row.values:
            pad = "&nbsp;" if nbsp and (not value or rng.random() < 0.2) else ""
            cells.append(_html_cell(value, word, False, pad))
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    if rng.random() < 0.5:
        out.append("<p>附件下载</p>")
    out.append("</div>")
    if nav:
        out.append(
            '<div class="footer"><p>主办：' + html_lib.escape(agency) + "办公室 版权所有 网站标识码：3501280001</p>"
            "<p>闽ICP备05012345号 访问量：1234567</p></div>"
        )
    out += ["</body>", "</html>"]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Binary forms
# ---------------------------------------------------------------------------------------------


def _freeze_zip(data: bytes, stamp: date) -> bytes:
    """Office files byte-for-byte reproducible: every zip entry and the document's created /
    modified dates (docProps/core.xml) set to ``stamp`` instead of the time of generation."""
    import re
    import zipfile

    iso = f"{stamp.isoformat()}T09:00:00Z"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + iso.encode(), body)
            entry = zipfile.ZipInfo(info.filename, date_time=(*stamp.timetuple()[:3], 9, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED  # a ZipInfo is stored uncompressed by default
            target.writestr(entry, body)
    return out.getvalue()


def _put(word_cell, text: str) -> None:
    """Text into a fresh Word cell's first paragraph (``cell.text = …`` re-walks the XML: 3× slower)."""
    if text:
        word_cell.paragraphs[0].add_run(text)


def _to_docx(
    rng: random.Random,
    title: str,
    date_line: str,
    paragraphs: list[str],
    caption: str | None,
    table: _Table,
    footer: list[str],
    layout: dict,
) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(title)
    document.add_paragraph(date_line)
    for text in paragraphs:
        document.add_paragraph(text)
    if caption:
        document.add_paragraph(caption)
    width = len(table.header)
    word_table = document.add_table(rows=len(table.rows) + 1, cols=width)
    grid = rng.random() < 0.7
    if grid:
        word_table.style = "Table Grid"
    split_labels = rng.random() < 0.3  # a note as the cell's second paragraph
    layout.update(docx_grid=grid, docx_note_paragraph=split_labels)
    rows = word_table.rows
    for word_cell, text in zip(rows[0].cells, table.header, strict=True):
        first, *rest = text.split("\n")
        _put(word_cell, first)
        for part in rest:
            word_cell.add_paragraph(part)
    for row, word_row in zip(table.rows, list(rows)[1:], strict=True):
        word_cells = word_row.cells
        if split_labels and row.note:
            _put(word_cells[0], row.label)
            word_cells[0].add_paragraph(row.note)
        else:
            _put(word_cells[0], row.full_label)
        texts = ([row.unit] if table.unit_column else []) + row.values
        for word_cell, text in zip(word_cells[1:], texts, strict=True):
            _put(word_cell, text)
    for text in footer:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return _freeze_zip(out.getvalue(), layout["stamp"])


def _to_pdf(
    rng: random.Random,
    title: str,
    date_line: str,
    paragraphs: list[str],
    caption: str | None,
    table: _Table,
    footer: list[str],
    layout: dict,
) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_pdf_font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, firstLineIndent=22)
    centred = ParagraphStyle("title", fontName=font, fontSize=15, leading=22, alignment=1)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)

    def esc(text: str) -> str:
        return html_lib.escape(text, quote=False)

    story = [Paragraph(esc(title), centred), Paragraph(esc(date_line), centred), Spacer(1, 8)]
    story += [Paragraph(esc(p), body) for p in paragraphs]
    if caption:
        story += [Spacer(1, 8), Paragraph(esc(caption), centred)]
    header = [Paragraph("<br/>".join(esc(p) for p in h.split("\n")), cell) for h in table.header]
    data = [header]
    for row in table.rows:
        indent = "　" * row.depth if layout.get("indent") == "sample" else ""
        label = Paragraph(esc(indent + row.full_label), cell)
        # A value with a note wraps inside its cell, as Word prints it.
        values = [Paragraph(esc(v), cell) if len(v) > 8 else v for v in row.values]
        data.append([label, *([row.unit] if table.unit_column else []), *values])
    width = len(table.header)
    label_width = (250 if width == 3 else 200) if table.unit_column else 280
    widths = [label_width] + [(451 - label_width) / (width - 1)] * (width - 1)
    repeat = rng.random() < 0.5  # the header row printed again on the next page
    layout.update(pdf_repeat_header=repeat)
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, "black"),
            ("FONT", (0, 0), (-1, -1), font, 8),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ]
    )
    story += [Spacer(1, 6), Table(data, colWidths=widths, style=style, repeatRows=1 if repeat else 0)]
    story += [Spacer(1, 8), *[Paragraph(esc(text), body) for text in footer]]

    def page_number(canvas, document) -> None:
        canvas.setFont(font, 9)
        canvas.drawCentredString(A4[0] / 2, 28, f"— {document.page} —")

    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, title=title, invariant=True)  # reproducible bytes
    document.build(story, onFirstPage=page_number, onLaterPages=page_number)
    layout["pdf_pages"] = document.page
    return out.getvalue()


def _to_xlsx(
    rng: random.Random,
    sheet_title: str,
    filled_by: str,
    table: _Table,
    cells: dict[tuple[str, str], ExpectedCell],
    columns: list[str],
    notes: list[str],
    layout: dict,
) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = rng.choice(["统计表", "Sheet1", "政府信息公开情况统计表"])
    width = len(table.header)
    merged = rng.random() < 0.6
    sheet.append([sheet_title] + [None] * (width - 1))
    if merged:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    filled_row = rng.random() < 0.6
    if filled_row:
        sheet.append([filled_by] + [None] * (width - 2) + [layout["filled_on"]])
    sheet.append([h.replace("\n", "") if rng.random() < 0.7 else h for h in table.header])
    numeric = rng.random() < 0.8  # plain numbers as numeric cells (else as text)
    for row in table.rows:
        values: list = []
        for column, printed in zip(columns, row.values, strict=True):
            cell = cells[(row.code, column)]
            if not printed:
                values.append(None)
            elif numeric and cell.status == OK:
                values.append(int(cell.value) if cell.value == int(cell.value) else cell.value)
            else:
                values.append(printed)
        indent = "  " * row.depth if rng.random() < 0.2 else ""
        sheet.append([indent + row.full_label, *([row.unit] if table.unit_column else []), *values])
    second = rng.random() < 0.4
    if second:  # a sheet that is not a table: the filling instructions
        other = workbook.create_sheet("填表说明", 0 if rng.random() < 0.25 else None)
        for line in notes:
            other.append([line])
        layout["second_sheet"] = "first" if workbook.sheetnames[0] == "填表说明" else "after"
    layout.update(xlsx_merged_title=merged, xlsx_filled_row=filled_row, xlsx_numeric=numeric)
    out = io.BytesIO()
    workbook.save(out)
    return _freeze_zip(out.getvalue(), layout["stamp"])


# ---------------------------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------------------------


def _agency(rng: random.Random, template: str, variant: str | None) -> str:
    area = rng.choice(AREAS)
    if variant == "pingtan_2012" or (variant in ("pingtan_2016", "pingtan_2017") and rng.random() < 0.5):
        # Zones run by a 管委会 (平潭综合实验区 is the real one).
        return rng.choice(["平潭综合实验区", f"{area}经济开发区管委会", f"{area}高新技术产业开发区管委会"])
    roll = rng.random()
    suffix = rng.choice(["县", "县", "市", "区"])
    if roll < 0.35:
        return area + suffix
    if roll < 0.7:
        return f"{area}{suffix}人民政府"
    return f"{area}{suffix}{rng.choice(DEPARTMENTS)}"


def _caption(rng: random.Random, template: str, agency: str, year: int, next_section: str) -> tuple[str | None, str]:
    """The caption above the table and where it goes (above / in_table / none)."""
    options = [
        f"附件1：{agency}{year}年政府信息公开情况统计表",  # pingtanxian_2012.html
        f"{next_section}、{agency}政府信息公开情况统计表",  # pingtan_2016.html (七、…)
        f"{agency}政府信息公开情况统计表",  # pingtan_2012.html
    ]
    if template == STAT_2014:
        options.append(f"{year}年度{agency}政府信息公开工作统计表")  # the 桃源县 sample
    roll = rng.random()
    if roll < 0.12:
        return None, "none"
    return rng.choice(options), ("in_table" if roll < 0.25 else "above")


def make_pre2019_report(
    rng: random.Random,
    index: int = 0,
    template: str | None = None,
    form: str | None = None,
    *,
    variant: str | None = None,
    inconsistent: float = 0.0,
    blanks: float = 0.3,
    notes: float = 0.2,
) -> SyntheticPre2019:
    """One report with known cells. ``inconsistent``: share of reports with one arithmetic rule
    (or the narrative's count) broken on purpose, named in ``layout["inconsistent"]``; ``blanks``:
    share of reports printing some zero cells blank or as a placeholder; ``notes``: share with
    notes inside some cells. ``variant`` picks a local row set (see LOCAL_VARIANTS)."""
    template = template or rng.choice(TEMPLATES)
    form = form or rng.choice(FORMS)
    if template not in TEMPLATES or form not in FORMS:
        raise ValueError(f"unknown template/form {template!r}/{form!r}")
    layout: dict = {"index": index}
    broken = rng.random() < inconsistent
    with_blanks = rng.random() < blanks
    with_notes = rng.random() < notes
    run_sep = ""

    if template == STAT_2014:
        year = rng.randint(2014, 2018)
        agency = _agency(rng, template, None)
        stat_values = _stat_values(rng)
        if broken:
            layout["inconsistent"] = [_break_stat(rng, stat_values)]
        values = {(code, ""): value for code, value in stat_values.items()}
        stated = {"proactive": stat_values["A1.1"], "requests": stat_values["A3.1"]}
        keys = [(row.code, "") for row in STAT_2014_ROWS if row.kind != S]
        columns = [""]
    else:
        variant = variant or rng.choice(list(LOCAL_VARIANTS))
        spec = LOCAL_VARIANTS[variant]
        year = rng.randint(*spec["years"])
        agency = _agency(rng, template, variant)
        specs = list(spec["rows"])
        for _code, row, after in spec["optional"]:
            if rng.random() < 0.3:
                specs.insert(next(i for i, r in enumerate(specs) if r.code == after) + 1, row)
        sep = spec["sep"] if variant != "pingtan_2017" else rng.choice(["、", "."])
        codes = [r.code for r in specs]
        values = _local_values(rng, codes, year)
        if broken:
            layout["inconsistent"] = [_break_local(rng, values, codes)]
        cumulative = form in ("run_together", "text_cells", "text_tabs", "text_spaces") or rng.random() < 0.8
        columns = ["this_year", "cumulative"] if cumulative else ["this_year"]
        keys = [(code, column) for code in codes for column in columns]
        stated = {"proactive": values[("L1", "this_year")], "requests": values[("L2", "this_year")]}
        layout.update(variant=variant, rows=codes, columns=columns)
        if form == "run_together":
            run_sep = rng.choice(["", "", " "])  # pingtan_2016_1.txt: no separator; pingtan_2012_1.txt: spaces
            layout["cell_separator"] = run_sep
    if broken and layout["inconsistent"] == ["text"]:
        stated = {k: v + rng.randint(1, 50) for k, v in stated.items()}

    modes = _cell_modes(rng, keys, values, form, with_blanks, with_notes)
    if template == STAT_2014:
        table, cells, table_layout = _stat_table(rng, stat_values, {k: modes.get(k, OK) for k in values}, form)
    else:
        table, cells, table_layout = _local_table(rng, specs, sep, values, modes, form, year, cumulative, run_sep)
    layout.update(table_layout)
    layout.update(
        blanks=sum(c.status == BLANK for c in cells.values()),
        placeholders=sum(c.status == PLACEHOLDER for c in cells.values()),
        notes=sum(c.status == OK_WITH_NOTE for c in cells.values()),
    )

    title_year, title_work = rng.choices([("年度", "工作"), ("年", "工作"), ("年度", "")], weights=[7, 2, 1])[0]
    title = f"{agency}{year}{title_year}政府信息公开{title_work}年度报告"
    published = date(year + 1, rng.randint(1, 3), rng.randint(1, 28))
    date_line = f"{published.year}年{published.month}月{published.day}日"
    filled_on = date(year + 1, published.month, max(1, published.day - rng.randint(0, 5)))
    layout.update(title=title, filled_on=f"填报日期：{filled_on.year}年{filled_on.month}月{filled_on.day}日")

    if template == STAT_2014:
        paragraphs = _stat_narrative(rng, agency, year, stat_values, stated)
        next_section = "八"
    else:
        paragraphs = _local_narrative(rng, agency, year, values, codes, stated)
        next_section = "五"
    caption, caption_mode = _caption(rng, template, agency, year, next_section)
    if form in ("text_cells", "text_tabs", "text_spaces", "markdown", "markdown_fragments", "docx", "pdf") and (
        caption_mode == "in_table"
    ):
        caption_mode = "above"
    layout.update(caption=caption, caption_mode=caption_mode)
    people = rng.sample(PEOPLE, 3)
    footer = (
        [
            f"单位负责人：{people[0]}　　　　审核人：{people[1]}　　　　填报人：{people[2]}",
            f"联系电话：66{rng.randint(10000, 99999)}　　　　{layout['filled_on']}",
        ]
        if template == STAT_2014 and rng.random() < 0.8
        else []
    )
    signature = [agency, _cn_date(published)] if rng.random() < 0.5 else []

    text: str | None = None
    data: bytes | None = None
    layout["stamp"] = published  # binary forms' file dates (popped below)
    if form in ("text_cells", "text_tabs", "text_spaces"):
        lines = [title, date_line, "", *paragraphs, *signature]
        if caption:
            lines += (["附件"] if rng.random() < 0.5 else []) + [caption]
        if template == STAT_2014 and rng.random() < 0.7:
            lines.append("填报单位（盖章）： ")
        lines += _render_text(rng, table, form, layout)
        lines += ["", *footer]
        crlf = rng.random() < 0.2
        text = ("\r\n" if crlf else "\n").join(lines) + ("\r\n" if crlf else "\n")
        encoding = rng.choices(["utf-8", "gb18030", "utf-8-sig"], weights=[75, 15, 10])[0]
        layout.update(newline="crlf" if crlf else "lf", encoding=encoding)
    elif form == "run_together":
        header = rng.random() < 0.6
        body_parts = [title, date_line, *paragraphs, *signature]
        if caption:
            body_parts.append(caption)
        table_text = _render_run_together(table, run_sep)
        joiner = rng.choice(["", " "])
        body = joiner.join(body_parts) + " " + table_text + " " + " ".join(footer)
        if rng.random() < 0.4:  # a few lines rather than one: the crawler kept some paragraph breaks
            cut = len(joiner.join(body_parts[:4]))
            body = body[:cut] + "\n" + body[cut:].lstrip()
        lines = []
        if header:
            url = (
                f"https://www.example.gov.cn/zwgk/zfxxgk/zfxxgknb/{year + 1}01/t{published:%Y%m%d}_{80000 + index}.htm"
            )
            lines += [
                f"标题: {title}",
                f"发布时间: {published.isoformat()} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}",
                "文号: ",
                "发布机构: ",
                "栏目: 政府信息公开年报",
                f"原文链接: {url}",
                "==================== 正文 ====================",
            ]
        # Without the crawler's header the title usually keeps its own line (the page's <h1>).
        own_line = not header and rng.random() < 0.7
        if own_line:
            body = body[len(title) :].lstrip()
            lines.append(title)
        lines.append(body.rstrip())
        text = "\n".join(lines) + "\n"
        layout.update(
            crawler_header=header, title_own_line=own_line, encoding="utf-8", paragraph_joiner=joiner or "none"
        )
    elif form in ("markdown", "markdown_fragments"):
        lines = [f"# {title}", "", f"（{date_line}）" if rng.random() < 0.3 else date_line, ""]
        for p in paragraphs:
            lines += [f"## {p}" if len(p) < 20 and p[:2] in ("一、", "二、", "三、", "四、", "五、") else p, ""]
        if caption:
            lines += [caption, ""]
        lines += _render_markdown(rng, table, form == "markdown_fragments", layout)
        lines += [*footer]
        text = "\n".join(lines) + "\n"
        layout["encoding"] = "utf-8" if rng.random() < 0.9 else "utf-8-sig"
    elif form == "html":
        charset = "utf-8" if rng.random() < 0.8 else "gb2312"
        text = _render_html(
            rng, title, published, agency, paragraphs + signature, caption, caption_mode, table, layout, charset
        )
        layout["encoding"] = "utf-8" if charset == "utf-8" else "gb18030"  # declared gb2312, GBK chars possible
        layout["charset_declared"] = charset
    elif form == "docx":
        data = _to_docx(rng, title, date_line, paragraphs, caption, table, footer, layout)
    elif form == "pdf":
        layout["indent"] = rng.choice(["sample", "none"])
        data = _to_pdf(rng, title, date_line, paragraphs, caption, table, footer, layout)
    else:  # xlsx: the table alone; agency and year in the title row
        sheet_title = rng.choice(
            [
                f"{agency}{year}年度政府信息公开情况统计表",
                f"{year}年度{agency}政府信息公开工作统计表",
                f"{agency}{year}年政府信息公开情况统计表",
            ]
        )
        instructions = [
            "填表说明：",
            f"1.本表统计期限为{year}年1月1日至{year}年12月31日。",
            "2.“主动公开政府信息数”中，不同渠道和方式公开相同信息计1条。",
            "3.本表由政府信息公开工作机构填报，报送同级政府信息公开主管部门。",
        ]
        layout["title"] = sheet_title
        published = None
        data = _to_xlsx(rng, sheet_title, f"填报单位：{agency}", table, cells, columns, instructions, layout)
    layout.pop("stamp")
    return SyntheticPre2019(template, form, year, agency, title, published, cells, layout, text, data)


def make_seeded(seed: int, index: int = 0, **kwargs) -> SyntheticPre2019:
    """The report for (seed, index), independent of any other report generated before it."""
    return make_pre2019_report(random.Random(seed * 1_000_003 + index), index, **kwargs)


if __name__ == "__main__":
    import sys
    import tempfile
    import time
    from pathlib import Path

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    out_dir = Path(tempfile.mkdtemp(prefix="xxgk-pre2019-"))
    font_started = time.perf_counter()
    register_pdf_font()
    print(f"PDF font built in {time.perf_counter() - font_started:.2f} s (once per process)")
    print(f"{'form':<20}{'template':<13}{'n':>4}{'ms/report':>11}{'mean KB':>9}")
    for form in FORMS:
        for template in TEMPLATES:
            sizes, started = [], time.perf_counter()
            for index in range(count):
                report = make_seeded(2018, index, template=template, form=form, inconsistent=0.1)
                data = report.to_bytes()
                sizes.append(len(data))
                if index < 2:
                    (out_dir / f"{template}_{form}_{index}{report.suffix}").write_bytes(data)
            elapsed = (time.perf_counter() - started) / count * 1000
            print(f"{form:<20}{template:<13}{count:>4}{elapsed:>11.1f}{sum(sizes) / len(sizes) / 1024:>9.1f}")
    print(f"samples in {out_dir}")
