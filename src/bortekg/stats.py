"""What the graph holds: triple counts, entities per class, claims per source and per kind."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.store import KnowledgeGraph

_PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX bkg: <https://w3id.org/bortekg/>
"""

_INSTANCES_PER_CLASS = _PREFIXES + """
SELECT ?class ?label (COUNT(DISTINCT ?x) AS ?n) WHERE {
  ?x rdf:type ?class .
  ?class rdf:type owl:Class .
  FILTER(isIRI(?class) && STRSTARTS(STR(?class), "https://w3id.org/bortekg/"))
  OPTIONAL { ?class rdfs:label ?label }
} GROUP BY ?class ?label ORDER BY DESC(?n) ?label
"""

_CLAIMS_PER_SOURCE = _PREFIXES + """
SELECT ?source ?label (COUNT(DISTINCT ?claim) AS ?n) WHERE {
  ?claim rdf:type/rdfs:subClassOf* bkg:Claim ;
         prov:wasDerivedFrom ?source .
  OPTIONAL { ?source rdfs:label ?label }
} GROUP BY ?source ?label ORDER BY DESC(?n)
"""

_CLAIMS_PER_KIND = _PREFIXES + """
SELECT ?kind ?label (COUNT(DISTINCT ?claim) AS ?n) WHERE {
  ?claim rdf:type ?kind .
  ?kind rdfs:subClassOf* bkg:Claim .
  OPTIONAL { ?kind rdfs:label ?label }
} GROUP BY ?kind ?label ORDER BY DESC(?n) ?label
"""

_UNVERIFIED_MAPPINGS = _PREFIXES + """
SELECT ?entity ?label ?mapping WHERE {
  ?entity bkg:unverifiedMapping ?mapping .
  OPTIONAL { ?entity rdfs:label ?label }
} ORDER BY ?entity ?mapping
"""

#: Values to read with care: approximate, read by a convention, derived, or hedged by the source.
_VALUE_CAVEATS = _PREFIXES + """
SELECT ?caveat (COUNT(DISTINCT ?node) AS ?n) WHERE {
  { ?node bkg:approximate true . BIND ("approximate" AS ?caveat) }
  UNION { ?node bkg:valueConvention ?convention . ?convention rdfs:label ?caveat }
  UNION { ?node bkg:derivedProperty ?property . BIND ("derived" AS ?caveat) }
  UNION { ?node bkg:modality ?modality . FILTER (?modality != bkg:modality-stated)
          ?modality rdfs:label ?modalityLabel . BIND (CONCAT("hedged (", ?modalityLabel, ")") AS ?caveat) }
} GROUP BY ?caveat ORDER BY ?caveat
"""

_CLAIM_TOTAL = _PREFIXES + """
SELECT (COUNT(DISTINCT ?claim) AS ?n) WHERE { ?claim rdf:type/rdfs:subClassOf* bkg:Claim }
"""


@dataclass
class Counts:
    """One labelled count: a class, a source or a claim kind."""

    iri: str
    label: str
    count: int


@dataclass
class UnverifiedMapping:
    """A standard identifier a submission gave an entity without a verified table row."""

    entity: str
    label: str
    mapping: str


@dataclass
class GraphStats:
    triples: int
    triples_per_graph: dict[str, int]
    claims: int
    entities_per_class: list[Counts] = field(default_factory=list)
    claims_per_source: list[Counts] = field(default_factory=list)
    claims_per_kind: list[Counts] = field(default_factory=list)
    #: Mappings accepted as unverified (not in the verified cross-reference table).
    unverified_mappings: list[UnverifiedMapping] = field(default_factory=list)
    #: Nodes per caveat: approximate, each value convention, derived, hedged (see `cq run value-caveats`).
    value_caveats: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        def rows(items: list[Counts]) -> list[dict]:
            return [{"iri": c.iri, "curie": ns.curie(c.iri), "label": c.label, "count": c.count} for c in items]

        return {
            "triples": self.triples,
            "triples_per_graph": self.triples_per_graph,
            "claims": self.claims,
            "entities_per_class": rows(self.entities_per_class),
            "claims_per_source": rows(self.claims_per_source),
            "claims_per_kind": rows(self.claims_per_kind),
            "unverified_mappings": [
                {"entity": m.entity, "curie": ns.curie(m.entity), "label": m.label, "mapping": m.mapping,
                 "mapping_curie": ns.curie(m.mapping)} for m in self.unverified_mappings],
            "value_caveats": self.value_caveats,
        }


def _counts(kg: KnowledgeGraph, sparql: str, key: str) -> list[Counts]:
    result = []
    for row in kg.query(sparql):
        iri = row[key].value
        label = row["label"].value if row["label"] is not None else ns.curie(iri)
        result.append(Counts(iri, label, int(row["n"].value)))
    return result


def triples_per_graph(kg: KnowledgeGraph) -> dict[str, int]:
    """How many triples each content graph holds, counted by the engine over the store's index
    for that graph (no triple is copied into Python)."""
    counts = {}
    for graph in kg.content_graphs():
        solutions = kg.store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        counts[graph.value] = int(next(iter(solutions))["n"].value)
    return counts


def distinct_triples(kg: KnowledgeGraph, per_graph: dict[str, int]) -> int:
    """The triples of the union of the content graphs (a triple in two graphs counts once).

    The sum of the graphs' counts, less each triple of a smaller graph that a graph counted
    before it also holds: only the smaller graphs are read, a lookup per triple, never the
    largest (the knowledge base, millions of triples on a grown store).
    """
    graphs = sorted(per_graph, key=lambda g: (-per_graph[g], g))
    total = sum(per_graph.values())
    for position, name in enumerate(graphs[1:], start=1):
        earlier = [ox.NamedNode(g) for g in graphs[:position]]
        for quad in kg.store.quads_for_pattern(None, None, None, ox.NamedNode(name)):
            if any(ox.Quad(quad.subject, quad.predicate, quad.object, g) in kg.store for g in earlier):
                total -= 1
    return total


def graph_stats(kg: KnowledgeGraph) -> GraphStats:
    per_graph = triples_per_graph(kg)
    total = next(iter(kg.query(_CLAIM_TOTAL)))["n"]
    return GraphStats(
        triples=distinct_triples(kg, per_graph),
        triples_per_graph=per_graph,
        claims=int(total.value),
        entities_per_class=_counts(kg, _INSTANCES_PER_CLASS, "class"),
        claims_per_source=_counts(kg, _CLAIMS_PER_SOURCE, "source"),
        claims_per_kind=_counts(kg, _CLAIMS_PER_KIND, "kind"),
        unverified_mappings=[
            UnverifiedMapping(row["entity"].value,
                              row["label"].value if row["label"] is not None else ns.curie(row["entity"].value),
                              row["mapping"].value)
            for row in kg.query(_UNVERIFIED_MAPPINGS)],
        value_caveats={row["caveat"].value: int(row["n"].value) for row in kg.query(_VALUE_CAVEATS)},
    )
