"""The run: plan, ingest, volume gate, schedule, the temporary Prefect API, progress."""
