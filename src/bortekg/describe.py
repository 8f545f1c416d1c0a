"""Everything the graph says about one node, with the claims that mention it and their evidence."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.store import KnowledgeGraph

_PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX bkg: <https://w3id.org/bortekg/>
"""

_OUTGOING = _PREFIXES + """
SELECT ?node ?p ?o ?olabel WHERE {
  ?node ?p ?o .
  OPTIONAL { ?o rdfs:label ?olabel }
}
"""

_PROPERTY_INFO = _PREFIXES + """
SELECT ?p ?label ?fixedUnitLabel ?unitProperty WHERE {
  ?p rdfs:label ?label .
  { ?p rdf:type <http://www.w3.org/2002/07/owl#ObjectProperty> }
  UNION { ?p rdf:type <http://www.w3.org/2002/07/owl#DatatypeProperty> }
  UNION { ?p rdf:type <http://www.w3.org/2002/07/owl#AnnotationProperty> }
  OPTIONAL { ?p bkg:fixedUnit ?u . ?u rdfs:label ?fixedUnitLabel }
  OPTIONAL { ?p bkg:unitGivenBy ?unitProperty }
}
"""

# Claims that name the node directly, or through one of their parts (a regimen, an arm...).
_CLAIMS_MENTIONING = _PREFIXES + """
SELECT DISTINCT ?node ?claim ?p WHERE {
  {
    ?claim ?p ?node .
  } UNION {
    ?part ?p ?node .
    ?part rdf:type/rdfs:subClassOf* bkg:ClaimPart .
    ?claim ?hasPart ?part .
  }
  ?claim rdf:type/rdfs:subClassOf* bkg:Claim .
}
"""

_PROVENANCE = {
    ns.PROV + "wasDerivedFrom",
    ns.BKG + "evidenceQuote",
    ns.BKG + "evidenceKind",
    ns.BKG + "sourceReference",
    ns.BKG + "secondaryCitation",
}
_ANNOTATIONS = {ns.RDFS + "label", ns.SKOS + "definition", ns.SKOS + "altLabel", ns.BKG + "statement"}
_MAPPINGS = {ns.SKOS + m for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")}


@dataclass
class Qualifier:
    property: str
    property_label: str
    value: str
    value_iri: str | None = None


@dataclass
class ClaimView:
    iri: str
    curie: str
    kinds: list[str]
    label: str
    statement: str
    role: str
    qualifiers: list[Qualifier]
    parts: dict[str, list[Qualifier]]
    source: str
    source_iri: str
    quote: str
    evidence_kind: str
    reference_marker: str | None
    secondary_citations: list[str]


@dataclass
class Description:
    iri: str
    curie: str
    label: str
    types: list[str]
    definition: str | None
    synonyms: list[str]
    mappings: list[tuple[str, str]]
    relations: list[Qualifier]
    claims: list[ClaimView] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


class _PropertyTable:
    """Labels and unit rules of the ontology's properties."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.label: dict[str, str] = {}
        self.fixed_unit: dict[str, str] = {}
        self.unit_property: dict[str, str] = {}
        for row in kg.query(_PROPERTY_INFO):
            iri = row["p"].value
            self.label[iri] = row["label"].value
            if row["fixedUnitLabel"] is not None:
                self.fixed_unit[iri] = row["fixedUnitLabel"].value
            if row["unitProperty"] is not None:
                self.unit_property[iri] = row["unitProperty"].value

    def name(self, iri: str) -> str:
        return self.label.get(iri, ns.curie(iri))


_APPROXIMATE = ns.BKG + "approximate"
_VALUE_CONVENTION = ns.BKG + "valueConvention"
_GRADING_SCALE = ns.BKG + "gradingScale"
_SCALE_ASSUMED = ns.BKG + "convention-grading-scale-assumed"
_GRADE_SCOPE = ns.BKG + "convention-grade-scope-from-table"
_IMPLAUSIBLE = ns.BKG + "convention-implausible-as-printed"
_GRADE_PROPERTIES = {ns.BKG + "gradeMin", ns.BKG + "gradeMax", ns.BKG + "grade"}
#: the values an implausible-as-printed convention is about: amounts of a drug
_NUMERIC_DATATYPES = {ns.XSD + "decimal", ns.XSD + "integer", ns.XSD + "double", ns.XSD + "float"}


if TYPE_CHECKING:
    Edge = tuple[str, ox.Term, str | None]


class _Edges:
    """Each node's outgoing edges (property, value, the value's label), asked for many nodes
    in one query: a node mentioned by 150 claims is described with a few queries, not 400."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.known: dict[str, list[Edge]] = {}

    def fetch(self, nodes: list[str]) -> None:
        missing = [node for node in dict.fromkeys(nodes) if node not in self.known]
        if not missing:
            return
        for node in missing:
            self.known[node] = []
        # a VALUES block built from terms, never from pasted text
        values = " ".join(str(ox.NamedNode(node)) for node in missing)
        for row in self.kg.query(_OUTGOING.replace("WHERE {", f"WHERE {{ VALUES ?node {{ {values} }}", 1)):
            label = row["olabel"].value if row["olabel"] is not None else None
            self.known[row["node"].value].append((row["p"].value, row["o"], label))

    def __call__(self, node: str) -> list[Edge]:
        self.fetch([node])
        return self.known[node]


