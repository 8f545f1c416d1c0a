"""Helpers for the submission tests: submissions built from the curated claims (so that they
conform to whatever the shipped shapes require), store snapshots, and CLI runs."""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from click.testing import CliRunner

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: Test shapes: two SPARQL-based constraints (see the file's header).
TEST_SHAPES = FIXTURES / "shapes" / "gate-test-shapes.ttl"

BKG, BKC = ns.BKG, ns.BKC
LABEL = ox.NamedNode(ns.RDFS + "label")
SOURCE = ox.NamedNode(ns.PROV + "wasDerivedFrom")
GRADE = ox.NamedNode(BKG + "grade")
SERIOUS = ox.NamedNode(BKG + "serious")
HAS_CONDITION = ox.NamedNode(BKG + "hasCondition")
SOURCE_REFERENCE = ox.NamedNode(BKG + "sourceReference")
TYPO_SOURCE_REFERENCE = ox.NamedNode(BKG + "sourceRefrence")

#: Curated claims the submissions restate under new IRIs.
FATIGUE_CLAIM = BKC + "mono-ae-fatigue"
DIARRHEA_CLAIM = BKC + "mono-ae-diarrhea"
DOSE_RULE = BKC + "bipntx-dose-rule-2"
DOSE_RULE_CONDITION = BKC + "bipntx-dose-rule-2-c1"


def restate(kg: KnowledgeGraph, old: str, new: str, label: str) -> list[ox.Triple]:
    """A curated node's description under a new IRI and label (it conforms as the original does)."""
    subject = ox.NamedNode(new)
    triples = []
    for quad in kg.store.quads_for_pattern(ox.NamedNode(old), None, None, ox.NamedNode(ns.GRAPH_KB)):
        obj = ox.Literal(label, language="en") if quad.predicate == LABEL else quad.object
        triples.append(ox.Triple(subject, quad.predicate, obj))
    assert triples, f"{old} is not in the knowledge base"
    return triples


def good_claim(kg: KnowledgeGraph, slug: str = "submitted-ae-fatigue", base: str = FATIGUE_CLAIM) -> list[ox.Triple]:
    """A curated adverse-effect claim (fatigue unless ``base`` names another) restated without its
    seriousness: it conforms as the original does, and says less, so it is no duplicate of it."""
    triples = restate(kg, base, BKC + slug, f"submitted claim {slug}")
    assert any(t.predicate == SERIOUS for t in triples), f"{base} states no seriousness to leave out"
    return [t for t in triples if t.predicate != SERIOUS]


def curator_mistakes(kg: KnowledgeGraph) -> tuple[list[ox.Triple], ox.NamedNode, ox.NamedNode]:
    """A dose rule with a typo'd property, no source, and a condition of grade 7."""
    rule, condition = ox.NamedNode(BKC + "submitted-dose-rule"), ox.NamedNode(BKC + "submitted-dose-rule-c1")
    triples = []
    for t in restate(kg, DOSE_RULE, rule.value, "submitted dose rule: grade 2 with pain"):
        if t.predicate == SOURCE or t.predicate == HAS_CONDITION:
            continue
        if t.predicate == SOURCE_REFERENCE:
            t = ox.Triple(t.subject, TYPO_SOURCE_REFERENCE, t.object)
        triples.append(t)
    triples.append(ox.Triple(rule, HAS_CONDITION, condition))
    for t in restate(kg, DOSE_RULE_CONDITION, condition.value, "submitted dose rule condition: grade 7"):
        if t.predicate == GRADE:
            t = ox.Triple(t.subject, GRADE, ox.Literal(7))
        triples.append(t)
    return triples, rule, condition


def turtle(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=ns.PREFIXES)


def write_turtle(path: Path, triples: list[ox.Triple]) -> Path:
    path.write_bytes(turtle(triples))
    return path


def snapshot(store_dir: Path) -> set[ox.Quad]:
    """The full content of an on-disk store, every graph included (opened read-only)."""
    store = ox.Store.read_only(str(store_dir))
    try:
        return set(store)
    finally:
        del store


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str) -> Outcome:
    """Run the CLI in-process and release everything it opened (the on-disk store is locked
    while a KnowledgeGraph on it is alive, and a kept traceback would keep it alive)."""
    from bortekg.cli import main

    result = CliRunner().invoke(main, [str(a) for a in args])
    outcome = Outcome(result.exit_code, result.stdout, result.stderr)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    del result
    gc.collect()
    return outcome
