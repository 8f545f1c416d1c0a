"""The submission gate: vocabulary and SHACL in the context of the graph, never writing to it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from bortekg import KnowledgeGraph, resources
from bortekg import namespaces as ns
from bortekg.ingest import parse_submission
from bortekg.validate import (
    Gate,
    SubmissionRejected,
    context_triples,
    load_shapes,
    path_text,
    prepared_query,
    shacl_report,
    to_rdflib,
    validate_and_add,
    validate_submission,
)
from gate_helpers import (
    GRADE,
    SOURCE,
    TEST_SHAPES,
    TYPO_SOURCE_REFERENCE,
    curator_mistakes,
    good_claim,
    turtle,
)

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def submission_of(triples: list[ox.Triple], name: str = "facts.ttl"):
    return parse_submission(turtle(triples), file_name=name, input_format="ttl")


@pytest.fixture(scope="module")
def gate(kg: KnowledgeGraph) -> Gate:
    return Gate.of(kg, load_shapes([*resources.shapes_files(), TEST_SHAPES]))


def test_load_shapes_reads_every_packaged_shapes_file() -> None:
    packaged = load_shapes()
    assert (rdflib.URIRef(ns.BASE + "shapes/ClaimProvenanceShape"), rdflib.RDF.type, SH.NodeShape) in packaged
    with_tests = load_shapes([*resources.shapes_files(), TEST_SHAPES])
    assert len(with_tests) > len(packaged)


def test_context_holds_the_submission_its_neighbours_classes_and_properties(kg: KnowledgeGraph) -> None:
    submission = submission_of(good_claim(kg))
    context = context_triples(kg, submission)
    assert set(submission.triples) <= context
    bortezomib = ox.NamedNode(ns.BKE + "bortezomib")
    rdf_type, subclass = ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.RDFS + "subClassOf")
    # one hop: the drug the claim points at, with its type, and the class hierarchy above it
    assert ox.Triple(bortezomib, rdf_type, ox.NamedNode(ns.BKG + "Drug")) in context
    assert ox.Triple(ox.NamedNode(ns.BKG + "AdverseEffectClaim"), subclass, ox.NamedNode(ns.BKG + "Claim")) in context
    assert ox.Triple(ox.NamedNode(ns.BKG + "Drug"), subclass, ox.NamedNode(ns.BKG + "ChemicalEntity")) in context
    # the declarations of the properties used
    assert ox.Triple(ox.NamedNode(ns.BKG + "drug"), rdf_type, ox.NamedNode(ns.OWL + "ObjectProperty")) in context
    # not two hops away, and not the rest of the graph
    assert not any(t.subject == ox.NamedNode(ns.BKE + "pregabalin") for t in context)
    assert len(context) < len(kg) / 10


def test_context_of_an_existing_node_includes_its_stored_description(kg: KnowledgeGraph) -> None:
    pregabalin = ox.NamedNode(ns.BKE + "pregabalin")
    extra = ox.Triple(pregabalin, ox.NamedNode(ns.SKOS + "altLabel"), ox.Literal("a synonym", language="en"))
    context = context_triples(kg, submission_of([extra]))
    assert ox.Triple(pregabalin, ox.NamedNode(ns.RDFS + "label"), ox.Literal("pregabalin", language="en")) in context


def test_to_rdflib_keeps_every_term_kind() -> None:
    a = ox.NamedNode("http://example.org/a")
    triples = [
        ox.Triple(a, a, ox.Literal("x")),
        ox.Triple(a, a, ox.Literal("y", language="en")),
        ox.Triple(a, a, ox.Literal(7)),
        ox.Triple(a, a, ox.BlankNode("b1")),
    ]
    graph = to_rdflib(triples)
    ex = rdflib.URIRef("http://example.org/a")
    assert set(graph.objects(ex, ex)) == {
        rdflib.Literal("x"), rdflib.Literal("y", lang="en"), rdflib.Literal(7), rdflib.BNode("b1"),
    }


def test_a_restated_curated_claim_conforms(kg: KnowledgeGraph, gate: Gate) -> None:
    report = validate_submission(kg, submission_of(good_claim(kg)), gate=gate)
    assert report.conforms and report.entries == [], report.entries


def test_curator_mistakes_give_three_clear_messages(kg: KnowledgeGraph) -> None:
    triples, rule, condition = curator_mistakes(kg)
    submission = submission_of(triples, "mistakes.ttl")
    report = validate_submission(kg, submission, gate=Gate.of(kg))  # the packaged shapes only
    assert not report.conforms
    found = {(e.focus, e.path, e.constraint) for e in report.entries}
    assert found == {
        (rule.value, "bkg:sourceRefrence", "bksh:KnownTermConstraintComponent"),
        (rule.value, "prov:wasDerivedFrom", "sh:MinCountConstraintComponent"),
        (condition.value, "bkg:grade", "sh:SPARQLConstraintComponent"),
        (condition.value, "bkg:grade", "rule:number-in-quote"),  # the quote says Grade 2 or 3
    }
    by_path = {e.path: e for e in report.entries if not e.constraint.startswith("rule:")}
    assert "did you mean bkg:sourceReference?" in by_path["bkg:sourceRefrence"].message
    assert by_path["bkg:sourceRefrence"].line == submission.first_line(predicate=TYPO_SOURCE_REFERENCE)
    assert "source" in by_path["prov:wasDerivedFrom"].message
    assert by_path["prov:wasDerivedFrom"].line == submission.first_line(subject=rule)
    grade = by_path["bkg:grade"]
    assert "Grade 7 is outside the scale" in grade.message
    assert grade.value == "7" and grade.line == submission.first_line(predicate=GRADE)
    assert grade.focus_label == "submitted dose rule condition: grade 7"
    assert all(e.severity == "Violation" and e.file == "mistakes.ttl" for e in report.entries)


def test_gate_finds_what_whole_graph_validation_finds_for_the_submission(kg: KnowledgeGraph, gate: Gate) -> None:
    triples, rule, condition = curator_mistakes(kg)
    triples += good_claim(kg)
    submission = submission_of(triples)
    focus = {t.subject.value for t in submission.triples}
    whole = shacl_report(to_rdflib(kg.triples() | set(submission.triples)), gate.shapes, focus_nodes=None)
    gate_report = validate_submission(kg, submission, gate=gate)
    assert results_for(whole, focus) == results_for(gate_report.graph, focus, skip_vocabulary=True)
    assert results_for(whole, focus)  # the comparison is not vacuous


def results_for(report: rdflib.Graph, focus: set[str], *, skip_vocabulary: bool = False) -> set[tuple]:
    rows = set()
    for result in report.objects(None, SH.result):
        node = report.value(result, SH.focusNode)
        component = report.value(result, SH.sourceConstraintComponent)
        if str(node) not in focus or (skip_vocabulary and str(component).startswith(ns.BASE)):
            continue
        rows.add((node, report.value(result, SH.resultPath), report.value(result, SH.value),
                  report.value(result, SH.sourceShape), component))
    return rows


def test_validation_never_writes_to_the_store_or_the_data_graph(kg: KnowledgeGraph, gate: Gate) -> None:
    before = set(kg.store)
    triples, _, _ = curator_mistakes(kg)
    submission = submission_of(triples)
    data = to_rdflib(context_triples(kg, submission))
    data_before = set(data)
    shacl_report(data, gate.shapes, focus_nodes=[t.subject.value for t in triples])
    validate_submission(kg, submission, gate=gate)
    assert set(data) == data_before
    assert set(kg.store) == before


def test_sparql_constraints_are_parsed_once_not_per_focus_node(kg: KnowledgeGraph, gate: Gate) -> None:
    triples = [t for i in range(20) for t in good_claim(kg, f"submitted-claim-{i}")]
    submission = submission_of(triples)
    validate_submission(kg, submission, gate=gate)
    parsed = prepared_query.cache_info().misses
    validate_submission(kg, submission, gate=gate)
    assert prepared_query.cache_info().misses == parsed
    assert prepared_query.cache_info().hits >= 2 * 20  # two SPARQL constraints target every claim


def test_source_that_is_not_a_source_document_is_caught_with_the_graph_context(kg: KnowledgeGraph, gate: Gate) -> None:
    triples = [
        ox.Triple(t.subject, t.predicate, ox.NamedNode(ns.BKE + "bortezomib")) if t.predicate == SOURCE else t
        for t in good_claim(kg)
    ]
    report = validate_submission(kg, submission_of(triples), gate=gate)
    messages = {e.message for e in report.entries if e.path is None or e.path == "prov:wasDerivedFrom"}
    assert any("bke:bortezomib" in m or "source document" in m for m in messages)
    assert not report.conforms


def test_warnings_do_not_block_a_submission(kg: KnowledgeGraph) -> None:
    shapes = rdflib.Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <urn:test:shape> a sh:NodeShape ; sh:targetClass <https://w3id.org/bortekg/Claim> ;
            sh:severity sh:Warning ; sh:message "A claim may carry a synonym." ;
            sh:property [ sh:path skos:altLabel ; sh:minCount 1 ; sh:severity sh:Warning ;
                          sh:message "A claim may carry a synonym." ] .
    """, format="turtle")
    report = validate_submission(kg, submission_of(good_claim(kg)), gate=Gate.of(kg, shapes))
    assert report.conforms
    assert [e.severity for e in report.entries] == ["Warning"]


