"""The vocabulary check that runs before SHACL: every term a submission uses must be known.

Known terms are the classes, properties and datatypes the ontology declares, and the terms
of the standard vocabularies it builds on (RDF, RDFS, OWL, XSD, SKOS, PROV, Dublin Core
terms), whose term lists come from rdflib. A node of the project's namespaces that a
submission points at must exist, in the submission or in the graph. Each unknown term is
reported with its line and the closest known terms.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.ingest import Submission
from bortekg.store import KnowledgeGraph

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_NOT_REFERENCES = {ns.RDF + "type", ns.OWL + "versionIRI"}

_CLASS_KINDS = {ns.OWL + "Class", ns.RDFS + "Class"}
_DATATYPE_KINDS = {ns.RDFS + "Datatype"}
_PROPERTY_KINDS = {
    ns.OWL + "ObjectProperty", ns.OWL + "DatatypeProperty", ns.OWL + "AnnotationProperty",
    ns.RDF + "Property",
}

#: Datatypes of the RDF namespace (the other RDF terms with a capital are classes).
_RDF_DATATYPES = {"langString", "HTML", "XMLLiteral", "JSON", "dirLangString", "CompoundLiteral"}

#: The project's own namespaces, whose nodes must exist when a submission points at them.
PROJECT_NAMESPACES = (ns.BKE, ns.BKC, ns.BKS, ns.BKG)


@dataclass(frozen=True)
class VocabularyIssue:
    """An unknown (or misused) term, on the triple where it first appears."""

    subject: ox.NamedNode
    predicate: ox.NamedNode
    object: ox.Term
    term: ox.NamedNode
    message: str
    line: int | None


@dataclass(frozen=True)
class KnownTerms:
    """Classes, properties and datatypes a submission may use."""

    classes: frozenset[str]
    properties: frozenset[str]
    datatypes: frozenset[str]

    @classmethod
    def of(cls, kg: KnowledgeGraph) -> KnownTerms:
        classes, properties, datatypes = _standard_terms()
        ontology = ox.NamedNode(ns.GRAPH_ONTOLOGY)
        for quad in kg.store.quads_for_pattern(None, _RDF_TYPE, None, ontology):
            if not isinstance(quad.subject, ox.NamedNode):
                continue
            kind, term = quad.object.value, quad.subject.value
            if kind in _CLASS_KINDS:
                classes.add(term)
            elif kind in _DATATYPE_KINDS:
                datatypes.add(term)
            elif kind in _PROPERTY_KINDS:
                properties.add(term)
        return cls(frozenset(classes), frozenset(properties), frozenset(datatypes))

    @cached_property
    def terms(self) -> frozenset[str]:
        """Every known class, property and datatype (built once, not for each look-up)."""
        return self.classes | self.properties | self.datatypes

    @cached_property
    def _curies(self) -> dict[str, list[str]]:
        return {
            "class": sorted(ns.curie(t) for t in self.classes),
            "property": sorted(ns.curie(t) for t in self.properties),
            "datatype": sorted(ns.curie(t) for t in self.datatypes),
        }

    def suggest(self, iri: str, kind: str, n: int = 3) -> list[str]:
        """The known terms of a kind closest to an unknown one, as CURIEs."""
        return suggest(ns.curie(iri), self._curies[kind], n=n)


def suggest(name: str, candidates: list[str], *, n: int = 3) -> list[str]:
    """Close matches on the whole CURIE, else on the local name (a term in the wrong namespace);
    only those about as close as the best one, so that a clear typo gets one answer."""
    folded = {c.casefold(): c for c in candidates}
    if name.casefold() in folded:
        return [folded[name.casefold()]]
    matches = _closest(name, candidates, n=n, cutoff=0.75)
    if matches:
        return matches
    by_local: dict[str, list[str]] = {}
    for candidate in candidates:
        by_local.setdefault(_local_name(candidate), []).append(candidate)
    close = _closest(_local_name(name), list(by_local), n=n, cutoff=0.8)
    return [c for local in close for c in by_local[local]][:n]


def _closest(word: str, candidates: list[str], *, n: int, cutoff: float) -> list[str]:
    matches = difflib.get_close_matches(word, candidates, n=n, cutoff=cutoff)
    if not matches:
        return []
    ratios = [difflib.SequenceMatcher(None, word, m).ratio() for m in matches]
    return [m for m, r in zip(matches, ratios) if r >= ratios[0] - 0.05]


def _local_name(curie_or_iri: str) -> str:
    for separator in ("#", "/", ":"):
        if separator in curie_or_iri:
            curie_or_iri = curie_or_iri.rsplit(separator, 1)[1]
    return curie_or_iri


def _standard_terms() -> tuple[set[str], set[str], set[str]]:
    """The terms of RDF, RDFS, OWL, XSD, SKOS, PROV and DCTERMS, split by kind.

    rdflib lists each vocabulary's terms; by the vocabularies' own naming rule, names with
    a capital are classes (or datatypes) and the others properties. XSD names only datatypes.
    """
    from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

    classes: set[str] = set()
    properties: set[str] = set()
    datatypes = {XSD._NS + name for name in _names(XSD)}
    for vocabulary in (RDF, RDFS, OWL, SKOS, PROV, DCTERMS):
        for name in _names(vocabulary):
            iri = vocabulary._NS + name
            if vocabulary is RDF and name in _RDF_DATATYPES:
                datatypes.add(iri)
            elif name[:1].isupper():
                classes.add(iri)
            else:
                properties.add(iri)
    datatypes.add(RDFS._NS + "Literal")
    return classes, properties, datatypes


def _names(vocabulary) -> list[str]:
    return [*vocabulary.__annotations__, *getattr(vocabulary, "_extras", [])]


def check_vocabulary(
    kg: KnowledgeGraph, submission: Submission, known: KnownTerms | None = None
) -> list[VocabularyIssue]:
    """Every unknown class, property, datatype or project node the submission uses, once each."""
    known = known or KnownTerms.of(kg)
    defined_here = {t.subject.value for t in submission.triples if t.predicate == _RDF_TYPE}
    issues: list[VocabularyIssue] = []
    reported: set[str] = set()
    checked: set[tuple[str, str]] = set()  # (kind, term): each term is looked up once per kind
    for triple in submission.triples:
        for term, message in _unknown_terms(kg, known, triple, defined_here, checked):
            if term.value in reported:
                continue
            reported.add(term.value)
            issues.append(VocabularyIssue(
                subject=triple.subject, predicate=triple.predicate, object=triple.object,
                term=term, message=message, line=submission.lines.get(triple),
            ))
    return issues


def _unknown_terms(
    kg: KnowledgeGraph, known: KnownTerms, triple: ox.Triple, defined_here: set[str], checked: set[tuple[str, str]]
) -> Iterator[tuple[ox.NamedNode, str]]:
    predicate, obj = triple.predicate, triple.object
    if _first_look(checked, "property", predicate) and predicate.value not in known.properties:
        yield predicate, _unknown(known, predicate, "property", misused_as=known.classes)
    if isinstance(obj, ox.Literal):
        if obj.language is None and _first_look(checked, "datatype", obj.datatype) \
                and obj.datatype.value not in known.datatypes:
            yield obj.datatype, _unknown(known, obj.datatype, "datatype", misused_as=frozenset())
    elif not isinstance(obj, ox.NamedNode):
        return
    elif predicate == _RDF_TYPE:
        if _first_look(checked, "class", obj) and obj.value not in known.classes:
            yield obj, _unknown(known, obj, "class", misused_as=known.properties)
    elif (
        predicate.value not in _NOT_REFERENCES
        and obj.value.startswith(PROJECT_NAMESPACES)
        and _first_look(checked, "node", obj)
        and obj.value not in defined_here
        and obj.value not in known.terms
        and not _exists(kg, obj)
    ):
        yield obj, _unknown_node(kg, obj)


def _first_look(checked: set[tuple[str, str]], kind: str, term: ox.NamedNode) -> bool:
    """True the first time a term is looked at as this kind (a term is reported once)."""
    key = (kind, term.value)
    if key in checked:
        return False
    checked.add(key)
    return True


def _unknown(known: KnownTerms, term: ox.NamedNode, kind: str, *, misused_as: frozenset[str]) -> str:
    name = ns.curie(term.value)
    if term.value in misused_as:
        other = "class" if kind == "property" else "property"
        return f"{name} is a {other}, not a {kind}: it cannot be used here"
    article = "an" if kind[0] in "aeiou" else "a"
    message = f"unknown {kind} {name}: the ontology does not define it, nor does a standard vocabulary it uses"
    suggestions = known.suggest(term.value, kind)
    if suggestions:
        message += f"; did you mean {' or '.join(suggestions)}?"
    else:
        message += f"; use {article} {kind} of the ontology (bortekg describe, or ontology/bortekg.ttl)"
    return message


def _exists(kg: KnowledgeGraph, node: ox.NamedNode) -> bool:
    return next(iter(kg.store.quads_for_pattern(node, _RDF_TYPE, None)), None) is not None


_NODES_IN_NAMESPACE = """
SELECT DISTINCT ?node ?namespace WHERE { ?node a ?type FILTER(STRSTARTS(STR(?node), ?namespace)) }
"""


def _unknown_node(kg: KnowledgeGraph, node: ox.NamedNode) -> str:
    namespace = next(n for n in PROJECT_NAMESPACES if node.value.startswith(n))
    candidates = [
        ns.curie(row["node"].value)
        for row in kg.query(_NODES_IN_NAMESPACE, bindings={"namespace": ox.Literal(namespace)})
    ]
    message = f"unknown node {ns.curie(node.value)}: neither the graph nor the submission defines it"
    suggestions = suggest(ns.curie(node.value), candidates)
    if suggestions:
        return message + f"; did you mean {' or '.join(suggestions)}?"
    return message + "; define it in the submission (with its type, label and definition) or fix its IRI"
