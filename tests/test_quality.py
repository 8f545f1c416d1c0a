"""The OBO-style quality checks: every queries/qc/*-violation.rq must return no row."""

from __future__ import annotations

import pytest

from bortekg import KnowledgeGraph, resources
from bortekg.results import render_table, term_text

QC_FILES = sorted((resources.queries_dir() / "qc").glob("*-violation.rq"))


def test_quality_checks_exist() -> None:
    assert len(QC_FILES) >= 10


@pytest.mark.parametrize("path", QC_FILES, ids=lambda p: p.stem)
def test_quality_check_finds_nothing(kg: KnowledgeGraph, path) -> None:
    text = path.read_text()
    assert "# Problem:" in text and "# Solution:" in text, f"{path.name} needs Problem and Solution lines"
    results = kg.query(text)
    header = [v.value for v in results.variables]
    assert header == ["entity", "property", "value"], f"{path.name} must project ?entity ?property ?value"
    rows = [[term_text(row[name]) for name in header] for row in results]
    if rows:
        solution = next(line for line in text.splitlines() if line.startswith("# Solution:"))
        pytest.fail(f"{path.name}: {len(rows)} violation(s)\n{solution}\n{render_table(header, rows[:40])}")
