"""Identifiers are checked.

A mapping (``skos:exactMatch`` and its kin) must be a standard IRI of a known vocabulary,
whose local identifier matches that vocabulary's pattern in the Bioregistry; of a
vocabulary the graph uses for entities of the same kind (a chemical database for a drug, a
disease vocabulary for a disease); verified (a row of the shipped cross-reference table for
an entity of that name) unless the submission marks it ``bkg:unverifiedMapping``; and not
already another entity's. A new entity may not take an existing entity's label or synonym,
and a new document may not take an existing document's DOI.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from functools import cache

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg import resources
from bortekg.sourcetext import normalise
from bortekg.validate.facts import MAPPING_PREDICATES
from bortekg.validate.rules import Finding, Rule, RuleContext
from bortekg.validate.view import ALT_LABEL, ENTITY, LABEL, SubmissionView

STANDARD_IRI = Rule(
    "mapping-standard-iri", "identifiers",
    "a mapping is the full IRI of a known standard vocabulary")
PATTERN = Rule(
    "mapping-identifier-pattern", "identifiers",
    "the mapped identifier matches its vocabulary's pattern (Bioregistry)")
KIND = Rule(
    "mapping-fits-entity-kind", "identifiers",
    "the vocabulary is one the graph uses for entities of the same kind")
VERIFIED = Rule(
    "mapping-verified", "identifiers",
    "the mapping is in the verified cross-reference table for this entity, or marked unverified")
UNIQUE = Rule(
    "mapping-not-taken", "identifiers",
    "no other entity has the same standard identifier")
LABEL_TAKEN = Rule(
    "label-not-taken", "identifiers",
    "a new entity's label and synonyms are not an existing entity's")
DOI_TAKEN = Rule(
    "doi-not-taken", "identifiers",
    "a new document's DOI is not an existing document's")
RULES = (STANDARD_IRI, PATTERN, KIND, VERIFIED, UNIQUE, LABEL_TAKEN, DOI_TAKEN)

UNVERIFIED = ns.BKG + "unverifiedMapping"
DOI = ns.BKG + "doi"

#: Our CURIE prefixes and the Bioregistry prefix of the same vocabulary.
BIOREGISTRY_PREFIX = {
    "CHEBI": "chebi", "MONDO": "mondo", "HP": "hp", "GO": "go", "UBERON": "uberon", "CL": "cl",
    "DOID": "doid", "NCIT": "ncit", "MAXO": "maxo", "MESH": "mesh", "UNIPROT": "uniprot",
    "PUBCHEM.COMPOUND": "pubchem.compound", "DRUGBANK": "drugbank", "ATC": "atc", "HGNC": "hgnc",
    "MEDDRA": "meddra", "NCBIGENE": "ncbigene", "CVX": "cvx", "RXNORM": "rxnorm",
}
#: Classes too general to say which vocabularies fit.
_GENERAL = {ENTITY, ns.OWL + "NamedIndividual", ns.OWL + "Thing"}


def check(view: SubmissionView, context: RuleContext) -> Iterator[Finding]:
    for subject in view.new_nodes:
        for predicate in MAPPING_PREDICATES:
            for target in view.values(subject, predicate):
                yield from _check_mapping(view, context, subject, predicate, target)
    yield from _labels(view, context)
    yield from _dois(view, context)


def _check_mapping(view: SubmissionView, context: RuleContext, subject: ox.NamedNode, predicate: str,
                   target: ox.Term) -> Iterator[Finding]:
    line = view.line(subject, predicate, target)
    if not isinstance(target, ox.NamedNode):
        yield Finding(STANDARD_IRI, subject,
                      f"{ns.curie(predicate)} needs an IRI, not the text {target.value!r}: write the "
                      "identifier's full IRI, for example <http://purl.obolibrary.org/obo/CHEBI_52717>.",
                      path=predicate, value=target, line=line)
        return
    curie = ns.curie(target.value)
    prefix, _, local = curie.partition(":")
    if curie == target.value or prefix not in BIOREGISTRY_PREFIX:
        yield Finding(STANDARD_IRI, subject, _not_standard(target.value), path=predicate, value=target, line=line)
        return
    pattern = identifier_pattern(prefix)
    if pattern is not None and not re.fullmatch(pattern, local):
        yield Finding(PATTERN, subject,
                      f"{curie} is not a {prefix} identifier: {prefix} identifiers match {pattern} "
                      "(Bioregistry); check the identifier against the vocabulary.",
                      path=predicate, value=target, line=line)
        return
    allowed = _allowed_prefixes(view, context, subject)
    if allowed and prefix not in allowed:
        kinds = ", ".join(sorted(ns.curie(c) for c in _kinds(view, subject)))
        yield Finding(KIND, subject,
                      f"{curie} is a {prefix} identifier, a vocabulary the graph never uses for a {kinds}; "
                      f"entities of this kind are mapped to {', '.join(sorted(allowed))}. Map the entity to "
                      "a vocabulary of its kind (a chemical database for a drug, a disease vocabulary "
                      "for a disease).",
                      path=predicate, value=target, line=line)
        return
    owners = [o for p in MAPPING_PREDICATES for o in context.facts.subjects_with(p, target) if o != subject]
    if owners:
        yield Finding(UNIQUE, subject,
                      f"{curie} already identifies {view.display(owners[0])}: one identifier names one "
                      "entity. If the submission is about that entity, point at it instead of creating a "
                      "new one; otherwise correct the identifier.",
                      path=predicate, value=target, line=line)
        return
    yield from _verified(view, subject, predicate, target, curie, line)


def _not_standard(iri: str) -> str:
    prefix = iri.split(":", 1)[0]
    expanded = ns.expand(iri) if "://" not in iri else None
    if expanded and expanded != iri:
        return (f"<{iri}> is a CURIE written as an IRI: write the full IRI <{expanded}> "
                f"(or {ns.curie(expanded)} with its prefix declared).")
    known = ", ".join(sorted(BIOREGISTRY_PREFIX))
    return (f"<{iri}> is not an IRI of a standard vocabulary the graph maps to ({prefix}); "
            f"mappings go to {known}, written as their full IRIs (e.g. "
            f"<http://purl.obolibrary.org/obo/MONDO_0009693>).")


def _verified(view: SubmissionView, subject: ox.NamedNode, predicate: str, target: ox.NamedNode,
              curie: str, line: int | None) -> Iterator[Finding]:
    rows = verified_table().get(curie.upper(), [])
    names = {_fold(v.value) for p in (LABEL.value, ALT_LABEL.value) for v in view.values(subject, p)
             if isinstance(v, ox.Literal)}
    marked = target in view.values(subject, UNVERIFIED)
    if rows and names & {_fold(r) for r in rows}:
        return
    if marked:
        yield Finding(VERIFIED, subject,
                      f"{curie} is marked unverified (bkg:unverifiedMapping): it is stored as such, "
                      "listed by `bortekg stats` and left out of exports with standard identifiers.",
                      path=predicate, value=target, severity="Warning", line=line)
        return
    if rows:
        whose = ", ".join(sorted(set(rows)))
        message = (f"the verified cross-reference table gives {curie} to {whose}, not to an entity "
                   f"named {view.label(subject)!r}: correct the identifier, or mark it with "
                   f"bkg:unverifiedMapping <{target.value}> if you have checked it yourself.")
    else:
        message = (f"{curie} is not in the verified cross-reference table: check it against its "
                   f"vocabulary, then either remove it or keep it marked as unverified with "
                   f"bkg:unverifiedMapping <{target.value}> on {ns.curie(subject.value)}.")
    yield Finding(VERIFIED, subject, message, path=predicate, value=target, line=line)


def _kinds(view: SubmissionView, subject: ox.NamedNode) -> set[str]:
    """The entity's most specific project classes."""
    classes = {c for c in view.types(subject) if c.startswith(ns.BKG) and c not in _GENERAL}
    return {c for c in classes if not any(c in view.schema.superclasses.get(o, ()) for o in classes)}


