"""The ``xxgk`` command: run the pipeline, query the dataset, show its status, serve a schedule."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from flows.present.safe_text import text as _text  # every value from a file is shown literally
from flows.settings import Settings
from transforms.vocabulary import JOINED, LISTED, NOT_A_REPORT, NOT_FAILURES, sql_list

# Offline by design: no telemetry, and Prefect's own chatter only when asked for.
for _name, _value in {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}.items():
    os.environ.setdefault(_name, _value)

app = typer.Typer(
    help="xxgk: government information-disclosure annual reports → validated indicator rows.", no_args_is_help=True
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # messages whole, not wrapped to the terminal

# Text, not Path: a Path would turn s3://bucket/prefix into s3:/bucket/prefix.
RawOption = Annotated[
    str | None, typer.Option("--raw", help="Folder (or s3://bucket/prefix) of report files [default: data/raw]")
]
CuratedOption = Annotated[
    str | None, typer.Option("--curated", help="Dataset folder or s3://bucket/prefix [default: data/curated]")
]


def _settings(raw: str | Path | None = None, curated: str | Path | None = None) -> Settings:
    from flows.dataset.storage import location

    given = {"raw_dir": raw, "curated_dir": curated}
    return Settings(**{k: location(v).resolve() for k, v in given.items() if v is not None})


def print_error(message: object) -> None:
    """An error message on stderr, in red; it may quote SQL, paths or data, so it is shown literally
    (its line breaks kept)."""
    err_console.print(_text(message, style="red", keep="\n"))


def summary_table(summary) -> Table:
    table = Table(title="xxgk run", show_header=False)
    changes = summary.changes
    read = f"{summary.files_read}" + (
        " (all: full run)"
        if changes.get("full")
        else f" ({changes.get('files_added', 0)} new, {changes.get('files_changed', 0)} changed)"
    )
    pages = getattr(summary, "pages_read", 0)
    read += f"; {pages} crawled pages" if pages else ""
    for label, value in [
        ("files seen", summary.files_seen),
        ("files read", read),
        ("files removed", changes.get("files_removed", 0)),
        ("reports published", summary.reports_published),
        ("cells written", summary.cells_written),
        ("files quarantined", summary.files_quarantined),
        ("pages not reports", getattr(summary, "pages_not_reports", 0)),
        ("rules failed", f"{summary.rules_failed} (in {summary.reports_with_failed_rules} reports)"),
        ("published", f"yes: version {summary.version}" if summary.published else Text("no", style="red")),
        ("dataset", summary.curated_dir),
    ]:
        table.add_row(label, value if isinstance(value, Text) else _text(value))
    return table


@app.command()
def run(
    raw: RawOption = None,
    curated: CuratedOption = None,
    batch_size: Annotated[int | None, typer.Option(help="Reports per parse batch")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar")] = False,
    accept_quarantine: Annotated[
        bool,
        typer.Option(
            "--accept-quarantine",
            help="Publish even if the quarantined share of files rose more than XXGK_MAX_QUARANTINE_RISE points",
        ),
    ] = False,
    wait: Annotated[bool, typer.Option("--wait", help="If another run is writing the dataset, wait for it")] = False,
    full: Annotated[bool, typer.Option("--full", help="Read every file again, not only new and changed ones")] = False,
    dask: Annotated[
        str | None,
        typer.Option("--dask", metavar="ADDRESS", help="Parse on the Dask cluster at ADDRESS [env: XXGK_DASK_ADDRESS]"),
    ] = None,
    timings: Annotated[
        bool, typer.Option("--timings", help="At the end, print the seconds each stage took (a line of JSON on stderr)")
    ] = False,
    follow_links: Annotated[
        bool,
        typer.Option(
            "--follow-links",
            help="Read what links in the raw folder point to outside it [env: XXGK_FOLLOW_LINKS]; else they are "
            "quarantined (not_a_file)",
        ),
    ] = False,
) -> None:
    """Parse every report in the raw folder, validate, and publish Parquet + DuckDB.

    Exit codes: 0 published; 1 nothing published (validation failed, no report files, no file
    parsed, too many quarantined) or only the quarantine list published; 2 the run could not run;
    3 another run is writing the dataset (see --wait).
    """
    # The summary and the messages below say what happened; Prefect's own log lines (a failed
    # task's traceback) only with PREFECT_LOGGING_LEVEL=ERROR, WARNING or INFO.
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")
    settings = _settings(raw, curated)
    if dask is not None:
        settings = settings.model_copy(update={"dask_address": dask})
    if follow_links:
        settings = settings.model_copy(update={"follow_links": True})
    if not settings.raw_dir.is_dir():
        print_error(f"raw folder not found: {settings.raw_dir}")
        raise typer.Exit(2)
    if _within(settings.raw_dir, settings.curated_dir):
        print_error(
            f"the raw folder {settings.raw_dir} is inside the dataset {settings.curated_dir}: "
            "keep the reports and the dataset apart"
        )
        raise typer.Exit(2)
    from flows.dataset.lock import DatasetLockedError, dataset_lock

    def on_wait(holder) -> None:
        err_console.print(_text(f"waiting: {settings.curated_dir} is being written by {holder or 'another run'}"))

    try:
        with contextlib.ExitStack() as held:
            try:
                left_behind = held.enter_context(dataset_lock(settings.curated_dir, wait=wait, on_wait=on_wait))
            except DatasetLockedError as exc:
                print_error(exc)
                raise typer.Exit(3) from exc
            except OSError as exc:  # a read-only folder or mount, no permission
                print_error(
                    f"cannot write the dataset {settings.curated_dir}: {exc.strerror or exc} "
                    "(a read-only folder or mount? `xxgk status` and `xxgk query` read it as it is)"
                )
                raise typer.Exit(2) from exc
            if left_behind is not None:
                err_console.print(
                    _text(f"taking over the lock left by a run that ended without releasing it ({left_behind})")
                )
            _run_locked(settings, batch_size, quiet, accept_quarantine, full)
    finally:
        if timings:
            from flows.run import stage_clock

            print(f"timings: {json.dumps(stage_clock.seconds())}", file=sys.stderr)


def _run_locked(settings: Settings, batch_size: int | None, quiet: bool, accept_quarantine: bool, full: bool) -> None:
    from flows.run import temporary_api
    from flows.run.stage_clock import stage

    with stage("api server launch"):
        api_server = temporary_api.start_unless_configured()  # boots while the imports below run
    with stage("imports"):
        from flows.parsing import pool

        if settings.dask_address is None:  # a worker imports the parser while the server boots
            pool.start_early(settings.parse_workers, settings.read_limits)
        # GX and the parts of Prefect a flow run loads on first use: they load while the server boots
        import prefect.client.orchestration
        import prefect.flow_engine  # noqa: F401
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        import expectations.gx_validation  # noqa: F401
        from flows.run import progress
        from flows.run.pipeline import PublishBlockedError, xxgk_pipeline

    bar = Progress(
        TextColumn("parsing reports"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=quiet,
    )
    task_id = bar.add_task("parse", total=None)

    def on_progress(event: str, count: int) -> None:
        if event == "total":
            bar.update(task_id, total=count)
        else:
            bar.advance(task_id, count)

    unsubscribe = progress.subscribe(on_progress)
    try:
        with temporary_api.prefect_api(api_server), bar, stage("prefect flow"):
            state = xxgk_pipeline(
                raw_dir=str(settings.raw_dir),  # text: a flow parameter is a Path or an s3:// string
                curated_dir=str(settings.curated_dir),
                batch_size=batch_size,
                accept_quarantine=accept_quarantine,
                full=full,
                dask_address=settings.dask_address,
                follow_links=settings.follow_links,
                return_state=True,
            )
    except temporary_api.TemporaryApiError as exc:
        print_error(exc)
        raise typer.Exit(2) from exc
    finally:
        unsubscribe()
        pool.shut_down_early()
    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, PublishBlockedError):
        console.print(summary_table(outcome.summary))
        explain(outcome.summary)
        err_console.print("[red]Nothing was published; the previous dataset is unchanged.[/red]")
        raise typer.Exit(1)
    if isinstance(outcome, BaseException):
        if _disk_full(outcome):
            print_error(
                f"no space left on device writing the dataset {settings.curated_dir}: free some space and run "
                "again (nothing was published; the current version stays)"
            )
        else:
            print_error(f"run failed: {outcome}")
        raise typer.Exit(2)
    console.print(summary_table(outcome))
    site = settings.audit_dir / "index.html"
    if outcome.published and site.is_file():  # where to look at what failed, without SQL
        console.print(Text.assemble("audit site: ", _text(site)))
    explain(outcome)
    if not outcome.published:
        err_console.print("[red]Nothing was published; the previous dataset is unchanged.[/red]")
    if outcome.failed:
        raise typer.Exit(1)


def _disk_full(error: BaseException | None) -> bool:
    """Whether a failure, or one it came from, is a full disk (libraries word it their own way)."""
    while error is not None:
        if getattr(error, "errno", None) == errno.ENOSPC or "no space left on device" in str(error).lower():
            return True
        error = error.__cause__ or error.__context__
    return False


def explain(summary) -> None:
    """Why a run was held back or failed, with the first quarantined files and their reasons."""
    for failure in summary.validation_failures:
        err_console.print(Text.assemble(("validation failure:", "red"), " ", _text(failure)))
    style = "red" if summary.failed or not summary.published else "green"
    for notice in summary.notices:
        err_console.print(_text(notice, style=style))
    for example in summary.quarantine_examples:
        err_console.print(Text.assemble("  quarantined ", _text(example)))


# ---- reading the dataset ------------------------------------------------------------------------
# The SQL of `xxgk query` is untrusted too. The connection is sandboxed in DuckDB (after its views are
# set up, then locked) and only single read statements run on it.


def _within(inner, outer) -> bool:
    """Whether location ``inner`` is ``outer`` or inside it (folders resolved; keys by prefix)."""
    inner_text, outer_text = str(inner.resolve()).rstrip("/"), str(outer.resolve()).rstrip("/")
    return inner_text == outer_text or inner_text.startswith(outer_text + "/")


def query_limits(settings: Settings):
    """The XXGK_QUERY_* settings as the sandbox takes them."""
    from flows.dataset.query import QueryLimits

    return QueryLimits(
        settings.query_memory_limit,
        settings.query_threads,
        settings.query_max_temp_size,
        settings.query_timeout_seconds,
    )


@contextmanager
def dataset_connection(curated: Path | None, as_of: int | None = None) -> Iterator:
    """The one way the CLI reads a dataset: its DuckDB file read-only (or, ``as_of``, the views of an
    earlier version in memory), sandboxed (:mod:`flows.dataset.query`). Damage it meets ends the
    command with one message (:func:`told_damage`)."""
    from flows.dataset.query import sandboxed

    with told_damage(curated):
        connection = _connect(curated) if as_of is None else _connect_as_of(curated, as_of)
        settings = _settings(curated=curated)
        with sandboxed(connection, settings.curated_dir, query_limits(settings)) as sandboxed_connection:
            yield sandboxed_connection


@contextmanager
def told_damage(curated) -> Iterator[None]:
    """A damaged dataset (an unreadable record or Delta log, a missing Parquet file) ends the
    command with exit 2 and one message naming what and where, pointing at ``xxgk doctor``."""
    import duckdb

    from flows.dataset.damage import DatasetDamagedError

    try:
        yield
    except DatasetDamagedError as exc:
        print_error(exc)
        raise typer.Exit(2) from exc
    except duckdb.IOException as exc:  # a file a view reads is gone
        where = _settings(curated=curated).curated_dir
        first = str(exc).strip().splitlines()[0][:500]
        print_error(f"the dataset {where} is damaged: {first}; `xxgk doctor` checks it and says how to repair it")
        raise typer.Exit(2) from exc


def _connect(curated: Path | None):
    """The dataset's DuckDB file, read-only; or, when its views read another folder's files (the
    dataset was copied, moved or mounted elsewhere) or it cannot be opened, the current version's
    views in memory, over the files where they are now. Nothing is written either way. Use
    ``dataset_connection``: it sandboxes the connection."""
    import duckdb

    settings = _settings(curated=curated)
    if settings.curated_dir.is_remote:  # object storage: no DuckDB file (see build_duckdb)
        return _connect_as_of(curated, None)
    database = settings.duckdb_path
    if not database.exists():
        print_error(f"no dataset at {database}: run `xxgk run` first")
        raise typer.Exit(2)
    try:
        connection = duckdb.connect(str(database), read_only=True)
    except duckdb.Error:
        return _connect_as_of(curated, None)
    from flows.dataset.query import views_read_here

    if views_read_here(connection, settings.curated_dir):
        return connection
    connection.close()
    return _connect_as_of(curated, None)


def _connect_as_of(curated: str | None, version: int | None):
    """Views over a version (None: the current one), in memory: the dataset folder is not
    written. Use ``_dataset``: it sandboxes the connection."""
    from flows.dataset.views import open_version

    return open_version(*_store_version(curated, version))


def _store_version(curated: str | None, version: int | None):
    """The dataset's store and one of its versions (None: the current one); exit 2 if none."""
    from flows.dataset.store import Store, VersionNotFoundError

    settings = _settings(curated=curated)
    store = Store(settings.curated_dir)
    try:
        with told_damage(curated):
            found = store.get(version) if version is not None else store.current()
    except VersionNotFoundError as exc:
        print_error(exc)
        raise typer.Exit(2) from exc
    if found is None:
        print_error(f"no dataset at {settings.curated_dir}: run `xxgk run` first")
        raise typer.Exit(2)
    return store, found


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL over the views: indicators, reports, rule_results, …")],
    curated: CuratedOption = None,
    output: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    as_of: Annotated[int | None, typer.Option("--as-of", help="Read this earlier version (see xxgk history)")] = None,
) -> None:
    """Run one read-only SQL statement (SELECT …) against the dataset's DuckDB views.

    Views: indicators (every cell), reports, rule_results, failed_rules (a report's own rules and
    the cross-year rules X1–X4), report_summary, report_wide, agencies, quarantine, and for
    analysis: report_indicators (the standard indicators per report: value, numerator,
    denominator, source cells, or the reason there is none), agency_indicators (per agency and
    year), peer_ranks (rank and percentile among agencies of the same level in the same city and
    province), cross_year_results (every cross-year check, passed or not), agency_year_over_year,
    carry_over_chain, t3_grid, indicators_2014, indicators_en, unplaced_agencies.

    It reads the dataset's tables and nothing else: no other file, no writing (COPY, EXPORT,
    ATTACH …), no extensions, no settings. Exit codes: 0 done; 1 the SQL failed or was refused;
    2 no dataset (or no such version).
    """
    import duckdb

    from flows.dataset.query import QueryRefused, read_statement, time_limit, timed_out_message

    limits = query_limits(_settings(curated=curated))
    with dataset_connection(curated, as_of) as connection:
        try:
            with time_limit(connection, limits) as timed_out:
                cursor = connection.execute(read_statement(connection, sql))
                columns, rows = [d[0] for d in cursor.description or []], cursor.fetchall()
        except QueryRefused as exc:
            print_error(f"refused: {exc}")
            raise typer.Exit(1) from exc
        except duckdb.IOException:  # a file of the dataset is gone: damage, not the SQL (told_damage)
            raise
        except duckdb.Error as exc:
            if timed_out.is_set():
                print_error(timed_out_message(limits))
            else:
                print_error(limits.over_limit(exc) or exc)
            raise typer.Exit(1) from exc
    # Rows as Python values, not a DataFrame: importing pandas would double the time to output.
    if output == "csv":  # exact data, for machines
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if v is None else _plain(v) for v in row] for row in rows)
    elif output == "json":
        records = [dict(zip(columns, (_plain(v) for v in row), strict=True)) for row in rows]
        sys.stdout.write(json.dumps(records, ensure_ascii=False, default=str) + "\n")
    else:
        table = Table()
        for column in columns:
            table.add_column(_text(column))
        for row in rows:
            table.add_row(*[_text(v) for v in row])
        console.print(table)


