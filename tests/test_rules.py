"""Each knowledge rule on a minimal pair: a submission it must flag, and the same submission
with the one mistake mended, which it must not flag. The pairs differ by one edit, so each
shows the rule failing on a planted defect and passing without it."""

from __future__ import annotations

import pytest

from bortekg import KnowledgeGraph
from bortekg.ingest import parse_submission
from bortekg.validate import Gate, all_rules
from bortekg.validate.rules import RuleContext, run_rules
from bortekg.validate.view import SubmissionView

PREFIXES = """
@prefix bkg:  <https://w3id.org/bortekg/> .
@prefix bke:  <https://w3id.org/bortekg/entity/> .
@prefix bkc:  <https://w3id.org/bortekg/claim/> .
@prefix bks:  <https://w3id.org/bortekg/source/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
"""

#: The BIPN treatment answer's pregabalin recommendation, restated without its duration.
PREGABALIN = """
bkc:t-pregabalin a bkg:TreatmentRecommendation ;
    rdfs:label "t: pregabalin first line"@en ;
    bkg:statement "Pregabalin 150-600 mg/day is the first-line agent for neuropathic pain in BIPN."@en ;
    bkg:intervention bke:pregabalin ; bkg:condition bke:bipn ; bkg:lineOfTherapy bkg:line-first ;
    bkg:targetPopulationCriterion "patients with BIPN-associated neuropathic pain" ;
    bkg:doseMin 150.0 ; bkg:doseMax 600.0 ; bkg:doseUnit bkg:unit-mg-per-day ;
    bkg:recommendationStrength bkg:strength-recommended ;
    prov:wasDerivedFrom bks:bipn-treatment-answer ;
    bkg:evidenceQuote "Pregabalin 150-600 mg/day for at least three months is the recommended first-line agent for neuropathic pain management" ;
    bkg:evidenceKind bkg:evidence-guideline-summary ;
    bkg:sourceReference "2, 1" ;
    bkg:secondaryCitation bks:droracle-2025-guideline-overview .
"""

#: Rule 1 of the BIPN treatment answer's algorithm, grade 1 with pain only.
DOSE_RULE = """
bkc:t-rule a bkg:DoseModificationRule ;
    rdfs:label "t: grade 1 with pain, reduce to 1.0"@en ;
    bkg:statement "Grade 1 with pain: reduce bortezomib to 1.0 mg/m2."@en ;
    bkg:drug bke:bortezomib ; bkg:condition bke:bipn ; bkg:gradingScale bkg:scale-nci-ctc-legacy ;
    bkg:hasCondition bkc:t-rule-c1 ;
    bkg:doseAction bkg:action-reduce-dose ; bkg:newDose 1.0 ; bkg:doseUnit bkg:unit-mg-per-m2 ;
    prov:wasDerivedFrom bks:bipn-treatment-answer ;
    bkg:evidenceQuote "Grade 1 with pain or Grade 2 neuropathy (interfering with function but not daily activities): Reduce bortezomib dose to 1.0 mg/m²" ;
    bkg:evidenceKind bkg:evidence-guideline-summary ; bkg:sourceReference "1" .
bkc:t-rule-c1 a bkg:RuleCondition ; rdfs:label "t: grade 1 with pain"@en ;
    bkg:grade 1 ; bkg:painPresent true ; bkg:gradingScale bkg:scale-nci-ctc-legacy .
"""

#: The monograph's fatigue claim, without its seriousness.
FATIGUE = """
bkc:t-fatigue a bkg:AdverseEffectClaim ;
    rdfs:label "t: fatigue"@en ;
    bkg:statement "Fatigue is a common side effect of bortezomib."@en ;
    bkg:drug bke:bortezomib ; bkg:adverseEffect bke:fatigue ;
    bkg:frequencyCategory bkg:frequency-common ; bkg:percentageMin 10.0 ;
    prov:wasDerivedFrom bks:drug-monograph-bortezomib ;
    bkg:evidenceQuote "Common side effects (occurring in more than 10% of patients) include: * Peripheral neuropathy (tingling, numbness, pain in extremities) * Fatigue" ;
    bkg:evidenceKind bkg:evidence-monograph .
"""

STEP = """
bkc:t-step a bkg:MechanismStep ;
    rdfs:label "t: bortezomib inhibits proteasomes"@en ;
    bkg:statement "Bortezomib inhibits proteasomes."@en ;
    bkg:stepSubject bke:bortezomib ; bkg:stepRelation bkg:relation-inhibits ; bkg:stepObject bke:proteasome-26s ;
    prov:wasDerivedFrom bks:drug-monograph-bortezomib ;
    bkg:evidenceQuote "By inhibiting proteasomes, bortezomib" ;
    bkg:evidenceKind bkg:evidence-monograph .
"""

