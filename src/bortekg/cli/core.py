"""Core commands: stats, query, export, describe."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from bortekg import namespaces as ns
from bortekg.cli import check_output_path, fail, main, open_graph, write_output
from bortekg.cli.querying import endpoint_options, guarded, open_engine, timeout_option

# --------------------------------------------------------------------------- stats


@main.command()
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True)
@click.option("--network", is_flag=True,
              help="Network figures instead: components, most central nodes (degree, betweenness).")
@click.pass_context
def stats(ctx: click.Context, fmt: str, network: bool) -> None:
    """What the graph holds: triples, entities per class, claims per source and per kind."""
    if network:
        from bortekg.cli.network import show_network_stats

        show_network_stats(ctx, fmt)
        return
    from bortekg.stats import graph_stats

    summary = graph_stats(open_graph(ctx))
    if fmt == "json":
        click.echo(json.dumps(summary.as_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"triples: {summary.triples}")
    for graph, count in summary.triples_per_graph.items():
        click.echo(f"  {graph}: {count}")
    click.echo(f"claims: {summary.claims}")
    for title, items in (
        ("claims per source", summary.claims_per_source),
        ("claims per kind", summary.claims_per_kind),
        ("individuals per class", summary.entities_per_class),
    ):
        click.echo(f"\n{title}:")
        for item in items:
            click.echo(f"  {item.count:5d}  {item.label}  ({ns.curie(item.iri)})")
    caveats = ", ".join(f"{name} {count}" for name, count in summary.value_caveats.items()) or "none"
    click.echo(f"\nvalues to read with care (bortekg cq run value-caveats): {caveats}")
    click.echo(f"\nunverified mappings (not in the verified cross-reference table): {len(summary.unverified_mappings)}")
    for mapping in summary.unverified_mappings:
        click.echo(f"  {mapping.label} ({ns.curie(mapping.entity)}) -> {ns.curie(mapping.mapping)}")


# --------------------------------------------------------------------------- query


#: The longest query accepted (bytes), from a file or standard input.
MAX_QUERY_BYTES = 1024 * 1024


def _read_query(source: str) -> str:
    from bortekg.inputs import InputTooLargeError, read_bounded

    path = Path(source)
    if source != "-" and not path.exists():
        fail(f"query file not found: {source} (give a .rq file, or - to read standard input)")
    try:
        data = read_bounded(sys.stdin.buffer if source == "-" else path, MAX_QUERY_BYTES)
        return data.decode("utf-8")
    except InputTooLargeError as error:
        fail(f"{source}: {error}; a query is at most {MAX_QUERY_BYTES:,} bytes")
    except UnicodeDecodeError as error:
        fail(f"{source}: bytes that are not UTF-8 at byte {error.start}; save the query as UTF-8")
    except OSError as error:
        fail(f"cannot read {source}: {error.strerror or error}")


@main.command()
@click.argument("query_file", metavar="FILE|-")
@click.option(
    "--format",
    "fmt",
    default="table",
    show_default=True,
    help="table, csv, tsv, json or xml for SELECT/ASK; ttl, nt, jsonld or xml for CONSTRUCT/DESCRIBE.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.option("--wide", is_flag=True, help="Table cells in full, however wide the terminal.")
@timeout_option
@endpoint_options
@click.pass_context
def query(ctx: click.Context, query_file: str, fmt: str, output: Path | None, wide: bool, timeout: float,
          endpoint: str | None, user: str | None) -> None:
    """Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the graph.

    SERVICE, LOAD, updates and FROM clauses that name anything but the store's graphs are
    refused before the query runs.
    """
    from bortekg.engines import run_query
    from bortekg.results import ALL_FORMATS, format_results, terminal_width

    if fmt not in ALL_FORMATS:
        fail(f"unknown format {fmt!r}; choose one of: {', '.join(ALL_FORMATS)}")
    check_output_path(ctx, output)
    text = _read_query(query_file)
    engine = open_engine(ctx, endpoint, user, timeout)
    results = guarded(query_file, lambda: run_query(engine, text, timeout=timeout))
    # a table shown on the terminal fits its width; one written to a file keeps whole cells
    width = terminal_width(wide) if fmt == "table" and output is None else None
    data = guarded(query_file, lambda: format_results(results, fmt, width=width))
    write_output(data, output, ctx.obj.get("store"))


# --------------------------------------------------------------------------- export


#: Export formats of the network view (not RDF), for Cytoscape and Gephi.
NETWORK_FORMATS = ("graphml",)
#: Exchange formats of the field: a Biolink KGX graph (a folder of files), SSSOM mappings.
EXCHANGE_FORMATS = ("kgx", "sssom")
#: Where ``--format kgx`` writes without ``--out``.
DEFAULT_KGX_DIR = Path("bortekg-kgx")


@main.command()
@click.option(
    "--format",
    "fmt",
    default="ttl",
    show_default=True,
    help="ttl, nt, nq, trig, jsonld or xml (nq and trig keep the named graphs); "
    "graphml writes the network view for Cytoscape or Gephi; kgx a Biolink KGX graph (a folder); "
    "sssom the verified mappings.",
)
@click.option("-o", "--output", "--out", type=click.Path(path_type=Path),
              help="Write to a file (for kgx: a folder, default ./bortekg-kgx).")
@click.option("--with-inferred", is_flag=True, help="Include the inferred-triples graph.")
@click.option("--standard-iris", is_flag=True,
              help="Write each entity under its verified standard identifier (ChEBI, MONDO, HP, ...), "
                   "for federation; unverified mappings are left out.")
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None, with_inferred: bool, standard_iris: bool) -> None:
    """Export the whole graph as RDF, or its network view as GraphML."""
    from bortekg.store import EXPORT_FORMATS

    if fmt not in EXPORT_FORMATS and fmt not in NETWORK_FORMATS and fmt not in EXCHANGE_FORMATS:
        choices = ", ".join([*EXPORT_FORMATS, *NETWORK_FORMATS, *EXCHANGE_FORMATS])
        fail(f"unknown export format {fmt!r}; choose one of: {choices}")
    if fmt in EXCHANGE_FORMATS:
        _export_exchange(ctx, fmt, output, with_inferred or standard_iris)
        return
    if output is not None and not output.parent.is_dir():
        fail(f"cannot write {output}: folder {output.parent} does not exist")
    check_output_path(ctx, output)
    if fmt in NETWORK_FORMATS:
        from bortekg.network import graphml_bytes, project

        data = graphml_bytes(project(open_graph(ctx), with_inferred=with_inferred))
        write_output(data, output, ctx.obj.get("store"))
        return
    from bortekg.outputs import OutputError

    kg = open_graph(ctx)
    try:
        data = kg.export(fmt, output, with_inferred=with_inferred, standard_iris=standard_iris)
    except OutputError as error:
        fail(str(error))
    if output is None:
        assert data is not None
        write_output(data, None)


def _export_exchange(ctx: click.Context, fmt: str, output: Path | None, rdf_options: bool) -> None:
    """``export --format kgx|sssom``: thin over bortekg.exports (files, or SSSOM on stdout)."""
    from bortekg.exports.biolink import ExportUnavailableError
    from bortekg.outputs import OutputError

    if rdf_options:
        fail(f"--with-inferred and --standard-iris apply to the RDF formats, not to {fmt} "
             "(kgx always writes standard identifiers; neither writes inferred triples)")
    if fmt == "kgx":
        output = output or DEFAULT_KGX_DIR
    elif output is not None and output.is_dir():
        fail(f"cannot write {output}: it is a folder; give a file name for the SSSOM table")
    if output is not None and not output.parent.is_dir():
        fail(f"cannot write {output}: folder {output.parent} does not exist")
    check_output_path(ctx, output)
    kg = open_graph(ctx)
    try:
        if fmt == "kgx":
            from bortekg.exports.kgx import write_kgx

            for path in write_kgx(kg, output or DEFAULT_KGX_DIR):
                click.echo(f"wrote {path}", err=True)
            return
        from bortekg.exports.sssom import sssom_bytes, write_sssom

        if output is None:
            write_output(sssom_bytes(kg), None)
        else:
            click.echo(f"wrote {write_sssom(kg, output)}", err=True)
    except (OutputError, ExportUnavailableError) as error:
        fail(str(error))


# --------------------------------------------------------------------------- describe


@main.command()
@click.argument("term")
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True)
@click.pass_context
def describe(ctx: click.Context, term: str, fmt: str) -> None:
    """Everything the graph says about TERM (a label, synonym, CURIE or IRI), with evidence."""
    from bortekg.describe import describe as describe_node
    from bortekg.terms import AmbiguousTermError, UnknownTermError, lookup

    kg = open_graph(ctx)
    try:
        found = lookup(kg, term)
    except (UnknownTermError, AmbiguousTermError) as error:
        fail(str(error))
    note = found.note(term)
    if note:
        click.echo(f"bortekg: note: {note}", err=True)
    description = describe_node(kg, found.iri)
    if fmt == "json":
        click.echo(json.dumps(description.as_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(render_description(description))


def render_description(d) -> str:
    lines = [f"{d.label}  ({d.curie})", f"  type: {', '.join(d.types)}"]
    if d.definition:
        lines.append(f"  definition: {d.definition}")
    if d.synonyms:
        lines.append(f"  synonyms: {', '.join(d.synonyms)}")
    for predicate, target in d.mappings:
        lines.append(f"  {predicate.split(':', 1)[-1]}: {target}")
    for q in d.relations:
        lines.append(f"  {q.property_label}: {q.value}")
    lines.append(f"\nclaims that mention it: {len(d.claims)}")
    for c in d.claims:
        lines.append(f"\n  [{', '.join(c.kinds)}] {c.label}  ({c.curie}; as {c.role})")
        if c.statement:
            lines.append(f"    {c.statement}")
        for q in c.qualifiers:
            lines.append(f"    - {q.property_label}: {q.value}")
        for part, qualifiers in c.parts.items():
            inner = "; ".join(f"{q.property_label}: {q.value}" for q in qualifiers)
            lines.append(f"    - {part} ({inner})")
        lines.append(f"    source: {c.source} ({c.evidence_kind})"
                     + (f", ref. {c.reference_marker}" if c.reference_marker else ""))
        for citation in c.secondary_citations:
            lines.append(f"    cites: {citation}")
        lines.append(f"    quote: \"{c.quote}\"")
    return "\n".join(lines)

