"""load: put the graph on a SPARQL server, or on several (read replicas), so that query and cq run
can use it with --endpoint."""

from __future__ import annotations

import click

from bortekg.cli import fail, main, open_graph
from bortekg.cli.querying import (
    announce_endpoint_from_environment,
    make_endpoint,
)

#: Seconds; the same as bortekg.endpoint.DEFAULT_TIMEOUT, which is not imported at start-up.
LOAD_TIMEOUT = 60.0


@main.command()
@click.option("--endpoint", "endpoint", multiple=True, envvar="BORTEKG_ENDPOINT", metavar="URL",
              help="The server's SPARQL query service; repeat it to load several servers that serve "
                   "the same graph (read replicas).")
@click.option("--user", envvar="BORTEKG_ENDPOINT_USER",
              help="User name for a server that asks for one (the password comes from BORTEKG_ENDPOINT_PASSWORD).")
@click.option("--graph-store", "graph_stores", multiple=True, metavar="URL",
              help="The server's Graph Store Protocol service, to send each graph in one request "
                   "(e.g. Oxigraph: http://HOST:7878/store; Virtuoso: http://HOST:8890/sparql-graph-crud-auth). "
                   "Without it, the graphs are sent by SPARQL Update. With several --endpoint, one per "
                   "endpoint, in the same order.")
@click.option("--update-endpoint", "update_endpoints", multiple=True, metavar="URL",
              help="The server's SPARQL Update service when it is not the --endpoint URL "
                   "(e.g. Oxigraph: http://HOST:7878/update; Virtuoso: http://HOST:8890/sparql-auth). "
                   "It swaps the uploaded graphs in, so it is needed with --graph-store too. With several "
                   "--endpoint, one per endpoint, in the same order.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=LOAD_TIMEOUT,
              show_default=True, metavar="SECONDS",
              help="Give up when the server does not answer a request in this many seconds "
                   "(or does not accept a connection in 10 s).")
@click.pass_context
def load(ctx: click.Context, endpoint: tuple[str, ...], user: str | None, graph_stores: tuple[str, ...],
         update_endpoints: tuple[str, ...], timeout: float) -> None:
    """Upload every graph, replacing graphs of the same names only when all arrived complete
    (on every server, when several are given)."""
    from bortekg.endpoint import EndpointError
    from bortekg.progress import for_people
    from bortekg.upload import NoUpdateService, Replica, upload_to_replicas

    endpoints = endpoint  # the parameter keeps the option's name, which the announcement reads

    if not endpoints:
        fail("give the server's query endpoint with --endpoint URL")
    for option, values in (("--graph-store", graph_stores), ("--update-endpoint", update_endpoints)):
        if values and len(values) != len(endpoints):
            fail(f"{len(endpoints)} --endpoint but {len(values)} {option}: give one {option} per --endpoint, "
                 "in the same order, or none")
    announce_endpoint_from_environment(ctx, " ".join(endpoints), "uploading to")
    replicas = []
    for index, url in enumerate(endpoints):
        server = make_endpoint(url, user, timeout)
        update = make_endpoint(update_endpoints[index], user, timeout) if update_endpoints else server
        store = make_endpoint(graph_stores[index], user, timeout) if graph_stores else None
        replicas.append(Replica(server, update, store))
    kg = open_graph(ctx)
    graphs: dict[str, list] = {graph.value: [] for graph in kg.content_graphs()}
    for quad in kg.quads():
        graphs[quad.graph_name.value].append(quad.triple)
    try:
        reports = upload_to_replicas(graphs, replicas, progress=for_people())
        held = [{graph: replica.query.count(graph) for graph in graphs} for replica in replicas]
    except NoUpdateService as error:
        fail(f"{error}. The graphs are swapped in by SPARQL Update: give the server's update service "
             "with --update-endpoint URL (Oxigraph: http://HOST:7878/update, Virtuoso: http://HOST:8890/sparql-auth)")
    except EndpointError as error:
        fail(str(error))
    for replica, report, counts in zip(replicas, reports, held):
        where = f" on {replica.name}" if len(replicas) > 1 else ""
        for graph, sent in report.graphs.items():
            if counts[graph] != sent:
                fail(f"the server{where} holds {counts[graph]} triples in <{graph}> after {sent} were swapped in")
    for replica, report in zip(replicas, reports):
        if len(replicas) > 1:
            click.echo(replica.name)
        for graph, sent in report.graphs.items():
            click.echo(f"{sent:8d}  <{graph}>")
        click.echo(f"{sum(report.graphs.values()):8d}  triples in {len(graphs)} graphs, "
                   f"uploaded with the {report.method}, checked and swapped in")