ROUTE = """
bkc:t-route a bkg:RouteChangeRecommendation ;
    rdfs:label "t: switch to subcutaneous"@en ;
    bkg:statement "Switch bortezomib to subcutaneous administration if it is given intravenously."@en ;
    bkg:drug bke:bortezomib ; bkg:intervention bke:switch-to-subcutaneous ; bkg:condition bke:bipn ;
    bkg:fromRoute bkg:route-intravenous ; bkg:toRoute bkg:route-subcutaneous ;
    prov:wasDerivedFrom bks:bipn-treatment-answer ;
    bkg:evidenceQuote "Switch to subcutaneous administration if currently using intravenous route" ;
    bkg:evidenceKind bkg:evidence-guideline-summary ; bkg:sourceReference "1" .
"""

ZHANG = """
bkc:t-zhang a bkg:StudyResultClaim ;
    rdfs:label "t: Zhang remissions"@en ;
    bkg:statement "Zhang et al.: complete remission in 3 of 5."@en ;
    bkg:study bke:study-zhang-52 ; bkg:drug bke:bortezomib ; bkg:disease bke:lupus-nephritis ;
    bkg:sampleSize 5 ; bkg:hasOutcomeCount bkc:t-zhang-cr ;
    prov:wasDerivedFrom bks:autoimmune-review-table4 ;
    bkg:evidenceQuote "Response: CR (N = 3), PR (N = 1), NR (N = 1)" ;
    bkg:evidenceKind bkg:evidence-case-series ; bkg:sourceReference "52" .
bkc:t-zhang-cr a bkg:OutcomeCount ; rdfs:label "t: CR"@en ;
    bkg:responseCategory bkg:response-complete-remission ; bkg:patientCount 3 .
"""

ENTITY = """
bke:t-new-neuron a bkg:CellType ;
    rdfs:label "t: dorsal root sensory cell"@en ;
    skos:definition "A test cell type."@en .
"""

NEW_SOURCE = """
bks:t-abstract a bkg:SourceDocument ;
    rdfs:label "t: an abstract"@en ; dcterms:title "An abstract" ;
    skos:definition "A test document."@en ; bkg:documentKind bkg:evidence-case-report .
bkc:t-abstract-claim a bkg:CaseFinding ;
    rdfs:label "t: a finding"@en ; bkg:statement "The patient had stage III IgG-kappa multiple myeloma."@en ;
    bkg:patientCase bke:case004-patient ; bkg:finding bke:multiple-myeloma ;
    prov:wasDerivedFrom bks:t-abstract ;
    bkg:evidenceQuote "a 59-year-old man with stage III IgG-k MM" ;
    bkg:evidenceKind bkg:evidence-case-report .
"""
ABSTRACT_TEXT = b"A case report is presented of a 59-year-old man with stage III IgG-k MM who was treated."


def edit(text: str, old: str, new: str) -> str:
    assert old in text, f"{old!r} not in the base case"
    return text.replace(old, new, 1)


