"""A semantic changelog between two versions of the graph (``bortekg diff``).

Either side is a release folder (``bortekg release``), a store folder (``--store``) or an RDF
file; which one is told from what the path holds. The graph is split by node, the same way
whatever the input, so that a release compares with a store or a file:

- **claims**: nodes typed by a subclass of ``bkg:Claim``, each with its parts (the claim
  namespace's nodes it reaches, such as rule conditions and dose actions). A claim is added,
  retracted or changed; a change lists each qualifier (node and property) old -> new.
- **entities**: nodes of the entity and source namespaces (``bke:``, ``bks:``), added, removed
  or changed, with their **mappings** (``skos:*Match``) listed apart.
- **ontology axioms**: every other triple (classes, properties, value sets, headers), compared
  as a set of triples; each blank-node structure (a class expression, a list) is canonicalised
  on its own (RDFC-1.0, pyoxigraph), so that parsing the same class expression twice is no
  change and a changed one shows alone.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg import resources

MAPPING_PROPERTIES = frozenset(
    ns.SKOS + name for name in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
)
_TYPE = ns.RDF + "type"
_SUBCLASS = ns.RDFS + "subClassOf"
_CLAIM = ns.BKG + "Claim"
_MAX_FILE_BYTES = 1024 * 1024 * 1024


class DiffInputError(ValueError):
    """An input that is not a release, a store or a readable RDF file (one-line message)."""


@dataclass(frozen=True)
class Snapshot:
    """One side of a diff: a name for the reader and the triples of its graph."""

    name: str
    triples: frozenset[ox.Triple]


@dataclass(frozen=True)
class Change:
    """One property of one node that differs: its values before and after (sorted term texts)."""

    node: str
    property: str
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class NodeChanges:
    """A claim or entity present on both sides whose statements differ."""

    iri: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Diff:
    """What changed from ``old`` to ``new``; every list is sorted."""

    old: str
    new: str
    claims_added: tuple[str, ...] = ()
    claims_retracted: tuple[str, ...] = ()
    claims_changed: tuple[NodeChanges, ...] = ()
    entities_added: tuple[str, ...] = ()
    entities_removed: tuple[str, ...] = ()
    entities_changed: tuple[NodeChanges, ...] = ()
    mappings_added: tuple[tuple[str, str, str], ...] = ()
    mappings_removed: tuple[tuple[str, str, str], ...] = ()
    axioms_added: tuple[str, ...] = ()  # N-Triples lines, blank nodes canonicalised
    axioms_removed: tuple[str, ...] = ()
    _SECTIONS: ClassVar[tuple[str, ...]] = (
        "claims_added", "claims_retracted", "claims_changed", "entities_added", "entities_removed",
        "entities_changed", "mappings_added", "mappings_removed", "axioms_added", "axioms_removed",
    )

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self._SECTIONS)

    def as_dict(self) -> dict:
        return asdict(self)

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)

    def as_text(self) -> str:
        lines = [f"changes from {self.old} to {self.new}"]
        lines += self._body(bullet="  ", indent="      ")
        return "\n".join(lines)

    def as_markdown(self) -> str:
        """The changes as Markdown sections (the CHANGELOG.md of a release)."""
        if self.is_empty:
            return "No changes."
        out: list[str] = []
        for title, items in self._groups():
            out += [f"## {title} ({len(items)})", ""]
            for head, details in items:
                out.append(f"- `{head}`")
                out += [f"  - `{detail}`" for detail in details]
            out.append("")
        return "\n".join(out).rstrip("\n")

    def _body(self, *, bullet: str, indent: str) -> list[str]:
        if self.is_empty:
            return ["no changes"]
        out: list[str] = []
        for title, items in self._groups():
            out.append(f"{title} ({len(items)}):")
            for head, details in items:
                out.append(f"{bullet}{head}")
                out += [f"{indent}{detail}" for detail in details]
        return out

    def _groups(self) -> list[tuple[str, list[tuple[str, list[str]]]]]:
        def plain(iris: Iterable[str]) -> list[tuple[str, list[str]]]:
            return [(ns.curie(iri), []) for iri in iris]

        def changed(nodes: Iterable[NodeChanges]) -> list[tuple[str, list[str]]]:
            return [(ns.curie(node.iri), [_change_text(node.iri, c) for c in node.changes]) for node in nodes]

        def triples(rows: Iterable[tuple[str, str, str]]) -> list[tuple[str, list[str]]]:
            return [(" ".join(ns.curie(term) for term in row), []) for row in rows]

        groups: list[tuple[str, list[tuple[str, list[str]]]]] = [
            ("claims added", plain(self.claims_added)),
            ("claims retracted", plain(self.claims_retracted)),
            ("claims changed", changed(self.claims_changed)),
            ("entities added", plain(self.entities_added)),
            ("entities removed", plain(self.entities_removed)),
            ("entities changed", changed(self.entities_changed)),
            ("mappings added", triples(self.mappings_added)),
            ("mappings removed", triples(self.mappings_removed)),
            ("ontology axioms added", [(_nt_text(line), []) for line in self.axioms_added]),
            ("ontology axioms removed", [(_nt_text(line), []) for line in self.axioms_removed]),
        ]
        return [(title, items) for title, items in groups if items]


# --------------------------------------------------------------------------- the diff


def semantic_diff(old: Snapshot | str | Path, new: Snapshot | str | Path) -> Diff:
    """The semantic changes from ``old`` to ``new`` (snapshots, or paths to load)."""
    old = old if isinstance(old, Snapshot) else load_snapshot(old)
    new = new if isinstance(new, Snapshot) else load_snapshot(new)
    old_triples, new_triples = _canonical_literals(old.triples), _canonical_literals(new.triples)
    claim_classes = _claim_classes(old_triples | new_triples | _packaged_tbox())
    before, after = _Partition(old_triples, claim_classes), _Partition(new_triples, claim_classes)
    claims_old, claims_new = set(before.claims), set(after.claims)
    entities_old, entities_new = set(before.entities), set(after.entities)
    axioms_removed, axioms_added = _axiom_difference(before.rest, after.rest)
    return Diff(
        old=old.name,
        new=new.name,
        claims_added=tuple(sorted(claims_new - claims_old)),
        claims_retracted=tuple(sorted(claims_old - claims_new)),
        claims_changed=_changed(before.claims, after.claims),
        entities_added=tuple(sorted(entities_new - entities_old)),
        entities_removed=tuple(sorted(entities_old - entities_new)),
        entities_changed=_changed(before.entities, after.entities),
        mappings_added=tuple(sorted(after.mappings - before.mappings)),
        mappings_removed=tuple(sorted(before.mappings - after.mappings)),
        axioms_added=axioms_added,
        axioms_removed=axioms_removed,
    )


def _canonical_literals(triples: frozenset[ox.Triple]) -> frozenset[ox.Triple]:
    """The triples with each literal in the canonical form the store gives it ("600.0" and
    "600"^^xsd:decimal are one value), so that a file compares with a store."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return frozenset(q.triple for q in store)


