"""The logical content of a graph, as the reasoners see it.

Annotations (labels, definitions, quotes held in annotation properties) carry no OWL
semantics, so they are left out: HermiT parses the rest much faster. ``owl:imports`` is
always left out, so no reasoner ever fetches anything.

For explanations the triples are grouped into axioms: one triple with a named subject,
together with the blank-node class expression its object opens (restrictions, lists), or
a blank-node axiom of its own (``owl:AllDisjointClasses``). Declarations (``a owl:Class``
and the like) are kept apart: they cannot cause a contradiction, and every subset the
explanation search tries needs those of its own vocabulary.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from bortekg import namespaces as ns

RDF_TYPE = ox.NamedNode(ns.RDF + "type")
OWL_IMPORTS = ox.NamedNode(ns.OWL + "imports")

#: Annotation properties built into RDFS and OWL (others are declared in the graph).
BUILT_IN_ANNOTATIONS = frozenset(
    ns.RDFS + name for name in ("label", "comment", "seeAlso", "isDefinedBy")
) | frozenset(
    ns.OWL + name
    for name in ("versionInfo", "deprecated", "priorVersion", "backwardCompatibleWith", "incompatibleWith")
)

#: Types whose assertion only declares an entity.
DECLARATION_TYPES = frozenset(
    ns.OWL + name
    for name in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "NamedIndividual", "Ontology")
) | {ns.RDFS + "Datatype"}


def logical_triples(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples that carry OWL semantics: no annotations, no owl:imports."""
    triples = list(triples)
    annotation = set(BUILT_IN_ANNOTATIONS)
    annotation.update(
        t.subject.value
        for t in triples
        if t.predicate == RDF_TYPE and t.object == ox.NamedNode(ns.OWL + "AnnotationProperty")
    )
    return [t for t in triples if t.predicate.value not in annotation and t.predicate != OWL_IMPORTS]


def to_ntriples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)


@dataclass(frozen=True)
class Axiom:
    """One OWL axiom as RDF: its main triple first, then the blank-node structure it uses."""

    triples: tuple[ox.Triple, ...]

    @property
    def main(self) -> ox.Triple:
        return self.triples[0]

    def signature(self) -> set[ox.NamedNode]:
        """Every IRI the axiom mentions (vocabulary terms such as rdf:type included)."""
        names: set[ox.NamedNode] = set()
        for t in self.triples:
            for term in (t.subject, t.predicate, t.object):
                if isinstance(term, ox.NamedNode):
                    names.add(term)
        return names


def is_declaration(triple: ox.Triple) -> bool:
    return triple.predicate == RDF_TYPE and triple.object.value in DECLARATION_TYPES


@dataclass(frozen=True)
class AxiomSet:
    """A graph split into declarations (by subject) and axioms."""

    declarations: dict[ox.NamedNode, tuple[ox.Triple, ...]]
    axioms: tuple[Axiom, ...]

    @classmethod
    def of(cls, triples: Iterable[ox.Triple]) -> AxiomSet:
        triples = list(triples)
        by_subject: dict[ox.BlankNode, list[ox.Triple]] = defaultdict(list)
        referenced: set[ox.BlankNode] = set()
        for t in triples:
            if isinstance(t.subject, ox.BlankNode):
                by_subject[t.subject].append(t)
            if isinstance(t.object, ox.BlankNode):
                referenced.add(t.object)

        def closure(start: ox.Term) -> list[ox.Triple]:
            found: list[ox.Triple] = []
            stack = [start] if isinstance(start, ox.BlankNode) else []
            seen: set[ox.BlankNode] = set()
            while stack:
                node = stack.pop()
                if node in seen:
                    continue
                seen.add(node)
                for t in by_subject.get(node, []):
                    found.append(t)
                    if isinstance(t.object, ox.BlankNode):
                        stack.append(t.object)
            return found

        declarations: dict[ox.NamedNode, list[ox.Triple]] = defaultdict(list)
        axioms: list[Axiom] = []
        for t in triples:
            if isinstance(t.subject, ox.BlankNode):
                continue
            if is_declaration(t):
                declarations[t.subject].append(t)
            else:
                axioms.append(Axiom((t, *closure(t.object))))
        # blank-node axioms nobody points to, such as owl:AllDisjointClasses
        for root in by_subject:
            if root not in referenced:
                found = closure(root)
                axioms.append(Axiom(tuple(found)))
        return cls({k: tuple(v) for k, v in declarations.items()}, tuple(axioms))

    def document(self, axioms: Iterable[Axiom], names: Iterable[ox.NamedNode] = ()) -> bytes:
        """N-Triples for a subset of the axioms with the declarations of its vocabulary
        (and of ``names``)."""
        triples: list[ox.Triple] = []
        names = set(names)
        for axiom in axioms:
            triples.extend(axiom.triples)
            names |= axiom.signature()
        for name in names:
            triples.extend(self.declarations.get(name, ()))
        return to_ntriples(triples)
