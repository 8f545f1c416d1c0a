"""load to several servers (read replicas): every server is filled and checked before any swaps,
so that a failure on one leaves all as they were; tested on an Oxigraph server and Virtuoso."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bortekg.cli import main
from bortekg.endpoint import Endpoint, EndpointError
from bortekg.upload import Replica, upload_to_replicas
from test_servers import (  # the servers of the server tests, started once per module
    EXTRA_GRAPH,
    MARKER,
    Server,
    free_port,
    local_graphs,
    newer_graphs,
    oxigraph,  # noqa: F401 (a fixture)
    server_state,
    temporary_graphs,
    virtuoso,  # noqa: F401 (a fixture)
)

pytestmark = pytest.mark.server


def replica(server: Server, *, update_url: str | None = None) -> Replica:
    def endpoint(url: str) -> Endpoint:
        return Endpoint(url, user=server.user, password=server.password)

    return Replica(endpoint(server.query_url), endpoint(update_url or server.update_url),
                   endpoint(server.graph_store_url))


def holds_marker(server: Server) -> bool:
    return EXTRA_GRAPH in Endpoint(server.query_url).content_graphs()


def test_the_command_loads_both_servers_and_checks_each(kg, oxigraph: Server, virtuoso: Server) -> None:  # noqa: F811
    servers = (oxigraph, virtuoso)
    args = ["load"]
    for server in servers:
        args += ["--endpoint", server.query_url]
    for server in servers:
        args += ["--graph-store", server.graph_store_url]
    for server in servers:
        args += ["--update-endpoint", server.update_url]
    result = CliRunner(env={"BORTEKG_ENDPOINT_PASSWORD": "dba"}).invoke(main, [*args, "--user", "dba"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("http")] == [s.query_url for s in servers]
    assert sum("checked and swapped in" in line for line in lines) == 2
    for server in servers:
        assert Endpoint(server.query_url).content_graphs() == sorted(g.value for g in kg.content_graphs())
        assert temporary_graphs(server) == []


def test_one_endpoint_per_option_or_none() -> None:
    result = CliRunner().invoke(main, ["load", "--endpoint", "http://127.0.0.1:1/a", "--endpoint",
                                       "http://127.0.0.1:1/b", "--update-endpoint", "http://127.0.0.1:1/u"])
    assert result.exit_code == 2 and not result.stdout
    assert "2 --endpoint but 1 --update-endpoint: give one --update-endpoint per --endpoint" in result.stderr


def test_a_replica_that_fails_before_the_swaps_leaves_every_server_as_it_was(
        kg, oxigraph: Server, virtuoso: Server) -> None:  # noqa: F811
    graphs = sorted(local_graphs(kg))
    upload_to_replicas(local_graphs(kg), [replica(oxigraph), replica(virtuoso)])
    before = [server_state(s, graphs) for s in (oxigraph, virtuoso)]
    gone = f"http://127.0.0.1:{free_port()}/update"  # nothing listens there
    with pytest.raises(EndpointError) as error:
        upload_to_replicas(newer_graphs(kg), [replica(oxigraph), replica(virtuoso, update_url=gone)])
    assert str(error.value).startswith(f"{virtuoso.query_url}: no server is running at {gone}")
    assert "no server's graphs were changed" in str(error.value)
    assert [server_state(s, graphs) for s in (oxigraph, virtuoso)] == before
    assert not holds_marker(oxigraph) and temporary_graphs(oxigraph) == []


def test_a_complete_upload_replaces_the_graphs_on_every_replica(kg, oxigraph: Server, virtuoso: Server) -> None:  # noqa: F811
    reports = upload_to_replicas(newer_graphs(kg), [replica(oxigraph), replica(virtuoso)])
    assert [r.graphs[EXTRA_GRAPH] for r in reports] == [1, 1]
    for server in (oxigraph, virtuoso):
        assert holds_marker(server) and temporary_graphs(server) == []
        marker = f"ASK {{ GRAPH <{EXTRA_GRAPH}> {{ {MARKER.subject} {MARKER.predicate} {MARKER.object} }} }}"
        assert b"true" in Endpoint(server.query_url).select(marker, form="ASK")
    upload_to_replicas(local_graphs(kg), [replica(oxigraph), replica(virtuoso)])  # as the other tests expect
    assert not holds_marker(oxigraph) and not holds_marker(virtuoso)
