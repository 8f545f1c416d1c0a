"""A SPARQL 1.1 server as a place to upload the graph and to run the same queries.

Queries go over the SPARQL 1.1 Protocol (an HTML form POST of ``query=``), answers come back
as SPARQL JSON results (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE); updates are a form
POST of ``update=``, and a graph store takes ``PUT ?graph=IRI``. How the graph is uploaded
(atomically, through temporary graphs) is ``bortekg.upload``'s job; this module only speaks
HTTP and turns every failure into an ``EndpointError`` that says what to do.

HTTP is ``requests``: its documented ``HTTPBasicAuth`` and ``HTTPDigestAuth`` answer the
server's challenge (Virtuoso's authenticated services ``/sparql-auth`` and
``/sparql-graph-crud-auth`` ask for Digest), and its separate connect and read time limits let
a silent server be told apart from a missing one.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.engines import QueryError

if TYPE_CHECKING:
    import requests

#: The graph that lists the content graphs of an upload, and what it says about them.
MANIFEST_GRAPH = ns.GRAPH_META
STORE_NODE = ox.NamedNode(ns.BASE + "store")
CONTENT_GRAPH = ox.NamedNode(ns.BKG + "contentGraph")

_MANIFEST_QUERY = (
    f"SELECT ?g WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ <{STORE_NODE.value}> <{CONTENT_GRAPH.value}> ?g }} }}"
)
_RESULTS_JSON = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"

#: The environment variable the command line reads a server password from.
PASSWORD_VARIABLE = "BORTEKG_ENDPOINT_PASSWORD"
#: Seconds to wait for an answer to one request (``--timeout`` of ``bortekg load``).
DEFAULT_TIMEOUT = 60.0
#: Seconds to wait for a server to accept a connection: a live server does so in milliseconds.
CONNECT_TIMEOUT = 10.0


class EndpointError(QueryError):
    """The server could not be reached, refused a request or sent an unreadable answer."""


class ServerNotRunning(EndpointError):
    """Nothing listens at the server's address (the connection was refused)."""


class ServerSilent(EndpointError):
    """The server accepted no connection, or sent no answer, within the time limit."""


class AuthenticationError(EndpointError):
    """The server asked for credentials (HTTP 401) or refused the user (HTTP 403)."""

    def __init__(self, message: str, *, status: int, user: str | None) -> None:
        super().__init__(message)
        self.status = status
        self.user = user


