"""The forked worker returns answers, stops at the deadline and survives crashes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bortekg.worker import QueryTimeout, TaskFailed, WorkerCrash, run_forked, run_isolated
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


# ------------------------------------------------------------------ a child started clean


@pytest.fixture
def tasks_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The new process finds the tasks module as this one does: through PYTHONPATH."""
    here = str(Path(__file__).parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [here, os.environ.get("PYTHONPATH")])))


def test_a_clean_child_does_not_inherit_a_lock_another_thread_holds(tasks_importable) -> None:
    import threading

    import worker_tasks

    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with worker_tasks.LOCK:
            taken.set()
            release.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait()
    try:
        # the hazard: a forked child keeps the lock locked, with no thread left to release it
        assert run_forked(worker_tasks.lock_is_free, timeout=10) == b"held"
        assert run_isolated(worker_tasks.lock_is_free, (), timeout=30) == b"free"
    finally:
        release.set()
        holder.join()


def test_a_clean_child_answers_fails_and_stops_like_a_forked_one(tasks_importable) -> None:
    import worker_tasks

    before = children()
    assert run_isolated(worker_tasks.echo, ("answer",), timeout=30) == b"answer"
    with pytest.raises(TaskFailed, match="no such graph"):
        run_isolated(worker_tasks.fail, ("no such graph",), timeout=30)
    with pytest.raises(SyntaxError, match="expected WHERE"):
        run_isolated(worker_tasks.syntax, ("expected WHERE",), timeout=30)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="did not finish within 1 s"):
        run_isolated(worker_tasks.sleep, (60,), timeout=1)
    assert time.monotonic() - started < 10
    with pytest.raises(WorkerCrash, match="exited with status 3"):
        run_isolated(os._exit, (3,), timeout=30)
    with pytest.raises(WorkerCrash, match=r"killed by signal 9 \(SIGKILL\)"):
        run_isolated(worker_tasks.kill_self, (9,), timeout=30)
    assert children() == before


def test_a_clean_child_runs_only_importable_functions() -> None:
    with pytest.raises(ValueError, match="not a module-level function"):
        run_isolated(lambda: b"", (), timeout=5)
