"""The vocabulary check: unknown classes, properties, datatypes and nodes, with a suggestion."""

from __future__ import annotations

import pytest

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.ingest import parse_submission
from bortekg.vocabulary import KnownTerms, check_vocabulary, suggest

HEADER = b"""@prefix bkg: <https://w3id.org/bortekg/> .
@prefix bkc: <https://w3id.org/bortekg/claim/> .
@prefix bke: <https://w3id.org/bortekg/entity/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
FIRST_LINE = HEADER.count(b"\n") + 1


@pytest.fixture(scope="module")
def known(kg: KnowledgeGraph) -> KnownTerms:
    return KnownTerms.of(kg)


def issues(kg: KnowledgeGraph, known: KnownTerms, body: bytes):
    submission = parse_submission(HEADER + body, file_name="facts.ttl", input_format="ttl")
    return check_vocabulary(kg, submission, known)


def test_known_terms_hold_the_ontology_and_the_standard_vocabularies(known: KnownTerms) -> None:
    assert {ns.BKG + "AdverseEffectClaim", ns.BKG + "Drug", ns.OWL + "NamedIndividual", ns.PROV + "Entity",
            ns.SKOS + "Concept"} <= known.classes
    assert {ns.BKG + "evidenceQuote", ns.RDFS + "label", ns.RDF + "type", ns.SKOS + "altLabel",
            ns.PROV + "wasDerivedFrom", ns.DCTERMS + "source", ns.OWL + "sameAs"} <= known.properties
    assert {ns.XSD + "integer", ns.XSD + "decimal", ns.RDF + "langString"} <= known.datatypes
    assert not known.classes & known.properties


def test_a_curated_description_uses_only_known_terms(kg: KnowledgeGraph, known: KnownTerms) -> None:
    body = b"""bkc:new-claim a owl:NamedIndividual , bkg:AdverseEffectClaim ;
    rdfs:label "a claim"@en ; bkg:drug bke:bortezomib ; bkg:percentage 12.5 ;
    prov:wasDerivedFrom <https://w3id.org/bortekg/source/drug-monograph-bortezomib> ;
    skos:altLabel "x"@en ; dcterms:source "somewhere" ; bkg:serious false .
"""
    assert issues(kg, known, body) == []


@pytest.mark.parametrize("body,term,message", [
    (b"bkc:x bkg:evidenceQoute \"q\" .\n", "bkg:evidenceQoute",
     "unknown property bkg:evidenceQoute: the ontology does not define it, nor does a standard "
     "vocabulary it uses; did you mean bkg:evidenceQuote?"),
    (b"bkc:x rdfs:lable \"q\" .\n", "rdfs:lable", "did you mean rdfs:label?"),
    (b"bkc:x bkg:label \"q\" .\n", "bkg:label", "did you mean rdfs:label?"),
    (b"bkc:x a bkg:AdversEffectClaim .\n", "bkg:AdversEffectClaim",
     "unknown class bkg:AdversEffectClaim: the ontology does not define it, nor does a standard "
     "vocabulary it uses; did you mean bkg:AdverseEffectClaim"),
    (b"bkc:x bkg:percentage \"5\"^^xsd:decimall .\n", "xsd:decimall", "unknown datatype xsd:decimall"),
    (b"bkc:x bkg:drug bke:bortezomb .\n", "bke:bortezomb",
     "unknown node bke:bortezomb: neither the graph nor the submission defines it; did you mean bke:bortezomib?"),
    (b"bkc:x a bkg:drug .\n", "bkg:drug", "bkg:drug is a property, not a class"),
    (b"bkc:x bkg:Drug bke:bortezomib .\n", "bkg:Drug", "bkg:Drug is a class, not a property"),
    (b"bkc:x bkg:zzzzqqqq 1 .\n", "bkg:zzzzqqqq", "use a property of the ontology"),
])
def test_unknown_terms_are_named_with_their_line_and_a_suggestion(
    kg: KnowledgeGraph, known: KnownTerms, body: bytes, term: str, message: str
) -> None:
    [issue] = issues(kg, known, body)
    assert ns.curie(issue.term.value) == term
    assert message in issue.message
    assert issue.line == FIRST_LINE
    assert issue.subject.value == ns.BKC + "x"


def test_each_unknown_term_is_reported_once_at_its_first_line(kg: KnowledgeGraph, known: KnownTerms) -> None:
    body = b"bkc:x rdfs:label \"x\"@en .\nbkc:x bkg:statment \"a\" .\nbkc:y bkg:statment \"b\" .\n"
    [issue] = issues(kg, known, body)
    assert issue.line == FIRST_LINE + 1 and "did you mean bkg:statement?" in issue.message


def test_nodes_defined_in_the_submission_are_not_unknown(kg: KnowledgeGraph, known: KnownTerms) -> None:
    body = b"bkc:x bkg:hasCondition bkc:x-c1 .\nbkc:x-c1 a bkg:RuleCondition .\n"
    assert issues(kg, known, body) == []


def test_suggest_prefers_exact_case_then_close_curies_then_local_names() -> None:
    candidates = ["bkg:evidenceQuote", "bkg:evidenceKind", "rdfs:label"]
    assert suggest("bkg:EvidenceQuote", candidates) == ["bkg:evidenceQuote"]
    assert suggest("bkg:evidenceQoute", candidates)[0] == "bkg:evidenceQuote"
    assert suggest("skos:label", candidates) == ["rdfs:label"]
    assert suggest("ex:unrelated", candidates) == []


def test_each_term_is_looked_up_once_per_kind(kg: KnowledgeGraph, known: KnownTerms) -> None:
    """A term known in one use (an existing node as an object) is still checked in another
    (the same IRI as a property, a class), and reported once, on its first triple."""
    body = b"""bkc:new-claim bkg:drug bke:bortezomib .
bkc:new-claim bke:bortezomib bke:fatigue .
bkc:other-claim bke:bortezomib bke:fatigue .
bkc:other-claim a bke:fatigue .
"""
    found = issues(kg, known, body)
    assert [(ns.curie(i.term.value), i.line) for i in found] == [("bke:bortezomib", FIRST_LINE + 1),
                                                                ("bke:fatigue", FIRST_LINE + 3)]
    assert "property" in found[0].message and "class" in found[1].message
