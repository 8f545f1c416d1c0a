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
from bortekg.reason.modular import labels_of, read_schema, reason_modular
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
    if not extra:
        report = _reason_by_modules(kg, timeout=timeout, progress=progress)
        if report is not None:
            report.seconds = round(time.monotonic() - started, 3)
            return report
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


def _reason_by_modules(kg: KnowledgeGraph, *, timeout: float, progress: Progress) -> ReasoningReport | None:
    """HermiT on the schema and the individuals the defined classes can classify, the class
    hierarchy and the domains and ranges for the rest (bortekg.reason.modular); None when the
    schema reaches further or something is wrong, for whole-graph reasoning to find and explain."""
    progress("reading the graph: its schema, and the individuals' classes and profiles")
    schema, not_local = read_schema(kg)
    if not_local:
        progress(f"the schema reaches individuals beyond its module ({not_local[0]}): reasoning over the whole graph")
        return None
    progress(f"HermiT: consistency, classification and realisation of the schema ({len(schema.classes):,} "
             "classes) with one representative per profile; the class hierarchy, domains and ranges for the others")
    result = reason_modular(kg, schema, timeout=timeout)
    if result.problem is not None or result.taxonomy is None:
        progress(f"{result.problem}: reasoning over the whole graph to explain it")
        return None
    report = ReasoningReport(profile="dl", reasoner=REASONER, consistent=True, seconds=0.0)
    report.classes = len(schema.classes)
    rows = kg.query("SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a <http://www.w3.org/2002/07/owl#NamedIndividual> "
                    "FILTER(isIRI(?x)) }", with_inferred=False)
    report.individuals = int(next(iter(rows))["n"].value)
    members: dict[str, list[str]] = {iri: [] for iri in sorted(schema.defined)}
    for individual, types in result.members.items():
        for cls_iri in types & schema.defined:
            members[cls_iri].append(individual)
    labels = labels_of(kg, [*members, *(m for found in members.values() for m in found)])

    def name(iri: str) -> str:
        return f"{labels[iri]} ({ns.curie(iri)})" if iri in labels else ns.curie(iri)

    report.defined_classes = [ClassMembers(name(c), sorted(name(m) for m in found)) for c, found in members.items()]
    report.inferred_triples = len(result.inferred)
    progress(f"storing {len(result.inferred):,} inferred triples")
    kg.replace_inferred(result.inferred)
    report.stored = True
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
