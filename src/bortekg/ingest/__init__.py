"""Read submitted RDF files safely into a scratch structure, never into the store."""

from bortekg.ingest.problems import IngestError, Problem
from bortekg.ingest.reader import (
    ALLOWED_IRI_SCHEMES,
    DEFAULT_MAX_BYTES,
    EXTENSIONS,
    INPUT_FORMATS,
    Submission,
    format_for,
    new_source_documents,
    parse_submission,
    read_submission,
)

__all__ = [
    "ALLOWED_IRI_SCHEMES",
    "DEFAULT_MAX_BYTES",
    "EXTENSIONS",
    "INPUT_FORMATS",
    "IngestError",
    "Problem",
    "Submission",
    "format_for",
    "new_source_documents",
    "parse_submission",
    "read_submission",
]
