"""Fidelity to the sources: hedges, approximations and reading conventions kept as data and
shown by the competency questions, `describe` and `assess`; values that said more than their
quote, fixed against the source text; evidence that may not become a patient recommendation."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.clinical import FormClassifier, assess, build_patient
from bortekg.describe import describe
from conftest import select_rows

QUERIES = Path(__file__).resolve().parents[1] / "queries"
BKG, BKE, BKC = rdflib.Namespace(ns.BKG), rdflib.Namespace(ns.BKE), rdflib.Namespace(ns.BKC)


def cq(kg: KnowledgeGraph, name: str) -> list[dict[str, str | None]]:
    return select_rows(kg, (QUERIES / "cq" / f"{name}.rq").read_text())


def rows_of(rows, claim: str) -> list[dict]:
    return [r for r in rows if r["claim"] == ns.BKC + claim]


# ------------------------------------------------------------------ hedges

@pytest.mark.parametrize("claim,hedge", [
    ("fasc-pearl-motor-neuropathy-may-not-resolve", "may not resolve despite discontinuation"),
    ("fasc-pearl-progression-after-discontinuation",
     "may continue to progress even after discontinuation before eventually improving"),
])
def test_a_hedged_outcome_keeps_its_hedge_and_the_answer_shows_it(kg, ontology_graph, claim, hedge) -> None:
    assert (BKC[claim], BKG.modality, BKG["modality-may"]) in ontology_graph
    assert {r["hedge"] for r in rows_of(cq(kg, "prognosis-and-recovery"), claim)} == {hedge}


def test_initial_toxic_form_cites_the_passage_that_states_it(ontology_graph) -> None:
    claim = BKC["case004-abs-initial-toxic"]
    quotes = {str(q) for q in ontology_graph.objects(claim, BKG.evidenceQuote)}
    assert any("may explain" not in q and "Toxic BIPN followed by an immune-mediated BIPN" in q for q in quotes)
    assert (claim, BKG.modality, BKG["modality-stated"]) in ontology_graph


# ------------------------------------------------------------------ approximations

def test_approximately_ten_percent_is_approximate_with_its_ambiguous_denominator(kg, ontology_graph) -> None:
    claim = BKC["fasc-ae-motor-involvement"]
    assert (claim, BKG.approximate, rdflib.Literal(True)) in ontology_graph
    note = str(ontology_graph.value(claim, BKG.approximationNote))
    assert "approximately 10%" in note and "patients with BIPN" in note and "all patients" in note
    [row] = rows_of(cq(kg, "motor-involvement"), "fasc-ae-motor-involvement")
    assert row["shownAs"] == "≈10 %"


# ------------------------------------------------------------------ whose response

def test_quartuccio_responses_name_the_disease_they_are_about(kg) -> None:
    rows = rows_of(cq(kg, "autoimmune-responses"), "autoimm-quartuccio-50")
    found = {(r["response"], r["responseOf"]) for r in rows}
    assert found == {("partial remission", "multiple myeloma"),
                     ("disappearance of autoantibodies", "systemic lupus erythematosus"),
                     ("disease progression", "multiple myeloma")}


# ------------------------------------------------------------------ reading conventions

SCALE_NAMED = ("CTCAE", "Common Toxicity Criteria")


def test_every_assumed_grading_scale_is_marked(ontology_graph) -> None:
    """A grade on NCI-CTCAE whose claim's quotes name no scale carries the assumed-scale convention."""
    unmarked = []
    for node in ontology_graph.subjects(BKG.gradingScale, BKG["scale-ctcae"]):
        claims = {node} | set(ontology_graph.subjects(None, node))
        quotes = " ".join(str(q) for c in claims for q in ontology_graph.objects(c, BKG.evidenceQuote))
        named = any(word in quotes for word in SCALE_NAMED)
        marked = (node, BKG.valueConvention, BKG["convention-grading-scale-assumed"]) in ontology_graph
        if not named and not marked:
            unmarked.append(ns.curie(str(node)))
        assert not (named and marked), f"{ns.curie(str(node))}: the source names the scale"
    assert not unmarked, unmarked


def test_assumed_scale_and_table_grade_scope_are_shown(kg) -> None:
    rows = cq(kg, "autoimmune-toxicities")
    assert {r["gradingScale"] for r in rows if r["gradingScale"]} == {"NCI-CTCAE (assumed)"}
    fever = [r for r in rows if r["firstAuthor"] == "Alexander" and r["toxicity"] == "fever"
             and r["reference"] == "51"]
    assert [r["gradeReading"] for r in fever] == ["grade read from the table: the grade printed before the item"]
    infections = [r for r in rows if r["firstAuthor"] == "Alexander" and r["toxicity"] == "infection"]
    assert infections and all(r["gradeReading"] is None for r in infections)  # printed with its own grade
    route = cq(kg, "route-effect-on-neuropathy")
    assert {r["gradingScale"] for r in route if r["gradeMin"] == "3"} == {"NCI-CTCAE (assumed)"}


