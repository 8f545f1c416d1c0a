"""The compiled SHACL engine against pyshacl, the reference.

Both engines validate the same context (the submission with its graph context) and must give
the same results: focus node, path, value, source shape, constraint component, severity,
source constraint and messages, counted (a repeated result counts twice). They are compared
on every case of tests/shapes/ (valid and invalid), every readable file of tests/gate/
(accepted and refused), and a sample of the bulk submission of bench/bulk_add.py with
planted mistakes. A test then checks that the comparison itself catches a compiled engine
with one constraint dropped.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.ingest import EXTENSIONS, Submission, read_submission
from bortekg.validate import Gate, load_shapes
from bortekg.validate.compiled import (
    SUPPORTED,
    ScratchGraph,
    UnsupportedShapesError,
    compile_shapes,
    report_graph,
    run_compiled,
    unsupported_features,
)
from bortekg.validate.gate import ENGINES, shapes_report
from bortekg.validate.reporting import path_text

TESTS = Path(__file__).resolve().parent
SHAPE_CASES = sorted((TESTS / "shapes" / "valid").glob("*.ttl")) + sorted((TESTS / "shapes" / "invalid").glob("*.ttl"))


def _expectation(path: Path) -> str:
    """A gate corpus file's first line (``# expect: ...``), or its side file's for JSON-LD and RDF/XML."""
    side = path.with_suffix(".expect")
    return (side if side.exists() else path).read_text(encoding="utf-8").splitlines()[0]


# the files the reader refuses never reach the shapes: there is nothing for the engines to compare
GATE_CASES = sorted(p for kind in ("accepted", "refused") for p in (TESTS / "gate" / kind).iterdir()
                    if p.suffix in EXTENSIONS and "expect: unreadable" not in _expectation(p))
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture(scope="module")
def gates(kg: KnowledgeGraph) -> dict[str, Gate]:
    return {engine: Gate.of(kg, engine=engine) for engine in ENGINES}


def results(report: rdflib.Graph) -> Counter:
    """Each result of a SHACL report as a comparable tuple."""
    found = Counter()
    for node in report.objects(None, SH.result):
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        shape = report.value(node, SH.sourceShape)
        found[(
            str(report.value(node, SH.focusNode)),
            path_text(report, path) if path is not None else None,
            value.n3() if value is not None else None,
            str(shape) if isinstance(shape, rdflib.URIRef) else "a blank-node shape",
            str(report.value(node, SH.sourceConstraintComponent)),
            str(report.value(node, SH.resultSeverity)),
            str(report.value(node, SH.sourceConstraint)),
            tuple(sorted((str(m), m.language) for m in report.objects(node, SH.resultMessage))),
        )] += 1
    return found


def differences(kg: KnowledgeGraph, submission: Submission, gates: dict[str, Gate]) -> str:
    """'' when both engines give the same results, else what only one of them gives."""
    found = {engine: results(shapes_report(kg, submission, gate)[1]) for engine, gate in gates.items()}
    only = {engine: found[engine] - found[other] for engine, other in (("pyshacl", "compiled"), ("compiled", "pyshacl"))}
    return "\n".join(f"only {engine}: {result}" for engine, extra in only.items() for result in extra.elements())


@pytest.mark.parametrize("path", SHAPE_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_engines_agree_on_shape_cases(kg: KnowledgeGraph, gates: dict[str, Gate], path: Path) -> None:
    diff = differences(kg, read_submission(path), gates)
    assert not diff, f"{path.name}: the engines disagree\n{diff}"


@pytest.mark.parametrize("path", GATE_CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_engines_agree_on_gate_corpus(kg: KnowledgeGraph, gates: dict[str, Gate], path: Path) -> None:
    diff = differences(kg, read_submission(path), gates)
    assert not diff, f"{path.name}: the engines disagree\n{diff}"


def _bulk_module():
    spec = importlib.util.spec_from_file_location("bulk_add", TESTS.parent / "bench" / "bulk_add.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bulk_sample(kg: KnowledgeGraph) -> list[ox.Triple]:
    """Claims of the bulk submission (one copy of 400 of them), with planted mistakes: a claim
    without its source, a decimal as text, a grade off its scale, a second drug."""
    bulk = _bulk_module()
    triples = [t for t in bulk.bulk_triples(bulk.curated_claims(kg), copies=1)]
    claims = sorted({t.subject for t in triples if t.predicate.value == ns.PROV + "wasDerivedFrom"},
                    key=lambda n: n.value)[:400]
    keep = set(claims) | {t.object for t in triples if t.subject in claims and isinstance(t.object, ox.NamedNode)}
    sample = [t for t in triples if t.subject in keep]
    planted = {ns.PROV + "wasDerivedFrom": None, ns.BKG + "percentage": ox.Literal("38%"),
               ns.BKG + "grade": ox.Literal("7", datatype=ox.NamedNode(ns.XSD + "integer")),
               ns.BKG + "drug": ox.NamedNode(ns.BKE + "thalidomide")}
    out, done = [], set()
    for t in sample:
        change = t.predicate.value in planted and t.predicate.value not in done
        if change:
            done.add(t.predicate.value)
            if planted[t.predicate.value] is None:
                continue
            if t.predicate.value == ns.BKG + "drug":
                out.append(t)  # a second drug besides the first
            t = ox.Triple(t.subject, t.predicate, planted[t.predicate.value])
        out.append(t)
    assert done == set(planted), f"the sample holds no {set(planted) - done} to plant a mistake in"
    return out


def test_engines_agree_on_a_sample_of_the_bulk_submission(kg: KnowledgeGraph, gates: dict[str, Gate]) -> None:
    triples = bulk_sample(kg)
    submission = Submission(file_name="bulk-sample.nt", sha256="0" * 64, format="nt", size=0, triples=tuple(triples))
    found = results(shapes_report(kg, submission, gates["compiled"])[1])
    assert len(found) >= 4, f"the planted mistakes should be found: {found}"
    diff = differences(kg, submission, gates)
    assert not diff, f"the engines disagree on the bulk sample\n{diff}"


def _without_branch(gate: Gate, shape_name: str, component: str) -> Gate:
    """The gate with one compiled constraint dropped from its node shape's query."""
    compiled = gate.compiled
    shapes = []
    for shape in compiled.shapes:
        if shape.core_query and f"/{shape_name}> AS ?shape" in shape.core_query:
            branches = shape.core_query.split("\n  } UNION {\n")
            kept = [b for b in branches if not (f"/{shape_name}> AS ?shape" in b and f"#{component}ConstraintComponent" in b)]
            assert len(kept) == len(branches) - 1
            head = "SELECT ?this ?shape ?component ?value WHERE {\n  {\n"
            kept[0] = kept[0] if kept[0].startswith(head) else head + kept[0]
            shape = replace(shape, core_query="\n  } UNION {\n".join(kept))
        shapes.append(shape)
    return replace(gate, compiled=replace(compiled, shapes=shapes))


