"""SHACL shapes compiled to SPARQL violation queries that pyoxigraph runs.

pyshacl evaluates each constraint per focus node over rdflib terms; here every node shape
becomes one SELECT query (a UNION branch per constraint of its property shapes, and of its
own) and every SPARQL-based constraint keeps its own text, each restricted to the shape's
focus nodes by a marker triple in a named graph of the scratch store. The results are those
pyshacl gives (focus node, path, value, source shape, constraint component, severity,
messages), built as a standard SHACL report graph.

Only the SHACL features the shapes use are compiled (``SUPPORTED``): a shapes graph that uses
any other is refused when it is compiled, so that no constraint is ever skipped in silence.
pyshacl stays the reference engine (``Gate(engine="pyshacl")``), and the tests check that both
give the same results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from bortekg import namespaces as ns

if TYPE_CHECKING:
    import rdflib

SH = "http://www.w3.org/ns/shacl#"
_RDF_TYPE = ns.RDF + "type"
_SUBCLASS_OF = ns.RDFS + "subClassOf"

#: Where the scratch store records which node shape targets which focus node.
FOCUS_GRAPH = "urn:bortekg:gate:focus"
TARGET_OF = "urn:bortekg:gate:targetOf"

#: Every predicate of the SHACL vocabulary the compiler understands. ``sh:name`` and
#: ``sh:description`` are non-validating; ``sh:declare`` and its parts are SPARQL prefixes.
SUPPORTED = frozenset(SH + local for local in (
    "targetClass", "targetSubjectsOf", "property", "path", "inversePath",
    "minCount", "maxCount", "datatype", "class", "in", "nodeKind", "languageIn", "pattern", "minLength",
    "minInclusive", "maxInclusive", "minExclusive", "lessThan", "lessThanOrEquals", "disjoint",
    "sparql", "select", "prefixes", "declare", "prefix", "namespace",
    "message", "severity", "name", "description",
))

_NODE_KINDS = {
    SH + "IRI": "isIRI(?value)",
    SH + "Literal": "isLiteral(?value)",
    SH + "BlankNode": "isBlank(?value)",
    SH + "BlankNodeOrIRI": "(isBlank(?value) || isIRI(?value))",
    SH + "BlankNodeOrLiteral": "(isBlank(?value) || isLiteral(?value))",
    SH + "IRIOrLiteral": "(isIRI(?value) || isLiteral(?value))",
}
#: Order comparisons: the value against the constraint's bound. A comparison SPARQL cannot make
#: (a string against a number, an IRI) is a violation, as it is for pyshacl.
_RANGES = {
    "minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">",
}
_PAIRS = {"lessThan": "<", "lessThanOrEquals": "<="}


class UnsupportedShapesError(ValueError):
    """A shapes graph that uses a SHACL feature the compiled engine does not evaluate."""


@dataclass(frozen=True)
class ShapeInfo:
    """What a result of a shape reports besides its focus node and value."""

    key: str  # its IRI, or one made up for a blank-node shape
    node: rdflib.term.Node  # as the shapes graph has it
    severity: str
    messages: tuple[rdflib.Literal, ...]
    path: rdflib.term.Node | None = None  # a property shape's path, as the shapes graph has it


@dataclass(frozen=True)
class SparqlConstraint:
    """A SPARQL-based constraint of a node shape, its text restricted to the shape's targets."""

    node: rdflib.term.Node
    query: str
    messages: tuple[rdflib.Literal, ...]


@dataclass
class NodeShapeQuery:
    """One node shape: its targets, its core constraints as one query, its SPARQL constraints."""

    key: str
    target_classes: tuple[str, ...]
    target_subjects_of: tuple[str, ...]
    core_query: str | None
    sparql: list[SparqlConstraint] = field(default_factory=list)


