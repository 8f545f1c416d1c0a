"""SPARQL syntax errors are named plainly, where they are, with how to fix them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bortekg.cli import main
from bortekg.sparqlerrors import QuerySyntaxError, explain
from sparql_reference import oxigraph_accepts_query

ROOT = Path(__file__).resolve().parents[1]


def engine_error(text: str) -> str:
    """pyoxigraph's own message for a query it cannot parse."""
    with pytest.raises(SyntaxError) as caught:
        list(ox.Store().query(text))
    return caught.value.msg


@pytest.mark.parametrize("text,line,column,message", [
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  BIND(1 AS ?o)\n}", 3, 13,
     "?o is bound twice: AS ?o gives a value to a variable that its group before the BIND already binds"),
    ("SELECT (1 AS ?s) WHERE { ?s ?p ?o }", 1, 14, "?s is bound twice"),
    ("SELECT ?s (1 AS ?s) WHERE { ?x ?p ?o }", 1, 17, "?s is bound twice"),
    ("SELECT ?s ?p WHERE { ?s ?p ?o }\nGROUP BY ?s", 1, 11,
     "?p is selected but not grouped; add ?p to GROUP BY, or select (SAMPLE(?p) AS ?p_sample)"),
    ("SELECT (COUNT(*) AS ?n) ?p WHERE { ?s ?p ?o }", 1, 25, "?p is selected but not grouped"),
    ("SELECT * WHERE { FILTER(strlenn(?x)) }", 1, 25, "strlenn is not a SPARQL function"),
    ("SELECT * WHERE { ?s ?p ?o } LIMT 1", 1, 29, "LIMT is not a SPARQL keyword"),
    ("SELECT * WHERE {\n  ?s bkg:p ?o }", 2, 6,
     "the prefix bkg: is not declared; add the line PREFIX bkg: <https://w3id.org/bortekg/> at the top"),
    ("SELECT * WHERE { ?s skos:prefLabel ?o }", 1, 21, "add the line PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"),
    ("SELECT * WHERE { ?s nope:x ?o }", 1, 21, "PREFIX nope: <...the namespace IRI...>"),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n", 1, 16, "this { is never closed; add }"),
    ("SELECT * WHERE { FILTER((1) }", 1, 24, "this ( is never closed; add )"),
    ("SELECT * WHERE { ?s ?p ?o }}", 1, 28, "} closes nothing"),
    ("SELECT * WHERE { ?s <entity/pregabalin> ?o }", 1, 21,
     "<entity/pregabalin> is a relative IRI and queries here have no base IRI; write it in full, e.g. "
     "<https://w3id.org/bortekg/entity/pregabalin>, or add the line BASE <https://w3id.org/bortekg/>"),
    ("SELECT ?x WHERE {\n  ?x ?y .\n}", 3, 1, "the query does not parse at }; check the syntax just before it"),
    ("SELECT ?x WHERE { ?x ?y ?z } ORDER BY", 1, 38, "the query ends too early"),
])
def test_common_mistakes_are_named_where_they_are(text: str, line: int, column: int, message: str) -> None:
    error = explain(text, engine_error(text))
    assert isinstance(error, QuerySyntaxError) and isinstance(error, SyntaxError)
    assert (error.lineno, error.offset) == (line, column), str(error)
    what, _, how = message.partition("; ")
    assert what in error.msg and how in error.msg, error.msg
    assert "expected" not in error.msg  # none of the parser's internals


def test_a_relative_iri_works_with_a_base() -> None:
    text = "BASE <https://w3id.org/bortekg/> SELECT * WHERE { ?s <entity/pregabalin> ?o }"
    assert oxigraph_accepts_query(text)


def test_an_unknown_message_keeps_the_engine_text() -> None:
    error = explain("SELECT * {}", "something else entirely")
    assert (error.lineno, error.offset) == (1, 1) and "something else entirely" in error.msg


def queries_the_engine_accepts() -> list[Path]:
    files = sorted((ROOT / "queries").rglob("*.rq")) + sorted((ROOT / "tests" / "data" / "w3c-sparql").rglob("*.rq"))
    return [path for path in files if oxigraph_accepts_query(path.read_text(encoding="utf-8"))]


def test_no_mistake_is_found_in_queries_the_engine_accepts() -> None:
    """The recognisers only run after the engine failed; on a valid query they must find
    nothing, or a real error elsewhere would be misnamed."""
    accepted = queries_the_engine_accepts()
    assert len(accepted) > 700
    misnamed = []
    for path in accepted:
        error = explain(path.read_text(encoding="utf-8"), "error at 1:1: expected something")
        if "does not parse at" not in error.msg and "ends too early" not in error.msg:
            misnamed.append(f"{path.relative_to(ROOT)}: {error}")
    assert misnamed == []


@pytest.mark.parametrize("text,expected", [
    ("SELECT ?x WHERE {\n  ?x ?y .\n}", "bad.rq:3:1: invalid SPARQL: the query does not parse at }"),
    ("SELECT * WHERE {\n  ?s bkg:p ?o }", "bad.rq:2:6: invalid SPARQL: the prefix bkg: is not declared"),
    ("SELECT *\nWHERE { SERVICE <http://127.0.0.1:9/> { } }", "bad.rq:2:9: query refused: SERVICE"),
])
def test_query_command_prints_file_line_and_column(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.rq"
    path.write_text(text)
    result = CliRunner().invoke(main, ["query", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert expected in result.stderr.replace(str(tmp_path) + "/", "")
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
