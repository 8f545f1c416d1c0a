"""Real sockets on 127.0.0.1 that misbehave the way servers do: a port nobody listens on, a
listener that never answers, one whose connection queue is full, a server that asks for
credentials, and a proxy in front of a real SPARQL server that breaks chosen requests."""

from __future__ import annotations

import http.client
import http.server
import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


def closed_port() -> int:
    """A loopback port on which nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def recording_listener() -> Iterator[tuple[int, list[bytes]]]:
    """A port that records the first bytes of every connection it receives (``b"(no
    request)"`` for one that sent nothing): proof of a call out, when nothing should call."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    received: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    received.append(connection.recv(4096) or b"(no request)")
                except OSError:
                    received.append(b"(no request)")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], received
    finally:
        stop.set()
        thread.join()
        server.close()


@contextmanager
def silent_listener() -> Iterator[tuple[int, list[socket.socket]]]:
    """A port that accepts connections and never sends a byte; yields the port and the
    connections accepted so far (empty when no client ever connected)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()


@contextmanager
def full_listener() -> Iterator[int]:
    """A port whose connection queue is full: the kernel drops further connection attempts,
    so a client's connect hangs as it does for a host that does not answer."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port), timeout=1)
    try:
        yield port
    finally:
        filler.close()
        listener.close()


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@contextmanager
def answering_server(answer: Callable[[http.server.BaseHTTPRequestHandler, bytes], Answer]
                     ) -> Iterator[tuple[str, list[str]]]:
    """An HTTP server that answers each request with ``answer(handler, body)``; yields its base
    URL and the Authorization header of every request it received ("" when none)."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen.append(self.headers.get("Authorization", ""))
            reply = answer(self, body)
            self.send_response(reply.status)
            for name, value in {**reply.headers, "Content-Length": str(len(reply.body))}.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_HEAD = _any  # noqa: N815 (the http.server naming)

        def log_message(self, *args) -> None:
            pass

    with _serving(Handler) as base:
        yield base, seen


@dataclass
class Forwarded:
    method: str
    path: str
    body: bytes


@contextmanager
def breaking_proxy(upstream: str, breaks: Callable[[Forwarded, int], str | None]
                   ) -> Iterator[tuple[str, list[Forwarded]]]:
    """A proxy on 127.0.0.1 in front of ``upstream`` (a base URL such as http://127.0.0.1:8890).

    For each request, ``breaks(request, index)`` decides: None forwards it; "close" closes the
    connection without an answer (the request never reaches the server); "refuse" answers
    HTTP 500 and "swallow" answers HTTP 204 (success), both without forwarding. Yields the proxy's base URL and the requests it forwarded.
    """
    target = urllib.parse.urlsplit(upstream)
    forwarded: list[Forwarded] = []
    lock = threading.Lock()
    counter = iter(range(1 << 30))

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Forwarded(self.command, self.path, self.rfile.read(length) if length else b"")
            with lock:
                verdict = breaks(request, next(counter))
            if verdict == "close":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if verdict == "refuse":
                self._reply(500, {"Content-Type": "text/plain"}, b"refused by the test proxy")
                return
            if verdict == "swallow":
                self._reply(204, {}, b"")
                return
            headers = {name: value for name, value in self.headers.items()
                       if name.lower() not in ("host", "connection", "content-length", "keep-alive")}
            upstream_connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            try:
                upstream_connection.request(self.command, self.path, body=request.body or None, headers=headers)
                response = upstream_connection.getresponse()
                body = response.read()
                with lock:
                    forwarded.append(request)
                self._reply(response.status, dict(response.getheaders()), body)
            finally:
                upstream_connection.close()

        def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "connection", "transfer-encoding", "keep-alive",
                                        "server", "date"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_HEAD = _any  # noqa: N815 (the http.server naming)

        def log_message(self, *args) -> None:
            pass

    with _serving(Handler) as base:
        yield base, forwarded


@contextmanager
def _serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
