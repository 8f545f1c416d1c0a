"""Upload named graphs to a SPARQL server so that each graph is replaced whole or not at all.

Each graph goes first into a temporary graph of a fresh name (its own IRI plus
``-upload-<token>``), by the Graph Store Protocol (one ``PUT`` per graph) or by SPARQL Update
(``INSERT DATA`` in chunks). Only when every temporary graph holds exactly as many triples as
were sent are they swapped in, with one SPARQL Update request of ``MOVE <temporary> TO
<target>`` operations. Any failure before the swap drops the temporary graphs and leaves the
server's graphs as they were.

How atomic the swap is depends on the server, and was measured on both servers the tests run:
Oxigraph applies one update request as one transaction (all graphs are swapped or none).
Virtuoso 7 commits each ``MOVE`` on its own: a reader sees each graph either old or new, never
half-moved, but a failure between two operations of the swap request leaves some graphs new
and others old (each complete); loading again brings them together.

``upload_to_replicas`` does the same for several servers that serve the same graph (read
replicas): every one is filled and checked before any swaps, then each swaps in turn.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

import pyoxigraph as ox

from bortekg.endpoint import (
    CONTENT_GRAPH,
    MANIFEST_GRAPH,
    STORE_NODE,
    Endpoint,
    EndpointError,
    RequestRefused,
)
from bortekg.progress import Progress, silent

#: Triples per INSERT DATA request: small enough for any server's request limits.
UPDATE_CHUNK = 2000
#: Triples per INSERT template request (those holding blank nodes).
TEMPLATE_CHUNK = 100


class NoUpdateService(EndpointError):
    """The URL given for SPARQL Update refused an update (nothing was sent or changed)."""


class IncompleteUpload(EndpointError):
    """A temporary graph on the server holds other than the number of triples sent."""


@dataclass(frozen=True)
class UploadReport:
    method: str  # "graph store" or "update"
    graphs: dict[str, int]  # graph IRI -> triples sent


@dataclass(frozen=True)
class Replica:
    """One server to upload to: its query service (to count), update service (to fill and swap)
    and, optionally, graph store (to send each graph in one request)."""

    query: Endpoint
    update: Endpoint
    graph_store: Endpoint | None = None

    @property
    def name(self) -> str:
        return self.query.url


def upload(
    graphs: Mapping[str, Collection[ox.Triple]],
    *,
    query: Endpoint,
    update: Endpoint,
    graph_store: Endpoint | None = None,
    progress: Progress = silent,
) -> UploadReport:
    """Replace each named graph on the server, and the manifest that names them, atomically.

    ``query`` counts what the server holds, ``update`` fills (without ``graph_store``) and
    swaps the temporary graphs. Raises an EndpointError whose message says whether anything
    on the server changed.
    """
    everything, temporary, token = _prepare(graphs)
    replica = Replica(query, update, graph_store)
    _stage(replica, everything, temporary, token, progress)
    progress("swapping the new graphs in")
    try:
        update.update(swap_request(everything, temporary))
    except EndpointError as error:
        _fail(error, update, temporary, token,
              "the swap request failed: a server that applies a request as one transaction "
              "(Oxigraph) replaced nothing; one that commits each operation alone (Virtuoso) may "
              "hold some graphs new and others old, each complete; load again")
    return _report(replica, graphs, everything)


def upload_to_replicas(
    graphs: Mapping[str, Collection[ox.Triple]],
    replicas: Sequence[Replica],
    *,
    progress: Progress = silent,
) -> list[UploadReport]:
    """Replace the graphs on several servers (read replicas), each atomically as ``upload`` does.

    Every server first receives the graphs into temporary graphs and has its counts checked;
    only when all of them hold everything are the graphs swapped in, server after server. A
    failure before the swaps leaves every server as it was; a failed swap says on which servers
    the new graphs are in, so that loading again brings them together.
    """
    if not replicas:
        raise ValueError("give at least one server to upload to")
    if len(replicas) == 1:
        one = replicas[0]
        return [upload(graphs, query=one.query, update=one.update, graph_store=one.graph_store, progress=progress)]
    everything, temporary, token = _prepare(graphs)
    staged: list[Replica] = []
    for replica in replicas:
        progress(f"uploading to {replica.name}")
        try:
            _stage(replica, everything, temporary, token, progress)
        except EndpointError as error:
            others = _drop_everywhere(staged, temporary, token)
            error.args = (f"{replica.name}: {error}; no server's graphs were changed{others}",)
            raise
        staged.append(replica)
    for index, replica in enumerate(replicas):
        progress(f"swapping the new graphs in on {replica.name}")
        try:
            replica.update.update(swap_request(everything, temporary))
        except EndpointError as error:
            others = _drop_everywhere(replicas[index:], temporary, token)
            done = ", ".join(r.name for r in replicas[:index]) or "none"
            message = (f"{replica.name}: {error}; the new graphs were swapped in on: {done}; not on "
                       f"{replica.name} (its swap may have left some graphs new, others old, each "
                       f"complete) nor on the servers after it: load again{others}")
            error.args = (message,)
            raise
    return [_report(replica, graphs, everything) for replica in replicas]


def _prepare(graphs: Mapping[str, Collection[ox.Triple]]) -> tuple[dict[str, list[ox.Triple]], dict[str, str], str]:
    """The graphs to send (with the manifest that names them), their temporary names, the token."""
    manifest = [ox.Triple(STORE_NODE, CONTENT_GRAPH, ox.NamedNode(g)) for g in sorted(graphs)]
    everything = {graph: list(dict.fromkeys(triples)) for graph, triples in graphs.items()}
    everything[MANIFEST_GRAPH] = manifest
    token = uuid.uuid4().hex[:16]
    return everything, {graph: f"{graph}-upload-{token}" for graph in everything}, token


def _stage(replica: Replica, everything: Mapping[str, list[ox.Triple]], temporary: Mapping[str, str],
           token: str, progress: Progress) -> None:
    """Fill the temporary graphs on one server and check that it holds every triple sent; on any
    failure drop them and raise (the server's own graphs are untouched)."""
    # A small first request proves the update service works before any data is sent.
    try:
        replica.update.update(drop_graphs(temporary.values()))
    except RequestRefused as error:
        raise NoUpdateService(f"{error} (nothing was changed on the server)") from None
    try:
        for graph, triples in everything.items():
            if not triples:
                continue
            progress(f"sending <{graph}> ({len(triples):,} triples) to a temporary graph")
            if replica.graph_store is not None:
                replica.graph_store.put_graph(temporary[graph], triples)
            else:
                insert_by_update(replica.update, temporary[graph], triples)
        progress("counting what the server received")
        for graph, triples in everything.items():
            held = replica.query.count(temporary[graph])
            if held != len(triples):
                raise IncompleteUpload(f"the server holds {held} triples in the temporary graph "
                                       f"<{temporary[graph]}> after {len(triples)} were sent")
    except EndpointError as error:
        _fail(error, replica.update, temporary, token, "the graphs on the server were left as they were")


def _drop_everywhere(replicas: Sequence[Replica], temporary: Mapping[str, str], token: str) -> str:
    """Drop the temporary graphs on each server; a note naming those where that failed."""
    failed = []
    for replica in replicas:
        try:
            replica.update.update(drop_graphs(temporary.values()))
        except EndpointError:
            failed.append(replica.name)
    if not failed:
        return ""
    return (f"; temporary graphs ending in -upload-{token} may remain on {', '.join(failed)} "
            "(drop them with DROP SILENT GRAPH)")


def _report(replica: Replica, graphs: Mapping[str, Collection[ox.Triple]],
            everything: Mapping[str, list[ox.Triple]]) -> UploadReport:
    return UploadReport("graph store" if replica.graph_store is not None else "update",
                        {graph: len(everything[graph]) for graph in graphs})


def drop_graphs(graphs: Iterable[str]) -> str:
    return " ;\n".join(f"DROP SILENT GRAPH <{graph}>" for graph in graphs)


def swap_request(graphs: Mapping[str, Collection[ox.Triple]], temporary: Mapping[str, str]) -> str:
    """One update request moving every temporary graph onto its target (an empty graph is
    dropped: a server may refuse to MOVE from a graph that does not exist)."""
    operations = [f"MOVE <{temporary[graph]}> TO <{graph}>" if triples else f"DROP SILENT GRAPH <{graph}>"
                  for graph, triples in graphs.items()]
    return " ;\n".join(operations)


def insert_by_update(update: Endpoint, graph: str, triples: Iterable[ox.Triple]) -> None:
    """Add triples to a graph with INSERT DATA requests of at most UPDATE_CHUNK triples."""
    plain: list[ox.Triple] = []
    structured: list[ox.Triple] = []
    for triple in triples:
        has_blank = isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)
        (structured if has_blank else plain).append(triple)
    for start in range(0, len(plain), UPDATE_CHUNK):
        update.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{_lines(plain[start:start + UPDATE_CHUNK])}\n}} }}")
    # Virtuoso refuses blank nodes in INSERT DATA and compiles a template into SQL of
    # bounded size; a small INSERT ... WHERE {} makes them fresh once per request on
    # every server, like INSERT DATA would.
    for part in chunks_keeping_blank_nodes(structured, TEMPLATE_CHUNK):
        update.update(f"INSERT {{ GRAPH <{graph}> {{\n{_lines(part)}\n}} }} WHERE {{}}")


