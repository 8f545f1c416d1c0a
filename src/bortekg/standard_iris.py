"""The graph with standard identifiers in place of the project's entity IRIs, for federation.

Each entity with a verified ``skos:exactMatch`` is written under one standard IRI, chosen by
vocabulary preference (a chemical or ontology identifier before a database record); the
project IRI stays reachable as that node's ``skos:exactMatch``. Mappings a submission marked
``bkg:unverifiedMapping`` are never used, nor is an identifier two entities share, and an
entity without a usable mapping keeps its project IRI.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from bortekg import namespaces as ns

EXACT_MATCH = ox.NamedNode(ns.SKOS + "exactMatch")
UNVERIFIED = ox.NamedNode(ns.BKG + "unverifiedMapping")

#: Vocabularies in the order an entity's standard IRI is chosen from.
PREFERENCE = ("CHEBI", "MONDO", "HP", "DOID", "GO", "UBERON", "CL", "MAXO", "NCIT", "MESH", "UNIPROT",
              "HGNC", "NCBIGENE", "DRUGBANK", "PUBCHEM.COMPOUND", "RXNORM", "ATC", "MEDDRA", "CVX")


def standard_iri_map(quads: Iterable[ox.Quad]) -> dict[ox.NamedNode, ox.NamedNode]:
    """Project entity IRI -> the standard IRI it is written under."""
    matches: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    unverified: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    owners: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
    for quad in quads:
        if not isinstance(quad.subject, ox.NamedNode) or not isinstance(quad.object, ox.NamedNode):
            continue
        if quad.predicate == EXACT_MATCH and quad.subject.value.startswith(ns.BKE):
            matches[quad.subject].add(quad.object)
            owners[quad.object].add(quad.subject)
        elif quad.predicate == UNVERIFIED:
            unverified[quad.subject].add(quad.object)
    chosen = {}
    for entity, targets in matches.items():
        usable = [t for t in targets if t not in unverified[entity] and len(owners[t]) == 1]
        ranked = sorted(usable, key=lambda t: (_rank(t), t.value))
        if ranked and _rank(ranked[0]) < len(PREFERENCE):
            chosen[entity] = ranked[0]
    return chosen


def _rank(iri: ox.NamedNode) -> int:
    prefix = ns.curie(iri.value).split(":", 1)[0]
    return PREFERENCE.index(prefix) if prefix in PREFERENCE else len(PREFERENCE)


def with_standard_iris(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """The quads with every mapped entity renamed to its standard IRI; the entity's link to
    itself becomes a link to its project IRI, and unverified mappings are left out."""
    quads = list(quads)
    rename = standard_iri_map(quads)
    unverified = {(q.subject, q.object) for q in quads if q.predicate == UNVERIFIED}
    for quad in quads:
        if quad.predicate == UNVERIFIED or (quad.predicate.value in _MAPPINGS and (quad.subject, quad.object) in unverified):
            continue
        if quad.predicate == EXACT_MATCH and rename.get(quad.subject) == quad.object:
            yield ox.Quad(quad.object, EXACT_MATCH, quad.subject, quad.graph_name)
            continue
        subject = rename.get(quad.subject, quad.subject) if isinstance(quad.subject, ox.NamedNode) else quad.subject
        obj = rename.get(quad.object, quad.object) if isinstance(quad.object, ox.NamedNode) else quad.object
        yield ox.Quad(subject, quad.predicate, obj, quad.graph_name)


_MAPPINGS = {ns.SKOS + p for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")}
