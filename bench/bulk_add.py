"""Benchmark: a large valid submission validated and added to an on-disk store, step by step,
against pyoxigraph's own ``Store.bulk_load`` of the same triples.

The bulk submission is made from the curated claims: the store starts as the packaged graph
without its curated claims (its ontology, entities, sources and value sets stay), and the
submission adds the claims back, copied under new IRIs (``-bulk-N``) as many times as it
takes to reach the size asked for. Every copy is a valid claim, with its source, quote and
qualifiers, about the graph's own entities; copies are not duplicates of one another (a
submission is compared with the graph, not with itself).

Each size runs in two fresh processes: one prints every step of the gate with its time, the
other the whole ``validate_and_add`` (as ``bortekg add`` runs it) with its peak memory; both
print ``bulk_load`` of the same N-Triples file into an empty on-disk store, the baseline, and
the second the ratio of wall and of CPU times.
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


def measure(size: int, *, steps_too: bool) -> None:
    """One size, in this process: bulk_load, every step (with ``steps_too``), and the whole
    add; peak memory is this process's, so the steps run in a process of their own."""
    from bortekg.ingest import read_submission
    from bortekg.validate import Gate, validate_and_add

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        kg = graph_without_claims(tmp / "store")
        claims = curated_claims(KnowledgeGraph())
        first, later = (sum(1 for _ in bulk_triples(claims, n)) for n in (1, 2))
        later -= first
        copies = 1 + max(0, -(-(size - first) // later))  # the fewest copies that reach the size
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
        bulk_load, bulk_load_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        print(f"  pyoxigraph bulk_load into an empty on-disk store   {bulk_load:8.2f} s  "
              f"(CPU {bulk_load_cpu:.2f} s; the baseline)")

        steps, steps_cpu = {}, {}

        def step(name: str, action):
            started, started_cpu = time.perf_counter(), time.process_time()
            value = action()
            steps[name], steps_cpu[name] = time.perf_counter() - started, time.process_time() - started_cpu
            print(f"  {name:<50} {steps[name]:8.2f} s  (CPU {steps_cpu[name]:.2f} s)", flush=True)
            return value

        if steps_too:
            _steps(kg, path, step)
            return

        def add():
            submission = read_submission(path, max_bytes=2**40)
            return validate_and_add(kg, submission, source="bulk benchmark", gate=Gate.of(kg), progress=_progress)

        report, record = step("whole add: read, validate, write (as bortekg add)", add)
        print(f"    (conforms: {report.conforms}; {record.triples:,} triples written)")
        whole = "whole add: read, validate, write (as bortekg add)"
        ratio, cpu_ratio = steps[whole] / bulk_load, steps_cpu[whole] / bulk_load_cpu
        target = 3 if size <= 100_000 else 5
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
        print(f"  ratio to bulk_load: {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU "
              f"(target {target}x: {'met' if ratio <= target else 'NOT met'}); "
              f"peak memory {peak:.2f} GB (target 2 GB: {'met' if peak <= 2 else 'NOT met'}); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def _steps(kg: KnowledgeGraph, path: Path, step) -> None:
    """Each step of the gate on its own."""
    from bortekg.ingest import read_submission
    from bortekg.validate import Gate
    from bortekg.validate.context import context_triples
    from bortekg.validate.gate import shapes_report
    from bortekg.validate.rules import RuleContext, run_rules
    from bortekg.validate.view import SubmissionView
    from bortekg.vocabulary import check_vocabulary

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


def _progress(step: str) -> None:
    print(f"    progress: {step}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a size, in this process
    parser.add_argument("--steps", action="store_true", help=argparse.SUPPRESS)  # its steps only
    args = parser.parse_args()
    if args.one:
        measure(args.one, steps_too=args.steps)
        return 0
    for size in args.sizes:
        subprocess.run([sys.executable, __file__, "--one", str(size), "--steps"], check=True)
        subprocess.run([sys.executable, __file__, "--one", str(size)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
