"""Child processes of a run end with it, even when it is killed with ``kill -9``.

The kernel's parent-death signal (Linux ``PR_SET_PDEATHSIG``) is arranged in the child: the
temporary Prefect API server before it starts, each parse worker as it starts. Elsewhere this is
a no-op. The signal follows the thread that started the child: start children from the main thread.
"""

from __future__ import annotations

import os
import signal
import sys


def die_with_parent(parent: int) -> None:
    """Call in a child: SIGTERM it when ``parent`` dies; exit now if ``parent`` is already gone."""
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the signal was arranged
        os._exit(1)
