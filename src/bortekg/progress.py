"""Progress of long work (reasoning, drawing, uploading, large submissions), for people.

The API takes an optional ``progress`` callback that is told each step as it starts; the
commands pass one that writes ``bortekg: step (elapsed)`` lines to stderr when stderr is a
terminal (or ``BORTEKG_PROGRESS=1``), and nothing otherwise, so that scripts and logs see
only results and messages.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

#: Told the name of each step of long work as it starts.
Progress = Callable[[str], None]


def silent(step: str) -> None:
    """The default: no progress."""


def for_people() -> Progress:
    """Steps on stderr with the time since the first, when a person is watching."""
    wanted = os.environ.get("BORTEKG_PROGRESS")
    if wanted is not None and wanted.strip() not in ("", "0"):
        enabled = True
    elif wanted is not None:
        enabled = False
    else:
        enabled = sys.stderr.isatty()
    if not enabled:
        return silent
    started = time.monotonic()

    def report(step: str) -> None:
        print(f"bortekg: {step} ({time.monotonic() - started:.1f} s)", file=sys.stderr, flush=True)

    return report
