"""Draw the neighbourhood of a node as a picture people can read (matplotlib, Agg backend).

Nodes are labelled boxes coloured by kind, placed on rings around the centre (one ring per
hop, each node near the node that brought it in); edges are arrows in their true direction,
named by their predicate; a legend names the colours and the title says how many nodes
were left out.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from bortekg import namespaces as ns  # noqa: E402
from bortekg.network import KINDS, Neighbourhood  # noqa: E402

__all__ = ["KIND_COLOURS", "draw_neighbourhood"]

#: Fills from ColorBrewer's Set3 (distinct hues that keep black text readable), one per node
#: kind (see bortekg.network.KINDS).
KIND_COLOURS: dict[str, str] = dict(zip(KINDS, (
    "#d9d9d9",  # claim
    "#f0f0f0",  # claim part
    "#ffffb3",  # value set
    "#80b1d3",  # drug or chemical
    "#fb8072",  # adverse effect
    "#fccde5",  # disease
    "#fdb462",  # clinical finding
    "#b3de69",  # intervention
    "#bc80bd",  # risk factor
    "#bebada",  # target or process
    "#e5d8bd",  # anatomy or cell
    "#8dd3c7",  # case, population or study
    "#ffffff",  # other entity
)))

_WRAP = 22        # characters per label line
_MAX_LINES = 4    # label lines before the label is cut
_DPI = 100
_WIDTH = 1.7      # horizontal over vertical radius of the rings
_STAGGER = 0.14   # extra radius of every other node of a ring
_PER_RING = 22    # labels the first ring of a 16 x 12 inch page holds


def _wrapped(label: str) -> str:
    lines = textwrap.wrap(label, _WRAP, break_long_words=True) or [label]
    if len(lines) > _MAX_LINES:
        lines = lines[:_MAX_LINES]
        lines[-1] = lines[-1][: _WRAP - 1].rstrip() + "…"
    return "\n".join(lines)


def _tree(hood: Neighbourhood) -> dict[str, list[str]]:
    """Each shown node's children: the nodes one ring further out that hang from it (a node
    linked to several nearer nodes hangs from the one with the fewest children so far)."""
    graph = hood.graph.to_undirected(as_view=True)
    children: dict[str, list[str]] = {n: [] for n in hood.graph}
    by_ring = sorted(hood.distance, key=lambda n: (hood.distance[n], hood.graph.nodes[n]["label"]))
    for node in by_ring:
        if node == hood.centre:
            continue
        parents = [m for m in graph.neighbors(node) if hood.distance[m] == hood.distance[node] - 1]
        parent = min(parents, key=lambda m: (len(children[m]), hood.graph.nodes[m]["label"]))
        children[parent].append(node)
    return children


def _first_ring_order(hood: Neighbourhood, ring: list[str]) -> list[str]:
    """The first ring in an order that keeps linked nodes side by side: reverse Cuthill-McKee
    keeps every edge of a linear order short, and so every chord of the ring. It runs on the
    nodes' ranks in sorted order, because ties among strings break in hash order, which varies
    from run to run, and among small integers they do not."""
    nodes = sorted(ring)
    rank = {node: i for i, node in enumerate(nodes)}
    links = nx.Graph()
    links.add_nodes_from(range(len(nodes)))
    links.add_edges_from((rank[s], rank[o]) for s, o in hood.graph.edges() if s in rank and o in rank)
    return [nodes[i] for i in nx.utils.reverse_cuthill_mckee_ordering(links)]


def _positions(hood: Neighbourhood) -> dict[str, tuple[float, float]]:
    """A radial tree: rings around the centre, one per hop, wider than tall to fit the page;
    each node owns a sector of the circle in proportion to the nodes that hang from it (and to
    the room it needs itself), and its children share that sector. Every other node of a ring sits a little further out, so that
    neighbouring labels do not run into each other."""
    children = _tree(hood)
    # an inner ring is shorter, so a node there needs a wider angle for the same room
    weight: dict[str, float] = {}
    for node in sorted(hood.distance, key=lambda n: -hood.distance[n]):
        room = hood.depth / max(hood.distance[node], 1)
        weight[node] = max(room, sum(weight[c] for c in children[node]))
    for kids in children.values():
        kids.sort(key=lambda n: (KINDS.index(hood.graph.nodes[n]["kind"]), hood.graph.nodes[n]["label"]))
    children[hood.centre] = _first_ring_order(hood, children[hood.centre])

    turn: dict[str, float] = {}  # clockwise from the top, in turns (0 to 1)
    sectors = [(hood.centre, 0.0, 1.0)]
    while sectors:
        node, start, end = sectors.pop()
        turn[node] = (start + end) / 2
        unit = (end - start) / max(1, sum(weight[c] for c in children[node]))
        for child in children[node]:
            share = unit * weight[child]
            sectors.append((child, start, start + share))
            start += share

    position = {hood.centre: (0.0, 0.0)}
    for distance in range(1, hood.depth + 1):
        ring = sorted((n for n, d in hood.distance.items() if d == distance), key=turn.__getitem__)
        for i, node in enumerate(ring):
            radius = distance + (_STAGGER if i % 2 else 0.0)
            theta = math.pi / 2 - 2 * math.pi * turn[node]
            position[node] = (_WIDTH * radius * math.cos(theta), radius * math.sin(theta))
    return position


def _upright(degrees: float) -> float:
    """An angle in (-90, 90] so that text along an edge never reads upside down."""
    degrees = (degrees + 180) % 360 - 180
    if degrees > 90:
        return degrees - 180
    if degrees <= -90:
        return degrees + 180
    return degrees


def _bend(hood: Neighbourhood, s: str, o: str, both_ways: bool, ends: np.ndarray, centre: np.ndarray) -> float:
    """The arc3 curvature of an edge: straight for a spoke, bowed outwards for a chord between
    nodes at the same distance (so it does not cross the middle), and bowed to one side each
    when the pair has edges both ways."""
    if both_ways:
        return 0.15
    if hood.distance[s] != hood.distance[o]:
        return 0.0
    (x1, y1), (x2, y2) = ends
    bulge = np.array([y2 - y1, x1 - x2])  # the side arc3 bows to for a positive curvature
    return 0.25 if bulge @ (ends.mean(axis=0) - centre) >= 0 else -0.25


def _along(ends: np.ndarray, rad: float, t: float) -> tuple[np.ndarray, float]:
    """The point at ``t`` on matplotlib's arc3 curve between two display points, and the angle
    of the curve there in degrees."""
    start, end = ends
    (dx, dy) = end - start
    control = (start + end) / 2 + rad * np.array([dy, -dx])
    point = (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t ** 2 * end
    tangent = 2 * (1 - t) * (control - start) + 2 * t * (end - control)
    return point, math.degrees(math.atan2(tangent[1], tangent[0]))


def draw_neighbourhood(hood: Neighbourhood, output: Path) -> None:
    """Render the neighbourhood to a PNG file."""
    graph = hood.graph
    position = _positions(hood)
    rings = max(hood.distance.values())
    # A page holds _PER_RING labels on the first ring and proportionally more further out;
    # a crowded ring gets a larger page (the text keeps its size).
    crowding = max(
        sum(1 for d in hood.distance.values() if d == ring) / (_PER_RING * ring) for ring in range(1, rings + 1)
    )
    scale = max(1.0, crowding)
    width = (16 + 4 * (rings - 1)) * scale
    height = (12 + 3 * (rings - 1)) * scale
    figure, ax = plt.subplots(figsize=(width, height), dpi=_DPI)
    ax.set_axis_off()
    outer = rings + _STAGGER
    ax.set_xlim(-_WIDTH * outer - 0.5, _WIDTH * outer + 0.5)
    ax.set_ylim(-outer - 0.25, outer + 0.25)

    boxes = {}
    for node, data in graph.nodes(data=True):
        centre = node == hood.centre
        boxes[node] = ax.text(
            *position[node], _wrapped(data["label"]),
            ha="center", va="center", zorder=3,
            fontsize=11 if centre else 8, fontweight="bold" if centre else "normal",
            bbox={
                "boxstyle": "round,pad=0.35",
                "facecolor": KIND_COLOURS[data["kind"]],
                "edgecolor": "#222222" if centre else "#777777",
                "linewidth": 2.0 if centre else 0.8,
            },
        )

    data = graph.nodes[hood.centre]
    shown = graph.number_of_nodes() - 1
    hops = "1 hop" if hood.depth == 1 else f"{hood.depth} hops"
    ax.set_title(
        f"{data['label']} ({ns.curie(hood.centre)}): its neighbourhood within {hops}",
        fontsize=14, fontweight="bold", loc="left",
    )
    note = f"{shown} of {hood.reachable} nodes shown"
    if hood.left_out:
        note += (f"; {hood.left_out} left out (shown: some of each relation, "
                 "the best connected first)")
    note += ". Arrows point from subject to object and are named by their predicate."
    figure.text(0.01, 0.01, note, fontsize=9, color="#333333")
    kinds = [k for k in KINDS if any(kind == k for _, kind in graph.nodes(data="kind"))]
    ax.legend(
        handles=[Patch(facecolor=KIND_COLOURS[k], edgecolor="#777777", label=k) for k in kinds],
        loc="upper right", fontsize=9, title="node kind", title_fontsize=10, framealpha=0.9,
    )
    figure.tight_layout()
    # Text boxes have a size only once drawn, and the arrows are clipped to them; the layout is
    # final now, so display coordinates (in which arcs bend and text turns) stay valid.
    figure.canvas.draw()

    to_display, to_data = ax.transData.transform, ax.transData.inverted().transform
    middle = to_display(position[hood.centre])
    predicates: dict[tuple[str, str], list[str]] = {}
    for s, o, label in graph.edges(data="label"):
        predicates.setdefault((s, o), []).append(label)
    for (s, o), labels in predicates.items():
        ends = to_display(np.array([position[s], position[o]]))
        rad = _bend(hood, s, o, (o, s) in predicates, ends, middle)
        ax.annotate(
            "", xy=position[o], xytext=position[s], zorder=1,
            arrowprops={
                "arrowstyle": "-|>", "color": "#555555", "linewidth": 0.9, "mutation_scale": 12,
                "patchA": boxes[s].get_bbox_patch(), "patchB": boxes[o].get_bbox_patch(),
                "shrinkA": 2, "shrinkB": 2, "connectionstyle": f"arc3,rad={rad}",
            },
        )
        # on a spoke the label sits nearer the outer end, where spokes are further apart
        share = {1: 0.6, -1: 0.4}.get(hood.distance[o] - hood.distance[s], 0.5)
        point, angle = _along(ends, rad, share)
        x, y = to_data(point)
        ax.text(
            x, y, "; ".join(sorted(set(labels))), fontsize=7, color="#333333", zorder=2,
            ha="center", va="center", rotation=_upright(angle), rotation_mode="anchor",
            bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
        )

    figure.savefig(output, dpi=_DPI, format="png")
    plt.close(figure)
