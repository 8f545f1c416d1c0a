"""Benchmark: the submission gate against whole-graph SHACL validation on a ~1M-triple graph.

The knowledge base is expanded synthetically to about a million triples by copying its
curated claims and entities (drugs, adverse effects, dose rules, recommendations, each
claim with its source, quote and evidence kind) under new IRIs, so the data has the shapes
of the real graph. A 100-triple submission of restated claims with deliberate violations
is then validated

  * by the gate (vocabulary check, then the compiled shapes on the submission with its
    one-hop neighbourhood, the class hierarchy and the property declarations), many times;
  * by plain pyshacl over the whole merged graph (the baseline), a few times: it takes
    minutes.

It prints, from the same run, both medians, their ratio, and whether both found the same
SHACL violations for the submission's focus nodes (the gate's vocabulary results have no
counterpart in pyshacl and are left out of the comparison). Targets: gate median <= 0.3 s,
>= 200x faster than the whole-graph baseline, identical violations.

Run from a source checkout:  python bench/validation_gate.py [--shapes EXTRA.ttl] [--copies N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

from bortekg import KnowledgeGraph, resources
from bortekg import namespaces as ns
from bortekg.ingest import parse_submission
from bortekg.validate import Gate, context_triples, load_shapes, shacl_report, to_rdflib, validate_submission

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
KB = ox.NamedNode(ns.GRAPH_KB)
LABEL = ox.NamedNode(ns.RDFS + "label")
SOURCE = ox.NamedNode(ns.PROV + "wasDerivedFrom")
QUOTE = ox.NamedNode(ns.BKG + "evidenceQuote")
GRADE = ox.NamedNode(ns.BKG + "grade")
STATEMENT = ox.NamedNode(ns.BKG + "statement")
RDF_TYPE = ox.NamedNode(ns.RDF + "type")
SUBMISSION_TRIPLES = 100


# --------------------------------------------------------------------------- the synthetic graph


def renamed(term: ox.Term, suffix: str) -> ox.Term:
    """Claims, their parts and entities get a per-copy IRI; sources and value sets are shared."""
    if isinstance(term, ox.NamedNode) and term.value.startswith((ns.BKC, ns.BKE)):
        return ox.NamedNode(term.value + suffix)
    return term


def synthetic_copies(kg: KnowledgeGraph, copies: int) -> list[ox.Triple]:
    curated = [q.triple for q in kg.store.quads_for_pattern(None, None, None, KB)
               if q.subject.value.startswith((ns.BKC, ns.BKE))]
    triples = []
    for copy in range(copies):
        suffix = f"-synthetic-{copy}"
        for t in curated:
            obj = renamed(t.object, suffix)
            if t.predicate == LABEL and isinstance(obj, ox.Literal):
                obj = ox.Literal(f"{obj.value} (copy {copy})", language=obj.language or "en")
            triples.append(ox.Triple(renamed(t.subject, suffix), t.predicate, obj))
    return triples


# --------------------------------------------------------------------------- the submission


def description(kg: KnowledgeGraph, node: ox.NamedNode) -> list[ox.Triple]:
    return [q.triple for q in kg.store.quads_for_pattern(node, None, None, KB)]


def claims_of_kind(kg: KnowledgeGraph, kind: str) -> list[ox.NamedNode]:
    return sorted((q.subject for q in kg.store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(ns.BKG + kind), KB)),
                  key=lambda n: n.value)


def restated(kg: KnowledgeGraph, claim: ox.NamedNode, slug: str) -> list[ox.Triple]:
    """A curated claim and its parts (bkc: nodes it points to) under new IRIs."""
    suffix = f"-submitted-{slug}"
    nodes = [claim] + [t.object for t in description(kg, claim)
                       if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(claim.value + "-")]
    triples = []
    for node in nodes:
        for t in description(kg, node):
            obj = ox.NamedNode(t.object.value + suffix) if t.object in nodes else t.object
            if t.predicate == LABEL:
                obj = ox.Literal(f"{t.object.value} (submitted {slug})", language="en")
            triples.append(ox.Triple(ox.NamedNode(node.value + suffix), t.predicate, obj))
    return triples


def submission_with_violations(kg: KnowledgeGraph) -> list[ox.Triple]:
    """A hundred triples of restated claims with five deliberate mistakes."""
    candidates = (claims_of_kind(kg, "DoseModificationRule")[:2] + claims_of_kind(kg, "AdverseEffectClaim")[:4]
                  + claims_of_kind(kg, "TreatmentRecommendation")[:4] + claims_of_kind(kg, "RiskFactorClaim")[:4])
    triples: list[ox.Triple] = []
    for number, claim in enumerate(candidates):
        triples += restated(kg, claim, str(number))
        if len(triples) >= SUBMISSION_TRIPLES:
            break
    claims = list(dict.fromkeys(t.subject for t in triples if t.predicate == SOURCE))
    no_source, wrong_source, short_quote, typo = claims[:4]
    mistakes = []
    for t in triples:
        if t.subject == no_source and t.predicate == SOURCE:
            continue  # a claim without its source
        if t.subject == wrong_source and t.predicate == SOURCE:
            t = ox.Triple(t.subject, SOURCE, ox.NamedNode(ns.BKE + "bortezomib"))  # not a source document
        if t.subject == short_quote and t.predicate == QUOTE:
            t = ox.Triple(t.subject, QUOTE, ox.Literal("see text"))  # a quote too short to be one
        if t.subject == typo and t.predicate == STATEMENT:
            t = ox.Triple(t.subject, ox.NamedNode(ns.BKG + "statment"), t.object)  # a typo'd property
        if t.predicate == GRADE and not any(m.predicate == GRADE and m.object == ox.Literal(7) for m in mistakes):
            t = ox.Triple(t.subject, GRADE, ox.Literal(7))  # a grade off every scale
        mistakes.append(t)
    return mistakes[:SUBMISSION_TRIPLES]  # the last claim may be cut short: both validations see it so


# --------------------------------------------------------------------------- measuring


def median_time(run, times: int) -> tuple[float, list[float]]:
    durations = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        durations.append(time.perf_counter() - start)
    return statistics.median(durations), durations


def results_for(report: rdflib.Graph, focus: set[str]) -> set[tuple]:
    """SHACL results on the given focus nodes, comparable across reports."""
    rows = set()
    for result in report.objects(None, SH.result):
        node = report.value(result, SH.focusNode)
        component = report.value(result, SH.sourceConstraintComponent)
        if str(node) in focus and not str(component).startswith(ns.BASE):
            rows.add((str(node), str(report.value(result, SH.resultPath)), str(report.value(result, SH.value)),
                      str(report.value(result, SH.sourceShape)), str(component)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=128, help="copies of the curated claims and entities (128: ~1M triples)")
    parser.add_argument("--gate-runs", type=int, default=15)
    parser.add_argument("--whole-runs", type=int, default=1, help="whole-graph runs (each takes minutes)")
    parser.add_argument("--shapes", type=Path, action="append", default=[], help="extra shapes file(s)")
    args = parser.parse_args()

    kg = KnowledgeGraph()
    start = time.perf_counter()
    synthetic = synthetic_copies(kg, args.copies)
    kg.add_submission(synthetic, file_name="synthetic.nt", sha256="0" * 64, source="benchmark expansion")
    print(f"graph: {len(kg):,} triples ({args.copies} synthetic copies of the curated claims and entities, "
          f"built in {time.perf_counter() - start:.1f} s)")

    shapes = load_shapes([*resources.shapes_files(), *args.shapes])
    print(f"shapes: {', '.join(p.name for p in [*resources.shapes_files(), *args.shapes])}; "
          f"{len(set(shapes.subjects(SH.sparql, None)))} shapes with SPARQL constraints")
    triples = submission_with_violations(kg)
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=ns.PREFIXES)
    focus = {t.subject.value for t in triples}
    print(f"submission: {len(triples)} triples about {len(focus)} nodes, with deliberate violations")

    gate = Gate.of(kg, shapes)

    def run_gate():
        submission = parse_submission(data, file_name="submission.ttl", input_format="ttl")
        return validate_submission(kg, submission, gate=gate)

    start = time.perf_counter()
    gate_report = run_gate()
    cold = time.perf_counter() - start
    gate_median, gate_times = median_time(run_gate, args.gate_runs)
    print(f"gate: median {gate_median:.3f} s over {args.gate_runs} runs (min {min(gate_times):.3f}, "
          f"max {max(gate_times):.3f}; first run in the process {cold:.3f} s); "
          f"{gate_report.count('Violation')} violations")

    submission = parse_submission(data, file_name="submission.ttl", input_format="ttl")
    context = context_triples(kg, submission)
    print(f"gate context: {len(context):,} triples")

    def run_plain_context():
        plain = rdflib.Graph()
        for t in to_rdflib(context):
            plain.add(t)
        shacl_report(plain, shapes, focus_nodes=sorted(focus))

    uncached_median, _ = median_time(run_plain_context, 5)
    print(f"gate's SHACL step on a plain rdflib graph (SPARQL text re-parsed per focus node): "
          f"median {uncached_median:.3f} s over 5 runs")

    start = time.perf_counter()
    whole_graph = rdflib.Graph()
    for t in to_rdflib(kg.triples() | set(submission.triples)):
        whole_graph.add(t)
    print(f"whole graph as a plain rdflib graph: {len(whole_graph):,} triples (built in "
          f"{time.perf_counter() - start:.1f} s, not timed)")
    whole_reports = []
    whole_median, whole_times = median_time(
        lambda: whole_reports.append(shacl_report(whole_graph, shapes, focus_nodes=None)), args.whole_runs)
    print(f"whole-graph pyshacl: median {whole_median:.1f} s over {args.whole_runs} run(s) "
          f"({', '.join(f'{t:.1f}' for t in whole_times)} s)")

    gate_results = results_for(gate_report.graph, focus)
    whole_results = results_for(whole_reports[0], focus)
    identical = gate_results == whole_results
    print(f"ratio: whole-graph / gate = {whole_median / gate_median:,.0f}x")
    print(f"same violations for the submission's focus nodes: {'yes' if identical else 'NO'} "
          f"({len(gate_results)} SHACL results from the gate, {len(whole_results)} from whole-graph validation)")
    for row in sorted(gate_results - whole_results):
        print(f"  only the gate: {row}")
    for row in sorted(whole_results - gate_results):
        print(f"  only whole-graph: {row}")
    met = gate_median <= 0.3 and whole_median / gate_median >= 200 and identical
    print(f"targets (gate <= 0.3 s, >= 200x, identical): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
