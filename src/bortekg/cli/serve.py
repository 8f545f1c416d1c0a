"""bortekg serve: the read-only SPARQL 1.1 endpoint (and pages) over uvicorn."""

from __future__ import annotations

import socket
from pathlib import Path

import click

from bortekg.cli import fail, main
from bortekg.cli.querying import timeout_option


def _port(text: str) -> int:
    if not text.strip().isdigit() or int(text) > 65535:
        fail(f"--port {text}: give a port number from 1 to 65535 (or 0 for any free port)")
    return int(text)


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on host:port, or a one-line refusal (exit 2)."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as error:
        fail(f"--host {host}: not an address or a name this machine can resolve ({error.strerror})")
    listener = socket.socket(family, kind, protocol)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(128)  # connections wait here until the server accepts them
    except OSError as error:
        listener.close()
        hint = "; another program uses that port: pick another with --port" \
            if error.errno == 98 else ""
        fail(f"cannot listen on {host}:{port}: {error.strerror or error}{hint}")
    return listener


def _url(listener: socket.socket) -> str:
    host, port = listener.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback makes the graph reachable from other machines.")
@click.option("--port", "port_text", default="8000", show_default=True, metavar="PORT",
              help="Port to listen on (0: any free port, printed at start).")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Serve this store folder (read-only; default: the global --store, else the packaged graph).")
@click.option("--cors", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Let web pages from ORIGIN (e.g. https://example.org) query the endpoint; repeat for several.")
@timeout_option
@click.pass_context
def serve(ctx: click.Context, host: str, port_text: str, store_dir: Path | None,
          cors_origins: tuple[str, ...], timeout: float) -> None:
    """Serve the graph read-only: the SPARQL 1.1 endpoint at /sparql and the pages.

    Queries are checked and time-limited as with bortekg query; updates are refused.
    """
    import uvicorn

    from bortekg.serve import ServeSettings, create_app
    from bortekg.serve.app import open_state

    port = _port(port_text)
    store_dir = store_dir or ctx.obj.get("store")
    if store_dir is not None and not (store_dir / "CURRENT").is_file():
        fail(f"--store {store_dir}: no bortekg store there (create one with bortekg --store {store_dir} stats, "
             "or leave --store out to serve the packaged graph)")
    for origin in cors_origins:
        if not origin.startswith(("http://", "https://")) and origin != "*":
            fail(f"--cors {origin}: give an origin such as https://example.org (scheme, host and any port)")
    settings = ServeSettings(host=host, port=port, store_dir=store_dir, cors_origins=cors_origins, timeout=timeout)
    try:
        state = open_state(settings)
    except OSError as error:
        fail(f"cannot read the store at {store_dir}: {error}")
    listener = _listen(host, port)
    app = create_app(state=state)
    url = _url(listener)
    click.echo(f"bortekg: serving the graph at {url} (SPARQL endpoint {url}sparql), read-only; "
               "Ctrl-C stops", err=True)
    if not settings.is_loopback:
        click.echo(f"bortekg: listening on {host}: other machines can query the graph; the Host header "
                   "is not checked", err=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    server.run(sockets=[listener])
