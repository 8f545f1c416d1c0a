"""Hostile queries are refused before any engine sees them; harmless ones pass."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bortekg import namespaces as ns
from bortekg.cli import main
from bortekg.engines import EmbeddedEngine, run_query
from bortekg.safety import MAX_NESTING, MAX_OPERATORS, UnsafeQueryError, check_query
from bortekg.worker import WorkerCrash, run_forked
from conftest import without_crash_dump
from local_http import recording_listener

GRAPHS = frozenset({ns.GRAPH_ONTOLOGY, ns.GRAPH_KB})
KB = ns.GRAPH_KB


@pytest.mark.parametrize("query,reason", [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p ?o . SERVICE ?endpoint { ?s ?p ?o } }", "SERVICE"),
    ("LOAD <file:///etc/passwd>", "LOAD"),
    ("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }", "INSERT is an update"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE is an update"),
    ("WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH is an update"),
    ("CLEAR ALL", "CLEAR is an update"),
    ("DROP GRAPH <https://w3id.org/bortekg/graph/kb>", "DROP is an update"),
    ("CREATE GRAPH <http://e/g>", "CREATE is an update"),
    ("ADD DEFAULT TO <http://e/g>", "ADD is an update"),
    ("MOVE DEFAULT TO <http://e/g>", "MOVE is an update"),
    ("COPY DEFAULT TO <http://e/g>", "COPY is an update"),
    ("SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }", "INSERT"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM file:///etc/passwd"),
    ("SELECT * FROM NAMED <http://example.org/data.ttl> WHERE { ?s ?p ?o }", "FROM http://example.org/data.ttl"),
    ("BASE <file:///etc/> SELECT * FROM <passwd> WHERE { ?s ?p ?o }", "FROM file:///etc/passwd"),
    ("PREFIX f: <file:///etc/> SELECT * FROM f:passwd WHERE { ?s ?p ?o }", "FROM file:///etc/passwd"),
    (r"SELECT * FROM <\u0066ile:///etc/passwd> WHERE { ?s ?p ?o }", "FROM file:///etc/passwd"),
    ("SELECT * FROM <https://w3id.org/bortekg/graph/meta> WHERE { ?s ?p ?o }", "not allowed"),
    ("SELECT * FROM undeclared:x WHERE { ?s ?p ?o }", "FROM undeclared:x"),
    ("SELECT * FROM WHERE { ?s ?p ?o }", "FROM WHERE is not allowed"),
    # SPARQL 1.1 lets an engine resolve \u escapes before parsing: both readings are checked
    (r"SELECT * WHERE { \u0053ERVICE <http://example.org/> { ?s ?p ?o } }", "SERVICE"),
    (r'SELECT * WHERE { ?s ?p "x\u0022 } SERVICE <http://example.org/> { ?s ?p \u0022" }', "SERVICE"),
    ("PREFIX ex: <http://e/>", "not a query"),
])
def test_refused(query: str, reason: str) -> None:
    with pytest.raises(UnsafeQueryError, match=reason.replace("(", r"\(")):
        check_query(query, GRAPHS)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p 'SERVICE LOAD INSERT DELETE DROP' }",
    'SELECT * WHERE { ?s ?p """a " multi-line\n SERVICE <http://e/> { } string""" }',
    "SELECT * WHERE { ?s <http://example.org/SERVICE#LOAD> ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:SERVICE ex:insert }",
    "SELECT ?service ?load ?delete WHERE { ?service ?load ?delete }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://example.org/> in a comment",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<3||?o>5) }",
    f"SELECT * FROM <{KB}> WHERE {{ ?s ?p ?o }}",
    "PREFIX g: <https://w3id.org/bortekg/graph/> SELECT * FROM g:kb FROM NAMED g:ontology WHERE { ?s ?p ?o }",
    "BASE <https://w3id.org/bortekg/graph/> SELECT * FROM <kb> WHERE { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DESCRIBE <https://w3id.org/bortekg/entity/pregabalin>",
])
def test_accepted(query: str) -> None:
    check_query(query, GRAPHS)


def test_shape_reports_form_and_dataset() -> None:
    shape = check_query(f"PREFIX x: <http://e/> CONSTRUCT {{ ?s ?p ?o }} FROM <{KB}> WHERE {{ ?s ?p ?o }}", GRAPHS)
    assert shape.form == "CONSTRUCT" and shape.returns_graph and shape.dataset == (KB,)
    shape = check_query("select * { ?s ?p ?o }", GRAPHS)
    assert shape.form == "SELECT" and not shape.returns_graph and shape.dataset == ()


def test_line_number_in_message() -> None:
    with pytest.raises(UnsafeQueryError, match="line 3"):
        check_query("SELECT *\nWHERE {\n  SERVICE <http://e/> { ?s ?p ?o }\n}", GRAPHS)


