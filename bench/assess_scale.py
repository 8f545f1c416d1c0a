"""`bortekg assess` and `bortekg reason` on the curated graph and on the graph grown by
expand_graph.py, side by side: wall time and peak memory of each command as a process of its
own, and the time of the assessment itself in process (`bortekg.clinical.assess`, the patient
document already read and its terms looked up).

Targets: `assess` on the large graph within 1.5x its time on the curated graph; `reason` on
the large graph within its default time limit (60 s) and 1 GB. Ratios above the target are
printed as OVER.

    python bench/assess_scale.py [--triples 1000000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from expand_graph import expanded_quads

ROOT = Path(__file__).resolve().parent.parent
PATIENTS = ROOT / "tests" / "patients"
CASES = ("patient-grade2-painful-iv", "patient-suspected-immune")
ASSESS_RATIO = 1.5
REASON_SECONDS, REASON_BYTES = 60.0, 1024**3

#: Runs a command as its child and prints the child's peak resident memory (bytes) on stderr's last line.
_MEASURED = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "sys.stderr.buffer.write(done.stderr[-2000:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, file=sys.stderr)\n"
    "sys.exit(done.returncode)\n"
)


def build_store(folder: Path, triples: int | None) -> Path:
    """A persistent store with the packaged graph, and the synthetic copies when ``triples``."""
    import pyoxigraph as ox

    from bortekg import KnowledgeGraph

    KnowledgeGraph(folder)  # the bundle and its fingerprint, as the command line opens it
    if triples:
        store = ox.Store(str(folder))
        store.bulk_extend(expanded_quads(triples))
        store.flush()
        del store
    return folder


def measured(command: list[str]) -> tuple[float, int]:
    """Wall time and peak resident memory (bytes, the largest process it started included)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURED, *command], capture_output=True, check=False)
    seconds = time.perf_counter() - started
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed (exit {done.returncode}): " + "\n".join(lines[-5:]))
    return seconds, int(lines[-1])


def median_run(command: list[str], runs: int) -> tuple[float, int]:
    measured(command)  # warm-up: the OS caches
    found = [measured(command) for _ in range(runs)]
    return statistics.median(s for s, _ in found), max(m for _, m in found)


def in_process_assess(store: Path, case: str, runs: int) -> tuple[float, int]:
    """Median seconds of `assess` in process, and the number of quads of the patient's module."""
    from bortekg import KnowledgeGraph
    from bortekg.clinical import assess, build_patient
    from bortekg.clinical.module import patient_module

    kg = KnowledgeGraph(store)
    patient = build_patient(kg, json.loads((PATIENTS / f"{case}.json").read_text()), case)
    assess(kg, patient)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        assess(kg, patient)
        times.append(time.perf_counter() - started)
    module = len(patient_module(kg, patient))
    del kg
    return statistics.median(times), module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the grown graph (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each assess command (median)")
    args = parser.parse_args()
    if shutil.which("java") is None:
        print("java not found: the DL reasoner needs a Java runtime", file=sys.stderr)
        return 2
    bortekg = [sys.executable, "-m", "bortekg", "--store"]
    missed = 0
    with tempfile.TemporaryDirectory(prefix="bortekg-bench-") as folder:
        started = time.perf_counter()
        stores = {"curated": build_store(Path(folder) / "curated", None),
                  f"{args.triples:,}": build_store(Path(folder) / "grown", args.triples)}
        print(f"stores built in {time.perf_counter() - started:.0f} s; median of {args.runs} runs, "
              "peak memory of the command and what it started")
        print(f"{'':44s} {'curated':>18s} {'grown':>18s}  ratio")
        for case in CASES:
            command = ["assess", str(PATIENTS / f"{case}.json"), "--format", "json"]
            (small, small_rss), (large, large_rss) = (median_run([*bortekg, str(s), *command], args.runs)
                                                      for s in stores.values())
            ratio = large / small
            missed += ratio > ASSESS_RATIO
            print(f"bortekg assess {case:29s} {small:6.2f} s {small_rss / 2**20:5.0f} MB "
                  f"{large:6.2f} s {large_rss / 2**20:5.0f} MB  {ratio:4.2f}"
                  f"{'  OVER ' + str(ASSESS_RATIO) if ratio > ASSESS_RATIO else ''}")
            (small_api, small_module), (large_api, large_module) = (in_process_assess(s, case, args.runs)
                                                                    for s in stores.values())
            print(f"  assess() in process {'':22s} {small_api:6.3f} s {small_module:6,d} q "
                  f"{large_api:6.3f} s {large_module:6,d} q  {large_api / small_api:4.2f}  (q: quads of the patient's module)")
        (small, small_rss), (large, large_rss) = (measured([*bortekg, str(s), "reason"]) for s in stores.values())
        over = large > REASON_SECONDS or large_rss > REASON_BYTES
        missed += over
        print(f"bortekg reason {'':29s} {small:6.2f} s {small_rss / 2**20:5.0f} MB "
              f"{large:6.2f} s {large_rss / 2**20:5.0f} MB  (target {REASON_SECONDS:g} s, 1 GB)"
              f"{'  OVER' if over else ''}")
        baseline, _ = median_run([*bortekg, str(stores['curated']), "stats"], args.runs)
        print(f"baseline: bortekg stats on the curated store {baseline:6.2f} s")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
