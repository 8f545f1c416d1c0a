"""SHACL shapes (shapes/*.ttl).

The packaged graph conforms; every valid case conforms in the context of the graph; every
invalid case breaks exactly the constraints its header names, for the focus node and path it
names; every shape has an invalid case, a name and a curator's message; and the shapes stay in
step with the ontology (terms, ranges, datatypes, units, value sets, class coverage).

Cases are validated with pyshacl over plain rdflib graphs, without inference: the ontology and
the knowledge base are in the data graph, so links to existing entities resolve and sh:class
sees the rdfs:subClassOf hierarchy. A case's own nodes are the focus nodes; the graph's nodes
are not validated again. All invalid cases are validated in one run (their nodes are distinct,
which a test checks) and each case is judged on the results for its own nodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from bortekg import resources
from bortekg.namespaces import PREFIXES

CASES = Path(__file__).resolve().parent / "shapes"
VALID = sorted((CASES / "valid").glob("*.ttl"))
INVALID = sorted((CASES / "invalid").glob("*.ttl"))
SHAPES = resources.shapes_files()

BKG = Namespace("https://w3id.org/bortekg/")
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
NAMESPACES = {**PREFIXES, "bksh": "https://w3id.org/bortekg/shapes/"}
HEADER = re.compile(r"^# violates: (?P<shape>\S+) focus: (?P<focus>\S+) path: (?P<path>\S+)$")
#: Words of the SHACL vocabulary that mean nothing to a pharmacology curator.
JARGON = re.compile(r"\bsh:|SHACL|\bshapes?\b|focus node|constraint|minCount|maxCount|nodeKind|minInclusive|datatype",
                    re.IGNORECASE)
TERM_IN_TEXT = re.compile(r"\b(?:bkg|bke|bks):[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]")


# --- helpers -------------------------------------------------------------------------------


def short(term: Node) -> str:
    """A CURIE for an IRI (longest namespace first), ^CURIE for an inverse path."""
    if isinstance(term, URIRef):
        for prefix, namespace in sorted(NAMESPACES.items(), key=lambda kv: -len(kv[1])):
            if term.startswith(namespace) and len(term) > len(namespace):
                return f"{prefix}:{term[len(namespace):]}"
        return f"<{term}>"
    return str(term)


@dataclass(frozen=True)
class Result:
    """One validation result, with its terms as CURIEs."""

    focus: str
    path: str
    source: str  # the SPARQL constraint for SPARQL results, else the shape
    value: str
    message: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.focus, self.path)

    def __str__(self) -> str:
        return f"{self.focus}  {self.path}  value {self.value}\n    [{self.source}] {self.message}"


def _path_text(report: Graph, path: Node | None) -> str:
    if path is None:
        return "-"
    inverse = report.value(path, SH.inversePath) if isinstance(path, BNode) else None
    return "^" + short(inverse) if inverse is not None else short(path)


def shacl_results(data: Graph, shapes: Graph, focus_nodes: list[URIRef] | None = None) -> list[Result]:
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", focus_nodes=focus_nodes)
    results = []
    for node in report.objects(None, SH.result):
        component = report.value(node, SH.sourceConstraintComponent)
        is_sparql = component == SH.SPARQLConstraintComponent
        source = report.value(node, SH.sourceConstraint if is_sparql else SH.sourceShape)
        value = report.value(node, SH.value)
        results.append(Result(
            focus=short(report.value(node, SH.focusNode)),
            path=_path_text(report, report.value(node, SH.resultPath)),
            source=short(source),
            value=short(value) if isinstance(value, URIRef) else value.n3() if value is not None else "-",
            message=" ".join(str(m) for m in report.objects(node, SH.resultMessage)),
        ))
    assert conforms == (not results)
    return sorted(results, key=lambda r: (r.focus, r.path, r.source))


def readable(results: list[Result]) -> str:
    return "\n".join(str(r) for r in results)


@cache
def parsed_query(text: str, namespaces: tuple[tuple[str, str], ...]):
    return prepareQuery(text, initNs=dict(namespaces))


class ParsedOnceGraph(Graph):
    """A data graph whose query() parses each SPARQL text once: pyshacl sends the same text for
    every focus node (SPARQL constraints, sh:class lookups), and parsing it anew each time was
    more than half of the validation time. Evaluation is rdflib's, unchanged."""

    def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
              initBindings=None, use_store_provided=True, **kwargs):
        if isinstance(query_object, str) and processor == "sparql" and not kwargs:
            namespaces = initNs if initNs is not None else dict(self.namespaces())
            query_object = parsed_query(query_object, tuple(sorted((str(k), str(v)) for k, v in namespaces.items())))
        return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)


