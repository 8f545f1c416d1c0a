"""Release version stamps: each ontology header's ``owl:versionIRI`` and ``owl:versionInfo``
derived from the release date, so that no one edits a version by hand.

A header ``<https://w3id.org/bortekg/ontology>`` gets the version IRI
``<https://w3id.org/bortekg/ontology/YYYY-MM-DD>``; a module
``<https://w3id.org/bortekg/ontology/bipn-forms>`` gets ``<.../ontology/bipn-forms/YYYY-MM-DD>``.
Whatever version the repository's header carries is replaced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pyoxigraph as ox

from bortekg import namespaces as ns

_TYPE = ox.NamedNode(ns.RDF + "type")
_ONTOLOGY = ox.NamedNode(ns.OWL + "Ontology")
_VERSION_IRI = ox.NamedNode(ns.OWL + "versionIRI")
_VERSION_INFO = ox.NamedNode(ns.OWL + "versionInfo")


def parse_release_date(text: str) -> str:
    """The date as ``YYYY-MM-DD``; ValueError with a one-line reason when it is not a real date."""
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date: give the release date as YYYY-MM-DD, e.g. 2026-12-01")


def version_iri(ontology_iri: str, date: str) -> str:
    return f"{ontology_iri}/{date}"


def stamp(quads: Iterable[ox.Quad], date: str) -> list[ox.Quad]:
    """The quads with every ontology header's version replaced by the one of ``date``."""
    quads = list(quads)
    headers = {(q.subject, q.graph_name) for q in quads
               if q.predicate == _TYPE and q.object == _ONTOLOGY and isinstance(q.subject, ox.NamedNode)}
    stamped = [q for q in quads
               if not ((q.subject, q.graph_name) in headers and q.predicate in (_VERSION_IRI, _VERSION_INFO))]
    for subject, graph in sorted(headers, key=str):
        stamped.append(ox.Quad(subject, _VERSION_IRI, ox.NamedNode(version_iri(subject.value, date)), graph))
        stamped.append(ox.Quad(subject, _VERSION_INFO, ox.Literal(date), graph))
    return stamped
