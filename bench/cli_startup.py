"""``bortekg cq run ID`` as a whole process, beside the floor ``python -c "import pyoxigraph"``.

Target: a median of 0.2 s or less. Each process starts cold (a new interpreter that loads the
graph, checks and runs the question in its worker, and prints the table); the parsed bundle
is in the user's cache after the first run, as it is for any user after the first command.
Python's bytecode is cached in a temporary folder, as a wheel install has it precompiled;
the figure with bytecode writing off (an editable install under PYTHONDONTWRITEBYTECODE,
which compiles bortekg's own modules at every start) is printed too.

    python bench/cli_startup.py [--catalogue DIR] [--runs 21] [ID ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import catalogue_argument, questions, verdict

TARGET_S = 0.2


def median_seconds(command: list[str], environment: dict[str, str], runs: int) -> float:
    subprocess.run(command, env=environment, check=True, capture_output=True)  # warm the caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    catalogue_argument(parser)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("ids", nargs="*", help="questions to run (default: the first five)")
    args = parser.parse_args()
    catalogue = {q.id: q for q in questions(args.catalogue)}
    unknown = [question_id for question_id in args.ids if question_id not in catalogue]
    if unknown:
        sys.exit(f"unknown questions: {', '.join(unknown)} (bortekg cq list shows them)")
    chosen = [catalogue[question_id] for question_id in args.ids] or list(catalogue.values())[:5]
    bortekg = shutil.which("bortekg", path=str(Path(sys.executable).parent)) or "bortekg"
    pycache = tempfile.mkdtemp(prefix="bortekg-bench-pycache-")
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = pycache
    if args.catalogue:
        environment["BORTEKG_CQ_DIR"] = str(args.catalogue.resolve())
    # installed packages keep their precompiled bytecode; only bortekg's modules compile
    no_bytecode = {k: v for k, v in environment.items() if k != "PYTHONPYCACHEPREFIX"}
    no_bytecode["PYTHONDONTWRITEBYTECODE"] = "1"
    try:
        floor = median_seconds([sys.executable, "-c", "import pyoxigraph"], environment, args.runs)
        print(f"medians of {args.runs} processes; floor (python -c 'import pyoxigraph'): {floor:.3f} s")
        print(f"{'bortekg cq run':44s} {'median':>8s} {'no bytecode':>12s}")
        for question in chosen:
            # a question with a required parameter is asked with its header's example
            command = [bortekg, "cq", "run", question.id] + [
                f"--param={name}={value}" for name, value in question.examples if question.required]
            warm = median_seconds(command, environment, args.runs)
            cold = median_seconds(command, no_bytecode, max(5, args.runs // 3))
            print(f"{question.id:44s} {warm:7.3f} s {cold:9.3f} s   {verdict(warm, TARGET_S)} "
                  f"(floor {floor:.3f} s, {warm / floor:.1f}x)")
    finally:
        shutil.rmtree(pycache, ignore_errors=True)


if __name__ == "__main__":
    main()
