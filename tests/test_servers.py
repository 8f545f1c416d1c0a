"""The same questions on real SPARQL servers: an Oxigraph server (the ``oxigraph`` package) and
Virtuoso 7 (Debian's ``virtuoso-opensource-7-bin``), each started on a free loopback port,
loaded with ``bortekg load``, and stopped by its process id."""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bortekg.binding import bind_values
from bortekg.catalogue import CompetencyQuestion
from bortekg.cli import main
from bortekg.endpoint import MANIFEST_GRAPH, Endpoint, EndpointError
from bortekg.engines import EmbeddedEngine, RemoteEngine, run_query
from bortekg.upload import drop_graphs, upload
from bortekg.worker import QueryTimeout
from cq_cases import FIXTURES, question_params, sample_bindings
from local_http import Forwarded, breaking_proxy
from rowsets import describe_difference, row_multiset

pytestmark = pytest.mark.server

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 4

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


@dataclass
class Server:
    name: str
    query_url: str
    graph_store_url: str
    update_url: str
    process: subprocess.Popen
    user: str | None = None
    password: str | None = None

    def engine(self) -> RemoteEngine:
        return RemoteEngine(Endpoint(self.query_url, self.user, self.password))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        message = f"{name} is not installed (see the README's test command)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def wait_for(server: Server, log: Path, seconds: float) -> None:
    query = urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"{server.name} exited with {server.process.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{server.query_url}?{query}", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{server.name} did not answer within {seconds} s: {log.read_text()[-2000:]}")


def stop(server: Server) -> None:
    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def upload_options(server: Server, method: str) -> list[str]:
    """The load options of one upload method; the update service swaps the graphs in."""
    if method == "graph store":
        return ["--graph-store", server.graph_store_url, "--update-endpoint", server.update_url]
    return ["--update-endpoint", server.update_url]


def load(server: Server, *options: str) -> str:
    env = {"BORTEKG_ENDPOINT_PASSWORD": server.password} if server.password else {}
    args = ["load", "--endpoint", server.query_url, *options]
    if server.user:
        args += ["--user", server.user]
    result = CliRunner(env=env).invoke(main, args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    log = folder / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [binary("oxigraph"), "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    server = Server("Oxigraph server", f"{base}/query", f"{base}/store", f"{base}/update", process)
    try:
        wait_for(server, log, 30)
        load(server, *upload_options(server, "graph store"))
        yield server
    finally:
        stop(server)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=folder, sql_port=sql_port, http_port=http_port))
    log = folder / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen([binary("virtuoso-t"), "-f", "-c", str(ini)], cwd=folder,
                                   stdout=out, stderr=subprocess.STDOUT)
    # a new database's administrator is dba with password dba; the server listens on loopback only
    base = f"http://127.0.0.1:{http_port}"
    server = Server("Virtuoso", f"{base}/sparql", f"{base}/sparql-graph-crud-auth", f"{base}/sparql-auth",
                    process, user="dba", password="dba")
    try:
        wait_for(server, log, 120)
        load(server, *upload_options(server, "graph store"))
        yield server
    finally:
        stop(server)


@pytest.fixture(params=["oxigraph", "virtuoso"])
def server(request: pytest.FixtureRequest) -> Server:
    return request.getfixturevalue(request.param)


#: Questions a server answers differently because of a bug of that server, with the reason.
#: Strict: once the question is rewritten so that the server gets it right, the entry must go.
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {}


def differences(kg, server: Server, question: CompetencyQuestion) -> list[str]:
    """How the server's answers differ from the embedded store's, unbound and bound."""
    found = []
    for bindings in ({}, sample_bindings(kg, question)):
        text = bind_values(question.sparql, bindings)
        expected = row_multiset(run_query(EmbeddedEngine(kg), text))
        actual = row_multiset(run_query(server.engine(), text, timeout=60))
        if actual != expected:
            found.append(f"{server.name}, {question.id} {bindings}: " + describe_difference(expected, actual))
    return found


@pytest.mark.parametrize("question", question_params())
def test_every_question_returns_the_same_rows(kg, server: Server, question: CompetencyQuestion) -> None:
    found = differences(kg, server, question)
    reason = KNOWN_DIFFERENCES.get((server.name, question.id))
    if reason is None:
        assert not found, "\n".join(found)
    elif found:
        pytest.xfail(f"{reason}\n" + "\n".join(found))
    else:
        pytest.fail(f"{question.id} now agrees on {server.name}: remove it from KNOWN_DIFFERENCES")