def _qualifiers(
    outgoing: _Edges, props: _PropertyTable, node: str, skip: set[str]
) -> list[Qualifier]:
    """A node's values, numbers joined with their units, unit properties folded in; an
    approximate number gets "≈", a value read by a convention says so ("NCI-CTCAE (assumed)")."""
    edges = outgoing(node)
    unit_of = {p: (lab or ns.curie(o.value)) for p, o, lab in edges if isinstance(o, ox.NamedNode)}
    used_units = {props.unit_property[p] for p, _, _ in edges if p in props.unit_property}
    approximate = any(p == _APPROXIMATE and o.value == "true" for p, o, _ in edges)
    conventions = {o.value for p, o, _ in edges if p == _VALUE_CONVENTION}
    result = []
    for p, o, lab in edges:
        if p in skip or p == ns.RDF + "type" or p in used_units:
            continue
        if isinstance(o, ox.Literal):
            value = o.value
            numeric = o.datatype.value in _NUMERIC_DATATYPES
            if p in props.fixed_unit:
                value = f"{value} {props.fixed_unit[p]}"
            elif p in props.unit_property and props.unit_property[p] in unit_of:
                value = f"{value} {unit_of[props.unit_property[p]]}"
            if numeric and approximate:
                value = "≈" + value
            if p in ns.DOSE_PROPERTIES and _IMPLAUSIBLE in conventions:
                value += " (as printed; implausible)"
            if p in _GRADE_PROPERTIES and _GRADE_SCOPE in conventions:
                value += " (read from the table)"
            result.append(Qualifier(p, props.name(p), value))
        elif isinstance(o, ox.NamedNode):
            value = lab or ns.curie(o.value)
            if p == _GRADING_SCALE and _SCALE_ASSUMED in conventions:
                value += " (assumed)"
            result.append(Qualifier(p, props.name(p), value, o.value))
    return sorted(result, key=lambda q: (q.property_label, q.value))


