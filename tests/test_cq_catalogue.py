"""The competency-question catalogue: every queries/cq/*.rq answers its clinical question.

Each query has a complete header (title, question, sources that exist, typed parameters) and one
expected answer per parameter case in tests/cq/expected/ (<slug>.json, or <slug>--<case>.json for a
parameterised query). The expected rows are the acceptance test of the product: both the embedded
pyoxigraph store and rdflib's own SPARQL engine, over the same graph, must return exactly those
rows, compared as a set (numbers by value, language tags ignored).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.catalogue import DATATYPES, CompetencyQuestion, load_question
from conftest import SOURCE_FILES
from cq_expected import CQ_DIR, EXPECTED_DIR, Case, Row, canonical, cases, expected_rows, main, oxigraph_rows

CQ_FILES = sorted(CQ_DIR.glob("*.rq"))
CASES = cases()
BKG = rdflib.Namespace(ns.BKG)


def question_of(path: Path) -> CompetencyQuestion:
    """The question as the product reads it (one header parser: the catalogue's)."""
    return load_question(path)


# --------------------------------------------------------------------------- rdflib


@pytest.fixture(scope="session")
def rdflib_graph(kg: KnowledgeGraph):
    """The same graph in rdflib: the exported union of the content graphs."""
    graph = rdflib.Graph()
    graph.parse(data=kg.export("nt"), format="nt")
    return graph


def rdflib_rows(graph, question: CompetencyQuestion, bindings: dict[str, str]) -> tuple[list[str], set[Row]]:
    from rdflib.plugins.sparql import prepareQuery

    text = question.sparql
    params = {p.name: p for p in question.params}
    terms = {}
    for name, value in bindings.items():
        datatype = params[name].datatype
        terms[name] = (
            rdflib.URIRef(value)
            if datatype == "iri"
            else rdflib.Literal(value, datatype=rdflib.URIRef(ns.XSD + datatype.split(":", 1)[1]))
        )
    results = graph.query(prepareQuery(text), initBindings=terms)
    columns = [str(v) for v in results.vars]

    def lexical(term) -> str | None:
        if term is None:
            return None
        if isinstance(term, rdflib.Literal) and term.datatype == rdflib.XSD.boolean:
            return "true" if bool(term.toPython()) else "false"
        return str(term)

    rows = {tuple((c, canonical(lexical(row[i]))) for i, c in enumerate(columns)) for row in results}
    return columns, rows


# --------------------------------------------------------------------------- comparison


def assert_same_rows(engine: str, case: Case, columns: list[str], actual: set[Row]) -> None:
    document = case.document()
    assert sorted(columns) == sorted(document["columns"]), (
        f"{case.id} on {engine}: the query projects {columns}, the expected answer has {document['columns']}"
    )
    expected = expected_rows(document)
    if actual == expected:
        return

    def show(rows: set[Row]) -> str:
        return "\n".join("  " + json.dumps({k: v for k, v in row if v is not None}, ensure_ascii=False)
                         for row in sorted(rows, key=str))

    pytest.fail(
        f"{case.id} on {engine} differs from {case.path.relative_to(EXPECTED_DIR.parent.parent.parent)}\n"
        f"only in expected ({len(expected - actual)}):\n{show(expected - actual)}\n"
        f"only in actual ({len(actual - expected)}):\n{show(actual - expected)}"
    )


# --------------------------------------------------------------------------- tests


def test_catalogue_has_at_least_35_questions() -> None:
    assert len(CQ_FILES) >= 35, f"only {len(CQ_FILES)} competency queries in {CQ_DIR}"


@pytest.mark.parametrize("path", CQ_FILES, ids=lambda p: p.stem)
def test_header_names_title_question_and_existing_sources(ontology_graph: rdflib.Graph, path: Path) -> None:
    question = question_of(path)
    assert "?" in question.question, f"{path.name}: '# question:' must state the clinical question in plain English"
    # Facts from outside the parser: the file's own lines, and the Turtle files as rdflib reads them.
    lines = path.read_text(encoding="utf-8").splitlines()
    assert f"# title: {question.title}" in lines and f"# question: {question.question}" in lines
    for curie in question.sources:
        assert curie.startswith("bks:"), f"{path.name}: source {curie!r} is not a bks: IRI"
        assert (rdflib.URIRef(ns.expand(curie)), rdflib.RDF.type, BKG.SourceDocument) in ontology_graph, (
            f"{path.name}: {curie} is not a source document of the graph")
    param_lines = [line for line in lines if re.match(r"#\s*param\s*:", line)]
    assert len(question.params) == len(param_lines), f"{path.name}: every '# param:' line is a parameter"
    for param in question.params:
        assert param.datatype in DATATYPES and param.description
        assert re.search(rf"\?{re.escape(param.name)}\b", question.body), (
            f"{path.name}: parameter {param.name} is not a variable (?{param.name}) of the query"
        )


@pytest.mark.parametrize("path", CQ_FILES, ids=lambda p: p.stem)
def test_query_is_portable_sparql(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    body = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    assert re.search(r"^\s*SELECT\b", body, re.MULTILINE | re.IGNORECASE), f"{path.name}: a CQ is a SELECT"
    assert not re.search(r"SELECT\s+(DISTINCT\s+)?\*", body, re.IGNORECASE), f"{path.name}: name every projected variable"
    assert re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE), f"{path.name}: add ORDER BY for a stable output"
    for construct in ("SERVICE", "FROM"):
        assert not re.search(rf"\b{construct}\b", body), f"{path.name}: {construct} is not allowed in a CQ"
    declared = set(re.findall(r"^PREFIX\s+(\w*):", body, re.MULTILINE))
    used = set(re.findall(r"(?<![\w<\"?])([a-z][\w-]*):[\w-]", re.sub(r"<[^>]*>|\"[^\"]*\"", "", body)))
    assert used <= declared, f"{path.name}: declare PREFIX lines for {sorted(used - declared)}"


@pytest.mark.parametrize("path", CQ_FILES, ids=lambda p: p.stem)
def test_every_question_has_an_expected_answer(path: Path) -> None:
    params = question_of(path).params
    found = [c for c in CASES if c.slug == path.stem]
    plain = [c for c in found if c.path.name == f"{path.stem}.json"]
    bound = [c for c in found if c.path.name != f"{path.stem}.json"]
    if params:
        assert bound, f"{path.name} is parameterised: add tests/cq/expected/{path.stem}--<case>.json files"
        if any(p.required for p in params):
            assert not plain, f"{path.name} has a required parameter: it has no unbound answer to expect"
    else:
        assert plain and not bound, f"{path.name}: add tests/cq/expected/{path.stem}.json (and no --<case> files)"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_expected_answer_belongs_to_a_question(case: Case) -> None:
    assert case.query_path.is_file(), f"{case.path.name} has no query {case.query_path.name}"
    document = case.document()
    declared = {p.name for p in case.question().params}
    bindings = document.get("bindings", {})
    assert set(bindings) <= declared, f"{case.path.name}: bindings {sorted(bindings)} are not parameters {sorted(declared)}"
    if case.path.name != f"{case.slug}.json":
        assert bindings, f"{case.path.name}: a --<case> file must give its parameter bindings"
    assert all(set(row) <= set(document["columns"]) for row in document["rows"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_pyoxigraph_returns_the_expected_rows(kg: KnowledgeGraph, case: Case) -> None:
    columns, rows = oxigraph_rows(kg, case.question(), case.document().get("bindings", {}))
    assert_same_rows("pyoxigraph", case, columns, rows)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rdflib_engine_returns_the_expected_rows(rdflib_graph, case: Case) -> None:
    columns, rows = rdflib_rows(rdflib_graph, case.question(), case.document().get("bindings", {}))
    assert_same_rows("rdflib", case, columns, rows)


@pytest.mark.parametrize("case", [c for c in CASES if "source" in c.document()["columns"]], ids=lambda c: c.id)
def test_answer_comes_from_the_sources_the_header_names(case: Case) -> None:
    question = case.question()
    named = {ns.expand(curie) for curie in question.sources}
    answered = {row["source"] for row in case.document()["rows"] if "source" in row}
    assert answered <= named, f"{case.id}: rows cite {sorted(answered - named)}, missing from '# source:'"
    if not question.params:
        assert named <= answered, f"{case.id}: '# source:' names {sorted(named - answered)}, which no row cites"


PARAMETERISED = [p for p in CQ_FILES if question_of(p).params]


@pytest.mark.parametrize("path", PARAMETERISED, ids=lambda p: p.stem)
def test_unbound_parameters_return_every_bound_answer(kg: KnowledgeGraph, rdflib_graph, path: Path) -> None:
    question = question_of(path)  # a required parameter is the product's rule: the SPARQL runs unbound too
    _, ox_all = oxigraph_rows(kg, question, {})
    _, rdflib_all = rdflib_rows(rdflib_graph, question, {})
    assert ox_all == rdflib_all, f"{path.name} unbound: pyoxigraph and rdflib disagree"
    for case in (c for c in CASES if c.slug == path.stem):
        missing = expected_rows(case.document()) - ox_all
        assert not missing, f"{path.name} unbound lacks rows of {case.path.name}: {sorted(missing)[:3]}"


def test_canonical_compares_numbers_by_value() -> None:
    assert canonical("38.0") == canonical("38") == "38"
    assert canonical("0.70") == canonical("0.7")
    assert canonical("bks:x") == "bks:x" and canonical(None) is None


# ----------------------------------------------------------------- expected answers, checked apart from the store

#: Columns whose numbers are not figures of a quote: ordinals of the answer and the source's reference marker.
NOT_FIGURES = {"step", "referenceMarker"}
_FIGURE = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_NUMBER_WORDS = {word: n for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}


def figures_in(text: str) -> set[Decimal]:
    """The numbers a quote states, in digits ("2,400", "0.7") or as words ("three")."""
    digits = {Decimal(m.group().replace(",", "")) for m in _FIGURE.finditer(text)}
    return digits | {Decimal(_NUMBER_WORDS[w]) for w in re.findall(r"[a-z]+", text.lower()) if w in _NUMBER_WORDS}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_every_number_of_an_expected_row_is_in_its_claims_quote(case: Case, ontology_graph: rdflib.Graph) -> None:
    """A figure in an expected answer is stated by the verbatim quote of the row's claim (read by
    rdflib from the Turtle files; test_sources checks each quote against its source document)."""
    document = case.document()
    bindings = document.get("bindings", {})
    unsupported = []
    for row in document["rows"]:
        claim = row.get("claim") or row.get("rule")
        quotes = [str(q) for q in ontology_graph.objects(rdflib.URIRef(claim), BKG.evidenceQuote)] if claim else []
        if not quotes:
            continue
        stated = figures_in(" ".join(quotes))
        for column, value in row.items():
            if column in bindings or column in NOT_FIGURES or not re.fullmatch(r"\d+(\.\d+)?", value):
                continue
            if Decimal(value) not in stated:
                unsupported.append(f"{column}={value} ({ns.curie(claim)}: {' '.join(quotes)[:120]!r})")
    assert not unsupported, f"{case.path.name}: figures its claims' quotes do not state:\n" + "\n".join(unsupported)


@pytest.mark.sources
@pytest.mark.parametrize("case", [c for c in CASES if "quote" in c.document()["columns"]], ids=lambda c: c.id)
def test_every_quote_of_an_expected_row_is_in_its_source(case: Case, shared_dir: Path) -> None:
    def normalise(text: str) -> str:
        return " ".join(text.split())

    missing = []
    for row in case.document()["rows"]:
        if "quote" not in row:
            continue
        text = normalise((shared_dir / "sources" / SOURCE_FILES[row["source"]]).read_text(encoding="utf-8"))
        if normalise(row["quote"]) not in text:
            missing.append(f"{row['quote'][:100]!r} ({ns.curie(row['source'])})")
    assert not missing, f"{case.path.name}: quotes not found verbatim in their source:\n" + "\n".join(missing)


def test_expected_files_are_what_the_regenerate_command_writes(capsys: pytest.CaptureFixture) -> None:
    """The committed files are exactly the command's output, so a regenerated file differs from
    them only where an answer changed (``python tests/cq_expected.py --regenerate``)."""
    assert main([]) == 0, capsys.readouterr().out