def _plain(value):
    """A DuckDB value as JSON/CSV write it: dates and times in ISO form, decimals as numbers."""
    import datetime as dt
    import decimal

    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


STATUS_SQL = f"""
SELECT
  (SELECT version FROM dataset_version) AS version,
  (SELECT created FROM dataset_version)::VARCHAR AS committed,
  (SELECT count(*) FROM reports) AS reports,
  (SELECT count(*) FROM indicators) AS cells,
  (SELECT count(*) FROM indicators WHERE value IS NOT NULL) AS cells_with_value,
  (SELECT string_agg(DISTINCT report_year::VARCHAR, ', ' ORDER BY report_year::VARCHAR) FROM reports) AS years,
  (SELECT string_agg(DISTINCT template, ', ' ORDER BY template) FROM reports) AS templates,
  (SELECT count(*) FROM quarantine WHERE stage NOT IN ({sql_list(LISTED)})) AS files_quarantined,
  (SELECT count(*) FROM quarantine WHERE stage = '{NOT_A_REPORT}') AS pages_not_reports,
  (SELECT count(*) FROM quarantine WHERE stage = '{JOINED}') AS pages_joined,
  (SELECT count(*) FROM failed_rules) AS rules_failed,
  (SELECT count(DISTINCT report_id) FROM failed_rules) AS reports_with_failed_rules
"""


