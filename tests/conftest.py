"""Shared fixtures. Tests that read the source documents need ../shared (present in CI and in
development checkouts, never needed by the product itself)."""

from __future__ import annotations

import faulthandler
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import rdflib

from bortekg import KnowledgeGraph, resources

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

#: Source document IRI -> file name in ../shared/sources (the product cites the documents by
#: identity; only the tests need the files).
SOURCE_FILES = {
    "https://w3id.org/bortekg/source/drug-monograph-bortezomib": "000_1c3314fc987c43d6.txt",
    "https://w3id.org/bortekg/source/bipn-treatment-answer": "001_bed42f2c3527930b.txt",
    "https://w3id.org/bortekg/source/fasciculation-answer": "002_7302df6d82053810.txt",
    "https://w3id.org/bortekg/source/autoimmune-review-table4": "003_4020926db45542e9.txt",
    "https://w3id.org/bortekg/source/case-report-toxic-immune-bipn": "004_8f0afca3a1e5a142.txt",
}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """In CI (``CI`` set, as ``.ci/run`` does) a skipped test is a failed one: CI installs
    everything the tests need, so a skip there hides a test that never ran."""
    report: pytest.TestReport = yield
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} was skipped in CI, where every test must run: {reason}"
    return report


@pytest.fixture(scope="session")
def kg() -> KnowledgeGraph:
    """The packaged graph in an in-memory store (read-only use: do not write to it)."""
    return KnowledgeGraph()


@pytest.fixture(scope="session")
def ontology_graph() -> rdflib.Graph:
    """The packaged ontology and knowledge base parsed from their Turtle files by rdflib, apart
    from the product's store: the independent reading that expected counts are derived from
    (read-only use)."""
    graph = rdflib.Graph()
    for path in [*resources.tbox_files(), *resources.kb_files()]:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "sources").is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED} is missing: CI must run with ../shared beside the checkout")
        pytest.skip("../shared (source documents, xrefs.tsv) is not present on this machine")
    return SHARED


def without_crash_dump(task: Callable[[], bytes]) -> Callable[[], bytes]:
    """``task`` for a forked child that is meant to crash: the child first turns off the fault
    handler it inherits from pytest, so a deliberate crash prints no "Fatal Python error"
    dump into a passing run (the parent's handler stays on)."""

    def quiet() -> bytes:
        faulthandler.disable()
        return task()

    return quiet


def select_rows(kg: KnowledgeGraph, sparql: str, **bindings) -> list[dict[str, str]]:
    """Run a SELECT and return its rows as {variable: lexical value} dicts."""
    results = kg.query(sparql, bindings=bindings or None)
    names = [v.value for v in results.variables]
    return [
        {name: (row[name].value if row[name] is not None else None) for name in names}
        for row in results
    ]
