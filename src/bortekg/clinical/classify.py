"""OWL classification of one patient against the defined BIPN-form classes, with HermiT.

Only the patient is classified, against the module of the graph its classification depends
on: the defined classes (those with ``bkg:suggestsForm``) with their definitions, the axioms
of the properties they use (``bkg:hasFeature`` with its property chain, ``bkg:subtypeOf``),
and the ``bkg:subtypeOf`` links from the patient's features up to the most general terms
they are kinds of. Nothing else of the graph is connected to the patient through these
axioms, so nothing else can change the classes it is placed in. A few hundred axioms, read
by indexed pattern reads whatever the size of the graph: HermiT answers in about the time
Java takes to start. The test suite checks that this module classifies every published case
exactly as the whole graph does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.clinical.module import GraphReader
from bortekg.reason.axioms import DECLARATION_TYPES, AxiomSet, logical_triples
from bortekg.reason.hermit import ReasonerError, run_hermit
from bortekg.reason.taxonomy import Taxonomy
from bortekg.store import KnowledgeGraph

_FORM_CLASSES = """
PREFIX bkg: <https://w3id.org/bortekg/>
SELECT ?class ?form WHERE { ?class bkg:suggestsForm ?form }
"""
_HAS_FEATURE = ns.BKG + "hasFeature"
_SUBTYPE_OF = ox.NamedNode(ns.BKG + "subtypeOf")
_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_ANNOTATION_PROPERTY = ox.NamedNode(ns.OWL + "AnnotationProperty")


@dataclass
class FormClassification:
    """The defined classes a patient belongs to, or why the classification could not run."""

    classes: dict[str, str] = field(default_factory=dict)  # class IRI -> the form it suggests
    reasoner: str = "HermiT (bundled with owlready2), patient against the form-class module"
    error: str | None = None

    @property
    def done(self) -> bool:
        return self.error is None


class FormClassifier:
    """Holds the form-class definitions of a graph; classifies patients against them."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.forms = {row["class"].value: row["form"].value for row in kg.query(_FORM_CLASSES)}
        self._read = GraphReader(kg, with_inferred=False)
        # the annotation properties the graph declares: their statements carry no logic
        self._annotation_properties = [q.triple for q in self._read.quads(None, _RDF_TYPE, _ANNOTATION_PROPERTY)]
        anchors = [ox.NamedNode(iri) for iri in (*self.forms, _HAS_FEATURE)] + [_SUBTYPE_OF]
        self._definitions = [t for anchor in anchors for t in self._described(anchor)]

    def _described(self, node: ox.Term) -> list[ox.Triple]:
        """The statements about ``node`` and the blank-node class expressions they open."""
        found: list[ox.Triple] = []
        stack, seen = [node], set()
        while stack:
            subject = stack.pop()
            if subject in seen:
                continue
            seen.add(subject)
            for quad in self._read.quads(subject, None, None):
                found.append(quad.triple)
                if isinstance(quad.object, ox.BlankNode):
                    stack.append(quad.object)
        return found

    def module(self, features: list[str]) -> list[ox.Triple]:
        """The logical triples a patient with these features is classified against."""
        terms, links = self._read.closure([ox.NamedNode(f) for f in features], (_SUBTYPE_OF,))
        triples = list(dict.fromkeys([*self._definitions, *(q.triple for q in links)]))
        names = terms | {t for triple in triples for t in (triple.subject, triple.object) if isinstance(t, ox.NamedNode)}
        declarations = [q.triple for name in names for q in self._read.quads(name, _RDF_TYPE, None)
                        if q.object.value in DECLARATION_TYPES]
        return logical_triples([*self._annotation_properties, *triples, *declarations])

    def classify(self, individual: str, features: list[str], *, timeout: float) -> FormClassification:
        """The form classes of a patient case with these ``bkg:hasFeature`` values."""
        node = ox.NamedNode(individual)
        patient = AxiomSet.of([
            ox.Triple(node, _RDF_TYPE, ox.NamedNode(ns.OWL + "NamedIndividual")),
            ox.Triple(node, _RDF_TYPE, ox.NamedNode(ns.BKG + "PatientCase")),
            *(ox.Triple(node, ox.NamedNode(_HAS_FEATURE), ox.NamedNode(f)) for f in features),
        ])
        axioms = AxiomSet.of(self.module(features))
        document = axioms.document(list(axioms.axioms) + list(patient.axioms)) + patient.document([], [node])
        try:
            run = run_hermit(document, ["-c", "-I"], timeout=timeout)
        except ReasonerError as error:
            return FormClassification(error=str(error))
        if not run.consistent:
            return FormClassification(error="the patient's features contradict the form definitions")
        types = Taxonomy.parse(run.output).types(individual)
        return FormClassification(classes={c: f for c, f in self.forms.items() if c in types})
