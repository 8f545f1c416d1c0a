"""Module-level tasks for the worker tests: a new process imports them by name."""

from __future__ import annotations

import threading

#: Held by a thread of the test process while a child runs.
LOCK = threading.Lock()


def lock_is_free() -> bytes:
    """b"free" when this process can take LOCK, b"held" when it stays locked."""
    if LOCK.acquire(timeout=0.5):
        LOCK.release()
        return b"free"
    return b"held"


def echo(text: str) -> bytes:
    return text.encode()


def fail(message: str) -> bytes:
    raise OSError(message)


def syntax(message: str) -> bytes:
    raise SyntaxError(message)


def sleep(seconds: float) -> bytes:
    import time

    time.sleep(seconds)
    return b""


def kill_self(signal_number: int) -> bytes:
    import os

    os.kill(os.getpid(), signal_number)
    return b""
