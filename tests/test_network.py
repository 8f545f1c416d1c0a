"""The network view: projection, explanatory paths, neighbours, figures, GraphML, pictures."""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bortekg import namespaces as ns
from bortekg.cli import main
from bortekg.drawing import draw_neighbourhood
from bortekg.network import (
    EXCLUDED_VALUE_SETS,
    SKIPPED_PREDICATES,
    NoPathError,
    NotInNetworkError,
    find_paths,
    graphml_bytes,
    neighbourhood,
    neighbours,
    network_stats,
    node_info,
    project,
    require_node,
)

BKE, BKG, BKC = ns.BKE, ns.BKG, ns.BKC
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def projection(kg) -> nx.MultiDiGraph:
    return project(kg)


def is_triple(kg, s: str, p: str, o: str) -> bool:
    pattern = kg.store.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o), None)
    return next(iter(pattern), None) is not None


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# --------------------------------------------------------------------------- projection


def test_projection_edges_are_object_triples_without_provenance(kg, projection) -> None:
    assert projection.number_of_nodes() > 500 and projection.number_of_edges() > 1000
    for s, o, data in projection.edges(data=True):
        assert is_triple(kg, s, data["predicate"], o), (s, data["predicate"], o)
        assert data["predicate"] not in SKIPPED_PREDICATES
        assert data["predicate"] != ns.RDF + "type" and not data["predicate"].startswith(ns.SKOS)
        assert data["label"] and not data["label"].startswith("bkg:"), data


def test_projection_keeps_meaningful_nodes_only(kg, projection) -> None:
    kinds = {kind for _, kind in projection.nodes(data="kind")}
    assert {"claim", "claim part", "value set", "drug or chemical", "adverse effect"} <= kinds
    for iri in (BKG + "unit-percent", BKG + "evidence-monograph", BKG + "relation-inhibits",
                ns.BKS + "bipn-treatment-answer", BKG + "Drug", BKG + "treats"):
        assert iri not in projection
    excluded = {
        row["x"].value for row in kg.query(
            f"SELECT ?x WHERE {{ VALUES ?c {{ {' '.join(f'<{c}>' for c in EXCLUDED_VALUE_SETS)} }} ?x a ?c }}"
        )
    }
    assert excluded and not excluded & set(projection)
    for iri in (BKE + "bortezomib", BKC + "bipntx-dose-rule-2", BKG + "route-intravenous"):
        assert iri in projection


def test_node_info_and_require_node(projection) -> None:
    info = node_info(projection, BKC + "mono-moa-6-apoptosis")
    assert info.curie == "bkc:mono-moa-6-apoptosis" and info.kind == "claim"
    assert info.classes == ["mechanism step"] and "apoptosis" in info.label
    require_node(projection, BKE + "pregabalin")
    with pytest.raises(NotInNetworkError, match="bks:fasciculation-answer is not part of the network view"):
        require_node(projection, ns.BKS + "fasciculation-answer")


# --------------------------------------------------------------------------- paths


def assert_sound(kg, path, source: str, target: str) -> None:
    iris = [n.iri for n in path.nodes]
    assert iris[0] == source and iris[-1] == target
    assert len(set(iris)) == len(iris), "a path must be simple"
    assert len(path.hops) == len(iris) - 1
    for hop, (a, b) in zip(path.hops, zip(iris, iris[1:])):
        assert (hop.source.iri, hop.target.iri) == (a, b) and hop.relations
        for r in hop.relations:
            assert {r.subject, r.object} == {a, b}
            assert is_triple(kg, r.subject, r.predicate, r.object)
            assert hop.forward(r) == (r.subject == a)
    # value sets may end a path, never sit inside one
    assert all(n.kind != "value set" for n in path.nodes[1:-1])


