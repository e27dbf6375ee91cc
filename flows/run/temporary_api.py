"""A throwaway Prefect API server for one ``xxgk run``, started before the slow imports.

With no API URL configured, Prefect starts such a server itself when the flow begins, but only
after ``prefect.server.api.server`` is imported in this process (≈5 s, only to build a command
line) and it then waits another ≈6 s for the server to boot. Started here, the server boots in
its own process while this one imports GX and Prefect. The command is the one Prefect's
``SubprocessASGIServer`` runs (prefect 3.9, ``prefect/server/api/server.py``), so the server is
the same: API only, no UI, no background services.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from flows.parsing.process_guard import die_with_parent
from flows.run.stage_clock import stage


class TemporaryApiError(RuntimeError):
    """The temporary Prefect API server did not come up."""


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TemporaryApi:
    """The server process; ``api_url`` is valid once :meth:`wait_until_ready` has returned."""

    def __init__(self) -> None:
        # A file, not a pipe: an unread pipe could block the server; closed by stop().
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self._launch()
        atexit.register(self.stop)  # also when the CLI fails before the run begins (an import error)

    def _launch(self) -> None:
        self.port = _free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        prefect_dir = Path(importlib.util.find_spec("prefect").origin).parent
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(prefect_dir.parent),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            # The server reads Prefect's settings (environment, profile) as this process does: it
            # is launched before this process has loaded them (0.7 s), which is the point.
            env={
                **os.environ,
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
            },
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            preexec_fn=functools.partial(die_with_parent, os.getpid()),  # a killed run leaves no server
        )

    def wait_until_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() == 3:  # uvicorn: port taken since we picked it
                self._launch()
            elif self.process.returncode is not None:
                self._stderr.seek(0)
                stderr = self._stderr.read().decode(errors="replace")[-2000:]
                raise TemporaryApiError(
                    f"temporary Prefect API server exited with code {self.process.returncode}: {stderr}"
                )
            with (
                contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
                urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response,
            ):
                if response.status == 200:
                    return
            time.sleep(0.1)
        self.stop()
        raise TemporaryApiError(f"temporary Prefect API server on port {self.port} not ready after {timeout_s:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._stderr.close()


def start_unless_configured() -> TemporaryApi | None:
    """Start a server, unless Prefect's settings (environment or profile) name an API URL. The
    server is launched first and stopped if a URL is configured: loading the settings to know
    takes 0.7 s, which would delay the boot every run waits for."""
    server = TemporaryApi()
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        server.stop()
        return None
    return server


@contextlib.contextmanager
def prefect_api(server: TemporaryApi | None) -> Iterator[None]:
    """Point Prefect at ``server`` (when one was started) and stop it afterwards."""
    if server is None:
        yield
        return
    from prefect.settings import PREFECT_API_URL, PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    try:
        with stage("api server start"):
            server.wait_until_ready()
        # No heartbeats: they tell a lasting server that a run crashed, and this server ends with
        # the run; their thread also held each run's end for up to a second.
        updates = {PREFECT_API_URL: server.api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
        with temporary_settings(updates=updates):
            try:
                yield
            finally:
                with stage("api server stop"):
                    _drain_prefect_workers()
    finally:
        with stage("api server stop"):
            server.stop()


def _drain_prefect_workers(timeout_s: float = 10.0) -> None:
    """Send the logs and events Prefect still holds while the server is up, as
    ``prefect_test_harness`` does; otherwise they retry against a stopped server at exit."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=timeout_s)
    EventsWorker.drain_all(timeout=timeout_s)
