"""A hook the CLI sets to draw a progress bar while the flow parses batches (tasks run in-process)."""

from __future__ import annotations

from collections.abc import Callable

_listeners: list[Callable[[str, int], None]] = []


def subscribe(listener: Callable[[str, int], None]) -> Callable[[], None]:
    """Call ``listener(event, count)`` on 'total' and 'advance' events; returns an unsubscribe function."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def emit(event: str, count: int) -> None:
    for listener in list(_listeners):
        listener(event, count)
