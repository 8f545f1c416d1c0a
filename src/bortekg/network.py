"""The network view: a networkx projection of the graph, explanatory paths, neighbours,
centrality figures and GraphML.

The projection keeps what a clinical path can run through: biomedical entities, patient
cases, populations, studies, claims, claim parts and the value-set individuals that carry
meaning (routes, schedules, dose actions...). Its edges are the object-property triples
between them, each with its predicate and the predicate's label. Provenance and meta edges
(source documents, cited works, evidence kinds, mappings, types, schema triples) and the
value sets that would tie everything together (units, evidence kinds, mechanism relations)
are left out, so that a path reads as clinical reasoning and not as bookkeeping.

Paths are searched on the undirected view (a claim is a hub that links its drug to its
intervention whichever way the triples point) and reported with each hop's true direction.
Two rules keep them meaningful:

* a value-set individual may be where a path starts or ends, never a step in between:
  two claims that both say "recommended" or "examination finding" are not connected by it;
* every intermediate node costs log10(its degree) on top of the hop, so that among paths of
  similar length the one through specific nodes wins over the one through a hub (a node
  with 10 neighbours costs one extra hop, one with 100 neighbours two).
"""

from __future__ import annotations

import io
import math
from dataclasses import asdict, dataclass, field
from itertools import islice

import networkx as nx

from bortekg import namespaces as ns
from bortekg.store import KnowledgeGraph

__all__ = [
    "NetworkNode",
    "Relation",
    "Hop",
    "ExplanatoryPath",
    "Neighbour",
    "Neighbourhood",
    "Ranked",
    "NetworkStats",
    "NotInNetworkError",
    "NoPathError",
    "project",
    "node_info",
    "require_node",
    "find_paths",
    "neighbours",
    "neighbourhood",
    "network_stats",
    "graphml_bytes",
]

_PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX bkg: <https://w3id.org/bortekg/>
"""

_OBJECT_TRIPLES = _PREFIXES + """
SELECT DISTINCT ?s ?p ?o ?plabel WHERE {
  ?p rdf:type owl:ObjectProperty .
  ?s ?p ?o .
  FILTER(isIRI(?s) && isIRI(?o))
  OPTIONAL { ?p rdfs:label ?plabel }
}
"""

# Every typed individual of a bortekg class, with its label and its groups (see _KINDS).
_TYPED_NODES = _PREFIXES + """
SELECT DISTINCT ?x ?type ?typeLabel ?group ?label WHERE {
  ?x rdf:type ?type .
  ?type rdfs:subClassOf* ?group .
  FILTER(isIRI(?x) && STRSTARTS(STR(?type), "https://w3id.org/bortekg/"))
  OPTIONAL { ?type rdfs:label ?typeLabel }
  OPTIONAL { ?x rdfs:label ?label }
}
"""

_SUBCLASS_PAIRS = _PREFIXES + """
SELECT DISTINCT ?sub ?super WHERE {
  ?sub rdfs:subClassOf+ ?super .
  FILTER(isIRI(?sub) && isIRI(?super))
}
"""

#: Provenance and meta edges: true, but they say where a claim comes from, not what it says.
SKIPPED_PREDICATES = frozenset({
    ns.PROV + "wasDerivedFrom",
    ns.BKG + "evidenceKind",
    ns.BKG + "secondaryCitation",
    ns.BKG + "reportedIn",
    ns.BKG + "describedIn",
    ns.BKG + "documentKind",
})

#: Value sets left out: every claim has a unit or an evidence kind, and a mechanism
#: relation is the verb of a mechanism step, not a thing; as nodes they would link everything.
EXCLUDED_VALUE_SETS = frozenset({
    ns.BKG + "Unit",
    ns.BKG + "EvidenceKind",
    ns.BKG + "MechanismRelation",
})

_VALUE = "value set"

#: Yen's algorithm may yield paths longer than the hop limit before shorter, dearer ones; it
#: examines at most this many candidates per path asked for.
_CANDIDATES_PER_PATH = 20

#: Node kinds, most specific first: a node takes the first kind one of its classes falls under.
_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("claim", ("Claim",)),
    ("claim part", ("ClaimPart",)),
    (_VALUE, ("ValueSet",)),
    ("drug or chemical", ("ChemicalEntity",)),
    ("adverse effect", ("AdverseEffect",)),
    ("disease", ("Disease",)),
    ("clinical finding", ("ClinicalFinding",)),
    ("intervention", ("Intervention",)),
    ("risk factor", ("RiskFactor",)),
    ("target or process", ("MolecularTarget", "MacromolecularComplex", "BiologicalProcess")),
    ("anatomy or cell", ("AnatomicalStructure", "CellType")),
    ("case, population or study", ("PatientCase", "Population", "Study")),
    ("other entity", ("BiomedicalEntity",)),
)
_GROUP_KIND = {ns.BKG + cls: kind for kind, classes in _KINDS for cls in classes}

#: The kinds in legend order.
KINDS: tuple[str, ...] = tuple(kind for kind, _ in _KINDS)


class NotInNetworkError(LookupError):
    """The node exists in the graph but is not part of the network view."""

    def __init__(self, iri: str) -> None:
        self.iri = iri
        super().__init__(
            f"{ns.curie(iri)} is not part of the network view, which holds entities, claims, "
            "claim parts and value sets (not sources, classes, properties, units or evidence kinds)"
        )


class NoPathError(LookupError):
    """No path joins the two nodes (within the hop limit, when one is given)."""


@dataclass(frozen=True)
class NetworkNode:
    iri: str
    curie: str
    label: str
    kind: str
    classes: list[str]


@dataclass(frozen=True)
class Relation:
    """One triple of the graph as it is stored: subject, predicate, object."""

    subject: str
    predicate: str
    predicate_label: str
    object: str


@dataclass(frozen=True)
class Hop:
    """One step of a path, from ``source`` to ``target``, with every triple that joins them."""

    source: NetworkNode
    target: NetworkNode
    relations: list[Relation]

    def forward(self, relation: Relation) -> bool:
        """True when the triple points the way the path walks."""
        return relation.subject == self.source.iri


@dataclass(frozen=True)
class ExplanatoryPath:
    nodes: list[NetworkNode]
    hops: list[Hop]
    cost: float

    def as_dict(self) -> dict:
        return {
            "length": len(self.hops),
            "cost": round(self.cost, 3),
            "nodes": [asdict(n) for n in self.nodes],
            "hops": [
                {
                    "from": hop.source.curie,
                    "to": hop.target.curie,
                    "relations": [
                        {
                            "subject": ns.curie(r.subject),
                            "predicate": ns.curie(r.predicate),
                            "predicate_label": r.predicate_label,
                            "object": ns.curie(r.object),
                            "direction": "forward" if hop.forward(r) else "backward",
                        }
                        for r in hop.relations
                    ],
                }
                for hop in self.hops
            ],
        }


@dataclass(frozen=True)
class Neighbour:
    node: NetworkNode
    predicate: str
    predicate_label: str
    direction: str  # "outgoing": the term is the subject; "incoming": it is the object

    def as_dict(self) -> dict:
        return {
            "direction": self.direction,
            "predicate": ns.curie(self.predicate),
            "predicate_label": self.predicate_label,
            "node": asdict(self.node),
        }


@dataclass(frozen=True)
class Neighbourhood:
    """The nodes chosen to show around a centre, and how many reachable ones were left out."""

    centre: str
    depth: int
    graph: nx.MultiDiGraph
    distance: dict[str, int]
    reachable: int

    @property
    def left_out(self) -> int:
        return self.reachable - (self.graph.number_of_nodes() - 1)


@dataclass(frozen=True)
class Ranked:
    node: NetworkNode
    value: float


@dataclass
class NetworkStats:
    nodes: int
    edges: int
    components: int
    largest_component: int
    nodes_per_kind: dict[str, int]
    top_degree: list[Ranked] = field(default_factory=list)
    top_betweenness: list[Ranked] = field(default_factory=list)
    betweenness_samples: int | None = None

    def as_dict(self) -> dict:
        def rows(items: list[Ranked]) -> list[dict]:
            return [{**asdict(r.node), "value": r.value} for r in items]

        return {
            "nodes": self.nodes,
            "edges": self.edges,
            "components": self.components,
            "largest_component": self.largest_component,
            "nodes_per_kind": self.nodes_per_kind,
            "top_degree": rows(self.top_degree),
            "top_betweenness": rows(self.top_betweenness),
            "betweenness_samples": self.betweenness_samples,
        }


# --------------------------------------------------------------------------- projection


def _node_table(kg: KnowledgeGraph, *, with_inferred: bool) -> dict[str, dict]:
    """Label, kind and most specific class labels of every node that may enter the network."""
    superclasses: dict[str, set[str]] = {}
    for row in kg.query(_SUBCLASS_PAIRS, with_inferred=with_inferred):
        superclasses.setdefault(row["sub"].value, set()).add(row["super"].value)

    found: dict[str, dict] = {}
    for row in kg.query(_TYPED_NODES, with_inferred=with_inferred):
        node = found.setdefault(row["x"].value, {"label": None, "types": {}, "groups": set()})
        node["groups"].add(row["group"].value)
        type_iri = row["type"].value
        node["types"][type_iri] = row["typeLabel"].value if row["typeLabel"] else ns.curie(type_iri)
        if row["label"] is not None and node["label"] is None:
            node["label"] = row["label"].value

    table: dict[str, dict] = {}
    for iri, node in found.items():
        if node["groups"] & EXCLUDED_VALUE_SETS:
            continue
        # _GROUP_KIND runs from the most specific kind to the most general
        kind = next((k for group, k in _GROUP_KIND.items() if group in node["groups"]), None)
        if kind is None:
            continue
        types = node["types"]
        specific = [t for t in types if not any(t in superclasses.get(o, ()) for o in types)]
        table[iri] = {
            "label": node["label"] or ns.curie(iri),
            "curie": ns.curie(iri),
            "kind": kind,
            "classes": tuple(sorted(types[t] for t in specific)),
        }
    return table


def project(kg: KnowledgeGraph, *, with_inferred: bool = True) -> nx.MultiDiGraph:
    """The network view of the graph: one node per entity, claim, claim part or value, one
    edge per object-property triple between them (key: the predicate's CURIE).

    Node attributes: ``label``, ``curie``, ``kind`` and ``classes`` (the labels of its most
    specific classes). Edge attributes: ``predicate`` (IRI) and ``label`` (its label).
    """
    nodes = _node_table(kg, with_inferred=with_inferred)
    graph = nx.MultiDiGraph()
    for row in kg.query(_OBJECT_TRIPLES, with_inferred=with_inferred):
        s, p, o = row["s"].value, row["p"].value, row["o"].value
        if p in SKIPPED_PREDICATES or s not in nodes or o not in nodes or s == o:
            continue
        label = row["plabel"].value if row["plabel"] is not None else ns.curie(p)
        for node in (s, o):
            if node not in graph:
                graph.add_node(node, **nodes[node])
        graph.add_edge(s, o, key=ns.curie(p), predicate=p, label=label)
    return graph


def node_info(projection: nx.MultiDiGraph, iri: str) -> NetworkNode:
    data = projection.nodes[iri]
    return NetworkNode(iri, data["curie"], data["label"], data["kind"], list(data["classes"]))


def require_node(projection: nx.MultiDiGraph, iri: str) -> None:
    """Raise NotInNetworkError unless the node is part of the projection."""
    if iri not in projection:
        raise NotInNetworkError(iri)


# --------------------------------------------------------------------------- paths


def _search_graph(projection: nx.MultiDiGraph) -> nx.Graph:
    """The undirected view: one edge per joined pair, holding every triple between them and
    the cost of the step (see the module docstring)."""
    graph = nx.Graph()
    graph.add_nodes_from(projection.nodes(data=True))
    for s, o, data in projection.edges(data=True):
        if not graph.has_edge(s, o):
            graph.add_edge(s, o, relations=[])
        graph.edges[s, o]["relations"].append(Relation(s, data["predicate"], data["label"], o))
    for u, v, data in graph.edges(data=True):
        data["cost"] = 1.0 + (math.log10(graph.degree(u)) + math.log10(graph.degree(v))) / 2
    return graph


def _passable(graph: nx.Graph, source: str, target: str) -> nx.Graph:
    """The graph a path between source and target may use: value sets are where a path may
    start or end, never a step in between."""
    return nx.subgraph_view(
        graph,
        filter_node=lambda n: n in (source, target) or graph.nodes[n]["kind"] != _VALUE,
    )


def _walks(
    graph: nx.Graph, source: str, target: str, max_hops: int, max_paths: int
) -> list[tuple[list[str], float]]:
    """Up to ``max_paths`` simple paths of at most ``max_hops`` hops, cheapest first."""
    # A node can lie on a path of at most max_hops hops only if its distances to both ends add
    # up to no more than that: searching that part of the graph alone keeps the search small.
    near_source = nx.single_source_shortest_path_length(graph, source, cutoff=max_hops)
    near_target = nx.single_source_shortest_path_length(graph, target, cutoff=max_hops)
    within = {n for n, d in near_source.items() if d + near_target.get(n, max_hops + 1) <= max_hops}
    if target not in within:
        return []
    region = graph.subgraph(within)
    # Yen's algorithm yields paths in order of cost, and no path of max_hops hops costs more
    # than max_hops of the dearest steps: past that bound, no later path can be short enough.
    bound = max_hops * max(cost for _, _, cost in region.edges(data="cost")) + 1e-9
    found: list[tuple[list[str], float]] = []
    candidates = nx.shortest_simple_paths(region, source, target, weight="cost")
    for path in islice(candidates, _CANDIDATES_PER_PATH * max_paths):
        cost = nx.path_weight(region, path, weight="cost")
        if cost > bound:
            break
        if len(path) - 1 <= max_hops:
            found.append((path, cost))
            if len(found) == max_paths:
                break
    return found


def find_paths(
    projection: nx.MultiDiGraph, source: str, target: str, *, max_paths: int = 3, max_hops: int = 8
) -> list[ExplanatoryPath]:
    """The ``max_paths`` most meaningful simple paths of at most ``max_hops`` hops between two
    nodes, cheapest first (see the module docstring for the cost).

    Raises NotInNetworkError for a node outside the projection, ValueError when both ends are
    the same node or a limit is below 1, and NoPathError when no path fits the limit.
    """
    if max_paths < 1 or max_hops < 1:
        raise ValueError("the number of paths and the hop limit must be at least 1")
    for node in (source, target):
        require_node(projection, node)
    if source == target:
        raise ValueError(f"both ends are the same node ({ns.curie(source)}): give two different terms")
    graph = _passable(_search_graph(projection), source, target)
    if not nx.has_path(graph, source, target):
        raise NoPathError(f"no path joins {ns.curie(source)} and {ns.curie(target)}")
    found = _walks(graph, source, target, max_hops, max_paths)
    if not found:
        shortest = nx.shortest_path_length(graph, source, target)
        raise NoPathError(
            f"no path of at most {max_hops} hops joins {ns.curie(source)} and {ns.curie(target)} "
            f"(the shortest has {shortest} hops)"
        )
    result = []
    for path, cost in found:
        nodes = [node_info(projection, n) for n in path]
        hops = [
            Hop(a, b, sorted(graph.edges[a.iri, b.iri]["relations"], key=lambda r: r.predicate_label))
            for a, b in zip(nodes, nodes[1:])
        ]
        result.append(ExplanatoryPath(nodes, hops, cost))
    return result


# --------------------------------------------------------------------------- neighbours


def neighbours(projection: nx.MultiDiGraph, iri: str) -> list[Neighbour]:
    """Every edge of a node: outgoing ones (the node is the subject) first, then incoming."""
    require_node(projection, iri)
    result = [
        Neighbour(node_info(projection, o), data["predicate"], data["label"], "outgoing")
        for _, o, data in projection.out_edges(iri, data=True)
    ]
    result += [
        Neighbour(node_info(projection, s), data["predicate"], data["label"], "incoming")
        for s, _, data in projection.in_edges(iri, data=True)
    ]
    order = {"outgoing": 0, "incoming": 1}
    return sorted(result, key=lambda n: (order[n.direction], n.predicate_label, n.node.label))


def _relations_to(projection: nx.MultiDiGraph, node: str, others: set[str]) -> set[tuple[str, str]]:
    """How a node is linked to any of ``others``: (direction, predicate label) pairs."""
    links = {("incoming", d["label"]) for s, _, d in projection.in_edges(node, data=True) if s in others}
    links |= {("outgoing", d["label"]) for _, o, d in projection.out_edges(node, data=True) if o in others}
    return links


def neighbourhood(
    projection: nx.MultiDiGraph, iri: str, *, depth: int = 1, max_nodes: int = 20
) -> Neighbourhood:
    """The nodes to show around ``iri``: up to ``max_nodes`` within ``depth`` hops, nearest
    first. Nodes at the same distance are grouped by the relation that links them to the
    nearer nodes, and taken from the groups in turn, so that every kind of relation shows
    (a drug's diseases, adverse effects, targets and claims, not twenty claims); within a
    group, nodes linked to more of the nodes already chosen come first, then the better
    connected ones. Each chosen node touches one chosen nearer, so the picture stays connected.
    """
    require_node(projection, iri)
    if depth < 1 or max_nodes < 1:
        raise ValueError("the depth and the number of nodes must be at least 1")
    undirected = projection.to_undirected(as_view=True)
    reachable = nx.single_source_shortest_path_length(undirected, iri, cutoff=depth)
    chosen = {iri: 0}
    for distance in range(1, depth + 1):
        nearer = {c for c, d in chosen.items() if d == distance - 1}
        candidates = {n for c in nearer for n in undirected.neighbors(c) if n not in chosen}
        groups: dict[tuple[str, str], set[str]] = {}
        for node in candidates:
            for relation in _relations_to(projection, node, nearer):
                groups.setdefault(relation, set()).add(node)
        # the most common relations first, so that they keep their turn when space runs out
        turns = sorted(groups, key=lambda g: (-len(groups[g]), g))
        while len(chosen) <= max_nodes and any(groups[g] - chosen.keys() for g in turns):
            for group in turns:
                left = groups[group] - chosen.keys()
                if not left or len(chosen) > max_nodes:
                    continue
                best = min(left, key=lambda n: (
                    -sum(1 for m in undirected.neighbors(n) if m in chosen),
                    -undirected.degree(n),
                    projection.nodes[n]["label"],
                ))
                chosen[best] = distance
    # a graph built in a fixed order, so that the same term always gives the same picture
    subgraph = nx.MultiDiGraph()
    subgraph.add_nodes_from((n, projection.nodes[n]) for n in chosen)
    subgraph.add_edges_from(sorted(
        (s, o, key, data) for s, o, key, data in projection.edges(chosen, keys=True, data=True)
        if o in chosen
    ))
    return Neighbourhood(iri, depth, subgraph, chosen, len(reachable) - 1)


# --------------------------------------------------------------------------- figures


def network_stats(
    projection: nx.MultiDiGraph, *, top: int = 10, exact_up_to: int = 1000, samples: int = 200
) -> NetworkStats:
    """Size, components and the most central nodes (degree and betweenness) of the projection.

    Betweenness is exact up to ``exact_up_to`` nodes and estimated from ``samples`` source
    nodes (fixed seed, so the figures repeat) above that.
    """
    graph = nx.Graph(projection.to_undirected(as_view=True))
    components = list(nx.connected_components(graph))
    k = samples if graph.number_of_nodes() > exact_up_to else None
    betweenness = nx.betweenness_centrality(graph, k=k, seed=0 if k else None)

    def ranked(values: dict[str, float]) -> list[Ranked]:
        best = sorted(values.items(), key=lambda kv: (-kv[1], projection.nodes[kv[0]]["label"]))
        return [Ranked(node_info(projection, n), round(v, 6)) for n, v in best[:top]]

    kinds: dict[str, int] = {}
    for _, kind in projection.nodes(data="kind"):
        kinds[kind] = kinds.get(kind, 0) + 1
    return NetworkStats(
        nodes=projection.number_of_nodes(),
        edges=projection.number_of_edges(),
        components=len(components),
        largest_component=max((len(c) for c in components), default=0),
        nodes_per_kind={kind: kinds[kind] for kind in KINDS if kind in kinds},
        top_degree=ranked(dict(graph.degree())),
        top_betweenness=ranked(betweenness),
        betweenness_samples=k,
    )


def graphml_bytes(projection: nx.MultiDiGraph) -> bytes:
    """The projection as GraphML (Cytoscape, Gephi). Node ids are CURIEs and edge ids are
    numbered, as GraphML wants ids without slashes or spaces; nodes carry ``label``, ``iri``,
    ``curie``, ``kind`` and ``classes`` (joined with "; "); edges carry ``label`` (the predicate's label),
    ``predicate`` (its IRI) and ``predicate_curie``."""
    document = nx.MultiDiGraph()
    for iri, data in sorted(projection.nodes(data=True)):
        document.add_node(data["curie"], iri=iri, **{**data, "classes": "; ".join(data["classes"])})
    edges = sorted((s, o, key, data) for s, o, key, data in projection.edges(keys=True, data=True))
    for number, (s, o, key, data) in enumerate(edges):
        document.add_edge(
            projection.nodes[s]["curie"], projection.nodes[o]["curie"], key=f"e{number}",
            label=data["label"], predicate=data["predicate"], predicate_curie=key,
        )
    buffer = io.BytesIO()
    nx.write_graphml(document, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()
