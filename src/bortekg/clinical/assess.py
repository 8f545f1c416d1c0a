"""Patient assessment: the patient as a temporary RDF individual, the rules and claims of the
graph read with SPARQL (queries/assess/*.rq), the suspected BIPN form from OWL classification.

Python only runs the queries, groups their rows into recommendations and words them from
the graph's labels; which rule applies to which patient is decided in the queries and in
the OWL definitions. Every recommendation carries the claims it rests on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg import resources
from bortekg.clinical.classify import FormClassification, FormClassifier
from bortekg.clinical.module import patient_graph
from bortekg.clinical.patient import PATIENT, Patient
from bortekg.store import KnowledgeGraph

_MG_PER_M2 = ns.BKG + "unit-mg-per-m2"


@dataclass(frozen=True)
class Evidence:
    claim: str
    label: str
    statement: str
    source: str
    source_id: str
    quote: str
    evidence_kind: str
    reference: str | None
    modality: str = "stated"
    modality_note: str | None = None
    caveats: tuple[str, ...] = ()  # approximations and reading conventions, in the graph's words

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "claim": ns.curie(self.claim), "label": self.label, "statement": self.statement,
            "source": self.source, "source_id": ns.curie(self.source_id), "quote": self.quote,
            "evidence_kind": self.evidence_kind, "source_reference": self.reference,
            "modality": self.modality,
        }
        if self.modality_note:
            found["modality_note"] = self.modality_note
        if self.caveats:
            found["caveats"] = list(self.caveats)
        return found


@dataclass
class Recommendation:
    kind: str
    action: str
    values: dict[str, Any]
    evidence: list[Evidence]

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "action": self.action, **self.values,
                "evidence": [e.as_dict() for e in self.evidence]}


@dataclass
class Assessment:
    patient: Patient
    recommendations: list[Recommendation]
    classification: FormClassification
    notes: list[str] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Recommendation]:
        return [r for r in self.recommendations if r.kind == kind]

    def as_dict(self) -> dict[str, Any]:
        classification = {
            "done": self.classification.done,
            "reasoner": self.classification.reasoner,
            "classes": [ns.curie(c) for c in sorted(self.classification.classes)],
        }
        if self.classification.error:
            classification["error"] = self.classification.error
        return {
            "patient": self.patient.as_dict(),
            "form_classification": classification,
            "recommendations": [r.as_dict() for r in self.recommendations],
            "notes": self.notes,
        }


@cache
def _query_text(name: str) -> str:
    return (resources.queries_dir() / "assess" / f"{name}.rq").read_text(encoding="utf-8")


class _Context:
    """The patient's module of the graph with the patient in it, its labels and the evidence
    of every claim."""

    def __init__(self, kg: KnowledgeGraph, patient: Patient) -> None:
        self.kg = patient_graph(kg, patient)
        self.labels = {
            row["s"].value: row["l"].value
            for row in self.kg.query("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
            if isinstance(row["s"], ox.NamedNode)
        }
        self.evidence = self._evidence()

    def rows(self, name: str) -> list[dict[str, str]]:
        text = _query_text(name)
        bindings = {"patient": ox.NamedNode(PATIENT)} if "?patient" in text else None
        results = self.kg.query(text, bindings=bindings)
        names = [v.value for v in results.variables]
        return [{n: row[n].value for n in names if row[n] is not None} for row in results]

    def label(self, iri: str | None) -> str:
        if iri is None:
            return ""
        return self.labels.get(iri, ns.curie(iri))

    def _evidence(self) -> dict[str, Evidence]:
        quotes: dict[str, dict[str, None]] = defaultdict(dict)
        caveats: dict[str, dict[str, None]] = defaultdict(dict)
        found: dict[str, dict[str, str]] = {}
        results = self.kg.query(_query_text("evidence"))
        for row in results:
            values = {v.value: row[v.value].value for v in results.variables if row[v.value] is not None}
            quotes[values["claim"]][values["quote"]] = None
            for key in ("approximationNote", "conventionNote"):
                if key in values:
                    caveats[values["claim"]][values[key]] = None
            found[values["claim"]] = values
        return {
            claim: Evidence(
                claim=claim, label=v.get("label", ""), statement=v.get("statement", ""),
                source=v.get("sourceLabel", ns.curie(v["source"])), source_id=v["source"],
                quote=" … ".join(quotes[claim]), evidence_kind=v.get("kind", ""), reference=v.get("reference"),
                modality=v.get("modality", "stated"), modality_note=v.get("modalityNote"),
                caveats=tuple(caveats[claim]),
            )
            for claim, v in found.items()
        }

    def evidence_of(self, claims) -> list[Evidence]:
        return [self.evidence[c] for c in dict.fromkeys(claims) if c in self.evidence]

    def value_order(self, value_set: str) -> dict[str, int]:
        """Positions of the members in a value set's owl:oneOf list (its intended order)."""
        rows = self.kg.query(
            "PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
            "SELECT ?set ?list WHERE { ?set owl:equivalentClass/owl:oneOf ?list }",
            bindings={"set": ox.NamedNode(value_set)},
        )
        order: dict[str, int] = {}
        for row in rows:
            node = row["list"]
            while node is not None and node != ox.NamedNode(ns.RDF + "nil"):
                first = next(iter(self.kg.store.quads_for_pattern(node, ox.NamedNode(ns.RDF + "first"), None)), None)
                rest = next(iter(self.kg.store.quads_for_pattern(node, ox.NamedNode(ns.RDF + "rest"), None)), None)
                if first is None:
                    break
                order.setdefault(first.object.value, len(order))
                node = rest.object if rest else None
        return order