@dataclass
class CompiledShapes:
    """The shapes graph as queries, with what reports need of each shape."""

    shapes: list[NodeShapeQuery]
    info: dict[str, ShapeInfo]

    def by_class(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for shape in self.shapes:
            for cls in shape.target_classes:
                found.setdefault(cls, []).append(shape.key)
        return found

    def by_subject_of(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for shape in self.shapes:
            for predicate in shape.target_subjects_of:
                found.setdefault(predicate, []).append(shape.key)
        return found


# --------------------------------------------------------------------------- compiling


def unsupported_features(graph: rdflib.Graph) -> list[str]:
    """Each use of a SHACL feature the compiler does not evaluate, described for a curator."""
    import rdflib

    problems = []
    for s, p, _ in graph:
        if str(p).startswith(SH) and str(p) not in SUPPORTED:
            problems.append(f"sh:{str(p)[len(SH):]} (on {_name(graph, s)})")
    for shape in set(graph.objects(None, rdflib.URIRef(SH + "property"))) | set(
            graph.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "PropertyShape"))):
        path = graph.value(shape, rdflib.URIRef(SH + "path"))
        if path is None:
            problems.append(f"a property shape without sh:path ({_name(graph, shape)})")
        elif _sparql_path(graph, path) is None:
            problems.append(f"a property path other than an IRI or sh:inversePath of an IRI (on {_name(graph, shape)})")
        if (shape, rdflib.URIRef(SH + "sparql"), None) in graph:
            problems.append(f"sh:sparql on a property shape ({_name(graph, shape)})")
        for target in ("targetClass", "targetSubjectsOf"):
            if (shape, rdflib.URIRef(SH + target), None) in graph:
                problems.append(f"sh:{target} on a property shape ({_name(graph, shape)})")
    for shape in graph.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "NodeShape")):
        if any((shape, rdflib.RDF.type, cls) in graph for cls in (rdflib.RDFS.Class, rdflib.OWL.Class)):
            problems.append(f"a node shape that is also a class, an implicit target ({_name(graph, shape)})")
        if (shape, rdflib.URIRef(SH + "path"), None) in graph:
            continue  # reported above as a property shape
        for kind in ("minCount", "maxCount", "lessThan", "lessThanOrEquals", "disjoint"):
            if (shape, rdflib.URIRef(SH + kind), None) in graph:
                problems.append(f"sh:{kind} on a node shape ({_name(graph, shape)})")
    for shape in _all_shapes(graph):
        if list(graph.objects(shape, rdflib.URIRef(SH + "message"))):
            continue
        silent = [c for c in graph.objects(shape, rdflib.URIRef(SH + "sparql"))
                  if not list(graph.objects(c, rdflib.URIRef(SH + "message")))]
        if _has_core_constraints(graph, shape) or silent:
            problems.append(f"a shape without sh:message ({_name(graph, shape)}): every shape "
                            "needs a message a curator can act on")
    return sorted(set(problems))


def compile_shapes(graph: rdflib.Graph) -> CompiledShapes:
    """The shapes graph as SPARQL queries; UnsupportedShapesError names any feature it cannot
    compile (validate with pyshacl, ``--engine pyshacl``, to use such shapes)."""
    problems = unsupported_features(graph)
    if problems:
        raise UnsupportedShapesError(
            "the shapes use SHACL features the compiled engine does not evaluate: " + "; ".join(problems)
            + " (remove them, or validate with --engine pyshacl)")
    return _compile(graph)


def _compile(graph: rdflib.Graph) -> CompiledShapes:
    import rdflib

    sh = rdflib.Namespace(SH)
    info: dict[str, ShapeInfo] = {}
    shapes = []
    for node in sorted(graph.subjects(rdflib.RDF.type, sh.NodeShape), key=str):
        targets_c = tuple(sorted(str(c) for c in graph.objects(node, sh.targetClass)))
        targets_s = tuple(sorted(str(p) for p in graph.objects(node, sh.targetSubjectsOf)))
        if not targets_c and not targets_s:
            continue  # a node shape without targets validates nothing on its own
        info[_key(node)] = _info(graph, node, path=None)
        branches = list(_node_branches(graph, node))
        for prop in sorted(graph.objects(node, sh.property), key=str):
            info[_key(prop)] = _info(graph, prop, path=graph.value(prop, sh.path))
            branches.extend(_property_branches(graph, node, prop))
        core = None
        if branches:
            core = ("SELECT ?this ?shape ?component ?value WHERE {\n  {\n"
                    + "\n  } UNION {\n".join(branches) + "\n  }\n}")
        sparql = [_sparql_constraint(graph, node, c) for c in sorted(graph.objects(node, sh.sparql), key=str)]
        shapes.append(NodeShapeQuery(_key(node), targets_c, targets_s, core, sparql))
    return CompiledShapes(shapes, info)


