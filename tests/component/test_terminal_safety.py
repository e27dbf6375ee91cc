"""What the CLI prints of crawled data (file names, values, reasons) is shown literally and safely:
no rich markup or emoji read into it, no control character reaching the terminal (issue #11).
`xxgk status` and `xxgk query` are tested end to end in tests/end_to_end/test_query_sandbox.py."""

import io
from types import SimpleNamespace

import pytest
from rich.console import Console

from flows import cli
from flows.present import safe_text

HOSTILE = [
    ("[bold red]x.txt", "[bold red]x.txt"),
    ("a[b]c.txt", "a[b]c.txt"),
    ("x[/]y.txt", "x[/]y.txt"),  # as markup: a closing tag with nothing to close (MarkupError)
    ("q[/b]:smile:.txt", "q[/b]:smile:.txt"),
    ("trailing\\", "trailing\\"),
    ("esc\x1b[31mred", "esc\\x1b[31mred"),
    ("bell\x07 backspace\x08 nul\x00 del\x7f", "bell\\x07 backspace\\x08 nul\\x00 del\\x7f"),
    ("csi\x9b31m nel\x85", "csi\\x9b31m nel\\x85"),
    ("line\nbreak\r\ttab", "line\\nbreak\\r\\ttab"),
    ("bidi\u202etxt.exe\u2066", "bidi\\u202etxt.exe\\u2066"),
    ("separator\u2028bom\ufeff", "separator\\u2028bom\\ufeff"),
    ("surrogate\udcff", "surrogate\\udcff"),
]


@pytest.mark.parametrize(("value", "shown"), HOSTILE)
def test_control_characters_are_written_out(value, shown):
    assert safe_text.visible(value) == shown


@pytest.mark.parametrize(
    "value", ["桃源县人民政府", "主动公开\u3000政府信息", "22\u00a0条", "（其中修订16件）", "A3.1", "", "--"]
)
def test_ordinary_text_is_unchanged(value):
    assert safe_text.visible(value) == value


def test_none_is_blank_and_numbers_are_text():
    assert (safe_text.visible(None), safe_text.visible(229.0), safe_text.visible(3)) == ("", "229.0", "3")


def test_kept_characters_stay():
    assert safe_text.visible("LINE 1\n\x1b", keep="\n") == "LINE 1\n\\x1b"


def _recording(monkeypatch) -> io.StringIO:
    """Both consoles write to one buffer, as a terminal would show them (styles as escape codes)."""
    out = io.StringIO()
    console = Console(file=out, width=200, force_terminal=True, color_system="standard")
    monkeypatch.setattr(cli, "console", console)
    monkeypatch.setattr(cli, "err_console", console)
    return out


def _only_styles(output: str) -> str:
    """The output without rich's own style codes: what is left must hold no control character."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", output)


def test_the_run_summary_and_its_quarantine_examples_are_literal(monkeypatch):
    out = _recording(monkeypatch)
    summary = SimpleNamespace(  # a RunSummary's fields, without importing the flow (and Prefect)
        files_seen=len(HOSTILE),
        files_read=len(HOSTILE),
        changes={},
        reports_published=0,
        cells_written=0,
        files_quarantined=len(HOSTILE),
        rules_failed=0,
        reports_with_failed_rules=0,
        published=False,
        failed=True,
        version=None,
        curated_dir="/data/[red]curated\x1b",
        notices=["no file parsed: the quarantine list of 12 files is published ([b]x.txt)"],
        validation_failures=["reports: source_file [/] not unique"],
        quarantine_examples=[f"{value}: no statistics table found" for value, _ in HOSTILE],
    )
    cli.console.print(cli.summary_table(summary))
    cli.explain(summary)
    shown = _only_styles(out.getvalue())
    assert "\x1b" not in shown and not any(ch in shown for ch in "\x07\x08\x00\x7f\x9b\x85\r\u202e\u2066")
    for _, literal in HOSTILE:
        assert f"  quarantined {literal}: no statistics table found" in shown
    assert "/data/[red]curated\\x1b" in shown and "([b]x.txt)" in shown and "source_file [/] not unique" in shown


def test_an_error_quoting_markup_is_literal(monkeypatch):
    out = _recording(monkeypatch)
    cli.print_error('Binder Error: column "[/]x\x1b[2J" not found\n\nLINE 1: SELECT "[/]x…')
    shown = _only_styles(out.getvalue())
    assert 'column "[/]x\\x1b[2J" not found\n\nLINE 1: SELECT "[/]x…' in shown


def test_history_shows_its_records_literally(monkeypatch, tmp_path):
    """A version record is the dataset's own file; what it holds is shown as text, too."""
    import json

    from typer.testing import CliRunner

    log = tmp_path / "_versions"
    log.mkdir()
    record = {
        "version": 1,
        "created": "2025-01-01T00:00:00+00:00",
        "operation": "run [/]\x1b[2J",
        "tables": {},
        "rows": {"reports": 1},
        "summary": {"files_seen": "[bold]2"},
    }
    (log / "00000000000000000001.json").write_text(json.dumps(record), encoding="utf-8")
    out = _recording(monkeypatch)
    result = CliRunner().invoke(cli.app, ["history", "--curated", str(tmp_path)])
    assert result.exit_code == 0, result.output
    shown = _only_styles(out.getvalue())
    assert "\x1b" not in shown
    assert "run [/]\\x1b[2J" in shown and "[bold]2" in shown


def test_the_run_artifact_shows_file_names_as_literal_markdown_text():
    """The Prefect artifact is markdown: a name must not make a link, break the table or carry
    control characters."""
    from flows.run.pipeline import RunSummary

    name = "a|b [click](http://example.com) \x1b[31m*x*.txt"
    summary = RunSummary(1, 0, 0, 1, 0, 0, False, [], "/data/x|y", quarantine_examples=[f"{name}: no table"])
    markdown = summary.as_markdown()
    assert "](http" not in markdown and "\x1b" not in markdown
    assert r"a\|b \[click\]\(http://example.com\) \\x1b\[31m\*x\*.txt: no table" in markdown
    assert r"| curated dir | /data/x\|y |" in markdown
    assert all(line.count("|") - line.count(r"\|") == 3 for line in markdown.splitlines() if line.startswith("| "))
