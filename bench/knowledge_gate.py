"""Benchmark: the whole gate (vocabulary, shapes, knowledge rules) against the shapes alone,
on the graph expanded to about a million triples, and what quote verification costs.

The graph is expanded as in ``validation_gate.py`` (128 copies of the curated claims and
entities under new IRIs). Two batches are validated many times with one gate (its
graph-derived facts read on first use, as a long-running validator keeps them):

  * the 100-triple submission of ``validation_gate.py`` (restated claims, five mistakes);
  * 100 restated curated claims with their parts (about 1,500 triples), every claim one
    fact with its source, quote and qualifiers.

For each it prints the median of the shapes-only gate (vocabulary, context, SHACL) and of
the whole gate, side by side, and the knowledge rules' own share; then the time to verify
the quotes of 100 claims against the source indexes. Targets: whole gate <= 0.1 s median on
a 100-fact batch (with the compiled shapes; the same with pyshacl is printed as the baseline, with
whether both reports are the same); quote verification <= 5 ms per 100 claims.

Run from a source checkout:  python bench/knowledge_gate.py [--copies N] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bortekg import KnowledgeGraph  # noqa: E402
from bortekg import namespaces as ns  # noqa: E402
from bortekg.ingest import Submission  # noqa: E402
from bortekg.sourcetext import packaged_indexes  # noqa: E402
from bortekg.validate import Gate  # noqa: E402
from bortekg.validate.gate import shapes_report, validate_submission  # noqa: E402
from bortekg.validate.rules import RuleContext, run_rules  # noqa: E402
from bortekg.validate.view import SubmissionView  # noqa: E402
from bortekg.vocabulary import check_vocabulary  # noqa: E402
from validation_gate import claims_of_kind, restated, submission_with_violations, synthetic_copies  # noqa: E402

KINDS = ("DoseModificationRule", "AdverseEffectClaim", "TreatmentRecommendation", "RiskFactorClaim",
         "StudyResultClaim", "CaseFinding", "ComparativeOutcomeClaim", "MechanismStep", "IndicationClaim")


def median_ms(run, times: int) -> float:
    """The median wall time of ``run`` in milliseconds; its median CPU time is kept in CPU_MS
    (on a shared machine wall time also counts the waits for a core)."""
    durations, cpu = [], []
    for _ in range(times):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        durations.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    CPU_MS[0] = statistics.median(cpu) * 1000
    return statistics.median(durations) * 1000


CPU_MS = [0.0]


def hundred_claims(kg: KnowledgeGraph) -> list[ox.Triple]:
    claims = []
    for kind in KINDS:
        claims += claims_of_kind(kg, kind)[:12]
    triples: list[ox.Triple] = []
    for number, claim in enumerate(claims[:100]):
        triples += restated(kg, claim, f"b{number}")
    return triples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=128, help="copies of the curated claims and entities (128: ~1M triples)")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    kg = KnowledgeGraph()
    start = time.perf_counter()
    kg.add_submission(synthetic_copies(kg, args.copies), file_name="synthetic.nt", sha256="0" * 64,
                      source="benchmark expansion")
    print(f"graph: {len(kg):,} triples ({args.copies} synthetic copies; built in {time.perf_counter() - start:.1f} s)")
    gate = Gate.of(kg)
    reference = Gate.of(kg, engine="pyshacl")  # the baseline: pyshacl over an rdflib copy of the context
    reference._facts = gate.facts
    start = time.perf_counter()
    _ = gate.facts.schema
    print(f"gate facts (schema) read in {(time.perf_counter() - start) * 1000:.0f} ms")

    batches = {
        "100 triples (validation_gate.py's batch)": submission_with_violations(kg),
        "100 claims with their parts": hundred_claims(kg),
    }
    verdict = True
    for name, triples in batches.items():
        submission = Submission(file_name="batch.nt", sha256="1" * 64, format="nt", size=0, triples=tuple(triples))

        def shapes_only(submission=submission, gate=gate):
            check_vocabulary(kg, submission, gate.known)
            shapes_report(kg, submission, gate)

        def rules_only(submission=submission):
            view = SubmissionView(submission, kg, gate.facts.schema)
            return run_rules(view, RuleContext(gate.facts))

        def whole(submission=submission, gate=gate):
            return validate_submission(kg, submission, gate=gate)

        start = time.perf_counter()
        report = whole()
        first = (time.perf_counter() - start) * 1000
        shapes_ms = median_ms(shapes_only, args.runs)
        shapes_cpu = CPU_MS[0]
        rules_ms = median_ms(rules_only, args.runs)
        rules_cpu = CPU_MS[0]
        whole_ms = median_ms(whole, args.runs)
        whole_cpu = CPU_MS[0]
        reference_shapes_ms = median_ms(lambda s=submission: shapes_only(s, reference), max(3, args.runs // 3))
        reference_ms = median_ms(lambda s=submission: whole(s, reference), max(3, args.runs // 3))
        reference_cpu = CPU_MS[0]
        same = Counter(report.entries) == Counter(whole(submission, reference).entries)
        findings = rules_only()
        claims = len({t.subject for t in triples if t.predicate.value == ns.PROV + "wasDerivedFrom"})
        print(f"\n{name}: {len(triples)} triples, {claims} claims")
        print(f"  shapes alone (vocabulary, context, SHACL)  median {shapes_ms:7.1f} ms  (CPU {shapes_cpu:.1f} ms; "
              f"with pyshacl: {reference_shapes_ms:.1f} ms)")
        print(f"  knowledge rules alone                      median {rules_ms:7.1f} ms  (CPU {rules_cpu:.1f} ms; "
              f"{len(findings)} findings)")
        print(f"  whole gate                                 median {whole_ms:7.1f} ms  (CPU {whole_cpu:.1f} ms) "
              f"(first run {first:.0f} ms; {report.count('Violation')} violations)  "
              f"ratio to shapes alone {whole_ms / shapes_ms:.2f}")
        print(f"  whole gate with pyshacl (the baseline)     median {reference_ms:7.1f} ms  (CPU {reference_cpu:.1f} ms) "
              f"(speed-up {reference_ms / whole_ms:.1f}x; same report: {'yes' if same else 'NO'})")
        verdict &= whole_ms <= 100 and same

    indexes = packaged_indexes()
    rows = [(r["s"].value, r["q"].value) for r in kg.query(
        "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX bkg: <https://w3id.org/bortekg/> "
        "SELECT ?s ?q WHERE { GRAPH <https://w3id.org/bortekg/graph/kb> { ?c prov:wasDerivedFrom ?s ; bkg:evidenceQuote ?q } }")]
    sample = rows[:100]
    for source, quote in sample:  # warm the position tables, as a running gate has them
        indexes[source].find(quote)
    quote_ms = median_ms(lambda: [indexes[s].find(q) for s, q in sample], args.runs * 4)
    started = time.process_time()
    for _ in range(args.runs * 4):
        [indexes[s].find(q) for s, q in sample]
    quote_cpu_ms = (time.process_time() - started) / (args.runs * 4) * 1000
    print(f"\nquote verification: {quote_ms:.2f} ms wall, {quote_cpu_ms:.2f} ms CPU per 100 quotes "
          f"(target 5 ms; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    verdict &= quote_cpu_ms <= 5
    print(f"targets (whole gate <= 100 ms on each batch, quotes <= 5 ms per 100): {'met' if verdict else 'NOT met'}")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
