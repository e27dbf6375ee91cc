"""Word 97-2003 and WPS files, converted by LibreOffice, give the same cells as the DOCX they were
made from; a missing LibreOffice, a failed or timed-out conversion each give a clear reason and
leave no process or folder behind.

The .doc files are made here from the project's DOCX files by LibreOffice itself (``soffice
--convert-to doc``). LibreOffice cannot write WPS's .wps: a Kingsoft .wps is the binary Word
format with WPS's additions, so the .wps here is that .doc under a .wps name, which is read as a
.doc. A WPS .et is a BIFF8 workbook: the .et here is an .xls written by LibreOffice, read directly.

Tests that run LibreOffice skip when it is not installed, unless ``XXGK_REQUIRE_LIBREOFFICE=1``
(CI: .ci/run installs it) makes them fail.
"""

import io
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest
from test_taoyuan_sample_forms import _docx, _xlsx, sample  # noqa: F401  (sample: a fixture)

import flows.parsing.legacy_office as legacy
from benchmarks.synthetic.post2019 import make_post2019_report, to_docx
from flows.parsing.legacy_office import LibreOffice, convert_legacy_office, soffice_path
from flows.parsing.pool import _RUN_FOLDER
from transforms.documents import read_document_bytes
from transforms.legacy_office import ConversionError
from transforms.limits import ReadLimits, ReadOptions
from transforms.parse_report import QuarantineError, parse_report
from transforms.templates import FMT_2019, FMT_2021

CELL = ("table_id", "indicator_code", "column_code", "value", "value_raw", "value_status", "source_line")


