"""Every competency question on the graph grown to about a million triples (expand_graph.py).

Per question, the median time in process on pyoxigraph (target: 50 ms) beside its time on the
curated graph and the number of rows on each. For a question over target, the floor for an
answer of its size is measured in the same run: pyoxigraph handing back as many rows of as
many columns from a bare scan of the graph (no join, no filter, no order).

    python bench/cq_scale.py [--catalogue DIR] [--triples 1000000] [--repeat 10]
"""

from __future__ import annotations

import argparse
import time

from bortekg import KnowledgeGraph
from common import cases, catalogue_argument, median_ms, verdict
from expand_graph import expanded_store

TARGET_MS = 50.0


def bare_scan(rows: int, columns: int) -> str:
    """A query that returns ``rows`` rows of ``columns`` terms with no work beyond a scan."""
    names = ["?s", "?p", "?o"] + [f"(?o AS ?c{i})" for i in range(4, columns + 1)]
    return f"SELECT {' '.join(names[:max(columns, 1)])} WHERE {{ ?s ?p ?o }} LIMIT {rows}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    catalogue_argument(parser)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    kg = KnowledgeGraph()
    started = time.perf_counter()
    store = expanded_store(args.triples)
    print(f"expanded graph: {len(store):,} quads, built and loaded in {time.perf_counter() - started:.1f} s; "
          f"medians of {args.repeat} runs")
    print(f"{'question':44s} {'rows':>6s} {'curated':>9s} {'rows':>7s} {'expanded':>10s}")
    worst, over = 0.0, []
    for name, sparql in cases(kg, args.catalogue):
        def expanded():
            return list(store.query(sparql, use_default_graph_as_union=True))

        small_rows, large_rows = len(list(kg.query(sparql))), len(expanded())
        small = median_ms(lambda: list(kg.query(sparql)), args.repeat)
        large = median_ms(expanded, args.repeat)
        worst = max(worst, large)
        line = f"{name:44s} {small_rows:6d} {small:6.2f} ms {large_rows:7d} {large:7.2f} ms  {verdict(large, TARGET_MS)}"
        if large > TARGET_MS:
            over.append(name)
            columns = len(list(store.query(sparql, use_default_graph_as_union=True).variables))
            scan = bare_scan(large_rows, columns)
            floor = median_ms(lambda: list(store.query(scan, use_default_graph_as_union=True)), args.repeat)
            line += f"  (floor for {large_rows:,} rows of {columns} columns: {floor:.1f} ms)"
        print(line)
    print(f"slowest on the expanded graph: {worst:.1f} ms (target {TARGET_MS:.0f} ms): "
          + ("every question within target" if not over else f"over target: {', '.join(over)}"))
    print("(the curated column is for comparison, measured beside the large store in this process; "
          "bench/cq_engines.py measures the curated graph's 2 ms target)")


if __name__ == "__main__":
    main()