@app.command()
def status(curated: CuratedOption = None) -> None:
    """What the dataset holds."""
    with dataset_connection(curated) as connection:
        cursor = connection.execute(STATUS_SQL)
        row = dict(zip((d[0] for d in cursor.description), cursor.fetchall()[0], strict=True))
        quarantined = connection.sql(
            f"SELECT source_file, reason, stage IN ({sql_list(LISTED)}) FROM quarantine "
            f"ORDER BY stage IN ({sql_list(NOT_FAILURES)}), source_file LIMIT 20"
        ).fetchall()
    table = Table(title=_text(f"xxgk dataset: {_settings(curated=curated).curated_dir}"), show_header=False)
    for name, value in row.items():
        table.add_row(name.replace("_", " "), _text(value))
    console.print(table)
    for source_file, reason, listed in quarantined:  # what failed first; pages that are no report are listed
        console.print(
            Text.assemble("  listed " if listed else "  quarantined ", _text(source_file), ": ", _text(reason))
        )


@app.command()
def history(curated: CuratedOption = None) -> None:
    """The dataset's versions on record: when, what, and what each run found."""
    from flows.dataset.store import Store

    settings = _settings(curated=curated)
    with told_damage(curated):
        versions = Store(settings.curated_dir).history()
    if not versions:
        print_error(f"no dataset at {settings.curated_dir}: run `xxgk run` first")
        raise typer.Exit(2)
    table = Table(
        "version", "committed (UTC)", "operation", "files seen", "reports", "cells", "quarantined", "rules failed"
    )
    for v in versions:
        operation = v.operation + (f" to {v.summary['rolled_back_to']}" if "rolled_back_to" in v.summary else "")
        table.add_row(
            *map(
                _text,
                (
                    v.version,
                    v.created,
                    operation,
                    v.summary.get("files_seen", ""),
                    v.rows.get("reports", ""),
                    v.rows.get("indicators", ""),
                    v.rows.get("quarantine", ""),
                    v.summary.get("rules_failed", ""),
                ),
            )
        )
    console.print(table)


