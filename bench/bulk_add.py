"""Benchmark: a large valid submission validated and added to an on-disk store, step by step,
against pyoxigraph's own ``Store.bulk_load`` of the same triples.

The bulk submission is made from the curated claims: the store starts as the packaged graph
without its curated claims (its ontology, entities, sources and value sets stay), and the
submission adds the claims back, copied under new IRIs (``-bulk-N``) as many times as it
takes to reach the size asked for. Every copy is a valid claim, with its source, quote and
qualifiers, about the graph's own entities; copies are not duplicates of one another (a
submission is compared with the graph, not with itself).

Each size runs in a fresh process (so that peak memory is its own) and prints every step
of the gate with its time, the whole ``validate_and_add`` (as ``bortekg add`` runs it), and
``bulk_load`` of the same N-Triples file into an empty on-disk store, with their ratio.
Targets: 100k triples within 3x bulk_load, 1M within 5x, peak memory <= 2 GB.

Run from a source checkout:  python bench/bulk_add.py [--sizes 100000 1000000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns

KB = ox.NamedNode(ns.GRAPH_KB)


def curated_claims(kg: KnowledgeGraph) -> list[ox.Triple]:
    """The curated claims and their parts (every bkc: node's description)."""
    return [q.triple for q in kg.store.quads_for_pattern(None, None, None, KB) if q.subject.value.startswith(ns.BKC)]


def bulk_triples(claims: list[ox.Triple], copies: int):
    """The claims copied under new IRIs: claims and parts renamed, entities and sources shared.
    The events of a patient case are copied once: each has its own place in its (shared)
    case's course, which a second copy would take again."""
    events = {t.subject for t in claims if t.predicate.value == ns.RDF + "type" and t.object.value == ns.BKG + "CaseEvent"}
    for copy in range(copies):
        suffix = f"-bulk-{copy}"
        for t in claims:
            if copy and t.subject in events:
                continue
            obj = t.object
            if isinstance(obj, ox.NamedNode) and obj.value.startswith(ns.BKC):
                obj = ox.NamedNode(obj.value + suffix)
            yield ox.Triple(ox.NamedNode(t.subject.value + suffix), t.predicate, obj)


def graph_without_claims(store_dir: Path) -> KnowledgeGraph:
    """An on-disk store of the packaged graph with its curated claims taken out (a benchmark
    set-up: the store's own API writes whole graphs only)."""
    kg = KnowledgeGraph(store_dir)
    for quad in [q for q in kg.store.quads_for_pattern(None, None, None, KB) if q.subject.value.startswith(ns.BKC)]:
        kg._store.remove(quad)
    kg._store.flush()
    return kg


def measure(size: int) -> None:
    """One size, in this process: every step, the whole add, and bulk_load."""
    from bortekg.ingest import read_submission
    from bortekg.validate import Gate, validate_and_add
    from bortekg.validate.context import context_triples
    from bortekg.validate.gate import shapes_report
    from bortekg.validate.rules import RuleContext, run_rules
    from bortekg.validate.view import SubmissionView
    from bortekg.vocabulary import check_vocabulary

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        kg = graph_without_claims(tmp / "store")
        claims = curated_claims(KnowledgeGraph())
        copies = 1 + -(-size // len(claims))
        path = tmp / "bulk.nt"
        with path.open("w", encoding="utf-8") as out:
            for t in bulk_triples(claims, copies):
                out.write(f"{t} .\n")
        print(f"{size:,} asked: {copies} copies of {len(claims):,} claim triples, "
              f"{path.stat().st_size / 1024**2:.0f} MiB of N-Triples")

        started, started_cpu = time.perf_counter(), time.process_time()
        baseline = ox.Store(str(tmp / "baseline"))
        baseline.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:bulk"))
        baseline.flush()
        bulk_load = time.perf_counter() - started
        print(f"  pyoxigraph bulk_load into an empty on-disk store   {bulk_load:8.2f} s  "
              f"(CPU {time.process_time() - started_cpu:.2f} s; the baseline)")

        steps = {}

        def step(name: str, action):
            started, started_cpu = time.perf_counter(), time.process_time()
            value = action()
            steps[name] = time.perf_counter() - started
            print(f"  {name:<50} {steps[name]:8.2f} s  (CPU {time.process_time() - started_cpu:.2f} s)", flush=True)
            return value

        submission = step("read and parse", lambda: read_submission(path, max_bytes=2**40))
        print(f"    ({len(submission.triples):,} triples)")
        gate = step("gate set-up (shapes compiled, known terms)", lambda: Gate.of(kg))
        step("graph facts the rules use", lambda: gate.facts.schema)
        step("vocabulary", lambda: check_vocabulary(kg, submission, gate.known))
        step("context", lambda: context_triples(kg, submission))
        step("shapes (context, scratch store, compiled SHACL)", lambda: shapes_report(kg, submission, gate))
        findings = step("knowledge rules", lambda: run_rules(SubmissionView(submission, kg, gate.facts.schema),
                                                            RuleContext(gate.facts)))
        print(f"    ({len(findings)} findings)")

        def add():
            submission = read_submission(path, max_bytes=2**40)
            return validate_and_add(kg, submission, source="bulk benchmark", gate=Gate.of(kg), progress=_progress)

        report, record = step("whole add: read, validate, write (as bortekg add)", add)
        print(f"    (conforms: {report.conforms}; {record.triples:,} triples written)")
        ratio = steps["whole add: read, validate, write (as bortekg add)"] / bulk_load
        target = 3 if size <= 100_000 else 5
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        print(f"  ratio to bulk_load: {ratio:.1f}x (target {target}x: {'met' if ratio <= target else 'NOT met'}); "
              f"peak memory {peak:.2f} GB (target 2 GB: {'met' if peak <= 2 else 'NOT met'}); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _progress(step: str) -> None:
    print(f"    progress: {step}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a size, in this process
    args = parser.parse_args()
    if args.one:
        measure(args.one)
        return 0
    for size in args.sizes:
        subprocess.run([sys.executable, __file__, "--one", str(size)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
