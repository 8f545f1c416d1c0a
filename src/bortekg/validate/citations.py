"""Citations fit their source.

A claim's evidence kind is one that claims from the same kind of document carry in the
graph; its reference marker is one of the markers of the source's reference list, and its
secondary citation one of the works the source cites, where the graph holds that list; and
its dates fall within what the source and the works allow: no event after the source was
written, no cited work published after the document citing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.validate.rules import Finding, Rule, RuleContext
from bortekg.validate.view import SubmissionView, numeric_value

EVIDENCE_KIND = Rule(
    "evidence-kind-fits-source", "citations",
    "the evidence kind is one that claims from this kind of document carry")
REFERENCE_MARKER = Rule(
    "reference-marker-in-source", "citations",
    "a reference marker is one of the source's own reference markers")
SECONDARY_CITATION = Rule(
    "secondary-citation-cited-by-source", "citations",
    "a secondary citation is one of the works the source cites")
DATES = Rule(
    "dates-within-source", "citations",
    "no event after the source's date; no cited work later than the document citing it")
RULES = (EVIDENCE_KIND, REFERENCE_MARKER, SECONDARY_CITATION, DATES)

BKG = ns.BKG
DERIVED_FROM = ns.PROV + "wasDerivedFrom"
DOCUMENT_KIND = BKG + "documentKind"
EVIDENCE = BKG + "evidenceKind"
SOURCE_REFERENCE = BKG + "sourceReference"
REFERENCE_MARKERS = BKG + "referenceMarker"
SECONDARY = BKG + "secondaryCitation"
CITES = BKG + "citesWork"
YEAR = BKG + "year"
PUBLICATION_YEAR = BKG + "publicationYear"
LAST_UPDATED = BKG + "lastUpdated"
STUDY = BKG + "study"
STUDY_DESIGN = BKG + "studyDesign"
_MARKER = re.compile(r"[\[\]\s]+")


def check(view: SubmissionView, context: RuleContext) -> Iterator[Finding]:
    for claim in view.claims:
        yield from _study_design(view, claim)
        for source in view.all_values(claim, DERIVED_FROM):
            if isinstance(source, ox.NamedNode):
                yield from _evidence_kind(view, context, claim, source)
                yield from _markers(view, claim, source)
                yield from _secondary(view, claim, source)
                yield from _claim_dates(view, claim, source)
    yield from _work_dates(view)


def _study_design(view: SubmissionView, claim: ox.NamedNode) -> Iterator[Finding]:
    """A claim about a study carries the study's design as its evidence kind."""
    evidence = {v.value for v in view.values(claim, EVIDENCE)}
    for study in view.all_values(claim, STUDY):
        if not isinstance(study, ox.NamedNode):
            continue
        designs = [d for d in view.all_values(study, STUDY_DESIGN) if isinstance(d, ox.NamedNode)]
        if designs and not evidence & {d.value for d in designs}:
            shown = ", ".join(view.display(ox.NamedNode(e)) for e in sorted(evidence))
            yield Finding(
                EVIDENCE_KIND, claim,
                f"the claim reports {view.display(study)}, whose design is {view.display(designs[0])}, "
                f"but its evidence kind is {shown}: the evidence of a study result is the study's own "
                f"design (bkg:evidenceKind {ns.curie(designs[0].value)}).",
                path=EVIDENCE, value=designs[0], line=view.line(claim, EVIDENCE))


def _evidence_kind(view: SubmissionView, context: RuleContext, claim: ox.NamedNode,
                   source: ox.NamedNode) -> Iterator[Finding]:
    table = context.facts.evidence_kinds_by_document_kind
    for kind in view.all_values(source, DOCUMENT_KIND):
        fitting = table.get(kind.value)
        if not fitting:
            continue
        for evidence in view.values(claim, EVIDENCE):
            if evidence.value not in fitting:
                allowed = ", ".join(sorted(ns.curie(e) for e in fitting))
                yield Finding(
                    EVIDENCE_KIND, claim,
                    f"{view.display(evidence)} does not fit {view.display(source)}, a "
                    f"{view.display(kind)}: its claims carry {allowed}. Give the kind of evidence this "
                    "document offers for the statement.",
                    path=EVIDENCE, value=evidence, line=view.line(claim, EVIDENCE, evidence))