def assess(kg: KnowledgeGraph, patient: Patient, *, classifier: FormClassifier | None = None,
           timeout: float = 30.0) -> Assessment:
    """Recommendations for ``patient``, each with its evidence. The stored graph is not changed."""
    context = _Context(kg, patient)
    classifier = classifier or FormClassifier(kg)
    classification = classifier.classify(PATIENT, patient.features(), timeout=timeout)
    notes: list[str] = []
    grade_rules = _dose(context, patient, notes)
    recommendations = [
        *grade_rules,
        *_finding_dose(context, patient, notes, grade_rules=bool(grade_rules)),
        *_changes(context, "route-change", "route", "Switch bortezomib from {src} to {dst}"),
        *_changes(context, "schedule-change", "schedule", "Change bortezomib from {src} to {dst} dosing"),
        *_pain_treatment(context),
        *_avoid(context),
        *_avoid_general(context),
        *_risk_factors(context),
        *_form_alerts(context, classification),
        *_finding_alerts(context),
        *_monitoring(context),
        *_prevention(context),
        *_comorbidities(context),
    ]
    if not classification.done:
        notes.append(f"The BIPN form (toxic or immune-mediated) was not assessed: {classification.error}")
    # nothing is recommended without evidence
    recommendations = [r for r in recommendations if r.evidence]
    return Assessment(patient, recommendations, classification, notes)


def _strengths(context: _Context, rows: list[dict[str, str]]) -> list[str]:
    """The recommendation strengths of the rows' claims, strongest first (value-set order)."""
    order = context.value_order(ns.BKG + "RecommendationStrength")
    found = {r["strength"] for r in rows if "strength" in r}
    return [context.label(s) for s in sorted(found, key=lambda s: order.get(s, len(order)))]


def _dose(context: _Context, patient: Patient, notes: list[str]) -> list[Recommendation]:
    if patient.grade is None:
        return []
    by_rule: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in context.rows("dose-rules"):
        by_rule[row["rule"]].append(row)
    found = []
    for rule, rows in by_rule.items():
        row = rows[0]
        values: dict[str, Any] = {"dose_action": context.label(row["action"])}
        parts = [values["dose_action"]]
        if "restart" in row:
            values["restart_criterion"] = row["restart"]
            parts.append(row["restart"])
        if "newDose" in row:
            dose = float(row["newDose"])
            if row["unit"] == _MG_PER_M2:
                values["dose_mg_m2"] = dose
            else:
                values["new_dose"], values["dose_unit"] = dose, context.label(row["unit"])
            parts.append(f"new dose {dose:g} {context.label(row['unit'])}")
        if "schedule" in row:
            values["schedule"] = context.label(row["schedule"])
            parts.append(values["schedule"])
        if "scale" in row:
            values["grading_scale"] = context.label(row["scale"])
        strengths = _strengths(context, rows)
        if strengths:
            values["strength"] = strengths
        values["rule_basis"] = "grade algorithm: " + _grade_text(patient)
        action = "Bortezomib: " + "; ".join(parts) + (f" ({strengths[0]})" if strengths else "")
        found.append(Recommendation("dose-modification", action, values, context.evidence_of([rule])))
    if not found:
        if context.rows("pain-dependent-rules"):
            notes.append(f"The dose-modification rules for grade {patient.grade} depend on whether the "
                         "neuropathy is painful: give neuropathy.pain in the patient document.")
        else:
            notes.append(f"The sources give no dose-modification rule for {_grade_text(patient)}.")
    return found


