"""bortekg diff: a semantic changelog. The curated graph against itself is no change; against a
copy with one planted change of each kind, exactly that change is reported."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.cli import main
from bortekg.diff import (
    Change,
    Diff,
    DiffInputError,
    NodeChanges,
    Snapshot,
    load_snapshot,
    semantic_diff,
)
from bortekg.store import bundled_quads

PREGABALIN = ns.BKC + "bipntx-first-line-pregabalin"
DOSE_RULE = ns.BKC + "bipntx-dose-rule-1"
CONDITION = ns.BKC + "bipntx-dose-rule-1-c2"
DOSE_MAX = ns.BKG + "doseMax"
GRADE = ns.BKG + "grade"
XSD_DECIMAL = ox.NamedNode(ns.XSD + "decimal")
XSD_INTEGER = ox.NamedNode(ns.XSD + "integer")


def _curated(name: str) -> Snapshot:
    """The packaged graph, parsed afresh: blank nodes get new names every time."""
    return Snapshot(name=name, triples=frozenset(q.triple for q in bundled_quads()))


@pytest.fixture(scope="module")
def curated() -> Snapshot:
    return _curated("curated")


def _replace(snapshot: Snapshot, remove: set[ox.Triple], add: set[ox.Triple] = frozenset()) -> Snapshot:
    assert remove <= snapshot.triples, "the planted change must remove triples that exist"
    return Snapshot(name="planted", triples=(snapshot.triples - remove) | add)


def _only(diff: Diff, **expected) -> None:
    """Every section of the diff is empty except the ones given, which are exactly as given."""
    for section in Diff._SECTIONS:
        assert getattr(diff, section) == expected.get(section, ()), section


def _find(snapshot: Snapshot, subject: str, predicate: str) -> ox.Triple:
    (triple,) = [t for t in snapshot.triples if t.subject.value == subject and t.predicate.value == predicate]
    return triple


# --------------------------------------------------------------------------- planted changes


def test_curated_graph_against_a_fresh_parse_of_itself_is_no_change(curated: Snapshot) -> None:
    diff = semantic_diff(curated, _curated("again"))
    assert diff.is_empty, diff.as_text()
    assert diff.as_text() == "changes from curated to again\nno changes"


def test_a_changed_qualifier_is_reported_old_and_new(curated: Snapshot) -> None:
    old = _find(curated, PREGABALIN, DOSE_MAX)
    new = ox.Triple(old.subject, old.predicate, ox.Literal("450.0", datatype=XSD_DECIMAL))
    diff = semantic_diff(curated, _replace(curated, {old}, {new}))
    # literals compare as values, in canonical form ("600.0" is "600"^^xsd:decimal)
    decimal = f"^^<{ns.XSD}decimal>"
    _only(diff, claims_changed=(NodeChanges(PREGABALIN, (
        Change(PREGABALIN, DOSE_MAX, (f'"600"{decimal}',), (f'"450"{decimal}',)),)),))
    assert '  bkc:bipntx-first-line-pregabalin\n      bkg:doseMax: "600"^^xsd:decimal -> "450"^^xsd:decimal' in diff.as_text()


def test_a_changed_qualifier_of_a_claim_part_is_reported_under_its_claim(curated: Snapshot) -> None:
    old = _find(curated, CONDITION, GRADE)
    new = ox.Triple(old.subject, old.predicate, ox.Literal("3", datatype=XSD_INTEGER))
    diff = semantic_diff(curated, _replace(curated, {old}, {new}))
    _only(diff, claims_changed=(NodeChanges(DOSE_RULE, (
        Change(CONDITION, GRADE, (str(old.object),), (str(new.object),)),)),))
    assert "bkc:bipntx-dose-rule-1-c2 bkg:grade: " in diff.as_text()


def test_a_removed_claim_is_reported_as_retracted(curated: Snapshot) -> None:
    parts = {DOSE_RULE, DOSE_RULE + "-c1", DOSE_RULE + "-c2"}
    removed = {t for t in curated.triples if t.subject.value in parts}
    diff = semantic_diff(curated, _replace(curated, removed))
    _only(diff, claims_retracted=(DOSE_RULE,))
    added_back = semantic_diff(_replace(curated, removed), curated)
    _only(added_back, claims_added=(DOSE_RULE,))


def test_an_added_mapping_is_reported_as_a_mapping(curated: Snapshot) -> None:
    mapping = ox.Triple(ox.NamedNode(ns.BKE + "pregabalin"), ox.NamedNode(ns.SKOS + "closeMatch"),
                        ox.NamedNode("https://example.org/planted-mapping"))
    diff = semantic_diff(curated, _replace(curated, set(), {mapping}))
    _only(diff, mappings_added=((ns.BKE + "pregabalin", ns.SKOS + "closeMatch", "https://example.org/planted-mapping"),))


def test_an_added_and_a_removed_entity(curated: Snapshot) -> None:
    planted = ox.NamedNode(ns.BKE + "planted-entity")
    label = ox.Triple(planted, ox.NamedNode(ns.RDFS + "label"), ox.Literal("planted", language="en"))
    _only(semantic_diff(curated, _replace(curated, set(), {label})), entities_added=(planted.value,))
    _only(semantic_diff(_replace(curated, set(), {label}), curated), entities_removed=(planted.value,))


def test_a_removed_axiom_is_reported(curated: Snapshot) -> None:
    axiom = ox.Triple(ox.NamedNode(ns.BKG + "Drug"), ox.NamedNode(ns.RDFS + "subClassOf"),
                      ox.NamedNode(ns.BKG + "ChemicalEntity"))
    diff = semantic_diff(curated, _replace(curated, {axiom}))
    _only(diff, axioms_removed=(f"{axiom} .",))
    assert "ontology axioms removed (1):\n  bkg:Drug rdfs:subClassOf bkg:ChemicalEntity" in diff.as_text()


def test_a_changed_class_expression_is_reported_with_its_new_value(curated: Snapshot) -> None:
    """Inside a blank-node structure: the toxic form's restriction on another feature."""
    has_value = ox.NamedNode(ns.OWL + "hasValue")
    sensory = ox.NamedNode(ns.BKE + "sensory-predominant-involvement")
    (old,) = [t for t in curated.triples if t.predicate == has_value and t.object == sensory]
    new = ox.Triple(old.subject, has_value, ox.NamedNode(ns.BKE + "prominent-motor-involvement"))
    diff = semantic_diff(curated, _replace(curated, {old}, {new}))
    assert diff.axioms_added and diff.axioms_removed
    assert any("sensory-predominant-involvement" in line for line in diff.axioms_removed)
    assert any("prominent-motor-involvement" in line for line in diff.axioms_added)
    assert not (diff.claims_changed or diff.entities_changed or diff.mappings_added or diff.claims_added)


