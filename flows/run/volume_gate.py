"""Whether a run's result may replace the published dataset, judged by its volume.

Quarantined files count here only when they could not be read: a duplicate of a report is no
sign of a broken crawl.

A run that read nothing, or far less than the dataset it would replace, is more likely a broken
crawl or a wrong folder than a real change: an empty raw folder publishes nothing; a run in which
no file parses never replaces a dataset that has reports (with no dataset yet, it publishes the
quarantine list so the user sees why); and a quarantined share that rises more than a set number
of points above the current version's is held back unless the user accepts it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flows.dataset.store import Store
from transforms.schemas import QUARANTINE, REPORTS


@dataclass(frozen=True)
class DatasetCounts:
    reports: int
    quarantined: int  # files that could not be read (a duplicate of a report is not counted)

    @property
    def files(self) -> int:
        return self.reports + self.quarantined

    @property
    def quarantined_share(self) -> float:
        return self.quarantined / self.files if self.files else 0.0


@dataclass(frozen=True)
class GateDecision:
    publish: bool
    reasons: list[str] = field(default_factory=list)  # why not, or what the user must know
    failed: bool = False  # the run's outcome is a failure (exit 1) even where something is published


def published_counts(store: Store) -> DatasetCounts | None:
    """Reports and quarantined files of the current version, or None before the first."""
    current = store.current()
    if current is None:
        return None
    unread = current.summary.get("files_unread", current.rows.get(QUARANTINE.name, 0))
    return DatasetCounts(current.rows.get(REPORTS.name, 0), unread)


def volume_gate(
    raw_dir: Path,
    files_seen: int,
    run: DatasetCounts,
    current: DatasetCounts | None,
    max_quarantine_rise: float,
    accept_quarantine: bool,
) -> GateDecision:
    if files_seen == 0:
        return GateDecision(False, [f"the raw folder {raw_dir} holds no report files: nothing published"], True)
    if run.reports == 0:
        if current is not None and current.reports > 0:
            return GateDecision(
                False,
                [
                    f"no file parsed ({run.quarantined} quarantined): the published dataset's "
                    f"{current.reports} reports are kept; the reasons are listed below"
                ],
                True,
            )
        if not run.quarantined:  # only pages that are no annual report (or duplicates): nothing failed
            return GateDecision(
                True, ["no disclosure annual report among the files: the list of what they are is published"]
            )
        return GateDecision(
            True, [f"no file parsed: the quarantine list of {run.quarantined} files is published"], True
        )
    if current is not None and current.files and not accept_quarantine:
        rise = 100 * (run.quarantined_share - current.quarantined_share)
        if rise > max_quarantine_rise:
            return GateDecision(
                False,
                [
                    f"the quarantined share rose from {100 * current.quarantined_share:.0f} % to "
                    f"{100 * run.quarantined_share:.0f} % of the files (more than {max_quarantine_rise:g} points): "
                    "nothing published; check the raw folder, or pass --accept-quarantine to publish anyway"
                ],
                True,
            )
    return GateDecision(True)