def chunks_keeping_blank_nodes(triples: Iterable[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Split triples into chunks of about ``size``, keeping every triple that shares a blank
    node (directly or through others) in one chunk: an update request makes its blank nodes
    fresh, so splitting a blank-node structure across requests would break it apart."""
    parent: dict[ox.Term, ox.Term] = {}

    def root(node: ox.Term) -> ox.Term:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    triples = list(triples)
    for triple in triples:
        nodes = [n for n in (triple.subject, triple.object) if isinstance(n, ox.BlankNode)]
        for other in nodes[1:]:
            parent[root(other)] = root(nodes[0])
    groups: dict[object, list[ox.Triple]] = {}
    for index, triple in enumerate(triples):
        node = next((n for n in (triple.subject, triple.object) if isinstance(n, ox.BlankNode)), None)
        groups.setdefault(index if node is None else root(node), []).append(triple)
    current: list[ox.Triple] = []
    for unit in groups.values():
        if current and len(current) + len(unit) > size:
            yield current
            current = []
        current.extend(unit)
    if current:
        yield current


def _fail(error: EndpointError, update: Endpoint, temporary: Mapping[str, str], token: str,
          outcome: str) -> NoReturn:
    """Drop the temporary graphs and raise ``error`` (same class) saying what the server holds."""
    try:
        update.update(drop_graphs(temporary.values()))
        cleanup = ""
    except EndpointError:
        cleanup = (f"; temporary graphs ending in -upload-{token} may remain on the server "
                   "(drop them with DROP SILENT GRAPH)")
    error.args = (f"{error}; {outcome}{cleanup}",)
    raise error


def _lines(triples: list[ox.Triple]) -> str:
    return "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)
