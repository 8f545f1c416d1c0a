"""bortekg reason: HermiT classification and realisation, the BIPN form classes, explanations,
time limits and temporary files, and the OWL 2 RL fallback without Java."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.cli import main
from bortekg.reason import ReasonerError, ReasonerTimeoutError, reason
from bortekg.reason.hermit import run_hermit
from conftest import select_rows

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reason"
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")

#: Every published case in the knowledge base and the form(s) its source attributes to it.
CASES = ["case004-patient", "case-xu", "case-mauermann", "case-ravaglia-series-patient",
         "case-jeter-kang", "case-saifee", "case-schmitt"]

FORMS_BY_CLASS = """
PREFIX bkg: <https://w3id.org/bortekg/>
SELECT ?case ?form WHERE { ?case a ?cls . ?cls bkg:suggestsForm ?form }
"""
ATTRIBUTED = """
PREFIX bkg: <https://w3id.org/bortekg/>
SELECT ?case ?form WHERE { ?case bkg:attributedForm ?form }
"""


def triples_of(path: Path) -> list[ox.Triple]:
    return list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def reasoned() -> KnowledgeGraph:
    """A graph of its own (reasoning writes its inferred graph), reasoned once with HermiT."""
    if shutil.which("java") is None:
        pytest.skip("HermiT needs a Java runtime")
    kg = KnowledgeGraph()
    report = reason(kg)
    assert report.ok, report
    return kg


@pytest.mark.java
def test_the_published_cases_are_all_in_the_knowledge_base(reasoned: KnowledgeGraph) -> None:
    rows = select_rows(reasoned, "PREFIX bkg: <https://w3id.org/bortekg/> "
                                 "SELECT DISTINCT ?case WHERE { ?case bkg:attributedForm ?form }")
    assert sorted(ns.curie(r["case"]) for r in rows) == sorted(f"bke:{c}" for c in CASES)


@pytest.mark.java
@pytest.mark.parametrize("case", CASES)
def test_hermit_classifies_each_published_case_as_its_source_does(reasoned: KnowledgeGraph, case: str) -> None:
    node = ox.NamedNode(ns.BKE + case)
    inferred = {r["form"] for r in select_rows(reasoned, FORMS_BY_CLASS, case=node)}
    attributed = {r["form"] for r in select_rows(reasoned, ATTRIBUTED, case=node)}
    assert attributed, f"{case} has no attributed form"
    assert inferred == attributed


@pytest.mark.java
def test_inferred_triples_are_in_their_graph_and_exported_with_inferred(reasoned: KnowledgeGraph) -> None:
    inferred_graph = ox.NamedNode(ns.GRAPH_INFERRED)
    assert inferred_graph in reasoned.content_graphs()
    membership = ox.Triple(ox.NamedNode(ns.BKE + "case-xu"), ox.NamedNode(ns.RDF + "type"),
                           ox.NamedNode(ns.BKG + "SuspectedImmuneMediatedBipnCase"))
    in_graph = list(reasoned.store.quads_for_pattern(membership.subject, membership.predicate,
                                                     membership.object, inferred_graph))
    assert in_graph
    assert membership in reasoned.triples(with_inferred=True)
    assert membership not in reasoned.triples(with_inferred=False)
    exported = reasoned.export("nq", with_inferred=True).decode()
    assert f"<{ns.GRAPH_INFERRED}>" in exported and "SuspectedImmuneMediatedBipnCase" in exported
    # an asserted triple is never repeated as inferred
    asserted = ox.Triple(ox.NamedNode(ns.BKE + "pregabalin"), ox.NamedNode(ns.RDF + "type"),
                         ox.NamedNode(ns.BKG + "Drug"))
    assert not list(reasoned.store.quads_for_pattern(asserted.subject, asserted.predicate,
                                                     asserted.object, inferred_graph))
    # the class hierarchy is materialised: a drug is a biomedical entity
    assert ox.Triple(asserted.subject, asserted.predicate, ox.NamedNode(ns.BKG + "BiomedicalEntity")) \
        in reasoned.triples(with_inferred=True)


@pytest.mark.java
@needs_java
def test_persistent_store_keeps_inferred_triples_for_export(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert run("--store", str(store), "reason").exit_code == 0
    exported = run("--store", str(store), "export", "--format", "nt", "--with-inferred")
    assert "SuspectedToxicBipnCase" in exported.stdout
    plain = run("--store", str(store), "export", "--format", "nt")
    assert "<https://w3id.org/bortekg/entity/case004-patient> " \
           "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " \
           "<https://w3id.org/bortekg/SuspectedToxicBipnCase>" not in plain.stdout


@pytest.mark.java
@needs_java
def test_inconsistency_is_explained_in_labels() -> None:
    report = reason(KnowledgeGraph(), extra=triples_of(FIXTURES / "inconsistent.ttl"))
    assert not report.consistent and not report.stored
    [explanation] = report.explanations
    assert explanation.complete
    assert explanation.axioms == [
        "pregabalin (bke:pregabalin) is a claim (bkg:Claim)",
        "nothing is both biomedical entity (bkg:BiomedicalEntity) and claim (bkg:Claim)",
        "pregabalin (bke:pregabalin) is a drug (bkg:Drug)",
        "drug (bkg:Drug) is a kind of chemical entity (bkg:ChemicalEntity)",
        "chemical entity (bkg:ChemicalEntity) is a kind of biomedical entity (bkg:BiomedicalEntity)",
    ]
    assert explanation.individuals == ["pregabalin (bke:pregabalin)"]
    assert explanation.classes == ["biomedical entity (bkg:BiomedicalEntity)", "chemical entity (bkg:ChemicalEntity)",
                                   "claim (bkg:Claim)", "drug (bkg:Drug)"]


@pytest.mark.java
@needs_java
def test_unsatisfiable_class_is_explained() -> None:
    report = reason(KnowledgeGraph(), extra=triples_of(FIXTURES / "unsatisfiable.ttl"))
    assert report.consistent and report.unsatisfiable == [ns.BKG + "DrugClaim"]
    [explanation] = report.explanations
    assert explanation.problem.startswith("drug claim (bkg:DrugClaim) is unsatisfiable")
    assert set(explanation.axioms) == {
        "drug claim (bkg:DrugClaim) is a kind of claim (bkg:Claim)",
        "drug claim (bkg:DrugClaim) is a kind of drug (bkg:Drug)",
        "drug (bkg:Drug) is a kind of chemical entity (bkg:ChemicalEntity)",
        "chemical entity (bkg:ChemicalEntity) is a kind of biomedical entity (bkg:BiomedicalEntity)",
        "nothing is both biomedical entity (bkg:BiomedicalEntity) and claim (bkg:Claim)",
    }
    assert explanation.individuals == []


@pytest.mark.java
@needs_java
def test_cli_reports_the_inconsistent_fixture_with_exit_1() -> None:
    result = run("reason", str(FIXTURES / "inconsistent.ttl"), "--format", "json")
    assert result.exit_code == 1, result.stderr
    data = json.loads(result.stdout)
    assert data["consistent"] is False and data["ok"] is False
    assert data["explanations"][0]["individuals"] == ["pregabalin (bke:pregabalin)"]


@pytest.mark.java
@needs_java
def test_cli_reason_human_output_lists_the_classified_cases() -> None:
    result = run("reason")
    assert result.exit_code == 0, result.stderr
    assert "consistent: yes" in result.stdout and "unsatisfiable classes: none" in result.stdout
    assert "suspected immune-mediated BIPN case (bkg:SuspectedImmuneMediatedBipnCase): 7 individual(s)" in result.stdout


@pytest.mark.java
@needs_java
def test_imports_are_never_fetched() -> None:
    """An owl:imports of an unreachable address: HermiT would fail to load it if it tried."""
    report = reason(KnowledgeGraph(), extra=triples_of(FIXTURES / "imports.ttl"), timeout=60)
    assert report.ok


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Temporary files go to a folder of the test's own, to see what a run leaves behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.mark.java
@needs_java
def test_time_limit_stops_the_reasoner_and_leaves_no_files(private_tmp: Path) -> None:
    with pytest.raises(ReasonerTimeoutError, match="did not finish within 0.2 s"):
        reason(KnowledgeGraph(), timeout=0.2)
    assert list(private_tmp.iterdir()) == []


@pytest.mark.java
@needs_java
def test_failed_run_leaves_no_files(private_tmp: Path) -> None:
    with pytest.raises(ReasonerError, match="HermiT failed"):
        run_hermit(b"<http://x/a> <http://x/b> broken .\n", ["-c"], timeout=60)
    assert list(private_tmp.iterdir()) == []


def test_cli_timeout_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_slow(*args, **kwargs):
        raise ReasonerTimeoutError(0.5)

    monkeypatch.setattr("bortekg.reason.dl.run_hermit", too_slow)
    result = run("reason", "--timeout", "0.5")
    assert result.exit_code == 2 and result.stdout == ""
    assert "did not finish within 0.5 s" in result.stderr and "--timeout" in result.stderr


# ---------------------------------------------------------------- without Java


@pytest.fixture
def no_java(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_without_java_dl_names_what_to_install(no_java) -> None:
    result = run("reason")
    assert result.exit_code == 2 and result.stdout == ""
    assert "apt-get install default-jre-headless" in result.stderr
    assert "--profile rl" in result.stderr


def subclass_typings(graph: rdflib.Graph) -> set[ox.Triple]:
    """The rdf:type triples that the asserted types of the project's individuals and the named
    rdfs:subClassOf hierarchy entail, and that are not asserted: derived with rdflib from the
    Turtle files, apart from the reasoner."""
    entailed = set()
    for individual, cls in graph.subject_objects(rdflib.RDF.type):
        if not (isinstance(individual, rdflib.URIRef) and individual.startswith(ns.BASE)):
            continue
        for parent in graph.transitive_objects(cls, rdflib.RDFS.subClassOf):
            if isinstance(parent, rdflib.URIRef) and parent.startswith(ns.BASE) and \
                    (individual, rdflib.RDF.type, parent) not in graph:
                entailed.add(ox.Triple(ox.NamedNode(individual), ox.NamedNode(ns.RDF + "type"), ox.NamedNode(parent)))
    return entailed


def test_without_java_rl_profile_materialises(no_java, ontology_graph: rdflib.Graph) -> None:
    result = run("reason", "--profile", "rl", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["profile"] == "rl" and data["consistent"] is True
    kg = KnowledgeGraph()
    reason(kg, profile="rl")
    inferred = kg.triples(with_inferred=True) - kg.triples(with_inferred=False)
    assert data["inferred_triples"] == len(inferred)
    missing = subclass_typings(ontology_graph) - inferred
    assert not missing, f"{len(missing)} class memberships the hierarchy entails were not inferred: {sorted(map(str, missing))[:5]}"


def test_rl_profile_writes_the_class_hierarchy_to_the_inferred_graph() -> None:
    kg = KnowledgeGraph()
    report = reason(kg, profile="rl")
    assert report.ok and report.stored
    entity = ox.Triple(ox.NamedNode(ns.BKE + "pregabalin"), ox.NamedNode(ns.RDF + "type"),
                       ox.NamedNode(ns.BKG + "BiomedicalEntity"))
    assert entity in kg.triples(with_inferred=True) and entity not in kg.triples(with_inferred=False)


def test_rl_profile_finds_the_disjointness_clash(no_java) -> None:
    result = run("reason", "--profile", "rl", str(FIXTURES / "inconsistent.ttl"))
    assert result.exit_code == 1
    assert "pregabalin (bke:pregabalin) is a claim (bkg:Claim)" in result.stdout
    assert "nothing is both biomedical entity (bkg:BiomedicalEntity) and claim (bkg:Claim)" in result.stdout


# ---------------------------------------------------------------- input files


@pytest.mark.parametrize("name,content,message", [
    ("facts.rdf", "<rdf:RDF/>", "unsupported file type .rdf"),
    ("broken.ttl", "@prefix bkg: <https://w3id.org/bortekg/> .\nbkg:a bkg:b", "broken.ttl: invalid Turtle"),
])
def test_reason_rejects_bad_files(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    result = run("reason", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr


def test_reason_reports_a_missing_file(tmp_path: Path) -> None:
    result = run("reason", str(tmp_path / "missing.ttl"))
    assert result.exit_code == 2 and "missing.ttl: file not found" in result.stderr


def test_unknown_profile_is_refused() -> None:
    with pytest.raises(ValueError, match="choose one of: dl, rl"):
        reason(KnowledgeGraph(), profile="el")


FEATURES = """
PREFIX bkg: <https://w3id.org/bortekg/>
SELECT ?case ?feature WHERE { ?case bkg:hasFeature ?feature }
"""
FORM_CLASSES = """
PREFIX bkg: <https://w3id.org/bortekg/>
SELECT ?case ?cls WHERE { ?case a ?cls . ?cls bkg:suggestsForm ?form }
"""


@pytest.mark.java
@pytest.mark.parametrize("case", CASES)
def test_the_patient_module_classifies_like_the_whole_graph(reasoned: KnowledgeGraph, case: str) -> None:
    """assess classifies one patient against a module of the graph; for every published case
    that module gives exactly the classes that reasoning over the whole graph gives."""
    from bortekg.clinical import FormClassifier

    node = ox.NamedNode(ns.BKE + case)
    features = [r["feature"] for r in select_rows(reasoned, FEATURES, case=node)]
    whole_graph = {r["cls"] for r in select_rows(reasoned, FORM_CLASSES, case=node)}
    module = FormClassifier(reasoned).classify(ns.BASE + "patient/test", features, timeout=60)
    assert module.done and set(module.classes) == whole_graph


NARROWER_FEATURES = """
PREFIX bkg: <https://w3id.org/bortekg/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?feature WHERE {
  ?cls bkg:suggestsForm ?form ;
       owl:equivalentClass/(owl:intersectionOf|owl:unionOf|owl:oneOf|owl:someValuesFrom|owl:hasValue|rdf:first|rdf:rest)+ ?term .
  ?feature bkg:subtypeOf+ ?term .
}
"""


@pytest.mark.java
@needs_java
def test_the_patient_module_classifies_narrower_features_like_the_whole_graph() -> None:
    """A patient whose only feature is a kind of a term the definitions name (perivascular
    inflammatory cells, a kind of inflammatory nerve biopsy findings) is classified through
    the bkg:subtypeOf links the module follows up from the feature; the whole-graph reference
    is HermiT over the whole graph with the patients added."""
    from bortekg.clinical import FormClassifier

    kg = KnowledgeGraph()
    features = sorted(row["feature"].value for row in kg.query(NARROWER_FEATURES))
    assert features, "the graph has no narrower feature of a defined term"
    patients = {ns.BASE + f"patient/narrower-{n}": feature for n, feature in enumerate(features)}
    rdf_type = ox.NamedNode(ns.RDF + "type")
    extra = [t for iri, feature in patients.items() for t in (
        ox.Triple(ox.NamedNode(iri), rdf_type, ox.NamedNode(ns.OWL + "NamedIndividual")),
        ox.Triple(ox.NamedNode(iri), rdf_type, ox.NamedNode(ns.BKG + "PatientCase")),
        ox.Triple(ox.NamedNode(iri), ox.NamedNode(ns.BKG + "hasFeature"), ox.NamedNode(feature)))]
    report = reason(kg, extra=extra, explain=False, timeout=120)
    assert report.ok
    classifier = FormClassifier(kg)
    placed = 0
    for iri, feature in patients.items():
        whole_graph = {c.cls for c in report.defined_classes if ns.curie(iri) in c.members}
        module = classifier.classify(iri, [feature], timeout=60)
        assert module.done
        names = {c.cls.rsplit(" (", 1)[-1].rstrip(")") for c in report.defined_classes if c.cls in whole_graph}
        assert {ns.curie(c) for c in module.classes} == names, feature
        placed += bool(names)
    assert placed, "no narrower feature places a patient in a form class: the comparison shows nothing"


def whole_graph_reasoning(kg: KnowledgeGraph, monkeypatch: pytest.MonkeyPatch):
    """HermiT over every triple of the graph (the reference the modular reasoning must equal)."""
    from bortekg.reason import dl

    with monkeypatch.context() as patched:
        patched.setattr(dl, "_reason_by_modules", lambda *args, **kwargs: None)
        return reason(kg, explain=False, timeout=120)


def inferred_of(kg: KnowledgeGraph) -> set[ox.Triple]:
    return kg.triples(with_inferred=True) - kg.triples(with_inferred=False)


@pytest.mark.java
@needs_java
def test_modular_reasoning_infers_what_whole_graph_reasoning_infers(reasoned: KnowledgeGraph,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """HermiT on the schema and one representative per profile, with the class hierarchy,
    domains and ranges for the other individuals: the same inferred triples, the same members
    of the defined classes and the same counts as HermiT on the whole graph."""
    from bortekg.reason.modular import read_schema

    _, not_local = read_schema(reasoned)
    assert not not_local, "the curated schema must be one the modular reasoning covers"
    whole = KnowledgeGraph()
    expected = whole_graph_reasoning(whole, monkeypatch)
    modular = reason(KnowledgeGraph(), explain=False)
    assert modular.ok and expected.ok
    assert inferred_of(reasoned) == inferred_of(whole)
    assert len(inferred_of(whole)) == expected.inferred_triples == modular.inferred_triples
    assert modular.defined_classes == expected.defined_classes
    assert (modular.classes, modular.individuals) == (expected.classes, expected.individuals)


@pytest.mark.java
@needs_java
def test_modular_reasoning_gives_untyped_individuals_their_domain_and_range_classes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two new individuals linked by a property with a domain and a range, and typed by
    nothing else: the modular reasoning gives them what HermiT over the whole graph gives."""
    from bortekg.reason.modular import read_schema

    schema, _ = read_schema(KnowledgeGraph())
    prop = min(p for p in schema.domains if p in schema.ranges)
    module = tmp_path / "untyped.ttl"
    module.write_text(f"<{ns.BASE}test/subject> <{prop}> <{ns.BASE}test/object> .\n")
    whole, modular = (KnowledgeGraph(extra_kb_files=[module]) for _ in range(2))
    whole_graph_reasoning(whole, monkeypatch)
    reason(modular, explain=False)
    subject_types = {t.object.value for t in inferred_of(modular) if t.subject.value == ns.BASE + "test/subject"}
    object_types = {t.object.value for t in inferred_of(modular) if t.subject.value == ns.BASE + "test/object"}
    assert schema.domains[prop] <= subject_types and schema.ranges[prop] <= object_types
    assert inferred_of(modular) == inferred_of(whole)