def expected_load_report(kg, method: str) -> list[str]:
    counts = local_counts(kg)
    lines = [f"{count:8d}  <{graph}>" for graph, count in counts.items()]
    return [*lines, f"{sum(counts.values()):8d}  triples in {len(counts)} graphs, "
                    f"uploaded with the {method}, checked and swapped in"]


def local_counts(kg) -> dict[str, int]:
    counts = dict.fromkeys((graph.value for graph in kg.content_graphs()), 0)
    for quad in kg.quads():
        counts[quad.graph_name.value] += 1
    return counts


@pytest.mark.parametrize("method", ["graph store", "update"])
def test_load_replaces_the_graphs_and_checks_them(kg, server: Server, method: str) -> None:
    assert load(server, *upload_options(server, method)).splitlines() == expected_load_report(kg, method)
    assert server.engine().graph_names() == {graph.value for graph in kg.content_graphs()}
    assert temporary_graphs(server) == []


def test_cli_runs_on_the_endpoint_like_on_the_embedded_store(server: Server) -> None:
    import pyoxigraph as ox

    runner = CliRunner(env={"BORTEKG_CQ_DIR": str(FIXTURES)})
    args = ["cq", "run", "dose-action-for-grade", "--param", "grade=2", "--param", "pain=true", "--format", "json"]
    embedded = runner.invoke(main, args)
    remote = runner.invoke(main, [*args, "--endpoint", server.query_url])
    assert remote.exit_code == 0, remote.stderr
    answers = [row_multiset(ox.parse_query_results(result.stdout.encode(), format=ox.QueryResultsFormat.JSON))
               for result in (embedded, remote)]
    assert answers[0] == answers[1] and sum(answers[0].values()) == 2


def test_ask_and_construct_on_the_endpoint(server: Server, tmp_path: Path) -> None:
    ask = tmp_path / "ask.rq"
    ask.write_text("ASK { <https://w3id.org/bortekg/entity/pregabalin> ?p ?o }")
    no = tmp_path / "no.rq"
    no.write_text("ASK { <https://w3id.org/bortekg/entity/no-such-thing> ?p ?o }")
    construct = tmp_path / "construct.rq"
    construct.write_text("CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE "
                         "{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
                         "FILTER(?s = <https://w3id.org/bortekg/entity/pregabalin>) }")
    runner = CliRunner()
    assert runner.invoke(main, ["query", str(ask), "--endpoint", server.query_url]).stdout == "true\n"
    assert runner.invoke(main, ["query", str(no), "--endpoint", server.query_url]).stdout == "false\n"
    result = runner.invoke(main, ["query", str(construct), "--format", "nt", "--endpoint", server.query_url])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == '<https://w3id.org/bortekg/entity/pregabalin> ' \
                                    '<http://www.w3.org/2000/01/rdf-schema#label> "pregabalin"@en .'


def test_injection_payloads_on_the_server(server: Server) -> None:
    from test_cq_cli import INJECTIONS

    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    engine = server.engine()
    before = next(iter(run_query(engine, count)))["n"].value
    runner = CliRunner(env={"BORTEKG_CQ_DIR": str(FIXTURES)})
    for payload in INJECTIONS:
        result = runner.invoke(main, ["cq", "run", "entity-by-label", "--param", f"name={payload}",
                                      "--format", "json", "--endpoint", server.query_url])
        assert result.exit_code == 0, (payload, result.stderr)
        assert json.loads(result.stdout)["results"]["bindings"] == [], payload
    assert next(iter(run_query(engine, count)))["n"].value == before


def test_server_errors_are_reported(server: Server, tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE { ?x <http://e/p> }")
    result = CliRunner().invoke(main, ["query", str(bad), "--endpoint", server.query_url])
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{server.query_url} answered HTTP 400" in result.stderr


# ----------------------------------------------------------------- atomic uploads


def base_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def path_of(url: str) -> str:
    return urllib.parse.urlsplit(url).path


def ask(server: Server, sparql: str) -> list[dict]:
    body = Endpoint(server.query_url).select(sparql, form="SELECT")
    return json.loads(body)["results"]["bindings"]


def temporary_graphs(server: Server) -> list[str]:
    rows = ask(server, 'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(REGEX(STR(?g), "-upload-[0-9a-f]{16}$")) }')
    return sorted(row["g"]["value"] for row in rows)


def server_state(server: Server, graphs: list[str]) -> dict[str, object]:
    """What a reader sees: the triples of each graph (as a count and a digest), the manifest."""
    state: dict[str, object] = {"manifest": sorted(Endpoint(server.query_url).content_graphs())}
    for graph in [*graphs, MANIFEST_GRAPH]:
        rows = ask(server, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} FILTER(!isBlank(?s) && !isBlank(?o)) }}")
        state[graph] = (Endpoint(server.query_url).count(graph),
                        hash(frozenset(json.dumps(row, sort_keys=True) for row in rows)))
    return state


