"""Benchmark `bortekg reason` and `bortekg assess` as whole processes.

Each command runs several times as a fresh process; the script prints the median wall time,
the target and their ratio, and, measured in the same run, the baselines the commands cannot
avoid: Python with the CLI imported and the graph loaded (`bortekg stats`), Java starting
(`java -version`) and HermiT starting on an empty ontology. Ratios above 1 miss the target.

    python bench/reasoning.py [--runs 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "patients"
BORTEKG = [sys.executable, "-m", "bortekg"]

#: Targets of issue 5, in seconds, classification included.
TARGETS = {"reason": 3.0, "assess (grade 2, painful, IV)": 1.5, "assess (suspected immune-mediated)": 1.5}


def timed(command: list[str], runs: int) -> float:
    """Median wall time of ``runs`` runs (after one warm-up run that fills the OS caches)."""
    subprocess.run(command, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def hermit_on_empty_ontology(folder: Path) -> list[str]:
    """HermiT with the JVM options bortekg uses, on a one-class ontology."""
    from bortekg.reason.hermit import hermit_classpath, java_executable

    empty = folder / "empty.nt"
    empty.write_text(
        "<http://example.org/A> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<http://www.w3.org/2002/07/owl#Class> .\n"
    )
    return [java_executable(), "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-cp", hermit_classpath(),
            "org.semanticweb.HermiT.cli.CommandLine", "-c", "-I", empty.as_uri()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if shutil.which("java") is None:
        print("java not found: the DL reasoner needs a Java runtime", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bortekg-bench-") as folder:
        return run(args.runs, Path(folder))


def run(runs: int, folder: Path) -> int:
    baselines = {
        "python + graph load (bortekg stats)": [*BORTEKG, "stats"],
        "JVM start (java -version)": ["java", "-version"],
        "HermiT start (empty ontology)": hermit_on_empty_ontology(folder),
    }
    commands = {
        "reason": [*BORTEKG, "reason"],
        "assess (grade 2, painful, IV)": [*BORTEKG, "assess", str(EXAMPLES / "patient-grade2-painful-iv.json"),
                                          "--format", "json"],
        "assess (suspected immune-mediated)": [*BORTEKG, "assess", str(EXAMPLES / "patient-suspected-immune.json"),
                                               "--format", "json"],
    }
    print(f"median of {runs} runs, seconds")
    measured = {name: timed(command, runs) for name, command in baselines.items()}
    for name, seconds in measured.items():
        print(f"  {name:40s} {seconds:6.3f}  (baseline)")
    missed = 0
    for name, command in commands.items():
        seconds = timed(command, runs)
        ratio = seconds / TARGETS[name]
        missed += ratio > 1
        jvm = measured["HermiT start (empty ontology)"]
        print(f"  {name:40s} {seconds:6.3f}  target {TARGETS[name]:.1f}  ratio {ratio:4.2f}  "
              f"(of which HermiT start {jvm:.3f}, {jvm / seconds:4.0%})")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
