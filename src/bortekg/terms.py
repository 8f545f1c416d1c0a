"""Resolve what a user types (a label, a synonym, a CURIE or an IRI) to a graph node."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.store import KnowledgeGraph

_NAMES_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?node ?name ?kind WHERE {
  { ?node rdfs:label ?name . BIND("label" AS ?kind) }
  UNION
  { ?node skos:altLabel ?name . BIND("synonym" AS ?kind) }
}
"""

_MAPPED_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?target ?node WHERE {
  { ?node skos:exactMatch ?target } UNION { ?node skos:closeMatch ?target }
}
"""


class UnknownTermError(LookupError):
    """No node matches the term; ``suggestions`` holds the closest known names."""

    def __init__(self, term: str, suggestions: list[str]) -> None:
        self.term = term
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown term {term!r}{hint}")


class AmbiguousTermError(LookupError):
    def __init__(self, term: str, candidates: list[str]) -> None:
        self.term = term
        self.candidates = candidates
        super().__init__(
            f"{term!r} names several nodes: {', '.join(candidates)}; use a CURIE to pick one"
        )


@dataclass(frozen=True)
class NameIndex:
    """Every label and synonym of the graph, folded to lower case."""

    by_name: dict[str, set[str]]
    display: dict[str, str]

    @classmethod
    def build(cls, kg: KnowledgeGraph) -> NameIndex:
        by_name: dict[str, set[str]] = {}
        display: dict[str, str] = {}
        labelled: set[tuple[str, str]] = set()
        for row in kg.query(_NAMES_QUERY):
            node = row["node"]
            if not isinstance(node, ox.NamedNode):
                continue
            key = _fold(row["name"].value)
            # a label outranks a synonym: keep labels first when both exist
            if row["kind"].value == "label":
                labelled.add((key, node.value))
            by_name.setdefault(key, set()).add(node.value)
            display.setdefault(key, row["name"].value)
        # where a name is one node's label and another's synonym, the label wins
        for key, nodes in by_name.items():
            owners = {iri for (k, iri) in labelled if k == key}
            if owners and len(nodes) > 1:
                by_name[key] = owners
        return cls(by_name, display)

    def suggest(self, term: str, n: int = 3) -> list[str]:
        matches = difflib.get_close_matches(_fold(term), list(self.by_name), n=n, cutoff=0.6)
        return [self.display[m] for m in matches]


def _valid_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def resolve(kg: KnowledgeGraph, term: str, index: NameIndex | None = None) -> str:
    """Return the IRI a term names, or raise UnknownTermError / AmbiguousTermError."""
    term = term.strip()
    expanded = ns.expand(term)
    if expanded is not None and not _valid_iri(expanded):
        expanded = None  # not an IRI (``<x>``, spaces ...): looked up as a name, then unknown
    if expanded is not None:
        node = ox.NamedNode(expanded)
        if next(iter(kg.store.quads_for_pattern(node, None, None)), None) is not None:
            return expanded
        # a standard identifier: find the node mapped to it
        mapped = [
            row["node"].value
            for row in kg.query(_MAPPED_QUERY, bindings={"target": node})
            if isinstance(row["node"], ox.NamedNode)
        ]
        if len(mapped) == 1:
            return mapped[0]
        if len(mapped) > 1:
            raise AmbiguousTermError(term, sorted(ns.curie(m) for m in mapped))
    index = index or NameIndex.build(kg)
    nodes = index.by_name.get(_fold(term), set())
    if len(nodes) == 1:
        return next(iter(nodes))
    if len(nodes) > 1:
        raise AmbiguousTermError(term, sorted(ns.curie(n) for n in nodes))
    raise UnknownTermError(term, index.suggest(term))