def test_the_comparison_catches_a_dropped_constraint(kg: KnowledgeGraph, gates: dict[str, Gate]) -> None:
    broken = {"pyshacl": gates["pyshacl"], "compiled": _without_branch(gates["compiled"], "ClaimSourceProperty", "MinCount")}
    submission = read_submission(TESTS / "shapes" / "invalid" / "claim-without-source.ttl")
    assert not differences(kg, submission, gates)
    assert "only pyshacl" in differences(kg, submission, broken)


# --------------------------------------------------------------------------- the compiler


def test_every_feature_of_the_shipped_shapes_is_compiled() -> None:
    shapes = load_shapes()
    used = {str(p) for p in shapes.predicates() if str(p).startswith(str(SH))}
    assert used <= SUPPORTED
    assert unsupported_features(shapes) == []
    compiled = compile_shapes(shapes)
    targeted = {str(s) for s in shapes.subjects(rdflib.RDF.type, SH.NodeShape)
                if (s, SH.targetClass, None) in shapes or (s, SH.targetSubjectsOf, None) in shapes}
    assert {s.key for s in compiled.shapes} == targeted
    for shape in compiled.shapes:  # every query parses
        for query in [shape.core_query, *(c.query for c in shape.sparql)]:
            if query:
                list(ox.Store().query(query))