@app.command()
def views(
    curated: CuratedOption = None,
    as_of: Annotated[int | None, typer.Option("--as-of", help="That version's views (see xxgk history)")] = None,
) -> None:
    """Print the dataset's views as a SQL script that reads the Parquet files by URL or path.

    For an s3:// dataset it starts by loading httpfs and making an S3 secret from the AWS
    variables, so a DuckDB that has the httpfs extension reads the bucket itself:
    `xxgk views --curated s3://bucket/prefix > views.sql`, then `.read views.sql` in duckdb.
    """
    from flows.dataset.views import httpfs_script

    sys.stdout.write(httpfs_script(*_store_version(curated, as_of)))


@app.command()
def rollback(
    version: Annotated[int, typer.Argument(help="The version to make current again (see xxgk history)")],
    curated: CuratedOption = None,
) -> None:
    """Make an earlier version current again, as a new version (nothing is rewritten or lost)."""
    from flows.dataset.lock import DatasetLockedError, dataset_lock
    from flows.dataset.publish import publish
    from flows.dataset.store import Store, VersionNotFoundError

    settings = _settings(curated=curated)
    store = Store(settings.curated_dir)
    try:
        with dataset_lock(settings.curated_dir), told_damage(curated):
            store.prepare()
            restored = publish(store, store.rollback(version), settings.duckdb_path)
    except VersionNotFoundError as exc:
        print_error(exc)
        raise typer.Exit(2) from exc
    except DatasetLockedError as exc:
        print_error(exc)
        raise typer.Exit(3) from exc
    console.print(f"version {restored.version} is version {version} again ({restored.rows.get('reports', 0)} reports)")


