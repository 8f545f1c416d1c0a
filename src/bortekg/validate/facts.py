"""Facts the knowledge rules derive from the graph itself, never written by hand.

Reference ranges for doses, the units and routes recorded for each drug, the evidence kinds
each kind of document has supplied, the vocabularies each kind of entity is mapped to: all
are read from the sourced data on demand and cached for the life of the gate (a gate is
built for one graph state; ``Gate.of`` builds a new one after the graph changes).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.sourcetext import normalise
from bortekg.store import KnowledgeGraph
from bortekg.validate.view import CLAIM, META_GRAPH, RDF_TYPE, Schema, numeric_value

BKG = ns.BKG
DOSE_PROPERTIES = ns.DOSE_PROPERTIES
DOSE_UNIT = BKG + "doseUnit"
ROUTE_PROPERTIES = tuple(BKG + p for p in ("route", "fromRoute", "toRoute"))
#: Links from a claim to the drug its doses and routes belong to, most specific first.
DRUG_LINKS = (BKG + "intervention", BKG + "drug")
CHEMICAL = BKG + "ChemicalEntity"
MAPPING_PREDICATES = tuple(ns.SKOS + p for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch"))

#: A lookup of a node's values for a predicate (the submission's view, or the graph's).
Lookup = Callable[[ox.NamedNode, str], list]


@dataclass(frozen=True)
class RecordedValue:
    """A value the graph holds, with the claim that holds it."""

    value: Decimal
    claim: ox.NamedNode
    prop: str


@dataclass
class GraphFacts:
    kg: KnowledgeGraph
    schema: Schema
    _doses: dict[str, dict[str, list[RecordedValue]]] = field(default_factory=dict)
    _routes: dict[str, dict[str, list[ox.NamedNode]]] = field(default_factory=dict)
    _quotes: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    _families: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, kg: KnowledgeGraph) -> GraphFacts:
        return cls(kg, Schema.of(kg))

    # ----------------------------------------------------------------- graph access

    def stored(self, node: ox.NamedNode, predicate: str) -> list[ox.Term]:
        return [q.object for q in self.kg.store.quads_for_pattern(node, ox.NamedNode(predicate), None)
                if q.graph_name != META_GRAPH]

    def stored_types(self, node: ox.Term) -> set[str]:
        if not isinstance(node, ox.NamedNode):
            return set()
        return self.schema.with_superclasses(t.value for t in self.stored(node, RDF_TYPE.value))

    def subjects_with(self, predicate: str, obj: ox.Term) -> list[ox.NamedNode]:
        return [q.subject for q in self.kg.store.quads_for_pattern(None, ox.NamedNode(predicate), obj)
                if q.graph_name != META_GRAPH and isinstance(q.subject, ox.NamedNode)]

    # ----------------------------------------------------------------- drugs of values

    def drug_of(self, node: ox.NamedNode, claim: ox.NamedNode, lookup: Lookup, types: Callable) -> ox.NamedNode | None:
        """The drug a dose or route on ``node`` (the claim or one of its parts) belongs to:
        the node's own drug, else the claim's intervention when it is a drug, else its drug."""
        for holder in ((node, claim) if node != claim else (claim,)):
            for link in DRUG_LINKS:
                for target in lookup(holder, link):
                    if isinstance(target, ox.NamedNode) and self.schema.is_a(types(target), CHEMICAL):
                        return target
        return None

    def _claim_parts(self, claim: ox.NamedNode) -> list[ox.NamedNode]:
        parts, todo = [], [claim]
        while todo:
            node = todo.pop()
            for quad in self.kg.store.quads_for_pattern(node, None, None):
                target = quad.object
                if (isinstance(target, ox.NamedNode) and target not in parts and quad.graph_name != META_GRAPH
                        and quad.predicate.value != RDF_TYPE.value
                        and self.schema.is_a(self.stored_types(target), BKG + "ClaimPart")):
                    parts.append(target)
                    todo.append(target)
        return parts

    def _claims_about(self, drug: ox.NamedNode) -> set[ox.NamedNode]:
        claims = set()
        for link in DRUG_LINKS:
            for subject in self.subjects_with(link, drug):
                if self.schema.is_a(self.stored_types(subject), CLAIM):
                    claims.add(subject)
        return claims

    def _scan_drug(self, drug: ox.NamedNode) -> None:
        doses: dict[str, list[RecordedValue]] = defaultdict(list)
        routes: dict[str, list[ox.NamedNode]] = defaultdict(list)
        for claim in self._claims_about(drug):
            for node in (claim, *self._claim_parts(claim)):
                if self.drug_of(node, claim, self.stored, self.stored_types) != drug:
                    continue
                units = [u.value for u in self.stored(node, DOSE_UNIT)]
                for prop in DOSE_PROPERTIES:
                    for term in self.stored(node, prop):
                        value = numeric_value(term)
                        if value is not None and units:
                            doses[units[0]].append(RecordedValue(value, claim, prop))
                for prop in ROUTE_PROPERTIES:
                    for term in self.stored(node, prop):
                        routes[term.value].append(claim)
        self._doses[drug.value] = dict(doses)
        self._routes[drug.value] = dict(routes)

    def doses(self, drug: ox.NamedNode) -> dict[str, list[RecordedValue]]:
        """The doses the graph records for a drug, by unit IRI."""
        if drug.value not in self._doses:
            self._scan_drug(drug)
        return self._doses[drug.value]

    def routes(self, drug: ox.NamedNode) -> dict[str, list[ox.NamedNode]]:
        """The routes the graph records for a drug, with the claims that record them."""
        if drug.value not in self._routes:
            self._scan_drug(drug)
        return self._routes[drug.value]

    # ----------------------------------------------------------------- whole-graph tables

    def _table(self, sparql: str, key: str, value: str, shorten=lambda v: v) -> dict[str, set[str]]:
        """{key: values} from a SELECT of two variables."""
        table: dict[str, set[str]] = defaultdict(set)
        for row in self.kg.query(sparql):
            table[row[key].value].add(shorten(row[value].value))
        return dict(table)

    @cached_property
    def mapping_prefixes_by_class(self) -> dict[str, set[str]]:
        """For each entity class, the standard vocabularies (CURIE prefixes) its members are mapped to."""
        values = " ".join(f"<{p}>" for p in MAPPING_PREDICATES)
        return self._table(
            f"SELECT DISTINCT ?class ?target WHERE {{ VALUES ?p {{ {values} }} ?entity ?p ?target ; a ?class . }}",
            "class", "target", lambda iri: ns.curie(iri).split(":", 1)[0])

    @cached_property
    def evidence_kinds_by_document_kind(self) -> dict[str, set[str]]:
        """For each kind of source document, the evidence kinds its claims carry in the graph."""
        return self._table(
            f"SELECT DISTINCT ?doc ?ev WHERE {{ ?source <{BKG}documentKind> ?doc . "
            f"?claim <{ns.PROV}wasDerivedFrom> ?source ; <{BKG}evidenceKind> ?ev . }}", "doc", "ev")

    @cached_property
    def step_object_classes(self) -> dict[str, set[str]]:
        """For each mechanism relation, the most specific classes of the objects it links to."""
        return self._table(
            f"SELECT DISTINCT ?rel ?class WHERE {{ ?step <{BKG}stepRelation> ?rel ; <{BKG}stepObject> ?o . "
            f"?o a ?class . FILTER(STRSTARTS(STR(?class), \"{BKG}\")) }}", "rel", "class")

    @cached_property
    def entity_names(self) -> dict[str, str]:
        """Every entity's label and synonyms (normalised, case-folded) -> the entity."""
        names: dict[str, str] = {}
        rows = self.kg.query(
            f"SELECT ?entity ?name WHERE {{ ?entity a ?class . ?class <{ns.RDFS}subClassOf>* <{BKG}BiomedicalEntity> . "
            f"{{ ?entity <{ns.RDFS}label> ?name }} UNION {{ ?entity <{ns.SKOS}altLabel> ?name }} }}")
        for row in rows:
            names.setdefault(normalise(row["name"].value).casefold(), row["entity"].value)
        return names

    @cached_property
    def documents_by_doi(self) -> dict[str, str]:
        """Every DOI the graph records (lower case) -> the document it identifies."""
        rows = self.kg.query(f"SELECT ?doc ?doi WHERE {{ ?doc <{BKG}doi> ?doi }}")
        from bortekg.validate.identifiers import normalise_doi

        return {normalise_doi(row["doi"].value): row["doc"].value for row in rows}

    @cached_property
    def drug_names(self) -> EntityNames:
        """The labels and synonyms of every drug and supplement in the graph, to find the drugs
        a quote names."""
        # an effect a drug causes names the drug too ("BIPN" names bortezomib)
        rows = self.kg.query(
            f"SELECT ?drug ?entity ?name ?label WHERE {{ VALUES ?kind {{ <{BKG}Drug> <{BKG}Supplement> }} "
            f"?drug a ?kind ; <{ns.RDFS}label> ?label . "
            f"{{ ?drug <{ns.RDFS}label>|<{ns.SKOS}altLabel> ?name BIND(?drug AS ?entity) }} UNION "
            f"{{ ?entity <{BKG}causedBy> ?drug ; <{ns.RDFS}label>|<{ns.SKOS}altLabel> ?name }} }}")
        names: dict[tuple[str, str], list[str]] = {}
        label: dict[str, str] = {}
        for row in rows:
            name = normalise(row["name"].value)
            if len(name) >= 3:
                names.setdefault((row["entity"].value, row["drug"].value), []).append(name)
            label[row["drug"].value] = row["label"].value
        return EntityNames(names, label)

    @cached_property
    def effect_names(self) -> EntityNames:
        """The labels and synonyms of every adverse effect, to find the effects a quote names."""
        rows = self.kg.query(
            f"SELECT ?entity ?name WHERE {{ ?entity a ?class . ?class <{ns.RDFS}subClassOf>* <{BKG}AdverseEffect> . "
            f"?entity <{ns.RDFS}label>|<{ns.SKOS}altLabel> ?name }}")
        names: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            name = normalise(row["name"].value)
            if len(name) >= 4:
                names.setdefault((row["entity"].value, row["entity"].value), []).append(name)
        return EntityNames(names, {})

    def subtype_family(self, entity: str) -> set[str]:
        """The entity with every subtype and supertype of it (``bkg:subtypeOf``, both ways)."""
        if entity not in self._families:
            family = {entity}
            for direction in ("up", "down"):
                todo = [ox.NamedNode(entity)]
                while todo:
                    node = todo.pop()
                    quads = (self.kg.store.quads_for_pattern(node, ox.NamedNode(BKG + "subtypeOf"), None)
                             if direction == "up" else
                             self.kg.store.quads_for_pattern(None, ox.NamedNode(BKG + "subtypeOf"), node))
                    for quad in quads:
                        nxt = quad.object if direction == "up" else quad.subject
                        if isinstance(nxt, ox.NamedNode) and nxt.value not in family:
                            family.add(nxt.value)
                            todo.append(nxt)
            self._families[entity] = family
        return self._families[entity]

    def quotes_of(self, source: str) -> list[tuple[str, str, str]]:
        """(claim, quote, folded quote) for every quote the graph takes from a source."""
        if source not in self._quotes:
            # each distinct passage once (copies of a claim quote the same words)
            rows = self.kg.query(
                f"SELECT ?quote (MIN(STR(?c)) AS ?claim) WHERE {{ ?c <{ns.PROV}wasDerivedFrom> <{source}> ; "
                f"<{BKG}evidenceQuote> ?quote }} GROUP BY ?quote ORDER BY ?claim LIMIT 5000")
            self._quotes[source] = [(r["claim"].value, r["quote"].value, normalise(r["quote"].value).casefold())
                                    for r in rows]
        return self._quotes[source]


