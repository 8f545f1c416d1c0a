"""Find graph nodes by what a person types: labels, synonyms, brand names, standard
identifiers and definitions, ranked, with suggestions when nothing matches.

Ranking, best first (a node takes its best match):

0. exact label, exact standard identifier (CURIE) or IRI
1. exact synonym (``skos:altLabel``, or a verified brand name)
2. a label or synonym that starts with the text
3. a label or synonym that holds every word of the text
4. a definition that holds every word of the text

Within a rank, nodes that more statements point at come first (a drug that many claims name
before a rarely used finding), then shorter labels, then labels in alphabetical order.

Brand names come only from rows of the verified cross-reference table
(``ontology/verified-xrefs.tsv``) whose vocabulary is a brand name; they are names to look
a node up by, never facts of the graph.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg import resources
from bortekg.store import KnowledgeGraph

#: Rank numbers and their names, as reported with each hit.
RANKS = ("exact label", "exact synonym", "prefix", "word match", "definition match")
EXACT_LABEL, EXACT_SYNONYM, PREFIX, WORDS, DEFINITION = range(len(RANKS))

_NAMES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?node ?name ?kind WHERE {
  { ?node rdfs:label ?name . BIND("label" AS ?kind) }
  UNION { ?node skos:altLabel ?name . BIND("synonym" AS ?kind) }
  UNION { { ?node skos:exactMatch ?name } UNION { ?node skos:closeMatch ?name } BIND("identifier" AS ?kind) }
}
"""

_DEFINITIONS_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?node ?definition WHERE { ?node skos:definition ?definition }
"""

# How many statements point at each node (types aside): the tie-break within a rank.
_WEIGHT_QUERY = """
SELECT ?node (COUNT(*) AS ?n) WHERE {
  ?s ?p ?node . FILTER(isIRI(?node) && ?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>)
} GROUP BY ?node
"""

_BRAND_VOCABULARY = "brand name"
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Case- and spacing-insensitive form of a name."""
    return " ".join(text.casefold().split())


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))


@dataclass(frozen=True)
class Name:
    node: str
    text: str
    kind: str  # label, synonym, brand name or identifier


@dataclass(frozen=True)
class Hit:
    """One node found, with the name (or definition) that matched and how."""

    iri: str
    curie: str
    label: str
    rank: int
    matched: str
    field: str  # label, synonym, brand name, identifier or definition
    weight: int

    @property
    def rank_name(self) -> str:
        return RANKS[self.rank]

    @property
    def exact(self) -> bool:
        return self.rank <= EXACT_SYNONYM

    def sort_key(self) -> tuple[int, int, int, str]:
        return (self.rank, -self.weight, len(self.label), self.label.casefold())

    def as_dict(self) -> dict[str, str | int]:
        return {"curie": self.curie, "iri": self.iri, "label": self.label, "rank": self.rank,
                "match": self.rank_name, "field": self.field, "matched": self.matched}