def in_context(graph: Graph, *cases: Graph) -> Graph:
    """A copy of the packaged graph with the cases added (the session graph stays untouched)."""
    data = ParsedOnceGraph()
    data += graph
    for case in cases:
        data += case
    return data


@cache
def case_graph(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def case_nodes(path: Path) -> set[URIRef]:
    return {s for s in case_graph(path).subjects() if isinstance(s, URIRef)}


@cache
def header(path: Path) -> frozenset[tuple[str, str, str]]:
    """The (constraint, focus, path) triples an invalid case's opening comment lines name."""
    expected = set()
    for line in path.read_text().splitlines():
        match = HEADER.match(line)
        if not match:
            break
        expected.add((match["shape"], match["focus"], match["path"]))
    return frozenset(expected)


def expand(curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    return URIRef(NAMESPACES[prefix] + local)


def rdf_list(graph: Graph, head: Node) -> list[Node]:
    return list(Collection(graph, head))


def node_shapes(shapes: Graph) -> set[Node]:
    return set(shapes.subjects(RDF.type, SH.NodeShape))


def property_shapes(shapes: Graph) -> set[Node]:
    return set(shapes.subjects(RDF.type, SH.PropertyShape)) | set(shapes.objects(None, SH.property))


def sparql_constraints(shapes: Graph) -> set[Node]:
    return set(shapes.objects(None, SH.sparql))


def path_property(shapes: Graph, shape: Node) -> URIRef | None:
    """The property a shape's path follows (also through sh:inversePath)."""
    path = shapes.value(shape, SH.path)
    if isinstance(path, BNode):
        path = shapes.value(path, SH.inversePath)
    return path if isinstance(path, URIRef) else None


def shapes_with_path(shapes: Graph, prop: URIRef) -> list[Node]:
    return list(shapes.subjects(SH.path, prop))


def superclasses(ontology: Graph, cls: URIRef) -> set[Node]:
    return set(ontology.transitive_objects(cls, RDFS.subClassOf))


def value_set_members(ontology: Graph, cls: URIRef) -> set[Node]:
    """The closed list of a value-set class: its owl:oneOf, else the individuals typed with it."""
    for equivalent in ontology.objects(cls, OWL.equivalentClass):
        members = ontology.value(equivalent, OWL.oneOf)
        if members is not None:
            return set(rdf_list(ontology, members))
    return set(ontology.subjects(RDF.type, cls))


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def shapes_graph() -> Graph:
    graph = Graph()
    for path in SHAPES:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def defined_terms(ontology_graph: Graph) -> set[Node]:
    """Every class, property and individual the ontology and knowledge base declare."""
    return set(ontology_graph.subjects(RDF.type, None))


@pytest.fixture(scope="session")
def invalid_results(ontology_graph: Graph, shapes_graph: Graph) -> dict[Path, list[Result]]:
    """All invalid cases validated together; each case gets the results for its own nodes."""
    owner = {node: path for path in INVALID for node in case_nodes(path)}
    data = in_context(ontology_graph, *(case_graph(path) for path in INVALID))
    results = shacl_results(data, shapes_graph, focus_nodes=sorted(owner))
    by_case: dict[Path, list[Result]] = {path: [] for path in INVALID}
    for result in results:
        by_case[owner[expand(result.focus)]].append(result)
    return by_case


# --- the packaged graph and the cases ---------------------------------------------------------


def test_packaged_graph_conforms(ontology_graph: Graph, shapes_graph: Graph) -> None:
    results = shacl_results(in_context(ontology_graph), shapes_graph)
    assert not results, f"the packaged graph breaks {len(results)} constraint(s):\n{readable(results)}"


@pytest.mark.parametrize("folder", ["valid", "invalid"])
def test_case_folder_is_not_empty(folder: str) -> None:
    assert sorted((CASES / folder).glob("*.ttl")), f"tests/shapes/{folder}/ holds no case"


@pytest.mark.parametrize("case", VALID, ids=lambda p: p.stem)
def test_valid_case_conforms(case: Path, ontology_graph: Graph, shapes_graph: Graph) -> None:
    results = shacl_results(in_context(ontology_graph, case_graph(case)), shapes_graph,
                            focus_nodes=sorted(case_nodes(case)))
    assert not results, f"{case.name} should conform:\n{readable(results)}"


def test_invalid_cases_have_distinct_nodes() -> None:
    seen: dict[URIRef, str] = {}
    clashes = []
    for path in INVALID:
        for node in case_nodes(path):
            if node in seen:
                clashes.append(f"{short(node)} in {seen[node]} and {path.name}")
            seen[node] = path.name
    assert not clashes, "invalid cases must not share nodes (they are validated together):\n" + "\n".join(clashes)


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_invalid_case_breaks_exactly_what_its_header_names(
    case: Path, invalid_results: dict[Path, list[Result]]
) -> None:
    expected = header(case)
    assert expected, f"{case.name} must open with '# violates: <constraint> focus: <node> path: <property>'"
    results = invalid_results[case]
    found = {r.key for r in results}
    missing = sorted(expected - found)
    unexpected = [r for r in results if r.key not in expected]
    assert not missing and not unexpected, (
        f"{case.name}\n"
        f"named in the header but not reported: {missing}\n"
        f"reported but not named in the header:\n{readable(unexpected)}\n"
        f"all results:\n{readable(results)}")


# --- every shape has a case, a name and a message ------------------------------------------------


def test_every_shape_has_an_invalid_case(shapes_graph: Graph) -> None:
    named = {expand(shape) for path in INVALID for shape, _, _ in header(path)}
    covered = set(named)
    for term in named:
        covered |= set(shapes_graph.subjects(SH.property, term)) | set(shapes_graph.subjects(SH.sparql, term))
    required = node_shapes(shapes_graph) | property_shapes(shapes_graph) | sparql_constraints(shapes_graph)
    assert not named - required, f"headers name unknown constraints: {sorted(map(short, named - required))}"
    assert not required - covered, (
        "shapes without an invalid case in tests/shapes/invalid/: " + ", ".join(sorted(map(short, required - covered))))


def test_every_shape_has_a_name_and_a_curator_message(shapes_graph: Graph) -> None:
    problems = []
    for shape in sorted(node_shapes(shapes_graph) | property_shapes(shapes_graph), key=str):
        names = list(shapes_graph.objects(shape, SH.name))
        messages = list(shapes_graph.objects(shape, SH.message))
        if len(names) != 1 or len(messages) != 1:
            problems.append(f"{short(shape)}: needs one sh:name and one sh:message")
            continue
        message = str(messages[0])
        if JARGON.search(message) or JARGON.search(str(names[0])):
            problems.append(f"{short(shape)}: speaks SHACL, not the curator's language: {message}")
        prop = path_property(shapes_graph, shape)
        if prop is not None and short(prop) not in message:
            problems.append(f"{short(shape)}: the message must name the property {short(prop)}")
    assert not problems, "\n".join(problems)


# --- the shape files themselves ----------------------------------------------------------------


@pytest.mark.parametrize("path", SHAPES, ids=lambda p: p.name)
def test_shapes_file_parses(path: Path) -> None:
    try:
        Graph().parse(path, format="turtle")
    except Exception as error:  # noqa: BLE001 - any parser error is the failure to report
        pytest.fail(f"{path.name} is not valid Turtle: {error}")


def test_shape_iris_are_defined_once() -> None:
    defined_in: dict[Node, list[str]] = {}
    for path in SHAPES:
        graph = Graph().parse(path, format="turtle")
        for subject in set(graph.subjects(RDF.type, None)):
            if isinstance(subject, URIRef):
                defined_in.setdefault(subject, []).append(path.name)
    duplicates = {short(s): files for s, files in defined_in.items() if len(files) > 1}
    assert not duplicates, f"shape IRIs defined in more than one file: {duplicates}"


def test_shapes_use_only_terms_the_ontology_defines(shapes_graph: Graph, defined_terms: set[Node]) -> None:
    used: dict[Node, str] = {}
    for predicate in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH["class"], SH.lessThan,
                      SH.lessThanOrEquals, SH.disjoint, SH.equals):
        for shape, term in shapes_graph.subject_objects(predicate):
            used[term] = f"{short(shape)} {short(predicate)}"
    for shape in property_shapes(shapes_graph):
        used[path_property(shapes_graph, shape)] = f"{short(shape)} sh:path"
        for head in shapes_graph.objects(shape, SH["in"]):
            for member in rdf_list(shapes_graph, head):
                used[member] = f"{short(shape)} sh:in"
    unknown = [f"{short(term)} (in {where})" for term, where in used.items()
               if isinstance(term, URIRef) and term not in defined_terms and not term.startswith(str(OWL))]
    assert not unknown, "shapes use terms the ontology does not define (a typo?):\n" + "\n".join(sorted(unknown))


def test_terms_named_in_messages_exist(shapes_graph: Graph, defined_terms: set[Node]) -> None:
    unknown = []
    for shape, text in [*shapes_graph.subject_objects(SH.message), *shapes_graph.subject_objects(SH.name)]:
        for curie in TERM_IN_TEXT.findall(str(text)):
            if expand(curie) not in defined_terms:
                unknown.append(f"{short(shape)} mentions {curie}")
    assert not unknown, "messages name terms that do not exist:\n" + "\n".join(sorted(unknown))


# --- the shapes stay in step with the ontology ------------------------------------------------------


def test_every_class_is_checked_by_a_shape(shapes_graph: Graph, ontology_graph: Graph) -> None:
    targeted = set(shapes_graph.objects(None, SH.targetClass))
    classes = [c for c in ontology_graph.subjects(RDF.type, OWL.Class)
               if isinstance(c, URIRef) and c.startswith(str(BKG))]
    unchecked = [short(cls) for cls in classes if not superclasses(ontology_graph, cls) & targeted]
    assert not unchecked, f"classes no shape targets, directly or through a superclass: {sorted(unchecked)}"


def test_every_claim_kind_has_its_own_shape(shapes_graph: Graph, ontology_graph: Graph) -> None:
    claim_kinds = set(ontology_graph.transitive_subjects(RDFS.subClassOf, BKG.Claim)) - {BKG.Claim}
    targeted = set(shapes_graph.objects(None, SH.targetClass))
    kinds_in_use = {cls for claim in ontology_graph.subjects(BKG.evidenceQuote, None)
                    for cls in ontology_graph.objects(claim, RDF.type)} - {OWL.NamedIndividual}
    assert kinds_in_use and kinds_in_use <= claim_kinds | {BKG.Claim}, (
        f"quoted claims of kinds that are not bkg:Claim subclasses: {sorted(map(short, kinds_in_use - claim_kinds))}")
    without = sorted(map(short, claim_kinds - targeted))
    assert not without, f"claim kinds without a shape of their own: {without}"


def test_object_links_are_checked_against_the_ontology_ranges(shapes_graph: Graph, ontology_graph: Graph) -> None:
    problems = []
    for prop in ontology_graph.subjects(RDF.type, OWL.ObjectProperty):
        for range_ in ontology_graph.objects(prop, RDFS.range):
            shapes = shapes_with_path(shapes_graph, prop)
            if BKG.ValueSet in superclasses(ontology_graph, range_):
                allowed = value_set_members(ontology_graph, range_)
                lists = [set(rdf_list(shapes_graph, head))
                         for s in shapes for head in shapes_graph.objects(s, SH["in"])]
                exact = range_ != BKG.Unit  # a unit property allows the units that fit its numbers
                if not any(values == allowed if exact else values <= allowed for values in lists):
                    problems.append(f"{short(prop)}: no sh:in listing the values of {short(range_)}")
            else:
                classes = {c for s in shapes for c in shapes_graph.objects(s, SH["class"])}
                if classes != {range_}:
                    found = sorted(map(short, classes))
                    problems.append(f"{short(prop)}: sh:class {found}, ontology range {short(range_)}")
    assert not problems, "\n".join(sorted(problems))


def test_datatypes_follow_the_ontology_ranges(shapes_graph: Graph, ontology_graph: Graph) -> None:
    problems = []
    for prop in ontology_graph.subjects(RDF.type, OWL.DatatypeProperty):
        for range_ in ontology_graph.objects(prop, RDFS.range):
            shapes = shapes_with_path(shapes_graph, prop)
            datatypes = {d for s in shapes for d in shapes_graph.objects(s, SH.datatype)}
            listed = {m.datatype or (RDF.langString if m.language else XSD_STRING)
                      for s in shapes for head in shapes_graph.objects(s, SH["in"])
                      for m in rdf_list(shapes_graph, head) if isinstance(m, Literal)}
            required = datatypes | listed
            if required != {range_}:
                problems.append(f"{short(prop)}: shapes require {sorted(map(short, required))}, range {short(range_)}")
    assert not problems, "\n".join(sorted(problems))


def test_a_number_with_a_variable_unit_requires_its_unit(shapes_graph: Graph, ontology_graph: Graph) -> None:
    missing = []
    for prop, unit_property in ontology_graph.subject_objects(BKG.unitGivenBy):
        requiring = [node for node in shapes_graph.subjects(SH.targetSubjectsOf, prop)
                     for shape in shapes_graph.objects(node, SH.property)
                     if shapes_graph.value(shape, SH.path) == unit_property
                     and int(shapes_graph.value(shape, SH.minCount, default=0)) >= 1]
        if not requiring:
            missing.append(f"{short(prop)} needs {short(unit_property)} on the same node")
    assert not missing, "no shape requires the unit of these numbers:\n" + "\n".join(sorted(missing))
