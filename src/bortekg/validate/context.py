"""The graph context a submission is validated in.

The SHACL data graph is small: the submission, the stored description of every node it
describes, the stored description of every node those point to (one hop) and the types of
the nodes one step further, the ``rdfs:subClassOf`` closure of every class involved (without
it ``sh:class`` and ``sh:targetClass`` see too little), and the ontology's declaration of
every property involved.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.ingest import Submission
from bortekg.store import KnowledgeGraph

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_SUBCLASS_OF = ox.NamedNode(ns.RDFS + "subClassOf")
_META = ox.NamedNode(ns.GRAPH_META)
_ONTOLOGY = ox.NamedNode(ns.GRAPH_ONTOLOGY)



def context_triples(kg: KnowledgeGraph, submission: Submission) -> set[ox.Triple]:
    """The submission with the graph context its focus nodes are validated in."""
    triples = set(submission.triples)
    focus = {t.subject for t in submission.triples}
    for node in focus:
        triples.update(_stored_description(kg, node))
    neighbours = {t.object for t in triples if isinstance(t.object, ox.NamedNode)} - focus
    for node in neighbours:
        triples.update(_stored_description(kg, node))
    # the types one step further, so that sh:class on a neighbour's values sees them
    for node in {t.object for t in triples if isinstance(t.object, ox.NamedNode)} - focus - neighbours:
        triples.update(q.triple for q in kg.store.quads_for_pattern(node, _RDF_TYPE, None) if q.graph_name != _META)
    classes = {t.object for t in triples if t.predicate == _RDF_TYPE and isinstance(t.object, ox.NamedNode)}
    triples.update(_superclass_closure(kg, classes))
    for predicate in {t.predicate for t in triples}:
        triples.update(q.triple for q in kg.store.quads_for_pattern(predicate, None, None, _ONTOLOGY))
    return triples


def _stored_description(kg: KnowledgeGraph, node: ox.NamedNode | ox.BlankNode) -> Iterable[ox.Triple]:
    return (q.triple for q in kg.store.quads_for_pattern(node, None, None) if q.graph_name != _META)


def _superclass_closure(kg: KnowledgeGraph, classes: set[ox.NamedNode]) -> set[ox.Triple]:
    found: set[ox.Triple] = set()
    seen: set[ox.Term] = set()
    todo = list(classes)
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for quad in kg.store.quads_for_pattern(cls, _SUBCLASS_OF, None):
            found.add(quad.triple)
            todo.append(quad.object)
    return found


