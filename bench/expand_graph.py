"""Grow the curated graph to a million triples or more of the same shape, for benchmarks.

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

The copies are written as N-Quads text: the two kinds of replica (new entities, kept
entities) are serialised once each with a placeholder number, and every replica is its
template with the number put in, so ten million quads take seconds to write rather than
the minutes that building each quad as a Python object took. The file is then bulk-loaded
into a store (with ``--store``, a new on-disk store that ``bortekg --store DIR`` opens as it
is: the packaged bundle's fingerprint is written with it, so nothing is reloaded).

    python bench/expand_graph.py --triples 1000000 -o /tmp/bortekg-1m.nq [--store /tmp/bortekg-1m]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.store import bundle_fingerprint

_RENAMED_ALWAYS = (ns.BKC, ns.BKS)
_MAPPINGS = {ns.SKOS + m for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")}
_LABEL = ns.RDFS + "label"
KEEP_ENTITIES_EVERY = 25
#: Stands for the replica number in a template; it must occur nowhere in the curated graph.
_PLACEHOLDER = "7319028465"


def _renamer(replica: int | str, keep_entities: bool):
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


def replica_quads(base: list[ox.Quad], replica: int | str, *, keep_entities: bool | None = None) -> Iterator[ox.Quad]:
    """One renamed copy of the knowledge-base quads."""
    if keep_entities is None:
        keep_entities = int(replica) % KEEP_ENTITIES_EVERY == 0
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


def curated_quads() -> tuple[list[ox.Quad], list[ox.Quad]]:
    """Every quad of the packaged graph, and those of its knowledge base (what replicas copy)."""
    everything = list(KnowledgeGraph().quads())
    return everything, [q for q in everything if q.graph_name.value == ns.GRAPH_KB]


def _template(base: list[ox.Quad], keep_entities: bool) -> tuple[str, int]:
    """One replica as N-Quads text with the placeholder for its number, and its size in quads."""
    quads = list(replica_quads(base, _PLACEHOLDER, keep_entities=keep_entities))
    text = (ox.serialize(quads, None, ox.RdfFormat.N_QUADS) or b"").decode()
    return text, len(quads)


def write_expanded(target: int, out: BinaryIO) -> int:
    """Write the curated graph and its replicas (up to about ``target`` quads) as N-Quads,
    then the packaged bundle's fingerprint in the meta graph; return the number of quads."""
    everything, base = curated_quads()
    if any(_PLACEHOLDER in str(quad) for quad in everything):
        raise RuntimeError(f"the placeholder {_PLACEHOLDER} occurs in the curated graph: choose another")
    out.write(ox.serialize(everything, None, ox.RdfFormat.N_QUADS) or b"")
    templates = {keep: _template(base, keep) for keep in (False, True)}
    count, replica = len(everything), 0
    while count < target:
        replica += 1
        text, size = templates[replica % KEEP_ENTITIES_EVERY == 0]
        out.write(text.replace(_PLACEHOLDER, str(replica)).encode())
        count += size
    fingerprint = ox.Quad(ox.NamedNode(ns.BASE + "store"), ox.NamedNode(ns.BKG + "bundleFingerprint"),
                          ox.Literal(bundle_fingerprint()), ox.NamedNode(ns.GRAPH_META))
    out.write(ox.serialize([fingerprint], None, ox.RdfFormat.N_QUADS) or b"")
    return count + 1


def bulk_load(path: Path, store_dir: Path | None = None) -> ox.Store:
    """An N-Quads file bulk-loaded into a new store (on disk at ``store_dir``, else in memory)."""
    if store_dir is not None and store_dir.exists() and any(store_dir.iterdir()):
        raise SystemExit(f"{store_dir} is not empty: give a new folder for the store")
    store = ox.Store(str(store_dir)) if store_dir is not None else ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="about how many triples (default 1,000,000)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="N-Quads file to write")
    parser.add_argument("--store", type=Path, help="bulk-load into a new on-disk store in this folder "
                                                   "(default: an in-memory store, to time the load)")
    args = parser.parse_args()
    started = time.perf_counter()
    with args.output.open("wb") as out:
        written = write_expanded(args.triples, out)
    wrote = time.perf_counter() - started
    size = args.output.stat().st_size / 1e6
    print(f"wrote {written:,} quads ({size:,.0f} MB) to {args.output} in {wrote:.1f} s", flush=True)
    started = time.perf_counter()
    store = bulk_load(args.output, args.store)
    loaded = time.perf_counter() - started
    where = f"the on-disk store {args.store}" if args.store else "an in-memory store"
    print(f"bulk-loaded {len(store):,} quads into {where} in {loaded:.1f} s ({len(store) / loaded:,.0f} quads/s); "
          f"total {wrote + loaded:.1f} s; peak RSS of this process {peak_rss_mb():,.0f} MB")
    if len(store) != written:
        sys.exit(f"the store holds {len(store):,} quads, {written:,} were written")


if __name__ == "__main__":
    main()