def _info(graph: rdflib.Graph, shape, *, path) -> ShapeInfo:
    import rdflib

    severity = graph.value(shape, rdflib.URIRef(SH + "severity"))
    messages = tuple(m for m in graph.objects(shape, rdflib.URIRef(SH + "message")) if isinstance(m, rdflib.Literal))
    return ShapeInfo(_key(shape), shape, str(severity) if severity is not None else SH + "Violation", messages, path)


def _focus(node_shape) -> str:
    return f"GRAPH <{FOCUS_GRAPH}> {{ ?this <{TARGET_OF}> <{_key(node_shape)}> }}"


def _branch(node_shape, shape, component: str, body: str) -> str:
    return (f"    {_focus(node_shape)}\n    {body}\n"
            f"    BIND (<{_key(shape)}> AS ?shape) BIND (<{SH}{component}ConstraintComponent> AS ?component)")


def _node_branches(graph: rdflib.Graph, node) -> Iterator[str]:
    """The node shape's own core constraints: the focus node is the value node."""
    for component, test in _value_tests(graph, node):
        yield _branch(node, node, component, f"BIND (?this AS ?value) FILTER (!({test}))")


def _property_branches(graph: rdflib.Graph, node, prop) -> Iterator[str]:
    import rdflib

    sh = rdflib.Namespace(SH)
    path = _sparql_path(graph, graph.value(prop, sh.path))
    if path is None:  # the feature check refuses such a path first; this keeps the promise local
        raise UnsupportedShapesError(f"property shape {prop}: a path other than an IRI or an inverse IRI")

    def values(var: str) -> str:
        """The triple pattern from the focus node to a value: an inverse path is written as
        the triple it stands for, which the engine looks up from the focus node (as ^<p> it
        scanned every triple of <p> for each focus node)."""
        if path.startswith("^"):
            return f"{var} {path[1:]} ?this"
        return f"?this {path} {var}"
    for count in graph.objects(prop, sh.minCount):
        n = int(str(count))
        if n == 1:
            yield _branch(node, prop, "MinCount", f"FILTER NOT EXISTS {{ {values('?anyValue')} }}")
        elif n > 1:
            yield _branch(node, prop, "MinCount", (
                f"{{ SELECT ?this (COUNT(DISTINCT ?anyValue) AS ?count) WHERE {{ {_focus(node)} "
                f"OPTIONAL {{ {values('?anyValue')} }} }} GROUP BY ?this }} FILTER (?count < {n})"))
    for count in graph.objects(prop, sh.maxCount):
        n = int(str(count))
        if n == 1:  # a second, different value: a look-up per focus node, no grouping
            yield _branch(node, prop, "MaxCount", (
                f"FILTER EXISTS {{ {values('?anyValue')} . {values('?otherValue')} "
                f"FILTER (!sameTerm(?anyValue, ?otherValue)) }}"))
        else:
            yield _branch(node, prop, "MaxCount", (
                f"{{ SELECT ?this (COUNT(DISTINCT ?anyValue) AS ?count) WHERE {{ {_focus(node)} "
                f"{values('?anyValue')} }} GROUP BY ?this }} FILTER (?count > {n})"))
    for component, test in _value_tests(graph, prop):
        yield _branch(node, prop, component, f"{values('?value')} . FILTER (!({test}))")
    for name, operator in _PAIRS.items():
        for other in graph.objects(prop, sh[name]):
            yield _branch(node, prop, name[0].upper() + name[1:],
                          f"{values('?value')} . ?this <{other}> ?other . FILTER (!({_pair_test(operator)}))")
    for other in graph.objects(prop, sh.disjoint):
        yield _branch(node, prop, "Disjoint", f"{values('?value')} . ?this <{other}> ?value .")


