"""The throwaway Prefect API server of ``xxgk run`` (the happy path runs in tests/end_to_end/test_cli.py)."""

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.run import temporary_api


def test_a_configured_api_url_starts_no_server():
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        assert temporary_api.start_unless_configured() is None


def test_a_server_that_dies_is_reported_with_its_exit_code():
    server = temporary_api.TemporaryApi()
    server.process.kill()
    server.process.wait()
    with pytest.raises(temporary_api.TemporaryApiError, match=r"exited with code -9"):
        server.wait_until_ready(timeout_s=10)
    server.stop()


def test_the_server_is_stopped_even_when_the_run_fails():
    server = temporary_api.TemporaryApi()
    with pytest.raises(RuntimeError, match="boom"), temporary_api.prefect_api(server):
        raise RuntimeError("boom")
    assert server.process.poll() is not None
