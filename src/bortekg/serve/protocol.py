"""Reading a SPARQL 1.1 Protocol request (https://www.w3.org/TR/sparql11-protocol/): the query
and its parameters from a GET URL, a POSTed form or a POSTed ``application/sparql-query`` body,
with the size of what is read bounded before it is read."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field

from starlette.requests import Request


class ProtocolError(ValueError):
    """A request the endpoint refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass(frozen=True)
class ProtocolRequest:
    """What a request asks: its query (None: the service description), dataset and format."""

    query: str | None
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    other: dict[str, list[str]] = field(default_factory=dict)


FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
_READ_ONLY = ("this endpoint only reads: SPARQL updates are not accepted here "
              "(facts enter the graph through bortekg validate and bortekg add)")
# room in a form body, beyond the query itself, for its other parameters and percent-escapes
_FORM_OVERHEAD = 3


async def read_request(request: Request, max_query_bytes: int) -> ProtocolRequest:
    """The protocol request, or ProtocolError (403 for an update, 413 for too large a query,
    415 for a body of another type, 400 for anything else malformed)."""
    parameters = _pairs(request.url.query)
    if request.method == "POST":
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type == SPARQL_UPDATE:
            raise ProtocolError(403, _READ_ONLY)
        if media_type == FORM:
            body = await _read_body(request, _FORM_OVERHEAD * max_query_bytes + 64 * 1024, max_query_bytes)
            parameters = _pairs(_text(body, "the form")) + parameters
        elif media_type == SPARQL_QUERY:
            body = await _read_body(request, max_query_bytes, max_query_bytes)
            if any(name == "query" for name, _ in parameters):
                raise ProtocolError(400, "the query is both in the body and in the URL's query parameter; send it once")
            parameters = [("query", _text(body, "the query"))] + parameters
        else:
            shown = media_type or "no Content-Type"
            raise ProtocolError(415, f"a POST to /sparql takes {FORM} (query=...) or {SPARQL_QUERY} "
                                f"(the query as the body), not {shown}")
    values: dict[str, list[str]] = {}
    for name, value in parameters:
        values.setdefault(name, []).append(value)
    if "update" in values or "using-graph-uri" in values or "using-named-graph-uri" in values:
        raise ProtocolError(403, _READ_ONLY)
    queries = values.pop("query", [])
    if len(queries) > 1:
        raise ProtocolError(400, f"the request gives {len(queries)} query parameters; give exactly one")
    query = queries[0] if queries else None
    if query is None and request.method == "POST":
        raise ProtocolError(400, "the request has no query; give it as query=... in the form, or as the body "
                            f"with Content-Type {SPARQL_QUERY} (GET /sparql alone sends the service description)")
    if query is not None and len(query.encode("utf-8")) > max_query_bytes:
        raise _too_large(max_query_bytes)
    return ProtocolRequest(
        query=query,
        default_graph_uris=tuple(values.pop("default-graph-uri", [])),
        named_graph_uris=tuple(values.pop("named-graph-uri", [])),
        formats=tuple(values.pop("format", [])),
        other=values,
    )


def _pairs(encoded: str) -> list[tuple[str, str]]:
    try:
        return urllib.parse.parse_qsl(encoded, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the URL's parameters are not UTF-8 once percent-decoded; "
                            "encode the query as UTF-8") from None


def _text(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(400, f"{what} has bytes that are not UTF-8 at byte {error.start}; "
                            "send it as UTF-8") from None


def _too_large(max_query_bytes: int) -> ProtocolError:
    return ProtocolError(413, f"the query is longer than the {max_query_bytes:,} bytes accepted; "
                         "shorten it or split it into several queries")


async def _read_body(request: Request, limit: int, max_query_bytes: int) -> bytes:
    """The body, read no further than ``limit`` bytes (413 beyond them)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(max_query_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(max_query_bytes)
        chunks.append(chunk)
    return b"".join(chunks)
