"""Read commands on a large on-disk store, each as a whole process, against the same work done
in process by pyoxigraph plus the command line's own start.

For each command: the median wall time of ``bortekg --store DIR ...`` as a new process, and its
baseline measured in the same run: the same queries run by pyoxigraph in this process on the
store opened read-only (the work the command cannot avoid) plus ``python -c "import
bortekg.cli"`` (the start it cannot avoid). The ratio says how much the command adds.

    python bench/expand_graph.py --triples 1000000 -o /tmp/1m.nq --store /tmp/bortekg-1m
    python bench/big_store_commands.py --store /tmp/bortekg-1m [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg import stats
from bortekg.catalogue import get_question

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_STATS_QUERIES = [stats._CLAIM_TOTAL, stats._INSTANCES_PER_CLASS, stats._CLAIMS_PER_SOURCE,
                  stats._CLAIMS_PER_KIND, stats._UNVERIFIED_MAPPINGS, stats._VALUE_CAVEATS]


def whole_process(command: list[str], runs: int) -> float:
    environment = {**os.environ}
    subprocess.run(command, env=environment, check=True, capture_output=True)  # warm the caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def in_process(action: Callable[[], object], runs: int) -> float:
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="an on-disk store (bench/expand_graph.py --store)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    store = ox.Store.read_only(str(args.store))
    graphs = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value != ns.GRAPH_META]

    def run(sparql: str) -> list:
        return list(store.query(sparql, default_graph=graphs, named_graphs=graphs))

    def stats_work() -> None:
        for graph in graphs:
            run(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
        for sparql in _STATS_QUERIES:
            run(sparql)

    paged = get_question("entities-without-identifier")
    first_page, _ = paged.page(limit=100)
    dose = get_question("dose-modification")
    query_file = Path(tempfile.mkdtemp()) / "count.rq"
    query_file.write_text(COUNT_ALL)
    cases = [
        ("stats", ["stats"], stats_work),
        ("query (count every triple)", ["query", str(query_file)], lambda: run(COUNT_ALL)),
        ("cq run entities-without-identifier --limit 100",
         ["cq", "run", paged.id, "--limit", "100"], lambda: run(first_page)),
        ("cq run dose-modification", ["cq", "run", dose.id], lambda: run(dose.sparql)),
    ]
    base = [sys.executable, "-m", "bortekg", "--store", str(args.store)]
    start = whole_process([sys.executable, "-c", "import bortekg.cli"], args.runs)
    print(f"store {args.store}: {len(store):,} quads; medians of {args.runs} runs; "
          f"command-line start (python -c 'import bortekg.cli'): {start:.2f} s")
    print(f"{'command':50s} {'process':>9s} {'in process':>11s} {'baseline':>9s} {'ratio':>6s}")
    # this process keeps the store open read-only, which takes no lock: the commands open it too
    for name, command, work in cases:
        work_s = in_process(work, args.runs)
        process_s = whole_process(base + command, args.runs)
        baseline = work_s + start
        print(f"{name:50s} {process_s:7.2f} s {work_s:9.2f} s {baseline:7.2f} s {process_s / baseline:5.2f}x",
              flush=True)


if __name__ == "__main__":
    main()