def test_bortezomib_reaches_apoptosis_through_a_mechanism_step(kg, projection) -> None:
    found = find_paths(projection, BKE + "bortezomib", BKE + "apoptosis", max_paths=5)
    assert len(found) == 5
    for path in found:
        assert_sound(kg, path, BKE + "bortezomib", BKE + "apoptosis")
        assert any("mechanism step" in n.classes for n in path.nodes[1:-1])
    costs = [p.cost for p in found]
    assert costs == sorted(costs)
    assert len(found[0].hops) == 3
    assert [n.curie for n in found[0].nodes] == [
        "bke:bortezomib", "bkc:mono-moa-5-protein-build-up", "bkc:mono-moa-6-apoptosis", "bke:apoptosis",
    ]


def test_intravenous_route_reaches_pregabalin(kg, projection) -> None:
    source, target = BKG + "route-intravenous", BKE + "pregabalin"
    found = find_paths(projection, source, target, max_paths=3)
    assert found
    for path in found:
        assert_sound(kg, path, source, target)
    first = found[0]
    assert [n.curie for n in first.nodes] == [
        "bkg:route-intravenous", "bkc:bipntx-route-switch-to-subcutaneous", "bke:bipn", "bke:pregabalin",
    ]
    assert [(r.predicate_label, first.hops[0].forward(r)) for r in first.hops[0].relations] == [
        ("from route", False)
    ]


def test_path_errors(projection) -> None:
    with pytest.raises(NoPathError, match=r"no path of at most 2 hops .* \(the shortest has 3 hops\)"):
        find_paths(projection, BKE + "bortezomib", BKE + "apoptosis", max_hops=2)
    with pytest.raises(ValueError, match="same node"):
        find_paths(projection, BKE + "bortezomib", BKE + "bortezomib")
    with pytest.raises(ValueError, match="at least 1"):
        find_paths(projection, BKE + "bortezomib", BKE + "apoptosis", max_paths=0)
    with pytest.raises(NotInNetworkError):
        find_paths(projection, BKE + "bortezomib", ns.BKS + "fasciculation-answer")


def small_network(edges: list[tuple[str, str, str]], values: set[str] = frozenset()) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for s, p, o in edges:
        for n in (s, o):
            graph.add_node(n, label=n, curie=n, kind="value set" if n in values else "claim", classes=())
        graph.add_edge(s, o, key=p, predicate=p, label=p)
    return graph


def test_no_path_between_components_and_no_step_through_a_value() -> None:
    apart = small_network([("a", "p", "b"), ("c", "p", "d")])
    with pytest.raises(NoPathError, match="no path joins a and d"):
        find_paths(apart, "a", "d")
    through_value = small_network([("a", "p", "v"), ("b", "p", "v")], values={"v"})
    with pytest.raises(NoPathError, match="no path joins a and b"):
        find_paths(through_value, "a", "b")
    assert [n.iri for n in find_paths(through_value, "a", "v")[0].nodes] == ["a", "v"]


def test_hubs_cost_more_than_specific_nodes() -> None:
    # a-h-b through a hub with many other neighbours, a-x-y-b through plain nodes
    edges = [("a", "p", "h"), ("h", "p", "b"), ("a", "p", "x"), ("x", "p", "y"), ("y", "p", "b")]
    edges += [("h", "p", f"leaf{i}") for i in range(200)]
    found = find_paths(small_network(edges), "a", "b", max_paths=2)
    assert [[n.iri for n in p.nodes] for p in found] == [["a", "x", "y", "b"], ["a", "h", "b"]]


# --------------------------------------------------------------------------- neighbours


def test_neighbours_with_direction_and_predicate(projection) -> None:
    found = neighbours(projection, BKE + "pregabalin")
    assert len(found) == projection.degree(BKE + "pregabalin")
    seen = {(n.direction, n.predicate_label, n.node.curie) for n in found}
    assert ("outgoing", "treats", "bke:bipn") in seen
    assert ("incoming", "has intervention", "bkc:bipntx-first-line-pregabalin") in seen
    assert [n.direction for n in found] == sorted(n.direction for n in found)[::-1]  # outgoing first


