"""The ASGI application: the SPARQL routes and the HTML pages over one read-only graph."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from bortekg.serve import pages, sparql
from bortekg.serve.page_cache import PageCache
from bortekg.serve.state import LOOPBACK_HOSTS, ServerState, ServeSettings


def open_state(settings: ServeSettings) -> ServerState:
    """The graph the settings name, in memory: the packaged graph, or a snapshot of the store
    folder opened read-only (queries fork a worker from the server, which is cheap and safe
    from an in-memory store only; the server never sees later changes to the folder)."""
    from bortekg import namespaces as ns
    from bortekg.store import KnowledgeGraph

    if settings.store_dir is None:
        return ServerState(kg=KnowledgeGraph(), settings=settings)
    on_disk = KnowledgeGraph.open_read_only(settings.store_dir)
    # an in-memory copy of every graph, adding no triples of its own
    return ServerState(kg=on_disk.with_scratch_graph(ns.GRAPH_KB, ()), settings=settings)


def middleware(settings: ServeSettings) -> list[Middleware]:
    """Host checking on loopback (a browser led to 127.0.0.1 under another name by DNS rebinding
    sends that name), CORS only for the origins given, and pages kept for repeated requests."""
    found = []
    if settings.is_loopback:
        found.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK_HOSTS)))
    if settings.cors_origins:
        found.append(Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                                allow_methods=["GET", "POST"], allow_headers=["Accept", "Content-Type"],
                                max_age=600))
    # innermost: only requests that passed the checks above reach the cache
    found.append(Middleware(PageCache, capacity_bytes=settings.cache_bytes))
    return found


def create_app(settings: ServeSettings | None = None, *, state: ServerState | None = None) -> Starlette:
    """The application for ``settings`` (or for an already opened ``state``, as tests do)."""
    state = state or open_state(settings or ServeSettings())
    _ = (state.triples, state.graph_sizes)  # counted now, not in the first request
    app = Starlette(routes=[*sparql.routes(state), *pages.routes(state)], middleware=middleware(state.settings))
    app.state.bortekg = state
    return app
