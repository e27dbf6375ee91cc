"""Scheduled runs: register the flow as a cron deployment on a real Prefect server and serve it."""

from __future__ import annotations

from pathlib import Path

DEPLOYMENT_NAME = "xxgk-scheduled"


class ServerRequiredError(RuntimeError):
    """Schedules need a real server; a temporary one silently never runs them."""


def require_server() -> str:
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if not url:
        raise ServerRequiredError(
            "scheduling needs a running Prefect server: start one with `prefect server start` "
            "and set PREFECT_API_URL=http://127.0.0.1:4200/api (a temporary server cannot schedule)"
        )
    return url


def serve_on_schedule(cron: str, raw_dir: Path, curated_dir: Path, name: str = DEPLOYMENT_NAME) -> None:
    """Register the deployment with its cron schedule, then run scheduled flow runs until stopped."""
    from prefect import serve

    from flows.run.pipeline import xxgk_pipeline

    require_server()
    deployment = xxgk_pipeline.to_deployment(
        name=name,
        cron=cron,
        parameters={"raw_dir": str(raw_dir), "curated_dir": str(curated_dir)},
        description="xxgk: parse, validate and publish every report in the raw folder",
    )
    serve(deployment)
