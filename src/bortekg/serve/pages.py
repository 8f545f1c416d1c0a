"""The HTML pages (server-rendered with Jinja2; every script and style sheet ships in the package)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bortekg.serve.state import ServerState


def routes(state: ServerState) -> list[BaseRoute]:
    """The pages for people: home, search, entities, claims, sources, questions, assessment."""
    return []