@app.command()
def export(
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write one Excel workbook to this file")] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write the main views as CSV (UTF-8, BOM) here")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="Only this agency (exact name)")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Only this report year")] = None,
    report_id: Annotated[str | None, typer.Option("--report-id", help="Only this report")] = None,
    curated: CuratedOption = None,
) -> None:
    """Export the dataset, or the reports the filters select, for spreadsheet users.

    --xlsx: a summary sheet, one sheet per report laid out as printed (flagged cells coloured,
    cells of failed rules marked, comments say why), the standard indicators, the ranks among
    peers (when --agency selects one agency), the failed rules and the quarantine list.
    --csv: reports, report_summary, report_wide, indicators, rule_results, failed_rules and
    quarantine as CSV files. The dataset is only read. Exit codes: 0 written; 2 nothing to write
    (no --xlsx or --csv), no dataset, or the file could not be written.
    """
    if xlsx is None and csv is None:
        print_error("nothing to export: give --xlsx FILE and/or --csv DIR")
        raise typer.Exit(2)
    from flows.present.export import Filters, write_csv, write_xlsx

    filters = Filters(agency=agency, year=year, report_id=report_id)
    with dataset_connection(curated) as connection:
        try:
            if xlsx is not None:
                counts = write_xlsx(connection, xlsx, filters)
                console.print(
                    _text(
                        f"{xlsx}: {counts['reports']} reports, {counts['rules_failed']} failed rules, "
                        f"{counts['quarantined']} quarantined files"
                    )
                )
            if csv is not None:
                written = write_csv(connection, csv, filters)
                console.print(_text(f"{csv}: {len(written)} CSV files"))
        except OSError as exc:
            print_error(f"could not write the export: {exc}")
            raise typer.Exit(2) from exc


