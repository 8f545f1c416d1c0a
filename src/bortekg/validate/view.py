"""What the knowledge rules read: the submission indexed by node, and the graph's terms.

``SubmissionView`` answers "what does the submission say about this node" and "what kind
of node is it" (its types from the submission or, for existing nodes, from the graph, with
their superclasses). ``Schema`` holds what the ontology declares and is read once per gate:
the class hierarchy, the numeric properties and their units, the unit words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.ingest import Submission
from bortekg.sourcetext import normalise
from bortekg.store import KnowledgeGraph

RDF_TYPE = ox.NamedNode(ns.RDF + "type")
SUBCLASS_OF = ox.NamedNode(ns.RDFS + "subClassOf")
LABEL = ox.NamedNode(ns.RDFS + "label")
ALT_LABEL = ox.NamedNode(ns.SKOS + "altLabel")
FIXED_UNIT = ox.NamedNode(ns.BKG + "fixedUnit")
UNIT_GIVEN_BY = ox.NamedNode(ns.BKG + "unitGivenBy")

ONTOLOGY_GRAPH = ox.NamedNode(ns.GRAPH_ONTOLOGY)
META_GRAPH = ox.NamedNode(ns.GRAPH_META)

CLAIM = ns.BKG + "Claim"
CLAIM_PART = ns.BKG + "ClaimPart"
ENTITY = ns.BKG + "BiomedicalEntity"
SOURCE_DOCUMENT = ns.BKG + "SourceDocument"
UNIT = ns.BKG + "Unit"

_NUMERIC_DATATYPES = {ns.XSD + name for name in (
    "decimal", "integer", "int", "long", "short", "double", "float", "nonNegativeInteger",
    "positiveInteger", "gYear")}


@dataclass(frozen=True)
class NumericProperty:
    """A property whose values are numbers, with where its unit comes from."""

    iri: str
    fixed_unit: str | None  # the unit every value of the property has
    unit_property: str | None  # or the property of the same node that names it


@dataclass
class Schema:
    """The ontology's declarations that the rules need, read once from the graph."""

    superclasses: dict[str, frozenset[str]]
    numeric: dict[str, NumericProperty]
    unit_words: dict[str, tuple[str, ...]]  # unit IRI -> its labels, normalised, longest first
    schema_terms: frozenset[str]  # every class, property and datatype the ontology declares

    @classmethod
    def of(cls, kg: KnowledgeGraph) -> Schema:
        store = kg.store
        parents: dict[str, set[str]] = defaultdict(set)
        for quad in store.quads_for_pattern(None, SUBCLASS_OF, None, ONTOLOGY_GRAPH):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
                parents[quad.subject.value].add(quad.object.value)
        superclasses = {c: frozenset(_closure(c, parents)) for c in parents}
        numeric: dict[str, NumericProperty] = {}
        for predicate in (FIXED_UNIT, UNIT_GIVEN_BY):
            for quad in store.quads_for_pattern(None, predicate, None, ONTOLOGY_GRAPH):
                prop = quad.subject.value
                current = numeric.get(prop) or NumericProperty(prop, None, None)
                if predicate == FIXED_UNIT:
                    current = NumericProperty(prop, quad.object.value, current.unit_property)
                else:
                    current = NumericProperty(prop, current.fixed_unit, quad.object.value)
                numeric[prop] = current
        unit_words: dict[str, set[str]] = defaultdict(set)
        for quad in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(UNIT), None):
            for predicate in (LABEL, ALT_LABEL):
                for label in store.quads_for_pattern(quad.subject, predicate, None, None):
                    unit_words[quad.subject.value].add(normalise(label.object.value))
        terms = {
            q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, None, ONTOLOGY_GRAPH)
            if isinstance(q.subject, ox.NamedNode) and q.object.value in _SCHEMA_KINDS
        }
        return cls(
            superclasses=superclasses,
            numeric=numeric,
            unit_words={u: tuple(sorted(w, key=len, reverse=True)) for u, w in unit_words.items()},
            schema_terms=frozenset(terms),
        )

    def is_a(self, classes: Iterable[str], ancestor: str) -> bool:
        return any(c == ancestor or ancestor in self.superclasses.get(c, ()) for c in classes)

    def with_superclasses(self, classes: Iterable[str]) -> set[str]:
        found = set()
        for c in classes:
            found.add(c)
            found.update(self.superclasses.get(c, ()))
        return found


_SCHEMA_KINDS = {
    ns.OWL + "Class", ns.RDFS + "Class", ns.RDFS + "Datatype", ns.OWL + "ObjectProperty",
    ns.OWL + "DatatypeProperty", ns.OWL + "AnnotationProperty", ns.RDF + "Property",
    ns.OWL + "Ontology",
}


