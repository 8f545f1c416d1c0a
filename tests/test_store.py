from __future__ import annotations

import gc
from decimal import Decimal
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib import XSD
from rdflib.compare import graph_diff, to_isomorphic

from bortekg import KnowledgeGraph, resources
from bortekg import namespaces as ns
from bortekg import store as store_module
from bortekg.store import EXPORT_FORMATS

_NUMERIC = {XSD.decimal, XSD.integer}


def canonical(graph: rdflib.Graph) -> rdflib.Graph:
    """Numbers in canonical lexical form (38.0 and 38 are the same xsd:decimal value)."""
    result = rdflib.Graph()
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and o.datatype in _NUMERIC:
            o = rdflib.Literal(format(Decimal(str(o)).normalize(), "f"), datatype=o.datatype)
        result.add((s, p, o))
    return result


@cache
def expected_graph(*files: Path) -> rdflib.Graph:
    """The packaged Turtle parsed independently, by rdflib, numbers in canonical form (parsed
    once per run: several tests compare exports with it; do not change it)."""
    graph = rdflib.Graph()
    for path in files:
        graph.parse(path, format="turtle")
    return canonical(graph)


@cache
def isomorphism_hash(*files: Path) -> int:
    return to_isomorphic(expected_graph(*files)).internal_hash()


def assert_isomorphic(files: list[Path], actual: rdflib.Graph, what: str) -> None:
    actual = to_isomorphic(canonical(actual))
    if actual.internal_hash() == isomorphism_hash(*files):
        return
    expected = to_isomorphic(expected_graph(*files))
    _, only_expected, only_actual = graph_diff(expected, actual)
    lines = [f"{what}: graphs differ"]
    lines += [f"  only in expected: {t}" for t in list(only_expected)[:10]]
    lines += [f"  only in actual:   {t}" for t in list(only_actual)[:10]]
    pytest.fail("\n".join(lines))


def test_loads_ontology_and_kb_into_named_graphs(kg: KnowledgeGraph, ontology_graph) -> None:
    graphs = {g.value for g in kg.content_graphs()}
    assert {ns.GRAPH_ONTOLOGY, ns.GRAPH_KB} <= graphs
    assert ns.GRAPH_META not in graphs
    assert len(kg) == len(ontology_graph)  # the Turtle files' triples, as rdflib reads them


def test_query_sees_union_of_graphs_and_binds_parameters(kg: KnowledgeGraph) -> None:
    sparql = """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?node ?label WHERE { ?node rdfs:label ?label }"""
    rows = list(kg.query(sparql, bindings={"node": ox.NamedNode(ns.BKG + "route-subcutaneous")}))
    assert [r["label"].value for r in rows] == ["subcutaneous"]
    # the TBox (ontology graph) and the value sets (kb graph) are both visible
    ask = f"ASK {{ <{ns.BKG}Drug> ?p ?o . <{ns.BKG}route-oral> ?q ?r }}"
    assert bool(kg.query(ask))


def test_bindings_are_terms_not_text(kg: KnowledgeGraph) -> None:
    sparql = """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?label ?node WHERE { ?node rdfs:label ?label }"""
    hostile = ox.Literal('x" } UNION { ?node ?p ?label } #')
    assert list(kg.query(sparql, bindings={"label": hostile})) == []


def test_persistent_store_reopens_without_reparsing(tmp_path: Path, monkeypatch) -> None:
    first = KnowledgeGraph(tmp_path / "store")
    size = len(first)
    del first

    def refuse():
        raise AssertionError("the unchanged bundle was parsed again")

    monkeypatch.setattr(store_module, "bundled_quads", refuse)
    again = KnowledgeGraph(tmp_path / "store")
    assert len(again) == size


def test_persistent_store_reloads_changed_bundle_and_keeps_submissions(tmp_path: Path, monkeypatch) -> None:
    kg = KnowledgeGraph(tmp_path / "store")
    del kg
    gc.collect()
    submission = ox.NamedNode(ns.GRAPH_SUBMISSION_PREFIX + "s1")
    marker = ox.Quad(ox.NamedNode(ns.BKE + "x"), ox.NamedNode(ns.RDFS + "label"), ox.Literal("x"), submission)
    raw = ox.Store(str(tmp_path / "store"))  # the store as an older release left it
    raw.add(marker)
    raw.remove_graph(ox.NamedNode(ns.GRAPH_KB))
    raw.flush()
    del raw
    gc.collect()
    monkeypatch.setattr(store_module, "bundle_fingerprint", lambda: "changed")
    reopened = KnowledgeGraph(tmp_path / "store")
    assert reopened.store.contains_named_graph(ox.NamedNode(ns.GRAPH_KB))
    assert marker in set(reopened.store.quads_for_pattern(None, None, None, submission))


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "xml"])
def test_triple_exports_are_isomorphic_to_the_packaged_files(kg: KnowledgeGraph, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"export.{fmt}"
    kg.export(fmt, out)
    rdflib_format = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}[fmt]
    actual = rdflib.Graph().parse(out, format=rdflib_format)
    assert_isomorphic([*resources.tbox_files(), *resources.kb_files()], actual, f"export --format {fmt}")


@pytest.mark.parametrize("fmt", ["nq", "trig"])
def test_dataset_exports_keep_named_graphs(kg: KnowledgeGraph, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"export.{fmt}"
    kg.export(fmt, out)
    dataset = rdflib.Dataset()
    dataset.parse(out, format={"nq": "nquads", "trig": "trig"}[fmt])
    ontology = dataset.graph(rdflib.URIRef(ns.GRAPH_ONTOLOGY))
    kb = dataset.graph(rdflib.URIRef(ns.GRAPH_KB))
    assert_isomorphic(resources.tbox_files(), ontology, f"{fmt} ontology graph")
    assert_isomorphic(resources.kb_files(), kb, f"{fmt} kb graph")


def test_export_rejects_unknown_format(kg: KnowledgeGraph) -> None:
    with pytest.raises(ValueError, match="ttl, nt, nq, trig, jsonld, xml"):
        kg.export("csv")


def test_export_formats_cover_the_documented_list() -> None:
    assert list(EXPORT_FORMATS) == ["ttl", "nt", "nq", "trig", "jsonld", "xml"]


def test_resources_point_at_packaged_data() -> None:
    assert resources.tbox_file().name == "bortekg.ttl"
    assert any(p.name == "valuesets.ttl" for p in resources.kb_files())
    assert resources.queries_dir().joinpath("qc").is_dir()
    assert resources.shapes_files()