def _grade_text(patient: Patient) -> str:
    pain = patient.flags.get("pain")
    wording = "" if pain is None else (" with pain" if pain else " without pain")
    return f"grade {patient.grade} neuropathy{wording}"


def _finding_dose(context: _Context, patient: Patient, notes: list[str], *, grade_rules: bool) -> list[Recommendation]:
    """Dose advice that a finding brings into play (fasciculation: prompt dose modification or
    discontinuation), given alongside the grade algorithm; a note says which rule applies."""
    by_claim: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in context.rows("finding-treatment"):
        by_claim[row["claim"]].append(row)
    found = []
    for claim, rows in by_claim.items():
        row = rows[0]
        findings = sorted({context.label(r["finding"]) for r in rows})
        advice = row.get("advice", context.label(row["intervention"]))
        values: dict[str, Any] = {
            "dose_action": advice, "intervention": context.label(row["intervention"]),
            "rule_basis": "finding: " + ", ".join(findings),
            "matched": sorted({context.label(r["matched"]) for r in rows}),
        }
        if "useCondition" in row:
            values["use_condition"] = row["useCondition"]
        strengths = _strengths(context, rows)
        if strengths:
            values["strength"] = strengths
        action = f"Bortezomib: {advice} because of {', '.join(findings)}" + (f" ({strengths[0]})" if strengths else "")
        found.append(Recommendation("dose-modification", action, values, context.evidence_of([claim])))
    if found:
        named = ", ".join(sorted({f for r in found for f in r.values["rule_basis"].removeprefix("finding: ").split(", ")}))
        if patient.grade is None:
            notes.append(f"The dose advice applies because of the patient's findings ({named}); "
                         "no neuropathy grade was given, so the grade algorithm was not applied.")
        elif not grade_rules:
            # replaces "the sources give no rule": the grade algorithm gives none, the finding does
            notes[:] = [n for n in notes if not n.startswith("The sources give no dose-modification rule")]
            notes.append(f"The grade algorithm gives no dose-modification rule for "
                         f"{_grade_text(patient)}; the dose advice "
                         f"applies because of the patient's findings ({named}).")
        else:
            notes.append(f"The dose advice comes from two rules that both apply: the grade algorithm for "
                         f"{_grade_text(patient)}, and the advice the "
                         f"patient's findings ({named}) bring into play; the sources do not rank them.")
    return found


def _changes(context: _Context, query: str, what: str, wording: str) -> list[Recommendation]:
    by_target: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in context.rows(query):
        by_target[row["to"]].append(row)
    found = []
    for target, rows in by_target.items():
        source = rows[0]["from"]
        strengths = _strengths(context, rows)
        values = {f"from_{what}": context.label(source), f"to_{what}": context.label(target), "strength": strengths}
        action = wording.format(src=context.label(source), dst=context.label(target))
        action += f" ({strengths[0]})" if strengths else ""
        found.append(Recommendation(f"{what}-change", action, values,
                                    context.evidence_of(r["claim"] for r in rows)))
    return found