def test_neighbourhood_picks_some_of_each_relation(projection) -> None:
    hood = neighbourhood(projection, BKE + "bortezomib", max_nodes=20)
    assert hood.graph.number_of_nodes() == 21 and BKE + "bortezomib" in hood.graph
    assert hood.reachable == nx.Graph(projection).degree(BKE + "bortezomib")
    assert hood.left_out == hood.reachable - 20
    labels = {d["label"] for _, _, d in hood.graph.edges(BKE + "bortezomib", data=True)}
    assert {"treats", "has adverse effect", "member of drug class"} <= labels
    assert set(hood.distance.values()) == {0, 1}
    again = neighbourhood(projection, BKE + "bortezomib", max_nodes=20)
    assert list(again.graph.nodes) == list(hood.graph.nodes)


def test_neighbourhood_depth_two_stays_connected(projection) -> None:
    hood = neighbourhood(projection, BKE + "pregabalin", depth=2, max_nodes=15)
    assert hood.graph.number_of_nodes() == 16 and hood.left_out > 0
    assert nx.is_weakly_connected(hood.graph)
    assert max(hood.distance.values()) == 2
    with pytest.raises(ValueError):
        neighbourhood(projection, BKE + "pregabalin", depth=0)


# --------------------------------------------------------------------------- figures


def test_network_stats(projection) -> None:
    figures = network_stats(projection, top=5)
    assert figures.components >= 1 and 0 < figures.largest_component <= figures.nodes
    assert figures.nodes == projection.number_of_nodes() and figures.edges == projection.number_of_edges()
    assert sum(figures.nodes_per_kind.values()) == figures.nodes
    assert len(figures.top_degree) == len(figures.top_betweenness) == 5
    assert figures.top_degree[0].node.curie == "bke:bortezomib"
    assert all(r.node.label and not r.node.label.startswith("http") for r in figures.top_betweenness)
    assert figures.betweenness_samples is None
    sampled = network_stats(projection, top=3, exact_up_to=100, samples=50)
    assert sampled.betweenness_samples == 50 and sampled.top_betweenness[0].value > 0


def test_graphml_round_trip(projection, tmp_path: Path) -> None:
    data = graphml_bytes(projection)
    root = ET.fromstring(data)  # well-formed XML
    ids = [e.get("id") for e in root.iter() if e.tag.endswith("}node") or e.tag.endswith("}edge")]
    assert len(ids) == len(set(ids)), "GraphML ids must be unique"
    assert all(re.fullmatch(r"[\w.:-]+", i) for i in ids), "GraphML ids must be name tokens"
    path = tmp_path / "kg.graphml"
    path.write_bytes(data)
    loaded = nx.read_graphml(path)
    assert loaded.number_of_nodes() == projection.number_of_nodes()
    assert loaded.number_of_edges() == projection.number_of_edges()
    node = loaded.nodes["bke:pregabalin"]
    assert node["label"] == "pregabalin" and node["kind"] == "drug or chemical"
    assert node["iri"] == BKE + "pregabalin" and node["classes"] == "drug"
    edge_labels = {d["label"] for _, _, d in loaded.edges("bke:pregabalin", data=True)}
    assert "treats" in edge_labels


def test_draw_neighbourhood_writes_a_readable_png(projection, tmp_path: Path) -> None:
    out = tmp_path / "bortezomib.png"
    draw_neighbourhood(neighbourhood(projection, BKE + "bortezomib"), out)
    data = out.read_bytes()
    assert png_size(data) == (1600, 1200)
    assert len(data) > 50_000  # labels, edges and a legend, not an empty canvas


# --------------------------------------------------------------------------- command line


def test_cli_paths_human_and_json() -> None:
    result = run("paths", "bortezomib", "apoptosis", "--max", "2")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("2 paths from bortezomib (bke:bortezomib) to apoptosis (bke:apoptosis)")
    assert "<-[step subject]-  monograph: mechanism step 5" in text and "[mechanism step]" in text
    data = json.loads(run("paths", "intravenous", "pregabalin", "--format", "json").stdout)
    assert data["source"]["curie"] == "bkg:route-intravenous" and data["target"]["curie"] == "bke:pregabalin"
    hop = data["paths"][0]["hops"][0]
    assert hop["relations"][0]["direction"] == "backward" and hop["relations"][0]["predicate"] == "bkg:fromRoute"


