"""Servers for the serve tests: the application on uvicorn in a thread of the test (settings of
the test's choosing), or ``bortekg serve`` as a process of its own, on free loopback ports."""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from bortekg.serve import ServerState, create_app

_URL = re.compile(r"serving the graph at (http://\S+/) ")


@contextmanager
def serving(state: ServerState) -> Iterator[str]:
    """The application for ``state`` on uvicorn in a thread; yields its base URL (ending in /)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    server = uvicorn.Server(uvicorn.Config(create_app(state=state), log_level="warning",
                                           access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        server.should_exit = True
        thread.join(20)
        listener.close()


@contextmanager
def cli_server(*options: str, global_options: tuple[str, ...] = ()) -> Iterator[tuple[str, str]]:
    """``bortekg serve --port 0 OPTIONS`` as a process; yields its base URL and its first line on
    stderr; stops it at the end."""
    process = subprocess.Popen([sys.executable, "-m", "bortekg", *global_options, "serve", "--port", "0", *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
    try:
        assert process.stderr is not None
        ready, _, _ = select.select([process.stderr], [], [], 60)
        line = process.stderr.readline().decode() if ready else ""
        found = _URL.search(line)
        assert found, f"bortekg serve printed no URL: {line!r} (exit status {process.poll()})"
        yield found.group(1), line
    finally:
        process.terminate()
        process.wait(20)
        if process.stderr is not None:
            process.stderr.close()
