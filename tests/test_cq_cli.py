"""bortekg cq list / show / run, parameters, injection attempts, time limits, and the query path's imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bortekg import KnowledgeGraph
from bortekg.catalogue import get_question
from bortekg.cli import main
from bortekg.engines import EmbeddedEngine, run_query

FIXTURES = Path(__file__).parent / "fixtures" / "cq"
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def run(*args: str, folder: Path = FIXTURES, **env: str):
    return CliRunner(env={"BORTEKG_CQ_DIR": str(folder), **env}).invoke(main, list(args))


def test_list_shows_id_title_and_question() -> None:
    result = run("cq", "list")
    assert result.exit_code == 0, result.stderr
    assert "dose-action-for-grade  Dose action for a neuropathy grade and pain status" in result.stdout
    assert "    Which dose-modification action do the sources give" in result.stdout
    assert "    asks about one case: bortekg cq run claim-evidence --param claim=bkc:bipntx-dose-rule-2" in result.stdout
    data = json.loads(run("cq", "list", "--format", "json").stdout)
    assert [q["id"] for q in data] == ["claim-evidence", "claims-per-source", "dose-action-for-grade",
                                       "entity-by-label"]
    assert data[2]["params"] == ["grade", "pain"] and data[2]["required"] == []
    assert data[0]["params"] == data[0]["required"] == ["claim"]


def test_list_reports_a_malformed_file(tmp_path: Path) -> None:
    (tmp_path / "broken.rq").write_text("# title: x\nSELECT * WHERE { ?s ?p ?o }\n")
    result = run("cq", "list", folder=tmp_path)
    assert result.exit_code == 2 and result.stdout == ""
    assert "broken.rq: the header lacks question, source" in result.stderr


def test_show_prints_question_parameters_and_sparql() -> None:
    result = run("cq", "show", "dose-action-for-grade")
    assert result.exit_code == 0
    assert result.stdout.startswith("dose-action-for-grade: Dose action for a neuropathy grade")
    assert "parameter grade (xsd:integer): Neuropathy grade (1-4)" in result.stdout
    assert "sources: bks:bipn-treatment-answer, bks:fasciculation-answer" in result.stdout
    assert "SELECT ?grade ?pain ?action" in result.stdout and "# title:" not in result.stdout


def test_show_marks_a_required_parameter_and_its_example() -> None:
    result = run("cq", "show", "claim-evidence")
    assert result.exit_code == 0
    assert "parameter claim (iri, required): The claim, as a CURIE" in result.stdout
    assert "example: bortekg cq run claim-evidence --param claim=bkc:bipntx-dose-rule-2" in result.stdout


def test_run_without_a_required_parameter_says_what_to_give() -> None:
    result = run("cq", "run", "claim-evidence")
    assert result.exit_code == 2 and result.stdout == ""
    assert ("claim-evidence asks about one case and needs --param claim=VALUE (iri)" in result.stderr
            and "for example: bortekg cq run claim-evidence --param claim=bkc:bipntx-dose-rule-2" in result.stderr)


def test_unknown_question() -> None:
    result = run("cq", "run", "dose-action")
    assert result.exit_code == 2 and result.stdout == ""
    assert "unknown competency question 'dose-action'; did you mean dose-action-for-grade?" in result.stderr


def test_run_unbound_answers_every_grade() -> None:
    result = run("cq", "run", "dose-action-for-grade", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    grades = {line.split(",")[0] for line in result.stdout.splitlines()[1:]}
    assert grades == {"1", "2", "3", "4"}


def test_run_with_parameters() -> None:
    result = run("cq", "run", "dose-action-for-grade", "--param", "grade=4", "--param", "pain=false",
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["results"]["bindings"]
    assert [(r["grade"]["value"], r["pain"]["value"], r["action"]["value"]) for r in rows] == [
        ("4", "false", "discontinue permanently")]
    table = run("cq", "run", "dose-action-for-grade", "--param", "grade=1", "--param", "pain=true")
    assert "reduce dose" in table.stdout and "(1 row)" in table.stdout


@pytest.mark.parametrize("fmt,start", [("table", "Entity with a given label (entity-by-label)\nentity"),
                                       ("csv", "entity,type"),
                                       ("tsv", "?entity\t?type\n"), ("json", '{"head":'), ("xml", "<?xml")])
def test_run_formats(fmt: str, start: str) -> None:
    result = run("cq", "run", "entity-by-label", "--param", "name=pregabalin", "--format", fmt)
    assert result.exit_code == 0 and result.stdout.startswith(start)
    assert "pregabalin" in result.stdout


def test_iri_parameter_from_a_curie() -> None:
    result = run("cq", "run", "claim-evidence", "--param", "claim=bkc:bipntx-dose-rule-2", "--format", "csv")
    assert result.exit_code == 0
    assert "Withhold bortezomib until symptoms resolve to baseline" in result.stdout
    assert len(result.stdout.splitlines()) == 2


@pytest.mark.parametrize("args,message", [
    (["--param", "grade=abc"], "parameter grade: 'abc' is not xsd:integer (give a whole number such as 2)"),
    (["--param", "pain=maybe"], "parameter pain: 'maybe' is not xsd:boolean (give true or false)"),
    (["--param", "colour=red"], "unknown parameter colour for dose-action-for-grade; its parameters are: "
                                "grade (xsd:integer): Neuropathy grade"),
    (["--param", "grade"], "write NAME=VALUE"),
    (["--param", "grade=1", "--param", "grade=2"], "--param grade is given twice"),
    (["--format", "yaml"], "Invalid value for '--format'"),
    (["--timeout", "0"], "Invalid value for '--timeout'"),
])
def test_bad_parameters_exit_2(args: list[str], message: str) -> None:
    result = run("cq", "run", "dose-action-for-grade", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr


INJECTIONS = [
    '1 } UNION { ?s ?p ?o',
    'x" } UNION { ?entity ?type ?o } #',
    "x' } UNION { ?entity ?type ?o } #",
    '"""} UNION { ?entity ?type ?o } #"""',
    'pregabalin" || true || "',
    '> } UNION { ?entity ?type ?o } <',
    'a\n} UNION { ?entity ?type ?o }\n#',
    'x"} INSERT DATA { <http://e/a> <http://e/b> <http://e/c> } #',
    'x" } ; DROP ALL ; SELECT * { "',
    'x\\" } UNION { ?entity ?type ?o } #',
    r'x\u0022 } UNION { ?entity ?type ?o } #',
    'x" } SERVICE <http://127.0.0.1:9/sparql> { ?entity ?type ?o } #',
]


