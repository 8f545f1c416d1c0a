"""Run a query in a child process that can be stopped at a deadline.

pyoxigraph evaluates a query in native code that Python cannot interrupt, and a malformed
query can overflow the engine's stack and kill its process. So every query runs in a child
process that sends its serialised answer through a pipe, and the parent kills it when the
deadline passes. A crash in the child becomes a clear error in the parent instead of a dead
process.

Two ways to start the child:

- ``run_forked`` forks the process that already holds the loaded store: about a millisecond
  (the child shares the parent's memory copy-on-write, nothing is reloaded). Only safe when
  the parent has no other threads: a fork copies the calling thread alone, and a lock another
  thread held at that moment stays locked in the child for ever. The in-memory store has no
  threads of its own.
- ``run_isolated`` starts a new Python process (``python -m bortekg.worker``) that imports
  and calls a named module-level function, so it inherits no thread and no lock; the task
  opens what it needs itself. (multiprocessing's spawn and forkserver methods would do the same
  but run the caller's main script again in the child, which a script without an
  ``if __name__ == "__main__"`` guard does not survive.)
  An on-disk store runs background threads (RocksDB flushes and compactions); a child forked
  from it was seen here blocked on such an inherited lock (asleep on a futex, no CPU), which
  the parent could only report as a time-out.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import struct
import sys
import time
from collections.abc import Callable
from typing import Any

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
    as TaskFailed with the same message. The caller must not have threads (see above).
    """
    read_end, write_end = os.pipe()
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
    return _unpack(payload, _describe_status(status))


def run_isolated(function: Callable[..., bytes], args: tuple[Any, ...], timeout: float) -> bytes:
    """Run ``function(*args)`` in a new Python process; like ``run_forked`` otherwise.

    ``function`` must be a module-level function, ``args`` JSON values: the child imports the
    one and decodes the others.
    """
    import subprocess  # here: the in-memory store's query path does not need it

    if getattr(importlib.import_module(function.__module__), function.__qualname__, None) is not function:
        raise ValueError(f"{function!r} is not a module-level function a new process can import")
    read_end, write_end = os.pipe()
    request = json.dumps({"module": function.__module__, "function": function.__qualname__,
                          "args": list(args), "fd": write_end})
    try:
        process = subprocess.Popen([sys.executable, "-m", "bortekg.worker"], stdin=subprocess.PIPE,
                                   stdout=subprocess.DEVNULL, pass_fds=[write_end])
    finally:
        os.close(write_end)
    finished = False
    try:
        assert process.stdin is not None
        with process.stdin:
            process.stdin.write(request.encode())
        payload = _read_until(read_end, time.monotonic() + timeout, timeout)
        finished = True
    finally:
        os.close(read_end)
        if not finished:
            process.kill()
        process.wait()
    code = process.returncode
    return _unpack(payload, _describe_signal(-code) if code < 0 else f"exited with status {code}")


def _serve_one_request() -> None:
    """The child of ``run_isolated``: read the request on stdin, answer through the given pipe."""
    request = json.loads(sys.stdin.read())
    function = getattr(importlib.import_module(request["module"]), request["function"])
    _child(lambda: function(*request["args"]), request["fd"])


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
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([read_end], [], [], remaining)[0]:
            raise QueryTimeout(timeout)
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return _describe_signal(os.WTERMSIG(status))
    return f"exited with status {os.WEXITSTATUS(status)}"


def _describe_signal(number: int) -> str:
    return f"was killed by signal {number} ({signal.Signals(number).name})"


def _unpack(payload: bytes, how_it_ended: str) -> bytes:
    header = _LENGTH.size
    if len(payload) < header or len(payload) != header + _LENGTH.unpack(payload[:header])[0]:
        raise WorkerCrash(
            f"the query engine {how_it_ended} without an answer; the query is probably too large or "
            "too deeply nested for it"
        )
    kind, body = payload[header:header + 1], payload[header + 1:]
    if kind == _SYNTAX:
        raise SyntaxError(body.decode())
    if kind == _FAILED:
        raise TaskFailed(body.decode())
    return body


if __name__ == "__main__":
    _serve_one_request()