@pytest.fixture(scope="module")
def soffice() -> str:
    path = soffice_path()
    if path is None:
        if os.environ.get("XXGK_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("XXGK_REQUIRE_LIBREOFFICE=1 but soffice is not on PATH")
        pytest.skip("LibreOffice is not installed (Debian: apt-get install libreoffice-writer-nogui; .ci/run does)")
    return path


def _save_as(soffice: str, data: bytes, suffix: str, target: str, folder: Path) -> bytes:
    """The file LibreOffice writes from ``data`` (a .docx or .xlsx) as ``target`` (doc, xls)."""
    source = folder / f"source{suffix}"
    source.write_bytes(data)
    profile = (folder / "profile").as_uri()
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", target]
    subprocess.run([*command, "--outdir", str(folder), str(source)], stdin=subprocess.DEVNULL, capture_output=True)
    return (folder / f"source.{target}").read_bytes()


def _parse_converted(monkeypatch, data: bytes, name: str):
    """parse_report as the flow calls it: the converter travels with the read limits."""
    return parse_report(data, name, ReadLimits(options=ReadOptions(convert=LibreOffice())))


def _cells(parsed) -> list[tuple]:
    return sorted(tuple(r[k] for k in CELL) for r in parsed.indicators)


@pytest.fixture(scope="module")
def sample_files(soffice, sample, tmp_path_factory) -> dict[str, bytes]:  # noqa: F811
    folder = tmp_path_factory.mktemp("legacy_sample")
    docx_bytes, xlsx_bytes = _docx(sample), _xlsx(sample)
    doc = _save_as(soffice, docx_bytes, ".docx", "doc", folder)
    xls = _save_as(soffice, xlsx_bytes, ".xlsx", "xls", folder)
    return {"docx": docx_bytes, "doc": doc, "xlsx": xlsx_bytes, "xls": xls}


@pytest.mark.parametrize("name", ["taoyuan_2018_report.doc", "taoyuan_2018_report.wps"])
def test_the_sample_as_doc_or_wps_gives_the_docx_cells(name, sample_files, monkeypatch):
    as_docx = parse_report(sample_files["docx"], "taoyuan_2018_report.docx")
    converted = _parse_converted(monkeypatch, sample_files["doc"], name)
    assert converted.report["encoding"] == "doc (converted to docx)"
    assert _cells(converted) == _cells(as_docx)
    values = [r for r in converted.indicators if r["value_status"] == "ok"]
    assert len(values) == 58 and len(converted.indicators) == 65
    same = ("report_id", "template", "report_year", "agency", "title", "table_title", "cells_with_value")
    assert {k: converted.report[k] for k in same} == {k: as_docx.report[k] for k in same}


def test_without_the_converter_the_doc_is_quarantined(sample_files):
    with pytest.raises(QuarantineError, match=r"^Word 97-2003 \.doc: needs converting to \.docx"):
        parse_report(sample_files["doc"], "taoyuan_2018_report.doc")


def test_a_wps_et_workbook_is_read_as_the_xls_it_is(sample_files):
    as_xlsx = parse_report(sample_files["xlsx"], "attachment.xlsx")
    as_et = parse_report(sample_files["xls"], "attachment.et")  # no conversion: calamine reads it
    assert as_et.report["encoding"] == "xls"
    assert [(r["indicator_code"], r["value"]) for r in as_et.indicators] == [
        (r["indicator_code"], r["value"]) for r in as_xlsx.indicators
    ]
    converted = read_document_bytes(convert_legacy_office(sample_files["xls"], "et", "xlsx"))
    assert converted.rows == read_document_bytes(sample_files["xls"]).rows  # LibreOffice reads it alike


def _ending_with_a_paragraph(docx_bytes: bytes) -> bytes:
    """As Word writes every document: a paragraph after the last table. (python-docx ends these on
    表四; LibreOffice then writes a .doc whose last table it reads back as one paragraph of run-
    together cell texts — a .doc Word cannot write.)"""
    document = docx.Document(io.BytesIO(docx_bytes))
    document.add_paragraph("")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("template", [FMT_2019, FMT_2021])
def test_synthetic_reports_as_doc_give_the_docx_cells(template, soffice, tmp_path, monkeypatch):
    report = make_post2019_report(random.Random(11), 11, template, "markdown")
    docx_bytes = _ending_with_a_paragraph(to_docx(report))
    doc = _save_as(soffice, docx_bytes, ".docx", "doc", tmp_path)
    converted = _parse_converted(monkeypatch, doc, "synthetic.doc")
    assert _cells(converted) == _cells(parse_report(docx_bytes, "synthetic.docx"))
    cells = {(r["indicator_code"], r["column_code"]): r["value_raw"] for r in converted.indicators}
    assert {key: cells[key] for key in report.cells} == report.cells


def _live_processes_mentioning(text: str) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if text in command and state != "Z":  # a killed orphan awaits init's reaping: dead
            found.append(command)
    return found


def _fake_soffice(folder: Path, body: str) -> str:
    script = folder / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


def test_a_hanging_converter_is_killed_with_its_children(tmp_path):
    # A stand-in soffice that starts a grandchild and hangs: the whole group must go.
    bin_dir, temp_root = tmp_path / "bin", tmp_path / "temp"
    bin_dir.mkdir(), temp_root.mkdir()
    program = _fake_soffice(bin_dir, "sleep 37 & sleep 38")
    started = time.monotonic()
    with pytest.raises(ConversionError, match=r"^Word 97-2003 \.doc: LibreOffice did not finish .* within 0\.5 s$"):
        convert_legacy_office(b"x", "doc", "docx", 0.5, soffice=program, temp_root=str(temp_root))
    assert time.monotonic() - started < 5
    assert not _live_processes_mentioning("sleep 37") and not _live_processes_mentioning("sleep 38")
    assert list(temp_root.iterdir()) == []


def test_libreoffice_over_its_time_is_killed_and_leaves_nothing(soffice, sample_files, tmp_path):
    with pytest.raises(ConversionError, match=r"did not finish converting it within 0\.2 s"):
        convert_legacy_office(sample_files["doc"], "doc", "docx", 0.2, temp_root=str(tmp_path))
    assert list(tmp_path.iterdir()) == []
    assert not _live_processes_mentioning(str(tmp_path))


def test_a_converter_that_writes_nothing_says_what_it_said(tmp_path):
    program = _fake_soffice(tmp_path, 'echo "Error: source file could not be loaded"')
    with pytest.raises(ConversionError, match=r"could not convert it \(Error: source file could not be loaded\)$"):
        convert_legacy_office(b"x", "wps", "docx", soffice=program, temp_root=str(tmp_path))
    crashed = _fake_soffice(tmp_path, "exit 134")
    with pytest.raises(
        ConversionError, match=r"^WPS Writer \.wps: LibreOffice could not convert it \(exit status 134\)$"
    ):
        convert_legacy_office(b"x", "wps", "docx", soffice=crashed, temp_root=str(tmp_path))


def test_the_converter_runs_with_no_input_a_memory_limit_and_its_own_profile(tmp_path):
    # The stand-in reports what it was given: its address-space limit, stdin, and the profile.
    report = tmp_path / "seen"
    program = _fake_soffice(
        tmp_path,
        f'ulimit -v > {report}; cat >> {report}; echo "$1" >> {report}; echo "$HOME" >> {report}',
    )
    with pytest.raises(ConversionError):  # it writes no file
        convert_legacy_office(b"x", "doc", "docx", soffice=program, memory_bytes=1024**3, temp_root=str(tmp_path))
    limit, profile, home = report.read_text().splitlines()
    assert limit == str(1024**2)  # KiB
    assert profile.startswith("-env:UserInstallation=file://" + str(tmp_path))
    assert home.startswith(str(tmp_path)) and not Path(home).exists()  # removed afterwards


def test_the_profile_turns_macros_off_and_libreoffice_keeps_every_setting(soffice, sample_files, tmp_path):
    """LibreOffice rewrites the profile's settings when it exits and drops what its schema does not
    know: every setting surviving shows each name is one LibreOffice honours."""
    profile = tmp_path / "profile"
    legacy._write_profile(profile)
    source = tmp_path / "in.doc"
    source.write_bytes(sample_files["doc"])
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    command += ["--convert-to", "docx", "--outdir", str(tmp_path / "out"), str(source)]
    subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, check=True)
    assert (tmp_path / "out" / "in.docx").is_file()
    namespace = "{http://openoffice.org/2001/registry}"
    kept = set()
    for item in ElementTree.parse(profile / "user" / "registrymodifications.xcu").getroot():
        for prop in item:
            kept.add((item.get(f"{namespace}path").lstrip("/"), prop.get(f"{namespace}name"), prop.findtext("value")))
    assert set(legacy._PROFILE_SETTINGS) <= kept
    assert ("org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true") in kept


