"""The SPARQL server client against real local sockets (no SPARQL server): URLs, chunking for
SPARQL Update, and a one-line message with exit 2 for every way a server can fail to serve."""

from __future__ import annotations

import base64
import json
import time

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bortekg.cli import main, querying
from bortekg.endpoint import PASSWORD_VARIABLE, Endpoint, EndpointError
from bortekg.upload import chunks_keeping_blank_nodes
from local_http import Answer, answering_server, closed_port, full_listener, silent_listener

ASK_TRUE = Answer(200, {"Content-Type": "application/sparql-results+json"},
                  json.dumps({"head": {}, "boolean": True}).encode())


def test_only_http_endpoints() -> None:
    with pytest.raises(EndpointError, match="is not an http:// or https:// URL"):
        Endpoint("file:///etc/passwd")
    Endpoint("https://example.org/sparql")


def test_update_chunks_keep_blank_node_structures_together() -> None:
    a, b, c, d = ox.BlankNode(), ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    p = ox.NamedNode("http://e/p")
    linked = [ox.Triple(a, p, b), ox.Triple(b, p, c), ox.Triple(ox.NamedNode("http://e/x"), p, a)]
    alone = [ox.Triple(d, p, ox.Literal(str(i))) for i in range(2)]
    mixed = [linked[0], alone[0], linked[1], alone[1], linked[2]]
    chunks = list(chunks_keeping_blank_nodes(mixed, 2))
    assert sorted(str(t) for chunk in chunks for t in chunk) == sorted(map(str, mixed))
    assert any({str(t) for t in linked} <= {str(t) for t in chunk} for chunk in chunks)
    assert any({str(t) for t in alone} == {str(t) for t in chunk} for chunk in chunks)


def test_the_cli_and_the_client_name_the_same_password_variable() -> None:
    assert querying.PASSWORD_VARIABLE == PASSWORD_VARIABLE


def invoke(*args: str, env: dict[str, str | None] | None = None):
    environment = {PASSWORD_VARIABLE: None, "BORTEKG_ENDPOINT": None, "BORTEKG_ENDPOINT_USER": None,
                   **(env or {})}
    return CliRunner(env=environment).invoke(main, list(args))


def one_line_error(result) -> str:
    """The message of a failed command: exit 2, nothing on stdout, one line on stderr."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("bortekg: "), result.stderr
    return lines[0]


COMMANDS = {
    "load": lambda url, *more: ("load", "--endpoint", url, *more),
    "query": lambda url, *more: ("cq", "run", "claims-per-source", "--endpoint", url, *more),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_closed_port_says_no_server_is_running(command: str) -> None:
    url = f"http://127.0.0.1:{closed_port()}/sparql"
    message = one_line_error(invoke(*COMMANDS[command](url)))
    assert f"no server is running at {url} (connection refused)" in message


def test_a_server_that_never_answers_is_given_up_after_the_timeout() -> None:
    with silent_listener() as (port, accepted):
        url = f"http://127.0.0.1:{port}/sparql"
        started = time.monotonic()
        message = one_line_error(invoke("load", "--endpoint", url, "--timeout", "0.5"))
        assert time.monotonic() - started < 5
        assert accepted, "the client never connected"
    assert f"the server at {url} did not answer in 0.5 s" in message


def test_a_server_that_accepts_no_connection_is_given_up_after_the_timeout() -> None:
    with full_listener() as port:
        url = f"http://127.0.0.1:{port}/sparql"
        started = time.monotonic()
        message = one_line_error(invoke("load", "--endpoint", url, "--timeout", "0.5"))
        assert time.monotonic() - started < 5
    assert f"the server at {url} did not accept a connection in 0.5 s" in message


def test_the_load_timeout_default_is_the_clients_and_is_shown() -> None:
    from bortekg.cli.endpoint import LOAD_TIMEOUT
    from bortekg.endpoint import DEFAULT_TIMEOUT

    assert LOAD_TIMEOUT == DEFAULT_TIMEOUT
    assert f"[default: {DEFAULT_TIMEOUT}; x>0]" in invoke("load", "--help").stdout


def challenge(scheme: str, status: int = 401):
    return lambda handler, body: Answer(status, {"WWW-Authenticate": f'{scheme} realm="SPARQL"'})


@pytest.mark.parametrize("command", COMMANDS)
def test_a_401_says_to_pass_a_user_and_set_the_password(command: str) -> None:
    with answering_server(challenge("Basic")) as (base, _):
        message = one_line_error(invoke(*COMMANDS[command](f"{base}/sparql")))
    assert "asks for a user name and password (HTTP 401 Unauthorized)" in message
    assert f"pass --user NAME and set the password in {PASSWORD_VARIABLE}" in message


def test_a_403_says_to_pass_a_user() -> None:
    with answering_server(lambda handler, body: Answer(403)) as (base, _):
        message = one_line_error(invoke("load", "--endpoint", f"{base}/sparql"))
    assert f"refuses anonymous requests (HTTP 403 Forbidden): pass --user NAME and set the password in " \
           f"{PASSWORD_VARIABLE}" in message


def test_a_rejected_password_names_the_user_and_the_variable() -> None:
    with answering_server(challenge("Basic")) as (base, seen):
        message = one_line_error(invoke("load", "--endpoint", f"{base}/sparql", "--user", "alice",
                                        env={PASSWORD_VARIABLE: "wrong"}))
    assert f"did not accept user 'alice' with the password in {PASSWORD_VARIABLE} (HTTP 401" in message
    expected = "Basic " + base64.b64encode(b"alice:wrong").decode()
    assert expected in seen, seen


@pytest.mark.parametrize("command", COMMANDS)
def test_a_user_without_a_password_is_refused_before_any_request(command: str) -> None:
    with silent_listener() as (port, accepted):
        message = one_line_error(invoke(*COMMANDS[command](f"http://127.0.0.1:{port}/sparql"), "--user", "alice"))
        time.sleep(0.2)  # a connection, had one been made, is accepted within 50 ms
        assert accepted == []
    assert f"--user alice needs a password: set it in the environment variable {PASSWORD_VARIABLE}" in message
    with pytest.raises(EndpointError, match="without a password"):
        Endpoint("http://127.0.0.1:1/sparql", user="alice")


def test_basic_credentials_are_sent_when_the_server_asks() -> None:
    token = "Basic " + base64.b64encode(b"alice:secret").decode()

    def answer(handler, body: bytes) -> Answer:
        if handler.headers.get("Authorization") != token:
            return Answer(401, {"WWW-Authenticate": 'Basic realm="SPARQL"'})
        return ASK_TRUE

    with answering_server(answer) as (base, seen):
        endpoint = Endpoint(f"{base}/sparql", user="alice", password="secret")
        assert json.loads(endpoint.select("ASK {}", form="ASK"))["boolean"] is True
    assert seen[-1] == token


def test_an_endpoint_from_the_environment_is_announced(tmp_path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/sparql"
    from_environment = invoke("cq", "run", "claims-per-source", env={"BORTEKG_ENDPOINT": url})
    assert from_environment.exit_code == 2
    first, second = from_environment.stderr.splitlines()
    assert first == f"bortekg: querying the SPARQL server at {url} (from BORTEKG_ENDPOINT)"
    assert "no server is running" in second
    loading = invoke("load", env={"BORTEKG_ENDPOINT": url})
    assert loading.stderr.splitlines()[0] == f"bortekg: uploading to the SPARQL server at {url} (from BORTEKG_ENDPOINT)"
    from_option = invoke("cq", "run", "claims-per-source", "--endpoint", url)
    assert "BORTEKG_ENDPOINT" not in from_option.stderr