def test_dexamethasone_in_16_of_20_is_a_number(kg) -> None:
    [row] = rows_of(cq(kg, "autoimmune-regimens"), "autoimm-alexander-51")
    assert (row["coMedication"], row["coMedicationPatients"]) == ("dexamethasone", "16")


def test_implausible_total_dose_is_flagged_and_kept_as_printed(ontology_graph) -> None:
    node = BKC["case004-tx-bortezomib"]
    assert float(ontology_graph.value(node, BKG.cumulativeDose)) == pytest.approx(6.1)
    assert (node, BKG.valueConvention, BKG["convention-implausible-as-printed"]) in ontology_graph


def test_describe_shows_approximation_assumption_and_implausibility(kg) -> None:
    def values(iri: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for q in describe(kg, ns.BKC + iri).relations:
            found.setdefault(q.property_label, []).append(q.value)
        return found

    assert values("fasc-ae-motor-involvement")["percentage"] == ["≈10 percent"]
    fever = values("autoimm-alexander-51-tox-fever")
    assert fever["has grading scale"] == ["NCI-CTCAE (assumed)"]
    assert all(v.endswith("(read from the table)") for v in fever["grade (minimum)"] + fever["grade (maximum)"])
    dose = values("case004-tx-bortezomib")
    assert dose["total dose"] == ["6.1 mg (as printed; implausible)"]
    assert not any("implausible" in v for v in dose["calendar year of event"])
    assert values("fasc-pearl-motor-neuropathy-may-not-resolve")["modality note"] == ["may not resolve despite discontinuation"]


# ------------------------------------------------------------------ values that shifted the source

def test_rat_model_ivig_is_background_in_the_immunotherapy_answer(kg) -> None:
    rows = cq(kg, "severe-bipn-immunotherapy")
    uses = {r["claim"].rsplit("/", 1)[-1]: r["use"] for r in rows}
    assert uses.pop("caselit-rat-ivig-consider") == "background evidence only"
    assert set(uses.values()) == {"recommendation"}


def test_brief_improvement_then_worsening_is_not_clinical_improvement(ontology_graph) -> None:
    claim = BKC["caselit-jeter-kang-plasma-exchange"]
    assert ontology_graph.value(claim, BKG.responseCategory) == BKG["response-temporary-stabilisation"]
    assert "subsequently worsened" in str(ontology_graph.value(claim, rdflib.RDFS.comment))


def test_limited_human_evidence_is_not_a_human_study(ontology_graph) -> None:
    claim = BKC["case-intro-neuroinflammation-human-limited"]
    assert ontology_graph.value(claim, BKG.evidenceKind) != BKG["evidence-human-study"]
    assert (claim, BKG.modality, BKG["modality-suggested"]) in ontology_graph


def test_chemotherapy_stopped_is_a_discontinuation(kg) -> None:
    rows = [r for r in cq(kg, "immune-mediated-cases") if (r["treatmentClaim"] or "").endswith("jeter-kang-chemotherapy-stopped")]
    assert rows and {r["treatment"] for r in rows} == {"discontinuation of bortezomib for neuropathy"}


def test_the_monograph_names_proteasomes_the_case_report_the_26s_proteasome(ontology_graph) -> None:
    assert ontology_graph.value(BKC["mono-moa-2-inhibits-proteasome"], BKG.stepObject) == BKE.proteasome
    assert (BKE["proteasome-26s"], BKG.subtypeOf, BKE.proteasome) in ontology_graph
    case_report_steps = {o for s in ontology_graph.subjects(rdflib.namespace.PROV.wasDerivedFrom,
                                                              rdflib.URIRef(ns.BKS + "case-report-toxic-immune-bipn"))
                         for o in ontology_graph.objects(s, BKG.stepObject)}
    assert BKE["proteasome-26s"] in case_report_steps


# ------------------------------------------------------------------ evidence strength limits use

@pytest.fixture(scope="module")
def classifier(kg) -> FormClassifier:
    return FormClassifier(kg)


IMMUNE_PATIENT = {"neuropathy": {"grade": 3, "pain": False, "motor_involvement": True, "worsening_after_stop": True}}


def option_claims(result) -> set[str]:
    [alert] = result.of_kind("alert")
    return {e["claim"] for o in alert.values.get("immunotherapy_options", []) for e in o["evidence"]}


def background_claims(result) -> set[str]:
    [alert] = result.of_kind("alert")
    return {b["claim"] for b in alert.values.get("background_evidence", [])}


@pytest.mark.java
def test_an_animal_study_is_background_never_an_option(kg, classifier) -> None:
    result = assess(kg, build_patient(kg, IMMUNE_PATIENT, "p.json"), classifier=classifier)
    assert "bkc:caselit-rat-ivig-consider" not in option_claims(result)
    assert background_claims(result) == {"bkc:caselit-rat-ivig-consider"}
    [alert] = result.of_kind("alert")
    [rat] = alert.values["background_evidence"]
    assert rat["why_not_an_option"] == "not a recommendation for patients (evidence kind: animal study; modality: might)"
    assert rat["evidence"][0]["modality"] == "might"


@pytest.mark.java
def test_which_claims_are_background_is_decided_by_the_data(kg, classifier) -> None:
    """Declare case reports unfit for patient recommendations: their treatments leave the options."""
    flag = ox.Triple(ox.NamedNode(ns.BKG + "evidence-case-report"), ox.NamedNode(ns.BKG + "supportsRecommendation"),
                     ox.Literal("false", datatype=ox.NamedNode(ns.XSD + "boolean")))
    changed = kg.with_scratch_graph(ns.BASE + "graph/test-evidence", [flag])
    result = assess(changed, build_patient(changed, IMMUNE_PATIENT, "p.json"), classifier=classifier)
    assert "bkc:caselit-mauermann-cyclophosphamide" in background_claims(result)
    assert "bkc:caselit-mauermann-cyclophosphamide" not in option_claims(result)
    assert "bkc:fasc-tx-steroids-severe" in option_claims(result)  # a guideline summary stays


# ------------------------------------------------------------------ timeline and the curator's list

def test_case_timeline_orders_toxic_then_immune_then_treatment_and_outcome(kg) -> None:
    rows = [r for r in cq(kg, "case-timeline") if r["patientCase"].startswith("case004")]
    events: dict[int, list[dict]] = {}
    for row in rows:
        events.setdefault(int(row["step"]), []).append(row)
    assert sorted(events) == list(range(1, len(events) + 1))
    order = {row["bipnForm"]: n for n, rs in events.items() for row in rs if row["bipnForm"]}
    assert order["toxic BIPN"] < order["immune-mediated BIPN"]
    # "After the fourth cycle in February 2010"; "increasing over 3 months"
    assert {(r["month"], r["year"]) for r in events[order["toxic BIPN"]]} >= {("February", "2010")}
    assert {(r["duration"], r["durationUnit"]) for r in events[order["immune-mediated BIPN"]]} >= {("3", "month")}
    steroid = next(n for n, rs in events.items() if "methylprednisolone" in rs[0]["event"])
    death = next(n for n, rs in events.items() if "septicaemia" in rs[0]["event"])
    assert order["immune-mediated BIPN"] < steroid < death
    assert {(r["month"], r["year"]) for r in events[death]} == {("February", "2012")}
    assert all(r["claim"] and r["source"] for r in rows)


def test_stats_counts_the_values_to_read_with_care(kg, ontology_graph) -> None:
    from bortekg.stats import graph_stats

    caveats = graph_stats(kg).value_caveats
    assert caveats["approximate"] == len(set(ontology_graph.subjects(BKG.approximate, rdflib.Literal(True))))
    for convention, label in [("convention-grading-scale-assumed", "grading scale assumed"),
                              ("convention-grade-scope-from-table", "grade scope read from a table"),
                              ("convention-implausible-as-printed", "implausible as printed")]:
        assert caveats[label] == len(set(ontology_graph.subjects(BKG.valueConvention, BKG[convention]))) > 0
    assert caveats["hedged (may)"] == 2 and caveats["hedged (might)"] == 1


def test_no_answer_shows_an_assumed_grading_scale_as_the_sources(ontology_graph) -> None:
    """Every competency-question answer that prints NCI-CTCAE without "(assumed)" cites a claim
    whose quote names the scale."""
    import json

    shown = 0
    for path in sorted((Path(__file__).resolve().parent / "cq" / "expected").glob("*.json")):
        for row in json.loads(path.read_text())["rows"]:
            if row.get("gradingScale") == "NCI-CTCAE":
                claim = rdflib.URIRef(row.get("claim") or row.get("rule"))
                quotes = " ".join(str(q) for q in ontology_graph.objects(claim, BKG.evidenceQuote))
                assert any(word in quotes for word in SCALE_NAMED), f"{path.name}: {claim}"
            shown += row.get("gradingScale") == "NCI-CTCAE (assumed)"
    assert shown