# A node's statements: (node, property) -> its values, for a claim with its parts or an entity.
_Description = dict[tuple[str, str], frozenset[str]]


class _Partition:
    """A snapshot's triples split into claims (with parts), entities, mappings and the rest."""

    def __init__(self, triples: frozenset[ox.Triple], claim_classes: frozenset[str]) -> None:
        by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = defaultdict(list)
        for triple in triples:
            by_subject[triple.subject].append(triple)
        claim_nodes = {
            t.subject for t in triples
            if t.predicate.value == _TYPE and isinstance(t.subject, ox.NamedNode) and t.object.value in claim_classes
        }
        covered: set[ox.NamedNode | ox.BlankNode] = set(claim_nodes)
        self.claims: dict[str, _Description] = {}
        for claim in claim_nodes:
            nodes = _with_parts(claim, by_subject, claim_nodes)
            covered |= nodes
            self.claims[claim.value] = _describe(nodes, by_subject)
        self.entities: dict[str, _Description] = {}
        self.mappings: set[tuple[str, str, str]] = set()
        for subject, statements in by_subject.items():
            if subject in covered or not isinstance(subject, ox.NamedNode):
                continue
            if not subject.value.startswith((ns.BKE, ns.BKS)):
                continue
            covered.add(subject)
            self.mappings |= {(t.subject.value, t.predicate.value, _term(t.object))
                              for t in statements if t.predicate.value in MAPPING_PROPERTIES}
            self.entities[subject.value] = _describe(
                {subject}, by_subject, skip=MAPPING_PROPERTIES)
        self.rest = frozenset(t for t in triples if t.subject not in covered)


