"""The module of the graph one patient's assessment reads, extracted with indexed pattern reads.

The assessment queries (queries/assess/*.rq) start from the patient and reach only: the
claims of a few kinds anchored on the patient's terms (their drug, findings, diseases,
medications and neuropathy) or on what those terms are a kind of, the claims the form classes
prompt, and the labels and value sets the answers are worded with. This module
holds that part of the graph, so the cost of an assessment grows with what the sources say
about the patient's drug and findings, not with the size of the graph (copying the whole
store into a scratch graph for every patient took seconds on a million triples).

What each assessment query needs is written down once, in ``ANCHORED_CLAIMS`` and the term
sets below; the test suite checks, for every patient case in ``tests/patients/``, that the
assessment over this module equals the assessment over a copy of the whole graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.clinical.patient import GRAPH_PATIENT, Patient, patient_triples
from bortekg.store import KnowledgeGraph

_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_LABEL = ox.NamedNode(ns.RDFS + "label")


def _bkg(name: str) -> ox.NamedNode:
    return ox.NamedNode(ns.BKG + name)


#: The paths the queries follow from a term to what it is a kind of (``bkg:subtypeOf*``), to
#: the drug or drug class it uses or belongs to (avoid.rq), to a drug's classes (monitoring.rq).
SUBTYPE = (_bkg("subtypeOf"),)
FORM_OF = (_bkg("subtypeOf"), _bkg("usesDrug"), _bkg("memberOfDrugClass"))
DRUG_CLASS = (_bkg("memberOfDrugClass"),)

#: (claim class, predicate, term set): the claims of that class whose predicate points at a
#: term of the set are the ones an assessment query can match. The term sets are computed
#: from the patient in ``_term_sets``.
ANCHORED_CLAIMS: tuple[tuple[str, str, str], ...] = (
    ("AvoidanceClaim", "condition", "neuropathy and what it is a kind of"),  # avoid-general.rq
    ("AvoidanceClaim", "intervention", "medications and their forms"),  # avoid.rq
    ("TreatmentRecommendation", "condition", "diagnoses"),  # comorbidities.rq
    ("TreatmentRecommendation", "condition", "neuropathy"),  # pain-treatment.rq
    ("TreatmentRecommendation", "finding", "features and what they are a kind of"),  # finding-treatment.rq
    ("TreatmentRecommendation", "drug", "drug and its classes"),  # prevention.rq
    ("MonitoringRecommendation", "finding", "features and what they are a kind of"),  # finding-alerts.rq
    ("MonitoringRecommendation", "drug", "drug and its classes"),  # monitoring.rq
    ("FormFeatureClaim", "finding", "features and what they are a kind of"),  # form-features.rq
    ("RiskFactorClaim", "drug", "drug and its classes"),  # risk-factors.rq
    ("DoseModificationRule", "drug", "drug and its classes"),  # dose-rules.rq, pain-dependent-rules.rq
    ("RouteChangeRecommendation", "drug", "drug and its classes"),  # route-change.rq
    ("ScheduleChangeRecommendation", "drug", "drug and its classes"),  # schedule-change.rq
)

#: Value sets whose member order words the answers (``_Context.value_order``).
VALUE_SETS = ("RecommendationStrength", "LineOfTherapy")


class GraphReader:
    """Pattern reads over the content graphs of a knowledge graph, as its queries see them
    (the inferred graph included unless ``with_inferred`` is False)."""

    def __init__(self, kg: KnowledgeGraph, *, with_inferred: bool = True) -> None:
        self.store = kg.store
        self.graphs = kg.content_graphs(with_inferred=with_inferred)

    def quads(self, subject=None, predicate=None, object=None) -> Iterator[ox.Quad]:
        for graph in self.graphs:  # one indexed read per graph: the meta graph is never read
            yield from self.store.quads_for_pattern(subject, predicate, object, graph)

    def objects(self, subject, predicate) -> set[ox.Term]:
        return {q.object for q in self.quads(subject, predicate, None)}

    def subjects(self, predicate, object) -> set[ox.Term]:
        return {q.subject for q in self.quads(None, predicate, object)}

    def has_type(self, node: ox.Term, cls: ox.NamedNode) -> bool:
        return next(self.quads(node, _RDF_TYPE, cls), None) is not None

    def closure(self, start: Iterable[ox.Term], predicates: tuple[ox.NamedNode, ...], *,
                upward: bool = True) -> tuple[set[ox.Term], list[ox.Quad]]:
        """``start`` and every term a chain of ``predicates`` leads to (or, not ``upward``,
        comes from), and the links of those chains."""
        found = set(start)
        stack, links = list(found), []
        while stack:
            term = stack.pop()
            for predicate in predicates:
                step = list(self.quads(term, predicate, None) if upward else self.quads(None, predicate, term))
                links += step
                for link in step:
                    other = link.object if upward else link.subject
                    if other not in found:
                        found.add(other)
                        stack.append(other)
        return found, links


class _Module:
    """The quads of the module, gathered read by read."""

    def __init__(self, reader: GraphReader) -> None:
        self.read = reader
        self.quads: dict[ox.Quad, None] = {}
        self._described: set[ox.Term] = set()
        self._read_about: set[ox.Term] = set()  # named nodes whose own statements are in

    def add(self, quads: Iterable[ox.Quad]) -> None:
        self.quads.update(dict.fromkeys(quads))

    def closure(self, start: Iterable[ox.Term], predicates: tuple[ox.NamedNode, ...], *, upward: bool = True) -> set[ox.Term]:
        found, links = self.read.closure(start, predicates, upward=upward)
        self.add(links)
        return found

    def describe(self, node: ox.Term) -> None:
        """Every statement about ``node``, and about the blank nodes and claim parts (rule
        conditions) it opens: the queries' OPTIONAL and NOT EXISTS patterns read any of them."""
        if node in self._described:
            return
        self._described.add(node)
        quads = list(self.read.quads(node, None, None))
        self.add(quads)
        for quad in quads:
            target = quad.object
            if isinstance(target, ox.BlankNode) or (isinstance(target, ox.NamedNode) and target.value.startswith(ns.BKC)):
                self.describe(target)
            elif isinstance(target, ox.NamedNode) and target not in self._read_about:
                # what a claim points at (intervention, source, evidence kind, modality):
                # its own statements (labels, types, bkg:supportsRecommendation, drug classes)
                self._read_about.add(target)
                self.add(self.read.quads(target, None, None))

    def labels(self, patient: Iterable[ox.Triple]) -> None:
        """The labels of every IRI in the module and in the patient's statements: the answers
        are worded with them."""
        statements = [*self.quads, *patient]
        names = {t for q in statements for t in (q.subject, q.object) if isinstance(t, ox.NamedNode)}
        for name in names - self._described - self._read_about:  # their labels are in already
            self.add(self.read.quads(name, _LABEL, None))


