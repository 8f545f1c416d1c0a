"""Submissions in the store: their own named graph with provenance, listed, retracted exactly,
and written atomically (a kill during the write, or a disk that refuses it, leaves the store as it was)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
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


_WRITER = textwrap.dedent("""
    import inspect
    import os
    import signal
    import sys
    import threading
    import pyoxigraph as ox
    from bortekg import KnowledgeGraph

    store_dir, count, sha, kill_at = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    kg = KnowledgeGraph(store_dir)
    predicate = ox.NamedNode("https://w3id.org/bortekg/statement")
    triples = [ox.Triple(ox.NamedNode(f"https://w3id.org/bortekg/claim/bulk-{i}"), predicate,
                         ox.Literal(f"statement {i}")) for i in range(count)]
    main = threading.main_thread().ident
    seen = 0
    finished = threading.Event()

    def writing() -> bool:
        # The store drains its quads inside one transaction: the main thread's innermost frame is
        # then a generator resumed by the store, on behalf of add_submission.
        frame = sys._current_frames().get(main)
        return (frame is not None and bool(frame.f_code.co_flags & inspect.CO_GENERATOR)
                and frame.f_back is not None and frame.f_back.f_code.co_name == "add_submission")

    def watch() -> None:
        global seen
        while not finished.is_set():
            if writing():
                seen += 1
                if seen == kill_at:  # the synchronised point: the write is under way
                    os.kill(os.getpid(), signal.SIGKILL)
            finished.wait(0.0002)

    sys.setswitchinterval(0.0001)  # let the watcher look in often while the write runs
    threading.Thread(target=watch, daemon=True).start()
    kg.add_submission(triples, file_name="bulk.nt", sha256=sha * 64, source="bulk")
    finished.set()
    print(seen, flush=True)
""")


def write_in_a_child(store_dir: Path, triples: int, sha: str, kill_at: int) -> subprocess.CompletedProcess:
    """Add ``triples`` bulk triples in a child process that kills itself with SIGKILL the
    ``kill_at``-th time it finds its write under way (never, for 0)."""
    return subprocess.run([sys.executable, "-c", _WRITER, str(store_dir), str(triples), sha, str(kill_at)],
                          capture_output=True, text=True, timeout=120)


def test_a_kill_during_the_write_leaves_all_or_nothing(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    KnowledgeGraph(store_dir)  # create it, then let it go (one process may open it at a time)
    before = snapshot(store_dir)
    triples = 20_000
    # A write that runs to its end: all of it, and how often the child saw it under way.
    whole = write_in_a_child(store_dir, triples, "c", kill_at=0)
    assert whole.returncode == 0, whole.stderr
    observed = int(whole.stdout)
    assert observed >= 3, f"the child saw its write under way only {observed} time(s): no point to kill it at"
    after = snapshot(store_dir)
    added = after - before
    assert after >= before and len(added) == triples + 7
    assert len({q.graph_name for q in added} - {ox.NamedNode(ns.GRAPH_META)}) == 1
    # Killed early, a third and two thirds into the write: nothing of it is stored.
    before = after
    for kill_at, sha in ((1, "d"), (observed // 3, "e"), (2 * observed // 3, "f")):
        killed = write_in_a_child(store_dir, triples, sha, kill_at)
        assert killed.returncode == -signal.SIGKILL, (
            f"the child was to be killed at its write's {kill_at}th observed moment, but it "
            f"exited with {killed.returncode}: {killed.stderr[-2000:]}")
        assert snapshot(store_dir) == before, f"a kill at moment {kill_at} of the write left a partial write"


_FILLER = textwrap.dedent("""
    import resource
    import signal
    import sys
    import pyoxigraph as ox
    from bortekg import KnowledgeGraph

    kg = KnowledgeGraph(sys.argv[1])
    predicate = ox.NamedNode("https://w3id.org/bortekg/statement")
    triples = [ox.Triple(ox.NamedNode(f"https://w3id.org/bortekg/claim/big-{i}"), predicate,
                         ox.Literal("x" * 200)) for i in range(20_000)]
    # The disk is "full" for this process: no file it writes may grow past 64 KiB (EFBIG, not SIGXFSZ).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (65_536, 65_536))
    try:
        kg.add_submission(triples, file_name="big.nt", sha256="9" * 64, source="big")
    except Exception as error:
        print("refused:", type(error).__name__, error, flush=True)
        sys.exit(3)
    print("written", flush=True)
""")


def test_a_write_that_fails_at_the_disk_leaves_the_store_unchanged(tmp_path: Path, kg: KnowledgeGraph) -> None:
    store_dir = tmp_path / "store"
    store = KnowledgeGraph(store_dir)
    add(store, good_claim(kg, "earlier"), SHA_B)
    del store
    before = snapshot(store_dir)
    filler = subprocess.run([sys.executable, "-c", _FILLER, str(store_dir)], capture_output=True, text=True,
                            timeout=120)
    assert filler.returncode == 3, f"the write should fail at the size limit: {filler.stdout}{filler.stderr[-2000:]}"
    assert snapshot(store_dir) == before
    assert [r.source for r in KnowledgeGraph(store_dir).submissions()] == ["the source"]
