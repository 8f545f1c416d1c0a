"""Network commands: paths, neighbors, draw (and the network figures of ``stats --network``).

networkx and matplotlib are imported inside the commands, never on the query path.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from bortekg.cli import EXIT_VIOLATIONS, check_output_path, fail, main, open_graph

_FORMAT = click.Choice(["human", "json"])


def _network_nodes(ctx: click.Context, *terms: str):
    """The projection and the node each term names; exit 2 on a term it cannot use."""
    from bortekg.network import NotInNetworkError, project, require_node
    from bortekg.terms import AmbiguousTermError, NameIndex, UnknownTermError, lookup

    kg = open_graph(ctx)
    projection = project(kg)
    index = NameIndex.build(kg)
    nodes = []
    for term in terms:
        try:
            found = lookup(kg, term, index)
            require_node(projection, found.iri)
        except (UnknownTermError, AmbiguousTermError, NotInNetworkError) as error:
            fail(str(error))
        note = found.note(term)
        if note:
            click.echo(f"bortekg: note: {note}", err=True)
        nodes.append(found.iri)
    return projection, nodes


def _node_text(node) -> str:
    classes = ", ".join(node.classes) or node.kind
    return f"{node.label}  ({node.curie})  [{classes}]"


def _arrow(label: str, forward: bool) -> str:
    return f"-[{label}]->" if forward else f"<-[{label}]-"


# --------------------------------------------------------------------------- paths


@main.command()
@click.argument("source", metavar="A")
@click.argument("target", metavar="B")
@click.option("--max", "max_paths", type=click.IntRange(min=1), default=3, show_default=True,
              help="How many paths to show.")
@click.option("--max-hops", type=click.IntRange(min=1), default=8, show_default=True,
              help="The longest path to consider, in hops.")
@click.option("--format", "fmt", type=_FORMAT, default="human", show_default=True)
@click.pass_context
def paths(ctx: click.Context, source: str, target: str, max_paths: int, max_hops: int, fmt: str) -> None:
    """The shortest meaningful paths between A and B (labels, synonyms, CURIEs or IRIs).

    Paths run over the network view (entities, claims, claim parts, values; no provenance or
    meta edges); each hop shows its predicate and its true direction. A value such as a route
    may start or end a path but is never a step inside one, and a step through a node with
    many links costs more, so paths through specific nodes come first. Exit 1 when no path
    fits within --max-hops.
    """
    from bortekg.network import NoPathError, find_paths, node_info

    projection, (a, b) = _network_nodes(ctx, source, target)
    try:
        found = find_paths(projection, a, b, max_paths=max_paths, max_hops=max_hops)
    except ValueError as error:
        fail(str(error))
    except NoPathError as error:
        fail(f"{error}; raise --max-hops to look further", EXIT_VIOLATIONS)
    if fmt == "json":
        document = {
            "source": asdict(node_info(projection, a)),
            "target": asdict(node_info(projection, b)),
            "paths": [p.as_dict() for p in found],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    first, last = found[0].nodes[0], found[0].nodes[-1]
    count = f"{len(found)} path{'s' if len(found) != 1 else ''}"
    lines = [f"{count} from {first.label} ({first.curie}) to {last.label} ({last.curie}), most specific first"]
    for number, path in enumerate(found, 1):
        lines += ["", f"path {number} ({len(path.hops)} hop{'s' if len(path.hops) != 1 else ''})",
                  f"  {_node_text(path.nodes[0])}"]
        for hop in path.hops:
            arrows = " ".join(_arrow(r.predicate_label, hop.forward(r)) for r in hop.relations)
            lines.append(f"    {arrows}  {_node_text(hop.target)}")
    click.echo("\n".join(lines))


# --------------------------------------------------------------------------- neighbors


@main.command()
@click.argument("term")
@click.option("--format", "fmt", type=_FORMAT, default="human", show_default=True)
@click.pass_context
def neighbors(ctx: click.Context, term: str, fmt: str) -> None:
    """TERM's neighbours in the network view, with each edge's predicate and direction."""
    from bortekg.network import neighbours, node_info

    projection, (iri,) = _network_nodes(ctx, term)
    node = node_info(projection, iri)
    found = neighbours(projection, iri)
    if fmt == "json":
        document = {"node": asdict(node), "neighbours": [n.as_dict() for n in found]}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    lines = [f"{_node_text(node)}: {len(found)} neighbour{'s' if len(found) != 1 else ''}"]
    lines += [
        f"  {_arrow(n.predicate_label, n.direction == 'outgoing')}  {_node_text(n.node)}" for n in found
    ]
    click.echo("\n".join(lines))


# --------------------------------------------------------------------------- draw


@main.command()
@click.argument("term")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The PNG file to write.")
@click.option("--depth", type=click.IntRange(min=1, max=3), default=1, show_default=True,
              help="How many hops around TERM to show.")
@click.option("--max-nodes", type=click.IntRange(min=1, max=60), default=20, show_default=True,
              help="The most nodes to show besides TERM; the picture says how many were left out.")
@click.pass_context
def draw(ctx: click.Context, term: str, output: Path, depth: int, max_nodes: int) -> None:
    """Draw TERM's neighbourhood as a PNG: labelled nodes coloured by kind, named edges, a legend."""
    if output.suffix.lower() != ".png":
        fail(f"cannot write {output}: the picture is a PNG, give a file name ending in .png")
    if not output.parent.is_dir():
        fail(f"cannot write {output}: folder {output.parent} does not exist")
    check_output_path(ctx, output)
    from bortekg.drawing import draw_neighbourhood
    from bortekg.network import neighbourhood
    from bortekg.outputs import OutputError, write_atomically
    from bortekg.progress import for_people

    progress = for_people()
    progress("building the network view")
    projection, (iri,) = _network_nodes(ctx, term)
    progress(f"choosing up to {max_nodes} nodes within {depth} hop{'s' if depth != 1 else ''}")
    hood = neighbourhood(projection, iri, depth=depth, max_nodes=max_nodes)
    progress("laying out and drawing the picture")
    try:
        write_atomically(output, lambda path: draw_neighbourhood(hood, path))
    except OutputError as error:
        fail(str(error))
    shown = hood.graph.number_of_nodes() - 1
    click.echo(f"wrote {output}: {shown} of {hood.reachable} nodes within {depth} hop"
               f"{'s' if depth != 1 else ''}, {hood.left_out} left out", err=True)


# --------------------------------------------------------------------------- stats --network


def show_network_stats(ctx: click.Context, fmt: str) -> None:
    """The network figures of ``bortekg stats --network``."""
    from bortekg.network import network_stats, project

    figures = network_stats(project(open_graph(ctx)))
    if fmt == "json":
        click.echo(json.dumps(figures.as_dict(), indent=2, ensure_ascii=False))
        return
    lines = [
        f"network view: {figures.nodes} nodes, {figures.edges} edges",
        f"connected components: {figures.components} (largest: {figures.largest_component} nodes)",
        "",
        "nodes per kind:",
        *(f"  {count:5d}  {kind}" for kind, count in figures.nodes_per_kind.items()),
        "",
        "highest degree (neighbours):",
        *(f"  {r.value:5.0f}  {r.node.label}  ({r.node.curie})" for r in figures.top_degree),
        "",
        "highest betweenness" + (
            f" (estimated from {figures.betweenness_samples} sampled nodes):"
            if figures.betweenness_samples else ":"
        ),
        *(f"  {r.value:.4f}  {r.node.label}  ({r.node.curie})" for r in figures.top_betweenness),
    ]
    click.echo("\n".join(lines))