def nested_groups(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + "}" * depth


def nested_parentheses(depth: int) -> str:
    return "SELECT * WHERE { FILTER(" + "(" * depth + "true" + ")" * depth + ") }"


def negations(count: int) -> str:
    return "SELECT * WHERE { FILTER(" + "!" * count + "true) }"


def minus_signs(count: int) -> str:
    return "SELECT * WHERE { FILTER(" + "- " * count + "1 = 1) }"


def optionals(count: int) -> str:
    return "SELECT * WHERE { " + " ".join(["OPTIONAL { ?s <http://e/p> ?o }"] * count) + " }"


def additions(count: int) -> str:
    return "SELECT * WHERE { FILTER(" + "+".join(["1"] * count) + " > 0) }"


@pytest.mark.parametrize("build", [nested_groups, nested_parentheses, negations, minus_signs])
def test_nesting_limit(build) -> None:
    check_query(build(MAX_NESTING - 2), GRAPHS)
    with pytest.raises(UnsafeQueryError, match=f"nested more than {MAX_NESTING} levels"):
        check_query(build(MAX_NESTING + 1), GRAPHS)


@pytest.mark.parametrize("build,per_item", [(optionals, 3), (additions, 1)])
def test_operator_limit(build, per_item: int) -> None:
    check_query(build(MAX_OPERATORS // per_item - 10), GRAPHS)
    with pytest.raises(UnsafeQueryError, match="split it into several queries"):
        check_query(build(MAX_OPERATORS // per_item + 10), GRAPHS)


def test_values_tables_and_lists_do_not_count_as_operators() -> None:
    rows = " ".join(f"(<http://e/{i}> {i})" for i in range(20_000))
    check_query(f"SELECT * WHERE {{ VALUES (?s ?n) {{ {rows} }} }}", GRAPHS)
    members = ", ".join(str(i) for i in range(20_000))
    check_query(f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o IN ({members})) }}", GRAPHS)


@pytest.fixture(scope="module")
def empty_engine() -> ox.Store:
    return ox.Store()


@pytest.mark.parametrize("query", [
    nested_groups(MAX_NESTING), nested_parentheses(MAX_NESTING - 2), negations(MAX_NESTING - 2),
    optionals(MAX_OPERATORS // 3 - 10), additions(MAX_OPERATORS - 20),
])
def test_the_largest_accepted_queries_run_without_crashing(empty_engine: ox.Store, query: str) -> None:
    check_query(query, GRAPHS)
    run_forked(lambda: str(len(list(empty_engine.query(query)))).encode(), timeout=60)


@pytest.mark.parametrize("query", [nested_groups(6000), negations(20_000), additions(20_000)])
def test_what_the_limits_prevent_crashes_the_engine(empty_engine: ox.Store, query: str) -> None:
    """Without the check these queries kill the engine's process (here, a forked child)."""
    with pytest.raises(UnsafeQueryError):
        check_query(query, GRAPHS)
    with pytest.raises(WorkerCrash, match="killed by signal"):
        run_forked(without_crash_dump(lambda: str(len(list(empty_engine.query(query)))).encode()), timeout=60)


# ----------------------------------------------------------------- nothing leaves the machine


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A loopback server that records every connection (a call out by SERVICE or FROM)."""
    with recording_listener() as recorded:
        yield recorded


def test_service_is_refused_before_the_engine_calls_out(kg, listener) -> None:
    port, received = listener
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(UnsafeQueryError):
        run_query(EmbeddedEngine(kg), query, timeout=10)
    assert received == []
    # the control: unchecked, the engine does call the address
    with pytest.raises(OSError):
        list(ox.Store().query(query))
    assert received and b"POST /sparql" in received[0]


@pytest.mark.parametrize("query", [
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}",
    "LOAD <http://127.0.0.1:{port}/data.ttl>",
])
def test_query_command_refuses_with_exit_2(tmp_path: Path, listener, query: str) -> None:
    port, received = listener
    path = tmp_path / "hostile.rq"
    path.write_text(query.format(port=port))
    result = CliRunner().invoke(main, ["query", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "query refused" in result.stderr and "hostile.rq" in result.stderr
    assert received == []


def test_from_an_allowed_graph_restricts_the_dataset(kg) -> None:
    count = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ ?s ?p ?o }}"
    engine = EmbeddedEngine(kg)
    everything = next(iter(run_query(engine, count.format(**{"from": ""}))))["n"].value
    ontology = next(iter(run_query(engine, count.format(**{"from": f"FROM <{ns.GRAPH_ONTOLOGY}>"}))))["n"].value
    assert 0 < int(ontology) < int(everything)
