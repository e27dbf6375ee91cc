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
def prefect_harness():
    """One temporary Prefect backend for the whole session (≈10 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
