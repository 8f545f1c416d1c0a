"""Dated releases: the ontology in three syntaxes, the knowledge base, documentation, a
manifest of hashes and a semantic changelog (``bortekg release``)."""
