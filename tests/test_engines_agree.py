"""Every competency question returns the same rows from pyoxigraph and from rdflib's own SPARQL engine."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib

from bortekg.binding import bind_values
from bortekg.catalogue import CompetencyQuestion
from bortekg.engines import EmbeddedEngine, run_query
from cq_cases import question_params, sample_bindings
from rowsets import describe_difference, row_multiset


@pytest.fixture(scope="module")
def rdflib_graph(kg) -> rdflib.Graph:
    """The union of the content graphs, parsed by rdflib from pyoxigraph's N-Triples."""
    graph = rdflib.Graph()
    graph.parse(data=kg.export("nt").decode(), format="nt")
    return graph


def rdflib_answer(graph: rdflib.Graph, sparql: str):
    data = graph.query(sparql).serialize(format="json")
    return ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)


@pytest.mark.parametrize("question", question_params())
def test_rdflib_returns_the_same_rows(kg, rdflib_graph: rdflib.Graph, question: CompetencyQuestion) -> None:
    for bindings in ({}, sample_bindings(kg, question)):
        text = bind_values(question.sparql, bindings)
        expected = row_multiset(run_query(EmbeddedEngine(kg), text))
        actual = row_multiset(rdflib_answer(rdflib_graph, text))
        assert actual == expected, f"{question.id} {bindings}: " + describe_difference(expected, actual)
