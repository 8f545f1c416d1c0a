"""bortekg: a clinical reasoning knowledge graph about bortezomib.

The package imports only pyoxigraph on its query path; rdflib, pyshacl, owlready2,
networkx and matplotlib are imported lazily by the modules that need them.
"""

from bortekg.store import KnowledgeGraph

__all__ = ["KnowledgeGraph", "__version__"]
__version__ = "0.1.0"
