"""Options and error handling shared by the commands that run queries (query, cq run, load)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import click

from bortekg.cli import fail, open_graph

T = TypeVar("T")

#: The same names as in bortekg.endpoint, which this module does not import at start-up.
PASSWORD_VARIABLE = "BORTEKG_ENDPOINT_PASSWORD"
ENDPOINT_VARIABLE = "BORTEKG_ENDPOINT"


def endpoint_options(command: Callable) -> Callable:
    """--endpoint and --user: run against a SPARQL server instead of the embedded store."""
    command = click.option(
        "--user",
        envvar="BORTEKG_ENDPOINT_USER",
        help=f"User name for a server that asks for one (the password comes from {PASSWORD_VARIABLE}).",
    )(command)
    return click.option(
        "--endpoint",
        envvar=ENDPOINT_VARIABLE,
        metavar="URL",
        help="A SPARQL 1.1 query endpoint to run on instead of the embedded store.",
    )(command)


def timeout_option(command: Callable) -> Callable:
    from bortekg.engines import DEFAULT_TIMEOUT

    return click.option(
        "--timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Stop the query after this many seconds (exit 2).",
    )(command)


def make_endpoint(url: str, user: str | None, timeout: float):
    """An Endpoint for ``url``; a user without a password set is refused before any request."""
    from bortekg.endpoint import Endpoint, EndpointError

    password = os.environ.get(PASSWORD_VARIABLE)
    if user is not None and password is None:
        fail(f"--user {user} needs a password: set it in the environment variable {PASSWORD_VARIABLE} "
             "(an empty value for none)")
    try:
        return Endpoint(url, user=user, password=password, timeout=timeout)
    except EndpointError as error:
        fail(str(error))


def announce_endpoint_from_environment(ctx: click.Context, endpoint: str | None, doing: str) -> None:
    """Say on stderr when the server comes from BORTEKG_ENDPOINT, not from the command line:
    a variable set long ago should not send queries to a server without a word."""
    if endpoint and ctx.get_parameter_source("endpoint") is click.core.ParameterSource.ENVIRONMENT:
        click.echo(f"bortekg: {doing} the SPARQL server at {endpoint} (from {ENDPOINT_VARIABLE})", err=True)


def open_engine(ctx: click.Context, endpoint: str | None, user: str | None, timeout: float):
    """The engine a query runs on: the embedded store, or the server at ``endpoint``."""
    from bortekg.engines import EmbeddedEngine, RemoteEngine

    if endpoint:
        announce_endpoint_from_environment(ctx, endpoint, "querying")
        return RemoteEngine(make_endpoint(endpoint, user, timeout))
    return EmbeddedEngine(open_graph(ctx))


def guarded(what: str, action: Callable[[], T]) -> T:
    """Run ``action``; turn every refusal or failure of the read path into a message and exit 2."""
    from bortekg.engines import QueryError  # EndpointError is one too
    from bortekg.safety import UnsafeQueryError
    from bortekg.worker import QueryTimeout, WorkerCrash

    try:
        return action()
    except UnsafeQueryError as error:
        fail(f"{_where(what, error.line, error.column)} query refused: {error.reason}")
    except SyntaxError as error:
        fail(f"{_where(what, error.lineno, error.offset)} invalid SPARQL: {error.msg}")
    except (QueryTimeout, WorkerCrash, QueryError, ValueError) as error:
        # ValueError: bad parameters, a malformed catalogue file, a query with nothing to
        # bind parameters in, a result format that does not fit the answer
        fail(str(error))


def _where(what: str, line: int | None, column: int | None) -> str:
    """FILE:LINE:COL:, as compilers write it, with what is known."""
    return ":".join([what] + [str(part) for part in (line, column) if part is not None]) + ":"