def _allowed_prefixes(view: SubmissionView, context: RuleContext, subject: ox.NamedNode) -> set[str]:
    """The vocabularies the graph maps entities of this kind to (the most specific kind that has any)."""
    table = context.facts.mapping_prefixes_by_class
    todo = list(_kinds(view, subject))
    seen: set[str] = set()
    allowed: set[str] = set()
    while todo and not allowed:
        level: list[str] = []
        for cls in todo:
            if cls in seen or cls in _GENERAL:
                continue
            seen.add(cls)
            allowed |= table.get(cls, set())
            level.extend(view.schema.superclasses.get(cls, ()))
        if not allowed:
            # one level up: the direct parents only (the closure holds all ancestors)
            todo = [p for p in level if not any(p in view.schema.superclasses.get(q, ()) for q in level)]
    return allowed


@cache
def identifier_pattern(prefix: str) -> str | None:
    """The vocabulary's identifier pattern from the Bioregistry (loaded only when needed)."""
    import bioregistry

    return bioregistry.get_pattern(BIOREGISTRY_PREFIX[prefix])


@cache
def verified_table() -> dict[str, list[str]]:
    """Verified CURIE (upper case) -> the entity labels it was verified for."""
    table: dict[str, list[str]] = defaultdict(list)
    path = resources.ontology_dir() / "verified-xrefs.tsv"
    with path.open(encoding="utf-8") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        for row in csv.DictReader(lines, delimiter="\t"):
            if ":" in row["id"]:
                table[row["id"].strip().upper()].append(row["entity_label"].strip())
    return dict(table)


def _fold(text: str) -> str:
    return normalise(text).casefold()


def _labels(view: SubmissionView, context: RuleContext) -> Iterator[Finding]:
    taken = context.facts.entity_names
    for subject in view.new_nodes:
        if not view.schema.is_a(view.types(subject), ENTITY):
            continue
        for predicate in (LABEL.value, ALT_LABEL.value):
            for name in view.values(subject, predicate):
                if not isinstance(name, ox.Literal):
                    continue
                owner = taken.get(_fold(name.value))
                if owner is not None and owner != subject.value:
                    yield Finding(
                        LABEL_TAKEN, subject,
                        f"{name.value!r} already names {view.display(ox.NamedNode(owner))}: a new entity "
                        "with the same name would split that entity in two. Point your claims at the "
                        "existing entity; if this is a different thing, give it a name that tells the two apart.",
                        path=predicate, value=name, line=view.line(subject, predicate, name))


def _dois(view: SubmissionView, context: RuleContext) -> Iterator[Finding]:
    for subject in view.new_nodes:
        for doi in view.values(subject, DOI):
            if not isinstance(doi, ox.Literal):
                continue
            owner = context.facts.documents_by_doi.get(normalise_doi(doi.value))
            if owner is not None:
                yield Finding(
                    DOI_TAKEN, subject,
                    f"DOI {doi.value} already identifies {view.display(ox.NamedNode(owner))}: cite that "
                    "document instead of adding it again, or correct the DOI.",
                    path=DOI, value=doi, line=view.line(subject, DOI, doi))


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def normalise_doi(text: str) -> str:
    """A DOI as compared: without its resolver or ``doi:`` prefix, in lower case (DOIs are
    case-insensitive)."""
    return _DOI_PREFIX.sub("", text.strip()).strip().lower()
