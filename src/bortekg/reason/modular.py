"""OWL 2 DL reasoning that does not grow with the graph: HermiT on the schema, rules for the rest.

Whole-graph reasoning hands every triple to HermiT, which realises every individual: on a
graph of a million triples that took minutes and gigabytes. Here HermiT gets the schema (the
axioms about classes and properties, read by pattern reads) with the individuals it names
(value-set members, the terms the definitions name), and classifies it.

Every individual gets the classes that follow from its asserted classes, the domains of the
properties it has and the ranges of the properties pointing at it, closed under the class
hierarchy HermiT computed (the OWL 2 RL rules cax-sco, prp-dom, prp-rng, prp-spo1), and is
checked against the disjoint classes (cax-dw, cax-adc). An individual the defined classes can
classify (it has a property, or a class, their definitions use) has in addition a profile:
those classes, and the terms the definitions name that its values reach through the property
chain's ``bkg:subtypeOf`` links. Individuals of one profile belong to the same defined
classes, so HermiT realises one representative per profile, in the same run as the schema:
a few dozen individuals where a graph of a million triples has a hundred thousand.

These are all the entailments about an individual when the schema has no other axiom that
reaches individuals (restrictions outside the definitions, property characteristics other
than transitivity, chains of other properties), which ``read_schema`` checks, and when no
subject has two values of a functional property. Otherwise, or when anything is inconsistent
or unsatisfiable, the caller reasons over the whole graph, which also explains the problem.
The test suite compares the result with whole-graph reasoning on the curated graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.reason.axioms import BUILT_IN_ANNOTATIONS, logical_triples, to_ntriples
from bortekg.reason.hermit import run_hermit
from bortekg.reason.taxonomy import OWL_THING, Taxonomy
from bortekg.store import KnowledgeGraph

RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_SUBTYPE_OF = ox.NamedNode(ns.BKG + "subtypeOf")
_SUGGESTS_FORM = ox.NamedNode(ns.BKG + "suggestsForm")

#: Declared kinds of schema terms whose statements are read as the schema.
SCHEMA_KINDS = tuple(ns.OWL + k for k in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty",
                                          "Ontology", "AllDisjointClasses")) + (ns.RDFS + "Datatype",)

#: Statements about a schema term that the rules for the other individuals account for.
_LOCAL_PREDICATES = frozenset({
    ns.RDF + "type", ns.RDFS + "subClassOf", ns.RDFS + "subPropertyOf", ns.RDFS + "domain", ns.RDFS + "range",
    ns.OWL + "disjointWith", ns.OWL + "members",
})
#: Types a schema term may have without reaching individuals beyond the rules above. A chain
#: of a transitive property links terms that already have the property (its domain and range
#: reach them already); a functional property entails something only for a subject with two
#: values, which ``reason_modular`` sends to whole-graph reasoning.
_LOCAL_TYPES = frozenset(SCHEMA_KINDS) | {ns.OWL + t for t in ("NamedIndividual", "TransitiveProperty",
                                                             "FunctionalProperty")}


@dataclass(frozen=True)
class Schema:
    """The schema's logical triples, and what the rules for the other individuals need."""

    triples: list[ox.Triple]
    classes: list[str]
    defined: set[str]  # classes with an equivalent-class definition other than an enumeration
    named_individuals: set[ox.NamedNode]  # members of enumerations, values of restrictions
    signature: set[ox.NamedNode]  # the classes and properties the definitions use
    domains: dict[str, set[str]]  # property -> classes (its own and its super-properties')
    ranges: dict[str, set[str]]
    disjoint: set[frozenset[str]]
    functional: set[str]


