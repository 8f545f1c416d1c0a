"""The store's writes for reasoning and assessment: the inferred graph is replaced as a whole,
and a scratch copy takes extra triples without touching the original."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns

A = ox.NamedNode("http://example.org/a")
TYPE = ox.NamedNode(ns.RDF + "type")


def triple(cls: str) -> ox.Triple:
    return ox.Triple(A, TYPE, ox.NamedNode("http://example.org/" + cls))


def test_replace_inferred_replaces_the_whole_graph_and_queries_see_it() -> None:
    kg = KnowledgeGraph()
    asserted = kg.triples()
    assert kg.replace_inferred([triple("B"), triple("C"), triple("C")]) == 2
    assert kg.replace_inferred([triple("D")]) == 1
    assert kg.triples() == asserted | {triple("D")}
    assert kg.triples(with_inferred=False) == asserted
    ask = kg.query("ASK { <http://example.org/a> a <http://example.org/D> }")
    assert bool(ask)
    assert kg.replace_inferred([]) == 0 and kg.triples() == asserted


def test_replace_inferred_persists(tmp_path: Path) -> None:
    kg = KnowledgeGraph(tmp_path / "store")
    kg.replace_inferred([triple("B")])
    del kg
    reopened = KnowledgeGraph(tmp_path / "store")
    assert triple("B") in reopened.triples()
    assert ox.NamedNode(ns.GRAPH_INFERRED) in reopened.content_graphs()


def test_scratch_graph_is_a_copy() -> None:
    kg = KnowledgeGraph()
    before = kg.triples()
    scratch = kg.with_scratch_graph(ns.BASE + "graph/scratch", [triple("B")])
    assert scratch.triples() == before | {triple("B")}
    assert kg.triples() == before
    assert ox.NamedNode(ns.BASE + "graph/scratch") in scratch.content_graphs()
    assert scratch.store_dir is None
