"""The SPARQL 1.1 Protocol at ``/sparql`` and the health check at ``/health``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bortekg.serve.state import ServerState


def routes(state: ServerState) -> list[BaseRoute]:
    """The machine-facing routes."""

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "triples": len(state.kg)})

    return [Route("/health", health)]