class _Reads:
    """Pattern reads over the asserted content graphs (the inferred graph left out)."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.store = kg.store
        self.graphs = kg.content_graphs(with_inferred=False)

    def quads(self, subject=None, predicate=None, object=None) -> Iterator[ox.Quad]:
        for graph in self.graphs:
            yield from self.store.quads_for_pattern(subject, predicate, object, graph)

    def described(self, node: ox.Term) -> list[ox.Triple]:
        """The statements about ``node`` and the blank nodes they open (class expressions, lists)."""
        found, stack, seen = [], [node], set()
        while stack:
            subject = stack.pop()
            if subject in seen:
                continue
            seen.add(subject)
            for quad in self.quads(subject, None, None):
                found.append(quad.triple)
                if isinstance(quad.object, ox.BlankNode):
                    stack.append(quad.object)
        return found


def read_schema(kg: KnowledgeGraph) -> tuple[Schema, list[str]]:
    """The schema of ``kg`` and the reasons, if any, why it reaches individuals beyond the
    module and the rules (an empty list: the modular reasoning is exact)."""
    read = _Reads(kg)
    terms: dict[ox.Term, None] = {}
    for kind in SCHEMA_KINDS:
        terms.update(dict.fromkeys(q.subject for q in read.quads(None, RDF_TYPE, ox.NamedNode(kind))))
    annotation = set(BUILT_IN_ANNOTATIONS) | {
        q.subject.value for q in read.quads(None, RDF_TYPE, ox.NamedNode(ns.OWL + "AnnotationProperty"))}
    triples = list(dict.fromkeys(t for term in terms for t in read.described(term)))
    declarations = [ox.Triple(q.subject, RDF_TYPE, ox.NamedNode(ns.OWL + "AnnotationProperty"))
                    for q in read.quads(None, RDF_TYPE, ox.NamedNode(ns.OWL + "AnnotationProperty"))]
    logical = [t for t in logical_triples([*declarations, *triples]) if t.predicate.value not in annotation]
    classes = sorted({t.subject.value for t in logical if t.predicate == RDF_TYPE
                      and t.object.value == ns.OWL + "Class" and isinstance(t.subject, ox.NamedNode)})
    enumerations = {t.subject for t in logical if t.predicate.value == ns.OWL + "oneOf"}
    defined_by = {t.subject.value: t.object for t in logical if t.predicate.value == ns.OWL + "equivalentClass"
                  and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.BlankNode)}
    defined = {c for c, expression in defined_by.items() if expression not in enumerations}
    by_subject: dict[ox.Term, list[ox.Triple]] = defaultdict(list)
    for t in logical:
        by_subject[t.subject].append(t)

    def expression(node: ox.Term) -> Iterator[ox.Triple]:
        stack, seen = [node], set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            for t in by_subject.get(current, ()):
                yield t
                if isinstance(t.object, ox.BlankNode):
                    stack.append(t.object)

    # what the definitions use: an individual with none of it is never a member (the links a
    # property chain follows from a member's values are added with the member)
    signature: set[ox.NamedNode] = set()
    for cls in defined:
        for t in expression(defined_by[cls]):
            signature |= {x for x in (t.subject, t.predicate, t.object) if isinstance(x, ox.NamedNode)}
    signature = {n for n in signature if not n.value.startswith((ns.OWL, ns.RDF, ns.RDFS))}
    named_individuals = {t.object for t in logical if isinstance(t.object, ox.NamedNode)
                         and (t.predicate.value in (ns.OWL + "hasValue", ns.RDF + "first"))
                         and t.object not in terms}
    super_properties: dict[str, set[str]] = defaultdict(set)
    for t in logical:
        if t.predicate.value == ns.RDFS + "subPropertyOf" and isinstance(t.object, ox.NamedNode):
            super_properties[t.subject.value].add(t.object.value)

    def with_supers(prop: str) -> set[str]:
        found, stack = {prop}, [prop]
        while stack:
            for parent in super_properties.get(stack.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    stack.append(parent)
        return found

    own_domains, own_ranges = defaultdict(set), defaultdict(set)
    for t in logical:
        if isinstance(t.object, ox.NamedNode) and t.object.value in classes:
            if t.predicate.value == ns.RDFS + "domain":
                own_domains[t.subject.value].add(t.object.value)
            elif t.predicate.value == ns.RDFS + "range":
                own_ranges[t.subject.value].add(t.object.value)
    properties = {t.subject.value for t in logical if isinstance(t.subject, ox.NamedNode)}
    domains = {p: set().union(*(own_domains[s] for s in with_supers(p))) for p in properties}
    ranges = {p: set().union(*(own_ranges[s] for s in with_supers(p))) for p in properties}
    disjoint = {frozenset((t.subject.value, t.object.value)) for t in logical
                if t.predicate.value == ns.OWL + "disjointWith" and isinstance(t.object, ox.NamedNode)}
    for t in logical:
        if t.predicate.value == ns.OWL + "members":
            members = [x.object.value for x in expression(t.object) if x.predicate.value == ns.RDF + "first"]
            disjoint |= {frozenset((a, b)) for a in members for b in members if a != b}
    functional = {t.subject.value for t in logical if t.predicate == RDF_TYPE
                  and t.object.value == ns.OWL + "FunctionalProperty"}
    schema = Schema(logical, classes, defined, named_individuals, signature,
                    {p: c for p, c in domains.items() if c}, {p: c for p, c in ranges.items() if c}, disjoint,
                    functional)
    ontologies = {t.subject for t in logical if t.predicate == RDF_TYPE and t.object.value == ns.OWL + "Ontology"}
    return schema, _not_local(schema, defined_by, ontologies)


def _not_local(schema: Schema, defined_by: dict[str, ox.Term], ontologies: set[ox.Term]) -> list[str]:
    """Schema statements that could give an individual outside the module a class the rules
    do not derive (restrictions, property characteristics, chains of other properties)."""
    reasons = []
    for t in schema.triples:
        if not isinstance(t.subject, ox.NamedNode) or t.subject in ontologies:
            continue  # blank nodes are read with the statement that opens them; the header is no axiom
        subject, predicate = t.subject.value, t.predicate.value
        if predicate == ns.OWL + "equivalentClass" and subject in defined_by:
            continue  # a definition (the module realises its candidates) or an enumeration
        if predicate == ns.OWL + "propertyChainAxiom" and t.subject in schema.signature:
            continue  # a chain of a property the definitions use: its subjects are in the module
        if predicate == ns.RDF + "type" and t.object.value not in _LOCAL_TYPES:
            reasons.append(f"{ns.curie(subject)} is a {ns.curie(t.object.value)}")
        elif predicate not in _LOCAL_PREDICATES:
            reasons.append(f"{ns.curie(subject)} {ns.curie(predicate)}")
        elif isinstance(t.object, ox.BlankNode) and predicate != ns.OWL + "members":
            reasons.append(f"{ns.curie(subject)} {ns.curie(predicate)} a class expression")
    return reasons


def base_classes(kg: KnowledgeGraph, schema: Schema) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Every individual's asserted classes, and those together with the domains of the
    properties it has and the ranges of the properties pointing at it (not yet closed under
    the class hierarchy)."""
    read = _Reads(kg)
    schema_terms = set(schema.classes)
    asserted: dict[str, set[str]] = defaultdict(set)
    for quad in read.quads(None, RDF_TYPE, None):
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value not in schema_terms:
            asserted[quad.subject.value].add(quad.object.value)
    base = defaultdict(set, {individual: set(classes) for individual, classes in asserted.items()})
    for prop in schema.domains.keys() | schema.ranges.keys():
        domains, ranges = schema.domains.get(prop, set()), schema.ranges.get(prop, set())
        for quad in read.quads(None, ox.NamedNode(prop), None):
            if domains and isinstance(quad.subject, ox.NamedNode):
                base[quad.subject.value] |= domains
            if ranges and isinstance(quad.object, ox.NamedNode):
                base[quad.object.value] |= ranges
    return base, asserted


