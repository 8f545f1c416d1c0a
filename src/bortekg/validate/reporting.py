"""Gate results as one report: vocabulary results, SHACL results and knowledge-rule
findings, each with its file, line, focus node, path, value, severity and message."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.ingest import Submission
from bortekg.report import SH, Entry, Report, copy_results, new_report_graph, set_conforms
from bortekg.validate.rules import RULES_NS, Finding
from bortekg.validate.shacl import rdflib_term
from bortekg.vocabulary import VocabularyIssue

if TYPE_CHECKING:
    import rdflib

SHAPES_NS = ns.BASE + "shapes/"
#: The shape and constraint component named by vocabulary results in SHACL reports.
VOCABULARY_SHAPE = SHAPES_NS + "VocabularyCheck"
VOCABULARY_COMPONENT = SHAPES_NS + "KnownTermConstraintComponent"



#: The label reports show beside a node (its IRI -> the label, or None).
Labels = Callable[[str], "str | None"]


def build_report(
    submission: Submission,
    labels: Labels,
    shacl: rdflib.Graph,
    issues: list[VocabularyIssue],
    findings: Sequence[Finding] = (),
) -> Report:
    """One report: vocabulary results first, then SHACL results in file order, then the
    knowledge rules' findings in file order."""
    import rdflib

    graph = new_report_graph()
    report_node = next(iter(graph.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationReport"))))
    copy_results(shacl, graph, report_node)
    entries = [_vocabulary_entry(submission, labels, issue) for issue in issues]
    for issue in issues:
        _add_vocabulary_result(graph, report_node, issue)
    entries += sorted(
        (_shacl_entry(submission, labels, shacl, r) for r in shacl.objects(None, rdflib.URIRef(SH + "result"))),
        key=lambda e: (e.line if e.line is not None else 0, e.focus, e.path or "", e.message),
    )
    rule_entries = []
    for finding in findings:
        rule_entries.append(_finding_entry(submission, labels, finding))
        _add_finding_result(graph, report_node, finding)
    entries += sorted(rule_entries, key=lambda e: (e.line if e.line is not None else 0, e.focus, e.constraint))
    report = Report(entries=entries, graph=graph, files=[submission.file_name])
    set_conforms(graph, report.conforms)
    return report


def _finding_entry(submission: Submission, labels: Labels, finding: Finding) -> Entry:
    line = finding.line if finding.line is not None else submission.first_line(finding.focus)
    return Entry(
        file=submission.file_name,
        line=line,
        focus=finding.focus.value,
        focus_label=_label(labels, finding.focus.value),
        path=ns.curie(finding.path) if finding.path else None,
        value=_display(finding.value) if finding.value is not None else None,
        severity=finding.severity,
        message=finding.message,
        source_shape=finding.rule.iri,
        constraint=_curie(finding.rule.iri),
    )


def _add_finding_result(graph: rdflib.Graph, report_node, finding: Finding) -> None:
    """A knowledge-rule finding as a standard sh:ValidationResult (the rule is its source)."""
    import rdflib

    sh = rdflib.Namespace(SH)
    result = rdflib.BNode()
    graph.add((report_node, sh.result, result))
    graph.add((result, rdflib.RDF.type, sh.ValidationResult))
    graph.add((result, sh.focusNode, rdflib_term(finding.focus)))
    if finding.path:
        graph.add((result, sh.resultPath, rdflib.URIRef(finding.path)))
    if finding.value is not None:
        graph.add((result, sh.value, rdflib_term(finding.value)))
    graph.add((result, sh.resultSeverity, sh[finding.severity]))
    graph.add((result, sh.sourceShape, rdflib.URIRef(finding.rule.iri)))
    graph.add((result, sh.sourceConstraintComponent, rdflib.URIRef(finding.rule.iri)))
    graph.add((result, sh.resultMessage, rdflib.Literal(finding.message)))


def _vocabulary_entry(submission: Submission, labels: Labels, issue: VocabularyIssue) -> Entry:
    return Entry(
        file=submission.file_name,
        line=issue.line,
        focus=issue.subject.value,
        focus_label=_label(labels, issue.subject.value),
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
    graph.add((result, sh.focusNode, rdflib_term(issue.subject)))
    graph.add((result, sh.resultPath, rdflib_term(issue.predicate)))
    graph.add((result, sh.value, rdflib_term(issue.object)))
    graph.add((result, sh.resultSeverity, sh.Violation))
    graph.add((result, sh.sourceShape, rdflib.URIRef(VOCABULARY_SHAPE)))
    graph.add((result, sh.sourceConstraintComponent, rdflib.URIRef(VOCABULARY_COMPONENT)))
    graph.add((result, sh.resultMessage, rdflib.Literal(issue.message)))


def _shacl_entry(submission: Submission, labels: Labels, shacl: rdflib.Graph, result) -> Entry:
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
        focus_label=_label(labels, str(focus)),
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


def _label(labels: Labels, iri: str) -> str | None:
    return labels(iri)


def graph_labels(graph: rdflib.Graph) -> Labels:
    """The labels of an rdflib graph: English or untagged first, then by text."""
    return lambda iri: _graph_label(graph, iri)


def _graph_label(graph: rdflib.Graph, iri: str) -> str | None:
    import rdflib

    labels = [o for o in graph.objects(rdflib.URIRef(iri), rdflib.RDFS.label) if isinstance(o, rdflib.Literal)]
    labels.sort(key=lambda lit: (lit.language not in (None, "en"), str(lit)))
    return str(labels[0]) if labels else None


def _curie(iri: str) -> str:
    """CURIEs for the SHACL and shapes namespaces too."""
    for prefix, namespace in (("sh", SH), ("bksh", SHAPES_NS), ("rule", RULES_NS)):
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