MARKER = ox.Triple(ox.NamedNode("https://w3id.org/bortekg/test/upload-marker"),
                   ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("a newer upload"))
EXTRA_GRAPH = "https://w3id.org/bortekg/graph/test-extra-graph"


def local_graphs(kg) -> dict[str, list[ox.Triple]]:
    graphs: dict[str, list[ox.Triple]] = {graph.value: [] for graph in kg.content_graphs()}
    for quad in kg.quads():
        graphs[quad.graph_name.value].append(quad.triple)
    return graphs


def newer_graphs(kg) -> dict[str, list[ox.Triple]]:
    """The graphs with one more triple in each, and one more graph: a reload that changes all."""
    graphs = {graph: [*triples, MARKER] for graph, triples in local_graphs(kg).items()}
    graphs[EXTRA_GRAPH] = [MARKER]
    return graphs


def update_text(request: Forwarded) -> str:
    return urllib.parse.parse_qs(request.body.decode()).get("update", [""])[0]


def nth(n: int, matches, verdict: str, *, and_after: bool = False):
    """Break the n-th request (from 1) that ``matches``, or (``and_after``) every request from it on."""
    seen = 0

    def breaks(request: Forwarded, index: int) -> str | None:
        nonlocal seen
        if and_after and seen >= n:
            return verdict
        if matches(request):
            seen += 1
            if seen == n:
                return verdict
        return None

    return breaks


def is_insert(request: Forwarded) -> bool:
    return update_text(request).startswith("INSERT")


def graph_puts():
    """Matches the first PUT of each graph (a PUT sent again to answer a 401 is not a new one)."""
    graphs: set[str] = set()

    def matches(request: Forwarded) -> bool:
        if request.method != "PUT":
            return False
        graph = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)["graph"][0]
        new = graph not in graphs
        graphs.add(graph)
        return new

    return matches


def is_swap(request: Forwarded) -> bool:
    return update_text(request).startswith("MOVE")


LEFT = "the graphs on the server were left as they were"
FAULTS = {
    # name: (upload method, how the proxy breaks the upload, what the message says)
    "the third INSERT DATA is cut off": ("update", lambda: nth(3, is_insert, "close"),
                                         "connection to .* failed: Remote end closed connection without response; " + LEFT),
    "the second INSERT DATA is refused": ("update", lambda: nth(2, is_insert, "refuse"), "HTTP 500.*" + LEFT),
    "the second INSERT DATA is lost though answered": (
        "update", lambda: nth(2, is_insert, "swallow"),
        r"the server holds \d+ triples in the temporary graph <\S+-upload-\w+> after \d+ were sent; " + LEFT),
    "the second graph's PUT is cut off": ("graph store", lambda: nth(2, graph_puts(), "close"), LEFT),
    "the swap request is cut off": ("graph store", lambda: nth(1, is_swap, "close"), "swap request failed"),
}


def proxied_upload(server: Server, proxy: str, graphs: dict[str, list[ox.Triple]], method: str):
    def endpoint(url: str) -> Endpoint:
        return Endpoint(proxy + path_of(url), server.user, server.password)

    return upload(graphs, query=endpoint(server.query_url), update=endpoint(server.update_url),
                  graph_store=endpoint(server.graph_store_url) if method == "graph store" else None)


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failed_upload_leaves_the_server_as_it_was(kg, server: Server, fault: str) -> None:
    method, breaks, message = FAULTS[fault]
    graphs = newer_graphs(kg)
    before = server_state(server, sorted(graphs))
    assert before["manifest"] == [graph.value for graph in kg.content_graphs()], "an earlier test broke the server"
    with breaking_proxy(base_url(server.query_url), breaks()) as (proxy, forwarded):
        with pytest.raises(EndpointError, match=message):
            proxied_upload(server, proxy, graphs, method)
    assert any(update_text(request).startswith("DROP") for request in forwarded[1:]), "no clean-up was sent"
    assert server_state(server, sorted(graphs)) == before
    assert temporary_graphs(server) == []


def test_a_server_gone_part_way_leaves_its_graphs_and_names_the_leftovers(kg, server: Server) -> None:
    graphs = newer_graphs(kg)
    before = server_state(server, sorted(graphs))
    with breaking_proxy(base_url(server.query_url), nth(2, graph_puts(), "close", and_after=True)) as (proxy, _):
        with pytest.raises(EndpointError) as failure:
            proxied_upload(server, proxy, graphs, "graph store")
    token = re.search(r"temporary graphs ending in -upload-(\w+) may remain", str(failure.value))
    assert token, str(failure.value)
    assert server_state(server, sorted(graphs)) == before
    leftovers = temporary_graphs(server)
    assert leftovers and all(graph.endswith(f"-upload-{token[1]}") for graph in leftovers)
    Endpoint(server.update_url, server.user, server.password).update(drop_graphs(leftovers))