@dataclass(frozen=True)
class Profile:
    """What decides whether an individual is a member of a defined class: the terms the
    definitions name that its values reach (through the property chain's bkg:subtypeOf links),
    and its classes before the hierarchy closes them."""

    values: frozenset[tuple[str, str]]  # (property, named term)
    classes: frozenset[str]


def profiles(kg: KnowledgeGraph, schema: Schema, base: dict[str, set[str]]) -> dict[str, Profile]:
    """The profile of every individual the definitions can classify: those with a property of
    the definitions, or one of their classes."""
    read = _Reads(kg)
    named = {n.value for n in schema.signature}
    values: dict[str, set[tuple[str, ox.Term]]] = defaultdict(set)
    for prop in signature_properties(schema):
        for quad in read.quads(None, prop, None):
            if isinstance(quad.subject, ox.NamedNode):
                values[quad.subject.value].add((prop.value, quad.object))
    for individual, classes in base.items():
        if classes & named:
            values.setdefault(individual, set())
    reached: dict[ox.Term, frozenset[str]] = {}

    def reach(term: ox.Term) -> frozenset[str]:
        """The named terms ``term`` is, or is a kind of (bkg:subtypeOf is transitive)."""
        if term not in reached:
            found = _subtype_closure(read, [term])
            reached[term] = frozenset(t.value for t in found if isinstance(t, ox.NamedNode)) & named
        return reached[term]

    return {
        individual: Profile(frozenset((prop, n) for prop, v in found for n in reach(v)),
                            frozenset(base.get(individual, ())))
        for individual, found in values.items() if individual not in schema.classes
    }


def signature_properties(schema: Schema) -> list[ox.NamedNode]:
    """The properties the definitions use (the rest of their signature is classes and the
    terms they name)."""
    return sorted((n for n in schema.signature if n.value not in schema.classes
                   and n not in schema.named_individuals), key=lambda n: n.value)


def _subtype_closure(read: _Reads, start: list[ox.Term]) -> set[ox.Term]:
    """``start`` and every term it is a kind of."""
    found, stack = set(start), list(start)
    while stack:
        for quad in read.quads(stack.pop(), _SUBTYPE_OF, None):
            if quad.object not in found:
                found.add(quad.object)
                stack.append(quad.object)
    return found


