"""OWL classification of one patient against the defined BIPN-form classes, with HermiT.

Only the patient is classified, against the module of the graph the definitions depend on:
the defined classes (those with ``bkg:suggestsForm``), the axioms of the properties they use
(``bkg:hasFeature`` with its property chain, ``bkg:subtypeOf``) and the ``bkg:subtypeOf``
links between entities. A few hundred axioms instead of the whole graph: HermiT answers in
about the time Java takes to start. The test suite checks that this module classifies every
published case exactly as the whole graph does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.reason.axioms import AxiomSet, logical_triples
from bortekg.reason.hermit import ReasonerError, run_hermit
from bortekg.reason.taxonomy import Taxonomy
from bortekg.store import KnowledgeGraph

_FORM_CLASSES = """
PREFIX bkg: <https://w3id.org/bortekg/>
SELECT ?class ?form WHERE { ?class bkg:suggestsForm ?form }
"""
_HAS_FEATURE = ns.BKG + "hasFeature"
_SUBTYPE_OF = ns.BKG + "subtypeOf"


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
    """Holds the form-class module of a graph; classifies patients against it."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.forms = {row["class"].value: row["form"].value for row in kg.query(_FORM_CLASSES)}
        axioms = AxiomSet.of(logical_triples(kg.triples(with_inferred=False)))
        anchors = set(self.forms) | {_HAS_FEATURE, _SUBTYPE_OF}
        self._module = [
            a for a in axioms.axioms
            if (isinstance(a.main.subject, ox.NamedNode) and a.main.subject.value in anchors)
            or a.main.predicate.value == _SUBTYPE_OF
        ]
        self._axioms = axioms

    def classify(self, individual: str, features: list[str], *, timeout: float) -> FormClassification:
        """The form classes of a patient case with these ``bkg:hasFeature`` values."""
        node = ox.NamedNode(individual)
        rdf_type = ox.NamedNode(ns.RDF + "type")
        patient = AxiomSet.of([
            ox.Triple(node, rdf_type, ox.NamedNode(ns.OWL + "NamedIndividual")),
            ox.Triple(node, rdf_type, ox.NamedNode(ns.BKG + "PatientCase")),
            *(ox.Triple(node, ox.NamedNode(_HAS_FEATURE), ox.NamedNode(f)) for f in features),
        ])
        document = self._axioms.document(self._module + list(patient.axioms)) + patient.document([], [node])
        try:
            run = run_hermit(document, ["-c", "-I"], timeout=timeout)
        except ReasonerError as error:
            return FormClassification(error=str(error))
        if not run.consistent:
            return FormClassification(error="the patient's features contradict the form definitions")
        types = Taxonomy.parse(run.output).types(individual)
        return FormClassification(classes={c: f for c, f in self.forms.items() if c in types})
