"""The error a damaged dataset raises: light, so that the CLI's reading commands can catch it
without importing the store (pandas, pyarrow)."""

from __future__ import annotations


class DatasetDamagedError(RuntimeError):
    """Part of the dataset cannot be read; the message names the table or record and the file."""

    def __init__(self, root: object, what: str) -> None:
        super().__init__(f"the dataset {root} is damaged: {what}; `xxgk doctor` checks it and says how to repair it")