# rule -> (good submission, bad submission), the bad one the good one with one mistake
PAIRS: dict[str, tuple[str, str]] = {
    "quote-verbatim": (PREGABALIN, edit(PREGABALIN, "150-600 mg/day for at least", "150-600 mg daily for at least")),
    "quote-names-claim-drug": (PREGABALIN, edit(PREGABALIN, "bkg:intervention bke:pregabalin", "bkg:intervention bke:gabapentin")),
    "quote-names-claim-effect": (FATIGUE, edit(FATIGUE, "bke:fatigue", "bke:nausea")),
    "number-in-quote": (PREGABALIN, edit(PREGABALIN, "bkg:doseMax 600.0", "bkg:doseMax 900.0")),
    "unit-agrees-with-quote": (ROUTE + edit(ZHANG, "", ""), ROUTE + PREGABALIN.replace("bkg:doseUnit bkg:unit-mg-per-day", "bkg:doseUnit bkg:unit-mg")),
    "percentage-not-fraction": (FATIGUE, edit(FATIGUE, "bkg:percentageMin 10.0", "bkg:percentageMin 0.1")),
    "count-within-denominator": (ZHANG, edit(edit(ZHANG, "bkg:sampleSize 5", "bkg:sampleSize 1"), "(N = 1), NR", "(N = 1), NR")),
    "dose-rule-agrees-with-quote": (DOSE_RULE, edit(DOSE_RULE, "bkg:painPresent true", "bkg:painPresent false")),
    "dose-within-recorded-range": (PREGABALIN, edit(PREGABALIN, "bkg:doseMax 600.0", "bkg:doseMax 6000.0")),
    "dose-unit-recorded": (PREGABALIN, edit(PREGABALIN, "bkg:unit-mg-per-day", "bkg:unit-mg-per-m2")),
    "route-recorded": (ROUTE, edit(ROUTE, "bkg:toRoute bkg:route-subcutaneous", "bkg:toRoute bkg:route-oral")),
    "mechanism-object-fits-relation": (STEP, edit(STEP, "bkg:stepObject bke:proteasome-26s", "bkg:stepObject bke:multiple-myeloma")),
    "duplicate-claim": (PREGABALIN, edit(PREGABALIN, "bkg:doseUnit bkg:unit-mg-per-day ;",
                                          "bkg:doseUnit bkg:unit-mg-per-day ; bkg:durationMin 3.0 ; bkg:durationUnit bkg:unit-month ;")),
    "dose-rule-conflict-declared": (
        edit(DOSE_RULE.replace("bkg:action-reduce-dose ; bkg:newDose 1.0 ; bkg:doseUnit bkg:unit-mg-per-m2", "bkg:action-reduce-dose"),
             "bkg:sourceReference \"1\" .", "bkg:sourceReference \"1\" ; bkg:conflictsWith bkc:bipntx-dose-rule-1 ."),
        DOSE_RULE.replace("bkg:action-reduce-dose ; bkg:newDose 1.0 ; bkg:doseUnit bkg:unit-mg-per-m2", "bkg:action-reduce-dose")),
    "mapping-standard-iri": (
        edit(ENTITY, "a bkg:CellType ;", "a bkg:CellType ; skos:closeMatch <http://purl.obolibrary.org/obo/CL_0000101> ; bkg:unverifiedMapping <http://purl.obolibrary.org/obo/CL_0000101> ;"),
        edit(ENTITY, "a bkg:CellType ;", "a bkg:CellType ; skos:closeMatch <https://www.ebi.ac.uk/ols4/ontologies/cl/classes/CL_0000101> ;")),
    "mapping-identifier-pattern": (
        edit(ENTITY, "a bkg:CellType ;", "a bkg:CellType ; skos:closeMatch <http://purl.obolibrary.org/obo/CL_0000101> ;"),
        edit(ENTITY, "a bkg:CellType ;", "a bkg:CellType ; skos:closeMatch <http://purl.obolibrary.org/obo/CL_101> ;")),
    "mapping-fits-entity-kind": (
        edit(ENTITY, "a bkg:CellType ;", "a bkg:CellType ; skos:closeMatch <http://purl.obolibrary.org/obo/CL_0000101> ;"),
        edit(ENTITY, "a bkg:CellType ;", "a bkg:CellType ; skos:closeMatch <http://purl.obolibrary.org/obo/CHEBI_15377> ;")),
    "mapping-verified": (
        edit(ENTITY, "a bkg:CellType ;", "a bkg:CellType ; skos:closeMatch <http://purl.obolibrary.org/obo/CL_0000101> ; bkg:unverifiedMapping <http://purl.obolibrary.org/obo/CL_0000101> ;"),
        edit(ENTITY, "a bkg:CellType ;", "a bkg:CellType ; skos:closeMatch <http://purl.obolibrary.org/obo/CL_0000101> ;")),
    "mapping-not-taken": (
        edit(ENTITY, "a bkg:CellType ;", "a bkg:CellType ; skos:closeMatch <http://purl.obolibrary.org/obo/CL_0000101> ;"),
        edit(ENTITY, "a bkg:CellType ;", "a bkg:CellType ; skos:closeMatch <http://purl.obolibrary.org/obo/CL_0000786> ;")),
    "label-not-taken": (ENTITY, edit(ENTITY, "t: dorsal root sensory cell", "Schwann cell")),
    "doi-not-taken": (
        edit(NEW_SOURCE, "bkg:documentKind", "bkg:doi \"10.1000/test.1\" ; bkg:documentKind"),
        edit(NEW_SOURCE, "bkg:documentKind", "bkg:doi \"https://doi.org/10.1177/20406207211046428\" ; bkg:documentKind")),
    "source-text-given": (NEW_SOURCE, NEW_SOURCE),  # the bad one is given no text (see the test)
    "no-ontology-change": (ENTITY, ENTITY + "bkg:Drug rdfs:subClassOf bkg:Claim .\n"),
    "no-edit-of-existing-node": (ENTITY, ENTITY + "bke:bortezomib skos:altLabel \"carfilzomib\"@en .\n"),
    "no-bare-clinical-assertion": (ENTITY, ENTITY + "bke:t-new-neuron bkg:treats bke:multiple-myeloma .\n"),
    "no-hierarchy-cycle": (
        edit(ENTITY, "a bkg:CellType ;", "a bkg:CellType ; bkg:subtypeOf bke:plasma-cell ;"),
        edit(ENTITY, "a bkg:CellType ;", "a bkg:CellType ; bkg:subtypeOf bke:t-new-neuron ;")),
    "evidence-kind-fits-source": (PREGABALIN, edit(PREGABALIN, "bkg:evidence-guideline-summary", "bkg:evidence-case-report")),
    "reference-marker-in-source": (PREGABALIN, edit(PREGABALIN, "bkg:sourceReference \"2, 1\"", "bkg:sourceReference \"2, 7\"")),
    "secondary-citation-cited-by-source": (PREGABALIN, edit(PREGABALIN, "bks:droracle-2025-guideline-overview", "bks:caselit-ref-4-jeter-kang")),
    "dates-within-source": (
        edit(PREGABALIN, "bkg:recommendationStrength", "bkg:year 2025 ; bkg:recommendationStrength"),
        edit(PREGABALIN, "bkg:recommendationStrength", "bkg:year 2099 ; bkg:recommendationStrength")),
}


