"""The patient document: JSON validated against the packaged schema, terms resolved against
the graph, and the patient as a temporary RDF individual."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.inputs import InputTooLargeError, JsonInputError, load_json, read_bounded
from bortekg.store import KnowledgeGraph
from bortekg.terms import AmbiguousTermError, NameIndex, UnknownTermError, lookup

#: The named graph and IRIs of the patient in the scratch copy of the graph.
GRAPH_PATIENT = ns.BASE + "graph/patient"
PATIENT = ns.BASE + "patient/assessed"

#: The routes and schedules the assessment covers (the patient document may name them by any
#: label, synonym or CURIE the graph knows: "IV", "SC", "twice weekly").
ROUTES = {"intravenous": ns.BKG + "route-intravenous", "subcutaneous": ns.BKG + "route-subcutaneous"}
SCHEDULES = {"twice-weekly": ns.BKG + "schedule-twice-weekly", "weekly": ns.BKG + "schedule-weekly"}
DRUG = ns.BKE + "bortezomib"

#: The largest patient document accepted (bytes): a real one is a few hundred bytes.
MAX_PATIENT_BYTES = 1024 * 1024
#: The deepest JSON nesting accepted in a patient document (the schema needs 3).
MAX_PATIENT_DEPTH = 20
NEUROPATHY = ns.BKE + "bipn"
FEATURE_FLAGS = {
    "pain": ns.BKE + "neuropathic-pain",
    "motor_involvement": ns.BKE + "prominent-motor-involvement",
    "worsening_after_stop": ns.BKE + "worsening-after-withdrawal",
}


class PatientDocumentError(ValueError):
    """The patient document is not valid: one message per problem."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


@dataclass(frozen=True)
class Term:
    """A term of the patient document and the graph node it names."""

    text: str
    iri: str
    label: str
    #: when the text is not an exact name: how it was read (see bortekg.terms.Resolution.note)
    note: str | None = None

    def as_dict(self) -> dict[str, str]:
        found = {"input": self.text, "curie": ns.curie(self.iri), "label": self.label}
        return found | ({"note": self.note} if self.note else {})


@dataclass
class Patient:
    id: str | None = None
    age: float | None = None
    sex: str | None = None
    diagnosis: Term | None = None
    dose_mg_m2: float | None = None
    route: str | None = None
    schedule: str | None = None
    cycle: int | None = None
    status: str | None = None
    grade: int | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    findings: list[Term] = field(default_factory=list)
    comorbidities: list[Term] = field(default_factory=list)
    medications: list[Term] = field(default_factory=list)

    def features(self) -> list[str]:
        """The IRIs of the patient's clinical features (findings and flagged features)."""
        found = [t.iri for t in self.findings]
        found += [iri for flag, iri in FEATURE_FLAGS.items() if self.flags.get(flag)]
        return list(dict.fromkeys(found))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "age": self.age,
            "sex": self.sex,
            "diagnosis": self.diagnosis.as_dict() if self.diagnosis else None,
            "bortezomib": {"dose_mg_m2": self.dose_mg_m2, "route": self.route, "schedule": self.schedule,
                           "cycle": self.cycle, "status": self.status},
            "neuropathy": {"grade": self.grade, **self.flags} if self.grade is not None else None,
            "findings": [t.as_dict() for t in self.findings],
            "comorbidities": [t.as_dict() for t in self.comorbidities],
            "medications": [t.as_dict() for t in self.medications],
        }


