"""Run a query in a forked child process that can be stopped at a deadline.

pyoxigraph evaluates a query in native code that Python cannot interrupt, and a malformed
query can overflow the engine's stack and kill its process. So every query runs in a child
forked from the process that already holds the loaded store: the fork costs about a
millisecond (the child shares the parent's memory copy-on-write, nothing is reloaded), the
child sends its serialised answer through a pipe, and the parent kills it when the deadline
passes. A crash in the child becomes a clear error in the parent instead of a dead process.
"""

from __future__ import annotations

import os
import select
import signal
import struct
import time
import warnings
from collections.abc import Callable

_LENGTH = struct.Struct(">Q")
_OK, _SYNTAX, _FAILED = b"R", b"S", b"E"


class QueryTimeout(RuntimeError):
    """The query ran past its time limit and was stopped."""

    def __init__(self, timeout: float) -> None:
        super().__init__(
            f"the query did not finish within {timeout:g} s and was stopped; "
            "narrow the query or give a longer --timeout"
        )


class WorkerCrash(RuntimeError):
    """The child process died without an answer (the engine crashed)."""


class TaskFailed(RuntimeError):
    """The task raised an error in the child; the message is the child's."""


def run_forked(task: Callable[[], bytes], timeout: float) -> bytes:
    """Run ``task`` in a forked child and return its bytes, or raise within ``timeout`` seconds.

    A SyntaxError raised by the task is raised again here as SyntaxError; any other error
    as TaskFailed with the same message.
    """
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python warns about forking a process with threads (a persistent store has some);
        # the child only reads and leaves with os._exit, never touching locks they hold.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        _child(task, write_end)
    os.close(write_end)
    finished = False
    try:
        payload = _read_until(read_end, time.monotonic() + timeout, timeout)
        finished = True
    finally:
        os.close(read_end)
        if not finished:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    return _unpack(payload, status)


def _child(task: Callable[[], bytes], write_end: int) -> None:
    code = 0
    try:
        try:
            message = _OK + task()
        except SyntaxError as error:
            message = _SYNTAX + (error.msg or str(error)).encode()
        except Exception as error:  # every failure goes back to the parent as a message
            message = _FAILED + str(error).encode()
        data = memoryview(_LENGTH.pack(len(message)) + message)
        while data:
            data = data[os.write(write_end, data):]
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _read_until(read_end: int, deadline: float, timeout: float) -> bytes:
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([read_end], [], [], remaining)[0]:
            raise QueryTimeout(timeout)
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _unpack(payload: bytes, status: int) -> bytes:
    header = _LENGTH.size
    if len(payload) < header or len(payload) != header + _LENGTH.unpack(payload[:header])[0]:
        if os.WIFSIGNALED(status):
            how = f"was killed by signal {os.WTERMSIG(status)} ({signal.Signals(os.WTERMSIG(status)).name})"
        else:
            how = f"exited with status {os.WEXITSTATUS(status)}"
        raise WorkerCrash(
            f"the query engine {how} without an answer; the query is probably too large or "
            "too deeply nested for it"
        )
    kind, body = payload[header:header + 1], payload[header + 1:]
    if kind == _SYNTAX:
        raise SyntaxError(body.decode())
    if kind == _FAILED:
        raise TaskFailed(body.decode())
    return body
