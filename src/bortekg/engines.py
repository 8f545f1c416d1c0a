"""Run a read-only query, checked and time-limited, on the embedded store or on a SPARQL server.

``run_query`` is the one read path: it checks the query (``bortekg.safety``), binds any
parameters as a VALUES block of typed terms (``bortekg.binding``), runs it in a child process
that is stopped at the deadline (``bortekg.worker``: forked from the in-memory store, started
clean for an on-disk store, which the child reopens read-only), and returns pyoxigraph results. Both
engines hand back the same serialised forms, so the embedded store and a server answer
through the same code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeAlias, TypeVar

import pyoxigraph as ox

from bortekg.binding import bind_values
from bortekg.safety import QueryShape, check_query
from bortekg.sparqlerrors import explain
from bortekg.store import KnowledgeGraph
from bortekg.worker import TaskFailed, run_forked, run_isolated

if TYPE_CHECKING:
    from bortekg.endpoint import Endpoint

#: What a query returns: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE).
Result: TypeAlias = "ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]"

DEFAULT_TIMEOUT = 30.0

T = TypeVar("T")

_SOLUTIONS, _GRAPH = b"S", b"G"


class QueryError(RuntimeError):
    """The engine could not answer (an evaluation error, or a server that failed)."""


class Engine(Protocol):
    def graph_names(self) -> frozenset[str]:
        """The graph names a FROM or FROM NAMED clause may use."""

    def run(self, sparql: str, shape: QueryShape, timeout: float) -> bytes:
        """Run the (already checked) query in a worker stopped at ``timeout``; return tagged
        serialised results."""


class EmbeddedEngine:
    """The pyoxigraph store of a KnowledgeGraph."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg

    def graph_names(self) -> frozenset[str]:
        return frozenset(graph.value for graph in self.kg.content_graphs())

    def run(self, sparql: str, shape: QueryShape, timeout: float) -> bytes:
        use_query_dataset = bool(shape.dataset)
        if self.kg.store_dir is None:
            # the in-memory store has no threads: a fork shares the loaded graph for free
            return run_forked(lambda: _execute(self.kg, sparql, use_query_dataset), timeout)
        # an on-disk store has background threads whose locks a fork would inherit
        return run_isolated(query_on_disk, (str(self.kg.store_dir), sparql, use_query_dataset), timeout)


#: Attempts at reading an on-disk store read-only, and the pause after each failed one (s).
READ_ONLY_ATTEMPTS, READ_ONLY_PAUSE = 4, 0.05


def query_on_disk(store_dir: str, sparql: str, use_query_dataset: bool) -> bytes:
    """Open the on-disk store read-only and run the query (in a worker started clean).

    The process that has the store open for writing may be compacting it in the background
    (after loading the bundle, for example): RocksDB then replaces files, and a reader that
    listed them just before finds one missing ("IO error: No such file"), when it opens the
    store or later while it reads. The store is intact; reading it again from a fresh open
    finds the new files. A query only reads, so running it again is safe.
    """
    return _read_only_attempts(lambda: _execute(KnowledgeGraph.open_read_only(store_dir), sparql, use_query_dataset))


def open_read_only(store_dir: str) -> KnowledgeGraph:
    """Open the store read-only, again if a file it lists vanished meanwhile (see above)."""
    return _read_only_attempts(lambda: KnowledgeGraph.open_read_only(store_dir))


def _read_only_attempts(read: Callable[[], T]) -> T:
    for attempt in range(1, READ_ONLY_ATTEMPTS + 1):
        try:
            return read()
        except (OSError, RuntimeError):  # pyoxigraph's storage errors
            if attempt == READ_ONLY_ATTEMPTS:
                raise
            time.sleep(READ_ONLY_PAUSE * attempt)
    raise AssertionError("unreachable")


def _execute(kg: KnowledgeGraph, sparql: str, use_query_dataset: bool) -> bytes:
    results = kg.query(sparql, use_query_dataset=use_query_dataset)
    if isinstance(results, ox.QueryTriples):
        return _GRAPH + ox.serialize(results, None, ox.RdfFormat.N_TRIPLES)
    return _SOLUTIONS + results.serialize(format=ox.QueryResultsFormat.JSON)


class RemoteEngine:
    """A SPARQL 1.1 server reached over the SPARQL Protocol.

    The dataset of a query is the content graphs named by the manifest that ``bortekg load``
    writes; a server loaded some other way is queried over its own default dataset.
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._graphs: frozenset[str] | None = None

    def graph_names(self) -> frozenset[str]:
        if self._graphs is None:
            self._graphs = frozenset(self.endpoint.content_graphs())
        return self._graphs

    def run(self, sparql: str, shape: QueryShape, timeout: float) -> bytes:
        dataset = None if shape.dataset else sorted(self.graph_names())

        def execute() -> bytes:
            body = self.endpoint.select(sparql, form=shape.form, dataset=dataset)
            return (_GRAPH if shape.returns_graph else _SOLUTIONS) + body

        return run_forked(execute, timeout)


def run_query(
    engine: Engine,
    sparql: str,
    *,
    bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Result:
    """Check, bind, run with a time limit, and return the results.

    Raises UnsafeQueryError (refused before running), BindingError, QuerySyntaxError (a
    SyntaxError with a plain message, its line and column), QueryTimeout,
    WorkerCrash or QueryError.
    """
    text = bind_values(sparql, bindings or {})
    shape = check_query(text, engine.graph_names())
    try:
        payload = engine.run(text, shape, timeout)
    except SyntaxError as error:
        raise explain(text, error.msg or str(error)) from None
    except TaskFailed as error:
        raise QueryError(str(error)) from None
    kind, body = payload[:1], payload[1:]
    if kind == _GRAPH:
        return [quad.triple for quad in ox.parse(body, ox.RdfFormat.N_TRIPLES)]
    return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
