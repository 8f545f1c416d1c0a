"""load: put the graph on a SPARQL server, so that query and cq run can use it with --endpoint."""

from __future__ import annotations

import click

from bortekg.cli import fail, main, open_graph
from bortekg.cli.querying import announce_endpoint_from_environment, endpoint_options, make_endpoint

#: Seconds; the same as bortekg.endpoint.DEFAULT_TIMEOUT, which is not imported at start-up.
LOAD_TIMEOUT = 60.0


@main.command()
@endpoint_options
@click.option("--graph-store", metavar="URL",
              help="The server's Graph Store Protocol service, to send each graph in one request "
                   "(e.g. Oxigraph: http://HOST:7878/store; Virtuoso: http://HOST:8890/sparql-graph-crud-auth). "
                   "Without it, the graphs are sent by SPARQL Update.")
@click.option("--update-endpoint", metavar="URL",
              help="The server's SPARQL Update service when it is not the --endpoint URL "
                   "(e.g. Oxigraph: http://HOST:7878/update; Virtuoso: http://HOST:8890/sparql-auth). "
                   "It swaps the uploaded graphs in, so it is needed with --graph-store too.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=LOAD_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="Give up when the server does not answer a request in this many seconds "
                   "(or does not accept a connection in 10 s).")
@click.pass_context
def load(ctx: click.Context, endpoint: str | None, user: str | None, graph_store: str | None,
         update_endpoint: str | None, timeout: float) -> None:
    """Upload every graph, replacing graphs of the same names only when all arrived complete."""
    from bortekg.endpoint import EndpointError
    from bortekg.progress import for_people
    from bortekg.upload import NoUpdateService, upload

    if not endpoint:
        fail("give the server's query endpoint with --endpoint URL")
    announce_endpoint_from_environment(ctx, endpoint, "uploading to")
    server = make_endpoint(endpoint, user, timeout)
    update = make_endpoint(update_endpoint, user, timeout) if update_endpoint else server
    store = make_endpoint(graph_store, user, timeout) if graph_store else None
    kg = open_graph(ctx)
    graphs: dict[str, list] = {graph.value: [] for graph in kg.content_graphs()}
    for quad in kg.quads():
        graphs[quad.graph_name.value].append(quad.triple)
    try:
        report = upload(graphs, query=server, update=update, graph_store=store, progress=for_people())
        held = {graph: server.count(graph) for graph in graphs}
    except NoUpdateService as error:
        fail(f"{error}. The graphs are swapped in by SPARQL Update: give the server's update service "
             "with --update-endpoint URL (Oxigraph: http://HOST:7878/update, Virtuoso: http://HOST:8890/sparql-auth)")
    except EndpointError as error:
        fail(str(error))
    for graph, sent in report.graphs.items():
        if held[graph] != sent:
            fail(f"the server holds {held[graph]} triples in <{graph}> after {sent} were swapped in")
    for graph, sent in report.graphs.items():
        click.echo(f"{sent:8d}  <{graph}>")
    click.echo(f"{sum(report.graphs.values()):8d}  triples in {len(graphs)} graphs, "
               f"uploaded with the {report.method}, checked and swapped in")
