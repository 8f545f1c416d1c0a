"""bortekg assess: every dose-modification row, route and schedule advice, the symptomatic
ladder, the avoid-list, risk factors, the immune-mediated alert on the case report's patient
and on every published case, invalid patient documents, and the run without Java."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.cli import main
from bortekg.clinical import FormClassifier, PatientDocumentError, assess, build_patient
from bortekg.clinical.module import ANCHORED_CLAIMS
from conftest import select_rows

EXAMPLES = Path(__file__).resolve().parent / "patients"
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs a Java runtime")

BKG, BKE = rdflib.Namespace(ns.BKG), rdflib.Namespace(ns.BKE)
BIPN_ANSWER = "Dr.Oracle: treatment of bortezomib-induced peripheral neuropathy (2025-12-24)"


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    return KnowledgeGraph()


@pytest.fixture(scope="module")
def classifier(graph: KnowledgeGraph) -> FormClassifier:
    return FormClassifier(graph)


def run_assessment(graph, classifier, document: dict):
    return assess(graph, build_patient(graph, document, "patient.json"), classifier=classifier)


def claims(recommendation) -> list[str]:
    return [ns.curie(e.claim) for e in recommendation.evidence]


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


# ------------------------------------------------------------------ dose rules, row by row

#: grade, pain -> (dose actions, new dose in mg/m2 or None, the rules' claims)
DOSE_ROWS = {
    (1, True): ({"reduce dose"}, 1.0, {"bkc:bipntx-dose-rule-1"}),
    (2, False): ({"reduce dose"}, 1.0, {"bkc:bipntx-dose-rule-1"}),
    (2, True): ({"withhold, then restart at a lower dose", "interrupt treatment"}, 0.7,
                {"bkc:bipntx-dose-rule-2", "bkc:fasc-dose-rule-interrupt"}),
    (3, False): ({"withhold, then restart at a lower dose", "interrupt treatment"}, 0.7,
                 {"bkc:bipntx-dose-rule-2", "bkc:fasc-dose-rule-interrupt"}),
    (3, True): ({"withhold, then restart at a lower dose", "interrupt treatment"}, 0.7,
                {"bkc:bipntx-dose-rule-2", "bkc:fasc-dose-rule-interrupt"}),
    (4, False): ({"discontinue permanently"}, None, {"bkc:bipntx-dose-rule-3"}),
    (4, True): ({"discontinue permanently"}, None, {"bkc:bipntx-dose-rule-3"}),
}


@pytest.mark.parametrize("grade,pain", sorted(DOSE_ROWS), ids=lambda v: str(v))
def test_every_dose_modification_row(graph, classifier, grade: int, pain: bool) -> None:
    actions, dose, rules = DOSE_ROWS[(grade, pain)]
    result = run_assessment(graph, classifier, {"neuropathy": {"grade": grade, "pain": pain}})
    found = result.of_kind("dose-modification")
    assert {r.values["dose_action"] for r in found} == actions
    assert {c for r in found for c in claims(r)} == rules
    doses = {r.values["dose_mg_m2"] for r in found if "dose_mg_m2" in r.values}
    assert doses == ({dose} if dose else set())
    assert all(r.values["grading_scale"].startswith("NCI common toxicity criteria") for r in found)
    assert not result.notes


def test_grade_1_without_pain_has_no_rule_and_says_so(graph, classifier) -> None:
    """The sources give no rule for grade 1 without pain: no dose recommendation, a note."""
    result = run_assessment(graph, classifier, {"neuropathy": {"grade": 1, "pain": False}})
    assert result.of_kind("dose-modification") == []
    assert result.notes == ["The sources give no dose-modification rule for grade 1 neuropathy without pain."]
    assert result.of_kind("symptomatic-treatment") == []  # no pain, no pain ladder
    assert result.of_kind("monitoring")  # monitoring still applies


def test_rules_that_depend_on_pain_ask_for_it(graph, classifier) -> None:
    result = run_assessment(graph, classifier, {"neuropathy": {"grade": 2}})
    assert result.of_kind("dose-modification") == []
    assert result.notes == ["The dose-modification rules for grade 2 depend on whether the neuropathy is "
                            "painful: give neuropathy.pain in the patient document."]


# ------------------------------------------------------------------ the first case

@pytest.fixture(scope="module")
def painful_iv(graph, classifier):
    document = json.loads((EXAMPLES / "patient-grade2-painful-iv.json").read_text())
    return run_assessment(graph, classifier, document)


def test_grade_2_painful_iv_twice_weekly_gets_withhold_and_restart_at_0_7_weekly(painful_iv) -> None:
    [rule] = [r for r in painful_iv.of_kind("dose-modification") if r.values.get("dose_mg_m2") == 0.7]
    assert rule.values["schedule"] == "once weekly"
    assert rule.values["dose_action"] == "withhold, then restart at a lower dose"
    assert rule.values["restart_criterion"] == "until symptoms resolve to baseline"
    [evidence] = rule.evidence
    assert evidence.source == BIPN_ANSWER
    assert evidence.quote.startswith("Grade 2 with pain or Grade 3 (interfering with daily activities): "
                                     "Withhold bortezomib until symptoms resolve to baseline, then restart at 0.7")


def test_switch_to_subcutaneous_and_weekly(painful_iv) -> None:
    [route] = painful_iv.of_kind("route-change")
    assert (route.values["from_route"], route.values["to_route"]) == ("intravenous", "subcutaneous")
    assert "bkc:bipntx-route-switch-to-subcutaneous" in claims(route)
    assert any("38% vs 53%" in e.quote for e in route.evidence)
    [schedule] = painful_iv.of_kind("schedule-change")
    assert (schedule.values["from_schedule"], schedule.values["to_schedule"]) == ("twice weekly", "once weekly")
    assert "bkc:bipntx-schedule-switch-to-weekly" in claims(schedule)


def test_pregabalin_first_with_its_dose_then_second_line(painful_iv) -> None:
    ladder = painful_iv.of_kind("symptomatic-treatment")
    first = ladder[0]
    assert first.values["intervention"] == "pregabalin" and first.values["line"] == ["first line"]
    assert (first.values["dose_min"], first.values["dose_max"], first.values["dose_unit"]) == (150.0, 600.0, "mg/day")
    assert first.action == "First line: pregabalin 150-600 mg/day for at least 3 months"
    assert any("Pregabalin 150-600 mg/day for at least three months" in e.quote for e in first.evidence)
    second = {r.values["intervention"] for r in ladder if r.values["line"] == ["second line"]}
    assert second == {"gabapentin", "duloxetine", "tramadol"}


def test_avoid_list_matches_the_medications(painful_iv) -> None:
    avoided = {r.values["intervention"]: r for r in painful_iv.of_kind("avoid")}
    assert set(avoided) == {"high-dose vitamin C", "high-dose vitamin supplements", "vitamin supplements",
                            "continuing full-dose bortezomib despite painful neuropathy"}
    vitamin_c = avoided["high-dose vitamin C"]
    assert vitamin_c.values["matched_medications"] == [{"medication": "high-dose vitamin C", "match": "is"}]
    assert "interfere with bortezomib metabolism" in vitamin_c.action
    full_dose = avoided["continuing full-dose bortezomib despite painful neuropathy"]
    assert full_dose.values["matched_medications"] == [{"medication": "bortezomib", "match": "uses"}]


def test_risk_factors_present(painful_iv) -> None:
    factors = {r.values["risk_factor"] for r in painful_iv.of_kind("risk-factor")}
    assert factors == {"diabetes mellitus", "intravenous bortezomib administration (risk factor)",
                       "twice-weekly bortezomib dosing schedule (risk factor)"}


def test_fasciculation_prompts_evaluation_and_pitfalls_are_shown(painful_iv) -> None:
    alerts = {c for r in painful_iv.of_kind("finding-alert") for c in claims(r)}
    assert "bkc:fasc-pearl-fasciculation-early-sign" in alerts
    monitoring = {c for r in painful_iv.of_kind("monitoring") for c in claims(r)}
    assert "bkc:bipntx-pitfall-check-vitamin-b12" in monitoring
    [diabetes] = painful_iv.of_kind("comorbidity")
    assert claims(diabetes) == ["bkc:bipntx-pitfall-optimise-diabetes-control"]
    [zoster] = painful_iv.of_kind("prevention")
    assert claims(zoster) == ["bkc:fasc-pearl-zoster-prophylaxis"] and zoster.values["strength"] == "strongly recommended"


def test_nothing_is_recommended_without_evidence(painful_iv, ontology_graph: rdflib.Graph) -> None:
    data = painful_iv.as_dict()
    # The monitoring advice alone, derived with rdflib from the Turtle files: every monitoring
    # recommendation about bortezomib or one of its drug classes that no finding triggers.
    about = set(ontology_graph.transitive_objects(BKE.bortezomib, BKG.memberOfDrugClass))
    monitoring = {ns.curie(str(claim)) for claim in ontology_graph.subjects(rdflib.RDF.type, BKG.MonitoringRecommendation)
                  if (claim, BKG.finding, None) not in ontology_graph
                  and about & set(ontology_graph.objects(claim, BKG.drug))}
    assert {c for r in painful_iv.of_kind("monitoring") for c in claims(r)} == monitoring
    for item in data["recommendations"]:
        assert item["kind"] and item["action"] and item["evidence"], item
        for evidence in item["evidence"]:
            assert evidence["source"] and evidence["quote"] and evidence["claim"].startswith("bkc:")


def test_subcutaneous_weekly_patient_gets_no_route_or_schedule_change(graph, classifier) -> None:
    result = run_assessment(graph, classifier, {
        "bortezomib": {"route": "subcutaneous", "schedule": "weekly"}, "neuropathy": {"grade": 1, "pain": True}})
    assert result.of_kind("route-change") == [] and result.of_kind("schedule-change") == []
    assert result.of_kind("risk-factor") == []


def test_plain_vitamin_c_and_capsaicin_cream_are_flagged(graph, classifier) -> None:
    result = run_assessment(graph, classifier, {"medications": ["vitamin C", "capsaicin cream"]})
    avoided = {r.values["intervention"]: r.values["matched_medications"] for r in result.of_kind("avoid")}
    assert avoided["high-dose vitamin C"] == [{"medication": "vitamin C (ascorbic acid)", "match": "uses"}]
    assert avoided["capsaicin cream"] == [{"medication": "capsaicin cream", "match": "is"}]
    assert "continuing full-dose bortezomib despite painful neuropathy" not in avoided  # no pain


# ------------------------------------------------------------------ BIPN forms (OWL)

@needs_java
@pytest.mark.java
def test_worsening_motor_weakness_with_high_csf_protein_is_flagged_immune(graph, classifier) -> None:
    document = json.loads((EXAMPLES / "patient-suspected-immune.json").read_text())
    result = run_assessment(graph, classifier, document)
    [alert] = result.of_kind("alert")
    assert alert.values["form"] == "immune-mediated BIPN"
    assert alert.values["class_id"] == "bkg:SuspectedImmuneMediatedBipnCase"
    assert set(alert.values["features"]) >= {"prominent motor involvement", "worsening after bortezomib withdrawal",
                                             "inflammatory CSF findings"}
    assert "extensive neurological examination" in alert.action
    options = {o["intervention"] for o in alert.values["immunotherapy_options"]}
    assert {"corticosteroid", "intravenous immunoglobulin"} <= {o.split(" (")[0] for o in options}
    assert all(o["evidence"] for o in alert.values["immunotherapy_options"])
    assert alert.evidence and all(e.quote for e in alert.evidence)


CASE_FEATURES = """
PREFIX bkg: <https://w3id.org/bortekg/>
SELECT ?case ?feature WHERE { ?case bkg:attributedForm ?any ; bkg:hasFeature ?feature }
"""
CASE_FORMS = """
PREFIX bkg: <https://w3id.org/bortekg/>
SELECT ?case ?form WHERE { ?case bkg:attributedForm ?form }
"""


def published_cases(graph) -> dict[str, tuple[list[str], set[str]]]:
    features: dict[str, list[str]] = {}
    for row in select_rows(graph, CASE_FEATURES):
        features.setdefault(row["case"], []).append(ns.curie(row["feature"]))
    forms: dict[str, set[str]] = {}
    for row in select_rows(graph, CASE_FORMS):
        forms.setdefault(row["case"], set()).add(row["form"])
    return {ns.curie(case): (sorted(features[case]), forms[case]) for case in forms}


CASES = ["bke:case004-patient", "bke:case-xu", "bke:case-mauermann", "bke:case-ravaglia-series-patient",
         "bke:case-jeter-kang", "bke:case-saifee", "bke:case-schmitt"]


@needs_java
@pytest.mark.java
@pytest.mark.parametrize("case", CASES)
def test_published_case_as_a_patient_gets_the_form_its_source_attributes(graph, classifier, case: str) -> None:
    """Each published case, entered as a patient with its features as findings (CURIEs):
    the immune-mediated alert appears exactly for the cases the source calls immune-mediated."""
    cases = published_cases(graph)
    assert sorted(cases) == sorted(CASES)
    features, attributed = cases[case]
    result = run_assessment(graph, classifier, {"findings": features})
    suggested = set(result.classification.classes.values())
    assert suggested == attributed
    alerted = {r.values["form"] for r in result.of_kind("alert")}
    assert ("immune-mediated BIPN" in alerted) == (ns.BKE + "immune-mediated-bipn" in attributed)


@needs_java
@pytest.mark.java
def test_typical_toxic_picture_is_not_flagged_immune(graph, classifier) -> None:
    result = run_assessment(graph, classifier, {
        "neuropathy": {"grade": 2, "pain": True, "motor_involvement": False, "worsening_after_stop": False},
        "findings": ["sensory-predominant involvement", "distal symmetric distribution", "small-fibre involvement"],
    })
    assert result.of_kind("alert") == []
    [form] = result.of_kind("bipn-form")
    assert form.values["form"] == "toxic BIPN"
    assert "small-fibre involvement" in form.values["features"]


@needs_java
@pytest.mark.java
def test_motor_weakness_alone_is_not_flagged_immune(graph, classifier) -> None:
    """Motor involvement alone is not one of the source's immune patterns."""
    result = run_assessment(graph, classifier, {"neuropathy": {"grade": 2, "pain": False, "motor_involvement": True}})
    assert result.classification.done and result.classification.classes == {}
    assert {c for r in result.of_kind("finding-alert") for c in claims(r)} == {"bkc:bipntx-monitoring-motor-involvement"}


