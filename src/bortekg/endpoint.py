"""A SPARQL 1.1 server as a place to upload the graph and to run the same queries.

Queries go over the SPARQL 1.1 Protocol (an HTML form POST of ``query=``), answers come back
as SPARQL JSON results (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE). The graph goes up
with the Graph Store Protocol (one ``PUT ?graph=IRI`` per named graph, replacing it) when the
server's graph store is given, or else with SPARQL Update (``DROP SILENT GRAPH`` then
``INSERT DATA`` in chunks). Beside the content graphs the upload writes a small manifest
graph naming them, so that a query sent later asks for exactly those graphs as its dataset
(``default-graph-uri`` / ``named-graph-uri``) and never sees a server's own system graphs.

Only the standard library is used: ``urllib`` speaks HTTP Basic and Digest authentication,
which is what Virtuoso's authenticated endpoints (``/sparql-auth``,
``/sparql-graph-crud-auth``) ask for.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.engines import QueryError

#: The graph that lists the content graphs of an upload, and what it says about them.
MANIFEST_GRAPH = ns.GRAPH_META
_STORE_NODE = ox.NamedNode(ns.BASE + "store")
_CONTENT_GRAPH = ox.NamedNode(ns.BKG + "contentGraph")

_MANIFEST_QUERY = (
    f"SELECT ?g WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{_STORE_NODE.value}> <{_CONTENT_GRAPH.value}> ?g }} }}"
)
_RESULTS_JSON = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"
#: Triples per INSERT DATA request: small enough for any server's request limits.
UPDATE_CHUNK = 2000
#: Triples per INSERT template request (those holding blank nodes).
TEMPLATE_CHUNK = 100


class EndpointError(QueryError):
    """The server could not be reached, refused a request or sent an unreadable answer."""


@dataclass
class Endpoint:
    """A SPARQL server: its query URL and, for uploads, its update or graph-store URL."""

    url: str
    user: str | None = None
    password: str | None = None
    request_timeout: float = 300.0
    _opener: urllib.request.OpenerDirector = field(init=False, repr=False)
    _passwords: urllib.request.HTTPPasswordMgrWithDefaultRealm = field(init=False, repr=False)
    _digest: urllib.request.HTTPDigestAuthHandler = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            raise EndpointError(f"endpoint {self.url!r} is not an http:// or https:// URL")
        self._passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        self._digest = urllib.request.HTTPDigestAuthHandler(self._passwords)
        handlers: list[urllib.request.BaseHandler] = []
        if self.user is not None:
            self._passwords.add_password(None, self.url, self.user, self.password or "")
            handlers += [self._digest, urllib.request.HTTPBasicAuthHandler(self._passwords)]
        self._opener = urllib.request.build_opener(*handlers)

    # ------------------------------------------------------------------ HTTP

    def _send(self, url: str, *, data: bytes, content_type: str, accept: str | None = None,
              method: str = "POST") -> tuple[bytes, str]:
        headers = {"Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            if self.user is not None:
                self._authorize(request)
            with self._opener.open(request, timeout=self.request_timeout) as response:
                return response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace").strip()
            raise EndpointError(
                f"{url} answered HTTP {error.code} {error.reason}: {_first_lines(detail)}"
            ) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise EndpointError(f"cannot reach {url}: {reason}") from None

    def _authorize(self, request: urllib.request.Request) -> None:
        """Answer the server's challenge before sending the body.

        urllib sends a request, reads the 401 challenge and sends it again with credentials;
        a server that closes the connection on the 401 (Virtuoso does) breaks the upload of
        a large body half-way. So a body-less HEAD fetches the challenge first.
        """
        probe = urllib.request.Request(request.full_url, method="HEAD")
        try:
            urllib.request.urlopen(probe, timeout=self.request_timeout).close()
            return  # no credentials asked for
        except urllib.error.HTTPError as error:
            challenge = error.headers.get("WWW-Authenticate", "") if error.code == 401 else ""
        scheme, _, parameters = challenge.partition(" ")
        if scheme.lower() == "digest":
            fields = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(parameters)))
            answer = self._digest.get_authorization(request, fields)
            if answer:
                request.add_unredirected_header("Authorization", f"Digest {answer}")
        elif scheme.lower() == "basic":
            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode()
            request.add_unredirected_header("Authorization", f"Basic {token}")

    def _form(self, url: str, fields: list[tuple[str, str]], accept: str | None = None) -> tuple[bytes, str]:
        body = urllib.parse.urlencode(fields).encode()
        return self._send(url, data=body, content_type="application/x-www-form-urlencoded", accept=accept)

    # ------------------------------------------------------------------ queries

    def content_graphs(self) -> list[str]:
        """The content graphs named by the manifest of the last upload (empty when none)."""
        body, media_type = self._form(self.url, [("query", _MANIFEST_QUERY)], accept=_RESULTS_JSON)
        solutions = _parse_results(body, media_type)
        assert isinstance(solutions, ox.QuerySolutions)
        return sorted(row["g"].value for row in solutions if isinstance(row["g"], ox.NamedNode))

    def select(self, sparql: str, *, form: str, dataset: list[str] | None = None) -> bytes:
        """Run a query; return SPARQL JSON results (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE).

        ``dataset`` names the graphs that make the default graph and the named graphs.
        """
        fields = [("query", sparql)]
        for graph in dataset or []:
            fields += [("default-graph-uri", graph), ("named-graph-uri", graph)]
        graph_result = form in ("CONSTRUCT", "DESCRIBE")
        body, media_type = self._form(self.url, fields, accept=_N_TRIPLES if graph_result else _RESULTS_JSON)
        if graph_result:
            rdf_format = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.N_TRIPLES
            try:
                triples = [quad.triple for quad in ox.parse(body, rdf_format)]
            except SyntaxError as error:
                raise EndpointError(f"{self.url} sent an unreadable graph: {error}") from None
            return ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)
        results = _parse_results(body, media_type)
        if form == "ASK" and isinstance(results, ox.QuerySolutions):
            # Virtuoso answers ASK with a one-column table: one row for true, none for false
            results = _boolean(any(True for _ in results))
        return results.serialize(format=ox.QueryResultsFormat.JSON)

    # ------------------------------------------------------------------ uploads

    def put_graph(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        """Replace one graph through the Graph Store Protocol (this endpoint is the graph store)."""
        url = f"{self.url}{'&' if '?' in self.url else '?'}{urllib.parse.urlencode({'graph': graph})}"
        body = ox.serialize(list(triples), None, ox.RdfFormat.N_TRIPLES)
        self._send(url, data=body, content_type=_N_TRIPLES, method="PUT")

    def update(self, sparql: str) -> None:
        """Send one SPARQL Update request (this endpoint is the update service)."""
        self._form(self.url, [("update", sparql)])

    def replace_graph_by_update(self, graph: str, triples: Iterable[ox.Triple]) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>")
        plain, structured = [], []
        for triple in triples:
            has_blank = isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)
            (structured if has_blank else plain).append(triple)
        for start in range(0, len(plain), UPDATE_CHUNK):
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{_lines(plain[start:start + UPDATE_CHUNK])}\n}} }}")
        # Virtuoso refuses blank nodes in INSERT DATA and compiles a template into SQL of
        # bounded size; a small INSERT ... WHERE {} makes them fresh once per request on
        # every server, like INSERT DATA would.
        for part in chunks_keeping_blank_nodes(structured, TEMPLATE_CHUNK):
            self.update(f"INSERT {{ GRAPH <{graph}> {{\n{_lines(part)}\n}} }} WHERE {{}}")


@dataclass(frozen=True)
class UploadReport:
    method: str  # "graph store" or "update"
    graphs: dict[str, int]  # graph IRI -> triples sent


def upload(
    graphs: dict[str, list[ox.Triple]],
    *,
    graph_store: Endpoint | None = None,
    update: Endpoint | None = None,
) -> UploadReport:
    """Replace each named graph on the server, then write the manifest that names them."""
    manifest = [ox.Triple(_STORE_NODE, _CONTENT_GRAPH, ox.NamedNode(g)) for g in sorted(graphs)]
    everything = {**graphs, MANIFEST_GRAPH: manifest}
    if graph_store is not None:
        for graph, triples in everything.items():
            graph_store.put_graph(graph, triples)
        method = "graph store"
    elif update is not None:
        for graph, triples in everything.items():
            update.replace_graph_by_update(graph, triples)
        method = "update"
    else:
        raise ValueError("give a graph store or an update endpoint")
    return UploadReport(method, {graph: len(triples) for graph, triples in graphs.items()})


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


def _parse_results(body: bytes, media_type: str) -> ox.QuerySolutions | ox.QueryBoolean:
    results_format = ox.QueryResultsFormat.from_media_type(media_type) or ox.QueryResultsFormat.JSON
    try:
        return ox.parse_query_results(body, format=results_format)
    except SyntaxError as error:
        raise EndpointError(f"the server sent unreadable results: {error}") from None


def _boolean(value: bool) -> ox.QueryBoolean:
    answer = b'{"head":{},"boolean":true}' if value else b'{"head":{},"boolean":false}'
    result = ox.parse_query_results(answer, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QueryBoolean)
    return result


def _lines(triples: list[ox.Triple]) -> str:
    return "\n".join(f"{t.subject} {t.predicate} {t.object} ." for t in triples)


def _first_lines(text: str, limit: int = 3) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return " / ".join(lines[:limit]) or "(no detail)"
