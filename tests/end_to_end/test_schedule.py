"""Scheduled runs: a real ``prefect server`` on loopback, ``xxgk serve --cron``, the API shows the schedule."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from flows.run.schedule import DEPLOYMENT_NAME

BIN = Path(sys.executable).parent
CRON = "17 3 * * *"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except httpx.HTTPError:
            result = None
        if result:
            return result
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path_factory.mktemp("server-home"))}
    env.pop("PREFECT_API_URL", None)
    log = (tmp_path_factory.mktemp("server-log") / "server.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        _wait_for(lambda: httpx.get(f"{api}/health", timeout=5).status_code == 200, 180, "prefect server")
        yield api, env
    finally:
        _stop(server)
        log.close()


@pytest.mark.server
def test_serve_registers_the_deployment_with_its_cron(prefect_server, tmp_path):
    api, env = prefect_server
    served = subprocess.Popen(
        [str(BIN / "xxgk"), "serve", "--cron", CRON, "--raw", str(tmp_path), "--curated", str(tmp_path / "curated")],
        env={**env, "PREFECT_API_URL": api},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"{api}/deployments/name/xxgk-pipeline/{DEPLOYMENT_NAME}"

        def registered():
            response = httpx.get(url, timeout=5)
            return response.json() if response.status_code == 200 else None

        deployment = _wait_for(registered, 120, "the deployment")
        crons = [s["schedule"].get("cron") for s in deployment["schedules"] if s["active"]]
        assert crons == [CRON]
        assert deployment["parameters"] == {"raw_dir": str(tmp_path), "curated_dir": str(tmp_path / "curated")}
    finally:
        _stop(served)


def test_serve_without_a_server_explains_itself(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    result = subprocess.run(
        [str(BIN / "xxgk"), "serve", "--cron", CRON], env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 2
    assert "prefect server start" in result.stderr