def _value_tests(graph: rdflib.Graph, shape) -> Iterator[tuple[str, str]]:
    """(component, condition every value node must meet) for each value-node constraint."""
    import rdflib
    from rdflib.collection import Collection

    sh = rdflib.Namespace(SH)
    for datatype in graph.objects(shape, sh.datatype):
        if str(datatype) == ns.RDFS + "Literal":
            yield "Datatype", "isLiteral(?value)"
        else:
            yield "Datatype", f"isLiteral(?value) && sameTerm(DATATYPE(?value), <{datatype}>)"
    for cls in graph.objects(shape, sh["class"]):
        yield "Class", f"EXISTS {{ ?value <{_RDF_TYPE}>/<{_SUBCLASS_OF}>* <{cls}> }}"
    for members in graph.objects(shape, sh["in"]):
        terms = [_sparql_term(t) for t in Collection(graph, members)]
        yield "In", " || ".join(f"sameTerm(?value, {t})" for t in terms) or "false"
    for kind in graph.objects(shape, sh.nodeKind):
        if str(kind) not in _NODE_KINDS:
            raise UnsupportedShapesError(f"sh:nodeKind {kind} (on {_name(graph, shape)}) is not a SHACL node kind")
        yield "NodeKind", _NODE_KINDS[str(kind)]
    for languages in graph.objects(shape, sh.languageIn):
        tags = [str(t).lower() for t in Collection(graph, languages)]
        if "*" in tags:
            yield "LanguageIn", 'isLiteral(?value) && LANG(?value) != ""'
        else:
            listed = ", ".join(_string(t) for t in tags)
            yield "LanguageIn", (f'isLiteral(?value) && LANG(?value) != "" && (LCASE(LANG(?value)) IN ({listed}) '
                                 f'|| LCASE(STRBEFORE(LANG(?value), "-")) IN ({listed}))')
    for pattern in graph.objects(shape, sh.pattern):
        yield "Pattern", f"COALESCE(REGEX(STR(?value), {_string(str(pattern))}), false)"
    for length in graph.objects(shape, sh.minLength):
        if int(str(length)) > 0:
            yield "MinLength", f"COALESCE(!isBlank(?value) && STRLEN(STR(?value)) >= {int(str(length))}, false)"
    for name, operator in _RANGES.items():
        for bound in graph.objects(shape, sh[name]):
            yield name[0].upper() + name[1:], _range_test(operator, bound)


# pyshacl compares values through rdflib, which orders two literals SPARQL cannot compare (a
# year as xsd:gYear against an integer bound) by their datatype IRIs, and a text only with a
# text: the tests below do the same, so that both engines give the same results.
_TEXT_TYPES = ", ".join(f"<{t}>" for t in (
    ns.XSD + "string", ns.RDF + "langString", ns.XSD + "normalizedString", ns.XSD + "token",
    ns.XSD + "language", ns.XSD + "anyURI"))


def _is_text(var: str) -> str:
    return f"(isLiteral({var}) && DATATYPE({var}) IN ({_TEXT_TYPES}))"


def _range_test(operator: str, bound) -> str:
    """The value against a bound (minInclusive, maxInclusive, minExclusive)."""
    term = _sparql_term(bound)
    if bound.datatype is None or str(bound.datatype) in _TEXT_TYPES:
        return f"COALESCE({_is_text('?value')} && ?value {operator} {term}, false)"
    by_datatype = f'STR(DATATYPE(?value)) > "{bound.datatype}"'
    if operator.startswith("<"):
        by_datatype = f"!({by_datatype})"
    return f"isLiteral(?value) && !{_is_text('?value')} && COALESCE(?value {operator} {term}, {by_datatype})"


def _pair_test(operator: str) -> str:
    """The value against a value of the other property (lessThan, lessThanOrEquals): IRIs and
    texts as text, with texts only."""
    text = [f"(isIRI({v}) || {_is_text(v)})" for v in ("?value", "?other")]
    return (f"IF({text[0]} || {text[1]}, {text[0]} && {text[1]} && STR(?value) {operator} STR(?other), "
            f"COALESCE(?value {operator} ?other, STR(DATATYPE(?value)) < STR(DATATYPE(?other))))")