def _claim_view(outgoing: _Edges, props: _PropertyTable, claim: str, role: str) -> ClaimView:
    edges = outgoing(claim)

    def values(p: str) -> list[tuple[ox.Term, str | None]]:
        return [(o, lab) for q, o, lab in edges if q == p]

    def text(p: str) -> str:
        found = values(p)
        return found[0][0].value if found else ""

    def label_of(p: str) -> str:
        found = values(p)
        if not found:
            return ""
        term, lab = found[0]
        return lab or ns.curie(term.value)

    parts: dict[str, list[Qualifier]] = {}
    for p, o, lab in edges:
        if isinstance(o, ox.NamedNode) and o.value.startswith(ns.BKC):
            parts[f"{props.name(p)}: {lab or ns.curie(o.value)}"] = _qualifiers(
                outgoing, props, o.value, _ANNOTATIONS | _PROVENANCE
            )
    kinds = sorted(lab or ns.curie(o.value) for o, lab in values(ns.RDF + "type")
                   if o.value != ns.OWL + "NamedIndividual")
    source = values(ns.PROV + "wasDerivedFrom")
    reference = text(ns.BKG + "sourceReference") or None
    return ClaimView(
        iri=claim,
        curie=ns.curie(claim),
        kinds=kinds,
        label=text(ns.RDFS + "label"),
        statement=text(ns.BKG + "statement"),
        role=props.name(role),
        qualifiers=[
            q for q in _qualifiers(outgoing, props, claim, _ANNOTATIONS | _PROVENANCE)
            if not (q.value_iri or "").startswith(ns.BKC)
        ],
        parts=parts,
        source=label_of(ns.PROV + "wasDerivedFrom"),
        source_iri=source[0][0].value if source else "",
        quote=text(ns.BKG + "evidenceQuote"),
        evidence_kind=label_of(ns.BKG + "evidenceKind"),
        reference_marker=reference,
        secondary_citations=sorted(
            lab or ns.curie(o.value) for o, lab in values(ns.BKG + "secondaryCitation")
        ),
    )


def describe(kg: KnowledgeGraph, iri: str) -> Description:
    """Describe one node: its annotations, mappings, relations and the claims that mention it."""
    props = _PropertyTable(kg)
    outgoing = _Edges(kg)
    edges = outgoing(iri)
    first = {p: (o, lab) for p, o, lab in reversed(edges)}

    def literal(p: str) -> str | None:
        return first[p][0].value if p in first else None

    description = Description(
        iri=iri,
        curie=ns.curie(iri),
        label=literal(ns.RDFS + "label") or ns.curie(iri),
        types=sorted(lab or ns.curie(o.value) for p, o, lab in edges
                     if p == ns.RDF + "type" and o.value != ns.OWL + "NamedIndividual"),
        definition=literal(ns.SKOS + "definition"),
        synonyms=sorted(o.value for p, o, _ in edges if p == ns.SKOS + "altLabel"),
        mappings=sorted((ns.curie(p), ns.curie(o.value)) for p, o, _ in edges if p in _MAPPINGS),
        relations=_qualifiers(outgoing, props, iri, _ANNOTATIONS | _MAPPINGS),
    )
    roles: dict[str, str] = {}  # each claim with the property of its first row
    for row in kg.query(_CLAIMS_MENTIONING, bindings={"node": ox.NamedNode(iri)}):
        if row["claim"].value != iri:
            roles.setdefault(row["claim"].value, row["p"].value)
    outgoing.fetch(list(roles))
    outgoing.fetch([o.value for claim in roles for _, o, _ in outgoing(claim)
                    if isinstance(o, ox.NamedNode) and o.value.startswith(ns.BKC)])  # their parts
    for claim, role in roles.items():
        description.claims.append(_claim_view(outgoing, props, claim, role))
    description.claims.sort(key=lambda c: (c.kinds, c.label))
    return description


def describe_claim(kg: KnowledgeGraph, iri: str) -> ClaimView:
    """One claim as ``describe`` shows it among a node's claims: its kinds, statement,
    qualifiers, parts, source and verbatim quote."""
    outgoing = _Edges(kg)
    outgoing.fetch([iri])
    outgoing.fetch([o.value for _, o, _ in outgoing(iri)
                    if isinstance(o, ox.NamedNode) and o.value.startswith(ns.BKC)])  # its parts
    return _claim_view(outgoing, _PropertyTable(kg), iri, "")
