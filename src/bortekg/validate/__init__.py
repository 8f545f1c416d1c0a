"""The submission gate, in layers: reading (``bortekg.ingest``) -> vocabulary -> SHACL shapes
in the graph context -> knowledge rules (quotes in their source's text, numbers agreeing with
their quote, plausibility from the graph, duplicates and conflicts, identifiers, protection
of the ontology and of existing nodes, citations). Each rule family is a module of its own.
"""

from bortekg.validate.context import context_triples
from bortekg.validate.gate import Gate, SubmissionRejected, validate_and_add, validate_submission
from bortekg.validate.reporting import VOCABULARY_COMPONENT, VOCABULARY_SHAPE, build_report, path_text
from bortekg.validate.rules import Finding, Rule, all_rules
from bortekg.validate.shacl import load_shapes, prepared_query, shacl_report, to_rdflib

__all__ = [
    "VOCABULARY_COMPONENT",
    "VOCABULARY_SHAPE",
    "Finding",
    "Gate",
    "Rule",
    "SubmissionRejected",
    "all_rules",
    "build_report",
    "context_triples",
    "load_shapes",
    "path_text",
    "prepared_query",
    "shacl_report",
    "to_rdflib",
    "validate_and_add",
    "validate_submission",
]
