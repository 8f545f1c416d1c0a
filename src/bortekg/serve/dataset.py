"""The dataset of a protocol request: ``default-graph-uri`` and ``named-graph-uri``.

Without them a query sees the union of the store's content graphs as its default graph (the
knowledge base, the ontology, accepted submissions, inferred triples) and each of them as a
named graph, exactly as ``bortekg query`` does. With them (SPARQL 1.1 Protocol, section 2.1.4)
the request names its own dataset, which replaces any FROM / FROM NAMED of the query; only
graphs of this store may be named.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from bortekg.store import KnowledgeGraph


class ForeignGraph(ValueError):
    """A dataset parameter names a graph this store does not hold (HTTP 400)."""


@dataclass(frozen=True)
class ProtocolDataset:
    """The graphs a request names: its default graph is their merge; its named graphs are
    those a GRAPH clause can reach (none named: none reachable)."""

    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]

    @classmethod
    def from_parameters(cls, default_graph_uris: Sequence[str], named_graph_uris: Sequence[str],
                        known: Collection[str]) -> ProtocolDataset | None:
        """The dataset the parameters name (None when they name none); ForeignGraph for a graph
        that is not one of ``known``."""
        if not default_graph_uris and not named_graph_uris:
            return None
        for parameter, uris in (("default-graph-uri", default_graph_uris), ("named-graph-uri", named_graph_uris)):
            for uri in uris:
                if uri not in known:
                    listing = ", ".join(sorted(known)) or "none"
                    raise ForeignGraph(f"{parameter}={uri} is not a graph of this store; "
                                       f"name one of: {listing}")
        return cls(tuple(dict.fromkeys(default_graph_uris)), tuple(dict.fromkeys(named_graph_uris)))


class DatasetView:
    """A read-only graph whose queries run over a request's dataset, for ``EmbeddedEngine``:
    it asks only for ``store_dir`` (None: the child is forked), ``content_graphs`` (the graph
    names a FROM may use) and ``query``."""

    store_dir = None

    def __init__(self, kg: KnowledgeGraph, dataset: ProtocolDataset) -> None:
        if kg.store_dir is not None:
            raise ValueError("a request's dataset is served from the in-memory snapshot only")
        self.kg = kg
        self.dataset = dataset

    def content_graphs(self) -> list[ox.NamedNode]:
        return self.kg.content_graphs()

    def query(self, sparql: str, *, use_query_dataset: bool = False) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        # the protocol's dataset wins over the query's FROM clauses (``use_query_dataset``)
        return self.kg.store.query(
            sparql,
            default_graph=[ox.NamedNode(g) for g in self.dataset.default_graphs],
            named_graphs=[ox.NamedNode(g) for g in self.dataset.named_graphs],
        )
