"""stats counts triples with the engine, over the store's indexes: the same figures as reading
every triple into Python (the reference), with triples held by several graphs counted once."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.stats import distinct_triples, graph_stats, triples_per_graph


def reference_per_graph(kg: KnowledgeGraph) -> dict[str, int]:
    return {g.value: sum(1 for _ in kg.store.quads_for_pattern(None, None, None, g)) for g in kg.content_graphs()}


def test_counts_agree_with_reading_every_triple(kg) -> None:
    per_graph = triples_per_graph(kg)
    assert per_graph == reference_per_graph(kg)
    assert distinct_triples(kg, per_graph) == len(kg.triples()) == graph_stats(kg).triples


def test_a_triple_in_several_graphs_counts_once(tmp_path: Path) -> None:
    kg = KnowledgeGraph(tmp_path / "store")
    in_kb = next(iter(kg.store.quads_for_pattern(None, None, None, ox.NamedNode(ns.GRAPH_KB)))).triple
    in_ontology = next(iter(kg.store.quads_for_pattern(None, None, None, ox.NamedNode(ns.GRAPH_ONTOLOGY)))).triple
    new = ox.Triple(ox.NamedNode(ns.BKE + "counted-once"), ox.NamedNode(ns.RDFS + "label"), ox.Literal("x"))
    kg.add_submission([in_kb, new], file_name="a.ttl", sha256="0" * 64, source="a test")
    kg.replace_inferred([in_kb, in_ontology, new])
    per_graph = triples_per_graph(kg)
    assert per_graph == reference_per_graph(kg) and len(per_graph) == 4
    stats = graph_stats(kg)
    assert stats.triples == len(kg.triples()) == sum(per_graph.values()) - 4
    assert stats.triples_per_graph == per_graph
