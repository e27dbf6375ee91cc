"""A run over a folder of hostile files and good reports publishes the good reports.

Crawled files are untrusted. Here: names that are not UTF-8, with brackets, quotes, SQL,
newlines and escape sequences; a zip bomb, huge text, deep HTML, an XXE; and three files that
misbehave in the worker (``XXGK_FILE_FAULTS``): one that runs past the time limit in Python (the
alarm stops it), one that hangs where the alarm cannot reach (the watchdog ends its worker), one
that crashes its worker. Each bad file is quarantined with its reason; nothing else is lost.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE_REPORT

XXGK = str(Path(sys.executable).with_name("xxgk"))
SECRET = "SECRET-XXE-51c9"
GBK_NAME = os.fsdecode("石门县2017年报告.txt".encode("gbk"))
BRACKETED = "[bold red]x.txt"
SQL_NAME = "a'b\"c; DROP TABLE reports; --\nd.txt"
ESCAPE_NAME = "\x1b[31mred.txt"
FAULTS = {"slow.txt": "slow", "hang.txt": "hang", "crash.txt": "crash"}
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _variant(area: str, year: int) -> bytes:
    sample = SAMPLE_REPORT.read_text(encoding="utf-8")
    return sample.replace("桃源县", area).replace("2018年", f"{year}年").encode("utf-8")


def _docx(xml: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{_W}"/>')
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            for _ in range(400):
                member.write(bytes(1 << 20))
    return buffer.getvalue()


def _xxe(secret: Path) -> bytes:
    doctype = f'<!DOCTYPE w:document [<!ENTITY leak SYSTEM "file://{secret}">]>'
    body = "".join(
        f"<w:p><w:r><w:t>{line} &leak;</w:t></w:r></w:p>" for line in _variant("慈利县", 2013).decode().split("\n")
    )
    return _docx(f'<?xml version="1.0"?>{doctype}<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>')


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    raw, curated = work / "raw", work / "curated"
    raw.mkdir()
    secret = work / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    good = {
        "taoyuan.txt": SAMPLE_REPORT.read_bytes(),
        GBK_NAME: _variant("石门县", 2017),
        BRACKETED: _variant("慈利县", 2016),
        SQL_NAME: _variant("桑植县", 2015),
    }
    bad = {
        ESCAPE_NAME: b"hello",
        "huge.txt": b"1\n" * 11_000_000,
        "bomb.docx": _bomb(),
        "deep.html": ("<html><body>" + "<div>" * 100_000 + "1 2 3" + "</div>" * 100_000 + "</body></html>").encode(),
        "xxe.docx": _xxe(secret),
        **{name: _variant("石门县", 2012 + i) for i, name in enumerate(FAULTS)},
    }
    for name, data in {**good, **bad}.items():
        (raw / name).write_bytes(data)
    env = {
        **os.environ,
        "XXGK_MAX_SECONDS_PER_FILE": "2",
        "XXGK_BATCH_SIZE": "2",
        "XXGK_PARSE_WORKERS": "2",
        "XXGK_FILE_FAULTS": json.dumps(FAULTS),
    }
    command = [XXGK, "run", "--raw", str(raw), "--curated", str(curated), "--accept-quarantine"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=work)
    return raw, curated, result, env


def _rows(curated: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_the_good_reports_are_published(hostile_run):
    _, curated, result, _ = hostile_run
    assert result.returncode == 0, result.stdout + result.stderr
    published = {name for (name,) in _rows(curated, "SELECT source_file FROM reports")}
    assert published == {"taoyuan.txt", "石门县2017年报告.txt", BRACKETED, SQL_NAME}
    assert "Traceback" not in result.stderr


def test_each_bad_file_is_quarantined_with_its_reason(hostile_run):
    _, curated, _, _ = hostile_run
    quarantine = {
        name: (stage, reason)
        for name, stage, reason in _rows(curated, "SELECT source_file, stage, reason FROM quarantine")
    }
    assert set(quarantine) == {ESCAPE_NAME, "huge.txt", "bomb.docx", "deep.html", "xxe.docx", *FAULTS}
    assert quarantine["huge.txt"][0] == "limit" and "XXGK_MAX_TEXT_BYTES" in quarantine["huge.txt"][1]
    assert quarantine["bomb.docx"][0] == "limit" and "XXGK_MAX_CONTAINER_BYTES" in quarantine["bomb.docx"][1]
    assert quarantine["deep.html"][0] == "limit" and "XXGK_MAX_HTML_DEPTH" in quarantine["deep.html"][1]
    for name in ("slow.txt", "hang.txt"):
        stage, reason = quarantine[name]
        assert stage == "limit" and "longer than 2 s" in reason and "XXGK_MAX_SECONDS_PER_FILE" in reason, name
    assert "the parser was stopped" in quarantine["hang.txt"][1]
    assert quarantine["crash.txt"] == (
        "error",
        "the parser process died reading this file (signal SIGSEGV): a crash or out of memory (please report)",
    )
    assert not any(stage == "error" and "parser error" in reason for stage, reason in quarantine.values())


def test_no_table_holds_the_text_of_a_file_named_in_an_xxe(hostile_run):
    _, curated, _, _ = hostile_run
    with duckdb.connect(str(curated / "xxgk.duckdb"), read_only=True) as connection:
        views = [
            name for (name,) in connection.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        ]
        assert {"reports", "indicators", "quarantine", "narrative_facts"} <= set(views)
        for view in views:
            rows = connection.execute(f'SELECT * FROM "{view}"').fetchall()
            assert SECRET not in repr(rows), view


def test_every_file_is_in_the_inputs_manifest_by_its_decoded_name(hostile_run):
    raw, curated, _, _ = hostile_run
    inputs = _rows(curated, "SELECT source_file FROM inputs")
    on_disk = [os.fsdecode(path.name) for path in raw.iterdir()]
    assert sorted(name for (name,) in inputs) == sorted(
        "石门县2017年报告.txt" if name == GBK_NAME else name for name in on_disk
    )


def test_a_rerun_retires_the_rows_of_removed_files_whatever_their_names(hostile_run):
    raw, curated, _, env = hostile_run
    for name in (SQL_NAME, BRACKETED, ESCAPE_NAME, GBK_NAME, *FAULTS):
        (raw / name).unlink()
    command = [XXGK, "run", "--raw", str(raw), "--curated", str(curated), "--accept-quarantine"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert {name for (name,) in _rows(curated, "SELECT source_file FROM reports")} == {"taoyuan.txt"}
    assert {name for (name,) in _rows(curated, "SELECT source_file FROM quarantine")} == {
        "huge.txt",
        "bomb.docx",
        "deep.html",
        "xxe.docx",
    }
