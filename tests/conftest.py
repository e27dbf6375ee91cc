"""Shared fixtures. Prefect state lives in a throwaway folder; no server, no telemetry."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports prefect: isolate its home and keep it offline.
_PREFECT_HOME = tempfile.mkdtemp(prefix="xxgk-prefect-home-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.pop("PREFECT_API_URL", None)

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_REPORT = REPO_ROOT / "data" / "raw" / "taoyuan_2018_report.txt"
EXPECTED_DIR = Path(__file__).resolve().parent / "expected"
SHARED_DIR = REPO_ROOT.parent / "shared"


def record_concurrently(store, candidates: list) -> list:
    """Record each candidate version from its own thread, all released at once: the record each
    made, or the VersionConflictError it got."""
    import threading

    from flows.dataset.store import VersionConflictError

    outcomes: list[object] = [None] * len(candidates)
    start = threading.Barrier(len(candidates))

    def commit(number: int) -> None:
        start.wait()
        try:
            outcomes[number] = store.record(candidates[number])
        except VersionConflictError as exc:
            outcomes[number] = exc

    threads = [threading.Thread(target=commit, args=(n,)) for n in range(len(candidates))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture(scope="session")
def sample_bytes() -> bytes:
    return SAMPLE_REPORT.read_bytes()


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    corpus = SHARED_DIR / "corpus" / "real"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not present (it ships only with the development workspace)")
    return corpus


@pytest.fixture(scope="session")
def corpus_dataset(shared_corpus, tmp_path_factory):
    """The real corpus and the sample through ``xxgk run``: a read-only connection to its DuckDB file."""
    import shutil
    import subprocess
    import sys

    import duckdb

    raw = tmp_path_factory.mktemp("corpus_raw")
    for path in shared_corpus.iterdir():
        shutil.copy(path, raw / path.name)
    shutil.copy(SAMPLE_REPORT, raw / SAMPLE_REPORT.name)
    curated = tmp_path_factory.mktemp("corpus_curated")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("xxgk")), "run", "--raw", str(raw), "--curated", str(curated), "--quiet"],
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ.copy(),
    )
    assert result.returncode in (0, 1), result.stderr  # 1: some reports fail rules, still published
    connection = duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect backend for the whole session (≈10 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def _variant(sample: str, area: str, year: int) -> str:
    """The sample retitled as another county and year: a second, distinct report."""
    return sample.replace("桃源县", area).replace("2018年度", f"{year}年度").replace("2018年", f"{year}年")


@pytest.fixture(scope="session")
def mixed_raw_dir(tmp_path_factory, sample_bytes) -> Path:
    """Good reports plus every kind of bad input the pipeline must quarantine."""
    raw = tmp_path_factory.mktemp("raw")
    (raw / "post2019").mkdir()
    sample = sample_bytes.decode("utf-8")
    lines = sample.split("\n")
    (raw / "taoyuan_2018_report.txt").write_bytes(sample_bytes)
    (raw / "sub").mkdir()
    (raw / "sub" / "shimen_2017.txt").write_bytes(_variant(sample, "石门县", 2017).encode("gb18030"))
    # Same report again, other encoding and line ends: one report, the copy quarantined as duplicate.
    (raw / "taoyuan_copy_gbk.txt").write_bytes(sample.replace("\u00a0", " ").replace("\n", "\r\n").encode("gb18030"))
    (raw / "empty.txt").write_bytes(b"")
    (raw / "scan.pdf").write_bytes(BLANK_PAGE_PDF)  # a page with no text layer, as a scan has
    (raw / "noise.bin").write_bytes(bytes(range(256)) * 4)
    (raw / "narrative_only.txt").write_text("\n".join(lines[:34]) + "\n", encoding="utf-8")
    header = next(i for i, line in enumerate(lines) if "统" in line and "指" in line and "标" in line)
    (raw / "truncated.txt").write_text("\n".join(lines[: header + 120]) + "\n", encoding="utf-8")
    (raw / "undecodable.txt").write_bytes(sample_bytes[:3000] + b"\xff\x80\xfe\xc0\xc1" + sample_bytes[3000:])
    (raw / ".hidden_notes").write_text("ignored: hidden files are not inputs", encoding="utf-8")
    for name, report in POST2019_REPORTS.items():
        if name.endswith(".pdf"):
            from benchmarks.synthetic.post2019 import to_pdf

            (raw / name).write_bytes(to_pdf(report))
        else:
            (raw / name).write_text(report.text, encoding="utf-8")
    (raw / "local_2012.txt").write_text(LOCAL_TABLE_REPORT, encoding="utf-8")
    return raw


def _post2019_reports():
    import random

    from benchmarks.synthetic.post2019 import make_post2019_report

    return {
        "post2019/report_2021.html": make_post2019_report(random.Random(21), 3, "fmt_2021", "html"),
        "post2019/report_2019.md": make_post2019_report(random.Random(19), 4, "fmt_2019", "markdown_fragments"),
        # Written as a ruled-table PDF (the text form only chooses its cells).
        "post2019/report_2023.pdf": make_post2019_report(random.Random(23), 5, "fmt_2021", "markdown"),
    }


# Reports generated from known cell values (the generator's, not the parser's).
POST2019_REPORTS = _post2019_reports()

# A 2012 local table (指标名称 / 计量单位 / 本年度 / 历年累计), cells run together as crawlers leave them.
LOCAL_TABLE_REPORT = (
    "某某县人民政府2012年政府信息公开工作年度报告\n"
    "2012年全县主动公开政府信息120条。\n"
    "某某县2012年政府信息公开情况统计表 指标名称计量单位2012年度历年累计"
    "主动公开信息数条1201500其中：1.网站公开条1101400"  # 120 | 1500 and 110 | 1400 (the 2. is the next label's)
    "2.政府公报公开条10100受理依申请公开信息总数条39其中：1.当面申请数条39"
    "对申请的答复总数条39其中：1.同意公开答复数条39行政复议数件00\n"
)

BLANK_PAGE_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)

EXPECTED_QUARANTINE = {
    "taoyuan_copy_gbk.txt": ("duplicate", "same report as taoyuan_2018_report.txt"),
    "empty.txt": ("decode", "empty file"),
    "scan.pdf": ("decode", "PDF has no text layer"),
    "noise.bin": ("decode", "binary file"),
    "narrative_only.txt": ("template", "no statistics table found"),
    "truncated.txt": ("table", "statistics table cut off"),
    "undecodable.txt": ("decode", "undecodable bytes"),
}


@pytest.fixture(scope="session")
def published_dataset(prefect_harness, mixed_raw_dir, tmp_path_factory) -> Path:
    """The real flow run once over the mixed folder into a temporary curated folder."""
    from flows.run.pipeline import xxgk_pipeline

    curated = tmp_path_factory.mktemp("curated")
    summary = xxgk_pipeline(raw_dir=mixed_raw_dir, curated_dir=curated, batch_size=3)
    assert summary.published
    return curated


LEVELS = ("unit", "component", "end_to_end")


def pytest_collection_modifyitems(items):
    """Each test is marked with its level, the folder it is in: ``-m unit`` runs the fast ones."""
    for item in items:
        level = next((part for part in item.path.parts if part in LEVELS), None)
        if level is not None:
            item.add_marker(getattr(pytest.mark, level))


def printed_synthetic_report(seed: int):
    """A synthetic 2021 report (its cells, the generator's, are what a test expects) and its text
    PDF printed with the CJK fonts scans are made from: the source of a scan."""
    import random

    from benchmarks.synthetic.pdf_font import PRINT_FONTS, printed_glyphs
    from benchmarks.synthetic.post2019 import FMT_2021, make_post2019_report, to_pdf

    fonts = all(Path(path).exists() for path, _ in PRINT_FONTS.values())
    skip_unless_installed(fonts, "Debian's fonts-arphic-uming and fonts-wqy-microhei", "XXGK_REQUIRE_OCR_FONTS")
    report = make_post2019_report(random.Random(seed), 0, FMT_2021, "html")
    with printed_glyphs():
        return report, to_pdf(report)


def skip_unless_installed(present: bool, what: str, requirement: str) -> None:
    """Skip a test whose system package is missing, unless CI set ``requirement`` (an environment
    variable: .ci/run installs the package), where it must fail instead."""
    if present:
        return
    if os.environ.get(requirement) == "1":
        pytest.fail(f"{requirement}=1 but {what} is not installed")
    pytest.skip(f"{what} is not installed (.ci/run installs it)")