def test_without_java_the_rest_is_assessed_and_the_gap_is_said(tmp_path, monkeypatch) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = cli("assess", str(EXAMPLES / "patient-suspected-immune.json"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["form_classification"]["done"] is False
    assert "apt-get install default-jre-headless" in data["form_classification"]["error"]
    assert any("was not assessed" in n for n in data["notes"])
    assert "was not assessed" in result.stderr
    assert {r["kind"] for r in data["recommendations"]} >= {"dose-modification", "finding-alert", "monitoring"}


# ------------------------------------------------------------------ documents and the CLI

@pytest.mark.parametrize("document,problems", [
    ({"neuropathy": {"pain": True}}, ["neuropathy: 'grade' is a required property"]),
    ({"neuropathy": {"grade": 5}}, ["neuropathy.grade: 5 is greater than the maximum of 4"]),
    ({"bortezomib": {"route": "oral", "schedule": "daily"}},
     ["bortezomib.route: 'oral' (oral) is not a route the assessment covers: give intravenous or subcutaneous",
      "bortezomib.schedule: 'daily' (daily) is not a schedule the assessment covers: give twice weekly or once weekly"]),
    ({"bortezomib": {"route": "intravenus"}},
     ["bortezomib.route: unknown term 'intravenus'; did you mean 'intravenous'"]),
    ({"age": "sixty", "weight": 70},
     ["Additional properties are not allowed ('weight' was unexpected)", "age: 'sixty' is not of type 'number'"]),
    ({"findings": ["fasiculation", "HP:0002380"], "medications": ["vitamine C"]},
     ["findings[0]: unknown term 'fasiculation'; did you mean 'fasciculation', 'fasciculations'",
      "medications[0]: unknown term 'vitamine C'; did you mean 'vitamin C'"]),
    ([1, 2], ["[1, 2] is not of type 'object'"]),
])
def test_invalid_documents_get_one_message_per_problem(graph, document, problems) -> None:
    with pytest.raises(PatientDocumentError) as error:
        build_patient(graph, document, "patient.json")
    found = error.value.problems
    assert len(found) == len(problems) and all(f.startswith(p) for f, p in zip(found, problems)), found


@pytest.mark.parametrize("content,message", [
    ('{"neuropathy": {"grade": 2,}}', "patient.json: line 1, column 28: invalid JSON"),
    ('{"bortezomib": {"status": "paused"}}', "patient.json: bortezomib.status: 'paused' is not one of"),
])
def test_cli_rejects_invalid_documents_with_exit_2(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "patient.json"
    path.write_text(content)
    result = cli("assess", str(path))
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr


def test_cli_missing_file_and_no_file() -> None:
    missing = cli("assess", "nowhere.json")
    assert missing.exit_code == 2 and "nowhere.json: file not found" in missing.stderr
    none = cli("assess")
    assert none.exit_code == 2 and "--schema" in none.stderr


def test_cli_prints_the_schema() -> None:
    result = cli("assess", "--schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "IV" in schema["properties"]["bortezomib"]["properties"]["route"]["description"]


def test_cli_human_output_shows_sections_quotes_and_sources() -> None:
    result = cli("assess", str(EXAMPLES / "patient-grade2-painful-iv.json"))
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    for heading in ("Dose", "Route", "Schedule", "Symptomatic treatment (neuropathic pain)", "Avoid",
                    "Risk factors present", "Monitoring", "Prevention"):
        assert f"\n{heading}\n" in text
    assert "new dose 0.7 mg/m2; once weekly" in text
    assert f"[{BIPN_ANSWER}] \"Pregabalin 150-600 mg/day" in text


def test_the_patient_never_enters_the_stored_graph(tmp_path: Path) -> None:
    store = tmp_path / "store"
    kg = KnowledgeGraph(store)
    before = kg.triples()
    graphs = kg.content_graphs()
    del kg
    result = cli("--store", str(store), "assess", str(EXAMPLES / "patient-grade2-painful-iv.json"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    kg = KnowledgeGraph(store)
    assert kg.triples() == before and kg.content_graphs() == graphs
    assert not any(t.subject.value.startswith(ns.BASE + "patient/") for t in kg.triples())


# ------------------------------------------------------------------ the sources, followed exactly

@needs_java
@pytest.mark.java
def test_increased_csf_protein_alone_is_not_flagged_immune(graph, classifier) -> None:
    """Grade 1 painless neuropathy, diabetes, ongoing weekly SubQ, no motor involvement, no
    worsening, only increased CSF protein: the case report never reads CSF findings alone as
    immune-mediated, so no alert and no immunotherapy."""
    document = json.loads((EXAMPLES / "patient-grade1-painless-csf-protein.json").read_text())
    result = run_assessment(graph, classifier, document)
    assert result.classification.done and result.classification.classes == {}
    assert result.of_kind("alert") == []
    shown = json.dumps(result.as_dict())
    for treatment in ("caselit-mauermann-cyclophosphamide", "caselit-jeter-kang-plasma-exchange",
                      "caselit-xu-ivig", "fasc-tx-steroids-severe"):
        assert treatment not in shown


@needs_java
@pytest.mark.java
def test_csf_findings_with_a_worsening_motor_predominant_course_are_flagged_immune(graph, classifier) -> None:
    """The pattern of the series of Ravaglia et al. and of the patient of Mauermann et al."""
    result = run_assessment(graph, classifier, {
        "neuropathy": {"grade": 3, "pain": False, "motor_involvement": True, "worsening_after_stop": True},
        "findings": ["increased CSF protein"]})
    [alert] = result.of_kind("alert")
    assert alert.values["class_id"] == "bkg:SuspectedImmuneMediatedBipnCase"


def dose_claims(result) -> dict[str, dict]:
    return {c: r.values for r in result.of_kind("dose-modification") for c in claims(r)}


def test_fasciculation_brings_prompt_dose_modification_alongside_the_grade_algorithm(painful_iv) -> None:
    found = dose_claims(painful_iv)
    closing = found["bkc:fasc-closing-prompt-dose-modification"]
    assert closing["rule_basis"] == "finding: fasciculation"
    assert closing["dose_action"] == "prompt dose modification or discontinuation"
    assert found["bkc:bipntx-dose-rule-2"]["rule_basis"] == "grade algorithm: grade 2 neuropathy with pain"
    assert painful_iv.notes == [
        "The dose advice comes from two rules that both apply: the grade algorithm for grade 2 neuropathy "
        "with pain, and the advice the patient's findings (fasciculation) bring into play; the sources do not rank them."]


def test_fasciculation_at_grade_1_without_pain_still_brings_dose_modification(graph, classifier) -> None:
    document = json.loads((EXAMPLES / "patient-grade1-fasciculation.json").read_text())
    result = run_assessment(graph, classifier, document)
    assert set(dose_claims(result)) == {"bkc:fasc-closing-prompt-dose-modification"}
    [dose] = result.of_kind("dose-modification")
    assert "prompt dose modification or discontinuation" in dose.action
    assert any("prompt dose modification or discontinuation is essential" in e.quote for e in dose.evidence)
    assert result.notes == ["The grade algorithm gives no dose-modification rule for grade 1 neuropathy without "
                            "pain; the dose advice applies because of the patient's findings (fasciculation)."]
    assert "bkc:fasc-pearl-fasciculation-early-sign" in {c for r in result.of_kind("finding-alert") for c in claims(r)}


def test_without_fasciculation_no_finding_dose_advice(graph, classifier) -> None:
    result = run_assessment(graph, classifier, {"neuropathy": {"grade": 2, "pain": True}})
    assert "bkc:fasc-closing-prompt-dose-modification" not in dose_claims(result)


def test_bipn_patient_gets_the_general_avoid_list_of_the_things_to_avoid_question(graph, classifier, ontology_graph) -> None:
    """Every avoidance claim of `cq run things-to-avoid` about BIPN that needs no finding the patient
    lacks reaches a BIPN patient who takes none of the things, with its reason and quote."""
    cq = (Path(__file__).resolve().parents[1] / "queries" / "cq" / "things-to-avoid.rq").read_text()
    rows = select_rows(graph, cq)
    about_bipn = {ns.curie(r["claim"]) for r in rows
                  if (rdflib.URIRef(r["claim"]), BKG.condition, BKE.bipn) in ontology_graph
                  and (rdflib.URIRef(r["claim"]), BKG.finding, None) not in ontology_graph}
    assert {"bkc:bipntx-avoid-high-dose-vitamin-c", "bkc:bipntx-avoid-high-dose-pyridoxine",
            "bkc:bipntx-avoid-capsaicin-cream"} <= about_bipn
    document = json.loads((EXAMPLES / "patient-grade1-painless-csf-protein.json").read_text())
    result = run_assessment(graph, classifier, document)
    general = {c: r for r in result.of_kind("avoid-general") for c in claims(r)}
    assert set(general) == about_bipn
    pyridoxine = general["bkc:bipntx-avoid-high-dose-pyridoxine"]
    assert pyridoxine.values["especially_in"] == ["renal insufficiency"]
    assert pyridoxine.values["especially_in_present"] == []
    assert "interfere with bortezomib metabolism" in general["bkc:bipntx-avoid-high-dose-vitamin-c"].action


def test_general_avoid_list_leaves_out_what_the_medications_already_match(painful_iv) -> None:
    matched = {c for r in painful_iv.of_kind("avoid") for c in claims(r)}
    general = {c for r in painful_iv.of_kind("avoid-general") for c in claims(r)}
    assert "bkc:bipntx-avoid-high-dose-vitamin-c" in matched and not matched & general
    assert "bkc:bipntx-avoid-capsaicin-cream" in general


def test_no_neuropathy_no_general_avoid_list(graph, classifier) -> None:
    result = run_assessment(graph, classifier, {"medications": ["vitamin C"]})
    assert result.of_kind("avoid-general") == []


# ------------------------------------------------------------------ the patient's module of the graph

#: Patient documents beyond tests/patients/: medications matched as forms and uses, no neuropathy,
#: rules that need the pain status, a subcutaneous weekly regimen.
MODULE_CASES = {
    **{path.stem: json.loads(path.read_text()) for path in sorted(EXAMPLES.glob("*.json"))},
    "medications-only": {"medications": ["vitamin C", "capsaicin cream", "pregabalin"]},
    "grade-2-pain-unknown": {"neuropathy": {"grade": 2}, "comorbidities": ["diabetes mellitus"]},
    "grade-4-sc-weekly": {"bortezomib": {"route": "subcutaneous", "schedule": "weekly"},
                          "neuropathy": {"grade": 4, "pain": True, "motor_involvement": True},
                          "medications": ["high-dose pyridoxine"]},
}


class EveryFormClass:
    """Places every patient in every defined form class, so that the alerts, prompts and form
    features of both forms are compared for every case (the OWL classification itself is
    tested against the whole graph in test_reason.py)."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        query = "SELECT ?c ?f WHERE { ?c <https://w3id.org/bortekg/suggestsForm> ?f }"
        self.classes = {row["c"].value: row["f"].value for row in graph.query(query)}

    def classify(self, individual: str, features: list[str], *, timeout: float):
        from bortekg.clinical import FormClassification

        return FormClassification(classes=dict(self.classes))


@pytest.fixture(scope="module")
def module_patients(graph) -> dict:
    return {case: build_patient(graph, document, "patient.json") for case, document in MODULE_CASES.items()}


@pytest.fixture(scope="module")
def whole_graph_assessments(graph, module_patients) -> dict[str, dict]:
    """Every case assessed over a copy of the whole graph with the patient in it (the reference)."""
    import importlib

    from bortekg.clinical.patient import GRAPH_PATIENT, patient_triples

    assessing = importlib.import_module("bortekg.clinical.assess")  # the module, not the function
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(assessing, "patient_graph",
                        lambda kg, patient: kg.with_scratch_graph(GRAPH_PATIENT, patient_triples(patient)))
        return {case: assess(graph, patient, classifier=EveryFormClass(graph)).as_dict()
                for case, patient in module_patients.items()}


@pytest.mark.parametrize("case", sorted(MODULE_CASES))
def test_the_patient_module_gives_the_whole_graph_assessment(graph, module_patients, whole_graph_assessments,
                                                            case: str) -> None:
    expected = whole_graph_assessments[case]
    assert expected["recommendations"], "a case with no recommendation compares nothing"
    assert assess(graph, module_patients[case], classifier=EveryFormClass(graph)).as_dict() == expected


def test_the_patient_module_is_a_small_part_of_the_graph(graph, module_patients) -> None:
    from bortekg.clinical.module import patient_module

    module = patient_module(graph, module_patients["patient-grade2-painful-iv"])
    assert set(module) <= set(graph.quads())
    assert 0 < len(module) < len(graph) / 4


@pytest.mark.parametrize("dropped", range(len(ANCHORED_CLAIMS)))
def test_the_comparison_sees_every_anchor_of_the_module(graph, module_patients, whole_graph_assessments,
                                                         dropped: int, monkeypatch) -> None:
    """A planted defect: one anchored claim kind left out of the module. Either some patient's
    assessment changes (the comparison above fails), or no patient's module changes at all
    (another anchor reaches the same claims in this graph, as the drug anchor does for the
    finding-triggered claims about bortezomib)."""
    from bortekg.clinical import module

    anchors = module.ANCHORED_CLAIMS
    patients = module_patients
    full = {case: set(module.patient_module(graph, patient)) for case, patient in patients.items()}
    monkeypatch.setattr(module, "ANCHORED_CLAIMS", anchors[:dropped] + anchors[dropped + 1:])
    affected = [case for case, patient in patients.items() if set(module.patient_module(graph, patient)) != full[case]]
    changed = [case for case in affected
               if assess(graph, patients[case], classifier=EveryFormClass(graph)).as_dict()
               != whole_graph_assessments[case]]
    assert changed or not affected, f"the comparison does not see {anchors[dropped]} go"