@pytest.mark.parametrize("axiom,reason_given", [
    ("bkg:subtypeOf a owl:SymmetricProperty .", "bkg:subtypeOf is a owl:SymmetricProperty"),
    ("bkg:Drug rdfs:subClassOf [ a owl:Restriction ; owl:onProperty bkg:usesDrug ; owl:someValuesFrom bkg:Drug ] .",
     "bkg:Drug rdfs:subClassOf a class expression"),
    ("bkg:usesDrug owl:inverseOf bkg:subtypeOf .", "bkg:usesDrug owl:inverseOf"),
])
def test_a_schema_that_reaches_further_is_reasoned_over_the_whole_graph(tmp_path: Path, axiom: str,
                                                                       reason_given: str) -> None:
    from bortekg.reason.modular import read_schema

    module = tmp_path / "schema-edit.ttl"
    module.write_text("@prefix bkg: <https://w3id.org/bortekg/> .\n"
                      "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                      "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + axiom + "\n")
    _, not_local = read_schema(KnowledgeGraph(extra_kb_files=[module]))
    assert not_local == [reason_given] or any(r.startswith(reason_given) for r in not_local), not_local


@pytest.mark.java
@needs_java
def test_inconsistency_inside_the_curated_graph_is_explained_too() -> None:
    """No new facts to start from (a curator's edit of the knowledge base itself): the search
    starts from the clash the OWL 2 RL rules find."""
    kg = KnowledgeGraph(extra_kb_files=[FIXTURES / "inconsistent.ttl"])  # an edit of the curated graph
    report = reason(kg, timeout=120)
    assert not report.consistent
    [explanation] = report.explanations
    assert explanation.complete and len(explanation.axioms) == 5
    assert "pregabalin (bke:pregabalin) is a claim (bkg:Claim)" in explanation.axioms
