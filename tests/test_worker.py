"""The forked worker returns answers, stops at the deadline and survives crashes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bortekg.worker import QueryTimeout, TaskFailed, WorkerCrash, run_forked
from conftest import without_crash_dump


def test_returns_the_child_bytes() -> None:
    assert run_forked(lambda: b"answer", timeout=10) == b"answer"


def test_large_answers_pass_through_the_pipe() -> None:
    big = os.urandom(5_000_000)
    assert run_forked(lambda: big, timeout=30) == big


def test_stops_a_task_at_the_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="did not finish within 0.3 s"):
        run_forked(lambda: time.sleep(60) or b"", timeout=0.3)
    assert time.monotonic() - started < 5


def test_errors_come_back_with_their_message() -> None:
    def syntax() -> bytes:
        raise SyntaxError("error at 1:2: expected WHERE")

    def failing() -> bytes:
        raise OSError("no such graph")

    with pytest.raises(SyntaxError, match="expected WHERE"):
        run_forked(syntax, timeout=10)
    with pytest.raises(TaskFailed, match="no such graph"):
        run_forked(failing, timeout=10)


def test_a_crash_becomes_an_error() -> None:
    with pytest.raises(WorkerCrash, match="killed by signal 6"):
        run_forked(without_crash_dump(os.abort), timeout=10)
    with pytest.raises(WorkerCrash, match="exited with status 3"):
        run_forked(lambda: os._exit(3), timeout=10)


def children() -> set[int]:
    """The process ids whose parent is this process (zombies included), read from /proc."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[1]) == os.getpid():
            found.add(int(stat.parent.name))
    return found


def test_no_child_is_left_behind() -> None:
    before = children()
    with pytest.raises(QueryTimeout):
        run_forked(lambda: time.sleep(60) or b"", timeout=0.2)
    run_forked(lambda: b"done", timeout=10)
    with pytest.raises(WorkerCrash):
        run_forked(without_crash_dump(os.abort), timeout=10)
    assert children() == before
