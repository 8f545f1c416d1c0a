"""The server's parts on their own: content negotiation, the answer cache, admission, the
request's dataset and the service description."""

from __future__ import annotations

import anyio
import pyoxigraph as ox
import pytest

from bortekg import namespaces as ns
from bortekg.serve.admission import Admission, Busy
from bortekg.serve.cache import AnswerCache
from bortekg.serve.dataset import DatasetView, ForeignGraph, ProtocolDataset
from bortekg.serve.description import SD, service_description
from bortekg.serve.negotiation import NotAcceptable, UnknownFormat, choose


@pytest.mark.parametrize(("accept", "graph", "expected"), [
    (None, False, "application/sparql-results+json"),
    ("*/*", False, "application/sparql-results+json"),
    (None, True, "text/turtle"),
    ("text/csv", False, "text/csv"),
    ("text/tab-separated-values", False, "text/tab-separated-values"),
    ("application/sparql-results+xml", False, "application/sparql-results+xml"),
    ("application/json", False, "application/sparql-results+json"),
    ("text/csv;q=0.2, application/sparql-results+xml;q=0.9", False, "application/sparql-results+xml"),
    ("text/csv;q=0.9, application/sparql-results+xml;q=0.2", False, "text/csv"),
    ("application/n-triples", True, "application/n-triples"),
    ("application/ld+json", True, "application/ld+json"),
    ("application/rdf+xml;q=1, text/turtle;q=0.5", True, "application/rdf+xml"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True, "text/turtle"),
])
def test_accept_header_with_q_values_picks_the_media_type(accept: str | None, graph: bool, expected: str) -> None:
    assert choose(graph, accept).media_type == expected


@pytest.mark.parametrize(("accept", "graph"), [("text/html", False), ("text/csv", True), ("image/png", True),
                                               ("application/sparql-results+json;q=0", False)])
def test_nothing_acceptable_is_refused(accept: str, graph: bool) -> None:
    with pytest.raises(NotAcceptable, match="accept one of"):
        choose(graph, accept)


@pytest.mark.parametrize(("formats", "graph", "name"), [
    (("csv",), False, "csv"), (("text/csv",), False, "csv"), (("ttl",), True, "ttl"),
    (("turtle",), True, "ttl"), (("json-ld", "application/ld+json"), True, "jsonld"), (("xml",), True, "xml"),
    (("xml",), False, "xml"), (("tsv", "text/tab-separated-values"), False, "tsv"),
    (("application/ld+json,application/x-json+ld",), True, "jsonld"),
])
def test_the_format_parameter_wins_over_accept(formats: tuple[str, ...], graph: bool, name: str) -> None:
    assert choose(graph, "image/png", formats).name == name


@pytest.mark.parametrize(("formats", "graph"), [(("csv",), True), (("ttl",), False), (("nope",), False),
                                                (("csv", "json"), False)])
def test_a_format_parameter_that_does_not_fit_is_refused(formats: tuple[str, ...], graph: bool) -> None:
    with pytest.raises(UnknownFormat):
        choose(graph, None, formats)


def test_the_cache_keeps_recent_answers_within_its_bytes() -> None:
    cache = AnswerCache(400)
    for key in "abcd":
        cache.put(key, b"x" * 100, "text/csv")
    assert cache.get("a") == (b"x" * 100, "text/csv")  # a is now the most recent
    cache.put("e", b"y" * 100, "text/csv")
    assert cache.get("b") is None and cache.get("a") is not None and cache.size == 400
    cache.put("big", b"z" * 101, "text/csv")  # more than a quarter: not kept
    assert cache.get("big") is None and len(cache) == 4


def test_the_cache_counts_the_keys_bytes_too() -> None:
    """Many long queries with short answers must not fill memory beyond the cache's bytes."""
    cache = AnswerCache(10_000)
    for number in range(100):
        cache.put(f"query {number}", b"{}", "application/json", key_bytes=2000)
    assert cache.size <= 10_000 and len(cache) == 4


def test_a_cache_of_no_bytes_keeps_nothing() -> None:
    cache = AnswerCache(0)
    cache.put("a", b"x", "text/csv")
    assert cache.get("a") is None


