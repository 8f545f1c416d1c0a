"""Parameters become VALUES blocks of typed terms at the start of the outer WHERE group."""

from __future__ import annotations

import random

import pyoxigraph as ox
import pytest

from bortekg.binding import BindingError, bind_values

XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
TWO = ox.Literal("2", datatype=XSD_INTEGER)


def test_no_bindings_leaves_the_query_alone() -> None:
    assert bind_values("SELECT * WHERE { ?s ?p ?o }", {}) == "SELECT * WHERE { ?s ?p ?o }"


@pytest.mark.parametrize("query,expected", [
    ("SELECT ?g WHERE { ?s ?p ?g }", "SELECT ?g WHERE { VALUES ?g { {two} }  ?s ?p ?g }"),
    ("ASK { ?s ?p ?g }", "ASK { VALUES ?g { {two} }  ?s ?p ?g }"),
    ("SELECT * { ?s ?p ?g }", "SELECT * { VALUES ?g { {two} }  ?s ?p ?g }"),
    ("CONSTRUCT { ?s ?p ?g } WHERE { ?s ?p ?g }", "CONSTRUCT { ?s ?p ?g } WHERE { VALUES ?g { {two} }  ?s ?p ?g }"),
    ("CONSTRUCT { ?s ?p ?g } { ?s ?p ?g }", "CONSTRUCT { ?s ?p ?g } { VALUES ?g { {two} }  ?s ?p ?g }"),
    ("SELECT (EXISTS { ?a ?b ?c } AS ?e) ?g WHERE { ?s ?p ?g }",
     "SELECT (EXISTS { ?a ?b ?c } AS ?e) ?g WHERE { VALUES ?g { {two} }  ?s ?p ?g }"),
    ("# a { brace in a comment\nSELECT ?g WHERE { ?s ?p ?g }",
     "# a { brace in a comment\nSELECT ?g WHERE { VALUES ?g { {two} }  ?s ?p ?g }"),
    ("SELECT * WHERE { SELECT ?g WHERE { ?s ?p ?g } }",
     "SELECT * WHERE { VALUES ?g { {two} } {  SELECT ?g WHERE { ?s ?p ?g }  } }"),
])
def test_values_block_position(query: str, expected: str) -> None:
    bound = bind_values(query, {"g": TWO})
    assert bound == expected.replace("{two}", str(TWO))
    ox.Store().query(bound)  # and it parses


def test_several_parameters_in_name_order() -> None:
    bound = bind_values("SELECT * WHERE { ?a ?b ?c }", {"c": TWO, "a": ox.NamedNode("http://e/x")})
    assert f'{{ VALUES ?a {{ <http://e/x> }} VALUES ?c {{ {TWO} }}  ?a ?b ?c }}' in bound


@pytest.mark.parametrize("query,message", [
    ("CONSTRUCT WHERE { ?s ?p ?g }", "CONSTRUCT WHERE short form"),
    ("DESCRIBE <http://e/x>", "no WHERE group"),
    ("PREFIX e: <http://e/>", "not a query"),
])
def test_queries_without_a_group_to_bind_in(query: str, message: str) -> None:
    with pytest.raises(BindingError, match=message):
        bind_values(query, {"g": TWO})


def test_bound_value_is_joined_and_filters_see_it() -> None:
    store = ox.Store()
    for i in range(5):
        store.add(ox.Quad(ox.NamedNode(f"http://e/s{i}"), ox.NamedNode("http://e/p"),
                          ox.Literal(str(i), datatype=XSD_INTEGER)))
    query = "SELECT ?s WHERE { ?s <http://e/p> ?v FILTER(?v >= ?min) }"
    rows = list(store.query(bind_values(query, {"min": ox.Literal("3", datatype=XSD_INTEGER)})))
    assert sorted(row["s"].value for row in rows) == ["http://e/s3", "http://e/s4"]


def test_any_text_round_trips_exactly_through_a_values_block() -> None:
    """Random strings of quotes, braces, backslashes, escapes and control characters come
    back as the very same literal: nothing of the text can leave its string."""
    alphabet = ['\\', 'u', 'U', '0', '2', '5', 'C', '"', "'", '}', '{', '\n', '\r', '\t', '\x01',
                'a', '>', '<', '#', 'é', '\U0001F600', '\x7f', ' ', '.', ';']
    generator = random.Random(4)
    store = ox.Store()
    for _ in range(3000):
        text = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 10)))
        for literal in (ox.Literal(text), ox.Literal(text, language="en")):
            rows = list(store.query(bind_values("SELECT ?x WHERE { }", {"x": literal})))
            assert len(rows) == 1 and rows[0]["x"] == literal, repr(text)