@dataclass
class SearchIndex:
    """Every name, identifier and definition of the graph, for look-up and search."""

    names: list[Name] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    weights: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, set[str]] = field(default_factory=dict)
    display: dict[str, str] = field(default_factory=dict)
    #: (folded name, node) of every brand name, to say so when a term is one
    brands: set[tuple[str, str]] = field(default_factory=set)
    #: whether the definitions and weights are in (``build`` leaves them out when asked; an
    #: index made by hand holds what it was given)
    ranked: bool = True

    @classmethod
    def build(cls, kg: KnowledgeGraph, *, ranked: bool = True) -> SearchIndex:
        """The index of ``kg``; with ``ranked`` False, only the names, enough for exact look-ups
        (``by_name``): ``rank`` adds the definitions and weights that ``search`` needs."""
        index = cls(ranked=False)
        for row in kg.query(_NAMES_QUERY):
            node, value, kind = row["node"], row["name"], row["kind"].value
            if not isinstance(node, ox.NamedNode):
                continue
            if kind == "identifier":
                if isinstance(value, ox.NamedNode):
                    index.names.append(Name(node.value, ns.curie(value.value), kind))
            else:
                if kind == "label":
                    index.labels.setdefault(node.value, value.value)
                index.names.append(Name(node.value, value.value, kind))
        index.names += brand_names(index.labels)
        index._index_exact_names()
        if ranked:
            index.rank(kg)
        return index

    def rank(self, kg: KnowledgeGraph) -> None:
        """Add the definitions and the weights (statements pointing at each node) of ``kg``."""
        if self.ranked:
            return
        for row in kg.query(_DEFINITIONS_QUERY):
            if isinstance(row["node"], ox.NamedNode):
                self.definitions.setdefault(row["node"].value, row["definition"].value)
        for row in kg.query(_WEIGHT_QUERY):
            self.weights[row["node"].value] = int(row["n"].value)
        self.ranked = True

    def _index_exact_names(self) -> None:
        """Exact look-up table; where a name is one node's label and another's synonym, the label wins."""
        labelled: dict[str, set[str]] = {}
        for name in self.names:
            if name.kind == "identifier":
                continue
            key = fold(name.text)
            self.by_name.setdefault(key, set()).add(name.node)
            self.display.setdefault(key, name.text)
            if name.kind == "label":
                labelled.setdefault(key, set()).add(name.node)
            elif name.kind == "brand name":
                self.brands.add((key, name.node))
        for key, owners in labelled.items():
            self.by_name[key] = owners

    def label(self, iri: str) -> str:
        return self.labels.get(iri, ns.curie(iri))

    def search(self, text: str, limit: int | None = None) -> list[Hit]:
        """Nodes matching ``text``, best first (see the module's ranking)."""
        key = fold(text)
        if not key:
            return []
        query_words = words(key)
        best: dict[str, Hit] = {}

        def offer(node: str, rank: int, matched: str, where: str) -> None:
            hit = Hit(node, ns.curie(node), self.label(node), rank, matched, where, self.weights.get(node, 0))
            # the better rank wins; on a tie, a label says it best
            if (node not in best or hit.rank < best[node].rank
                    or (hit.rank == best[node].rank and where == "label" != best[node].field)):
                best[node] = hit

        expanded = ns.expand(text.strip())
        if expanded is not None and expanded in self.labels:
            offer(expanded, EXACT_LABEL, ns.curie(expanded), "identifier")
        for name in self.names:
            folded = fold(name.text)
            if folded == key:
                exact = EXACT_LABEL if name.kind in ("label", "identifier") else EXACT_SYNONYM
                offer(name.node, exact, name.text, name.kind)
            elif folded.startswith(key):
                offer(name.node, PREFIX, name.text, name.kind)
            elif query_words and query_words <= words(folded):
                offer(name.node, WORDS, name.text, name.kind)
        if query_words:
            for node, definition in self.definitions.items():
                if node not in best and query_words <= words(definition):
                    offer(node, DEFINITION, definition, "definition")
        hits = sorted(best.values(), key=Hit.sort_key)
        return hits[:limit] if limit is not None else hits

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """The known names closest in spelling to ``text``."""
        matches = difflib.get_close_matches(fold(text), list(self.by_name), n=n, cutoff=0.6)
        return [self.display[m] for m in matches]


def brand_names(labels: dict[str, str]) -> list[Name]:
    """Brand names of the verified cross-reference table, as names of the nodes they belong to."""
    path = resources.ontology_dir() / "verified-xrefs.tsv"
    by_label: dict[str, list[str]] = {}
    for node, label in labels.items():
        by_label.setdefault(fold(label), []).append(node)
    found = []
    with path.open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t"):
            if _BRAND_VOCABULARY not in row["vocabulary"].casefold():
                continue
            for node in by_label.get(fold(row["entity_label"]), []):
                found.append(Name(node, row["id"].strip(), "brand name"))
    return found


def search(kg: KnowledgeGraph, text: str, limit: int | None = None,
           index: SearchIndex | None = None) -> list[Hit]:
    """Search the graph for ``text``; see the module's documentation for the ranking."""
    return (index or SearchIndex.build(kg)).search(text, limit)
