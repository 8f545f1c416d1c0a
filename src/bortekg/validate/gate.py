"""The submission gate: reading is done by ``bortekg.ingest``; here the vocabulary check,
the SHACL shapes in the graph context, and the knowledge rules run in turn, and an accepted
submission is handed to the store, which alone writes."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from bortekg.ingest import Submission
from bortekg.progress import Progress, silent
from bortekg.report import Report
from bortekg.store import KnowledgeGraph, SubmissionRecord
from bortekg.validate.compiled import (
    CompiledShapes,
    ScratchGraph,
    compile_shapes,
    report_graph,
    run_compiled,
)
from bortekg.validate.context import context_triples
from bortekg.validate.facts import GraphFacts
from bortekg.validate.protection import changes_ontology
from bortekg.validate.quotes import new_source_indexes
from bortekg.validate.reporting import build_report, graph_labels
from bortekg.validate.rules import RuleContext, run_rules
from bortekg.validate.shacl import load_shapes, shacl_report, to_rdflib
from bortekg.validate.view import SubmissionView
from bortekg.vocabulary import KnownTerms, check_vocabulary

if TYPE_CHECKING:
    import rdflib


class SubmissionRejected(ValueError):
    """A submission that did not pass the gate; ``report`` says why."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(f"the submission does not conform: {report.count('Violation')} violation(s)")



#: The engines that evaluate the shapes: the shapes compiled to SPARQL run by pyoxigraph (the
#: default), or pyshacl, the reference, over an rdflib copy of the same context.
ENGINES = ("compiled", "pyshacl")


@dataclass
class Gate:
    """What validation needs besides the submission: the graph, its known terms, the shapes
    (and the engine that evaluates them), and the facts the knowledge rules derive from the
    graph (read on first use, then kept: build a new gate after the graph changes)."""

    kg: KnowledgeGraph
    shapes: rdflib.Graph
    known: KnownTerms
    engine: str = "compiled"
    compiled: CompiledShapes | None = field(default=None, repr=False)
    _facts: GraphFacts | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"unknown SHACL engine {self.engine!r}: use one of {', '.join(ENGINES)}")
        if self.engine == "compiled" and self.compiled is None:
            self.compiled = _compiled(self.shapes)  # refuses shapes it cannot compile, here

    @classmethod
    def of(cls, kg: KnowledgeGraph, shapes: rdflib.Graph | None = None, *, engine: str = "compiled") -> Gate:
        return cls(kg, shapes if shapes is not None else load_shapes(), KnownTerms.of(kg), engine)

    def forget(self) -> None:
        """Drop what was derived from the graph (after it changed), and its known terms."""
        self._facts = None
        self.known = KnownTerms.of(self.kg)

    @property
    def facts(self) -> GraphFacts:
        if self._facts is None:
            self._facts = GraphFacts.of(self.kg)
        return self._facts


_COMPILED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _compiled(shapes: rdflib.Graph) -> CompiledShapes:
    """The shapes compiled once per shapes graph (``load_shapes`` hands out the same graph for
    the same files), again if the graph changed size since."""
    known = _COMPILED.get(shapes)
    if known is None or known[0] != len(shapes):
        known = (len(shapes), compile_shapes(shapes))
        _COMPILED[shapes] = known
    return known[1]


def validate_submission(
    kg: KnowledgeGraph,
    submission: Submission,
    *,
    gate: Gate | None = None,
    source_texts: Mapping[str, bytes] | None = None,
    progress: Progress = silent,
) -> Report:
    """The whole gate: vocabulary, then SHACL over the submission in its graph context, then
    the knowledge rules. ``source_texts`` gives the text of each source document the
    submission adds (source IRI -> bytes), to verify its quotes against; ``progress`` is told
    each layer as it starts."""
    return _validate(kg, submission, gate or Gate.of(kg), source_texts or {}, progress)[0]


def _validate(kg: KnowledgeGraph, submission: Submission, gate: Gate,
              source_texts: Mapping[str, bytes], progress: Progress = silent) -> tuple[Report, RuleContext]:
    progress(f"{submission.file_name}: vocabulary of {len(submission.triples):,} triples")
    issues = check_vocabulary(kg, submission, gate.known)
    # Statements that would change the ontology are refused by the knowledge rules; the shapes
    # check the rest against the ontology as it is (a submitted "bkg:Drug rdfs:subClassOf
    # bkg:Claim" must not make every drug of the submission a claim to the shapes).
    schema_terms = gate.facts.schema.schema_terms
    instance_data = replace(submission, triples=tuple(
        t for t in submission.triples if not changes_ontology(t, schema_terms)))
    progress(f"{submission.file_name}: shapes, with the graph context")
    labels, shacl = shapes_report(kg, instance_data, gate)
    progress(f"{submission.file_name}: knowledge rules")
    rule_context = RuleContext(gate.facts, dict(source_texts))
    view = SubmissionView(submission, kg, gate.facts.schema)
    findings = run_rules(view, rule_context)
    return build_report(submission, labels, shacl, issues, findings), rule_context


def shapes_report(kg: KnowledgeGraph, submission: Submission, gate: Gate):
    """(label of a node in the context, SHACL report graph) from the gate's engine."""
    context = context_triples(kg, submission)
    focus = list(dict.fromkeys(t.subject for t in submission.triples))
    if gate.engine == "pyshacl":
        graph = to_rdflib(context)
        return graph_labels(graph), shacl_report(graph, gate.shapes, focus_nodes=[n.value for n in focus])
    scratch = ScratchGraph(context)
    compiled = gate.compiled or _compiled(gate.shapes)
    return scratch.label, report_graph(run_compiled(compiled, scratch, focus), gate.shapes)


def validate_and_add(
    kg: KnowledgeGraph,
    submission: Submission,
    *,
    source: str,
    submitter: str | None = None,
    gate: Gate | None = None,
    source_texts: Mapping[str, bytes] | None = None,
    progress: Progress = silent,
) -> tuple[Report, SubmissionRecord]:
    """Validate, then merge atomically as a submission graph, with the text indexes of the
    sources it adds; raise DuplicateSubmissionError if the same file was accepted before and
    SubmissionRejected if it does not conform (the store is then untouched)."""
    kg.refuse_if_added(submission.file_name, submission.sha256)  # before any work, with its own message
    gate = gate or Gate.of(kg)
    report, rule_context = _validate(kg, submission, gate, source_texts or {}, progress)
    if not report.conforms:
        raise SubmissionRejected(report)
    indexes = new_source_indexes(rule_context.source_texts)
    progress(f"{submission.file_name}: writing the submission in one transaction")
    record = kg.add_submission(
        [*submission.triples, *_recorded_digests(submission, indexes)],
        file_name=submission.file_name,
        sha256=submission.sha256,
        source=source,
        submitter=submitter,
        source_indexes=indexes,
    )
    gate.forget()  # the graph changed: what the rules derived from it is read again
    return report, record


def _recorded_digests(submission: Submission, indexes: list) -> list:
    """``bkg:textSha256`` for each new source whose submission does not record it already:
    the source node records the digest of the text its quotes were verified against."""
    import pyoxigraph as ox

    from bortekg import namespaces as ns

    digest = ox.NamedNode(ns.BKG + "textSha256")
    recorded = {t.subject.value for t in submission.triples if t.predicate == digest}
    return [ox.Triple(ox.NamedNode(index.source), digest, ox.Literal(index.sha256))
            for index in indexes if index.source not in recorded]
