"""The submission gate: check submitted facts against the vocabulary and the SHACL shapes,
in the context of the graph, without re-validating the graph itself.

The SHACL data graph is small: the submission, the stored description of every node it
describes, the stored description of every node those point to (one hop) and the types of
the nodes one step further, the ``rdfs:subClassOf`` closure of every class involved (without it ``sh:class`` and
``sh:targetClass`` see too little), and the ontology's declaration of every property
involved. pyshacl validates only the submission's subjects as focus nodes, on a plain
rdflib graph (never the store: pyshacl over an Oxigraph-backed graph gives false
violations), without inference and never in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg import resources
from bortekg.ingest import Submission
from bortekg.report import SH, Entry, Report, copy_results, new_report_graph, set_conforms
from bortekg.store import KnowledgeGraph, SubmissionRecord
from bortekg.vocabulary import KnownTerms, VocabularyIssue, check_vocabulary

if TYPE_CHECKING:
    import rdflib

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_SUBCLASS_OF = ox.NamedNode(ns.RDFS + "subClassOf")
_META = ox.NamedNode(ns.GRAPH_META)
_ONTOLOGY = ox.NamedNode(ns.GRAPH_ONTOLOGY)
_XSD_STRING = ns.XSD + "string"

SHAPES_NS = ns.BASE + "shapes/"
#: The shape and constraint component named by vocabulary results in SHACL reports.
VOCABULARY_SHAPE = SHAPES_NS + "VocabularyCheck"
VOCABULARY_COMPONENT = SHAPES_NS + "KnownTermConstraintComponent"


class SubmissionRejected(ValueError):
    """A submission that did not pass the gate; ``report`` says why."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(f"the submission does not conform: {report.count('Violation')} violation(s)")


# --------------------------------------------------------------------------- shapes


def load_shapes(files: Iterable[Path] | None = None) -> rdflib.Graph:
    """The SHACL shapes graph: every packaged ``shapes/*.ttl`` unless files are given."""
    paths = tuple(Path(p) for p in (files if files is not None else resources.shapes_files()))
    return _load_shapes(tuple((p, p.stat().st_mtime_ns) for p in paths))


@cache
def _load_shapes(files: tuple[tuple[Path, int], ...]) -> rdflib.Graph:
    import rdflib

    graph = rdflib.Graph()
    for path, _ in files:
        graph.parse(path, format="turtle")
    return graph


# --------------------------------------------------------------------------- context


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


# --------------------------------------------------------------------------- rdflib bridge


def to_rdflib(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    """A plain in-memory rdflib graph that answers repeated SPARQL texts from a parse cache."""
    graph = _query_caching_graph_class()()
    add = graph.add
    for t in triples:
        add((_term(t.subject), _term(t.predicate), _term(t.object)))
    return graph


def _term(term: ox.Term):
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return rdflib.Literal(term.value)  # as rdflib's parsers give a plain string
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"unsupported RDF term {term!r}")


