"""Resolve what a user types (a label, a synonym, a brand name, a CURIE or an IRI, or failing
those the best search match) to one graph node. ``describe``, ``assess``, ``paths`` and
``search`` share this look-up."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.search import DEFINITION, WORDS, Hit, SearchIndex, fold
from bortekg.store import KnowledgeGraph

NAME_MATCH = WORDS  # prefix and word matches both rank at or above it

#: The index of names, identifiers and definitions (the older name is kept for callers).
NameIndex = SearchIndex

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
class Resolution:
    """The node a term resolved to; ``exact`` is False when it is the best search match, in
    which case ``hit`` says what matched and ``others`` the runners-up."""

    iri: str
    exact: bool
    hit: Hit | None = None
    others: tuple[Hit, ...] = ()
    brand_name: bool = False

    def note(self, term: str) -> str | None:
        """A one-line note for a user when the term was a brand name or not an exact name, else None."""
        if self.brand_name:
            return (f"{term!r} is a brand name of {ns.curie(self.iri)}, from the verified cross-reference "
                    "table: a name to look it up by, not a fact of the graph")
        if self.exact or self.hit is None:
            return None
        text = (f"{term!r} is not an exact name; read as {self.hit.label!r} ({self.hit.curie}, "
                f"{self.hit.rank_name} on {self.hit.matched!r})")
        if self.others:
            text += "; other matches: " + ", ".join(f"{h.label!r}" for h in self.others)
        return text


_UNNAMEABLE = re.compile(r"[\x00-\x1f\x7f<>]")


def _valid_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def lookup(kg: KnowledgeGraph, term: str, index: SearchIndex | None = None, *,
           definitions: bool = True) -> Resolution:
    """Resolve ``term``: an IRI or CURIE of the graph, a standard identifier, an exact label
    (before a synonym or brand name), else the single best search match (a match in a
    definition only when ``definitions``).

    Raises UnknownTermError (with spelling suggestions) when nothing matches, and
    AmbiguousTermError when two nodes share the best match.
    """
    term = term.strip()
    if _UNNAMEABLE.search(term):
        # a control character or an angle bracket is in no name: never read as a best match
        raise UnknownTermError(term, [])
    expanded = ns.expand(term)
    if expanded is not None and not _valid_iri(expanded):
        expanded = None  # not an IRI (spaces ...): looked up as a name, then unknown
    if expanded is not None:
        node = ox.NamedNode(expanded)
        if next(iter(kg.store.quads_for_pattern(node, None, None)), None) is not None:
            return Resolution(expanded, True)
        # a standard identifier: find the node mapped to it
        mapped = sorted({
            row["node"].value
            for row in kg.query(_MAPPED_QUERY, bindings={"target": node})
            if isinstance(row["node"], ox.NamedNode)
        })
        if len(mapped) == 1:
            return Resolution(mapped[0], True)
        if len(mapped) > 1:
            raise AmbiguousTermError(term, [ns.curie(m) for m in mapped])
    # the names alone answer an exact name; definitions and weights only rank a search
    index = index or SearchIndex.build(kg, ranked=False)
    nodes = index.by_name.get(fold(term), set())
    if len(nodes) == 1:
        node = next(iter(nodes))
        return Resolution(node, True, brand_name=(fold(term), node) in index.brands)
    if len(nodes) > 1:
        raise AmbiguousTermError(term, sorted(ns.curie(n) for n in nodes))
    index.rank(kg)
    hits = [h for h in index.search(term) if definitions or h.rank != DEFINITION]
    if not hits:
        raise UnknownTermError(term, index.suggest(term))
    # Not an exact name: take the node the graph refers to most among the name matches
    # (prefix or words), else among the definition matches. "neuropathy" is the start of
    # "neuropathy improvement" but names bortezomib-induced peripheral neuropathy far more often.
    best_rank = NAME_MATCH if hits[0].rank <= NAME_MATCH else DEFINITION
    candidates = sorted((h for h in hits if (h.rank <= NAME_MATCH) == (best_rank == NAME_MATCH)),
                        key=lambda h: (-h.weight, h.rank, len(h.label), h.label.casefold()))
    best, others = candidates[0], tuple(candidates[1:4])
    if others and others[0].weight == best.weight and others[0].rank == best.rank:
        tied = [h for h in candidates if (h.weight, h.rank) == (best.weight, best.rank)]
        raise AmbiguousTermError(term, [f"{h.label} ({h.curie})" for h in tied])
    return Resolution(best.iri, False, best, others)


def resolve(kg: KnowledgeGraph, term: str, index: SearchIndex | None = None) -> str:
    """Return the IRI a term names, or raise UnknownTermError / AmbiguousTermError."""
    return lookup(kg, term, index).iri
