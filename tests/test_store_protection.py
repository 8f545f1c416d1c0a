"""The store protects its graphs: only the commands that own a graph change it, whatever a
submission or a named graph inside it says, and no caller gets a writable store."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.ingest import parse_submission
from bortekg.stats import graph_stats
from bortekg.validate import SubmissionRejected, validate_and_add
from gate_helpers import good_claim

ONTOLOGY = ox.NamedNode(ns.GRAPH_ONTOLOGY)
KB = ox.NamedNode(ns.GRAPH_KB)
META = ox.NamedNode(ns.GRAPH_META)
WRITES = ("add", "remove", "update", "load", "bulk_load", "extend", "bulk_extend", "clear", "clear_graph",
          "remove_graph", "add_graph", "backup", "flush", "optimize")


def test_the_store_handed_out_is_read_only(kg: KnowledgeGraph) -> None:
    store = kg.store
    present = [name for name in WRITES if hasattr(store, name)]
    assert not present, f"KnowledgeGraph.store exposes writes: {present}"
    assert next(iter(store.quads_for_pattern(None, None, None, KB))) is not None
    assert bool(store.query("ASK { ?s ?p ?o }", use_default_graph_as_union=True))
    with pytest.raises(SyntaxError):
        store.query(f"INSERT DATA {{ GRAPH <{ns.GRAPH_KB}> {{ <urn:a> <urn:b> <urn:c> }} }}")  # queries only
    # the engine's store can write: the wrapper, not the engine, is what refuses
    assert all(hasattr(ox.Store(), name) for name in ("add", "update", "load", "extend", "remove_graph"))


def graph_contents(kg: KnowledgeGraph, graph: ox.NamedNode) -> set[ox.Quad]:
    return set(kg.store.quads_for_pattern(None, None, None, graph))


def test_a_trig_submission_naming_the_ontology_graph_lands_in_its_own_graph(tmp_path: Path) -> None:
    kg = KnowledgeGraph(tmp_path / "store")
    before = {g: graph_contents(kg, g) for g in (ONTOLOGY, KB)}
    body = ox.serialize(good_claim(kg), format=ox.RdfFormat.N_TRIPLES).decode()
    trig = f"<{ns.GRAPH_ONTOLOGY}> {{ {body} }}\n<{ns.GRAPH_KB}> {{ }}\n".encode()
    submission = parse_submission(trig, file_name="named.trig", input_format="trig")
    _, record = validate_and_add(kg, submission, source="test")
    assert {g: graph_contents(kg, g) for g in (ONTOLOGY, KB)} == before
    landed = graph_contents(kg, ox.NamedNode(record.graph))
    assert {q.triple for q in landed} == set(submission.triples)


@pytest.mark.parametrize("subject", [
    ns.GRAPH_META,
    ns.GRAPH_SUBMISSION_PREFIX + "20260101T000000Z-deadbeef",
    ns.GRAPH_ONTOLOGY,
    ns.ONTOLOGY_IRI,
    ns.BKG + "Drug",
])
def test_a_submission_cannot_describe_the_store_s_own_nodes_or_the_ontology(tmp_path: Path, subject: str) -> None:
    kg = KnowledgeGraph(tmp_path / "store")
    before = set(kg.store)
    forged = (f"<{subject}> <{ns.DCTERMS}identifier> \"20260101T000000Z-deadbeef\" .\n"
              f"<{subject}> <{ns.RDFS}label> \"forged\"@en .\n").encode()
    submission = parse_submission(forged, file_name="forged.nt", input_format="nt")
    with pytest.raises(SubmissionRejected) as rejected:
        validate_and_add(kg, submission, source="test")
    assert "rule:no-ontology-change" in {e.constraint for e in rejected.value.report.entries}
    assert set(kg.store) == before
    assert kg.submissions() == []


def test_retract_removes_exactly_one_submission_and_its_text_index(tmp_path: Path) -> None:
    from bortekg.sourcetext import SourceIndex

    kg = KnowledgeGraph(tmp_path / "store")
    before = set(kg.store)
    index = SourceIndex.build(ns.BKS + "test-source", "A text of a test source document, to index.")
    record = kg.add_submission(good_claim(kg), file_name="a.nt", sha256="a" * 64, source="test",
                               source_indexes=[index])
    stored = kg.source_index(ns.BKS + "test-source")
    assert stored is not None and stored.find("test source document").found and stored.sha256 == index.sha256
    kg.retract(record.id)
    assert kg.source_index(ns.BKS + "test-source") is None
    assert set(kg.store) == before


def test_standard_iri_export_uses_verified_mappings_only(tmp_path: Path) -> None:
    from bortekg.standard_iris import standard_iri_map

    kg = KnowledgeGraph(tmp_path / "store")
    chebi = ox.NamedNode("http://purl.obolibrary.org/obo/CHEBI_52717")
    assert standard_iri_map(kg.quads())[ox.NamedNode(ns.BKE + "bortezomib")] == chebi
    data = kg.export("nt", standard_iris=True)
    triples = {q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}
    assert ox.Triple(chebi, ox.NamedNode(ns.SKOS + "exactMatch"), ox.NamedNode(ns.BKE + "bortezomib")) in triples
    assert not any(t.subject == ox.NamedNode(ns.BKE + "bortezomib") for t in triples)
    # a mapping accepted as unverified is never used, and not exported
    cell = ox.NamedNode(ns.BKE + "t-sensory-neuron")
    cl = ox.NamedNode("http://purl.obolibrary.org/obo/CL_0000101")
    turtle = (f"<{cell.value}> a <{ns.BKG}CellType> ; <{ns.RDFS}label> \"t: sensory neuron\"@en ; "
              f"<{ns.SKOS}definition> \"A test cell type.\"@en ; <{ns.SKOS}exactMatch> <{cl.value}> ; "
              f"<{ns.BKG}unverifiedMapping> <{cl.value}> .").encode()
    validate_and_add(kg, parse_submission(turtle, file_name="cell.ttl", input_format="ttl"), source="test")
    assert [m.mapping for m in graph_stats(kg).unverified_mappings] == [cl.value]
    exported = {q.triple for q in ox.parse(kg.export("nt", standard_iris=True), format=ox.RdfFormat.N_TRIPLES)}
    assert not any(cl in (t.subject, t.object) for t in exported)
    assert any(t.subject == cell for t in exported)
