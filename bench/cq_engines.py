"""Every competency question on the curated graph: pyoxigraph against rdflib's SPARQL engine.

Per question, the median time of the query in process on pyoxigraph (target: 2 ms), the
same through bortekg's checked read path (safety check, VALUES binding, forked worker with
a time limit, results serialised back), and rdflib's engine on the same triples with the
query prepared once, with the ratio rdflib / pyoxigraph.

    python bench/cq_engines.py [--catalogue DIR] [--repeat 50]
"""

from __future__ import annotations

import argparse

import rdflib
from rdflib.plugins.sparql import prepareQuery

from bortekg import KnowledgeGraph
from bortekg.engines import EmbeddedEngine, run_query
from common import cases, catalogue_argument, median_ms, verdict

TARGET_MS = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    catalogue_argument(parser)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    kg = KnowledgeGraph()
    engine = EmbeddedEngine(kg)
    graph = rdflib.Graph()
    graph.parse(data=kg.export("nt").decode(), format="nt")
    print(f"curated graph: {len(kg):,} triples; medians of {args.repeat} runs (rdflib: {max(3, args.repeat // 10)})")
    print(f"{'question':44s} {'rows':>5s} {'pyoxigraph':>11s} {'checked':>9s} {'rdflib':>10s} {'ratio':>8s}")
    worst, over = 0.0, []
    for name, sparql in cases(kg, args.catalogue):
        rows = len(list(kg.query(sparql)))
        oxigraph = median_ms(lambda: list(kg.query(sparql)), args.repeat)
        checked = median_ms(lambda: run_query(engine, sparql), max(5, args.repeat // 5))
        prepared = prepareQuery(sparql)
        rdf = median_ms(lambda: list(graph.query(prepared)), max(3, args.repeat // 10))
        worst = max(worst, oxigraph)
        if oxigraph > TARGET_MS:
            over.append(name)
        print(f"{name:44s} {rows:5d} {oxigraph:8.3f} ms {checked:6.2f} ms {rdf:7.1f} ms {rdf / oxigraph:7.0f}x"
              f"  {verdict(oxigraph, TARGET_MS)}")
    print(f"slowest on pyoxigraph: {worst:.3f} ms (target {TARGET_MS} ms): "
          + ("every question within target" if not over else f"over target: {', '.join(over)}"))


if __name__ == "__main__":
    main()
