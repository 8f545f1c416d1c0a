"""bortekg: a clinical reasoning knowledge graph about bortezomib.

The package imports only pyoxigraph on its query path; rdflib, pyshacl, owlready2,
networkx and matplotlib are imported lazily by the modules that need them.
"""

from __future__ import annotations

from bortekg.store import KnowledgeGraph

__all__ = ["KnowledgeGraph", "__version__"]


def __getattr__(name: str) -> str:
    # The version is written once, in pyproject.toml, and read from the installed metadata
    # on first use: importlib.metadata costs milliseconds that the query path need not pay.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("bortekg")
        except PackageNotFoundError:  # a source tree on sys.path that was never installed
            return "0+unknown"
    raise AttributeError(f"module 'bortekg' has no attribute {name!r}")
