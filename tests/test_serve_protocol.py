"""The SPARQL 1.1 Protocol over real HTTP: ``bortekg serve`` started as a process, asked with
httpx and with SPARQLWrapper; every answer is compared with the Python API's answer to the
same query."""

from __future__ import annotations

import json
from collections import Counter

import httpx
import pyoxigraph as ox
import pytest
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

from bortekg import namespaces as ns
from bortekg.answers import Answer
from bortekg.binding import bind_values
from bortekg.catalogue import load_catalogue
from bortekg.engines import EmbeddedEngine, run_query
from bortekg.results import format_results
from bortekg.serve.description import SD
from rowsets import describe_difference, row_multiset
from serve_server import cli_server

pytestmark = pytest.mark.server  # starts bortekg serve

PREFIXES = "PREFIX bkg: <https://w3id.org/bortekg/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
SELECT = PREFIXES + "SELECT ?drug ?label WHERE { ?drug a bkg:Drug ; rdfs:label ?label } ORDER BY ?drug ?label"
CONSTRUCT = PREFIXES + "CONSTRUCT { ?drug rdfs:label ?label } WHERE { ?drug a bkg:Drug ; rdfs:label ?label }"
ASK_DRUG = PREFIXES + "ASK { ?s a bkg:Drug }"

RESULT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}
GRAPH_TYPES = {"ttl": ("text/turtle", ox.RdfFormat.TURTLE), "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
               "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
               "xml": ("application/rdf+xml", ox.RdfFormat.RDF_XML)}


@pytest.fixture(scope="module")
def base() -> str:
    with cli_server() as (url, _):
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> httpx.Client:
    with httpx.Client(base_url=base, timeout=60) as http:
        yield http


def local(kg, sparql: str):
    return run_query(EmbeddedEngine(kg), sparql)


def media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0]


@pytest.mark.parametrize("name", list(RESULT_TYPES))
def test_select_in_each_results_format_is_the_command_lines_answer(client, kg, name: str) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": RESULT_TYPES[name]})
    assert response.status_code == 200, response.text
    assert media_type(response) == RESULT_TYPES[name]
    assert response.headers["vary"] == "Accept"
    assert response.content == format_results(local(kg, SELECT), name)
    assert response.content.count(b"bortezomib") >= 1


@pytest.mark.parametrize("name", list(GRAPH_TYPES))
def test_construct_in_each_rdf_format_is_the_graph_of_the_answer(client, kg, name: str) -> None:
    sent, rdf_format = GRAPH_TYPES[name]
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": sent})
    assert response.status_code == 200, response.text
    assert media_type(response) == sent
    received = {quad.triple for quad in ox.parse(response.content, rdf_format)}
    expected = set(local(kg, CONSTRUCT))
    assert received == expected and len(expected) > 0


@pytest.mark.parametrize(("query", "answer"), [(ASK_DRUG, True), (PREFIXES + "ASK { ?s a bkg:NoSuchClass }", False)])
def test_ask_over_the_union_of_knowledge_base_and_ontology(client, query: str, answer: bool) -> None:
    for accept, read in (("application/sparql-results+json", ox.QueryResultsFormat.JSON),
                         ("application/sparql-results+xml", ox.QueryResultsFormat.XML)):
        response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200, response.text
        assert bool(ox.parse_query_results(response.content, read)) is answer


def test_get_post_form_and_post_direct_give_the_same_answer(client, kg) -> None:
    expected = format_results(local(kg, SELECT), "json")
    answers = [
        client.get("/sparql", params={"query": SELECT}),
        client.post("/sparql", data={"query": SELECT}),
        client.post("/sparql", content=SELECT.encode(), headers={"Content-Type": "application/sparql-query"}),
        client.get("/sparql", params={"query": SELECT, "format": "json"}, headers={"Accept": "text/html"}),
    ]
    assert [(a.status_code, a.content) for a in answers] == [(200, expected)] * 4


def count(client, **parameters) -> int:
    response = client.post("/sparql", data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **parameters})
    assert response.status_code == 200, response.text
    return int(json.loads(response.content)["results"]["bindings"][0]["n"]["value"])


def graph_size(kg, graph: str) -> int:
    return sum(1 for _ in kg.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def test_default_graph_uri_chooses_the_default_graph(client, kg) -> None:
    assert count(client, **{"default-graph-uri": ns.GRAPH_ONTOLOGY}) == graph_size(kg, ns.GRAPH_ONTOLOGY)
    assert count(client, **{"default-graph-uri": ns.GRAPH_KB}) == graph_size(kg, ns.GRAPH_KB)
    assert count(client) == len(kg)  # without it: the union, duplicates merged
    # only named graphs: the default graph is empty
    assert count(client, **{"named-graph-uri": ns.GRAPH_KB}) == 0


def test_named_graph_uri_chooses_the_graphs_graph_clauses_reach(client) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"

    def graphs(**parameters) -> list[str]:
        response = client.post("/sparql", data={"query": query, **parameters})
        assert response.status_code == 200, response.text
        return [row["g"]["value"] for row in json.loads(response.content)["results"]["bindings"]]

    assert graphs() == [ns.GRAPH_KB, ns.GRAPH_ONTOLOGY]
    assert graphs(**{"named-graph-uri": ns.GRAPH_ONTOLOGY}) == [ns.GRAPH_ONTOLOGY]
    assert graphs(**{"default-graph-uri": ns.GRAPH_KB}) == []


def test_the_protocol_dataset_replaces_the_querys_from(client, kg) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ns.GRAPH_KB}> WHERE {{ ?s ?p ?o }}"
    response = client.get("/sparql", params={"query": query, "default-graph-uri": ns.GRAPH_ONTOLOGY})
    assert json.loads(response.content)["results"]["bindings"][0]["n"]["value"] == str(graph_size(kg, ns.GRAPH_ONTOLOGY))
    response = client.get("/sparql", params={"query": query})
    assert json.loads(response.content)["results"]["bindings"][0]["n"]["value"] == str(graph_size(kg, ns.GRAPH_KB))


