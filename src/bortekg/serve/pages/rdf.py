"""A node's description as RDF, for clients that dereference its IRI asking for Turtle or JSON-LD."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.serve.pages.negotiation import JSON_LD, TURTLE
from bortekg.store import KnowledgeGraph

_FORMATS = {TURTLE: ox.RdfFormat.TURTLE, JSON_LD: ox.RdfFormat.JSON_LD}
_LABEL = ox.NamedNode(ns.RDFS + "label")
_TITLE = ox.NamedNode(ns.DCTERMS + "title")
_DERIVED_FROM = ns.PROV + "wasDerivedFrom"


def _outgoing(kg: KnowledgeGraph, subject: ox.NamedNode | ox.BlankNode,
              predicate: ox.NamedNode | None = None) -> Iterator[ox.Triple]:
    for graph in kg.content_graphs():
        for quad in kg.store.quads_for_pattern(subject, predicate, None, graph):
            yield quad.triple


def has_description(kg: KnowledgeGraph, iri: str) -> bool:
    """Whether the graph says anything about ``iri`` (as a subject)."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    return next(_outgoing(kg, node), None) is not None


def description_triples(kg: KnowledgeGraph, iri: str) -> list[ox.Triple]:
    """The node's concise bounded description (its statements, blank nodes followed), the
    labels of the nodes it points at, and for a claim its evidence: the statements of its
    parts (its other ``bkc:`` nodes) and its source document's label and title."""
    node = ox.NamedNode(iri)
    found: dict[ox.Triple, None] = {}
    pending: list[ox.NamedNode | ox.BlankNode] = [node]
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    while pending:
        subject = pending.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for triple in _outgoing(kg, subject):
            found[triple] = None
            target = triple.object
            is_part = (isinstance(target, ox.NamedNode) and subject == node and iri.startswith(ns.BKC)
                       and target.value.startswith(ns.BKC))
            if isinstance(target, ox.BlankNode) or is_part:
                pending.append(target)
    for triple in list(found):
        target = triple.object
        if isinstance(target, ox.NamedNode) and target not in seen:
            for label in _outgoing(kg, target, _LABEL):
                found[label] = None
            if triple.predicate.value == _DERIVED_FROM:
                for title in _outgoing(kg, target, _TITLE):
                    found[title] = None
    return list(found)


def serialise(triples: list[ox.Triple], media_type: str) -> bytes:
    """Turtle (with the project's prefixes) or JSON-LD."""
    rdf_format = _FORMATS[media_type]
    prefixes = ns.PREFIXES if rdf_format == ox.RdfFormat.TURTLE else None
    return ox.serialize(sorted(triples, key=str), None, rdf_format, prefixes=prefixes) or b""