@app.command()
def serve(
    cron: Annotated[str, typer.Option(help='Cron schedule, e.g. "0 2 * * *"')],
    raw: RawOption = None,
    curated: CuratedOption = None,
) -> None:
    """Register a cron deployment on the Prefect server at PREFECT_API_URL and serve it."""
    from flows.run.schedule import ServerRequiredError, serve_on_schedule

    settings = _settings(raw, curated)
    try:
        serve_on_schedule(cron, settings.raw_dir, settings.curated_dir)
    except ServerRequiredError as exc:
        print_error(exc)
        raise typer.Exit(2) from exc


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Report files to read")],
    output_format: Annotated[str, typer.Option("--format", help="text (terminal) or json")] = "text",
    curated: CuratedOption = None,
) -> None:
    """Read report files as a run would and show their tables, failed rules and disagreements.

    No Prefect: the pipeline's parser, limits (XXGK_* settings) and rules. When the dataset
    (--curated) exists, each report is also checked against the same agency's report of the year
    before in it (the cross-year rules X1–X4, warnings).
    Exit codes: 0 every rule of severity error passes (failed warnings and text ↔ table
    disagreements are shown but do not count); 1 a rule of severity error failed; 2 a file
    cannot be read (its quarantine reason is shown; 2 wins over 1).
    """
    if output_format not in ("text", "json"):
        print_error(f"--format must be text or json, not {output_format!r}")
        raise typer.Exit(2)
    from flows.present.check import check_files, exit_code, render

    settings = _settings(curated=curated)
    with _dataset_if_any(settings) as dataset:
        checked = check_files(files, settings.read_limits, dataset)
    if output_format == "json":
        import json

        sys.stdout.write(json.dumps({"files": checked, "exit_code": exit_code(checked)}, ensure_ascii=False) + "\n")
    else:
        render(checked, console, _text)
    raise typer.Exit(exit_code(checked))