@cache
def patient_schema() -> dict[str, Any]:
    """The JSON Schema of the patient document, as shipped with the package."""
    text = resources.files("bortekg.clinical").joinpath("patient.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def read_patient_file(path: Path) -> dict[str, Any]:
    """The JSON of a patient document: at most MAX_PATIENT_BYTES (streams included), nested
    at most MAX_PATIENT_DEPTH deep, with finite numbers only."""
    source = str(path)
    try:
        text = read_bounded(path, MAX_PATIENT_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise PatientDocumentError(source, ["file not found"]) from None
    except InputTooLargeError as error:
        raise PatientDocumentError(source, [
            f"{error}: a patient document is a short JSON object (see `bortekg assess --schema`)"
        ]) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise PatientDocumentError(source, [f"cannot read the file: {reason}"]) from None
    try:
        return load_json(text, max_depth=MAX_PATIENT_DEPTH)
    except JsonInputError as error:
        raise PatientDocumentError(source, [str(error)]) from None


def validation_problems(data: Any) -> list[str]:
    """Every way ``data`` breaks the schema, one message each, in document order."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(patient_schema())
    problems = [f"{where}: {value} is not a finite number" for where, value in _non_finite(data)]
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        where = _path_text(error.absolute_path)
        problems.append(f"{where}: {error.message}" if where else error.message)
    return problems


def _non_finite(value: Any, where: str = "") -> list[tuple[str, float]]:
    """NaN and infinities anywhere in the document (JSON Schema's "number" lets them pass)."""
    if isinstance(value, float) and not math.isfinite(value):
        return [(where or "(document)", value)]
    if isinstance(value, dict):
        return [found for key, item in value.items()
                for found in _non_finite(item, f"{where}.{key}" if where else str(key))]
    if isinstance(value, list):
        return [found for n, item in enumerate(value) for found in _non_finite(item, f"{where}[{n}]")]
    return []


def _path_text(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def build_patient(kg: KnowledgeGraph, data: dict[str, Any], source: str) -> Patient:
    """Validate ``data`` and resolve its terms; raise PatientDocumentError listing every problem."""
    problems = validation_problems(data)
    if problems:
        raise PatientDocumentError(source, problems)
    index = NameIndex.build(kg)
    bortezomib = data.get("bortezomib", {})

    def term(text: str, where: str) -> Term | None:
        # a definition that merely mentions the words is too weak a match for a patient's term
        try:
            found = lookup(kg, text, index, definitions=False)
        except (UnknownTermError, AmbiguousTermError) as error:
            problems.append(f"{where}: {error}")
            return None
        return Term(text, found.iri, _label(kg, found.iri), found.note(text))

    def value(key: str, allowed: dict[str, str], what: str) -> str | None:
        """The input key (ROUTES, SCHEDULES) of the value-set member a route or schedule names."""
        text = bortezomib.get(key)
        if text is None:
            return None
        found = term(text, f"bortezomib.{key}")
        if found is None:
            return None
        for name, iri in allowed.items():
            if iri == found.iri:
                return name
        names = " or ".join(_label(kg, iri, name) for name, iri in allowed.items())
        problems.append(f"bortezomib.{key}: {text!r} ({found.label}) is not a {what} the assessment "
                        f"covers: give {names}")
        return None

    def terms(key: str) -> list[Term]:
        found = [term(text, f"{key}[{n}]") for n, text in enumerate(data.get(key, []))]
        return [t for t in found if t is not None]

    neuropathy = data.get("neuropathy")
    patient = Patient(
        id=data.get("id"),
        age=data.get("age"),
        sex=data.get("sex"),
        diagnosis=term(data["diagnosis"], "diagnosis") if "diagnosis" in data else None,
        dose_mg_m2=bortezomib.get("dose_mg_m2"),
        route=value("route", ROUTES, "route"),
        schedule=value("schedule", SCHEDULES, "schedule"),
        cycle=bortezomib.get("cycle"),
        status=bortezomib.get("status"),
        grade=neuropathy["grade"] if neuropathy else None,
        flags={k: v for k, v in (neuropathy or {}).items() if k in FEATURE_FLAGS},
        findings=terms("findings"),
        comorbidities=terms("comorbidities"),
        medications=terms("medications"),
    )
    if problems:
        raise PatientDocumentError(source, problems)
    return patient


def _label(kg: KnowledgeGraph, iri: str, default: str | None = None) -> str:
    """The label of ``iri`` (read for this node alone: a whole-graph table grows with the graph)."""
    rows = kg.query("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
                    bindings={"s": ox.NamedNode(iri)})
    found = [row["l"].value for row in rows]
    return found[-1] if found else (default if default is not None else ns.curie(iri))


def patient_triples(patient: Patient) -> list[ox.Triple]:
    """The patient as RDF: a patient case with its regimen and its neuropathy."""
    node = ox.NamedNode(PATIENT)
    regimen = ox.NamedNode(PATIENT + "-regimen")
    neuropathy = ox.NamedNode(PATIENT + "-neuropathy")

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def bkg(name: str) -> ox.NamedNode:
        return ox.NamedNode(ns.BKG + name)

    rdf_type = ox.NamedNode(ns.RDF + "type")
    triples = [
        ox.Triple(node, rdf_type, bkg("PatientCase")),
        ox.Triple(node, ox.NamedNode(ns.RDFS + "label"), ox.Literal(f"patient {patient.id or 'assessed'}")),
        ox.Triple(node, bkg("receivedDrug"), iri(DRUG)),
        ox.Triple(node, bkg("regimen"), regimen),
        ox.Triple(regimen, rdf_type, bkg("DosingRegimen")),
        ox.Triple(regimen, bkg("drug"), iri(DRUG)),
    ]
    if patient.age is not None:
        triples.append(ox.Triple(node, bkg("ageYears"), ox.Literal(str(patient.age), datatype=ox.NamedNode(ns.XSD + "decimal"))))
    if patient.sex is not None:
        triples.append(ox.Triple(node, bkg("sex"), ox.Literal(patient.sex)))
    for disease in ([patient.diagnosis] if patient.diagnosis else []) + patient.comorbidities:
        triples.append(ox.Triple(node, bkg("hasDiagnosis"), iri(disease.iri)))
    for medication in patient.medications:
        triples.append(ox.Triple(node, bkg("takesMedication"), iri(medication.iri)))
    for feature in patient.features():
        triples.append(ox.Triple(node, bkg("hasFeature"), iri(feature)))
    if patient.dose_mg_m2 is not None:
        triples.append(ox.Triple(regimen, bkg("dose"), ox.Literal(str(patient.dose_mg_m2), datatype=ox.NamedNode(ns.XSD + "decimal"))))
        triples.append(ox.Triple(regimen, bkg("doseUnit"), bkg("unit-mg-per-m2")))
    if patient.route:
        triples.append(ox.Triple(regimen, bkg("route"), iri(ROUTES[patient.route])))
    if patient.schedule:
        triples.append(ox.Triple(regimen, bkg("schedule"), iri(SCHEDULES[patient.schedule])))
    if patient.grade is not None:
        triples += [
            ox.Triple(node, bkg("hasFeature"), iri(NEUROPATHY)),
            ox.Triple(node, bkg("hasToxicity"), neuropathy),
            ox.Triple(neuropathy, rdf_type, bkg("ToxicityObservation")),
            ox.Triple(neuropathy, bkg("adverseEffect"), iri(NEUROPATHY)),
            ox.Triple(neuropathy, bkg("grade"), ox.Literal(str(patient.grade), datatype=ox.NamedNode(ns.XSD + "integer"))),
        ]
        if "pain" in patient.flags:
            triples.append(ox.Triple(neuropathy, bkg("painPresent"), ox.Literal("true" if patient.flags["pain"] else "false", datatype=ox.NamedNode(ns.XSD + "boolean"))))
    return triples