def _closure(start: str, parents: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(parents.get(start, ()))
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(parents.get(current, ()))
    return seen


@dataclass
class SubmissionView:
    """The submission by node, and the graph as the rules read it."""

    submission: Submission
    kg: KnowledgeGraph
    schema: Schema
    by_subject: dict[ox.NamedNode, list[ox.Triple]] = field(init=False)

    def __post_init__(self) -> None:
        grouped: dict[ox.NamedNode, list[ox.Triple]] = defaultdict(list)
        values: dict[tuple[ox.NamedNode, str], list[ox.Term]] = defaultdict(list)
        for triple in self.submission.triples:
            grouped[triple.subject].append(triple)
            values[(triple.subject, triple.predicate.value)].append(triple.object)
        self.by_subject = dict(grouped)
        self._values = dict(values)
        self._types: dict[ox.NamedNode, set[str]] = {}

    # ----------------------------------------------------------------- the submission

    def values(self, node: ox.NamedNode, predicate: str) -> list[ox.Term]:
        """Values the submission gives the node for a predicate, in file order."""
        return self._values.get((node, predicate), [])

    def line(self, node: ox.NamedNode, predicate: str | None = None, obj: ox.Term | None = None) -> int | None:
        """The line of the triple, else of the node's first statement with the predicate, else
        of its first statement (None where the format has no lines)."""
        pred = ox.NamedNode(predicate) if predicate else None
        line = self.submission.first_line(node, pred, obj) if pred is not None and obj is not None else None
        if line is None and pred is not None:
            line = self.submission.first_line(node, pred)
        return line if line is not None else self.submission.first_line(node)

    # ----------------------------------------------------------------- the graph

    def stored_values(self, node: ox.NamedNode, predicate: str) -> list[ox.Term]:
        return [q.object for q in self.kg.store.quads_for_pattern(node, ox.NamedNode(predicate), None)
                if q.graph_name != META_GRAPH]

    def all_values(self, node: ox.NamedNode, predicate: str) -> list[ox.Term]:
        """The submission's values, else the graph's (for nodes the submission points at)."""
        return self.values(node, predicate) or self.stored_values(node, predicate)

    def exists(self, node: ox.NamedNode) -> bool:
        """Whether the graph already describes the node (as a subject, outside the meta graph)."""
        return any(q.graph_name != META_GRAPH for q in self.kg.store.quads_for_pattern(node, None, None))

    def types(self, node: ox.Term) -> set[str]:
        """The node's classes (submitted and stored) with their superclasses."""
        if not isinstance(node, ox.NamedNode):
            return set()
        if node not in self._types:
            direct = {t.value for t in self.values(node, RDF_TYPE.value) if isinstance(t, ox.NamedNode)}
            direct |= {t.value for t in self.stored_values(node, RDF_TYPE.value) if isinstance(t, ox.NamedNode)}
            self._types[node] = self.schema.with_superclasses(direct)
        return self._types[node]

    def label(self, node: ox.Term) -> str | None:
        if not isinstance(node, ox.NamedNode):
            return None
        for term in self.all_values(node, LABEL.value):
            if isinstance(term, ox.Literal):
                return term.value
        return None

    def display(self, node: ox.Term) -> str:
        """A node as a curator reads it: label and CURIE."""
        if isinstance(node, ox.Literal):
            return repr(node.value)
        label = self.label(node)
        curie = ns.curie(node.value) if isinstance(node, ox.NamedNode) else str(node)
        return f"{label} ({curie})" if label else curie

    # ----------------------------------------------------------------- kinds of node

    @cached_property
    def claims(self) -> list[ox.NamedNode]:
        return [n for n in self.by_subject if self.schema.is_a(self.types(n), CLAIM)]

    @cached_property
    def new_nodes(self) -> set[ox.NamedNode]:
        return {n for n in self.by_subject if not self.exists(n)}

    def parts(self, claim: ox.NamedNode) -> list[ox.NamedNode]:
        """The claim's parts given in the submission (conditions, arms, doses ...), recursively."""
        found: list[ox.NamedNode] = []
        todo = [claim]
        while todo:
            node = todo.pop()
            for triple in self.by_subject.get(node, ()):
                target = triple.object
                if (isinstance(target, ox.NamedNode) and target in self.by_subject and target not in found
                        and target != claim and self.schema.is_a(self.types(target), CLAIM_PART)):
                    found.append(target)
                    todo.append(target)
        return found

    def quotes(self, claim: ox.NamedNode) -> list[str]:
        return [t.value for t in self.values(claim, ns.BKG + "evidenceQuote") if isinstance(t, ox.Literal)]

    def literals(self, node: ox.NamedNode) -> Iterator[ox.Triple]:
        for triple in self.by_subject.get(node, ()):
            if isinstance(triple.object, ox.Literal):
                yield triple


def numeric_value(term: ox.Term):
    """A typed number literal as a Decimal (22.0 and 22 are the same value); None otherwise."""
    from decimal import Decimal, InvalidOperation

    if not isinstance(term, ox.Literal) or term.datatype.value not in _NUMERIC_DATATYPES:
        return None
    try:
        return Decimal(term.value)
    except InvalidOperation:
        return None


def number_text(value) -> str:
    """A Decimal as a curator writes it: 22.0 as 22, 0.70 as 0.7, never in exponent form."""
    return format(value.normalize(), "f")
