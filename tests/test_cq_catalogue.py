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
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest

from bortekg import KnowledgeGraph, resources
from bortekg import namespaces as ns

CQ_DIR = resources.queries_dir() / "cq"
EXPECTED_DIR = Path(__file__).resolve().parent / "cq" / "expected"
CQ_FILES = sorted(CQ_DIR.glob("*.rq"))
EXPECTED_FILES = sorted(EXPECTED_DIR.glob("*.json"))

PARAM_DATATYPES = ("xsd:integer", "xsd:decimal", "xsd:boolean", "xsd:string", "iri")
_HEADER_LINE = re.compile(r"#\s*(title|question|source|param):\s*(.*\S)\s*$")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

Row = tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class Param:
    name: str
    datatype: str
    description: str
    required: bool = False


@dataclass
class Header:
    title: str = ""
    question: str = ""
    sources: list[str] = field(default_factory=list)
    params: list[Param] = field(default_factory=list)


def parse_header(text: str) -> Header:
    """Read the leading comment block: '# key: value' lines up to the first non-comment line."""
    header = Header()
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER_LINE.match(line)
        if match is None:
            continue
        key, value = match.groups()
        if key == "source":
            header.sources += [s.strip() for s in value.split(",") if s.strip()]
        elif key == "param":
            name, datatype, description = (value.split(None, 2) + ["", ""])[:3]
            required = description.split(" ", 1)[0] == "required"
            if required:
                description = description.partition(" ")[2].strip()
            header.params.append(Param(name, datatype, description, required))
        else:
            setattr(header, key, value)
    return header


@dataclass(frozen=True)
class Case:
    """One expected answer: a query, its parameter bindings and the rows it must return."""

    slug: str
    path: Path

    @property
    def id(self) -> str:
        return self.path.stem

    @property
    def query_path(self) -> Path:
        return CQ_DIR / f"{self.slug}.rq"

    def document(self) -> dict:
        return json.loads(self.path.read_text(encoding="utf-8"))


def slug_of(expected: Path) -> str:
    return expected.stem.split("--", 1)[0]


CASES = [Case(slug_of(p), p) for p in EXPECTED_FILES]


def canonical(lexical: str | None) -> str | None:
    """A value compared by value: numbers in a canonical decimal form, anything else as written."""
    if lexical is None or not _NUMBER.fullmatch(lexical):
        return lexical
    try:
        return format(Decimal(lexical).normalize(), "f")
    except InvalidOperation:
        return lexical


def expected_rows(document: dict) -> set[Row]:
    columns = document["columns"]
    return {tuple((c, canonical(row.get(c))) for c in columns) for row in document["rows"]}


# --------------------------------------------------------------------------- pyoxigraph


def oxigraph_term(param: Param, value: str) -> ox.NamedNode | ox.Literal:
    if param.datatype == "iri":
        return ox.NamedNode(value)
    return ox.Literal(value, datatype=ox.NamedNode(ns.XSD + param.datatype.split(":", 1)[1]))


def oxigraph_lexical(term: ox.Term | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value == ns.XSD + "boolean":
        return "true" if term.value in ("true", "1") else "false"
    return term.value


def oxigraph_rows(kg: KnowledgeGraph, text: str, bindings: dict[str, str]) -> tuple[list[str], set[Row]]:
    params = {p.name: p for p in parse_header(text).params}
    terms = {name: oxigraph_term(params[name], value) for name, value in bindings.items()}
    results = kg.query(text, bindings=terms or None)
    columns = [v.value for v in results.variables]
    rows = {tuple((c, canonical(oxigraph_lexical(row[c]))) for c in columns) for row in results}
    return columns, rows


# --------------------------------------------------------------------------- rdflib


@pytest.fixture(scope="session")
def rdflib_graph(kg: KnowledgeGraph):
    """The same graph in rdflib: the exported union of the content graphs."""
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=kg.export("nt"), format="nt")
    return graph


