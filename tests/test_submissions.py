"""Submissions in the store: their own named graph with provenance, listed, retracted exactly,
and written atomically (an exception or a kill during the write leaves the store as it was)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.store import DuplicateSubmissionError, UnknownSubmissionError
from gate_helpers import good_claim, snapshot

SHA_A, SHA_B = "a" * 64, "b" * 64


def add(kg: KnowledgeGraph, triples: list[ox.Triple], sha256: str = SHA_A, **extra):
    return kg.add_submission(triples, file_name="facts.ttl", sha256=sha256, source="the source", **extra)


def test_submission_is_its_own_graph_with_its_provenance(kg: KnowledgeGraph) -> None:
    store = KnowledgeGraph()
    triples = good_claim(kg)
    record = add(store, triples, submitter="a curator")
    graph = ox.NamedNode(record.graph)
    assert record.graph == ns.GRAPH_SUBMISSION_PREFIX + record.id
    assert {q.triple for q in store.store.quads_for_pattern(None, None, None, graph)} == set(triples)
    assert graph in store.content_graphs()
    meta = {q.predicate.value: q.object for q in store.store.quads_for_pattern(graph, None, None, ox.NamedNode(ns.GRAPH_META))}
    assert meta[ns.PROV + "generatedAtTime"].datatype.value == ns.XSD + "dateTime"
    assert meta[ns.DCTERMS + "source"].value == "the source"
    assert meta[ns.DCTERMS + "creator"].value == "a curator"
    assert meta[ns.BKG + "submittedFileSha256"].value == SHA_A
    assert meta[ns.BKG + "submittedFileName"].value == "facts.ttl"
    assert store.submissions() == [record]
    assert record.as_dict()["triples"] == len(triples)


def test_the_same_file_cannot_be_added_twice(kg: KnowledgeGraph) -> None:
    store = KnowledgeGraph()
    first = add(store, good_claim(kg))
    with pytest.raises(DuplicateSubmissionError, match=f"already added as submission {first.id}"):
        add(store, good_claim(kg, "other"))


def test_retract_removes_exactly_one_submission(kg: KnowledgeGraph) -> None:
    store = KnowledgeGraph()
    before = set(store.store)
    first = add(store, good_claim(kg, "first"), SHA_A)
    with_first = set(store.store)
    second = add(store, good_claim(kg, "second"), SHA_B)
    with_both = set(store.store)
    assert store.retract(first.id) == first
    assert set(store.store) == with_both - (with_first - before)
    assert [r.id for r in store.submissions()] == [second.id]
    store.retract(second.id)
    assert set(store.store) == before


def test_retract_of_an_unknown_submission_names_the_known_ones(kg: KnowledgeGraph) -> None:
    store = KnowledgeGraph()
    record = add(store, good_claim(kg))
    with pytest.raises(UnknownSubmissionError, match=f"no submission 'nope'.*{record.id}.*bortekg submissions"):
        store.retract("nope")


def test_submissions_survive_a_reload_of_the_packaged_files(tmp_path: Path, kg: KnowledgeGraph, monkeypatch) -> None:
    store_dir = tmp_path / "store"
    record = add(KnowledgeGraph(store_dir), good_claim(kg))
    # a new release of the packaged files makes the store reload the curated layers
    monkeypatch.setattr("bortekg.store.bundle_fingerprint", lambda: "a new release")
    reopened = KnowledgeGraph(store_dir)
    assert reopened.submissions() == [record]
    assert len(list(reopened.store.quads_for_pattern(None, None, None, ox.NamedNode(record.graph)))) == record.triples


def test_an_exception_during_the_write_leaves_the_store_unchanged(tmp_path: Path, kg: KnowledgeGraph, monkeypatch) -> None:
    store_dir = tmp_path / "store"
    store = KnowledgeGraph(store_dir)
    add(store, good_claim(kg, "earlier"), SHA_B)
    before = set(store.store)
    original = KnowledgeGraph._submission_quads

    def failing_quads(triples, graph, record):
        for number, quad in enumerate(original(triples, graph, record)):
            if number == len(triples) // 2:
                raise RuntimeError("disk full")
            yield quad

    monkeypatch.setattr(KnowledgeGraph, "_submission_quads", staticmethod(failing_quads))
    with pytest.raises(RuntimeError, match="disk full"):
        add(store, good_claim(kg))
    assert set(store.store) == before
    del store
    assert snapshot(store_dir) == before


_WRITER = textwrap.dedent("""
    import sys
    import pyoxigraph as ox
    from bortekg import KnowledgeGraph

    kg = KnowledgeGraph(sys.argv[1])
    predicate = ox.NamedNode("https://w3id.org/bortekg/statement")
    triples = [ox.Triple(ox.NamedNode(f"https://w3id.org/bortekg/claim/bulk-{i}"), predicate,
                         ox.Literal(f"statement {i}")) for i in range(int(sys.argv[2]))]
    print("writing", flush=True)
    kg.add_submission(triples, file_name="bulk.nt", sha256=sys.argv[3] * 64, source="bulk")
    print("done", flush=True)
""")


def test_a_kill_during_the_write_leaves_all_or_nothing(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    KnowledgeGraph(store_dir)  # create it, then let it go (one process may open it at a time)
    before = snapshot(store_dir)
    triples = 60_000
    interrupted = 0
    for delay, sha in ((0.05, "c"), (0.3, "d"), (0.6, "e")):
        writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(store_dir), str(triples), sha],
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline().strip() == "writing"
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        finished = "done" in writer.communicate()[0]
        interrupted += not finished
        after = snapshot(store_dir)
        if after == before:
            continue
        added = after - before
        graphs = {q.graph_name for q in added}
        assert len(graphs - {ox.NamedNode(ns.GRAPH_META)}) == 1, "a kill left a partial write"
        assert len(added) == triples + 7, "a kill left a partial write"
        assert after >= before
        before = after
    assert interrupted, "every write finished before the kill: make the submission larger"
