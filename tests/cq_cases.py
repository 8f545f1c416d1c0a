"""Every competency question to run on several engines: the packaged catalogue and the test fixtures,
each unbound (a required parameter is the product's rule, not SPARQL's: its query runs unbound too)
and, when it has parameters, bound to its examples or to values taken from its own unbound answer."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from bortekg.catalogue import CompetencyQuestion, catalogue_dir, load_catalogue
from bortekg.engines import EmbeddedEngine, run_query
from bortekg.store import KnowledgeGraph

FIXTURES = Path(__file__).parent / "fixtures" / "cq"


def all_questions() -> list[CompetencyQuestion]:
    folders = [folder for folder in (catalogue_dir(), FIXTURES) if folder.is_dir()]
    return [question for folder in folders for question in load_catalogue(folder)]


def question_params() -> list:
    return [pytest.param(q, id=f"{q.path.parent.name}/{q.id}") for q in all_questions()]


def sample_bindings(kg: KnowledgeGraph, question: CompetencyQuestion) -> dict[str, ox.NamedNode | ox.Literal]:
    """Values for the question's parameters: its header's examples when it has them, else the first
    unbound answer row that has them all (empty when it has no parameters, or when they are not
    among the answer's columns)."""
    names = [param.name for param in question.params]
    if not names:
        return {}
    if question.examples:
        return question.example_bindings()
    results = run_query(EmbeddedEngine(kg), question.sparql)
    assert isinstance(results, ox.QuerySolutions)
    if not set(names) <= {v.value for v in results.variables}:
        return {}
    for row in results:
        if all(row[name] is not None for name in names):
            return {name: row[name] for name in names}
    return {}
