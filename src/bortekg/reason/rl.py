"""OWL 2 RL materialisation without Java, with the ``reasonable`` reasoner (Rust, in-process).

RL rules are sound but incomplete for OWL 2 DL: they add class memberships, subclass links
and property values that follow by forward chaining, and they find the clashes the RL
rules for disjoint classes detect. The defined BIPN-form classes need the DL reasoner.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.reason.axioms import logical_triples
from bortekg.reason.graph_input import ReasoningInput
from bortekg.reason.report import Explanation, ReasoningReport
from bortekg.store import KnowledgeGraph

REASONER = "reasonable (OWL 2 RL rules)"

_TRIVIAL_OBJECTS = {ns.OWL + "Thing", ns.RDFS + "Resource"}
_REFLEXIVE = {
    ns.RDFS + "subClassOf",
    ns.RDFS + "subPropertyOf",
    ns.OWL + "equivalentClass",
    ns.OWL + "equivalentProperty",
    ns.OWL + "sameAs",
}
_VOCABULARY = (ns.RDF, ns.RDFS, ns.OWL, ns.XSD)

# The RL rules that derive a contradiction from classes: cls-nothing2, cax-dw, cax-adc.
_CLASHES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?x ?c1 ?c2 WHERE {
  { ?x a owl:Nothing . BIND(owl:Nothing AS ?c1) BIND(owl:Nothing AS ?c2) }
  UNION
  { ?c1 owl:disjointWith ?c2 . ?x a ?c1 , ?c2 . }
  UNION
  { ?all a owl:AllDisjointClasses ; owl:members ?list .
    ?list rdf:rest*/rdf:first ?c1 . ?list rdf:rest*/rdf:first ?c2 .
    FILTER(?c1 != ?c2 && STR(?c1) < STR(?c2))
    ?x a ?c1 , ?c2 . }
}
"""


def _to_rdflib(term: ox.Term):
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _to_oxigraph(term) -> ox.Term:
    from rdflib import BNode, URIRef

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
    return ox.Literal(str(term), datatype=datatype)


def materialise(triples: Iterable[ox.Triple]) -> set[ox.Triple]:
    """The triples the OWL 2 RL rules add to ``triples`` (trivial ones left out)."""
    import reasonable

    triples = list(triples)
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph([tuple(_to_rdflib(x) for x in (t.subject, t.predicate, t.object)) for t in triples])
    derived = {
        ox.Triple(*(_to_oxigraph(x) for x in row)) for row in reasoner.reason()
    }
    return {t for t in derived - set(triples) if _worth_keeping(t)}


def _worth_keeping(t: ox.Triple) -> bool:
    if not isinstance(t.subject, ox.NamedNode) or isinstance(t.object, ox.BlankNode):
        return False
    if t.subject.value.startswith(_VOCABULARY):
        return False
    if t.object.value in _TRIVIAL_OBJECTS:
        return False
    return not (t.predicate.value in _REFLEXIVE and t.subject == t.object)


def reason_rl(kg: KnowledgeGraph, *, extra: Iterable[ox.Triple] = ()) -> ReasoningReport:
    """Materialise the OWL 2 RL consequences of the graph (plus ``extra``, not stored)."""
    started = time.monotonic()
    extra = list(extra)
    source = ReasoningInput.of(kg, extra)
    logical = logical_triples(source.triples)
    inferred = materialise(logical)
    clashes = _clashes([*logical, *inferred], source)
    report = ReasoningReport(profile="rl", reasoner=REASONER, consistent=not clashes, seconds=0.0)
    report.explanations = clashes
    report.inferred_triples = len(inferred)
    report.classes = len(source.named(ns.OWL + "Class"))
    report.individuals = len(source.named(ns.OWL + "NamedIndividual"))
    if not extra and not clashes:
        kg.replace_inferred(inferred)
        report.stored = True
    report.seconds = round(time.monotonic() - started, 3)
    return report


def clashes(triples: Iterable[ox.Triple]) -> list[tuple[str, str, str]]:
    """(individual, class, class) for every member of two classes that cannot share members."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return [tuple(row[v].value for v in ("x", "c1", "c2")) for row in store.query(_CLASHES)]


def rl_clashes(triples: list[ox.Triple]) -> list[tuple[str, str, str]]:
    """The clashes OWL 2 RL rules find in ``triples`` once materialised."""
    return clashes([*triples, *materialise(triples)])


def _clashes(triples: list[ox.Triple], source: ReasoningInput) -> list[Explanation]:
    found = []
    for row in clashes(triples):
        x, c1, c2 = (source.name(iri) for iri in row)
        found.append(
            Explanation(
                problem=f"{x} is a member of two classes that cannot share members",
                axioms=[f"{x} is a {c1}", f"{x} is a {c2}", f"nothing is both {c1} and {c2}"],
                individuals=[x],
                classes=sorted({c1, c2}),
            )
        )
    return found