def test_validate_and_add_merges_only_a_conforming_submission(gate: Gate) -> None:
    kg = KnowledgeGraph()
    before = set(kg.store)
    bad, _, _ = curator_mistakes(kg)
    with pytest.raises(SubmissionRejected) as rejected:
        validate_and_add(kg, submission_of(bad), source="test", gate=gate)
    assert rejected.value.report.count("Violation") == 4
    assert set(kg.store) == before
    report, record = validate_and_add(kg, submission_of(good_claim(kg)), source="test", gate=gate)
    assert report.conforms and record.triples == len(good_claim(kg))
    assert [r.id for r in kg.submissions()] == [record.id]


def test_path_text_renders_shacl_paths_as_sparql() -> None:
    graph = rdflib.Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix bkg: <https://w3id.org/bortekg/> .
        <urn:s> sh:path ( bkg:hasCondition [ sh:inversePath bkg:grade ] ) ;
                sh:alternativePath ( bkg:doseMin [ sh:zeroOrMorePath bkg:doseMax ] ) .
    """, format="turtle")
    sequence = graph.value(rdflib.URIRef("urn:s"), SH.path)
    assert path_text(graph, sequence) == "bkg:hasCondition/^bkg:grade"
    alternative_holder = rdflib.BNode()
    graph.add((alternative_holder, SH.alternativePath, graph.value(rdflib.URIRef("urn:s"), SH.alternativePath)))
    assert path_text(graph, alternative_holder) == "(bkg:doseMin|(bkg:doseMax)*)"