def test_the_converter_dies_with_the_worker_that_started_it(tmp_path):
    program = _fake_soffice(tmp_path, "exec sleep 43")
    # A worker killed mid-conversion: the kernel kills its soffice (here one that would hang).
    call = "from flows.parsing.legacy_office import convert_legacy_office as convert\n"
    temp_root = tmp_path / "temp"
    temp_root.mkdir()
    call += f"convert(b'x', 'doc', 'docx', 60, soffice={program!r}, temp_root={str(temp_root)!r})"
    worker = subprocess.Popen([sys.executable, "-c", call], cwd=Path(__file__).resolve().parents[2])
    deadline = time.monotonic() + 20
    while not _live_processes_mentioning("sleep 43") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _live_processes_mentioning("sleep 43")
    worker.kill()
    worker.wait()
    deadline = time.monotonic() + 5
    while _live_processes_mentioning("sleep 43") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _live_processes_mentioning("sleep 43")
    # Its folder, which nothing in the killed worker could remove, is one a later run reclaims.
    (left,) = temp_root.iterdir()
    assert _RUN_FOLDER.match(left.name)[1] == str(worker.pid)


def test_a_doc_in_the_raw_folder_joins_the_dataset_through_the_real_flow(sample_files, tmp_path):
    """``xxgk run`` over a folder holding the sample as .doc: the report is in the dataset with
    the 58 values of its DOCX, and says it was converted."""
    import duckdb

    from flows.run.pipeline import xxgk_pipeline

    raw, curated = tmp_path / "raw", tmp_path / "curated"
    raw.mkdir()
    (raw / "taoyuan_2018_report.doc").write_bytes(sample_files["doc"])
    xxgk_pipeline(raw_dir=raw, curated_dir=curated)
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        (encoding,) = connection.execute("SELECT encoding FROM reports").fetchall()[0]
        values = connection.execute("SELECT count(*) FROM indicators WHERE value_status = 'ok'").fetchall()[0][0]
        quarantined = connection.execute("SELECT count(*) FROM quarantine").fetchall()[0][0]
    assert (encoding, values, quarantined) == ("doc (converted to docx)", 58, 0)
