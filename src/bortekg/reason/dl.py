"""OWL 2 DL reasoning with HermiT: consistency, classification, realisation, explanations."""

from __future__ import annotations

import time
from collections.abc import Iterable

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.progress import Progress, silent
from bortekg.reason.axioms import Axiom, AxiomSet, logical_triples, to_ntriples
from bortekg.reason.explain import (
    Deadline,
    inconsistency_oracle,
    minimal_explanation,
    unsatisfiability_oracle,
)
from bortekg.reason.graph_input import ReasoningInput
from bortekg.reason.hermit import ReasonerTimeoutError, run_hermit
from bortekg.reason.render import AxiomRenderer
from bortekg.reason.report import ClassMembers, Explanation, ReasoningReport
from bortekg.reason.taxonomy import Taxonomy
from bortekg.store import KnowledgeGraph

REASONER = "HermiT (bundled with owlready2)"

#: At most this many unsatisfiable classes are explained (each costs a search).
MAX_EXPLAINED_CLASSES = 3


def reason_dl(
    kg: KnowledgeGraph,
    *,
    extra: Iterable[ox.Triple] = (),
    timeout: float = 60.0,
    explain: bool = True,
    progress: Progress = silent,
) -> ReasoningReport:
    """Check, classify and realise the graph (plus ``extra`` triples, which are not stored).

    Without ``extra``, the entailed class memberships and subclass links that are not
    asserted replace the inferred-triples graph of ``kg``.
    """
    started = time.monotonic()
    extra = list(extra)
    progress("reading the graph")
    source = ReasoningInput.of(kg, extra)
    logical = logical_triples(source.triples)
    progress(f"HermiT: consistency, classification and realisation of {len(logical):,} logical triples")
    run = run_hermit(to_ntriples(logical), ["-c", "-I"], timeout=timeout)
    report = ReasoningReport(profile="dl", reasoner=REASONER, consistent=run.consistent, seconds=0.0)
    classes = source.named(ns.OWL + "Class")
    report.classes = len(classes)
    report.individuals = len(source.named(ns.OWL + "NamedIndividual"))
    if not run.consistent:
        if explain:
            progress("the graph is inconsistent: searching for a minimal explanation")
            report.explanations.append(_explain_inconsistency(source, logical, timeout))
    else:
        taxonomy = Taxonomy.parse(run.output)
        report.unsatisfiable = taxonomy.unsatisfiable
        if explain:
            for number, cls_iri in enumerate(report.unsatisfiable[:MAX_EXPLAINED_CLASSES], 1):
                progress(f"explaining unsatisfiable class {number} of "
                         f"{min(len(report.unsatisfiable), MAX_EXPLAINED_CLASSES)}: {source.name(cls_iri)}")
                report.explanations.append(_explain_unsatisfiable(source, logical, cls_iri, timeout))
        inferred = taxonomy.entailed_triples(classes) - source.triples
        report.defined_classes = _defined_class_members(source, taxonomy)
        report.inferred_triples = len(inferred)
        if not extra:
            progress(f"storing {len(inferred):,} inferred triples")
            kg.replace_inferred(inferred)
            report.stored = True
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _defined_class_members(source: ReasoningInput, taxonomy: Taxonomy) -> list[ClassMembers]:
    """Every class with an equivalent-class definition (other than an enumeration of its
    members, as the value sets have) and the individuals realised in it."""
    enumerations = {t.subject for t in source.triples if t.predicate.value == ns.OWL + "oneOf"}
    defined = sorted({
        t.subject.value
        for t in source.triples
        if t.predicate.value == ns.OWL + "equivalentClass"
        and isinstance(t.subject, ox.NamedNode)
        and isinstance(t.object, ox.BlankNode)
        and t.object not in enumerations
    })
    members: dict[str, list[str]] = {iri: [] for iri in defined}
    for individual in taxonomy.direct_types:
        for cls_iri in taxonomy.types(individual) & set(defined):
            members[cls_iri].append(individual)
    return [
        ClassMembers(source.name(iri), sorted(source.name(m) for m in members[iri])) for iri in defined
    ]


def _explanation(
    source: ReasoningInput, axioms: AxiomSet, found: list[Axiom], problem: str, complete: bool, note: str
) -> Explanation:
    renderer = AxiomRenderer(source.labels)
    terms = {n for a in found for n in a.signature()}

    def declared(kind: str) -> list[str]:
        return sorted(
            source.name(n.value)
            for n in terms
            if any(d.object.value == ns.OWL + kind for d in axioms.declarations.get(n, ()))
        )

    return Explanation(
        problem=problem,
        axioms=[renderer.axiom(a) for a in found],
        individuals=declared("NamedIndividual"),
        classes=declared("Class"),
        complete=complete,
        note=note,
    )


def _search(source: ReasoningInput, axioms: AxiomSet, oracle, seeds, problem: str) -> Explanation:
    suspects = {a for a in axioms.axioms if a.main in source.new}
    try:
        found = minimal_explanation(axioms, oracle, suspects=suspects, seeds=seeds)
    except ReasonerTimeoutError as error:
        return _explanation(source, axioms, [], problem, False, f"no explanation: {error}")
    return _explanation(source, axioms, found, problem, True, "")


def _explain_inconsistency(source: ReasoningInput, logical: list[ox.Triple], timeout: float) -> Explanation:
    axioms = AxiomSet.of(logical)
    oracle = inconsistency_oracle(axioms, Deadline.after(timeout))
    # where the new facts do not settle it (or there are none), the OWL 2 RL rules
    # (in-process, a fraction of a second) usually point at the individual in a clash
    from bortekg.reason.rl import rl_clashes

    seeds = {ox.NamedNode(iri) for clash in rl_clashes(logical) for iri in clash if not iri.startswith(ns.OWL)}
    return _search(source, axioms, oracle, seeds, "the graph is inconsistent: no model satisfies all its axioms")


def _explain_unsatisfiable(
    source: ReasoningInput, logical: list[ox.Triple], cls_iri: str, timeout: float
) -> Explanation:
    axioms = AxiomSet.of(logical)
    oracle = unsatisfiability_oracle(axioms, cls_iri, Deadline.after(timeout))
    problem = f"{source.name(cls_iri)} is unsatisfiable: nothing can be a member of it"
    return _search(source, axioms, oracle, {ox.NamedNode(cls_iri)}, problem)
