"""load: put the graph on a SPARQL server, so that query and cq run can use it with --endpoint."""

from __future__ import annotations

import click

from bortekg.cli import fail, main, open_graph
from bortekg.cli.querying import endpoint_options, make_endpoint


@main.command()
@endpoint_options
@click.option("--graph-store", metavar="URL",
              help="The server's Graph Store Protocol service (e.g. Oxigraph: http://HOST:7878/store; "
                   "Virtuoso: http://HOST:8890/sparql-graph-crud-auth). Without it, SPARQL Update is used.")
@click.option("--update-endpoint", metavar="URL",
              help="The server's SPARQL Update service when it is not the --endpoint URL "
                   "(e.g. Oxigraph: http://HOST:7878/update).")
@click.option("--request-timeout", type=click.FloatRange(min=0, min_open=True), default=300.0,
              show_default=True, metavar="SECONDS", help="Give up on a request after this many seconds.")
@click.pass_context
def load(ctx: click.Context, endpoint: str | None, user: str | None, graph_store: str | None,
         update_endpoint: str | None, request_timeout: float) -> None:
    """Upload every graph (replacing graphs of the same names) and check what the server holds."""
    from bortekg.endpoint import EndpointError, upload

    if not endpoint:
        fail("give the server's query endpoint with --endpoint URL")
    server = make_endpoint(endpoint, user, request_timeout)
    kg = open_graph(ctx)
    graphs = {
        graph.value: [quad.triple for quad in kg.store.quads_for_pattern(None, None, None, graph)]
        for graph in kg.content_graphs()
    }
    try:
        report = upload(
            graphs,
            graph_store=make_endpoint(graph_store, user, request_timeout) if graph_store else None,
            update=None if graph_store else make_endpoint(update_endpoint or endpoint, user, request_timeout),
        )
        held = {graph: server_count(server, graph) for graph in graphs}
    except EndpointError as error:
        fail(str(error))
    for graph, sent in report.graphs.items():
        if held[graph] != sent:
            fail(f"the server holds {held[graph]} triples in <{graph}> after {sent} were sent")
    for graph, sent in report.graphs.items():
        click.echo(f"{sent:8d}  <{graph}>")
    click.echo(f"{sum(report.graphs.values()):8d}  triples in {len(graphs)} graphs, "
               f"uploaded with the {report.method} and checked")


def server_count(server, graph: str) -> int:
    """How many triples the server holds in one named graph."""
    import json

    body = server.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                         form="SELECT")
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
