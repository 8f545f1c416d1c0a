"""What every page shares: the templates, the graph's search index, and links to nodes."""

from __future__ import annotations

from functools import cached_property, lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bortekg import namespaces as ns
from bortekg.search import SearchIndex
from bortekg.serve.state import ServerState
from bortekg.store import KnowledgeGraph

#: Namespaces whose IRIs the server answers, and the path each is answered at.
LOCAL_PATHS = ((ns.BKE, "/entity/"), (ns.BKC, "/claim/"), (ns.BKS, "/source/"))


def local_path(iri: str) -> str | None:
    """The path this server answers ``iri`` at: entities, claims and sources under their own
    paths, other project terms (classes, properties, value-set members) at ``/term/NAME``."""
    for namespace, path in LOCAL_PATHS:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return path + iri[len(namespace):]
    if iri.startswith(ns.BASE) and "/" not in iri[len(ns.BASE):] and len(iri) > len(ns.BASE):
        return "/term/" + iri[len(ns.BASE):]
    return None


#: Every page runs only the server's own scripts and styles, and posts forms only to it: a
#: value that slipped past escaping still could not run or send anything elsewhere.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@lru_cache(maxsize=4096)
def resolver_url(curie: str) -> str | None:
    """A page about a standard identifier at the resolver Bioregistry prefers for its vocabulary."""
    import bioregistry  # slow to import: only when an identifier is shown

    prefix, _, local = curie.partition(":")
    return bioregistry.get_iri(prefix, local) if local else None


class Site:
    """The pages' shared, read-only view of one server's graph."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.env = Environment(
            loader=PackageLoader("bortekg.serve", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(href=self.href, curie=ns.curie, resolver_url=resolver_url, label=self.label)
        self.env.filters["expand"] = ns.expand

    @property
    def kg(self) -> KnowledgeGraph:
        return self.state.kg

    @cached_property
    def index(self) -> SearchIndex:
        """Built once: the server's graph is read-only."""
        return SearchIndex.build(self.kg)

    def label(self, iri: str) -> str:
        """The node's label, or its CURIE when it has none."""
        return self.index.label(iri)

    @staticmethod
    def href(iri: str | None) -> str | None:
        """Where a link to ``iri`` goes: this server's page for a project IRI, else the IRI
        itself when it is a web address."""
        if not iri:
            return None
        local = local_path(iri)
        if local is not None:
            return local
        return iri if iri.startswith(("http://", "https://")) else None

    def render(self, request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        page = self.env.get_template(template).render(request=request, **context)
        return HTMLResponse(page, status_code=status, headers=PAGE_HEADERS)

    def not_found(self, request: Request, what: str) -> HTMLResponse:
        return self.render(request, "not_found.html", {"what": what}, status=404)