@pytest.fixture(scope="module")
def gate(kg: KnowledgeGraph) -> Gate:
    return Gate.of(kg)


def fired(kg: KnowledgeGraph, gate: Gate, turtle: str, texts: dict[str, bytes] | None = None) -> set[str]:
    submission = parse_submission((PREFIXES + turtle).encode(), file_name="pair.ttl", input_format="ttl")
    view = SubmissionView(submission, kg, gate.facts.schema)
    return {f.rule.name for f in run_rules(view, RuleContext(gate.facts, texts or {})) if f.severity == "Violation"}


def test_every_rule_has_a_pair() -> None:
    assert sorted(PAIRS) == sorted(rule.name for rule in all_rules())


@pytest.mark.parametrize("rule", sorted(PAIRS))
def test_rule_flags_the_mistake_and_not_its_mend(kg: KnowledgeGraph, gate: Gate, rule: str) -> None:
    good, bad = PAIRS[rule]
    texts = {"https://w3id.org/bortekg/source/t-abstract": ABSTRACT_TEXT}
    bad_texts = {} if rule == "source-text-given" else texts
    assert rule in fired(kg, gate, bad, bad_texts), f"{rule} did not flag its planted mistake"
    assert rule not in fired(kg, gate, good, texts), f"{rule} flagged the mended submission"


def test_an_added_source_records_the_digest_of_its_text_and_its_index(tmp_path) -> None:
    import hashlib

    import pyoxigraph as ox

    from bortekg.validate import validate_and_add

    kg = KnowledgeGraph(tmp_path / "store")
    good, _ = PAIRS["source-text-given"]
    submission = parse_submission((PREFIXES + good).encode(), file_name="source.ttl", input_format="ttl")
    source = "https://w3id.org/bortekg/source/t-abstract"
    _, record = validate_and_add(kg, submission, source="test", source_texts={source: ABSTRACT_TEXT})
    digest = hashlib.sha256(ABSTRACT_TEXT).hexdigest()
    stored = {q.object.value for q in kg.store.quads_for_pattern(
        ox.NamedNode(source), ox.NamedNode("https://w3id.org/bortekg/textSha256"), None, ox.NamedNode(record.graph))}
    assert stored == {digest} and record.triples == len(submission.triples) + 1
    assert kg.source_index(source).find("59-year-old man with stage III").found


def test_a_gate_reused_after_an_add_sees_what_was_added(tmp_path) -> None:
    from bortekg.validate import SubmissionRejected, validate_and_add

    kg = KnowledgeGraph(tmp_path / "store")
    gate = Gate.of(kg)
    first = parse_submission((PREFIXES + ENTITY).encode(), file_name="first.ttl", input_format="ttl")
    validate_and_add(kg, first, source="test", gate=gate)  # the gate has read the graph's names
    again = parse_submission((PREFIXES + ENTITY.replace("bke:t-new-neuron", "bke:t-new-neuron-again")).encode(),
                             file_name="again.ttl", input_format="ttl")
    with pytest.raises(SubmissionRejected) as rejected:
        validate_and_add(kg, again, source="test", gate=gate)
    assert "rule:label-not-taken" in {e.constraint for e in rejected.value.report.entries}