def representatives(found: dict[str, Profile]) -> tuple[dict[Profile, str], list[ox.Triple]]:
    """One individual per distinct profile, stated as the profile says: HermiT realises these
    few instead of every individual (the individuals of one profile share their classes)."""
    by_profile: dict[Profile, str] = {}
    triples: list[ox.Triple] = []
    for profile in sorted(set(found.values()), key=lambda p: (sorted(p.values), sorted(p.classes))):
        iri = f"{ns.BASE}reasoning/profile-{len(by_profile) + 1}"
        by_profile[profile] = iri
        node = ox.NamedNode(iri)
        triples.append(ox.Triple(node, RDF_TYPE, ox.NamedNode(ns.OWL + "NamedIndividual")))
        triples += [ox.Triple(node, RDF_TYPE, ox.NamedNode(c)) for c in sorted(profile.classes)]
        triples += [ox.Triple(node, ox.NamedNode(prop), ox.NamedNode(v)) for prop, v in sorted(profile.values)]
    return by_profile, triples


@dataclass
class ModularResult:
    """What modular reasoning found: the inferred triples, HermiT's taxonomy, and whether a
    problem (inconsistency, an unsatisfiable class, a clash) calls for whole-graph reasoning."""

    inferred: set[ox.Triple]
    taxonomy: Taxonomy | None
    members: dict[str, set[str]]  # individual -> its classes, for the individuals of a profile
    problem: str | None = None


def reason_modular(kg: KnowledgeGraph, schema: Schema, *, timeout: float) -> ModularResult:
    base, asserted = base_classes(kg, schema)
    for prop in schema.functional:
        problem = _second_value(kg, prop)
        if problem:
            return ModularResult(set(), None, {}, problem)
    found = profiles(kg, schema, base)
    by_profile, stated = representatives(found)
    run = run_hermit(to_ntriples([*schema.triples, *stated]), ["-c", "-I"], timeout=timeout)
    if not run.consistent:
        return ModularResult(set(), None, {}, "the schema with the individuals' profiles is inconsistent")
    taxonomy = Taxonomy.parse(run.output)
    if taxonomy.unsatisfiable:
        return ModularResult(set(), taxonomy, {}, "a class is unsatisfiable")
    closure: dict[str, frozenset[str]] = {}

    def closed(cls: str) -> frozenset[str]:
        if cls not in closure:
            closure[cls] = frozenset((taxonomy.node(cls) | taxonomy.superclasses(cls) | {cls}) - {OWL_THING})
        return closure[cls]

    schema_terms = set(schema.classes)
    read = _Reads(kg)
    # the class hierarchy: the subclass and equivalence links that are not asserted
    inferred = {t for t in taxonomy.entailed_triples(schema.classes) if t.predicate != RDF_TYPE
                and next(read.quads(t.subject, t.predicate, t.object), None) is None}
    nominals = {n.value for n in schema.named_individuals}
    members: dict[str, set[str]] = {}
    for individual in base.keys() | found.keys() | nominals:
        types = set().union(*(closed(c) for c in base.get(individual, ())))
        if individual in nominals:
            types |= taxonomy.types(individual)
        if individual in found:
            types |= taxonomy.types(by_profile[found[individual]])
            members[individual] = types
        clash = _clash(individual, types, schema)
        if clash:
            return ModularResult(set(), taxonomy, {}, clash)
        node = ox.NamedNode(individual)
        inferred.update(ox.Triple(node, RDF_TYPE, ox.NamedNode(c)) for c in types - asserted.get(individual, set())
                        if c in schema_terms and not c.startswith(ns.OWL))
    return ModularResult(inferred, taxonomy, members)


def _second_value(kg: KnowledgeGraph, prop: str) -> str | None:
    """A subject with two values of a functional property (an equality or a contradiction
    for whole-graph reasoning to find), or None."""
    values: dict[ox.Term, ox.Term] = {}
    for quad in _Reads(kg).quads(None, ox.NamedNode(prop), None):
        if values.setdefault(quad.subject, quad.object) != quad.object:
            return f"{ns.curie(quad.subject.value)} has two values of the functional {ns.curie(prop)}"
    return None


def _clash(individual: str, types: set[str], schema: Schema) -> str | None:
    if ns.OWL + "Nothing" in types:
        return f"{ns.curie(individual)} is a member of an unsatisfiable class"
    for pair in schema.disjoint:
        if pair <= types:
            return f"{ns.curie(individual)} is a member of two disjoint classes"
    return None


def labels_of(kg: KnowledgeGraph, iris: Iterable[str]) -> dict[str, str]:
    """One label per IRI (the English one where there is a choice), read node by node."""
    read = _Reads(kg)
    labels: dict[str, str] = {}
    for iri in iris:
        for quad in read.quads(ox.NamedNode(iri), ox.NamedNode(ns.RDFS + "label"), None):
            if isinstance(quad.object, ox.Literal) and (iri not in labels or quad.object.language == "en"):
                labels[iri] = quad.object.value
    return labels