def _pain_treatment(context: _Context) -> list[Recommendation]:
    by_drug: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in context.rows("pain-treatment"):
        by_drug[row["intervention"]].append(row)
    order = context.value_order(ns.BKG + "LineOfTherapy")
    found = []
    for drug, rows in by_drug.items():
        lines = sorted({r["line"] for r in rows if "line" in r}, key=lambda line: order.get(line, len(order)))
        dosed = next((r for r in rows if "doseMin" in r and "line" in r), None) or next((r for r in rows if "doseMin" in r), None)
        values: dict[str, Any] = {"intervention": context.label(drug), "line": [context.label(x) for x in lines]}
        text = f"{', '.join(values['line'])}: {values['intervention']}"
        if dosed:
            values.update(dose_min=float(dosed["doseMin"]), dose_max=float(dosed["doseMax"]),
                          dose_unit=context.label(dosed["doseUnit"]))
            text += f" {values['dose_min']:g}-{values['dose_max']:g} {values['dose_unit']}"
            if "durationMin" in dosed:
                values.update(duration_min=float(dosed["durationMin"]), duration_unit=context.label(dosed["durationUnit"]))
                text += f" for at least {_quantity(values['duration_min'], values['duration_unit'])}"
        conditions = sorted({r["useCondition"] for r in rows if "useCondition" in r and "line" in r})
        if conditions:
            values["use_condition"] = conditions
            text += f" ({'; '.join(conditions)})"
        rank = order.get(lines[0], len(order)) if lines else len(order)
        found.append((rank, values["intervention"],
                      Recommendation("symptomatic-treatment", text.capitalize(), values,
                                     context.evidence_of(r["claim"] for r in rows))))
    return [r for _, _, r in sorted(found, key=lambda item: item[:2])]


def _quantity(value: float, unit: str) -> str:
    """``3 month`` -> ``3 months``: unit labels are singular words."""
    plural = value != 1 and unit.isalpha()
    return f"{value:g} {unit}{'s' if plural else ''}"


def _avoid(context: _Context) -> list[Recommendation]:
    by_claim: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in context.rows("avoid"):
        by_claim[row["claim"]].append(row)
    found = []
    for claim, rows in by_claim.items():
        intervention = context.label(rows[0]["intervention"])
        matches = [{"medication": context.label(r["medication"]), "match": r["match"]} for r in rows]
        matches = [dict(m) for m in {tuple(m.items()) for m in matches}]
        matches.sort(key=lambda m: (m["medication"], m["match"]))
        values: dict[str, Any] = {"intervention": intervention, "matched_medications": matches}
        action = f"Avoid {intervention}"
        if "reason" in rows[0]:
            values["reason"] = rows[0]["reason"]
            action += f": {rows[0]['reason']}"
        found.append(Recommendation("avoid", action, values, context.evidence_of([claim])))
    return found


def _avoid_general(context: _Context) -> list[Recommendation]:
    """What the sources say to avoid in the patient's neuropathy, whatever the patient takes."""
    matched = {c for row in context.rows("avoid") for c in [row["claim"]]}
    by_claim: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in context.rows("avoid-general"):
        if row["claim"] not in matched:
            by_claim[row["claim"]].append(row)
    found = []
    for claim, rows in by_claim.items():
        row = rows[0]
        values: dict[str, Any] = {"intervention": context.label(row["intervention"])}
        action = f"Avoid {values['intervention']}"
        if "reason" in row:
            values["reason"] = row["reason"]
            action += f": {row['reason']}"
        populations = sorted({context.label(r["population"]) for r in rows if "population" in r})
        if populations:
            values["especially_in"] = populations
            present = sorted({context.label(r["population"]) for r in rows if "populationMatched" in r})
            values["especially_in_present"] = present
            action += f" (especially in {', '.join(populations)}" + ("; the patient has it)" if present else ")")
        found.append(Recommendation("avoid-general", action, values, context.evidence_of([claim])))
    return found


def _risk_factors(context: _Context) -> list[Recommendation]:
    by_factor: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in context.rows("risk-factors"):
        by_factor[row["factor"]].append(row)
    return [
        Recommendation(
            "risk-factor",
            f"Risk factor present: {context.label(factor)}",
            {"risk_factor": context.label(factor),
             "matched": sorted({context.label(r["matched"]) for r in rows})},
            context.evidence_of(r["claim"] for r in rows),
        )
        for factor, rows in by_factor.items()
    ]