def store_snapshot(store_dir: Path) -> set[str]:
    kg = KnowledgeGraph(store_dir)
    quads = {str(quad) for quad in kg.store}
    del kg
    return quads


def test_injection_payloads_return_nothing_extra_and_change_nothing(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    before = store_snapshot(store_dir)
    for payload in INJECTIONS:
        # a string parameter takes the payload as a value: no label equals it, so no row
        result = run("--store", str(store_dir), "cq", "run", "entity-by-label", "--param", f"name={payload}",
                     "--format", "json")
        assert result.exit_code == 0, (payload, result.stderr)
        assert json.loads(result.stdout)["results"]["bindings"] == [], payload
        # typed parameters refuse it outright
        for name in ("grade", "pain"):
            refused = run("--store", str(store_dir), "cq", "run", "dose-action-for-grade",
                          "--param", f"{name}={payload}")
            assert refused.exit_code == 2 and refused.stdout == "", payload
        iri = run("--store", str(store_dir), "cq", "run", "claim-evidence", "--param", f"claim=bkc:{payload}")
        assert iri.exit_code == 2 and "is not iri" in iri.stderr, payload
    assert store_snapshot(store_dir) == before


def test_a_string_parameter_matches_exactly_its_value(kg) -> None:
    q = get_question("entity-by-label", FIXTURES)
    rows = list(run_query(EmbeddedEngine(kg), q.sparql, bindings=q.bindings({"name": "pregabalin"})))
    assert [row["entity"].value for row in rows] == ["https://w3id.org/bortekg/entity/pregabalin"]
    for payload in INJECTIONS:
        assert list(run_query(EmbeddedEngine(kg), q.sparql, bindings=q.bindings({"name": payload}))) == []


def test_cq_run_is_stopped_at_its_timeout(tmp_path: Path) -> None:
    (tmp_path / "cross-join.rq").write_text(
        "# title: Everything times everything\n# question: How many triples cubed?\n"
        "# source: bks:drug-monograph-bortezomib\n" + CROSS_JOIN + "\n")
    started = time.monotonic()
    result = run("cq", "run", "cross-join", "--timeout", "0.5", folder=tmp_path)
    assert time.monotonic() - started < 10
    assert result.exit_code == 2 and result.stdout == ""
    assert "did not finish within 0.5 s and was stopped" in result.stderr


def test_query_is_stopped_at_its_timeout(tmp_path: Path) -> None:
    path = tmp_path / "cross.rq"
    path.write_text(CROSS_JOIN)
    result = CliRunner().invoke(main, ["query", str(path), "--timeout", "0.5"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "did not finish within 0.5 s" in result.stderr


def test_unreachable_endpoint_is_a_clear_error() -> None:
    result = run("cq", "run", "claims-per-source", "--endpoint", "http://127.0.0.1:9/sparql", "--timeout", "5")
    assert result.exit_code == 2 and result.stdout == ""
    assert "no server is running at http://127.0.0.1:9/sparql" in result.stderr
    bad = run("cq", "run", "claims-per-source", "--endpoint", "file:///etc/passwd")
    assert bad.exit_code == 2 and "is not an http:// or https:// URL" in bad.stderr


def test_evaluation_errors_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("SELECT * WHERE { ?s ?p ?o }} ")
    result = CliRunner().invoke(main, ["query", str(path)])
    assert result.exit_code == 2 and f"{path}:1:28: invalid SPARQL: }} closes nothing" in result.stderr


HEAVY = ("rdflib", "pyshacl", "owlready2", "networkx", "matplotlib", "urllib.request", "requests")


def test_the_query_path_imports_no_heavy_library(tmp_path: Path) -> None:
    """``python -X importtime`` lists every module the real process imports."""
    environment = {**os.environ, "BORTEKG_CQ_DIR": str(FIXTURES)}
    for command in (["cq", "run", "dose-action-for-grade", "--param", "grade=2"],
                    ["query", str(FIXTURES / "claims-per-source.rq")],
                    ["describe", "neuropathy"], ["search", "Velcade"]):
        completed = subprocess.run([sys.executable, "-X", "importtime", "-m", "bortekg", *command],
                                   capture_output=True, text=True, env=environment, check=False)
        assert completed.returncode == 0, completed.stderr[-2000:]
        imported = {line.split("|")[-1].strip() for line in completed.stderr.splitlines()
                    if line.startswith("import time:")}
        assert "pyoxigraph" in imported and ("bortekg.engines" in imported or command[0] in ("describe", "search"))
        assert not {m for m in imported if m.split(".")[0] in HEAVY or m in HEAVY}, command


def test_run_query_returns_pyoxigraph_results(kg) -> None:
    engine = EmbeddedEngine(kg)
    ask = run_query(engine, "ASK { <https://w3id.org/bortekg/entity/pregabalin> ?p ?o }")
    assert isinstance(ask, ox.QueryBoolean) and bool(ask)
    triples = run_query(engine, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o . "
                                "FILTER(?s = <https://w3id.org/bortekg/entity/pregabalin>) }")
    assert isinstance(triples, list) and all(isinstance(t, ox.Triple) for t in triples) and triples


def test_a_format_that_does_not_fit_the_answer_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "construct.rq"
    path.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1")
    result = CliRunner().invoke(main, ["query", str(path), "--format", "nq"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "a graph result has no named graphs" in result.stderr


def test_query_tables_fit_the_terminal_unless_wide(tmp_path) -> None:
    from bortekg.cli import main

    query = tmp_path / "statements.rq"
    query.write_text("PREFIX bkg: <https://w3id.org/bortekg/>\n"
                     "SELECT ?claim ?statement WHERE { ?claim bkg:statement ?statement } LIMIT 5\n")
    fitted = CliRunner(env={"COLUMNS": "70"}).invoke(main, ["query", str(query)])
    assert fitted.exit_code == 0 and max(len(line) for line in fitted.stdout.splitlines()) <= 70
    wide = CliRunner(env={"COLUMNS": "70"}).invoke(main, ["query", str(query), "--wide"])
    assert wide.exit_code == 0 and max(len(line) for line in wide.stdout.splitlines()) > 70
