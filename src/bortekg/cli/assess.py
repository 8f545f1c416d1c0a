"""The assess command: recommendations for one patient, each with its evidence."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bortekg.cli import fail, main, open_graph

#: Section titles of the human output, in order, by recommendation kind.
SECTIONS = {
    "alert": "Alerts",
    "finding-alert": "Because of the patient's findings",
    "dose-modification": "Dose",
    "route-change": "Route",
    "schedule-change": "Schedule",
    "symptomatic-treatment": "Symptomatic treatment (neuropathic pain)",
    "avoid": "Avoid",
    "avoid-general": "Avoid in this neuropathy (general advice)",
    "risk-factor": "Risk factors present",
    "bipn-form": "Form of neuropathy",
    "monitoring": "Monitoring",
    "prevention": "Prevention",
    "comorbidity": "Other diseases",
}


@main.command()
@click.argument("patient_file", metavar="PATIENT.json", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds the OWL classification of the patient may take.")
@click.option("--schema", is_flag=True, help="Print the JSON Schema of the patient document and exit.")
@click.pass_context
def assess(ctx: click.Context, patient_file: Path | None, fmt: str, timeout: float, schema: bool) -> None:
    """Assess a patient on bortezomib: dose, route, schedule, pain treatment, what to avoid,
    risk factors and alerts, each with the claims, sources and quotes it rests on."""
    from bortekg.clinical import PatientDocumentError, build_patient, patient_schema, read_patient_file
    from bortekg.clinical import assess as run_assessment

    if schema:
        click.echo(json.dumps(patient_schema(), indent=2))
        return
    if patient_file is None:
        fail("give a patient document (PATIENT.json); `bortekg assess --schema` prints its JSON Schema")
    kg = None
    try:
        document = read_patient_file(patient_file)  # before the graph is loaded: refusals are quick
        kg = open_graph(ctx)
        patient = build_patient(kg, document, str(patient_file))
    except PatientDocumentError as error:
        for problem in error.problems:
            click.echo(f"bortekg: {error.source}: {problem}", err=True)
        ctx.exit(2)
    for term in [patient.diagnosis, *patient.findings, *patient.comorbidities, *patient.medications]:
        if term is not None and term.note:
            click.echo(f"bortekg: note: {term.note}", err=True)
    assessment = run_assessment(kg, patient, timeout=timeout)
    for note in assessment.notes:
        click.echo(f"bortekg: note: {note}", err=True)
    if fmt == "json":
        click.echo(json.dumps(assessment.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_assessment(assessment))


def render_assessment(assessment) -> str:
    patient = assessment.patient
    lines = [f"Assessment of patient {patient.id or '(no id)'}"]
    if patient.grade is not None:
        flags = ", ".join(k.replace("_", " ") for k, v in patient.flags.items() if v)
        lines.append(f"  neuropathy grade {patient.grade}" + (f" ({flags})" if flags else ""))
    regimen = [f"{patient.dose_mg_m2:g} mg/m2" if patient.dose_mg_m2 else "", patient.route or "",
               patient.schedule or "", f"cycle {patient.cycle}" if patient.cycle else "", patient.status or ""]
    if any(regimen):
        lines.append("  bortezomib: " + ", ".join(x for x in regimen if x))
    classification = assessment.classification
    if classification.done:
        names = ", ".join(item.values["class"] for item in assessment.recommendations
                          if item.values.get("class_id")) or "none"
        lines.append(f"  BIPN form classes (OWL): {names}")
    for note in assessment.notes:
        lines.append(f"  note: {note}")
    for kind, title in SECTIONS.items():
        items = assessment.of_kind(kind)
        if not items:
            continue
        lines.append(f"\n{title}")
        for item in items:
            lines.append(f"  - {item.action}")
            for option in item.values.get("immunotherapy_options", []):
                lines.append(f"      option: {option['intervention']}"
                             + (f" ({'; '.join(option['use_condition'])})" if "use_condition" in option else ""))
                for case in option.get("published_cases", []):
                    lines.append(f"        {case['case']}: {case['treatment']} -> {case['outcome']}")
            for background in item.values.get("background_evidence", []):
                lines.append(f"      background only, not an option: {background['intervention']} "
                             f"({background['why_not_an_option'].removeprefix('not a recommendation for patients (')}")
            for evidence in item.evidence:
                lines.append(f"      [{evidence.source}] \"{evidence.quote}\" ({evidence.claim.rsplit('/', 1)[-1]})")
                if evidence.modality != "stated" and evidence.modality_note:
                    lines.append(f"        {evidence.modality}: {evidence.modality_note}")
                for caveat in evidence.caveats:
                    lines.append(f"        note: {caveat}")
    return "\n".join(lines)