@pytest.mark.parametrize("method", ["graph store", "update"])
def test_a_complete_upload_replaces_every_graph(kg, server: Server, method: str) -> None:
    graphs = newer_graphs(kg)
    try:
        with breaking_proxy(base_url(server.query_url), lambda request, index: None) as (proxy, _):
            report = proxied_upload(server, proxy, graphs, method)
        assert report.graphs == {graph: len(triples) for graph, triples in graphs.items()}
        assert sorted(Endpoint(server.query_url).content_graphs()) == sorted(graphs)
        for graph, triples in graphs.items():
            assert Endpoint(server.query_url).count(graph) == len(triples)
            answer = Endpoint(server.query_url).select(f"ASK {{ GRAPH <{graph}> {{ {MARKER} }} }}", form="ASK")
            assert json.loads(answer)["boolean"] is True, graph
        assert temporary_graphs(server) == []
    finally:  # the other tests of this module use the real graphs
        Endpoint(server.update_url, server.user, server.password).update(f"DROP SILENT GRAPH <{EXTRA_GRAPH}>")
        load(server, *upload_options(server, "graph store"))
    assert server_state(server, [graph.value for graph in kg.content_graphs()])[MANIFEST_GRAPH][0] == \
        len(kg.content_graphs())


#: Whether a server applies a SPARQL Update request of several operations as one transaction
#: (the README and bortekg.upload say so; measured on Oxigraph 0.5 and Virtuoso 7.2.5).
ONE_REQUEST_IS_ONE_TRANSACTION = {"Oxigraph server": True, "Virtuoso": False}


def test_how_atomic_one_update_request_is(server: Server) -> None:
    source, target = "http://example.org/bortekg-test/source", "http://example.org/bortekg-test/target"
    updater = Endpoint(server.update_url, server.user, server.password)
    updater.update(f"DROP SILENT GRAPH <{source}> ; DROP SILENT GRAPH <{target}> ; "
                   f"INSERT DATA {{ GRAPH <{source}> {{ <http://e/s> <http://e/p> 1, 2, 3 }} "
                   f"GRAPH <{target}> {{ <http://e/s> <http://e/p> 9 }} }}")
    try:
        with pytest.raises(EndpointError):  # the second operation fails when it runs
            updater.update(f"MOVE <{source}> TO <{target}> ; "
                           f"LOAD <http://127.0.0.1:{free_port()}/nothing.ttl> INTO GRAPH <{target}>")
        rolled_back = (updater_count(server, source), updater_count(server, target)) == (3, 1)
        assert rolled_back == ONE_REQUEST_IS_ONE_TRANSACTION[server.name]
    finally:
        updater.update(f"DROP SILENT GRAPH <{source}> ; DROP SILENT GRAPH <{target}>")


def updater_count(server: Server, graph: str) -> int:
    return Endpoint(server.query_url).count(graph)


# ----------------------------------------------------------------- time limit on a remote engine


class _SlowHandler(http.server.BaseHTTPRequestHandler):
    """Answers the manifest query at once and lets every other query hang."""

    def do_POST(self) -> None:  # noqa: N802 (the http.server naming)
        length = int(self.headers["Content-Length"])
        body = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if "contentGraph" in body["query"][0]:
            answer = json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": []}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        time.sleep(30)

    def log_message(self, *args) -> None:
        pass


def test_the_timeout_holds_for_a_remote_engine() -> None:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        engine = RemoteEngine(Endpoint(f"http://127.0.0.1:{httpd.server_port}/sparql"))
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            run_query(engine, "SELECT * WHERE { ?s ?p ?o }", timeout=0.5)
        assert time.monotonic() - started < 5
    finally:
        httpd.shutdown()
        httpd.server_close()




def test_evidence_and_records_on_the_endpoint_like_on_the_embedded_store(server: Server) -> None:
    runner = CliRunner()
    args = ["cq", "run", "adverse-effect-frequencies", "--with-evidence", "--format", "records"]
    embedded = runner.invoke(main, args)
    remote = runner.invoke(main, [*args, "--endpoint", server.query_url])
    assert remote.exit_code == 0, remote.stderr

    def rows(result) -> list[str]:
        return sorted(json.dumps(row, sort_keys=True) for row in json.loads(result.stdout))

    assert rows(remote) == rows(embedded) and all(json.loads(r)["evidenceQuote"] for r in rows(remote))