@contextmanager
def _dataset_if_any(settings: Settings) -> Iterator:
    """The dataset's DuckDB file read-only when there is a readable one, else None: a check never
    fails for want of a dataset."""
    import duckdb

    from flows.dataset.query import views_read_here

    connection = None
    if not settings.curated_dir.is_remote and settings.duckdb_path.is_file():
        try:
            connection = duckdb.connect(str(settings.duckdb_path), read_only=True)
            if not views_read_here(connection, settings.curated_dir):  # copied or moved: not this folder's
                connection.close()
                connection = None
        except duckdb.Error:
            connection = None
    try:
        yield connection
    finally:
        if connection is not None:
            connection.close()


@app.command()
def doctor(
    curated: CuratedOption = None,
    repair: Annotated[
        bool, typer.Option("--repair", help="Fix what the dataset alone can fix, each as a new version")
    ] = False,
) -> None:
    """Check a dataset: its version records, Delta logs, Parquet files and DuckDB file; say what is
    wrong and how to fix it.

    Exit codes: 0 nothing wrong (or all of it repaired); 1 something is wrong; 2 no dataset; 3
    another run is writing it (with --repair).
    """
    from flows.dataset.doctor import examine
    from flows.dataset.lock import DatasetLockedError, dataset_lock
    from flows.dataset.store import Store

    settings = _settings(curated=curated)
    store = Store(settings.curated_dir)
    if not store.record_paths():
        print_error(f"no dataset at {settings.curated_dir}: run `xxgk run` first")
        raise typer.Exit(2)
    try:
        with dataset_lock(settings.curated_dir) if repair else contextlib.nullcontext():
            found = examine(store, settings.duckdb_path, repair=repair)
    except DatasetLockedError as exc:
        print_error(exc)
        raise typer.Exit(3) from exc
    for line in found.checked:
        console.print(Text.assemble(("ok ", "green"), _text(line)), soft_wrap=True)
    for finding in found.findings:
        console.print(Text.assemble(("problem ", "red"), _text(finding.problem)), soft_wrap=True)
        if finding.repaired:
            console.print(Text.assemble("  repaired: ", _text(finding.repaired)), soft_wrap=True)
        elif finding.fix:
            how = " (xxgk doctor --repair)" * finding.repairable
            console.print(Text.assemble("  fix: ", _text(finding.fix), how), soft_wrap=True)
    if not found.healthy:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