def _with_parts(claim: ox.NamedNode, by_subject: dict, claims: set[ox.NamedNode]) -> set[ox.NamedNode]:
    """The claim and the claim-namespace nodes it reaches that are not claims themselves."""
    nodes, todo = {claim}, [claim]
    while todo:
        for triple in by_subject.get(todo.pop(), ()):
            part = triple.object
            if (isinstance(part, ox.NamedNode) and part.value.startswith(ns.BKC)
                    and part not in claims and part not in nodes and part in by_subject):
                nodes.add(part)
                todo.append(part)
    return nodes


def _describe(nodes: set, by_subject: dict, *, skip: frozenset[str] = frozenset()) -> _Description:
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    for node in nodes:
        for triple in by_subject.get(node, ()):
            if triple.predicate.value not in skip:
                values[(node.value, triple.predicate.value)].add(_term(triple.object))
    return {key: frozenset(found) for key, found in values.items()}


def _changed(before: dict[str, _Description], after: dict[str, _Description]) -> tuple[NodeChanges, ...]:
    result = []
    for iri in sorted(before.keys() & after.keys()):
        old, new = before[iri], after[iri]
        changes = tuple(
            Change(node=node, property=prop,
                   old=tuple(sorted(old.get((node, prop), ()))), new=tuple(sorted(new.get((node, prop), ()))))
            for node, prop in sorted(old.keys() | new.keys())
            if old.get((node, prop)) != new.get((node, prop))
        )
        if changes:
            result.append(NodeChanges(iri=iri, changes=changes))
    return tuple(result)