def _sparql_constraint(graph: rdflib.Graph, node, constraint) -> SparqlConstraint:
    import rdflib

    sh = rdflib.Namespace(SH)
    select = graph.value(constraint, sh.select)
    if select is None:
        raise UnsupportedShapesError(f"the SPARQL constraint {_name(graph, constraint)} has no sh:select")
    prefixes = []
    for declarations in graph.objects(constraint, sh.prefixes):
        for declaration in graph.objects(declarations, sh.declare):
            prefix, namespace = graph.value(declaration, sh.prefix), graph.value(declaration, sh.namespace)
            prefixes.append(f"PREFIX {prefix}: <{namespace}>")
    text = str(select)
    if not re.search(r"SELECT\s+(DISTINCT\s+|REDUCED\s+)?(\*|[^{]*[?$]this\b)", text, re.IGNORECASE):
        raise UnsupportedShapesError(f"the SPARQL constraint {_name(graph, constraint)} does not select $this")
    opening = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE) or re.search(r"\{", text)
    if opening is None:
        raise UnsupportedShapesError(f"the SPARQL constraint {_name(graph, constraint)} has no WHERE clause")
    # $this is pre-bound to each focus node: the marker of the shape's focus nodes opens the
    # WHERE clause, so the query runs once for all of them ($this and ?this are one variable)
    focus = f" GRAPH <{FOCUS_GRAPH}> {{ $this <{TARGET_OF}> <{_key(node)}> }} "
    query = "\n".join([*sorted(set(prefixes)), text[:opening.end()] + focus + text[opening.end():]])
    messages = tuple(m for m in graph.objects(constraint, sh.message) if isinstance(m, rdflib.Literal))
    return SparqlConstraint(constraint, query, messages)


def _sparql_path(graph: rdflib.Graph, path) -> str | None:
    import rdflib

    if isinstance(path, rdflib.URIRef):
        return f"<{path}>"
    if isinstance(path, rdflib.BNode):
        inverse = graph.value(path, rdflib.URIRef(SH + "inversePath"))
        if isinstance(inverse, rdflib.URIRef) and len(set(graph.predicate_objects(path))) == 1:
            return f"^<{inverse}>"
    return None


def _sparql_term(term) -> str:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    if isinstance(term, rdflib.Literal):
        if term.language:
            return f"{_string(str(term))}@{term.language}"
        datatype = term.datatype or rdflib.XSD.string
        return f"{_string(str(term))}^^<{datatype}>"
    raise UnsupportedShapesError(f"a blank node {term} as a constraint value")


def _string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
    return f'"{escaped}"'


def _name(graph: rdflib.Graph, node) -> str:
    import rdflib

    if isinstance(node, rdflib.URIRef):
        return _curie(str(node))
    for parent in graph.subjects(None, node):
        return f"a node of {_name(graph, parent)}"
    return "a blank node"


def _curie(iri: str) -> str:
    shapes_ns = ns.BASE + "shapes/"
    if iri.startswith(shapes_ns):
        return "bksh:" + iri[len(shapes_ns):]
    return ns.curie(iri)


def _all_shapes(graph: rdflib.Graph) -> set:
    import rdflib

    sh = rdflib.Namespace(SH)
    return (set(graph.subjects(rdflib.RDF.type, sh.NodeShape)) | set(graph.subjects(rdflib.RDF.type, sh.PropertyShape))
            | set(graph.objects(None, sh.property)))


def _has_core_constraints(graph: rdflib.Graph, shape) -> bool:
    non_validating = {SH + x for x in ("name", "description", "message", "severity", "targetClass",
                                        "targetSubjectsOf", "path", "property", "sparql")}
    return any(str(p).startswith(SH) and str(p) not in non_validating for p in graph.predicates(shape, None))


# --------------------------------------------------------------------------- running


@dataclass(frozen=True)
class ShaclResult:
    """One validation result, as pyshacl reports it."""

    focus: ox.NamedNode | ox.BlankNode
    shape: rdflib.term.Node
    component: str
    value: ox.Term | None
    path: rdflib.term.Node | ox.NamedNode | None
    severity: str
    messages: tuple[rdflib.Literal, ...]
    source_constraint: rdflib.term.Node | None = None