def test_admission_runs_some_lets_some_wait_and_refuses_the_rest() -> None:
    admission = Admission(max_running=1, max_waiting=1)
    outcomes: list[str] = []

    async def main() -> None:
        release = anyio.Event()

        def blocking() -> str:
            anyio.from_thread.run(release.wait)
            return "ran"

        async def ask() -> None:
            try:
                outcomes.append(await admission.run(blocking))
            except Busy:
                outcomes.append("busy")

        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(ask)
            while len(outcomes) < 1:
                await anyio.sleep(0.01)
            assert admission.in_flight == 2
            release.set()

    anyio.run(main)
    assert sorted(outcomes) == ["busy", "ran", "ran"]
    assert admission.in_flight == 0


def test_admission_needs_a_running_slot() -> None:
    with pytest.raises(ValueError):
        Admission(0, 4)


def test_the_dataset_parameters_name_graphs_of_the_store_only() -> None:
    known = {ns.GRAPH_KB, ns.GRAPH_ONTOLOGY}
    assert ProtocolDataset.from_parameters([], [], known) is None
    dataset = ProtocolDataset.from_parameters([ns.GRAPH_KB, ns.GRAPH_KB], [ns.GRAPH_ONTOLOGY], known)
    assert dataset == ProtocolDataset((ns.GRAPH_KB,), (ns.GRAPH_ONTOLOGY,))
    with pytest.raises(ForeignGraph, match="named-graph-uri=file:///etc/passwd is not a graph of this store"):
        ProtocolDataset.from_parameters([], ["file:///etc/passwd"], known)
    with pytest.raises(ForeignGraph, match="default-graph-uri=https://example.org/"):
        ProtocolDataset.from_parameters(["https://example.org/"], [], known)


def test_a_dataset_view_queries_the_named_graphs_only(kg) -> None:
    ontology_only = DatasetView(kg, ProtocolDataset((ns.GRAPH_ONTOLOGY,), ()))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    expected = sum(1 for _ in kg.store.quads_for_pattern(None, None, None, ox.NamedNode(ns.GRAPH_ONTOLOGY)))
    assert int(next(iter(ontology_only.query(count)))["n"].value) == expected
    assert list(ontology_only.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")) == []
    assert {g.value for g in ontology_only.content_graphs()} == {g.value for g in kg.content_graphs()}


def test_the_service_description_names_the_endpoint_formats_and_graphs() -> None:
    triples = service_description("http://127.0.0.1:1/sparql", {ns.GRAPH_KB: 7, ns.GRAPH_ONTOLOGY: 3}, 9)
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    rows = store.query(f"""PREFIX sd: <{SD}> PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?name ?size WHERE {{ <http://127.0.0.1:1/sparql> sd:endpoint <http://127.0.0.1:1/sparql> ;
          sd:supportedLanguage sd:SPARQL11Query ; sd:defaultDataset ?d .
          {{ ?d sd:defaultGraph/void:triples ?size }} UNION {{ ?d sd:namedGraph [ sd:name ?name ; sd:graph/void:triples ?size ] }} }}""")
    found = {(row["name"].value if row["name"] else None, int(row["size"].value)) for row in rows}
    assert found == {(None, 9), (ns.GRAPH_KB, 7), (ns.GRAPH_ONTOLOGY, 3)}


def test_a_repeated_request_is_answered_from_the_cache_only_when_it_succeeded(kg, monkeypatch) -> None:
    from starlette.testclient import TestClient

    from bortekg.serve import ServerState, ServeSettings, create_app
    from bortekg.serve import sparql as routes

    def ask(client, query: str, accept: str = "application/sparql-results+json"):
        return client.get("/sparql", params={"query": query}, headers={"Accept": accept})

    cached = TestClient(create_app(state=ServerState(kg, ServeSettings())), base_url="http://127.0.0.1:8000")
    uncached = TestClient(create_app(state=ServerState(kg, ServeSettings(cache_bytes=0))), base_url="http://127.0.0.1:8000")
    query = "ASK { ?s ?p ?o }"
    first = [ask(client, query) for client in (cached, uncached)]
    assert ask(cached, "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }").status_code == 400

    def broken(*args, **kwargs):
        raise routes.QueryError("the engine is gone")

    monkeypatch.setattr(routes, "run_query", broken)
    assert ask(cached, query).content == first[0].content  # no query ran
    assert ask(uncached, query).status_code == 500
    assert ask(cached, query, "text/csv").status_code == 500  # another format is another answer
    # a refusal is checked again, never answered from the cache
    assert ask(cached, "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }").status_code == 400
