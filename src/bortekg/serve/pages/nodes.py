"""Entity, claim and source pages; their IRIs dereference here, as HTML or as RDF (Turtle, JSON-LD)."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bortekg import namespaces as ns
from bortekg.describe import ClaimView, describe, describe_claim
from bortekg.serve.pages import negotiation
from bortekg.serve.pages.rdf import description_triples, has_description, serialise
from bortekg.serve.pages.site import Site

_IS_CLAIM = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
ASK { ?node rdf:type/rdfs:subClassOf* <https://w3id.org/bortekg/Claim> }
"""


def group_by_kind(claims: list[ClaimView]) -> list[tuple[str, list[ClaimView]]]:
    """Claims in groups of the same kind(s), the groups in the order the claims come."""
    groups: dict[str, list[ClaimView]] = {}
    for claim in claims:
        groups.setdefault(", ".join(claim.kinds) or "claim", []).append(claim)
    return list(groups.items())


def is_claim(site: Site, iri: str) -> bool:
    return bool(site.kg.query(_IS_CLAIM, bindings={"node": ox.NamedNode(iri)}))


def routes(site: Site) -> list[BaseRoute]:
    def node_route(path: str, namespace: str, kind: str, html: Callable[[Request, str], Response]) -> Route:
        def endpoint(request: Request) -> Response:
            iri = namespace + request.path_params["name"]
            wanted = negotiation.choose(request.headers.get("accept"))
            if not has_description(site.kg, iri):
                message = f"The graph has no {kind} {ns.curie(iri)}."
                if wanted in (None, negotiation.HTML):
                    return site.not_found(request, message)
                return PlainTextResponse(message + "\n", status_code=404)
            vary = {"Vary": "Accept"}
            if wanted is None:
                offered = ", ".join(negotiation.NODE_TYPES)
                return PlainTextResponse(f"{iri} is available as {offered}; the Accept header asks for "
                                         "none of them.\n", status_code=406, headers=vary)
            if wanted != negotiation.HTML:
                body = serialise(description_triples(site.kg, iri), wanted)
                return Response(body, media_type=wanted, headers=vary)
            response = html(request, iri)
            response.headers.update(vary)
            return response

        return Route(path + "{name}", endpoint, methods=["GET", "HEAD"])

    def node_page(request: Request, iri: str) -> Response:
        description = describe(site.kg, iri)
        return site.render(request, "node.html", {
            "d": description, "groups": group_by_kind(description.claims), "show_role": True})

    def claim_page(request: Request, iri: str) -> Response:
        if not is_claim(site, iri):
            return node_page(request, iri)  # a claim's part: a dose, an arm, a population...
        return site.render(request, "claim.html", {"c": describe_claim(site.kg, iri)})

    def source_page(request: Request, iri: str) -> Response:
        description = describe(site.kg, iri)
        taken = [c for c in description.claims if c.source_iri == iri]
        cited: dict[str, list[ClaimView]] = {}
        for claim in description.claims:
            if claim.source_iri != iri:  # the document is a work the claim's source cites
                cited.setdefault(f"citing it as {claim.role}", []).append(claim)
        groups = [(f"taken from this document: {kind}", claims) for kind, claims in group_by_kind(taken)]
        groups += list(cited.items())
        return site.render(request, "source.html", {"d": description, "groups": groups, "show_role": False})

    return [
        node_route("/entity/", ns.BKE, "entity", node_page),
        node_route("/claim/", ns.BKC, "claim", claim_page),
        node_route("/source/", ns.BKS, "source", source_page),
        node_route("/term/", ns.BASE, "term", node_page),
    ]