class ScratchGraph:
    """The data a submission is validated in: a small in-memory pyoxigraph store holding the
    submission with its graph context, and the focus nodes of each node shape."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.triples = list(triples)
        self.store = ox.Store()
        self.store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in self.triples)
        self._literals_by_subject: dict[ox.Term, list[ox.Triple]] | None = None
        self._anywhere: dict[ox.Literal, ox.Literal] = {}

    def original(self, term: ox.Term | None, subject: ox.Term | None = None) -> ox.Term | None:
        """A literal as the data writes it: the store gives numbers and dates in canonical form
        ("43.0"^^xsd:decimal comes back as "43"), and reports show what the submission says.
        The literal is looked for among ``subject``'s values first, then everywhere."""
        if not isinstance(term, ox.Literal):
            return term
        if self._literals_by_subject is None:
            self._literals_by_subject = {}
            for t in self.triples:
                if isinstance(t.object, ox.Literal):
                    self._literals_by_subject.setdefault(t.subject, []).append(t)
        for t in self._literals_by_subject.get(subject, []) if subject is not None else []:
            if self._same_literal(t, term):
                return t.object
        if term not in self._anywhere:  # looked for in the whole context once per literal
            self._anywhere[term] = next((t.object for ts in self._literals_by_subject.values() for t in ts
                                         if self._same_literal(t, term)), term)
        return self._anywhere[term]

    def _same_literal(self, written: ox.Triple, stored: ox.Literal) -> bool:
        """Whether the store gives the literal of this triple as ``stored``."""
        if written.object == stored:
            return True
        return (written.object.datatype == stored.datatype and written.object.language == stored.language
                and any(q.object == stored for q in self.store.quads_for_pattern(
                    written.subject, written.predicate, written.object, ox.DefaultGraph())))

    def label(self, iri: str) -> str | None:
        """The English (or untagged) label of a node, else any, as reports show it."""
        labels = [q.object for q in self.store.quads_for_pattern(
            ox.NamedNode(iri), ox.NamedNode(ns.RDFS + "label"), None, ox.DefaultGraph())
            if isinstance(q.object, ox.Literal)]
        labels.sort(key=lambda lit: (lit.language not in (None, "en"), lit.value))
        return labels[0].value if labels else None

    def mark_targets(self, compiled: CompiledShapes, focus_nodes: Iterable[ox.NamedNode]) -> set[str]:
        """Record which node shape targets which focus node (as pyshacl finds targets: an
        instance of the class or of any subclass, or a subject of the property); return the
        node shapes that target at least one."""
        by_class, by_subject_of = compiled.by_class(), compiled.by_subject_of()
        superclasses: dict[ox.Term, set[str]] = {}
        target_of, focus_graph = ox.NamedNode(TARGET_OF), ox.NamedNode(FOCUS_GRAPH)
        marks: list[ox.Quad] = []
        for node in focus_nodes:
            shapes: set[str] = set()
            for quad in self.store.quads_for_pattern(node, None, None, ox.DefaultGraph()):
                predicate = quad.predicate.value
                if predicate == _RDF_TYPE:
                    for cls in self._closure(quad.object, superclasses):
                        shapes.update(by_class.get(cls, ()))
                shapes.update(by_subject_of.get(predicate, ()))
            marks.extend(ox.Quad(node, target_of, ox.NamedNode(s), focus_graph) for s in shapes)
        self.store.bulk_extend(marks)
        return {m.object.value for m in marks}

    def _closure(self, cls: ox.Term, cache: dict[ox.Term, set[str]]) -> set[str]:
        """The class and its superclasses in the scratch data (rdfs:subClassOf*)."""
        if cls not in cache:
            found: set[str] = set()
            todo = [cls]
            subclass_of = ox.NamedNode(_SUBCLASS_OF)
            while todo:
                current = todo.pop()
                if not isinstance(current, ox.NamedNode) or current.value in found:
                    continue
                found.add(current.value)
                todo.extend(q.object for q in self.store.quads_for_pattern(current, subclass_of, None, ox.DefaultGraph()))
            cache[cls] = found
        return cache[cls]


def run_compiled(compiled: CompiledShapes, scratch: ScratchGraph, focus_nodes: Iterable[ox.NamedNode]) -> list[ShaclResult]:
    """Every validation result of the focus nodes, as pyshacl would report them."""
    active = scratch.mark_targets(compiled, focus_nodes)
    results: list[ShaclResult] = []
    for shape in compiled.shapes:
        if shape.key not in active:
            continue
        if shape.core_query is not None:
            results.extend(_core_results(compiled, scratch, scratch.store.query(shape.core_query)))
        for constraint in shape.sparql:
            results.extend(_sparql_results(compiled.info[shape.key], constraint, scratch,
                                           scratch.store.query(constraint.query)))
    return results


