"""The home page (what the graph holds, a search box, the questions) and the search results."""

from __future__ import annotations

from functools import cache

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bortekg.catalogue import load_catalogue
from bortekg.serve.pages.site import Site
from bortekg.stats import graph_stats

#: Matches shown before a "show all" link.
SEARCH_PAGE_SIZE = 50


def routes(site: Site) -> list[BaseRoute]:
    @cache
    def stats():
        return graph_stats(site.kg)  # the graph is read-only: counted once

    def home(request: Request) -> Response:
        return site.render(request, "home.html", {"stats": stats(), "questions": load_catalogue()})

    def search(request: Request) -> Response:
        query = request.query_params.get("q", "").strip()
        try:
            limit = max(1, int(request.query_params.get("limit", SEARCH_PAGE_SIZE)))
        except ValueError:
            limit = SEARCH_PAGE_SIZE
        hits = site.index.search(query) if query else []
        suggestions = site.index.suggest(query) if query and not hits else []
        return site.render(request, "search.html", {
            "query": query, "hits": hits[:limit], "total": len(hits), "suggestions": suggestions})

    return [Route("/", home), Route("/search", search)]