@lru_cache(maxsize=512)
def prepared_query(text: str, namespaces: tuple[tuple[str, str], ...]):
    """A SPARQL text parsed once by rdflib (parsing costs several milliseconds per call)."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text, initNs=dict(namespaces))


@cache
def _query_caching_graph_class():
    """rdflib.Graph whose query() parses each SPARQL text once.

    pyshacl sends the same query text for every focus node (SPARQL-based constraints,
    sh:class lookups) and rdflib would parse it anew each time; with the parsed query cached,
    the per-node cost is only its evaluation.
    """
    import rdflib

    class QueryCachingGraph(rdflib.Graph):
        def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
                  initBindings=None, use_store_provided=True, **kwargs):
            if isinstance(query_object, str) and processor == "sparql" and not kwargs:
                namespaces = initNs if initNs is not None else dict(self.namespaces())
                key = tuple(sorted((str(k), str(v)) for k, v in namespaces.items()))
                query_object = prepared_query(query_object, key)
            return super().query(query_object, processor, result, initNs, initBindings,
                                 use_store_provided, **kwargs)

    return QueryCachingGraph


# --------------------------------------------------------------------------- the gate


@dataclass(frozen=True)
class Gate:
    """What validation needs besides the submission: the graph, its known terms, the shapes."""

    kg: KnowledgeGraph
    shapes: rdflib.Graph
    known: KnownTerms

    @classmethod
    def of(cls, kg: KnowledgeGraph, shapes: rdflib.Graph | None = None) -> Gate:
        return cls(kg, shapes if shapes is not None else load_shapes(), KnownTerms.of(kg))


def validate_submission(
    kg: KnowledgeGraph, submission: Submission, *, gate: Gate | None = None
) -> Report:
    """Vocabulary check, then SHACL over the submission in its graph context."""
    gate = gate or Gate.of(kg)
    issues = check_vocabulary(kg, submission, gate.known)
    context = to_rdflib(context_triples(kg, submission))
    shacl = shacl_report(context, gate.shapes, focus_nodes=_focus_nodes(submission))
    return build_report(submission, context, shacl, issues)


def shacl_report(data: rdflib.Graph, shapes: rdflib.Graph, *, focus_nodes: list[str] | None) -> rdflib.Graph:
    """pyshacl's report graph: no inference, never in place, warnings and infos not blocking."""
    import pyshacl

    _, report_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        inplace=False,
        allow_warnings=True,
        allow_infos=True,
        focus_nodes=focus_nodes,
    )
    return report_graph


def _focus_nodes(submission: Submission) -> list[str]:
    return list(dict.fromkeys(t.subject.value for t in submission.triples))


def validate_and_add(
    kg: KnowledgeGraph,
    submission: Submission,
    *,
    source: str,
    submitter: str | None = None,
    gate: Gate | None = None,
) -> tuple[Report, SubmissionRecord]:
    """Validate, then merge atomically as a submission graph; raise SubmissionRejected if it
    does not conform (the store is then untouched)."""
    report = validate_submission(kg, submission, gate=gate)
    if not report.conforms:
        raise SubmissionRejected(report)
    record = kg.add_submission(
        submission.triples,
        file_name=submission.file_name,
        sha256=submission.sha256,
        source=source,
        submitter=submitter,
    )
    return report, record


# --------------------------------------------------------------------------- reports


