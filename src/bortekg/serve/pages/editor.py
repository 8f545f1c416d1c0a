"""The SPARQL editor: a form that posts a query to the endpoint at ``/sparql``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bortekg import namespaces as ns
from bortekg.serve.pages.site import Site

#: The query the editor opens with.
EXAMPLE_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX bkg: <https://w3id.org/bortekg/>
SELECT ?claim ?grade ?pain ?label WHERE {
  ?claim a bkg:DoseModificationRule ; rdfs:label ?label ; bkg:hasCondition ?c .
  ?c bkg:grade ?grade .
  OPTIONAL { ?c bkg:painPresent ?pain }
} ORDER BY ?grade ?claim
"""


def routes(site: Site) -> list[BaseRoute]:
    def editor(request: Request) -> Response:
        query = request.query_params.get("query") or EXAMPLE_QUERY
        return site.render(request, "sparql.html", {"sparql": query, "prefixes": ns.PREFIXES})

    return [Route("/sparql-editor", editor)]
