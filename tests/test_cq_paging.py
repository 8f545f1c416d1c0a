"""Questions that list the whole graph are read in pages: the header, the query for a page, the
key of the next page, and cq run --limit / --after walking a whole answer page by page."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner

from bortekg.answers import Answer
from bortekg.binding import bind_values
from bortekg.catalogue import (
    AFTER,
    CatalogueError,
    ParameterError,
    get_question,
    load_catalogue,
    load_question,
)
from bortekg.cli import main
from bortekg.engines import EmbeddedEngine, run_query
from rowsets import row_multiset

HEADER = """# title: Labelled things
# question: Which things have a label?
# source: bks:bipn-treatment-answer
"""
PAGED = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thing ?label WHERE {
  ?thing rdfs:label ?label .
  FILTER (!BOUND(?after) || STR(?thing) > ?after)
}
ORDER BY STR(?thing)
"""
PAGED_QUESTIONS = [q for q in load_catalogue() if q.page_key is not None]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "labelled.rq"
    path.write_text(text)
    return path


def test_the_listing_questions_are_paged() -> None:
    assert {q.id: q.page_key for q in PAGED_QUESTIONS} == {
        "entities-without-identifier": "entity", "claims-per-source": "source"}


def test_a_page_header_names_the_key(tmp_path: Path) -> None:
    q = load_question(write(tmp_path, HEADER + "# page: ?thing\n" + PAGED))
    assert q.page_key == "thing"
    sparql, bindings = q.page(limit=3, after="https://w3id.org/bortekg/entity/x")
    assert sparql.endswith("ORDER BY STR(?thing)\nLIMIT 3\n")
    assert bindings == {AFTER: ox.Literal("https://w3id.org/bortekg/entity/x")}
    assert q.page() == (q.sparql, {})


@pytest.mark.parametrize(("page", "body", "message"), [
    ("nothing", PAGED, "page key 'nothing' is not a variable of the query"),
    ("thing", PAGED.replace("  FILTER (!BOUND(?after) || STR(?thing) > ?after)\n", ""),
     "a paged question filters on ?after"),
    ("thing", PAGED + "LIMIT 10\n", "no LIMIT or OFFSET of its own"),
    ("thing", PAGED.replace("ORDER BY STR(?thing)\n", ""), "end it with ORDER BY STR(?thing)"),
])
def test_a_malformed_page_header_names_file_and_line(tmp_path: Path, page: str, body: str, message: str) -> None:
    path = write(tmp_path, HEADER + f"# page: {page}\n" + body)
    with pytest.raises(CatalogueError) as error:
        load_question(path)
    assert str(error.value).startswith(f"{path}, line 4: ") and message in str(error.value)


def test_an_unpaged_question_refuses_a_limit_and_a_limit_below_one() -> None:
    with pytest.raises(ParameterError, match="is not read in pages"):
        get_question("dose-modification").page(limit=5)
    with pytest.raises(ParameterError, match="at least one row"):
        PAGED_QUESTIONS[0].page(limit=0)


def test_next_page_key_only_for_a_full_page() -> None:
    q = get_question("claims-per-source")
    rows = [{"source": ox.NamedNode("https://w3id.org/bortekg/source/a")},
            {"source": ox.NamedNode("https://w3id.org/bortekg/source/b")}]
    assert q.next_page_key(rows, 2) == "https://w3id.org/bortekg/source/b"
    assert q.next_page_key(rows, 3) is None
    assert q.next_page_key(rows, None) is None
    with pytest.raises(ParameterError, match="no source"):
        q.next_page_key([{"source": None}], 1)


@pytest.fixture(scope="module")
def rdflib_graph(kg) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=kg.export("nt").decode(), format="nt")
    return graph


@pytest.mark.parametrize("question", PAGED_QUESTIONS, ids=lambda q: q.id)
def test_pages_put_together_are_the_whole_answer_on_both_engines(kg, rdflib_graph, question) -> None:
    """Walking the pages (about a third of the answer each) gives every row once, in key order;
    rdflib's engine returns the same page for the same key."""
    whole = Answer.of(run_query(EmbeddedEngine(kg), question.sparql)).rows
    size = max(2, len(whole) // 3)
    pages, after = [], None
    while True:
        sparql, bindings = question.page(limit=size, after=after)
        page = run_query(EmbeddedEngine(kg), sparql, bindings=bindings)
        text = bind_values(sparql, bindings)
        reference = ox.parse_query_results(rdflib_graph.query(text).serialize(format="json"),
                                           format=ox.QueryResultsFormat.JSON)
        rows = Answer.of(page).rows
        assert row_multiset(Answer(list(rows[0]) if rows else [], rows).solutions()) == row_multiset(reference)
        pages.extend(rows)
        after = question.next_page_key(rows, size)
        if after is None:
            break
    keys = [row[question.page_key].value for row in pages]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert sorted(map(str, pages)) == sorted(map(str, whole)) and len(whole) > size


def test_cq_run_prints_the_next_page_on_stderr_and_the_last_page_says_nothing() -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["cq", "run", "claims-per-source", "--limit", "3", "--format", "csv"])
    assert first.exit_code == 0, first.output
    rows = first.stdout.splitlines()[1:]
    assert len(rows) == 3
    command = first.stderr.strip().rsplit("the next page: ", 1)[1]
    assert command == f"bortekg cq run claims-per-source --limit 3 --after {rows[-1].split(',')[0]}"
    last = runner.invoke(main, [*command.split()[1:], "--format", "csv"])
    assert last.exit_code == 0 and len(last.stdout.splitlines()) == 3  # header and the last 2 of 5
    assert "next page" not in last.stderr


def test_cq_run_refuses_paging_an_unpaged_question() -> None:
    result = CliRunner().invoke(main, ["cq", "run", "dose-modification", "--limit", "3"])
    assert result.exit_code == 2 and "is not read in pages" in result.stderr and not result.stdout
