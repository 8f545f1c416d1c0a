"""The command-line contract: results on stdout, messages on stderr, exit 0/1/2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import RDF, RDFS

from bortekg.cli import main

BKG = rdflib.Namespace("https://w3id.org/bortekg/")

LABEL_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE { <https://w3id.org/bortekg/entity/pregabalin> rdfs:label ?label }
"""


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input)


@pytest.fixture
def query_file(tmp_path: Path) -> Path:
    path = tmp_path / "label.rq"
    path.write_text(LABEL_QUERY)
    return path


def test_stats_human_and_json(ontology_graph) -> None:
    human = run("stats")
    assert human.exit_code == 0, human.stderr
    assert "claims per source" in human.stdout and "bks:bipn-treatment-answer" in human.stdout
    data = json.loads(run("stats", "--format", "json").stdout)
    claim_kinds = set(ontology_graph.transitive_subjects(RDFS.subClassOf, BKG.Claim))
    typed_claims = {s for kind in claim_kinds for s in ontology_graph.subjects(RDF.type, kind)}
    assert data["claims"] == len(typed_claims)  # counted in the Turtle files by rdflib
    assert {row["curie"] for row in data["claims_per_source"]} == {
        "bks:drug-monograph-bortezomib", "bks:bipn-treatment-answer", "bks:fasciculation-answer",
        "bks:autoimmune-review-table4", "bks:case-report-toxic-immune-bipn",
    }
    kinds = {row["curie"] for row in data["claims_per_kind"]}
    assert {"bkg:DoseModificationRule", "bkg:StudyResultClaim", "bkg:CaseFinding"} <= kinds


@pytest.mark.parametrize("fmt,expected", [
    ("table", "pregabalin"), ("csv", "pregabalin"), ("tsv", '?label\n"pregabalin"@en'),
    ("json", '"value":"pregabalin"'), ("xml", "<literal xml:lang=\"en\">pregabalin</literal>"),
])
def test_query_result_formats(query_file: Path, fmt: str, expected: str) -> None:
    result = run("query", str(query_file), "--format", fmt)
    assert result.exit_code == 0, result.stderr
    assert expected in result.stdout


def test_query_from_stdin_and_to_file(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = run("query", "-", "--format", "csv", "-o", str(out), input=LABEL_QUERY)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text().splitlines() == ["label", "pregabalin"]


def test_query_ask_and_construct(tmp_path: Path) -> None:
    ask = tmp_path / "ask.rq"
    ask.write_text("ASK { <https://w3id.org/bortekg/entity/bortezomib> ?p ?o }")
    assert run("query", str(ask)).stdout.strip() == "true"
    construct = tmp_path / "c.rq"
    construct.write_text(
        "CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE "
        "{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(?s = <https://w3id.org/bortekg/entity/pregabalin>) }"
    )
    result = run("query", str(construct), "--format", "nt")
    assert result.exit_code == 0
    graph = rdflib.Graph().parse(data=result.stdout, format="nt")
    assert len(graph) == 1


def test_query_syntax_error_reports_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE {\n  ?x ?y .\n}")
    result = run("query", str(bad))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{bad}:3:1: invalid SPARQL: the query does not parse at }}" in result.stderr


def test_query_missing_file_and_unknown_format(query_file: Path) -> None:
    missing = run("query", "nowhere.rq")
    assert missing.exit_code == 2 and missing.stdout == ""
    assert "query file not found: nowhere.rq" in missing.stderr
    unknown = run("query", str(query_file), "--format", "yaml")
    assert unknown.exit_code == 2 and unknown.stdout == ""
    assert "choose one of: table, csv, tsv, json, xml" in unknown.stderr


_CONSTRUCT_DRUGS = "CONSTRUCT { ?s a <https://w3id.org/bortekg/Drug> } WHERE { ?s a <https://w3id.org/bortekg/Drug> }"


@pytest.mark.parametrize("fmt,parser", [
    ("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml"),
])
def test_construct_answers_in_every_graph_format(fmt: str, parser: str, tmp_path: Path, kg) -> None:
    query_file = tmp_path / "drugs.rq"
    query_file.write_text(_CONSTRUCT_DRUGS)
    result = run("query", str(query_file), "--format", fmt)
    assert result.exit_code == 0, result.stderr
    expected = {row["s"].value for row in kg.query("SELECT ?s WHERE { ?s a <https://w3id.org/bortekg/Drug> }")}
    parsed = rdflib.Graph().parse(data=result.stdout, format=parser)
    assert {str(s) for s in parsed.subjects()} == expected and expected


def test_construct_refuses_a_dataset_format(tmp_path: Path) -> None:
    query_file = tmp_path / "drugs.rq"
    query_file.write_text(_CONSTRUCT_DRUGS)
    result = run("query", str(query_file), "--format", "nq")
    assert result.exit_code == 2 and result.stdout == ""
    assert "no named graphs" in result.stderr


@pytest.mark.parametrize("fmt,parser", [
    ("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("xml", "xml"),
])
def test_export_triple_formats_parse(fmt: str, parser: str, tmp_path: Path) -> None:
    out = tmp_path / f"kg.{fmt}"
    result = run("export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert len(rdflib.Graph().parse(out, format=parser)) > 5000


def test_export_nt_to_stdout_is_the_whole_graph(kg) -> None:
    result = run("export", "--format", "nt")
    assert result.exit_code == 0
    assert len(rdflib.Graph().parse(data=result.stdout, format="nt")) == len(kg)


def test_export_errors() -> None:
    unknown = run("export", "--format", "csv")
    assert unknown.exit_code == 2 and unknown.stdout == ""
    assert "ttl, nt, nq, trig, jsonld, xml" in unknown.stderr
    nowhere = run("export", "-o", "/nonexistent-dir/kg.ttl")
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.stderr


@pytest.mark.parametrize("term", ["pregabalin", "Pregabalin", "bke:pregabalin", "CHEBI:64356",
                                  "https://w3id.org/bortekg/entity/pregabalin"])
def test_describe_resolves_labels_curies_and_iris(term: str) -> None:
    result = run("describe", term)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("pregabalin  (bke:pregabalin)")


def test_describe_pregabalin_shows_dose_line_and_evidence() -> None:
    result = run("describe", "pregabalin")
    text = result.stdout
    assert "dose (minimum): 150 mg/day" in text and "dose (maximum): 600 mg/day" in text
    assert "first line" in text
    assert "quote: \"Pregabalin 150-600 mg/day for at least three months" in text
    assert "source: Dr.Oracle: treatment of bortezomib-induced peripheral neuropathy" in text


def test_describe_json_and_synonym() -> None:
    data = json.loads(run("describe", "BIPN", "--format", "json").stdout)
    assert data["curie"] == "bke:bipn"
    assert data["claims"] and all(c["quote"] and c["source"] for c in data["claims"])


def test_describe_unknown_term_suggests() -> None:
    result = run("describe", "pregabalinn")
    assert result.exit_code == 2 and result.stdout == ""
    assert "did you mean 'pregabalin'" in result.stderr


def test_persistent_store_option(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = run("--store", str(store), "stats", "--format", "json")
    assert first.exit_code == 0 and store.is_dir()
    again = run("--store", str(store), "stats", "--format", "json")
    assert json.loads(again.stdout)["triples"] == json.loads(first.stdout)["triples"]


def test_module_entry_point_runs_as_a_process() -> None:
    completed = subprocess.run([sys.executable, "-m", "bortekg", "stats"], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("triples: ")