def rdflib_rows(graph, text: str, bindings: dict[str, str]) -> tuple[list[str], set[Row]]:
    import rdflib
    from rdflib.plugins.sparql import prepareQuery

    params = {p.name: p for p in parse_header(text).params}
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
def test_header_names_title_question_and_existing_sources(kg: KnowledgeGraph, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    header = parse_header(text)
    assert header.title, f"{path.name}: add a '# title: ...' line"
    assert "?" in header.question, f"{path.name}: '# question:' must state the clinical question in plain English"
    assert header.sources, f"{path.name}: add a '# source: bks:...' line naming the source documents"
    for curie in header.sources:
        assert curie.startswith("bks:"), f"{path.name}: source {curie!r} is not a bks: IRI"
        typed = kg.store.quads_for_pattern(
            ox.NamedNode(ns.expand(curie)), ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.BKG + "SourceDocument")
        )
        assert any(True for _ in typed), f"{path.name}: {curie} is not a source document of the graph"
    for param in header.params:
        assert param.datatype in PARAM_DATATYPES, (
            f"{path.name}: parameter {param.name} has datatype {param.datatype!r}; use one of {PARAM_DATATYPES}"
        )
        assert param.description, f"{path.name}: describe parameter {param.name}"
        assert re.search(rf"\?{re.escape(param.name)}\b", text), (
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
    params = parse_header(path.read_text(encoding="utf-8")).params
    cases = [c for c in CASES if c.slug == path.stem]
    plain = [c for c in cases if c.path.name == f"{path.stem}.json"]
    bound = [c for c in cases if c.path.name != f"{path.stem}.json"]
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
    declared = {p.name for p in parse_header(case.query_path.read_text(encoding="utf-8")).params}
    bindings = document.get("bindings", {})
    assert set(bindings) <= declared, f"{case.path.name}: bindings {sorted(bindings)} are not parameters {sorted(declared)}"
    if case.path.name != f"{case.slug}.json":
        assert bindings, f"{case.path.name}: a --<case> file must give its parameter bindings"
    assert all(set(row) <= set(document["columns"]) for row in document["rows"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_pyoxigraph_returns_the_expected_rows(kg: KnowledgeGraph, case: Case) -> None:
    text = case.query_path.read_text(encoding="utf-8")
    columns, rows = oxigraph_rows(kg, text, case.document().get("bindings", {}))
    assert_same_rows("pyoxigraph", case, columns, rows)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rdflib_engine_returns_the_expected_rows(rdflib_graph, case: Case) -> None:
    text = case.query_path.read_text(encoding="utf-8")
    columns, rows = rdflib_rows(rdflib_graph, text, case.document().get("bindings", {}))
    assert_same_rows("rdflib", case, columns, rows)


@pytest.mark.parametrize("case", [c for c in CASES if "source" in c.document()["columns"]], ids=lambda c: c.id)
def test_answer_comes_from_the_sources_the_header_names(case: Case) -> None:
    header = parse_header(case.query_path.read_text(encoding="utf-8"))
    named = {ns.expand(curie) for curie in header.sources}
    answered = {row["source"] for row in case.document()["rows"] if "source" in row}
    assert answered <= named, f"{case.id}: rows cite {sorted(answered - named)}, missing from '# source:'"
    if not header.params:
        assert named <= answered, f"{case.id}: '# source:' names {sorted(named - answered)}, which no row cites"


PARAMETERISED = [p for p in CQ_FILES if parse_header(p.read_text(encoding="utf-8")).params]


@pytest.mark.parametrize("path", PARAMETERISED, ids=lambda p: p.stem)
def test_unbound_parameters_return_every_bound_answer(kg: KnowledgeGraph, rdflib_graph, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    _, ox_all = oxigraph_rows(kg, text, {})
    _, rdflib_all = rdflib_rows(rdflib_graph, text, {})
    assert ox_all == rdflib_all, f"{path.name} unbound: pyoxigraph and rdflib disagree"
    for case in (c for c in CASES if c.slug == path.stem):
        missing = expected_rows(case.document()) - ox_all
        assert not missing, f"{path.name} unbound lacks rows of {case.path.name}: {sorted(missing)[:3]}"


def test_parse_header_reads_every_field() -> None:
    header = parse_header(
        "# title: T\n# question: Q?\n# source: bks:a, bks:b\n"
        "# param: grade xsd:integer Toxicity grade (1-4)\n# param: claim iri required The claim\n"
        "PREFIX x: <y>\n# title: ignored\n"
    )
    assert header == Header("T", "Q?", ["bks:a", "bks:b"], [Param("grade", "xsd:integer", "Toxicity grade (1-4)"),
                                                           Param("claim", "iri", "The claim", True)])


def test_canonical_compares_numbers_by_value() -> None:
    assert canonical("38.0") == canonical("38") == "38"
    assert canonical("0.70") == canonical("0.7")
    assert canonical("bks:x") == "bks:x" and canonical(None) is None
