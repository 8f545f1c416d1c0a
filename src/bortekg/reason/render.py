"""Say an axiom in words, with labels: "pregabalin (bke:pregabalin) is a claim (bkg:Claim)"."""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.reason.axioms import Axiom

_PHRASES = {
    ns.RDF + "type": "{s} is a {o}",
    ns.RDFS + "subClassOf": "{s} is a kind of {o}",
    ns.OWL + "equivalentClass": "{s} is exactly {o}",
    ns.OWL + "disjointWith": "nothing is both {s} and {o}",
    ns.RDFS + "domain": "whatever has {s} is a {o}",
    ns.RDFS + "range": "every value of {s} is a {o}",
    ns.RDFS + "subPropertyOf": "{s} implies {o}",
    ns.OWL + "inverseOf": "{s} is the inverse of {o}",
    ns.OWL + "propertyChainAxiom": "{o} implies {s}",
    ns.OWL + "sameAs": "{s} is the same individual as {o}",
    ns.OWL + "differentFrom": "{s} is a different individual from {o}",
}

_RESTRICTIONS = {
    ns.OWL + "someValuesFrom": "some",
    ns.OWL + "allValuesFrom": "only",
    ns.OWL + "hasValue": "value",
    ns.OWL + "minCardinality": "min",
    ns.OWL + "maxCardinality": "max",
    ns.OWL + "cardinality": "exactly",
    ns.OWL + "minQualifiedCardinality": "min",
    ns.OWL + "maxQualifiedCardinality": "max",
    ns.OWL + "qualifiedCardinality": "exactly",
}


class AxiomRenderer:
    """Renders axioms with the labels of the graph they come from."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.labels = labels

    def name(self, term: ox.NamedNode) -> str:
        curie = ns.curie(term.value)
        label = self.labels.get(term.value)
        return f"{label} ({curie})" if label else curie

    def axiom(self, axiom: Axiom) -> str:
        structure = _Structure(axiom)
        main = axiom.main
        if isinstance(main.subject, ox.BlankNode):
            return structure.blank_axiom(self, main.subject)
        subject = self.term(main.subject, structure)
        obj = self.term(main.object, structure)
        phrase = _PHRASES.get(main.predicate.value)
        if phrase is None:
            return f"{subject} {self.name(main.predicate)} {obj}"
        return phrase.format(s=subject, o=obj)

    def term(self, term: ox.Term, structure: _Structure) -> str:
        if isinstance(term, ox.NamedNode):
            return self.name(term)
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value if term.datatype else ""
            suffix = "" if datatype in ("", ns.XSD + "string") else f" ({ns.curie(datatype)})"
            return f'"{term.value}"{suffix}'
        return structure.expression(self, term)


class _Structure:
    """The blank-node structure of one axiom: class expressions and RDF lists."""

    def __init__(self, axiom: Axiom) -> None:
        self.edges: dict[ox.BlankNode, dict[str, ox.Term]] = {}
        for t in axiom.triples:
            if isinstance(t.subject, ox.BlankNode):
                self.edges.setdefault(t.subject, {})[t.predicate.value] = t.object

    def items(self, head: ox.Term) -> list[ox.Term]:
        found: list[ox.Term] = []
        while isinstance(head, ox.BlankNode) and head in self.edges:
            node = self.edges[head]
            found.append(node[ns.RDF + "first"])
            head = node.get(ns.RDF + "rest")
        return found

    def expression(self, renderer: AxiomRenderer, node: ox.Term) -> str:
        edges = self.edges.get(node, {})

        def parts(key: str) -> list[str]:
            return [renderer.term(t, self) for t in self.items(edges[key])]

        if ns.OWL + "intersectionOf" in edges:
            return "(" + " and ".join(parts(ns.OWL + "intersectionOf")) + ")"
        if ns.OWL + "unionOf" in edges:
            return "(" + " or ".join(parts(ns.OWL + "unionOf")) + ")"
        if ns.OWL + "oneOf" in edges:
            return "{" + ", ".join(parts(ns.OWL + "oneOf")) + "}"
        if ns.OWL + "complementOf" in edges:
            return "not " + renderer.term(edges[ns.OWL + "complementOf"], self)
        if ns.RDF + "first" in edges:
            return ", then ".join(renderer.term(t, self) for t in self.items(node))
        if ns.OWL + "onProperty" in edges:
            prop = renderer.term(edges[ns.OWL + "onProperty"], self)
            for key, word in _RESTRICTIONS.items():
                if key in edges:
                    text = f"{prop} {word} {renderer.term(edges[key], self)}"
                    if ns.OWL + "onClass" in edges:
                        text += " " + renderer.term(edges[ns.OWL + "onClass"], self)
                    return f"({text})"
        return "(an anonymous class)"

    def blank_axiom(self, renderer: AxiomRenderer, root: ox.BlankNode) -> str:
        edges = self.edges.get(root, {})
        if ns.OWL + "members" in edges:
            members = [renderer.term(t, self) for t in self.items(edges[ns.OWL + "members"])]
            return "no two of these overlap: " + ", ".join(members)
        return self.expression(renderer, root)
