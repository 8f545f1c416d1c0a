"""The ASGI application: the SPARQL routes and the HTML pages over one read-only graph."""

from __future__ import annotations

from starlette.applications import Starlette

from bortekg.serve import pages, sparql
from bortekg.serve.state import ServeSettings, ServerState


def open_state(settings: ServeSettings) -> ServerState:
    """The graph the settings name: the store folder read-only, or the packaged graph in memory."""
    from bortekg.store import KnowledgeGraph

    kg = KnowledgeGraph.open_read_only(settings.store_dir) if settings.store_dir else KnowledgeGraph()
    return ServerState(kg=kg, settings=settings)


def create_app(settings: ServeSettings | None = None, *, state: ServerState | None = None) -> Starlette:
    """The application for ``settings`` (or for an already opened ``state``, as tests do)."""
    state = state or open_state(settings or ServeSettings())
    app = Starlette(routes=[*sparql.routes(state), *pages.routes(state)])
    app.state.bortekg = state
    return app
