"""What a reasoning run reads from the knowledge graph: its triples, which of them are
new (submissions, files being checked) and the labels used to explain results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.store import KnowledgeGraph

_CURATED = {ns.GRAPH_ONTOLOGY, ns.GRAPH_KB}
_LABEL = ns.RDFS + "label"


@dataclass(frozen=True)
class ReasoningInput:
    triples: frozenset[ox.Triple]
    #: triples that are not part of the curated ontology and knowledge base
    new: frozenset[ox.Triple]
    labels: dict[str, str]

    @classmethod
    def of(cls, kg: KnowledgeGraph, extra: Iterable[ox.Triple] = ()) -> ReasoningInput:
        curated: set[ox.Triple] = set()
        other: set[ox.Triple] = set()
        for quad in kg.quads(with_inferred=False):
            (curated if quad.graph_name.value in _CURATED else other).add(quad.triple)
        other |= set(extra)
        triples = frozenset(curated | other)
        return cls(triples, frozenset(other - curated), labels_of(triples))

    def named(self, rdf_type: str) -> list[str]:
        """IRIs declared with ``rdf:type rdf_type``."""
        return sorted(
            t.subject.value
            for t in self.triples
            if t.predicate.value == ns.RDF + "type"
            and t.object.value == rdf_type
            and isinstance(t.subject, ox.NamedNode)
        )

    def name(self, iri: str) -> str:
        label = self.labels.get(iri)
        return f"{label} ({ns.curie(iri)})" if label else ns.curie(iri)


def labels_of(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """One label per IRI: the English one where there is a choice."""
    labels: dict[str, str] = {}
    for t in triples:
        if t.predicate.value == _LABEL and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.Literal):
            if t.subject.value not in labels or t.object.language == "en":
                labels[t.subject.value] = t.object.value
    return labels
