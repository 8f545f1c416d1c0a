"""The ontology and the existing nodes are protected.

A submission adds new entities and claims. It may not declare or change classes,
properties, datatypes or axioms (ontology changes go through the ontology files and a
release), may not add statements to nodes the graph already holds (those are claims with
evidence), may not assert clinical links between entities without a claim, and may not
make a hierarchy loop back on itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.validate.rules import Finding, Rule, RuleContext
from bortekg.validate.view import RDF_TYPE, SubmissionView

ONTOLOGY_CHANGE = Rule(
    "no-ontology-change", "protection",
    "no classes, properties, datatypes or axioms: the ontology changes only through a release")
EXISTING_NODE = Rule(
    "no-edit-of-existing-node", "protection",
    "no statements about nodes the graph already holds: new facts about them are claims")
BARE_ASSERTION = Rule(
    "no-bare-clinical-assertion", "protection",
    "no clinical links between entities without a claim that carries their evidence")
HIERARCHY_CYCLE = Rule(
    "no-hierarchy-cycle", "protection",
    "no entity is its own subtype or location, directly or through a loop")
RULES = (ONTOLOGY_CHANGE, EXISTING_NODE, BARE_ASSERTION, HIERARCHY_CYCLE)

#: Predicates of the RDF, RDFS and OWL vocabularies a submission may use on its nodes.
_ALLOWED_META_PREDICATES = {ns.RDF + "type", ns.RDFS + "label", ns.RDFS + "comment", ns.RDFS + "seeAlso"}
_META_NAMESPACES = (ns.RDF, ns.RDFS, ns.OWL)
#: The only type from those vocabularies a submitted node may have.
_ALLOWED_META_TYPES = {ns.OWL + "NamedIndividual"}
#: Entity-to-entity links that state a clinical fact; the graph derives them from claims.
CLINICAL_LINKS = tuple(ns.BKG + p for p in ("treats", "hasAdverseEffect", "inhibits", "causedBy"))
#: Links along which an entity may not reach itself.
HIERARCHY_LINKS = (ns.BKG + "subtypeOf", ns.BKG + "locatedIn")
_PROTECTED_PREFIXES = (ns.BASE + "graph/", ns.BASE + "shapes/", ns.BASE + "rules/", ns.ONTOLOGY_IRI)


def check(view: SubmissionView, context: RuleContext) -> Iterator[Finding]:
    yield from _ontology_changes(view)
    yield from _existing_nodes(view)
    yield from _bare_assertions(view)
    yield from _cycles(view)


def changes_ontology(triple: ox.Triple, schema_terms: frozenset[str]) -> bool:
    """Whether a submitted triple would describe or change the ontology (see ``no-ontology-change``)."""
    subject, predicate, obj = triple.subject.value, triple.predicate.value, triple.object
    if subject in schema_terms or subject.startswith(_PROTECTED_PREFIXES):
        return True
    if predicate.startswith(_META_NAMESPACES) and predicate not in _ALLOWED_META_PREDICATES:
        return True
    return (predicate == RDF_TYPE.value and isinstance(obj, ox.NamedNode)
            and obj.value.startswith(_META_NAMESPACES) and obj.value not in _ALLOWED_META_TYPES)


def _ontology_changes(view: SubmissionView) -> Iterator[Finding]:
    schema_terms = view.schema.schema_terms
    for subject, triples in view.by_subject.items():
        if subject.value in schema_terms or subject.value.startswith(_PROTECTED_PREFIXES):
            kind = "an ontology term" if subject.value in schema_terms else "a name the graph reserves"
            yield Finding(
                ONTOLOGY_CHANGE, subject,
                f"{ns.curie(subject.value)} is {kind}: a submission cannot describe or change it. "
                "Ontology changes go through the ontology files and a release; submit instances "
                "(new entities and claims) only.",
                line=view.line(subject))
            continue
        for triple in triples:
            predicate, obj = triple.predicate.value, triple.object
            if predicate.startswith(_META_NAMESPACES) and predicate not in _ALLOWED_META_PREDICATES:
                yield Finding(
                    ONTOLOGY_CHANGE, subject,
                    f"{ns.curie(predicate)} states an ontology axiom; a submission may not add axioms "
                    f"(class hierarchy, equivalences, disjointness, domains, ranges, identity). "
                    f"Remove the statement; to relate entities use the ontology's own properties "
                    f"(for example bkg:subtypeOf), and propose ontology changes for a release.",
                    path=predicate, value=obj, line=view.line(subject, predicate, obj))
            elif predicate == RDF_TYPE.value and isinstance(obj, ox.NamedNode):
                if obj.value.startswith(_META_NAMESPACES) and obj.value not in _ALLOWED_META_TYPES:
                    yield Finding(
                        ONTOLOGY_CHANGE, subject,
                        f"typing {ns.curie(subject.value)} as {ns.curie(obj.value)} declares a new "
                        "ontology term; a submission may only add instances of the ontology's classes "
                        "(for example a bkg:Drug or a bkg:AdverseEffectClaim).",
                        path=predicate, value=obj, line=view.line(subject, predicate, obj))


def _existing_nodes(view: SubmissionView) -> Iterator[Finding]:
    schema_terms = view.schema.schema_terms
    for subject in view.by_subject:
        if subject.value in schema_terms or subject.value.startswith(_PROTECTED_PREFIXES):
            continue  # reported as an ontology change
        if subject in view.new_nodes:
            continue
        label = view.label(subject)
        named = f"{label} ({ns.curie(subject.value)})" if label else ns.curie(subject.value)
        predicates = sorted({ns.curie(t.predicate.value) for t in view.by_subject[subject]})
        yield Finding(
            EXISTING_NODE, subject,
            f"{named} is already in the graph; a submission cannot add to or change it "
            f"({', '.join(predicates)}). State new facts about it as a claim of your own, with "
            "its source, quote and evidence kind, that points at it (for example bkg:drug "
            f"{ns.curie(subject.value)}); an accepted submission is replaced by retracting it "
            "and adding the corrected file.",
            path=view.by_subject[subject][0].predicate.value, value=view.by_subject[subject][0].object,
            line=view.line(subject))


def _bare_assertions(view: SubmissionView) -> Iterator[Finding]:
    for subject in view.by_subject:  # on new entities and on those the graph holds alike
        for triple in view.by_subject[subject]:
            if triple.predicate.value in CLINICAL_LINKS:
                yield Finding(
                    BARE_ASSERTION, subject,
                    f"{ns.curie(triple.predicate.value)} {view.display(triple.object)} on an entity "
                    "states a clinical fact without evidence. Submit it as a claim with its source "
                    "and quote (for example a bkg:TreatmentRecommendation with bkg:intervention and "
                    "bkg:condition, or a bkg:MechanismStep); the entity links are curated with the "
                    "knowledge base.",
                    path=triple.predicate.value, value=triple.object,
                    line=view.line(subject, triple.predicate.value, triple.object))


def _cycles(view: SubmissionView) -> Iterator[Finding]:
    for link in HIERARCHY_LINKS:
        for subject in view.by_subject:
            for target in view.values(subject, link):
                if not isinstance(target, ox.NamedNode):
                    continue
                path = _path_back(view, target, subject, link)
                if path is None:
                    continue
                if target == subject:
                    what = f"{ns.curie(subject.value)} {ns.curie(link)} itself"
                else:
                    chain = " -> ".join(ns.curie(n.value) for n in [subject, *path])
                    what = f"the links loop back: {chain}"
                yield Finding(
                    HIERARCHY_CYCLE, subject,
                    f"{what}. A hierarchy cannot contain loops: remove the link that closes it.",
                    path=link, value=target, line=view.line(subject, link, target))


def _path_back(view: SubmissionView, start: ox.NamedNode, goal: ox.NamedNode, link: str) -> list[ox.NamedNode] | None:
    """A path from start to goal along ``link`` (submission and graph), or None."""
    parents = {start: None}
    todo = [start]
    while todo:
        node = todo.pop()
        if node == goal:
            path, current = [], node
            while current is not None:
                path.append(current)
                current = parents[current]
            return list(reversed(path))
        for nxt in view.values(node, link) + view.stored_values(node, link):
            if isinstance(nxt, ox.NamedNode) and nxt not in parents:
                parents[nxt] = node
                todo.append(nxt)
    return None
