"""The parts of the reasoner that need no Java: axiom grouping, the explanation search with a
stand-in oracle, HermiT's taxonomy output, and the wording of axioms."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bortekg import namespaces as ns
from bortekg.reason.axioms import AxiomSet, logical_triples
from bortekg.reason.explain import linear_minimise, minimal_explanation, quickxplain, relevance_layers
from bortekg.reason.render import AxiomRenderer
from bortekg.reason.taxonomy import Taxonomy

EX = "http://example.org/"
TTL = f"""
@prefix ex: <{EX}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:A a owl:Class ; rdfs:label "apple"@en ; rdfs:subClassOf ex:B .
ex:B a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom ex:C ] .
ex:C a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:oneOf ( ex:x ex:y ) ] .
ex:p a owl:ObjectProperty ; rdfs:domain ex:B .
ex:note a owl:AnnotationProperty .
ex:x a owl:NamedIndividual , ex:A ; ex:note "a note" ; ex:p ex:y .
ex:y a owl:NamedIndividual .
[] a owl:AllDisjointClasses ; owl:members ( ex:A ex:C ) .
<{EX}onto> a owl:Ontology ; owl:imports <http://unreachable.invalid/o> .
"""


@pytest.fixture
def triples() -> list[ox.Triple]:
    return list(ox.parse(TTL, format=ox.RdfFormat.TURTLE))


def test_logical_triples_drop_annotations_and_imports(triples) -> None:
    kept = logical_triples(triples)
    predicates = {t.predicate.value for t in kept}
    assert ns.RDFS + "label" not in predicates and EX + "note" not in predicates
    assert ns.OWL + "imports" not in predicates
    assert len(kept) == len(triples) - 3


def test_axioms_keep_their_class_expressions_and_declarations_apart(triples) -> None:
    axioms = AxiomSet.of(logical_triples(triples))
    assert ox.NamedNode(EX + "A") in axioms.declarations
    restriction = next(a for a in axioms.axioms if a.main.subject == ox.NamedNode(EX + "B")
                       and a.main.predicate.value == ns.RDFS + "subClassOf")
    assert len(restriction.triples) == 4  # the subClassOf triple and the restriction's three
    disjoint = [a for a in axioms.axioms if isinstance(a.main.subject, ox.BlankNode)]
    assert len(disjoint) == 1 and ox.NamedNode(EX + "C") in disjoint[0].signature()
    document = axioms.document([restriction]).decode()
    assert f"<{EX}B> <{ns.RDF}type> <{ns.OWL}Class>" in document  # its vocabulary is declared
    assert f"<{EX}x>" not in document


def test_axioms_in_words(triples) -> None:
    axioms = AxiomSet.of(logical_triples(triples))
    renderer = AxiomRenderer({EX + "A": "apple"})
    words = {renderer.axiom(a) for a in axioms.axioms}
    assert "apple (http://example.org/A) is a kind of http://example.org/B" in words
    assert "http://example.org/B is a kind of (http://example.org/p some http://example.org/C)" in words
    assert "http://example.org/C is exactly {http://example.org/x, http://example.org/y}" in words
    assert "no two of these overlap: apple (http://example.org/A), http://example.org/C" in words
    assert "whatever has http://example.org/p is a http://example.org/B" in words


def test_relevance_layers_grow_from_the_seeds(triples) -> None:
    axioms = AxiomSet.of(logical_triples(triples))
    layers = relevance_layers(axioms.axioms, {ox.NamedNode(EX + "x")})
    first = {(a.main.subject.value, a.main.predicate.value) for a in layers[0]}
    assert first == {(EX + "x", ns.RDF + "type"), (EX + "x", EX + "p")}
    second = {a.main.subject.value for a in layers[1] if isinstance(a.main.subject, ox.NamedNode)}
    assert {EX + "A", EX + "p"} <= second


# A stand-in oracle: a subset "conflicts" when it contains every axiom of one of the sets.
def oracle_for(*conflicts: set[str]):
    calls: list[int] = []

    def first_conflict(subsets) -> int | None:
        calls.append(len(subsets))
        for index, subset in enumerate(subsets):
            if any(c <= set(subset) for c in conflicts):
                return index
        return None

    return first_conflict, calls


@pytest.mark.parametrize("search", [quickxplain, linear_minimise])
def test_searches_find_a_minimal_conflict(search) -> None:
    candidates = [f"a{i}" for i in range(200)]
    oracle, calls = oracle_for({"a7", "a120", "a199"})
    assert sorted(search([], candidates, oracle)) == ["a120", "a199", "a7"]
    assert sum(calls) < 200  # far fewer subsets than one per candidate


@pytest.mark.parametrize("search", [quickxplain, linear_minimise])
def test_searches_use_the_background(search) -> None:
    oracle, _ = oracle_for({"b", "a3"})
    assert search(["b"], ["a1", "a2", "a3", "a4"], oracle) == ["a3"]


def test_linear_search_batches_its_tests() -> None:
    oracle, calls = oracle_for({"a10", "a90"})
    linear_minimise([], [f"a{i}" for i in range(100)], oracle)
    assert len(calls) <= 6


def test_minimal_explanation_starts_from_the_suspects(triples) -> None:
    axioms = AxiomSet.of(logical_triples(triples))
    type_x = next(a for a in axioms.axioms if a.main.subject == ox.NamedNode(EX + "x")
                  and a.main.predicate.value == ns.RDF + "type")
    sub_a = next(a for a in axioms.axioms if a.main.subject == ox.NamedNode(EX + "A"))
    oracle, _ = oracle_for({type_x, sub_a})
    found = minimal_explanation(axioms, oracle, suspects={type_x})
    assert found == [type_x, sub_a]


HERMIT_OUTPUT = """EquivalentClasses( <http://x/A> <http://x/B> )
EquivalentClasses( <http://www.w3.org/2002/07/owl#Nothing> <http://x/U> )
SubClassOf( <http://x/D> <http://x/A> )
SubClassOf( <http://x/A> <http://x/C> )

Type( <http://x/i> <http://x/D> )
"""


def test_taxonomy_from_hermit_output() -> None:
    taxonomy = Taxonomy.parse(HERMIT_OUTPUT)
    assert taxonomy.unsatisfiable == ["http://x/U"]
    assert taxonomy.superclasses("http://x/D") == {"http://x/A", "http://x/B", "http://x/C"}
    assert taxonomy.types("http://x/i") == {"http://x/D", "http://x/A", "http://x/B", "http://x/C"}
    triples = {(t.subject.value, t.predicate.value.rsplit("#", 1)[-1], t.object.value)
               for t in taxonomy.entailed_triples(["http://x/A", "http://x/B", "http://x/C", "http://x/D", "http://x/U"])}
    assert ("http://x/A", "equivalentClass", "http://x/B") in triples
    assert ("http://x/D", "subClassOf", "http://x/C") in triples
    assert ("http://x/i", "type", "http://x/C") in triples
    assert not any(s == "http://x/U" for s, _, _ in triples)
    assert not any(o.startswith(ns.OWL) for _, _, o in triples)


def test_a_reasoner_line_of_another_form_is_an_error_not_skipped() -> None:
    from bortekg.reason.taxonomy import ReasonerOutputError

    with pytest.raises(ReasonerOutputError, match="line 4 of the reasoner.s answer"):
        Taxonomy.parse(HERMIT_OUTPUT.replace("SubClassOf( <http://x/A> <http://x/C> )",
                                             "SubObjectPropertyOf( <http://x/p> <http://x/q> )"))
