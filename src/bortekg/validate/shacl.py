"""The first layer of the gate: SHACL shapes, run by pyshacl on a plain rdflib graph.

pyshacl validates only the submission's subjects as focus nodes, on a plain rdflib graph
(never the store: pyshacl over an Oxigraph-backed graph gives false violations), without
inference and never in place; the graph answers repeated SPARQL texts from a parse cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg import resources

if TYPE_CHECKING:
    import rdflib

_XSD_STRING = ns.XSD + "string"

# --------------------------------------------------------------------------- shapes


def load_shapes(files: Iterable[Path] | None = None) -> rdflib.Graph:
    """The SHACL shapes graph: every packaged ``shapes/*.ttl`` unless files are given."""
    paths = tuple(Path(p) for p in (files if files is not None else resources.shapes_files()))
    return _load_shapes(tuple((p, p.stat().st_mtime_ns) for p in paths))


@cache
def _load_shapes(files: tuple[tuple[Path, int], ...]) -> rdflib.Graph:
    import rdflib

    graph = rdflib.Graph()
    for path, _ in files:
        try:
            graph.parse(path, format="turtle")
        except (SyntaxError, ValueError) as error:  # rdflib's parse errors and bad encodings
            raise ValueError(f"{path.name}: {error} (a shapes file is Turtle in UTF-8)") from None
    return graph


# --------------------------------------------------------------------------- rdflib bridge


def to_rdflib(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    """A plain in-memory rdflib graph that answers repeated SPARQL texts from a parse cache."""
    graph = _query_caching_graph_class()()
    add = graph.add
    for t in triples:
        add((rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object)))
    return graph


def rdflib_term(term: ox.Term):
    """An RDF term as rdflib's (plain strings untyped, as rdflib's parsers give them)."""
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return rdflib.Literal(term.value)  # as rdflib's parsers give a plain string
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"unsupported RDF term {term!r}")


@lru_cache(maxsize=512)
def prepared_query(text: str, namespaces: tuple[tuple[str, str], ...]):
    """A SPARQL text parsed once by rdflib (parsing costs several milliseconds per call)."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text, initNs=dict(namespaces))


@cache
def _query_caching_graph_class():
    """rdflib.Graph whose query() parses each SPARQL text once.

    pyshacl sends the same query text for every focus node (SPARQL-based constraints,
    sh:class lookups) and rdflib would parse it anew each time; with the parsed query cached,
    the per-node cost is only its evaluation.
    """
    import rdflib

    class QueryCachingGraph(rdflib.Graph):
        def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
                  initBindings=None, use_store_provided=True, **kwargs):
            if isinstance(query_object, str) and processor == "sparql" and not kwargs:
                namespaces = initNs if initNs is not None else dict(self.namespaces())
                key = tuple(sorted((str(k), str(v)) for k, v in namespaces.items()))
                query_object = prepared_query(query_object, key)
            return super().query(query_object, processor, result, initNs, initBindings,
                                 use_store_provided, **kwargs)

    return QueryCachingGraph


def shacl_report(data: rdflib.Graph, shapes: rdflib.Graph, *, focus_nodes: list[str] | None) -> rdflib.Graph:
    """pyshacl's report graph: no inference, never in place, warnings and infos not blocking."""
    import pyshacl

    _, report_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        inplace=False,
        allow_warnings=True,
        allow_infos=True,
        focus_nodes=focus_nodes,
    )
    return report_graph