def _axiom_difference(old: frozenset[ox.Triple], new: frozenset[ox.Triple]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(removed, added) N-Triples lines: ground triples as they are, blank-node structures
    (class expressions, lists) canonicalised one by one, so that only a changed one shows."""
    before, after = _axiom_lines(old), _axiom_lines(new)
    return tuple(sorted(before - after)), tuple(sorted(after - before))


def _axiom_lines(triples: frozenset[ox.Triple]) -> set[str]:
    lines = {_nt_line(t) for t in triples if not _has_blank(t)}
    for component in _blank_components([t for t in triples if _has_blank(t)]):
        lines |= _canonical_lines(component)
    return lines


def _blank_components(triples: list[ox.Triple]) -> list[list[ox.Triple]]:
    """The triples grouped by the blank-node structure they belong to (connected blank nodes)."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for t in triples:
        if isinstance(t.subject, ox.BlankNode) and isinstance(t.object, ox.BlankNode):
            parent[root(t.subject)] = root(t.object)
    groups: dict[ox.BlankNode, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        groups[root(t.subject if isinstance(t.subject, ox.BlankNode) else t.object)].append(t)
    return list(groups.values())


def _canonical_lines(component: list[ox.Triple]) -> set[str]:
    """One structure's triples with canonical blank-node labels (RDFC-1.0, pyoxigraph), made
    unique across structures by a hash of the canonical structure itself."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in component)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    quads = list(dataset)
    tag = hashlib.sha256("\n".join(sorted(map(str, quads))).encode()).hexdigest()[:10]

    def term(node: ox.Term) -> str:
        return f"_:s{tag}{node.value}" if isinstance(node, ox.BlankNode) else str(node)

    return {f"{term(q.subject)} {q.predicate} {term(q.object)} ." for q in quads}


def _has_blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def _nt_line(triple: ox.Triple) -> str:
    return f"{triple} ."


def _term(term: ox.Term) -> str:
    """A term as N-Triples writes it, but an IRI as the bare IRI (as the JSON output gives it)."""
    return term.value if isinstance(term, ox.NamedNode) else str(term)


@cache
def _packaged_tbox() -> frozenset[ox.Triple]:
    """The packaged main ontology: where the claim classes are declared when an input lacks them."""
    return frozenset(q.triple for q in ox.parse(path=resources.tbox_file(), format=ox.RdfFormat.TURTLE))


def _claim_classes(triples: frozenset[ox.Triple]) -> frozenset[str]:
    """bkg:Claim and every named class below it (rdfs:subClassOf, transitively)."""
    children: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if t.predicate.value == _SUBCLASS and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode):
            children[t.object.value].add(t.subject.value)
    found, todo = {_CLAIM}, [_CLAIM]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


# --------------------------------------------------------------------------- display


def _nt_text(line: str) -> str:
    """An N-Triples line with its IRIs shortened to CURIEs, for reading."""
    words = line.removesuffix(" .").split(" ", 2)
    return " ".join(ns.curie(w[1:-1]) if w.startswith("<") and w.endswith(">") else _short(w) for w in words)


def _change_text(owner: str, change: Change) -> str:
    where = ns.curie(change.property) if change.node == owner else f"{ns.curie(change.node)} {ns.curie(change.property)}"
    return f"{where}: {_values(change.old)} -> {_values(change.new)}"


def _values(values: tuple[str, ...]) -> str:
    return ", ".join(_short(v) for v in values) if values else "(none)"


def _short(value: str) -> str:
    """An IRI or a literal's datatype shortened to a CURIE: "600"^^xsd:decimal."""
    if value.startswith('"'):
        text, sep, datatype = value.rpartition("^^")
        return f"{text}^^{ns.curie(datatype[1:-1])}" if sep and datatype.startswith("<") else value
    return ns.curie(value)


# --------------------------------------------------------------------------- inputs


def load_snapshot(path: str | Path) -> Snapshot:
    """A release folder, a store folder or an RDF file, read as a snapshot; DiffInputError if none."""
    path = Path(path)
    if path.is_dir():
        if (path / "manifest.json").exists():
            return _release_snapshot(path)
        if (path / "CURRENT").is_file():  # the marker file of an on-disk store
            return _store_snapshot(path)
        raise DiffInputError(f"{path}: neither a release (no manifest.json) nor a store folder; "
                             "give a folder written by `bortekg release` or `--store`, or an RDF file")
    if path.is_file():
        return Snapshot(name=str(path), triples=_read_rdf(path))
    raise DiffInputError(f"{path}: no such file or folder; give a release folder, a store folder or an RDF file")


def _release_snapshot(folder: Path) -> Snapshot:
    from bortekg.release.artefacts import KB_FILES
    from bortekg.release.manifest import read_manifest

    manifest = read_manifest(folder)
    listed = {entry.get("path") for entry in manifest.get("files", [])}
    if KB_FILES["nq"] not in listed:
        raise DiffInputError(f"{folder}: its manifest lists no {KB_FILES['nq']}; rebuild the release")
    return Snapshot(name=f"release {manifest.get('release_date', folder.name)}",
                    triples=_read_rdf(folder / KB_FILES["nq"]))


def _store_snapshot(folder: Path) -> Snapshot:
    from bortekg.store import KnowledgeGraph

    try:
        kg = KnowledgeGraph.open_read_only(folder)
        triples = frozenset(kg.triples(with_inferred=False))
    except OSError as error:
        raise DiffInputError(f"{folder}: cannot open the store ({error}); give a folder written by `--store`") from None
    return Snapshot(name=f"store {folder}", triples=triples)


def _read_rdf(path: Path) -> frozenset[ox.Triple]:
    """The triples of an RDF file (graph names dropped), checked as every input is."""
    from bortekg.ingest.jsonld import check_jsonld
    from bortekg.ingest.problems import IngestError
    from bortekg.ingest.reader import INPUT_FORMATS, format_for
    from bortekg.ingest.xmlcheck import xml_problem
    from bortekg.inputs import InputTooLargeError, read_bounded

    try:
        fmt = format_for(path)
        data = read_bounded(path, _MAX_FILE_BYTES)
    except IngestError as error:
        raise DiffInputError(f"{path}: {error.problems[0].describe()}") from None
    except InputTooLargeError:
        raise DiffInputError(f"{path}: larger than {_MAX_FILE_BYTES:,} bytes; compare stores instead") from None
    except OSError as error:
        raise DiffInputError(f"{path}: cannot read the file ({error.strerror or error})") from None
    problem = None
    if fmt == "xml":
        problem = xml_problem(data)
    elif fmt == "jsonld":
        problems = check_jsonld(data.decode("utf-8", errors="replace"))
        problem = problems[0] if problems else None
    if problem is not None:
        raise DiffInputError(f"{path}: {problem.describe()}")
    try:
        return frozenset(quad.triple for quad in ox.parse(data, INPUT_FORMATS[fmt]))
    except SyntaxError as error:
        where = f"line {error.lineno}: " if error.lineno else ""
        message = (error.msg or str(error)).splitlines()[0]
        raise DiffInputError(f"{path}: {where}{message}; fix the file or give another") from None


__all__ = ["Change", "Diff", "DiffInputError", "NodeChanges", "Snapshot", "load_snapshot", "semantic_diff"]