def _core_results(compiled: CompiledShapes, scratch: ScratchGraph, solutions) -> Iterator[ShaclResult]:
    for row in solutions:
        info = compiled.info[row["shape"].value]
        yield ShaclResult(row["this"], info.node, row["component"].value, scratch.original(row["value"], row["this"]),
                          info.path, info.severity, info.messages)


def _sparql_results(shape: ShapeInfo, constraint: SparqlConstraint, scratch: ScratchGraph,
                    solutions) -> Iterator[ShaclResult]:
    """pyshacl's reading of a SPARQL constraint's rows: ?this, ?path and ?value name the
    result (the focus node is the value when none is bound), every bound variable fills the
    {?name} slots of the messages, and a repeated row is one result."""
    import rdflib

    from bortekg.validate.shacl import rdflib_term

    variables = [v.value for v in solutions.variables]
    seen = set()
    for row in solutions:
        bound = {name: scratch.original(row[name], row["this"]) for name in variables if row[name] is not None}
        key = tuple(sorted(bound.items(), key=lambda kv: kv[0]))
        if key in seen:
            continue
        seen.add(key)
        this, path, value = bound.pop("this"), bound.pop("path", None), bound.pop("value", None)
        value = value if value is not None else this
        slots = {**bound, "this": this, **({"path": path} if path is not None else {}), "value": value}
        messages = []
        for message in (*constraint.messages, *shape.messages):
            text = str(message)
            for name, term in slots.items():
                text = re.sub(f"{{[?$]{name}}}", str(rdflib_term(term)), text)
            if rdflib.Literal(text) not in messages:
                messages.append(rdflib.Literal(text))
        yield ShaclResult(this, shape.node, SH + "SPARQLConstraintComponent", value, path,
                          shape.severity, tuple(messages), constraint.node)


def report_graph(results: Iterable[ShaclResult], shapes: rdflib.Graph) -> rdflib.Graph:
    """The results as pyshacl's report graph (a property shape's inverse path copied from
    the shapes graph)."""
    import rdflib

    from bortekg.validate.shacl import rdflib_term

    sh = rdflib.Namespace(SH)
    graph = rdflib.Graph()
    report = rdflib.BNode()
    graph.add((report, rdflib.RDF.type, sh.ValidationReport))
    conforms = True
    for r in results:
        node = rdflib.BNode()
        graph.add((report, sh.result, node))
        graph.add((node, rdflib.RDF.type, sh.ValidationResult))
        graph.add((node, sh.focusNode, rdflib_term(r.focus)))
        graph.add((node, sh.sourceShape, _copy(r.shape, shapes, graph)))
        graph.add((node, sh.sourceConstraintComponent, rdflib.URIRef(r.component)))
        graph.add((node, sh.resultSeverity, rdflib.URIRef(r.severity)))
        if r.value is not None:
            graph.add((node, sh.value, rdflib_term(r.value)))
        if r.path is not None:
            graph.add((node, sh.resultPath, _copy(r.path, shapes, graph)))
        if r.source_constraint is not None:
            graph.add((node, sh.sourceConstraint, r.source_constraint))
        for message in r.messages:
            graph.add((node, sh.resultMessage, message))
        conforms = conforms and r.severity != SH + "Violation"
    graph.add((report, sh.conforms, rdflib.Literal(conforms)))
    return graph


def _copy(node, shapes: rdflib.Graph, graph: rdflib.Graph, copies: dict | None = None):
    """A node of the shapes graph in the report: an IRI as it is, a blank node (an inverse
    path, a shape without an IRI) with its description, as pyshacl copies it."""
    import rdflib

    if isinstance(node, ox.NamedNode):
        return rdflib.URIRef(node.value)
    if not isinstance(node, rdflib.BNode):
        return node
    copies = {} if copies is None else copies
    if node not in copies:
        copies[node] = rdflib.BNode()
        for p, o in shapes.predicate_objects(node):
            graph.add((copies[node], p, _copy(o, shapes, graph, copies)))
    return copies[node]


def _key(node) -> str:
    """The IRI queries name a shape by: its own, or one made from a blank node's id."""
    import rdflib

    return str(node) if isinstance(node, rdflib.URIRef) else f"urn:bortekg:gate:shape:{node}"
