"""The patient-assessment form: the fields of ``bortekg assess``'s patient document, the same
checks and messages, and every recommendation with its evidence."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bortekg.cli.assess import SECTIONS
from bortekg.clinical import (
    Assessment,
    FormClassifier,
    PatientDocumentError,
    assess,
    build_patient,
)
from bortekg.clinical.patient import MAX_PATIENT_BYTES
from bortekg.serve.pages.site import Site

#: How the form names its source in messages (the command line names the file).
FORM_SOURCE = "the form"
#: Seconds the OWL classification of one patient may take.
CLASSIFICATION_TIMEOUT = 30.0
#: Form fields that hold a number in the document, by their path in it.
NUMBERS = ("age", "bortezomib.dose_mg_m2", "bortezomib.cycle", "neuropathy.grade")
TEXTS = ("id", "sex", "diagnosis", "bortezomib.route", "bortezomib.schedule", "bortezomib.status")
FLAGS = ("neuropathy.pain", "neuropathy.motor_involvement", "neuropathy.worsening_after_stop")
LISTS = ("findings", "comorbidities", "medications")
FIELDS = (*NUMBERS, *TEXTS, *FLAGS, *LISTS)
_INTEGER = re.compile(r"[+-]?[0-9]+$")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")


def _number(text: str) -> int | float | str:
    """The number a field holds, as JSON would read it; other text stays text, so that the
    schema refuses it with the same message as in a patient file."""
    if _INTEGER.match(text):
        return int(text)
    if _DECIMAL.match(text):
        return float(text)
    return text


class FormError(ValueError):
    """A form the page cannot read; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def read_form(request: Request) -> dict[str, str]:
    """The fields of a URL-encoded form (what the page's form sends), read up to the size a
    patient file may have; a larger or differently encoded body is refused."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise FormError(415, f"send the form URL-encoded (application/x-www-form-urlencoded), not {kind or 'no type'}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_PATIENT_BYTES:
            raise FormError(413, f"the form is larger than {MAX_PATIENT_BYTES // 1024} KiB: "
                                 "a patient's fields take a few hundred bytes")
    return dict(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))


def patient_document(form: Mapping[str, str]) -> dict[str, Any]:
    """The patient JSON document the form's fields make: empty fields are left out, numbers
    are numbers, yes/no are booleans, the lists hold one term per line."""
    document: dict[str, Any] = {}

    def put(path: str, value: Any) -> None:
        *parents, key = path.split(".")
        target = document
        for parent in parents:
            target = target.setdefault(parent, {})
        target[key] = value

    for path in FIELDS:
        text = str(form.get(path) or "").strip()
        if not text:
            continue
        if path in NUMBERS:
            put(path, _number(text))
        elif path in FLAGS:
            put(path, {"yes": True, "no": False}.get(text, text))
        elif path in LISTS:
            put(path, [line.strip() for line in text.splitlines() if line.strip()])
        else:
            put(path, text)
    return document


def notes(assessment: Assessment) -> list[str]:
    """What to tell the reader before the recommendations: how a typed term was read (when it
    was not an exact name) and the assessment's own notes, as the command line says them."""
    patient = assessment.patient
    terms = [patient.diagnosis, *patient.findings, *patient.comorbidities, *patient.medications]
    return [t.note for t in terms if t is not None and t.note] + list(assessment.notes)


def form_classes(assessment: Assessment) -> list[str]:
    """The BIPN-form classes the OWL classification put the patient in."""
    return [item.values["class"] for item in assessment.recommendations if item.values.get("class_id")]


class _Assessor:
    """One form classifier for the server's read-only graph, and one assessment at a time:
    each starts a Java process for the reasoner, and a burst of requests must not start a
    burst of them."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.lock = threading.Lock()

    @cached_property
    def classifier(self) -> FormClassifier:
        return FormClassifier(self.site.kg)

    def __call__(self, document: dict[str, Any]):
        patient = build_patient(self.site.kg, document, FORM_SOURCE)
        with self.lock:
            return assess(self.site.kg, patient, classifier=self.classifier, timeout=CLASSIFICATION_TIMEOUT)


def routes(site: Site) -> list[BaseRoute]:
    assessor = _Assessor(site)

    async def assessment_page(request: Request) -> Response:
        context: dict[str, Any] = {"values": dict.fromkeys(FIELDS, ""), "problems": [], "assessment": None,
                                   "sections": SECTIONS}
        if request.method != "POST":
            return site.render(request, "assess.html", context)
        try:
            form = await read_form(request)
        except FormError as error:
            context["problems"] = [str(error)]
            return site.render(request, "assess.html", context, status=error.status)
        context["values"] = {key: form.get(key, "") for key in FIELDS}
        document = patient_document(form)
        context["document"] = json.dumps(document, indent=2, ensure_ascii=False)
        try:
            found = await run_in_threadpool(assessor, document)
        except PatientDocumentError as error:
            context["problems"] = error.problems
            return site.render(request, "assess.html", context, status=400)
        context.update(assessment=found, notes=notes(found), form_classes=form_classes(found))
        return site.render(request, "assess.html", context)

    return [Route("/assess", assessment_page, methods=["GET", "POST"])]
