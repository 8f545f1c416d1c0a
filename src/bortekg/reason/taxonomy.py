"""Read HermiT's classification and realisation and turn them into inferred triples."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.reason.hermit import ReasonerError

OWL_THING = ns.OWL + "Thing"
OWL_NOTHING = ns.OWL + "Nothing"

_LINE = re.compile(r"^(SubClassOf|EquivalentClasses|Type)\( ((?:<[^>]+>\s*)+)\)$")
_IRI = re.compile(r"<([^>]+)>")


class ReasonerOutputError(ReasonerError):
    """The reasoner answered in a form bortekg does not read."""


@dataclass
class Taxonomy:
    """The class hierarchy HermiT computed (direct links) and each individual's direct types."""

    equivalents: dict[str, frozenset[str]] = field(default_factory=dict)
    direct_supers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    direct_types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def parse(cls, output: str) -> Taxonomy:
        """Read HermiT's answer; a line of any other form is an error, never skipped (a
        skipped line would silently drop an inference)."""
        taxonomy = cls()
        for number, line in enumerate(output.splitlines(), 1):
            if not line.strip():
                continue
            match = _LINE.match(line.strip())
            if match is None:
                raise ReasonerOutputError(
                    f"line {number} of the reasoner's answer is not a SubClassOf, EquivalentClasses "
                    f"or Type axiom: {line.strip()[:200]!r}; the HermiT version installed may print "
                    "another format (reinstall owlready2, which bundles the HermiT bortekg reads)")
            relation, iris = match.group(1), _IRI.findall(match.group(2))
            if relation == "EquivalentClasses":
                group = frozenset(iris)
                for iri in group:
                    taxonomy.equivalents[iri] = group
            elif relation == "SubClassOf":
                taxonomy.direct_supers[iris[0]].add(iris[1])
            else:
                taxonomy.direct_types[iris[0]].add(iris[1])
        return taxonomy

    def node(self, iri: str) -> frozenset[str]:
        return self.equivalents.get(iri, frozenset([iri]))

    @property
    def unsatisfiable(self) -> list[str]:
        return sorted(c for c in self.node(OWL_NOTHING) if c != OWL_NOTHING)

    def superclasses(self, iri: str) -> set[str]:
        """Every named superclass (equivalent classes included, owl:Thing left out)."""
        found: set[str] = set()
        stack = [iri]
        while stack:
            for member in self.node(stack.pop()):
                for parent in self.direct_supers.get(member, ()):
                    for same in self.node(parent):
                        if same not in found:
                            found.add(same)
                            stack.append(same)
        found |= self.node(iri)
        found.discard(iri)
        found.discard(OWL_THING)
        return found

    def types(self, individual: str) -> set[str]:
        found: set[str] = set()
        for direct in self.direct_types.get(individual, ()):
            found |= self.node(direct) | self.superclasses(direct)
        found.discard(OWL_THING)
        return found

    def entailed_triples(self, classes: Iterable[str]) -> set[ox.Triple]:
        """rdfs:subClassOf, owl:equivalentClass and rdf:type triples the taxonomy entails
        (unsatisfiable classes excluded: they would be below everything)."""
        unsatisfiable = set(self.node(OWL_NOTHING))
        sub = ox.NamedNode(ns.RDFS + "subClassOf")
        equivalent = ox.NamedNode(ns.OWL + "equivalentClass")
        rdf_type = ox.NamedNode(ns.RDF + "type")
        triples: set[ox.Triple] = set()
        for cls_iri in classes:
            if cls_iri in unsatisfiable or cls_iri.startswith(ns.OWL):
                continue
            same = self.node(cls_iri) - {cls_iri}
            for other in same:
                triples.add(ox.Triple(ox.NamedNode(cls_iri), equivalent, ox.NamedNode(other)))
            for parent in self.superclasses(cls_iri) - same:
                triples.add(ox.Triple(ox.NamedNode(cls_iri), sub, ox.NamedNode(parent)))
        for individual in self.direct_types:
            for cls_iri in self.types(individual):
                triples.add(ox.Triple(ox.NamedNode(individual), rdf_type, ox.NamedNode(cls_iri)))
        return triples