def _markers(view: SubmissionView, claim: ox.NamedNode, source: ox.NamedNode) -> Iterator[Finding]:
    known = {v.value.strip() for v in view.all_values(source, REFERENCE_MARKERS) if isinstance(v, ox.Literal)}
    if not known:
        return
    for marker in view.values(claim, SOURCE_REFERENCE):
        if not isinstance(marker, ox.Literal):
            continue
        parts = [p for p in _MARKER.sub(" ", marker.value.replace(",", " ")).split() if p]
        unknown = [p for p in parts if p not in known]
        if unknown:
            listed = ", ".join(sorted(known, key=lambda m: (len(m), m)))
            yield Finding(
                REFERENCE_MARKER, claim,
                f"reference {', '.join(unknown)} is not in the reference list of {view.display(source)} "
                f"(its markers: {listed}): copy the marker the source prints after the passage.",
                path=SOURCE_REFERENCE, value=marker, line=view.line(claim, SOURCE_REFERENCE, marker))


def _secondary(view: SubmissionView, claim: ox.NamedNode, source: ox.NamedNode) -> Iterator[Finding]:
    cited = {v.value for v in view.all_values(source, CITES)}
    if not cited:
        return
    markers = {v.value for v in view.all_values(source, REFERENCE_MARKERS)}
    # a work this submission introduces is one of the source's unnamed references, while the
    # graph names fewer works than the source has references
    room_for_new = len(markers) > len(cited)
    for work in view.values(claim, SECONDARY):
        if room_for_new and work in view.new_nodes:
            continue
        if work.value not in cited:
            yield Finding(
                SECONDARY_CITATION, claim,
                f"{view.display(work)} is not among the works {view.display(source)} cites "
                f"({len(cited)} works, e.g. {', '.join(sorted(ns.curie(c) for c in cited)[:3])}): a "
                "secondary citation names the work the source itself cites for the passage.",
                path=SECONDARY, value=work, line=view.line(claim, SECONDARY, work))


def source_year(view: SubmissionView, source: ox.NamedNode) -> int | None:
    """The year a source document was written: its last update, else its publication year."""
    for term in view.all_values(source, LAST_UPDATED):
        if isinstance(term, ox.Literal) and re.match(r"\d{4}", term.value):
            return int(term.value[:4])
    for term in view.all_values(source, PUBLICATION_YEAR):
        number = numeric_value(term)
        if number is not None:
            return int(number)
    return None


def _claim_dates(view: SubmissionView, claim: ox.NamedNode, source: ox.NamedNode) -> Iterator[Finding]:
    # an undated source was written, at the latest, this year
    written = source_year(view, source) or date.today().year
    for node in (claim, *view.parts(claim)):
        for term in view.values(node, YEAR):
            year = numeric_value(term)
            if year is not None and year > written:
                when = (f"was written ({written})" if source_year(view, source)
                        else f"can have been written (it is undated; this is {written})")
                yield Finding(
                    DATES, node,
                    f"bkg:year {year} is after {view.display(source)} {when}: a "
                    "source cannot report a later event; check the year against the source.",
                    path=YEAR, value=term, line=view.line(node, YEAR, term))
        for work, year in _published_after(view, view.values(node, SECONDARY), written):
            yield Finding(
                DATES, claim,
                f"{view.display(work)} was published in {year}, after {view.display(source)} "
                f"({written}) that is said to cite it: check both years.",
                path=SECONDARY, value=work, line=view.line(claim, SECONDARY, work))


def _published_after(view: SubmissionView, works: list, written: int) -> Iterator[tuple[ox.Term, int]]:
    """The works (with their year) published after the year a citing document was written."""
    for work in works:
        for term in view.all_values(work, PUBLICATION_YEAR):
            year = numeric_value(term)
            if year is not None and year > written:
                yield work, int(year)


def _work_dates(view: SubmissionView) -> Iterator[Finding]:
    """Works a submitted source cites are not later than the source."""
    for source in view.by_subject:
        written = source_year(view, source)
        if written is None:
            continue
        for work, year in _published_after(view, view.values(source, CITES), written):
            yield Finding(
                DATES, source,
                f"{view.display(source)} ({written}) cannot cite {view.display(work)}, published "
                f"in {year}: check both years.",
                path=CITES, value=work, line=view.line(source, CITES, work))