UNSUPPORTED = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix bkg: <https://w3id.org/bortekg/> .
<urn:test:OrShape> a sh:NodeShape ; sh:targetClass bkg:Claim ; sh:message "m" ;
    sh:or ( [ sh:path bkg:grade ; sh:minCount 1 ] [ sh:path bkg:gradeMin ; sh:minCount 1 ] ) .
"""


def test_a_shape_with_an_unsupported_feature_is_refused_by_name(kg: KnowledgeGraph) -> None:
    shapes = rdflib.Graph().parse(data=UNSUPPORTED, format="turtle")
    with pytest.raises(UnsupportedShapesError) as refused:
        Gate.of(kg, shapes)
    assert "sh:or (on urn:test:OrShape)" in str(refused.value) and "--engine pyshacl" in str(refused.value)
    assert Gate.of(kg, shapes, engine="pyshacl").engine == "pyshacl"  # the reference takes it


def test_the_cli_refuses_unsupported_shapes_in_one_line_unless_pyshacl(tmp_path: Path) -> None:
    from bortekg.cli import main

    shapes = tmp_path / "or.ttl"
    shapes.write_text(UNSUPPORTED, encoding="utf-8")
    case = TESTS / "shapes" / "valid" / "adverse-effect-claim.ttl"
    refused = CliRunner().invoke(main, ["validate", "--shapes", str(shapes), str(case)])
    assert refused.exit_code == 2 and "sh:or" in refused.output and "Traceback" not in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    accepted = CliRunner().invoke(main, ["validate", "--engine", "pyshacl", "--shapes", str(shapes), str(case)])
    assert accepted.exit_code in (0, 1), accepted.output


def test_the_cli_engines_are_the_gates() -> None:
    from bortekg.cli import main

    option = next(p for p in main.commands["validate"].params if p.name == "engine")
    assert tuple(option.type.choices) == ENGINES


def test_scratch_graph_labels_and_literals_as_written() -> None:
    node, label = ox.NamedNode("urn:test:n"), ox.NamedNode(ns.RDFS + "label")
    decimal = ox.Literal("43.0", datatype=ox.NamedNode(ns.XSD + "decimal"))
    scratch = ScratchGraph([ox.Triple(node, label, ox.Literal("nom", language="fr")),
                            ox.Triple(node, label, ox.Literal("name", language="en")),
                            ox.Triple(node, ox.NamedNode("urn:test:age"), decimal)])
    assert scratch.label(node.value) == "name"
    stored = next(iter(scratch.store.query("SELECT ?v { ?s <urn:test:age> ?v }")))["v"]
    assert scratch.original(stored, node).value == "43.0"


def test_run_compiled_and_report_graph_give_a_standard_report(kg: KnowledgeGraph) -> None:
    shapes = load_shapes()
    submission = read_submission(TESTS / "shapes" / "invalid" / "grade-7-on-ctcae.ttl")
    from bortekg.validate.context import context_triples

    scratch = ScratchGraph(context_triples(kg, submission))
    found = run_compiled(compile_shapes(shapes), scratch, list(dict.fromkeys(t.subject for t in submission.triples)))
    assert [r.component for r in found] == [str(SH.SPARQLConstraintComponent)]
    assert "Grade 7 is outside the scale" in str(found[0].messages[0])
    report = report_graph(found, shapes)
    assert (None, SH.conforms, rdflib.Literal(False)) in report
