"""The HTML pages (server-rendered with Jinja2; every script and style sheet ships in the
package): home, search, entities, claims, sources, questions, patient assessment, SPARQL editor."""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from bortekg.serve.pages import assessment, browse, editor, nodes, questions
from bortekg.serve.pages.site import Site
from bortekg.serve.state import ServerState


def routes(state: ServerState) -> list[BaseRoute]:
    """The pages for people, over the state's read-only graph."""
    site = Site(state)
    return [
        *browse.routes(site),
        *nodes.routes(site),
        *questions.routes(site),
        *assessment.routes(site),
        *editor.routes(site),
        Mount("/static", StaticFiles(packages=[("bortekg.serve", "static")]), name="static"),
    ]
