"""The web face of bortekg: a read-only SPARQL endpoint and HTML pages over the same Python API
as the command line (``bortekg serve``). ``sparql`` holds the SPARQL 1.1 Protocol routes,
``pages`` the HTML pages; ``app`` puts them together."""

from bortekg.serve.app import create_app
from bortekg.serve.state import ServerState, ServeSettings

__all__ = ["ServeSettings", "ServerState", "create_app"]
