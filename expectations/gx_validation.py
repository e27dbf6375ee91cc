"""Run GX suites over DataFrames and write Data Docs; one helper for every table."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig

from expectations.suites import Expectation

SITE_NAME = "xxgk"


def to_gx(expectation: Expectation) -> gxe.Expectation:
    """The GX Core expectation a suite entry describes."""
    kwargs: dict = {}
    if expectation.column is not None:
        kwargs["column"] = expectation.column
    if expectation.columns:
        kwargs["column_list"] = list(expectation.columns)
    if expectation.value_set:
        kwargs["value_set"] = list(expectation.value_set)
    if expectation.min_value is not None:
        kwargs["min_value"] = expectation.min_value
    if expectation.regex is not None:
        kwargs["regex"] = expectation.regex
    if expectation.only_where is not None:
        column, values = expectation.only_where
        kwargs["row_condition"] = " or ".join(f'{column}=="{value}"' for value in values)
        kwargs["condition_parser"] = "pandas"
    return getattr(gxe, expectation.kind)(**kwargs)


@dataclass(frozen=True)
class SuiteOutcome:
    table: str
    success: bool
    evaluated: int
    failures: list[str]


def _describe_failure(result) -> str:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k not in ("batch_id", "value_set", "condition_parser")}
    if isinstance(kwargs.get("row_condition"), dict):  # GX 1.x serialises a pandas condition as a dict
        kwargs["row_condition"] = kwargs["row_condition"].get("pass_through_filter", kwargs["row_condition"])
    observed = result.result or {}
    partial = observed.get("partial_unexpected_list")
    count = observed.get("unexpected_count")
    detail = f"; {count} unexpected, e.g. {partial[:5]}" if partial else ""
    if not partial and "observed_value" in observed:
        detail = f"; observed {str(observed['observed_value'])[:200]}"
    described = f" [{config.description}]" if config.description else ""
    return f"{config.type}({kwargs}){detail}{described}"


# A pass/fail check first (GX skips listing the unexpected rows: a third of its time); a failing
# batch is checked again to describe what failed; Data Docs from a described check. A checkpoint
# is made when first used (a run uses only the one with Data Docs): (name suffix, result format).
_CHECKPOINT_KINDS = {
    "quick": ("", "BOOLEAN_ONLY"),
    "described": ("_described", "SUMMARY"),
    "docs": ("_docs", "SUMMARY"),
}


class Validator:
    """GX suites bound once to an ephemeral context, then run on as many batches as come: the
    context and suites cost more to build than a batch costs to validate."""

    def __init__(self, suites: dict[str, list[Expectation]], docs_dir: Path | None) -> None:
        # GX pins some module loggers at INFO; its chatter is not our run's news.
        for name in ("great_expectations", "great_expectations.data_context.types.base"):
            logging.getLogger(name).setLevel(logging.WARNING)
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        actions = []
        if docs_dir is not None:
            context.add_data_docs_site(
                site_name=SITE_NAME,
                site_config={
                    "class_name": "SiteBuilder",
                    "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                },
            )
            actions.append(gx.checkpoint.UpdateDataDocsAction(name="update_docs", site_names=[SITE_NAME]))
        source = context.data_sources.add_pandas("xxgk")
        self._context, self._source, self._actions = context, source, actions
        self.tables = list(suites)
        self._definitions = {}
        for name, expectations in suites.items():
            batch_definition = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
            suite = context.suites.add_or_update(
                gx.ExpectationSuite(name=name, expectations=[to_gx(e) for e in expectations])
            )
            self._definitions[name] = context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
            )
        self._checkpoints: dict[tuple[str, str], gx.Checkpoint] = {}

    def _checkpoint(self, name: str, kind: str) -> gx.Checkpoint:
        if (name, kind) not in self._checkpoints:
            suffix, result_format = _CHECKPOINT_KINDS[kind]
            self._checkpoints[(name, kind)] = self._context.checkpoints.add_or_update(
                gx.Checkpoint(
                    name=f"check_{name}{suffix}",
                    validation_definitions=[self._definitions[name]],
                    actions=self._actions if kind == "docs" else [],
                    result_format=result_format,
                )
            )
        return self._checkpoints[(name, kind)]

    def validate(self, tables: dict[str, pd.DataFrame], docs: bool = False) -> list[SuiteOutcome]:
        """Validate each table's DataFrame; write Data Docs for this batch when ``docs``."""
        outcomes = []
        for name, frame in tables.items():
            run = self._checkpoint(name, "docs" if docs else "quick").run(batch_parameters={"dataframe": frame})
            if not docs and not run.success:
                run = self._checkpoint(name, "described").run(batch_parameters={"dataframe": frame})
            for result in run.run_results.values():
                failures = [_describe_failure(r) for r in result.results if not r.success]
                outcomes.append(SuiteOutcome(name, result.success, len(result.results), failures))
        # GX keeps every batch it loaded (the DataFrame included) in its engine's cache.
        self._source.get_execution_engine().batch_manager.reset_batch_cache()
        return outcomes


def validate_tables(tables: dict[str, tuple[pd.DataFrame, list]], docs_dir: Path | None) -> list[SuiteOutcome]:
    """Validate each DataFrame against its suite once; write Data Docs into ``docs_dir`` when given."""
    validator = Validator({name: expectations for name, (_, expectations) in tables.items()}, docs_dir)
    return validator.validate({name: frame for name, (frame, _) in tables.items()}, docs=docs_dir is not None)
