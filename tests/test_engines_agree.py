"""Every competency question returns the same rows from pyoxigraph and from rdflib's own SPARQL engine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from bortekg.binding import bind_values
from bortekg.catalogue import CompetencyQuestion
from bortekg.engines import EmbeddedEngine, run_query
from cq_cases import question_params, sample_bindings
from rowsets import describe_difference, row_multiset


@pytest.fixture(scope="module")
def rdflib_graph(kg) -> rdflib.Graph:
    """The union of the content graphs, parsed by rdflib from pyoxigraph's N-Triples."""
    graph = rdflib.Graph()
    graph.parse(data=kg.export("nt").decode(), format="nt")
    return graph


def rdflib_answer(graph: rdflib.Graph, sparql: str):
    data = graph.query(sparql).serialize(format="json")
    return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)


@pytest.mark.parametrize("question", question_params())
def test_rdflib_returns_the_same_rows(kg, rdflib_graph: rdflib.Graph, question: CompetencyQuestion) -> None:
    for bindings in ({}, sample_bindings(kg, question)):
        text = bind_values(question.sparql, bindings)
        expected = row_multiset(run_query(EmbeddedEngine(kg), text))
        actual = row_multiset(rdflib_answer(rdflib_graph, text))
        assert actual == expected, f"{question.id} {bindings}: " + describe_difference(expected, actual)


# ------------------------------------------------------------------ the on-disk store


@pytest.fixture(scope="module")
def on_disk(tmp_path_factory: pytest.TempPathFactory):
    from bortekg import KnowledgeGraph

    return KnowledgeGraph(tmp_path_factory.mktemp("store") / "store")


ON_DISK_QUERIES = [
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s LIMIT 50",
    "ASK { <https://w3id.org/bortekg/entity/pregabalin> ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?s = <https://w3id.org/bortekg/entity/pregabalin>) }",
    "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/bortekg/graph/ontology> WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("sparql", ON_DISK_QUERIES)
def test_an_on_disk_store_answers_like_the_in_memory_one(kg, on_disk, sparql: str) -> None:
    """The on-disk store's worker is a new process that reopens the store read-only."""
    expected, actual = run_query(EmbeddedEngine(kg), sparql), run_query(EmbeddedEngine(on_disk), sparql)
    if isinstance(expected, list):
        assert set(actual) == set(expected) and expected
    elif isinstance(expected, ox.QueryBoolean):
        assert bool(actual) is bool(expected) is True
    else:
        rows = row_multiset(expected)
        assert row_multiset(actual) == rows and rows


def test_an_on_disk_store_reports_errors_and_time_limits(on_disk) -> None:
    from bortekg.worker import QueryTimeout

    with pytest.raises(SyntaxError):
        run_query(EmbeddedEngine(on_disk), "SELECT * WHERE { ?s ?p ?o } }")
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(QueryTimeout, match="did not finish within 1 s"):
        run_query(EmbeddedEngine(on_disk), endless, timeout=1)


def test_a_store_opened_read_only_reads_as_it_is_and_writes_nothing(on_disk) -> None:
    from bortekg import KnowledgeGraph

    reader = KnowledgeGraph.open_read_only(on_disk.store_dir)
    assert reader.content_graphs() == on_disk.content_graphs() and len(reader) == len(on_disk)
    triple = ox.Triple(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/b"),
                       ox.NamedNode("http://example.org/c"))
    with pytest.raises(RuntimeError, match="read-write"):
        reader.replace_inferred([triple])
    assert len(on_disk) == len(reader)


@pytest.fixture(scope="module")
def closed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store built and closed by another process, so that its files can be moved."""
    folder = tmp_path_factory.mktemp("closed") / "store"
    subprocess.run([sys.executable, "-c", f"from bortekg import KnowledgeGraph; KnowledgeGraph({str(folder)!r})"],
                   check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    return folder


def test_opening_read_only_tries_again_when_a_file_vanished_meanwhile(closed_store: Path) -> None:
    from bortekg.engines import READ_ONLY_PAUSE, open_read_only

    table = sorted(closed_store.glob("*.sst"))[0]
    aside = table.with_suffix(".aside")
    table.rename(aside)  # as a compaction in the writing process would, for a moment
    restore = threading.Timer(2 * READ_ONLY_PAUSE, aside.rename, args=(table,))
    started = time.monotonic()
    restore.start()
    try:
        reader = open_read_only(str(closed_store))
    finally:
        restore.join()
    assert time.monotonic() - started >= READ_ONLY_PAUSE
    assert len(reader.content_graphs()) >= 2


def test_opening_read_only_gives_up_on_a_store_that_stays_broken(closed_store: Path, tmp_path: Path) -> None:
    from bortekg.engines import open_read_only

    broken = tmp_path / "broken"
    shutil.copytree(closed_store, broken)
    sorted(broken.glob("*.sst"))[0].unlink()
    with pytest.raises(RuntimeError, match="No such file"):
        open_read_only(str(broken))