def build_report(
    submission: Submission,
    context: rdflib.Graph,
    shacl: rdflib.Graph,
    issues: list[VocabularyIssue],
) -> Report:
    """One report: vocabulary results first, then SHACL results, in file order."""
    import rdflib

    graph = new_report_graph()
    report_node = next(iter(graph.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationReport"))))
    copy_results(shacl, graph, report_node)
    entries = [_vocabulary_entry(submission, context, issue) for issue in issues]
    for issue in issues:
        _add_vocabulary_result(graph, report_node, issue)
    entries += sorted(
        (_shacl_entry(submission, context, shacl, r) for r in shacl.objects(None, rdflib.URIRef(SH + "result"))),
        key=lambda e: (e.line if e.line is not None else 0, e.focus, e.path or "", e.message),
    )
    report = Report(entries=entries, graph=graph, files=[submission.file_name])
    set_conforms(graph, report.conforms)
    return report


def _vocabulary_entry(submission: Submission, context: rdflib.Graph, issue: VocabularyIssue) -> Entry:
    return Entry(
        file=submission.file_name,
        line=issue.line,
        focus=issue.subject.value,
        focus_label=_label(context, issue.subject.value),
        path=ns.curie(issue.predicate.value),
        value=_display(issue.object),
        severity="Violation",
        message=issue.message,
        source_shape=VOCABULARY_SHAPE,
        constraint=_curie(VOCABULARY_COMPONENT),
    )


def _add_vocabulary_result(graph: rdflib.Graph, report_node, issue: VocabularyIssue) -> None:
    import rdflib

    result = rdflib.BNode()
    sh = rdflib.Namespace(SH)
    graph.add((report_node, sh.result, result))
    graph.add((result, rdflib.RDF.type, sh.ValidationResult))
    graph.add((result, sh.focusNode, _term(issue.subject)))
    graph.add((result, sh.resultPath, _term(issue.predicate)))
    graph.add((result, sh.value, _term(issue.object)))
    graph.add((result, sh.resultSeverity, sh.Violation))
    graph.add((result, sh.sourceShape, rdflib.URIRef(VOCABULARY_SHAPE)))
    graph.add((result, sh.sourceConstraintComponent, rdflib.URIRef(VOCABULARY_COMPONENT)))
    graph.add((result, sh.resultMessage, rdflib.Literal(issue.message)))


def _shacl_entry(submission: Submission, context: rdflib.Graph, shacl: rdflib.Graph, result) -> Entry:
    import rdflib

    sh = rdflib.Namespace(SH)
    focus = shacl.value(result, sh.focusNode)
    path = shacl.value(result, sh.resultPath)
    value = shacl.value(result, sh.value)
    severity = shacl.value(result, sh.resultSeverity)
    shape = shacl.value(result, sh.sourceShape)
    component = shacl.value(result, sh.sourceConstraintComponent)
    return Entry(
        file=submission.file_name,
        line=_line(submission, focus, path, value),
        focus=str(focus),
        focus_label=_label(context, str(focus)),
        path=path_text(shacl, path) if path is not None else None,
        value=_display(value) if value is not None else None,
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        message=_message(shacl, result),
        source_shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
        constraint=_curie(str(component)) if component is not None else "",
    )


def _line(submission: Submission, focus, path, value) -> int | None:
    """The line of the offending triple when the submission states it, else of the focus node."""
    import rdflib

    subject = ox.NamedNode(str(focus)) if isinstance(focus, rdflib.URIRef) else None
    if subject is None:
        return None
    if isinstance(path, rdflib.URIRef):
        predicate = ox.NamedNode(str(path))
        obj = _ox_term(value) if value is not None else None
        line = submission.first_line(subject, predicate, obj) if obj is not None else None
        if line is None:
            line = submission.first_line(subject, predicate)
        if line is not None:
            return line
    return submission.first_line(subject)


def _ox_term(term) -> ox.Term | None:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or ns.XSD + "string")))
    return None


def _message(shacl: rdflib.Graph, result) -> str:
    """The shape's sh:message (English or untagged first), else pyshacl's own message."""
    import rdflib

    messages = list(shacl.objects(result, rdflib.URIRef(SH + "resultMessage")))
    for preferred in (lambda m: m.language in (None, "en"), lambda m: True):
        for message in messages:
            if isinstance(message, rdflib.Literal) and preferred(message):
                return str(message)
    return "the node does not satisfy the shape"


def _label(graph: rdflib.Graph, iri: str) -> str | None:
    import rdflib

    labels = [o for o in graph.objects(rdflib.URIRef(iri), rdflib.RDFS.label) if isinstance(o, rdflib.Literal)]
    labels.sort(key=lambda lit: (lit.language not in (None, "en"), str(lit)))
    return str(labels[0]) if labels else None


def _curie(iri: str) -> str:
    """CURIEs for the SHACL and shapes namespaces too."""
    for prefix, namespace in (("sh", SH), ("bksh", SHAPES_NS)):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return ns.curie(iri)


def _display(term) -> str:
    """A value as a curator reads it: a CURIE for an IRI, the lexical form of a literal."""
    if isinstance(term, ox.NamedNode):
        return ns.curie(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return ns.curie(str(term))
    return str(term)


def path_text(graph: rdflib.Graph, path) -> str:
    """A SHACL property path in SPARQL syntax, with CURIEs."""
    import rdflib
    from rdflib.collection import Collection

    sh = rdflib.Namespace(SH)
    if isinstance(path, rdflib.URIRef):
        return ns.curie(str(path))
    if graph.value(path, rdflib.RDF.first) is not None:
        return "/".join(path_text(graph, p) for p in Collection(graph, path))
    for predicate, template in (
        (sh.inversePath, "^{}"), (sh.zeroOrMorePath, "({})*"), (sh.oneOrMorePath, "({})+"),
        (sh.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(path_text(graph, inner))
    alternatives = graph.value(path, sh.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    return str(path)
