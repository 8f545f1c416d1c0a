"""Patient assessment: a patient document in, recommendations with their evidence out.

    from bortekg.clinical import assess, build_patient
    patient = build_patient(kg, {"neuropathy": {"grade": 2, "pain": True}}, "patient.json")
    assessment = assess(kg, patient)
"""

from bortekg.clinical.assess import Assessment, Evidence, Recommendation, assess
from bortekg.clinical.classify import FormClassification, FormClassifier
from bortekg.clinical.patient import (
    Patient,
    PatientDocumentError,
    build_patient,
    patient_schema,
    read_patient_file,
)

__all__ = [
    "Assessment",
    "Evidence",
    "FormClassification",
    "FormClassifier",
    "Patient",
    "PatientDocumentError",
    "Recommendation",
    "assess",
    "build_patient",
    "patient_schema",
    "read_patient_file",
]