# --------------------------------------------------------------------------- inputs and formats


@pytest.fixture(scope="module")
def store_and_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("diff")
    kg = KnowledgeGraph(folder / "store")
    kg.export("ttl", folder / "graph.ttl")
    del kg  # the store is closed, so that it can be opened read-only
    return folder / "store", folder / "graph.ttl"


def test_a_store_and_an_rdf_file_are_told_apart_and_compared(store_and_file: tuple[Path, Path]) -> None:
    store, turtle = store_and_file
    assert load_snapshot(store).name == f"store {store}"
    assert semantic_diff(store, turtle).is_empty


def test_a_release_is_read_from_its_manifest(store_and_file: tuple[Path, Path], tmp_path: Path) -> None:
    from bortekg.release import ARTEFACTS, build_release

    build_release(tmp_path / "r", date="2026-12-01", artefacts=[a for a in ARTEFACTS if a.name == "knowledge-base"])
    diff = semantic_diff(store_and_file[0], tmp_path / "r")
    assert diff.new == "release 2026-12-01"
    # the release differs from the repository's graph by its version stamps only
    assert not (diff.claims_changed or diff.claims_added or diff.claims_retracted or diff.entities_changed)
    assert all("versionIRI" in line or "versionInfo" in line for line in diff.axioms_added + diff.axioms_removed)
    assert any("ontology/2026-12-01>" in line for line in diff.axioms_added)


@pytest.mark.parametrize("name, content, message", [
    ("missing.ttl", None, "no such file or folder"),
    ("graph.csv", "a,b\n", "cannot tell the format"),
    ("broken.ttl", "@prefix ex: <https://example.org/> .\nex:a ex:b .\n", "broken.ttl: line 2"),
])
def test_bad_inputs_are_refused_with_one_line(tmp_path: Path, name: str, content: str | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DiffInputError, match=message) as caught:
        load_snapshot(path)
    assert "\n" not in str(caught.value)


def test_a_folder_that_is_neither_a_release_nor_a_store_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DiffInputError, match="neither a release"):
        load_snapshot(tmp_path)


def test_cli_exit_codes_and_json(store_and_file: tuple[Path, Path], tmp_path: Path) -> None:
    store, turtle = store_and_file
    same = CliRunner().invoke(main, ["diff", str(store), str(turtle)])
    assert same.exit_code == 0 and same.stdout.endswith("no changes\n"), same.stderr
    changed = tmp_path / "changed.ttl"
    changed.write_bytes(turtle.read_bytes().replace(b"bortezomib-induced", b"bortezomib induced", 1))
    diff = CliRunner().invoke(main, ["diff", str(turtle), str(changed), "--format", "json"])
    assert diff.exit_code == 1, diff.stderr
    data = json.loads(diff.stdout)
    assert data["old"] == str(turtle) and (data["claims_changed"] or data["entities_changed"] or data["axioms_added"])
    bad = CliRunner().invoke(main, ["diff", str(turtle), str(tmp_path / "nothing.nq")])
    assert bad.exit_code == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "no such file or folder" in bad.stderr
