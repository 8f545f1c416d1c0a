"""How the graph's classes and claims read in the Biolink model: one table of names.

Every Biolink name here is resolved and checked by ``bmt`` against the pinned model when an
export runs (``bortekg.exports.biolink``), so a name that is not in Biolink
fails loudly instead of writing an invalid graph.
"""

from __future__ import annotations

from dataclasses import dataclass

#: bortekg entity class (local name) -> Biolink category (name). An entity of several
#: classes gets every category they map to.
CATEGORIES: dict[str, str] = {
    "Drug": "drug",
    "DrugClass": "chemical entity",
    "Supplement": "chemical entity",
    "Disease": "disease",
    "AdverseEffect": "disease or phenotypic feature",
    "NeurologicalAdverseEffect": "disease or phenotypic feature",
    "CardiovascularAdverseEffect": "disease or phenotypic feature",
    "GastrointestinalAdverseEffect": "disease or phenotypic feature",
    "HaematologicalAdverseEffect": "disease or phenotypic feature",
    "InfectiousAdverseEffect": "disease or phenotypic feature",
    "OtherAdverseEffect": "disease or phenotypic feature",
    "ClinicalFinding": "phenotypic feature",
    "AnatomicalStructure": "anatomical entity",
    "BiologicalProcess": "biological process",
    "CellType": "cell",
    "MacromolecularComplex": "macromolecular complex",
    "MolecularTarget": "molecular entity",
    "DiagnosticProcedure": "procedure",
    "MonitoringProcedure": "procedure",
    "Intervention": "treatment",
    "PharmacologicalTreatment": "treatment",
    "CancerTherapy": "treatment",
    "Immunotherapy": "treatment",
    "Prophylaxis": "treatment",
    "SupportiveMeasure": "treatment",
    "DoseModification": "treatment",
    "RouteChange": "treatment",
    "ScheduleChange": "treatment",
    "RiskFactor": "clinical entity",
    "ModifiableRiskFactor": "clinical entity",
    "NonModifiableRiskFactor": "clinical entity",
    "PatientCase": "case",
    "Population": "population of individual organisms",
    "Study": "study",
    "CaseReportStudy": "study",
    "CaseSeriesStudy": "study",
}


@dataclass(frozen=True)
class EdgeRule:
    """A claim read as edges ``subject -predicate-> object``: the first property of
    ``subject`` and of ``object`` that the claim has gives the ends (one edge per pair of
    values). ``predicate_from`` names a claim property whose value picks the predicate in
    ``RELATION_PREDICATES`` instead of a fixed ``predicate``."""

    subject: tuple[str, ...]
    object: tuple[str, ...]
    predicate: str = ""
    predicate_from: str = ""


#: bortekg claim class (local name) -> the rules tried in order; the first whose two ends
#: the claim has makes its edges.
EDGES: dict[str, tuple[EdgeRule, ...]] = {
    "IndicationClaim": (EdgeRule(("drug",), ("disease",), "applied to treat"),),
    "RegulatoryEventClaim": (EdgeRule(("drug",), ("disease",), "treats"),),
    "AdverseEffectClaim": (EdgeRule(("drug",), ("adverseEffect",), "has adverse event"),),
    "ComparativeOutcomeClaim": (EdgeRule(("drug",), ("outcome",), "has adverse event"),),
    "ContraindicationClaim": (EdgeRule(("drug",), ("condition",), "contraindicated in"),),
    "AvoidanceClaim": (EdgeRule(("intervention",), ("condition", "finding", "specialPopulation", "drug"),
                                "contraindicated in"),),
    "TreatmentRecommendation": (EdgeRule(("intervention",), ("condition", "finding"), "treats"),),
    "RouteChangeRecommendation": (EdgeRule(("intervention",), ("condition",), "preventative for condition"),),
    "ScheduleChangeRecommendation": (EdgeRule(("intervention",), ("condition",), "preventative for condition"),),
    "MonitoringRecommendation": (EdgeRule(("intervention",), ("condition", "finding"), "diagnoses"),
                                 EdgeRule(("drug",), ("condition", "finding"), "related to")),
    "PrecautionClaim": (EdgeRule(("drug",), ("adverseEffect", "condition", "population"), "related to"),),
    "PatientAdviceClaim": (EdgeRule(("drug",), ("condition",), "related to"),),
    "DoseModificationRule": (EdgeRule(("drug",), ("condition",), "related to"),),
    "RiskFactorClaim": (EdgeRule(("riskFactor",), ("outcome",), "predisposes to condition"),),
    "PrognosisClaim": (EdgeRule(("condition",), ("outcome",), "associated with"),),
    "EpidemiologyClaim": (EdgeRule(("population",), ("outcome",), "has phenotype"),),
    "MechanismStep": (EdgeRule(("stepSubject",), ("stepObject",), predicate_from="stepRelation"),),
    "ProposedMechanismClaim": (EdgeRule(("process",), ("mechanismOf",), "contributes to"),),
    "FormFeatureClaim": (EdgeRule(("bipnForm",), ("finding",), "has phenotype"),),
    "CaseFinding": (EdgeRule(("patientCase",), ("finding",), "has phenotype"),),
    "CaseTreatment": (EdgeRule(("patientCase",), ("intervention",), "related to"),),
    "StudyResultClaim": (EdgeRule(("drug", "intervention"), ("disease", "condition"), "studied to treat"),),
}

#: A mechanism step's relation (value-set local name) -> Biolink predicate (name).
RELATION_PREDICATES: dict[str, str] = {
    "relation-is-a": "subclass of",
    "relation-inhibits": "affects",
    "relation-prevents": "affects",
    "relation-causes-accumulation-of": "causes",
    "relation-triggers": "causes",
    "relation-leads-to": "causes",
    "relation-mediates": "contributes to",
}

#: Claim properties written as Biolink edge slots (name); every other property of a claim is
#: written under its own name in snake case (``doseMin`` -> ``dose_min``), prefixed
#: ``claim_`` where that name is a Biolink element already (``claim_label``, ``claim_drug``).
EDGE_SLOTS: dict[str, str] = {
    "evidenceQuote": "supporting text",
    "percentage": "has percentage",
    "population": "population context qualifier",
    "locatedIn": "anatomical context qualifier",
}

#: Claim properties the edge carries in other ways (its ends, its provenance), not repeated.
NOT_REPEATED = frozenset({"type", "wasDerivedFrom"})

#: Claim properties whose values are parts of the claim (IRIs, never blank nodes): besides
#: the parts' CURIEs, the edge carries their qualifiers as ``<property>_<part property>``.
PART_PROPERTIES = frozenset({"hasCondition", "hasDose", "regimen", "interventionArm", "comparatorArm",
                             "hasOutcomeCount", "hasToxicity"})
#: Properties of a part that only name it.
PART_SKIPPED = frozenset({"type", "label"})