def _form_alerts(context: _Context, classification: FormClassification) -> list[Recommendation]:
    features: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in context.rows("form-features"):
        features[row["form"]].append(row)
    prompts: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in context.rows("form-prompts"):
        prompts[row["class"]].append(row)
    found = []
    for cls_iri, form in sorted(classification.classes.items()):
        matched = sorted({context.label(r["feature"]) for r in features[form]})
        values: dict[str, Any] = {"form": context.label(form), "class": context.label(cls_iri),
                                  "class_id": ns.curie(cls_iri), "features": matched}
        action = (f"Possible {context.label(form)}: the patient meets the definition of a "
                  f"{context.label(cls_iri)} (features: {', '.join(matched)})")
        rows = prompts.get(cls_iri, [])
        evaluation = [r for r in rows if r["kind"] == ns.BKG + "MonitoringRecommendation"]
        if evaluation:
            values["evaluation"] = [
                {"action": r.get("advice", context.evidence[r["claim"]].statement),
                 "evidence": [e.as_dict() for e in context.evidence_of([r["claim"]])]}
                for r in evaluation
            ]
            action += ". " + " ".join(v["action"].rstrip(".") + "." for v in values["evaluation"])
        treatments = [r for r in rows if r["kind"] != ns.BKG + "MonitoringRecommendation"]
        # an animal study or a tentative suggestion of the authors is never an option, only background
        options = _options(context, [r for r in treatments if r.get("background") != "true"])
        if options:
            values["immunotherapy_options"] = options
            action = action.rstrip(".") + ". Treatment options in the sources: " + ", ".join(o["intervention"] for o in options)
        background = [r for r in treatments if r.get("background") == "true"]
        if background:
            values["background_evidence"] = [
                {"claim": ns.curie(r["claim"]), "intervention": context.label(r.get("intervention")),
                 "why_not_an_option": _why_background(context.evidence.get(r["claim"])),
                 "evidence": [e.as_dict() for e in context.evidence_of([r["claim"]])]}
                for r in background
            ]
        kind = "alert" if rows else "bipn-form"
        found.append(Recommendation(kind, action, values, context.evidence_of(r["claim"] for r in features[form])))
    return found


def _why_background(evidence: Evidence | None) -> str:
    if evidence is None:
        return "not a recommendation for patients"
    wording = f"evidence kind: {evidence.evidence_kind}; modality: {evidence.modality}"
    return f"not a recommendation for patients ({wording})"


def _options(context: _Context, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    by_group: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if "group" in row:
            by_group[row["group"]].append(row)
    options = []
    for group, items in by_group.items():
        option: dict[str, Any] = {"intervention": context.label(group)}
        conditions = sorted({r["useCondition"] for r in items if "useCondition" in r})
        if conditions:
            option["use_condition"] = conditions
        outcomes = [{"case": context.label(r["case"]), "treatment": context.label(r["intervention"]),
                     "outcome": r["response"]} for r in items if "case" in r and "response" in r]
        if outcomes:
            option["published_cases"] = outcomes
        option["evidence"] = [e.as_dict() for e in context.evidence_of(r["claim"] for r in items)]
        options.append(option)
    return options


def _finding_alerts(context: _Context) -> list[Recommendation]:
    by_claim: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in context.rows("finding-alerts"):
        by_claim[row["claim"]].append(row)
    return [
        Recommendation(
            "finding-alert",
            rows[0].get("advice", context.evidence[claim].statement if claim in context.evidence else ""),
            {"finding": context.label(rows[0]["finding"]),
             "matched": sorted({context.label(r["matched"]) for r in rows})},
            context.evidence_of([claim]),
        )
        for claim, rows in by_claim.items()
    ]


def _monitoring(context: _Context) -> list[Recommendation]:
    return [
        Recommendation("monitoring", row.get("advice", context.evidence[row["claim"]].statement
                                              if row["claim"] in context.evidence else ""),
                       {}, context.evidence_of([row["claim"]]))
        for row in context.rows("monitoring")
    ]


def _prevention(context: _Context) -> list[Recommendation]:
    found = []
    for row in context.rows("prevention"):
        values = {"intervention": context.label(row["intervention"])}
        action = values["intervention"].capitalize()
        if "condition" in row:
            values["against"] = context.label(row["condition"])
        if "strength" in row:
            values["strength"] = context.label(row["strength"])
            action += f" ({values['strength']})"
        found.append(Recommendation("prevention", action, values, context.evidence_of([row["claim"]])))
    return found


def _comorbidities(context: _Context) -> list[Recommendation]:
    found = []
    for row in context.rows("comorbidities"):
        values = {"disease": context.label(row["disease"]), "intervention": context.label(row["intervention"])}
        action = values["intervention"].capitalize()
        if "useCondition" in row:
            values["use_condition"] = row["useCondition"]
            action += f" ({row['useCondition']})"
        found.append(Recommendation("comorbidity", action, values, context.evidence_of([row["claim"]])))
    return found