_WORD = re.compile(r"\w+")


class EntityNames:
    """Finds the entities a passage names, by their labels and synonyms as whole words; each
    name stands for an (entity, subject) pair: for drugs, a drug or an effect it causes ("BIPN"
    names bortezomib).

    A name is found where it starts a run of word characters and ends before a non-word
    character (as the regular expression ``(?<!\w)NAME(?!\w)`` finds it), the longest one where
    several start at the same place. Names are indexed by
    their first run of word characters, so a passage is read once, word by word, however many
    names the graph holds (on a large graph an alternation of every name cost about a
    millisecond a passage). Short all-capital synonyms (VAD, MP) match only in capitals, the
    others in any case."""

    def __init__(self, names: dict[tuple[str, str], list[str]], label: dict[str, str]) -> None:
        self.label = label
        self.drugs = {drug for _, drug in names}
        # name -> the pairs it stands for; exact names compared as written, the others folded
        self._exact: dict[str, set[tuple[str, str]]] = {}
        self._folded: dict[str, set[tuple[str, str]]] = {}
        for key, words in names.items():
            for word in words:
                if word.isupper() and len(word) <= 5:
                    self._exact.setdefault(word, set()).add(key)
                else:
                    self._folded.setdefault(word.casefold(), set()).add(key)
        # first run of word characters -> the names that start with it; a name that does not
        # start with a word character (none does today) is looked for on its own
        self._by_first_word: dict[tuple[bool, str], list[str]] = defaultdict(list)
        self._odd: dict[str, bool] = {}
        for fold, table in ((False, self._exact), (True, self._folded)):
            for name in table:
                first = _WORD.match(name)
                if first is None:
                    self._odd[name] = fold
                else:
                    self._by_first_word[(fold, first.group())].append(name)
        for candidates in self._by_first_word.values():
            candidates.sort(key=len, reverse=True)

    def named_in(self, passage: str) -> set[tuple[str, str]]:
        """(entity named, drug it names) pairs."""
        text = normalise(passage)
        found: set[tuple[str, str]] = set()
        for word in _WORD.finditer(text):  # each match starts a run of word characters
            for fold, key in ((False, word.group()), (True, word.group().casefold())):
                # the longest name that starts here (longest first), as "bortezomib-induced
                # peripheral neuropathy" names BIPN and not also bortezomib on its own
                for name in self._by_first_word.get((fold, key), ()):
                    if _name_pattern(name, fold).match(text, word.start()):
                        found |= (self._folded if fold else self._exact)[name]
                        break
        for name, fold in self._odd.items():
            if _name_pattern(name, fold, anywhere=True).search(text):
                found |= (self._folded if fold else self._exact)[name]
        return found


@lru_cache(maxsize=65536)
def _name_pattern(name: str, fold: bool, anywhere: bool = False) -> re.Pattern:
    """The name as a whole word: case-insensitive when ``fold``; ``anywhere`` adds the check
    that it starts a word (a name found at the start of a run of word characters starts one)."""
    return re.compile(("(?i)" if fold else "") + (r"(?<!\w)" if anywhere else "") + re.escape(name) + r"(?!\w)")
