"""The OBO-style quality checks, queries/qc/*-violation.rq: each returns no row on the packaged
graph, and each finds exactly the violations planted in its fixture.

A fixture, tests/qc/<slug>.ttl, holds triples that are added to the packaged graph (in a scratch
copy) and, in its opening comment, one ``# expect: <entity> <property> <value> .`` line per row the
check must return, written in Turtle with the file's prefixes. A check with a misspelt predicate
or a wrong filter fails here, instead of passing forever on clean data.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from bortekg import KnowledgeGraph, resources
from bortekg.results import render_table, term_text
from conftest import REPO

QC_FILES = sorted((resources.queries_dir() / "qc").glob("*-violation.rq"))
FIXTURES = Path(__file__).resolve().parent / "qc"
PLANTED_GRAPH = "https://w3id.org/bortekg/graph/test-planted-violations"
_EXPECT = re.compile(r"#\s*expect:\s*(.*\S)\s*$")
_PREFIX = re.compile(r"@prefix\s.*\.\s*$")


def rows_of(results: ox.QuerySolutions) -> set[tuple[ox.Term, ...]]:
    return {tuple(row[name] for name in ("entity", "property", "value")) for row in results}


def expected_rows(fixture: Path) -> set[tuple[ox.Term, ...]]:
    """The rows a fixture's ``# expect:`` lines state, read as Turtle with the file's prefixes."""
    lines = fixture.read_text(encoding="utf-8").splitlines()
    prefixes = [line for line in lines if _PREFIX.match(line)]
    statements = [m.group(1) for m in map(_EXPECT.match, lines) if m]
    # through a store, which writes numbers in canonical form as it does for the planted triples
    store = ox.Store()
    store.load("\n".join([*prefixes, *statements]), ox.RdfFormat.TURTLE)
    return {(q.subject, q.predicate, q.object) for q in store}


def show(rows: set[tuple[ox.Term, ...]]) -> str:
    return render_table(["entity", "property", "value"], sorted([[term_text(t) for t in row] for row in rows]))


def test_every_quality_check_has_a_fixture_and_every_fixture_a_check() -> None:
    checks = {path.stem for path in QC_FILES}
    fixtures = {path.stem for path in FIXTURES.glob("*.ttl")}
    assert checks, "no queries/qc/*-violation.rq"
    assert not checks - fixtures, f"add tests/qc/<check>.ttl with planted violations for: {sorted(checks - fixtures)}"
    assert not fixtures - checks, f"fixtures without a check in queries/qc/: {sorted(fixtures - checks)}"


@pytest.mark.parametrize("path", QC_FILES, ids=lambda p: p.stem)
def test_quality_check_finds_nothing(kg: KnowledgeGraph, path: Path) -> None:
    text = path.read_text()
    assert "# Problem:" in text and "# Solution:" in text, f"{path.name} needs Problem and Solution lines"
    results = kg.query(text)
    header = [v.value for v in results.variables]
    assert header == ["entity", "property", "value"], f"{path.name} must project ?entity ?property ?value"
    rows = [[term_text(row[name]) for name in header] for row in results]
    if rows:
        solution = next(line for line in text.splitlines() if line.startswith("# Solution:"))
        pytest.fail(f"{path.name}: {len(rows)} violation(s)\n{solution}\n{render_table(header, rows[:40])}")


@pytest.mark.parametrize("path", QC_FILES, ids=lambda p: p.stem)
def test_quality_check_finds_exactly_the_planted_violations(kg: KnowledgeGraph, path: Path) -> None:
    fixture = FIXTURES / f"{path.stem}.ttl"
    if not fixture.is_file():
        pytest.fail(f"{path.name} has no fixture: add {fixture.relative_to(FIXTURES.parent.parent)}")
    expected = expected_rows(fixture)
    assert expected, f"{fixture.name}: state the rows the check must return in '# expect: ...' lines"
    planted = kg.with_scratch_graph(PLANTED_GRAPH, ox.parse(path=fixture, format=ox.RdfFormat.TURTLE))
    found = rows_of(planted.query(path.read_text()))
    assert found == expected, (
        f"{path.name} on {fixture.name}\n"
        f"expected but not found:\n{show(expected - found)}\n"
        f"found but not expected:\n{show(found - expected)}")


def run_tool(*args: str) -> subprocess.CompletedProcess:
    """A checker of the test extra, run on the checkout with the settings of pyproject.toml."""
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    completed = run_tool("ruff", "check", "--no-cache", "src", "tests", "bench")
    assert completed.returncode == 0, (
        f"ruff (rules in pyproject.toml [tool.ruff]):\n{completed.stdout}{completed.stderr}\n"
        "fix them, or run: ruff check --fix src tests bench")


def test_mypy_finds_nothing() -> None:
    completed = run_tool("mypy")
    assert completed.returncode == 0, (
        f"mypy (settings in pyproject.toml [tool.mypy]):\n{completed.stdout}{completed.stderr}")
