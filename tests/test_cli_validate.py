"""`bortekg validate`, `add`, `submissions` and `retract`: every exit code and format, and a
store that never changes unless a conforming submission is added or retracted."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from bortekg import KnowledgeGraph
from gate_helpers import (
    DIARRHEA_CLAIM,
    TEST_SHAPES,
    curator_mistakes,
    good_claim,
    run_cli,
    snapshot,
    turtle,
    write_turtle,
)

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
ENTRY_KEYS = ["file", "line", "focus", "focus_label", "path", "value", "severity", "message",
              "source_shape", "constraint"]


@pytest.fixture
def good(tmp_path: Path, kg: KnowledgeGraph) -> Path:
    return write_turtle(tmp_path / "good.ttl", good_claim(kg))


@pytest.fixture
def mistakes(tmp_path: Path, kg: KnowledgeGraph) -> Path:
    return write_turtle(tmp_path / "mistakes.ttl", curator_mistakes(kg)[0])


@pytest.fixture(scope="module")
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store_dir = tmp_path_factory.mktemp("template") / "store"
    KnowledgeGraph(store_dir)  # created and released: the CLI opens it on each run
    return store_dir


@pytest.fixture
def store(template_store: Path, tmp_path: Path) -> Path:
    """A fresh persistent store (a copy of one loaded once: loading takes a second)."""
    return Path(shutil.copytree(template_store, tmp_path / "store"))


def validate(*args) -> object:
    return run_cli("validate", *args)


def add(store: Path, *args) -> object:
    return run_cli("--store", store, "add", "--source", "test source", *args)


def report_graph(text: str) -> rdflib.Graph:
    graph = rdflib.Graph().parse(data=text, format="turtle")
    assert len(list(graph.subjects(rdflib.RDF.type, SH.ValidationReport))) == 1
    return graph


# --------------------------------------------------------------------------- validate


def test_conforming_file_exits_0_in_every_format(good: Path) -> None:
    human = validate(good)
    assert human.exit_code == 0, human.stderr
    assert human.stdout == "good.ttl: conforms\n" and human.stderr == ""
    data = json.loads(validate(good, "--format", "json").stdout)
    assert data == {"conforms": True, "files": ["good.ttl"], "violations": 0, "warnings": 0,
                    "infos": 0, "results": []}
    graph = report_graph(validate(good, "--format", "turtle").stdout)
    assert (None, SH.conforms, rdflib.Literal(True)) in graph


def test_curator_mistakes_exit_1_with_three_messages_naming_facts_and_fixes(mistakes: Path) -> None:
    result = validate(mistakes)
    assert result.exit_code == 1 and result.stderr == ""
    text = result.stdout
    assert '"submitted dose rule: grade 2 with pain" bkc:submitted-dose-rule' in text
    assert "bkg:sourceRefrence = 1" in text and "did you mean bkg:sourceReference?" in text
    assert "prov:wasDerivedFrom" in text and "source" in text.split("prov:wasDerivedFrom", 1)[1]
    assert '"submitted dose rule condition: grade 7" bkc:submitted-dose-rule-c1' in text
    assert "bkg:grade = 7" in text
    assert "bkg:grade 7 is not printed by the claim's quote" in text  # the knowledge rules' verdict
    assert text.rstrip().endswith("mistakes.ttl: does not conform: 4 violations on 2 nodes")


def test_violations_as_json_with_stable_keys(mistakes: Path) -> None:
    result = validate(mistakes, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["conforms"] is False and data["violations"] == 4
    assert all(list(entry) == ENTRY_KEYS for entry in data["results"])
    assert {(e["path"], e["value"], e["constraint"]) for e in data["results"]} == {
        ("bkg:sourceRefrence", "1", "bksh:KnownTermConstraintComponent"),
        ("prov:wasDerivedFrom", None, "sh:MinCountConstraintComponent"),
        ("bkg:grade", "7", "sh:SPARQLConstraintComponent"),
        ("bkg:grade", "7", "rule:number-in-quote"),
    }
    assert all(isinstance(e["line"], int) for e in data["results"])


def test_violations_as_a_standard_shacl_report(mistakes: Path) -> None:
    result = validate(mistakes, "--format", "turtle")
    assert result.exit_code == 1
    graph = report_graph(result.stdout)
    assert (None, SH.conforms, rdflib.Literal(False)) in graph
    results = list(graph.objects(None, SH.result))
    assert len(results) == 4
    rule = rdflib.URIRef("https://w3id.org/bortekg/rules/number-in-quote")
    assert [r for r in results if graph.value(r, SH.sourceConstraintComponent) == rule]
    for node in results:
        assert (node, rdflib.RDF.type, SH.ValidationResult) in graph
        for required in (SH.focusNode, SH.resultSeverity, SH.sourceConstraintComponent, SH.resultMessage):
            assert graph.value(node, required) is not None


def test_quiet_prints_nothing(good: Path, mistakes: Path) -> None:
    assert validate(good, "--quiet") == validate(good, "-q")
    quiet = validate(mistakes, "--quiet")
    assert quiet.exit_code == 1 and quiet.stdout == "" and quiet.stderr == ""


def test_several_files_are_checked_each_as_a_submission(good: Path, mistakes: Path) -> None:
    result = validate(good, mistakes, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["files"] == ["good.ttl", "mistakes.ttl"]
    assert {e["file"] for e in data["results"]} == {"mistakes.ttl"}


def test_other_formats_by_extension_and_by_option(tmp_path: Path, kg: KnowledgeGraph) -> None:
    triples = good_claim(kg)
    jsonld = tmp_path / "good.jsonld"
    jsonld.write_bytes(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    assert validate(jsonld).exit_code == 0
    nt = tmp_path / "good.txt"
    nt.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    assert validate(nt, "--input-format", "nt").exit_code == 0
    unknown = validate(nt)
    assert unknown.exit_code == 2 and unknown.stdout == ""
    assert "--input-format" in unknown.stderr


def test_unreadable_input_exits_2_with_file_and_line(tmp_path: Path, good: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_bytes(turtle([]) + b"<https://w3id.org/bortekg/claim/x> a\n")
    result = validate(good, broken)
    assert result.exit_code == 2 and result.stdout == ""
    assert "broken.ttl: line 1: Unexpected end" in result.stderr  # its only line
    missing = validate(tmp_path / "missing.ttl")
    assert missing.exit_code == 2 and "missing.ttl: file not found" in missing.stderr


def test_extra_shapes_are_checked_with_the_packaged_ones(tmp_path: Path, kg: KnowledgeGraph) -> None:
    source = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
    drug = ox.NamedNode("https://w3id.org/bortekg/entity/bortezomib")
    triples = [ox.Triple(t.subject, t.predicate, drug) if t.predicate == source else t for t in good_claim(kg)]
    path = write_turtle(tmp_path / "drug-as-source.ttl", triples)
    packaged = validate(path, "--format", "json")
    with_extra = validate(path, "--format", "json", "--shapes", TEST_SHAPES)
    assert packaged.exit_code == with_extra.exit_code == 1
    extra = {e["message"] for e in json.loads(with_extra.stdout)["results"]} - {
        e["message"] for e in json.loads(packaged.stdout)["results"]}
    assert extra == {"The claim's source https://w3id.org/bortekg/entity/bortezomib is not a source document of the graph: "
                     "point prov:wasDerivedFrom at a bks: source document."}


def test_bad_options_exit_2(good: Path, tmp_path: Path) -> None:
    size = validate(good, "--max-size", "lots")
    assert size.exit_code == 2 and "not a size" in size.stderr
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("this is not turtle")
    unreadable = run_cli("validate", "--shapes", shapes, good)
    assert unreadable.exit_code == 2 and "cannot read the shapes" in unreadable.stderr


# --------------------------------------------------------------------------- add, submissions, retract


def test_add_needs_a_persistent_store(good: Path) -> None:
    result = run_cli("add", good, "--source", "x")
    assert result.exit_code == 2 and result.stdout == ""
    assert "add needs a persistent store: give --store DIR" in result.stderr


def test_a_good_file_merges_is_listed_and_can_be_retracted(store: Path, good: Path) -> None:
    before = snapshot(store)
    added = add(store, good, "--submitter", "a curator")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.startswith("added submission ") and "from good.ttl" in added.stdout
    assert snapshot(store) > before
    listed = json.loads(run_cli("--store", store, "submissions", "--format", "json").stdout)
    [record] = listed
    assert record["file_name"] == "good.ttl" and record["source"] == "test source"
    assert record["submitter"] == "a curator"
    human = run_cli("--store", store, "submissions")
    assert record["id"] in human.stdout and "test source" in human.stdout
    retracted = run_cli("--store", store, "retract", record["id"])
    assert retracted.exit_code == 0 and record["id"] in retracted.stdout
    assert snapshot(store) == before
    assert run_cli("--store", store, "submissions").stdout == "no submissions\n"


def test_add_reports_as_json_and_turtle(store: Path, tmp_path: Path, kg: KnowledgeGraph) -> None:
    first = write_turtle(tmp_path / "first.ttl", good_claim(kg, "first"))
    data = json.loads(add(store, first, "--format", "json").stdout)
    assert data["conforms"] is True and data["submission"]["file_name"] == "first.ttl"
    second = write_turtle(tmp_path / "second.ttl", good_claim(kg, "second", DIARRHEA_CLAIM))
    result = add(store, second, "--format", "turtle")
    assert result.exit_code == 0 and "added submission" in result.stderr
    report_graph(result.stdout)


def test_add_of_the_same_file_twice_exits_2(store: Path, good: Path) -> None:
    assert add(store, good).exit_code == 0
    before = snapshot(store)
    again = add(store, good)
    assert again.exit_code == 2 and "already added as submission" in again.stderr
    assert snapshot(store) == before


def test_violations_are_not_merged(store: Path, mistakes: Path) -> None:
    before = snapshot(store)
    result = add(store, mistakes)
    assert result.exit_code == 1
    assert "does not conform: 4 violations" in result.stdout
    assert "mistakes.ttl was not added; the store is unchanged" in result.stderr
    assert snapshot(store) == before


def test_a_parse_error_on_the_last_line_changes_nothing(store: Path, tmp_path: Path, kg: KnowledgeGraph) -> None:
    text = turtle(good_claim(kg)).rstrip()
    assert text.endswith(b".")
    broken = tmp_path / "broken.ttl"
    broken.write_bytes(text[:-1] + b"\n")  # the final '.' is missing
    before = snapshot(store)
    result = add(store, broken)
    assert result.exit_code == 2 and result.stdout == ""
    last_line = text.count(b"\n") + 1  # the last line, where the unfinished statement is
    assert f"broken.ttl: line {last_line}" in result.stderr and "Unexpected end" in result.stderr
    assert snapshot(store) == before


def test_retract_exits_2_for_an_unknown_submission(store: Path) -> None:
    result = run_cli("--store", store, "retract", "20260101T000000Z-00000000")
    assert result.exit_code == 2 and result.stdout == ""
    assert "no submission '20260101T000000Z-00000000'" in result.stderr
    assert run_cli("retract", "x").exit_code == 2


HEADER = b"@prefix bkg: <https://w3id.org/bortekg/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
CLAIM = b"<https://w3id.org/bortekg/claim/x>"
XML_HEAD = (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            b'xmlns:bkg="https://w3id.org/bortekg/">\n')
HOSTILE = {
    "doctype.rdf": (b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "file:///etc/passwd">\n' + XML_HEAD
                    + b"</rdf:RDF>\n", "line 2: RDF/XML with a DOCTYPE declaration is refused"),
    "entity.rdf": (b'<?xml version="1.0"?>\n' + XML_HEAD + b'<!ENTITY lol "lol">\n</rdf:RDF>\n',
                   "line 3: RDF/XML with a ENTITY declaration is refused"),
    "remote.jsonld": (b'{"@context": "https://example.org/context.jsonld",\n "@id": "https://w3id.org/bortekg/claim/x"}',
                      "line 1: a remote @context ('https://example.org/context.jsonld') is refused"),
    "file.jsonld": (b'{"@context": "file:///etc/passwd",\n "@id": "https://w3id.org/bortekg/claim/x"}',
                    "line 1: a file: @context ('file:///etc/passwd') is refused"),
    "iri.ttl": (HEADER + CLAIM + b" bkg:statement <https://exa mple.org/x> .\n",
                "line 3, column 50: Invalid IRI code point ' '"),
    "language.ttl": (HEADER + CLAIM + b' bkg:statement "x"@en-123456789 .\n',
                     "line 3, column 54: A subtag may be eight characters in length at maximum"),
    "surrogate.nt": (CLAIM + b' <https://w3id.org/bortekg/statement> "x\\uD800" .\n',
                     "line 1, column 75: The escape sequence '\\uD800' is encoding D800 that is not a valid unicode character"),
    "literal.ttl": (HEADER + CLAIM + b' bkg:statement "x"@en ;\n    bkg:percentage "ten"^^xsd:decimal .\n',
                    "line 4: the value 'ten' is not a valid xsd:decimal"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_and_broken_input_is_refused_and_changes_nothing(store: Path, tmp_path: Path, name: str) -> None:
    data, message = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(data)
    before = snapshot(store)
    for result in (validate(path), add(store, path)):
        assert result.exit_code == 2 and result.stdout == ""
        assert f"{name}: {message}" in result.stderr
    assert snapshot(store) == before


def test_oversize_submission_is_refused_and_changes_nothing(store: Path, good: Path) -> None:
    before = snapshot(store)
    result = add(store, good, "--max-size", "1k")
    assert result.exit_code == 2 and result.stdout == ""
    assert f"good.ttl: the submission is {good.stat().st_size:,} bytes, over the limit of 1,024 bytes" in result.stderr
    assert snapshot(store) == before
    assert add(store, good, "--max-size", "1M").exit_code == 0


def test_the_query_path_imports_no_validation_library() -> None:
    code = ("import sys, bortekg.cli; "
            "print(sorted(m for m in ('rdflib', 'pyshacl', 'owlready2', 'networkx') if m in sys.modules))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


def test_endless_shapes_and_source_texts_are_refused_before_reading(good: Path) -> None:
    shapes = run_cli("validate", good, "--shapes", "/dev/zero")
    assert shapes.exit_code == 2 and "--shapes /dev/zero" in shapes.stderr and "limit" in shapes.stderr
    with_source = Path(__file__).parent / "gate" / "accepted" / "bipntx-monitoring-section.ttl"
    text = run_cli("validate", with_source, "--max-size", "64k", "--source-text", "/dev/zero")
    assert text.exit_code == 2 and "--source-text /dev/zero" in text.stderr and "limit" in text.stderr


def test_source_texts_and_shapes_that_cannot_serve_are_named(tmp_path: Path, good: Path) -> None:
    examples = Path(__file__).parent.parent / "examples"
    no_source = run_cli("validate", good, "--source-text", examples / "case-report-abstract.txt")
    assert no_source.exit_code == 2 and "the submission adds no source document" in no_source.stderr
    empty = run_cli("validate", examples / "new-source.ttl", "--source-text", "/dev/null")
    assert empty.exit_code == 1 and "the text given for bks:case-report-abstract is empty" in empty.stdout
    latin = tmp_path / "latin.ttl"
    latin.write_bytes("# \xe9\n".encode("latin-1"))
    shapes = run_cli("validate", good, "--shapes", latin)
    assert shapes.exit_code == 2 and "latin.ttl:" in shapes.stderr and "Traceback" not in shapes.stderr
