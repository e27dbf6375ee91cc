"""A run's temporary folders are named by its process; a later run removes those of runs that
were killed (nothing else removes them), and never those of a run that is alive."""

import subprocess
import sys
import tempfile
from pathlib import Path

from flows.parsing.pool import reclaim_temporary_folders, run_temporary_folder


def test_the_folders_of_dead_runs_are_reclaimed_and_live_ones_kept():
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = Path(tempfile.mkdtemp(prefix=f"xxgk-parsing-{int(ended.stdout)}-"))
    (dead / "123").write_text("{}")
    not_ours = Path(tempfile.mkdtemp(prefix="xxgk-notes-"))
    with run_temporary_folder("parsing") as alive:
        removed = reclaim_temporary_folders()
        assert str(dead) in removed and not dead.exists()
        assert Path(alive).is_dir() and not_ours.is_dir()
    not_ours.rmdir()
