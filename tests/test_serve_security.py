"""The endpoint only reads, and stays up: updates, SERVICE, LOAD and file access refused,
caps on the query and the answer, a time limit, bounded concurrency, the Host header checked on
loopback, and CORS only when asked for."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
from starlette.testclient import TestClient

from bortekg import namespaces as ns
from bortekg.serve import ServerState, ServeSettings, create_app
from serve_server import cli_server, serving

LOCAL = "http://127.0.0.1:8000"
#: A join of every triple with every triple with every triple: it never ends on this graph.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MARKER = "ASK { <urn:x:planted> ?p ?o }"


def client_for(kg, **settings) -> TestClient:
    return TestClient(create_app(state=ServerState(kg, ServeSettings(**settings))), base_url=LOCAL)


@pytest.fixture(scope="module")
def client(kg) -> TestClient:
    return client_for(kg)


def answer_of_marker(client: TestClient) -> str:
    return client.get("/sparql", params={"query": MARKER}).json()["boolean"]


@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:x:planted> <urn:x:p> 1 }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <file:///etc/passwd>",
    "CLEAR ALL",
    "DROP GRAPH <https://w3id.org/bortekg/graph/kb>",
    "PREFIX x: <urn:x:> INSERT { <urn:x:planted> x:p ?o } WHERE { ?s ?p ?o }",
])
def test_updates_and_load_in_the_query_are_refused_and_change_nothing(client, kg, update: str) -> None:
    size = len(kg)
    for response in (client.get("/sparql", params={"query": update}),
                     client.post("/sparql", data={"query": update}),
                     client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-query"})):
        assert response.status_code == 400, response.text
        assert response.text.startswith("query refused: line 1, column ")
    assert len(kg) == size and answer_of_marker(client) is False


@pytest.mark.parametrize("how", ["sparql-update body", "update form field", "update URL parameter"])
def test_the_update_operation_is_403(client, kg, how: str) -> None:
    update = "INSERT DATA { <urn:x:planted> <urn:x:p> 1 }"
    if how == "sparql-update body":
        response = client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"})
    elif how == "update form field":
        response = client.post("/sparql", data={"update": update})
    else:
        response = client.get("/sparql", params={"update": update})
    assert response.status_code == 403 and "only reads" in response.text
    assert answer_of_marker(client) is False


def test_service_is_refused_at_its_line_and_column(client) -> None:
    query = "SELECT * WHERE {\n  SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }\n}"
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400
    assert response.text.startswith("query refused: line 2, column 3: SERVICE")


@pytest.mark.parametrize("query", [
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "BASE <file:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }",
])
def test_file_iris_in_from_are_refused(client, query: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400 and "FROM" in response.text and "is not allowed" in response.text


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_file_iris_as_dataset_parameters_are_refused(client, parameter: str) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }", parameter: "file:///etc/passwd"})
    assert response.status_code == 400
    assert response.text.startswith(f"{parameter}=file:///etc/passwd is not a graph of this store")
    assert ns.GRAPH_KB in response.text


def test_a_post_without_a_query_is_400(client) -> None:
    response = client.post("/sparql", data={"default-graph-uri": ns.GRAPH_KB})
    assert response.status_code == 400 and response.text.startswith("the request has no query")


def test_invalid_sparql_is_400_with_line_and_column(client) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE {\n ?s bkg:x ?o }"})
    assert response.status_code == 400
    assert response.text.startswith("invalid SPARQL: line 2, column 5: the prefix bkg: is not declared")


def test_an_oversized_query_is_413_however_it_is_sent(kg) -> None:
    client = client_for(kg, max_query_bytes=2000)
    small = "ASK { ?s ?p ?o }" + " " * 1900
    big = "ASK { ?s ?p ?o }" + " " * 2000
    assert client.post("/sparql", data={"query": small}).status_code == 200
    for response in (client.get("/sparql", params={"query": big}),
                     client.post("/sparql", data={"query": big}),
                     client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"}),
                     client.post("/sparql", content=b"query=" + b"%20" * 200_000,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})):
        assert response.status_code == 413, response.text
        assert "longer than the 2,000 bytes accepted" in response.text


def status_of_unfinished_body(base: str, headers: str, body: bytes) -> str:
    """The status line the server answers a POST whose body never ends (headers and the first
    part of the body sent, the rest never), or "" when it waits for the rest (2 s)."""
    host, port = base.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=2) as connection:
        connection.sendall(f"POST /sparql HTTP/1.1\r\nHost: {host}:{port}\r\n{headers}\r\n".encode() + body)
        try:
            return connection.recv(200).decode().split("\r\n")[0]
        except TimeoutError:
            return ""


def test_a_body_is_read_no_further_than_the_cap(kg) -> None:
    """The server answers 413 without waiting for (or keeping) the rest of a body that is too
    long: one that says so in its Content-Length, and a chunked one that exceeds the cap."""
    with serving(ServerState(kg, ServeSettings(max_query_bytes=2000))) as base:
        declared = status_of_unfinished_body(
            base, "Content-Type: application/sparql-query\r\nContent-Length: 1000000000\r\n", b"ASK {")
        chunk = b"%x\r\n%s\r\n" % (1000, b" " * 1000)
        chunked = status_of_unfinished_body(
            base, "Content-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n", chunk * 5)
    assert declared == chunked == "HTTP/1.1 413 Request Entity Too Large"


def test_an_answer_over_the_cap_is_refused(kg) -> None:
    client = client_for(kg, max_result_bytes=10_000)
    response = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert response.status_code == 400 and "add a LIMIT" in response.text
    assert client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5"}).status_code == 200


def test_an_endless_query_is_stopped_at_the_time_limit(kg) -> None:
    client = client_for(kg, timeout=0.5)
    started = time.monotonic()
    response = client.get("/sparql", params={"query": ENDLESS})
    assert time.monotonic() - started < 10
    assert response.status_code == 503 and "did not finish within 0.5 s" in response.text
    assert "Retry-After" not in response.headers  # asking again would not help
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_too_many_concurrent_queries_get_503_with_retry_after(kg) -> None:
    state = ServerState(kg, ServeSettings(max_running=1, max_waiting=0, timeout=2))
    with serving(state) as base:
        slow: list[httpx.Response] = []
        worker = threading.Thread(target=lambda: slow.append(httpx.get(base + "sparql", params={"query": ENDLESS},
                                                                       timeout=30)))
        worker.start()
        deadline = time.monotonic() + 10
        while state.admission.in_flight < 1:
            assert time.monotonic() < deadline, "the slow query never started"
            time.sleep(0.01)
        refused = httpx.get(base + "sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        worker.join(30)
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert refused.text.startswith("the server is busy")
    assert slow[0].status_code == 503 and "did not finish" in slow[0].text


def test_a_hostile_host_header_is_refused_on_loopback(kg) -> None:
    with serving(ServerState(kg, ServeSettings())) as base:
        port = base.rstrip("/").rsplit(":", 1)[1]

        def status(host: str) -> int:
            return httpx.get(base + "health", headers={"Host": host}, timeout=30).status_code

        assert status("evil.example") == 400
        assert status(f"evil.example:{port}") == 400
        assert status(f"127.0.0.1.evil.example:{port}") == 400
        assert [status(f"{host}:{port}") for host in ("localhost", "127.0.0.1", "[::1]")] == [200, 200, 200]


def test_the_host_is_not_checked_when_bound_beyond_loopback(kg) -> None:
    client = client_for(kg, host="0.0.0.0")
    assert client.get("/health", headers={"Host": "bortekg.example.org"}).status_code == 200


def test_no_cors_by_default(client) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Origin": "https://example.org"})
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers
    preflight = client.options("/sparql", headers={"Origin": "https://example.org",
                                                   "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_for_the_origins_given_only(kg) -> None:
    client = client_for(kg, cors_origins=("https://example.org",))
    allowed = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Origin": "https://example.org"})
    assert allowed.headers["access-control-allow-origin"] == "https://example.org"
    other = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = client.options("/sparql", headers={"Origin": "https://example.org",
                                                   "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "Content-Type"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "https://example.org"


def test_the_cors_option_of_the_command(tmp_path) -> None:
    with cli_server("--cors", "https://example.org") as (base, _):
        response = httpx.get(base + "health", headers={"Origin": "https://example.org"}, timeout=30)
        assert response.headers["access-control-allow-origin"] == "https://example.org"
