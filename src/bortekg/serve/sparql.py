"""The SPARQL 1.1 Protocol at ``/sparql`` and the health check at ``/health``.

A query takes the command line's read path, unchanged: ``bortekg.engines.run_query`` checks it
(``bortekg.safety``: no update, SERVICE, LOAD or foreign FROM), runs it in a worker process
stopped at the time limit, and ``bortekg.results.format_results`` writes the answer. What the
server adds is HTTP: reading the request (``protocol``), choosing the format (``negotiation``),
the request's dataset (``dataset``), bounded concurrency (``admission``), a size cap on the
answer and a cache of answers (``cache``).

The worker process is forked from the server, which has threads (one per running query):
safe here because the forked child only reads the in-memory snapshot, which no thread of the
server ever writes, and touches no lock of Python's (it queries, writes to its pipe and exits).
"""

from __future__ import annotations

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bortekg.engines import EmbeddedEngine, QueryError, Result, run_query
from bortekg.results import format_results
from bortekg.safety import UnsafeQueryError, check_query
from bortekg.serve.admission import Busy
from bortekg.serve.dataset import DatasetView, ForeignGraph, ProtocolDataset
from bortekg.serve.description import DESCRIPTION_PREFIXES, service_description
from bortekg.serve.negotiation import Choice, NotAcceptable, UnknownFormat, choose
from bortekg.serve.protocol import ProtocolError, ProtocolRequest, read_request
from bortekg.serve.state import ServerState
from bortekg.worker import QueryTimeout, WorkerCrash

#: Seconds a client told the server is busy should wait before asking again.
RETRY_AFTER = 1


class AnswerTooLarge(ValueError):
    """The serialised answer is larger than the server sends."""


def routes(state: ServerState) -> list[BaseRoute]:
    """The machine-facing routes."""

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "triples": state.triples})

    async def sparql(request: Request) -> Response:
        try:
            asked = await read_request(request, state.settings.max_query_bytes)
            if asked.query is None:
                return _describe(state, request, asked)
            return await _answer(state, asked, asked.query, request.headers.get("accept"))
        except ProtocolError as error:
            return _error(error.status, str(error), error.headers)

    return [Route("/health", health), Route("/sparql", sparql, methods=["GET", "POST"])]


async def _answer(state: ServerState, asked: ProtocolRequest, query: str, accept: str | None) -> Response:
    # the answer to the same request asked before, looked up before any work: only answers
    # that passed every check are kept
    key = (query, asked.default_graph_uris, asked.named_graph_uris, asked.formats, accept)
    cached = state.answers.get(key)
    if cached is not None:
        return _ok(*cached)
    engine = EmbeddedEngine(state.kg)
    try:
        # checked here first as well, to choose the format (and refuse) before any work
        shape = check_query(query, engine.graph_names())
        dataset = ProtocolDataset.from_parameters(asked.default_graph_uris, asked.named_graph_uris,
                                                  engine.graph_names())
        choice = choose(shape.returns_graph, accept, asked.formats)
    except UnsafeQueryError as error:
        raise ProtocolError(400, f"query refused: {_where(error.line, error.column)}{error.reason}") from None
    except (ForeignGraph, UnknownFormat) as error:
        raise ProtocolError(400, str(error)) from None
    except NotAcceptable as error:
        raise ProtocolError(406, str(error)) from None
    if dataset is not None:
        engine = EmbeddedEngine(DatasetView(state.kg, dataset))  # type: ignore[arg-type]
    limit = state.settings.max_result_bytes

    def run() -> bytes:
        body = serialise(run_query(engine, query, timeout=state.settings.timeout), choice.name)
        if len(body) > limit:
            raise AnswerTooLarge(f"the answer is {len(body):,} bytes, more than the {limit:,} bytes this "
                                 "server sends; narrow the query or add a LIMIT")
        return body

    try:
        body = await state.admission.run(run)
    except Busy as error:
        raise ProtocolError(503, f"the server is busy: {error}", {"Retry-After": str(RETRY_AFTER)}) from None
    except UnsafeQueryError as error:
        raise ProtocolError(400, f"query refused: {_where(error.line, error.column)}{error.reason}") from None
    except SyntaxError as error:
        raise ProtocolError(400, f"invalid SPARQL: {_where(error.lineno, error.offset)}{error.msg}") from None
    except AnswerTooLarge as error:
        raise ProtocolError(400, str(error)) from None
    except QueryTimeout as error:
        raise ProtocolError(503, str(error).replace("a longer --timeout", "split it into smaller queries")) from None
    except (WorkerCrash, QueryError) as error:
        raise ProtocolError(500, str(error)) from None
    state.answers.put(key, body, choice.content_type, key_bytes=len(query) + len(accept or ""))
    return _ok(body, choice.content_type)


def _describe(state: ServerState, request: Request, asked: ProtocolRequest) -> Response:
    if asked.default_graph_uris or asked.named_graph_uris or asked.other:
        names = sorted({*asked.other, *(["default-graph-uri"] if asked.default_graph_uris else []),
                        *(["named-graph-uri"] if asked.named_graph_uris else [])})
        raise ProtocolError(400, f"the request has {', '.join(names)} but no query parameter; "
                            "give the query as query=..., or nothing for the service description")
    try:
        choice: Choice = choose(True, request.headers.get("accept"), asked.formats)
    except UnknownFormat as error:
        raise ProtocolError(400, str(error)) from None
    except NotAcceptable as error:
        raise ProtocolError(406, str(error)) from None
    endpoint = str(request.url.replace(query="", fragment=""))
    triples = service_description(endpoint, state.graph_sizes, state.triples)
    if choice.name == "ttl":  # with the description's own prefixes, for a person reading it
        body = ox.serialize(triples, None, ox.RdfFormat.TURTLE, prefixes=DESCRIPTION_PREFIXES) or b""
        return _ok(body, choice.content_type)
    return _ok(serialise(triples, choice.name), choice.content_type)


def serialise(results: Result, name: str) -> bytes:
    """The answer in the format named ``name``, as the command line writes it; JSON-LD, which
    pyoxigraph counts among the dataset formats that ``format_results`` keeps for datasets,
    is written here for a graph answer."""
    if name == "jsonld" and isinstance(results, list):
        return ox.serialize(results, None, ox.RdfFormat.JSON_LD) or b""
    return format_results(results, name)


def _ok(body: bytes, content_type: str) -> Response:
    return Response(body, headers={"Content-Type": content_type, "Vary": "Accept"})


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """One line of plain text, as the command line writes its messages."""
    return PlainTextResponse(message + "\n", status_code=status, headers={**(headers or {}), "Vary": "Accept"})


def _where(line: int | None, column: int | None) -> str:
    if line is None:
        return ""
    return f"line {line}, column {column}: " if column is not None else f"line {line}: "