@pytest.mark.parametrize(("accept", "rdf_format"), [("text/turtle", ox.RdfFormat.TURTLE),
                                                    ("application/ld+json", ox.RdfFormat.JSON_LD),
                                                    ("application/rdf+xml", ox.RdfFormat.RDF_XML)])
def test_sparql_without_a_query_is_the_service_description(client, base, kg, accept, rdf_format) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200 and media_type(response) == accept
    store = ox.Store()
    store.load(response.content, rdf_format)
    endpoint = ox.NamedNode(base + "sparql")
    assert bool(store.query(f"PREFIX sd: <{SD}> ASK {{ {endpoint} a sd:Service ; sd:endpoint {endpoint} ; "
                            "sd:supportedLanguage sd:SPARQL11Query ; "
                            "sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_CSV> }"))
    names = {row["g"].value for row in store.query(f"PREFIX sd: <{SD}> SELECT ?g WHERE {{ ?d sd:namedGraph/sd:name ?g }}")}
    assert names == {graph.value for graph in kg.content_graphs()}


def test_health(client, kg) -> None:
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok", "triples": len(kg)}


@pytest.mark.parametrize(("headers", "status"), [({"Accept": "text/html"}, 406), ({"Accept": "image/png"}, 406)])
def test_an_answer_no_client_accepts_is_406(client, headers, status) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers=headers)
    assert response.status_code == status and "accept one of" in response.text


def test_a_body_of_another_type_is_415_and_another_method_405(client) -> None:
    response = client.post("/sparql", content=SELECT.encode(), headers={"Content-Type": "text/plain"})
    assert response.status_code == 415 and "application/sparql-query" in response.text
    assert client.put("/sparql", content=b"x").status_code == 405


def test_two_queries_in_one_request_are_refused(client) -> None:
    response = client.get("/sparql", params=[("query", SELECT), ("query", ASK_DRUG)])
    assert response.status_code == 400 and "exactly one" in response.text


# --------------------------------------------------------------------------- SPARQLWrapper


def wrapper(base: str, query: str, return_format: str, method: str = "GET", request: str = URLENCODED) -> SPARQLWrapper:
    client = SPARQLWrapper(base + "sparql", returnFormat=return_format)
    client.setQuery(query)
    client.setMethod(method)
    client.setRequestMethod(request)
    return client


@pytest.mark.parametrize(("method", "request_method"), [("GET", URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)])
def test_sparqlwrapper_select_and_ask(base, kg, method, request_method) -> None:
    rows = wrapper(base, SELECT, JSON, method, request_method).query().convert()["results"]["bindings"]
    expected = Answer.of(local(kg, SELECT)).records()
    assert [{"drug": row["drug"]["value"], "label": row["label"]["value"]} for row in rows] == \
        [{"drug": r["drug"], "label": r["label"]} for r in expected]
    assert wrapper(base, ASK_DRUG, JSON, method, request_method).query().convert()["boolean"] is True
    document = wrapper(base, SELECT, XML, method, request_method).query().convert()  # a DOM
    assert len(document.getElementsByTagName("result")) == len(expected)


@pytest.mark.parametrize("return_format", [CSV, TSV])
def test_sparqlwrapper_csv_and_tsv(base, kg, return_format) -> None:
    body = wrapper(base, SELECT, return_format).query().convert()
    assert body == format_results(local(kg, SELECT), return_format)


@pytest.mark.parametrize("return_format", [TURTLE, N3, RDFXML, JSONLD])
def test_sparqlwrapper_construct(base, kg, return_format) -> None:
    import rdflib

    converted = wrapper(base, CONSTRUCT, return_format).query().convert()
    graph = converted if isinstance(converted, rdflib.Graph) else rdflib.Graph().parse(
        data=converted, format={TURTLE: "turtle", N3: "n3", JSONLD: "json-ld"}[return_format])
    expected = {(t.subject.value, t.object.value) for t in local(kg, CONSTRUCT)}
    assert {(str(s), str(o)) for s, _, o in graph} == expected


# --------------------------------------------------------------------------- competency questions


def test_every_competency_question_answers_as_cq_run_does(client, kg) -> None:
    """Each catalogue question, with its example parameters bound as ``cq run`` binds them,
    asked through /sparql: the same rows as the Python API's answer."""
    questions = load_catalogue()
    assert len(questions) >= 40
    for question in questions:
        bindings = question.example_bindings()
        expected = run_query(EmbeddedEngine(kg), question.sparql, bindings=bindings)
        response = client.post("/sparql", data={"query": bind_values(question.sparql, bindings)})
        assert response.status_code == 200, f"{question.id}: {response.text}"
        received = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
        if isinstance(expected, ox.QuerySolutions):
            expected_records = Answer.of(expected).records()
            received_records = Answer.of(received).records()
            assert Counter(json.dumps(r, sort_keys=True) for r in received_records) == \
                Counter(json.dumps(r, sort_keys=True) for r in expected_records), question.id
        else:
            assert row_multiset(received) == row_multiset(expected), describe_difference(
                row_multiset(expected), row_multiset(received))
