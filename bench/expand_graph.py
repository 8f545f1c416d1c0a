"""Grow the curated graph to about a million triples of the same shape, for benchmarks.

Each replica copies the curated knowledge base (claims with their parts, quotes, evidence
kinds and sources, and the entities they are about) under new IRIs:

- claims, claim parts and source documents are always new (``...-synN``): more literature;
- entities are new in most replicas (more drugs, adverse effects, findings, studies), with
  a numbered label and without standard identifiers, as newly curated entities would be;
- every 25th replica keeps the real entities, so that questions anchored on bortezomib
  or BIPN find about five times as many claims, from more sources.

Value sets, classes and properties are shared, so every competency question touches the
copies exactly as it touches the curated claims. The copies are synthetic benchmark data:
they are never part of the packaged graph.

    python bench/expand_graph.py --triples 1000000 -o /tmp/bortekg-1m.nq
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns

_RENAMED_ALWAYS = (ns.BKC, ns.BKS)
_MAPPINGS = {ns.SKOS + m for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")}
_LABEL = ns.RDFS + "label"
KEEP_ENTITIES_EVERY = 25


def _renamer(replica: int, keep_entities: bool):
    cache: dict[str, ox.NamedNode] = {}
    prefixes = _RENAMED_ALWAYS if keep_entities else (*_RENAMED_ALWAYS, ns.BKE)

    def rename(term: ox.Term) -> ox.Term:
        if not isinstance(term, ox.NamedNode):
            return term
        renamed = cache.get(term.value)
        if renamed is None:
            fresh = any(term.value.startswith(p) for p in prefixes)
            renamed = ox.NamedNode(f"{term.value}-syn{replica}") if fresh else term
            cache[term.value] = renamed
        return renamed

    return rename


def replica_quads(base: list[ox.Quad], replica: int) -> Iterator[ox.Quad]:
    """One renamed copy of the knowledge-base quads."""
    keep_entities = replica % KEEP_ENTITIES_EVERY == 0
    rename = _renamer(replica, keep_entities)
    for quad in base:
        subject = rename(quad.subject)
        if subject == quad.subject:
            continue  # shared vocabulary, or an entity kept as it is: its triples are there already
        renamed_entity = subject != quad.subject and quad.subject.value.startswith(ns.BKE)
        if renamed_entity and quad.predicate.value in _MAPPINGS:
            continue  # a new entity has no verified identifier yet
        obj = quad.object
        if renamed_entity and quad.predicate.value == _LABEL and isinstance(obj, ox.Literal):
            obj = ox.Literal(f"{obj.value} {replica}", language=obj.language)
        else:
            obj = rename(obj)
        yield ox.Quad(subject, quad.predicate, obj, quad.graph_name)


def expanded_quads(target: int) -> Iterator[ox.Quad]:
    """The curated graph followed by as many replicas as reach about ``target`` quads."""
    kg = KnowledgeGraph()
    everything = list(kg.quads())
    base = [q for q in everything if q.graph_name.value == ns.GRAPH_KB]
    yield from everything
    count, replica = len(everything), 0
    while count < target:
        replica += 1
        for quad in replica_quads(base, replica):
            count += 1
            yield quad


def expanded_store(target: int) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(expanded_quads(target))
    return store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="about how many triples (default 1,000,000)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="N-Quads file to write")
    args = parser.parse_args()
    started = time.perf_counter()
    ox.serialize(expanded_quads(args.triples), args.output, ox.RdfFormat.N_QUADS)
    store = ox.Store()
    store.bulk_load(path=args.output, format=ox.RdfFormat.N_QUADS)
    print(f"{len(store):,} quads written to {args.output} in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