class RequestRefused(EndpointError):
    """The server answered a request with an HTTP error (other than 401 and 403)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Endpoint:
    """A SPARQL server's service at one URL: its query, update or graph-store service.

    ``timeout`` bounds the wait for each answer; connecting is bounded by the smaller of it and
    ``CONNECT_TIMEOUT``. A ``user`` needs a ``password`` (an empty one is allowed).
    """

    url: str
    user: str | None = None
    password: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    _session: requests.Session | None = field(default=None, init=False, repr=False)
    _session_pid: int = field(default=0, init=False, repr=False)
    _auth: requests.auth.AuthBase | None = field(default=None, init=False, repr=False)
    _probed: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        if urllib.parse.urlsplit(self.url).scheme not in ("http", "https"):
            raise EndpointError(f"endpoint {self.url!r} is not an http:// or https:// URL")
        if self.user is not None and self.password is None:
            raise EndpointError(f"user {self.user!r} is given without a password: "
                                f"set it in {PASSWORD_VARIABLE} (an empty value for none)")

    # ------------------------------------------------------------------ HTTP

    def _http(self) -> requests.Session:
        # A query runs in a forked child (bortekg.worker): a child opens connections of its
        # own instead of writing into a socket its parent keeps in its pool.
        if self._session is None or self._session_pid != os.getpid():
            import requests

            self._session, self._session_pid = requests.Session(), os.getpid()
            self._auth, self._probed = None, False
        return self._session

    def _send(self, method: str, *, data: bytes | dict, params: dict | None = None,
              headers: dict | None = None) -> requests.Response:
        import requests

        session = self._http()
        if self.user is not None and not self._probed:
            self._auth, self._probed = self._challenge_answer(session), True
        timeouts = (min(self.timeout, CONNECT_TIMEOUT), self.timeout)
        try:
            response = session.request(method, self.url, data=data, params=params, headers=headers,
                                       auth=self._auth, timeout=timeouts)
            if response.status_code == 401 and self.user is not None:
                # a server that asked nothing of a body-less probe but challenges this request
                challenged = _auth_for(response, self.user, self.password or "")
                if challenged is not None and type(challenged) is not type(self._auth):
                    self._auth = challenged
                    response = session.request(method, self.url, data=data, params=params,
                                               headers=headers, auth=self._auth, timeout=timeouts)
        except requests.exceptions.ConnectTimeout:
            raise ServerSilent(f"the server at {self.url} did not accept a connection in "
                               f"{timeouts[0]:g} s: check the host and port") from None
        except requests.exceptions.ReadTimeout:
            raise ServerSilent(f"the server at {self.url} did not answer in {self.timeout:g} s: "
                               "it may be busy (give a longer --timeout) or not a SPARQL server") from None
        except requests.exceptions.ConnectionError as error:
            if _caused_by(error, ConnectionRefusedError):
                raise ServerNotRunning(f"no server is running at {self.url} (connection refused): "
                                       "start it, or check the host and port") from None
            raise EndpointError(f"the connection to {self.url} failed: {_innermost(error)}") from None
        except requests.exceptions.RequestException as error:
            raise EndpointError(f"cannot reach {self.url}: {_innermost(error)}") from None
        self._check(response)
        return response

    def _challenge_answer(self, session: requests.Session) -> requests.auth.AuthBase | None:
        """The credentials in the scheme the server asks for, learnt from body-less probes.

        Answering the challenge before a large body is sent matters: a server that closes the
        connection on its 401 (Virtuoso does) would break an upload half-way otherwise, and a
        body sent once to be refused and once again doubles the upload. So a HEAD request
        without credentials learns the scheme, and for Digest a second HEAD with them lets
        ``HTTPDigestAuth`` answer the challenge: later requests carry the answer from the start.
        """
        import requests

        timeouts = (min(self.timeout, CONNECT_TIMEOUT), self.timeout)
        try:
            auth = _auth_for(session.head(self.url, timeout=timeouts), self.user or "", self.password or "")
            if isinstance(auth, requests.auth.HTTPDigestAuth):
                session.head(self.url, auth=auth, timeout=timeouts)
        except requests.exceptions.RequestException:
            return None  # the request itself will report what is wrong
        return auth

    def _check(self, response: requests.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        reason = f"HTTP {status} {response.reason}"
        if status == 401:
            if self.user is None:
                message = (f"the server at {self.url} asks for a user name and password ({reason}): "
                           f"pass --user NAME and set the password in {PASSWORD_VARIABLE}")
            else:
                message = (f"the server at {self.url} did not accept user {self.user!r} with the password "
                           f"in {PASSWORD_VARIABLE} ({reason}): check both")
            raise AuthenticationError(message, status=status, user=self.user)
        if status == 403:
            if self.user is None:
                message = (f"the server at {self.url} refuses anonymous requests ({reason}): "
                           f"pass --user NAME and set the password in {PASSWORD_VARIABLE}")
            else:
                message = (f"the server at {self.url} refused user {self.user!r} ({reason}): "
                           "pass --user with a user allowed to do this")
            raise AuthenticationError(message, status=status, user=self.user)
        detail = response.content.decode("utf-8", "replace").strip()
        raise RequestRefused(f"{self.url} answered {reason}: {_first_lines(detail)}", status=status)

    def _form(self, fields: list[tuple[str, str]], accept: str | None = None) -> requests.Response:
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if accept:
            headers["Accept"] = accept
        return self._send("POST", data=body, headers=headers)

    # ------------------------------------------------------------------ queries

    def content_graphs(self) -> list[str]:
        """The content graphs named by the manifest of the last upload (empty when none)."""
        solutions = self._results(self._form([("query", _MANIFEST_QUERY)], accept=_RESULTS_JSON))
        assert isinstance(solutions, ox.QuerySolutions)
        return sorted(row["g"].value for row in solutions if isinstance(row["g"], ox.NamedNode))

    def count(self, graph: str) -> int:
        """How many triples the server holds in one named graph (0 when it has none)."""
        solutions = self._results(self._form(
            [("query", f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")],
            accept=_RESULTS_JSON))
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            return int(row["n"].value)
        return 0

    def select(self, sparql: str, *, form: str, dataset: list[str] | None = None) -> bytes:
        """Run a query; return SPARQL JSON results (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE).

        ``dataset`` names the graphs that make the default graph and the named graphs.
        """
        fields = [("query", sparql)]
        for graph in dataset or []:
            fields += [("default-graph-uri", graph), ("named-graph-uri", graph)]
        graph_result = form in ("CONSTRUCT", "DESCRIBE")
        response = self._form(fields, accept=_N_TRIPLES if graph_result else _RESULTS_JSON)
        if graph_result:
            rdf_format = ox.RdfFormat.from_media_type(_media_type(response)) or ox.RdfFormat.N_TRIPLES
            try:
                triples = [quad.triple for quad in ox.parse(response.content, rdf_format)]
            except SyntaxError as error:
                raise EndpointError(f"{self.url} sent an unreadable graph: {error}") from None
            return ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)
        results = self._results(response)
        if form == "ASK" and isinstance(results, ox.QuerySolutions):
            # Virtuoso answers ASK with a one-column table: one row for true, none for false
            results = _boolean(any(True for _ in results))
        return results.serialize(format=ox.QueryResultsFormat.JSON)

    def _results(self, response: requests.Response) -> ox.QuerySolutions | ox.QueryBoolean:
        results_format = ox.QueryResultsFormat.from_media_type(_media_type(response)) or ox.QueryResultsFormat.JSON
        try:
            return ox.parse_query_results(response.content, format=results_format)
        except SyntaxError as error:
            raise EndpointError(f"{self.url} sent unreadable results: {error}") from None

    # ------------------------------------------------------------------ writes

    def update(self, sparql: str) -> None:
        """Send one SPARQL Update request (this endpoint is the update service)."""
        self._form([("update", sparql)])

    def put_graph(self, graph: str, triples: list[ox.Triple]) -> None:
        """Replace one graph through the Graph Store Protocol (this endpoint is the graph store)."""
        body = ox.serialize(triples, None, ox.RdfFormat.N_TRIPLES)
        self._send("PUT", data=body, params={"graph": graph}, headers={"Content-Type": _N_TRIPLES})


def _auth_for(response: requests.Response, user: str, password: str) -> requests.auth.AuthBase | None:
    """Basic or Digest credentials, whichever the response's 401 challenge names."""
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth

    if response.status_code != 401:
        return None
    scheme = response.headers.get("WWW-Authenticate", "").strip().split(" ", 1)[0].lower()
    if scheme == "digest":
        return HTTPDigestAuth(user, password)
    if scheme == "basic":
        return HTTPBasicAuth(user, password)
    return None


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    stack: list[BaseException | None] = [error]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        stack += [current.__cause__, current.__context__,
                  *(arg for arg in current.args if isinstance(arg, BaseException)),
                  getattr(current, "reason", None) if isinstance(getattr(current, "reason", None), BaseException) else None]
    return False


def _innermost(error: BaseException) -> str:
    """The most specific reason urllib3 gives (the outer ones repeat the URL and retries)."""
    current: BaseException = error
    while True:
        inner = next((arg for arg in current.args if isinstance(arg, BaseException)), None)
        inner = inner or getattr(current, "reason", None)
        if not isinstance(inner, BaseException) or inner is current:
            return str(current)
        current = inner


def _media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "")


def _boolean(value: bool) -> ox.QueryBoolean:
    answer = b'{"head":{},"boolean":true}' if value else b'{"head":{},"boolean":false}'
    result = ox.parse_query_results(answer, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QueryBoolean)
    return result


def _first_lines(text: str, limit: int = 3) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return " / ".join(lines[:limit]) or "(no detail)"
