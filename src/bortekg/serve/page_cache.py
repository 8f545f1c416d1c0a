"""Pages kept for requests asked again. The graph a server serves never changes while it runs,
so a page (an entity, a claim, a question's answer, an assessment of the same patient form) is
the same every time it is asked for in the same way: it is rendered once and then sent from
memory, bounded by bytes, least recently used first out (``AnswerCache``). Rendering is Python
work that holds the interpreter; without this, a few clients reading pages slow every SPARQL
answer of the server.

An ASGI middleware: it keeps 200 answers to GET requests of the pages (not ``/sparql`` nor
``/health``, which keep or need no cache of their own) and to POSTs of the assessment form,
keyed by method, path, query string, ``Accept``, content type and (for a POST) the body.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from bortekg.serve.cache import AnswerCache

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Paths answered by routes that are not pages (they cache what can be cached themselves).
NOT_PAGES = ("/sparql", "/health")
#: The POSTs whose answers depend on nothing but the form: the assessment page.
CACHED_POSTS = ("/assess",)
#: A POST body larger than this is passed on as it comes, not read here (the page refuses
#: forms this large itself, with its own message).
MAX_CACHED_BODY = 64 * 1024


class PageCache:
    """ASGI middleware keeping whole page answers (status 200) for repeated requests."""

    def __init__(self, app: ASGIApp, capacity_bytes: int) -> None:
        self.app = app
        self.answers = AnswerCache(capacity_bytes)
        self.headers: dict[tuple, list[tuple[bytes, bytes]]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.answers.capacity_bytes <= 0 or not _cacheable(scope):
            await self.app(scope, receive, send)
            return
        body, receive = await _read_body(scope, receive)
        if body is None:  # too large to key on: the page answers it as it comes
            await self.app(scope, receive, send)
            return
        key = _key(scope, body)
        hit = self.answers.get(key)
        headers = self.headers.get(key)
        if hit is not None and headers is not None:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": hit[0]})
            return
        started: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and started.get("status") == 200:
                    content = b"".join(chunks)
                    self.answers.put(key, content, "", key_bytes=len(body) + len(scope.get("query_string", b"")))
                    if self.answers.get(key) is not None:
                        self.headers[key] = list(started.get("headers", []))
                    # forget the headers of answers the cache has let go
                    if len(self.headers) > 2 * len(self.answers) + 16:
                        self.headers = {k: v for k, v in self.headers.items() if self.answers.get(k) is not None}
            await send(message)

        await self.app(scope, receive, keep)


def _cacheable(scope: Scope) -> bool:
    path = scope.get("path", "")
    if scope.get("method") == "GET":
        return not path.startswith(NOT_PAGES)
    return scope.get("method") == "POST" and path in CACHED_POSTS


def _header(scope: Scope, name: bytes) -> bytes:
    return next((value for key, value in scope.get("headers", []) if key.lower() == name), b"")


def _key(scope: Scope, body: bytes) -> tuple:
    return (scope["method"], scope["path"], scope.get("query_string", b""), _header(scope, b"accept"),
            _header(scope, b"content-type"), body)


async def _read_body(scope: Scope, receive: Receive) -> tuple[bytes | None, Receive]:
    """A POST's body (b"" for a GET) and a ``receive`` that gives the app the same messages;
    None as the body when it is larger than MAX_CACHED_BODY (the app still reads all of it)."""
    if scope["method"] != "POST":
        return b"", receive
    received: list[Message] = []
    size = 0
    while True:
        message = await receive()
        received.append(message)
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if size > MAX_CACHED_BODY or not message.get("more_body", False):
            break
    pending = list(received)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    complete = received[-1]["type"] == "http.request" and not received[-1].get("more_body", False)
    if size > MAX_CACHED_BODY or not complete:
        return None, replay
    return b"".join(m.get("body", b"") for m in received), replay
