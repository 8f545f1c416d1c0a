"""Every competency question on the graph grown to a million triples or more (expand_graph.py).

Per question, the median time on the embedded pyoxigraph store, queried as ``KnowledgeGraph``
queries it (the content graphs as the default graph), beside its time on the curated graph
and the number of rows on each. A question that lists the whole graph is read in pages and
measured by its first page (``--page`` rows). Targets: 50 ms at about 1M triples, 500 ms at
about 10M (the target is chosen by the store's size). For a question over target, the floor
for an answer of its size is measured in the same run: pyoxigraph handing back as many rows of
as many columns from a bare scan (no join, no filter, no order).

    python bench/cq_scale.py [--triples 1000000] [--repeat 10]          # expand, load in memory
    python bench/cq_scale.py --store /tmp/bortekg-10m --repeat 3        # an expanded on-disk store
    python bench/cq_scale.py --nquads /tmp/bortekg-10m.nq               # load a written expansion
    python bench/cq_scale.py --store DIR --endpoint http://127.0.0.1:7878/query   # and a server beside it

With ``--endpoint``, every question is also sent to that SPARQL server over HTTP (for example
``oxigraph serve-read-only --location DIR`` on the same store, or Virtuoso loaded with the same
file), with the content graphs as its dataset, and its time is printed beside the embedded one.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.binding import bind_values
from bortekg.endpoint import Endpoint
from common import catalogue_argument, median_ms, questions, verdict
from expand_graph import bulk_load, peak_rss_mb, write_expanded


def target_ms(quads: int) -> float:
    return 50.0 if quads < 3_000_000 else 500.0


def bare_scan(rows: int, columns: int) -> str:
    """A query that returns ``rows`` rows of ``columns`` terms with no work beyond a scan."""
    names = ["?s", "?p", "?o"] + [f"(?o AS ?c{i})" for i in range(4, columns + 1)]
    return f"SELECT {' '.join(names[:max(columns, 1)])} WHERE {{ ?s ?p ?o }} LIMIT {max(rows, 1)}"


def scale_cases(kg: KnowledgeGraph, folder: Path | None, page: int) -> list[tuple[str, str]]:
    """(name, SPARQL) per question: unbound unless a parameter is required, bound to its
    examples when it has them, and a paged question as its first page."""
    found = []
    for q in questions(folder):
        if q.page_key is not None:
            sparql, _ = q.page(limit=page)
            found.append((f"{q.id} [first {page}]", sparql))
            continue
        if not q.required:
            found.append((q.id, q.sparql))
        if q.examples:
            bound = ", ".join(name for name, _ in q.examples)
            found.append((f"{q.id} [{bound} bound]", bind_values(q.sparql, q.example_bindings())))
    return found


def load_store(args: argparse.Namespace) -> ox.Store:
    if args.store is not None:
        return ox.Store.read_only(str(args.store))
    if args.nquads is not None:
        return bulk_load(args.nquads)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "expanded.nq"
        with path.open("wb") as out:
            write_expanded(args.triples, out)
        return bulk_load(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    catalogue_argument(parser)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, help="an expanded on-disk store (expand_graph.py --store)")
    parser.add_argument("--nquads", type=Path, help="an expansion written by expand_graph.py, loaded in memory")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--page", type=int, default=100, help="rows of a paged question's first page")
    parser.add_argument("--endpoint", help="a SPARQL server holding the same graph, measured beside the store")
    parser.add_argument("--skip", action="append", default=[], metavar="ID",
                        help="leave out a question (repeat for several): one already measured in a long run")
    args = parser.parse_args()
    server = Endpoint(args.endpoint, timeout=3600) if args.endpoint else None
    dataset = [ns.GRAPH_ONTOLOGY, ns.GRAPH_KB]

    def remote(sparql: str) -> int:
        assert server is not None
        return len(json.loads(server.select(sparql, form="SELECT", dataset=dataset))["results"]["bindings"])

    kg = KnowledgeGraph()
    started = time.perf_counter()
    store = load_store(args)
    graphs = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value != ns.GRAPH_META]
    target = target_ms(len(store))
    where = f"on-disk store {args.store}" if args.store else "in-memory store"
    print(f"expanded graph: {len(store):,} quads, {where}, ready in {time.perf_counter() - started:.1f} s "
          f"(peak RSS {peak_rss_mb():,.0f} MB); medians of {args.repeat} runs; target {target:.0f} ms")
    print(f"{'question':52s} {'rows':>6s} {'curated':>9s} {'rows':>7s} {'expanded':>10s}"
          + ("  server (rows, time)" if server else ""))

    def expanded(sparql: str) -> list:
        return list(store.query(sparql, default_graph=graphs, named_graphs=graphs))

    worst, over = 0.0, []
    warmup = 0 if args.repeat == 1 else 1  # one run at 10M: the row count's run warms the caches
    for name, sparql in scale_cases(kg, args.catalogue, args.page):
        if name.split(" [")[0] in args.skip:
            continue
        small_rows, large_rows = len(list(kg.query(sparql))), len(expanded(sparql))
        small = median_ms(lambda sparql=sparql: list(kg.query(sparql)), args.repeat)
        large = median_ms(lambda sparql=sparql: expanded(sparql), args.repeat, warmup)
        worst = max(worst, large)
        line = f"{name:52s} {small_rows:6d} {small:6.2f} ms {large_rows:7d} {large:7.1f} ms  {verdict(large, target)}"
        if large > target:
            over.append(f"{name} ({large:.0f} ms)")
            columns = len(list(store.query(sparql, default_graph=graphs).variables))
            scan = bare_scan(large_rows, columns)
            floor = median_ms(lambda scan=scan: expanded(scan), args.repeat)
            line += f"  (floor for {large_rows:,} rows of {columns} columns: {floor:.1f} ms)"
        if server is not None:
            remote_rows = remote(sparql)
            remote_ms = median_ms(lambda sparql=sparql: remote(sparql), args.repeat)
            line += f"  server: {remote_rows} rows {remote_ms:.1f} ms {verdict(remote_ms, target)}"
        print(line, flush=True)
    print(f"slowest on the expanded graph: {worst:.1f} ms (target {target:.0f} ms): "
          + ("every question within target" if not over else f"over target: {', '.join(over)}"))


if __name__ == "__main__":
    main()