@pytest.mark.parametrize("args,code,message", [
    (("paths", "bortezomb", "apoptosis"), 2, "did you mean 'bortezomib'"),
    (("paths", "bortezomib", "Bortezomib"), 2, "both ends are the same node (bke:bortezomib)"),
    (("paths", "bortezomib", "apoptosis", "--max-hops", "2"), 1, "the shortest has 3 hops); raise --max-hops"),
    (("paths", "bortezomib", "bks:fasciculation-answer"), 2, "is not part of the network view"),
    (("neighbors", "pregabalinn"), 2, "did you mean 'pregabalin'"),
])
def test_cli_network_errors(args: tuple[str, ...], code: int, message: str) -> None:
    result = run(*args)
    assert result.exit_code == code and result.stdout == ""
    assert message in result.stderr


def test_cli_neighbors() -> None:
    human = run("neighbors", "pregabalin")
    assert human.exit_code == 0
    assert human.stdout.startswith("pregabalin  (bke:pregabalin)  [drug]: 5 neighbours")
    assert "-[treats]->  bortezomib-induced peripheral neuropathy  (bke:bipn)" in human.stdout
    data = json.loads(run("neighbors", "CHEBI:64356", "--format", "json").stdout)
    assert data["node"]["curie"] == "bke:pregabalin" and len(data["neighbours"]) == 5


def test_cli_stats_network() -> None:
    human = run("stats", "--network")
    assert human.exit_code == 0, human.stderr
    assert re.search(r"connected components: \d+ \(largest: \d+ nodes\)", human.stdout)
    assert "bortezomib  (bke:bortezomib)" in human.stdout
    data = json.loads(run("stats", "--network", "--format", "json").stdout)
    assert data["components"] >= 1 and data["largest_component"] <= data["nodes"]
    assert all(row["label"] for row in data["top_degree"] + data["top_betweenness"])


def test_cli_export_graphml(tmp_path: Path, projection) -> None:
    out = tmp_path / "kg.graphml"
    result = run("export", "--format", "graphml", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert nx.read_graphml(out).number_of_edges() == projection.number_of_edges()
    to_stdout = run("export", "--format", "graphml")
    assert to_stdout.stdout.startswith("<?xml") and "<graphml" in to_stdout.stdout
    unknown = run("export", "--format", "gml")
    assert unknown.exit_code == 2 and "jsonld, xml, graphml" in unknown.stderr


def test_cli_draw(tmp_path: Path) -> None:
    out = tmp_path / "pregabalin.png"
    result = run("draw", "pregabalin", "-o", str(out), "--depth", "2", "--max-nodes", "12")
    assert result.exit_code == 0 and result.stdout == ""
    assert "12 of" in result.stderr and "left out" in result.stderr
    assert png_size(out.read_bytes()) == (2000, 1500)
    for args, message in (
        (("draw", "pregabalin", "-o", str(tmp_path / "p.jpg")), "give a file name ending in .png"),
        (("draw", "pregabalin", "-o", str(tmp_path / "no" / "p.png")), "does not exist"),
        (("draw", "pregabalinn", "-o", str(out)), "did you mean 'pregabalin'"),
    ):
        failed = run(*args)
        assert failed.exit_code == 2 and message in failed.stderr


def test_query_path_imports_no_network_or_drawing_library(tmp_path: Path) -> None:
    query = tmp_path / "ask.rq"
    query.write_text("ASK { ?s ?p ?o }")
    script = (
        "import sys\nfrom bortekg.cli import main\n"
        f"try:\n    main(['query', {str(query)!r}])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('networkx', 'matplotlib') if m in sys.modules))\n"
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert completed.stdout.splitlines() == ["true", "[]"]