def _term_sets(module: _Module, patient: Patient, triples: list[ox.Triple]) -> dict[str, set[ox.Term]]:
    def objects(predicate: str) -> set[ox.Term]:
        return {t.object for t in triples if t.predicate.value == ns.BKG + predicate}

    features, diagnoses, medications = objects("hasFeature"), objects("hasDiagnosis"), objects("takesMedication")
    drugs, neuropathy = objects("receivedDrug"), objects("adverseEffect")
    medication_forms = (
        module.closure(medications, FORM_OF)  # the medication is a form of the intervention
        | module.closure(medications | drugs, FORM_OF, upward=False)  # the intervention uses it
    )
    return {
        "neuropathy": neuropathy,
        "neuropathy and what it is a kind of": module.closure(neuropathy, SUBTYPE),
        "medications and their forms": medication_forms,
        "diagnoses": diagnoses,
        "features and what they are a kind of": module.closure(features, SUBTYPE),
        "diagnoses, features and what they are a kind of": module.closure(diagnoses | features, SUBTYPE),
        "drug and its classes": module.closure(drugs, DRUG_CLASS),
    }


def patient_module(kg: KnowledgeGraph, patient: Patient) -> list[ox.Quad]:
    """The quads of ``kg`` that the assessment of ``patient`` reads (the patient not included)."""
    module = _Module(GraphReader(kg))
    triples = patient_triples(patient)
    terms = _term_sets(module, patient, triples)
    claims: set[ox.Term] = set()
    for cls, predicate, term_set in ANCHORED_CLAIMS:
        for term in terms[term_set]:
            claims |= {c for c in module.read.subjects(_bkg(predicate), term) if module.read.has_type(c, _bkg(cls))}
    # form-prompts.rq: what every defined form class prompts
    for form_class in module.read.subjects(_bkg("suggestsForm"), None):
        module.add(module.read.quads(form_class, _bkg("suggestsForm"), None))
        prompts = list(module.read.quads(form_class, _bkg("prompts"), None))
        module.add(prompts)
        claims |= {q.object for q in prompts}
    for claim in claims:
        module.describe(claim)
    for value_set in VALUE_SETS:
        module.describe(_bkg(value_set))
    module.labels(triples)
    return list(module.quads)


def patient_graph(kg: KnowledgeGraph, patient: Patient) -> KnowledgeGraph:
    """An in-memory graph of the patient's module with the patient in its own named graph."""
    return kg.with_scratch_graph(GRAPH_PATIENT, patient_triples(patient), base=patient_module(kg, patient))
