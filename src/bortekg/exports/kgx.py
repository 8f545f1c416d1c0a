"""The graph as a Biolink-model KGX graph: nodes and edges, as TSV and as JSON Lines.

Nodes are the graph's biomedical entities (and its patient cases, populations and studies),
each under its verified standard identifier where it has one (``bortekg.standard_iris``),
else under its project CURIE, with names, synonyms, definitions and ``xref`` links. Every
claim becomes an edge (or one per pair of ends) as ``biolink_map.EDGES`` reads it, keeping
its knowledge source, its source document, its verbatim quote and its qualifiers.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.exports import biolink
from bortekg.exports.biolink_map import (
    CATEGORIES,
    EDGE_SLOTS,
    EDGES,
    NOT_REPEATED,
    PART_PROPERTIES,
    PART_SKIPPED,
    RELATION_PREDICATES,
    EdgeRule,
)
from bortekg.outputs import OutputError
from bortekg.standard_iris import UNVERIFIED, standard_iri_map

#: The infores identifier minted for this graph (not registered in the Translator
#: Information Resource Registry): every edge's primary knowledge source.
INFORES = "infores:bortekg"
#: Curated from published documents by people: Biolink's knowledge level and agent type.
KNOWLEDGE_LEVEL = "knowledge_assertion"
AGENT_TYPE = "manual_agent"

FILE_NAMES = ("nodes.tsv", "edges.tsv", "nodes.jsonl", "edges.jsonl")

_TYPE = ns.RDF + "type"
_LABEL = ns.RDFS + "label"
_DEFINITION = ns.SKOS + "definition"
_SYNONYM = ns.SKOS + "altLabel"
_MAPPINGS = tuple(ns.SKOS + p for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch"))
_SOURCE = ns.PROV + "wasDerivedFrom"
_DOI = ns.BKG + "doi"

Value = str | int | float | bool
# A KGX record as JSON holds it; its values are scalars or lists of them (Any: lists are invariant).
Record = dict[str, Any]


@dataclass
class _Graph:
    """The triples of the graph grouped by subject, with the IRIs each entity is written under."""

    facts: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = field(default_factory=dict)
    node_ids: dict[str, str] = field(default_factory=dict)
    unverified: set[tuple[str, str]] = field(default_factory=set)

    def values(self, subject: str, local_or_iri: str) -> list[ox.NamedNode | ox.Literal]:
        iri = local_or_iri if "://" in local_or_iri else ns.BKG + local_or_iri
        return self.facts.get(subject, {}).get(iri, [])

    def first(self, subject: str, iri: str) -> str | None:
        found = self.values(subject, iri)
        return found[0].value if found else None


def kgx_records(kg) -> tuple[list[Record], list[Record]]:
    """The graph's KGX node and edge records (plain JSON-ready dictionaries), in a stable order."""
    graph = _read(kg.quads(with_inferred=False))
    nodes = _nodes(graph)
    edges = _edges(graph)
    return nodes, edges


def write_kgx(kg, out_dir: Path) -> list[Path]:
    """Write ``nodes.tsv``, ``edges.tsv``, ``nodes.jsonl`` and ``edges.jsonl`` into ``out_dir``
    (created if missing); return the paths written.

    Everything is built before anything is written, and the four files replace any earlier
    ones together (``write_together``), so an error leaves the folder as it was. Raises OutputError for a path
    that is not a folder or cannot be written, ExportUnavailableError without the ``export`` extra.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"cannot write the KGX files into {out_dir}: it is a file, not a folder; "
                          "give a folder (it is created if missing)")
    nodes, edges = kgx_records(kg)
    contents = {
        "nodes.tsv": _tsv(nodes), "edges.tsv": _tsv(edges),
        "nodes.jsonl": _jsonl(nodes), "edges.jsonl": _jsonl(edges),
    }
    return write_together(out_dir, contents)


def write_together(out_dir: Path, contents: dict[str, bytes]) -> list[Path]:
    """Write files into ``out_dir`` (created if missing) so that either all of them are
    replaced or none is: each is staged in a temporary file first, and the staged files are
    renamed over their targets only once all are written."""
    for name in contents:
        if (out_dir / name).is_dir():
            raise OutputError(f"cannot write {out_dir / name}: it is a folder; remove it or choose another folder")
    staged: list[tuple[Path, Path]] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, data in contents.items():
            handle, part_name = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".part")
            staged.append((Path(part_name), out_dir / name))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.chmod(part_name, _NEW_FILE_MODE)
        for temporary, target in staged:
            os.replace(temporary, target)
    except OSError as error:
        for temporary, _ in staged:
            with contextlib.suppress(OSError):
                temporary.unlink()
        where = error.filename or out_dir
        raise OutputError(f"cannot write into {out_dir}: {error.strerror or error} ({where}); "
                          "choose a folder you may write to, on a disk with free space") from None
    return [target.resolve() for _, target in staged]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_NEW_FILE_MODE = 0o666 & ~_umask()


# ----------------------------------------------------------------------------- reading


def _read(quads: Iterable[ox.Quad]) -> _Graph:
    graph = _Graph()
    seen: set[ox.Triple] = set()
    quads = list(quads)
    for quad in quads:
        if quad.triple in seen or not isinstance(quad.subject, ox.NamedNode):
            continue
        seen.add(quad.triple)
        if isinstance(quad.object, ox.BlankNode):
            continue
        if quad.predicate == UNVERIFIED:
            graph.unverified.add((quad.subject.value, quad.object.value))
        graph.facts.setdefault(quad.subject.value, defaultdict(list))[quad.predicate.value].append(quad.object)
    standard = standard_iri_map(quads)
    for subject in graph.facts:
        if subject.startswith(ns.BKE) and _categories(graph, subject):
            chosen = standard.get(ox.NamedNode(subject))
            graph.node_ids[subject] = _biolink_curie(chosen.value) if chosen else ns.curie(subject)
    return graph


def _local(iri: str) -> str:
    return iri[len(ns.BKG):] if iri.startswith(ns.BKG) else iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _categories(graph: _Graph, subject: str) -> list[str]:
    names = {CATEGORIES[_local(t.value)] for t in graph.values(subject, _TYPE) if _local(t.value) in CATEGORIES}
    return sorted(biolink.curie(name) for name in names)


# ----------------------------------------------------------------------------- nodes


def _nodes(graph: _Graph) -> list[Record]:
    records = []
    for subject, node_id in sorted(graph.node_ids.items(), key=lambda item: item[1]):
        record: Record = {"id": node_id, "category": _categories(graph, subject)}
        name = graph.first(subject, _LABEL)
        if name:
            record["name"] = name
        description = graph.first(subject, _DEFINITION)
        if description:
            record["description"] = description
        synonyms = sorted({s.value for s in graph.values(subject, _SYNONYM)})
        if synonyms:
            record["synonym"] = synonyms
        xrefs = {_biolink_curie(m.value) for p in _MAPPINGS for m in graph.values(subject, p)
                 if (subject, m.value) not in graph.unverified}
        xrefs.add(ns.curie(subject))
        xrefs.discard(node_id)
        if xrefs:
            record["xref"] = sorted(xrefs)
        record["provided_by"] = [INFORES]
        records.append(record)
    return records


# ----------------------------------------------------------------------------- edges


def _edges(graph: _Graph) -> list[Record]:
    """One or more edges per claim. A project property is a list in every edge where some
    claim has several values for it, else a single value (kgx's reader drops false and 0
    from lists, not from single values)."""
    records: list[Record] = []
    for claim in sorted(graph.facts):
        if not claim.startswith(ns.BKC):
            continue
        kinds = sorted(_local(t.value) for t in graph.values(claim, _TYPE) if _local(t.value) in EDGES)
        for kind in kinds[:1]:
            records.extend(_claim_edges(graph, claim, EDGES[kind]))
    projected = {key for record in records for key in record} - _FIXED_KEYS
    several = {key for record in records for key, value in record.items()
               if key in projected and isinstance(value, list) and len(value) > 1}
    for record in records:
        for key in projected:
            if key not in record or not isinstance(record[key], list):
                continue
            if key in several:
                # kgx's reader drops false from a list: there a boolean is written as text
                record[key] = [("true" if v else "false") if isinstance(v, bool) else v for v in record[key]]
            else:
                record[key] = record[key][0]
    return records


#: Edge keys written as Biolink defines them, whatever a claim holds.
_FIXED_KEYS = frozenset({"id", "subject", "predicate", "object", "category", "primary_knowledge_source",
                         "knowledge_level", "agent_type", "publications"} | set(map(biolink.snake, EDGE_SLOTS.values())))


def _claim_edges(graph: _Graph, claim: str, rules: tuple[EdgeRule, ...]) -> list[Record]:
    for rule in rules:
        subject_property, subjects = _ends(graph, claim, rule.subject)
        object_property, objects = _ends(graph, claim, rule.object)
        if not subjects or not objects:
            continue
        predicate = _predicate(graph, claim, rule)
        if predicate is None:
            continue
        shared = _edge_properties(graph, claim, {subject_property, object_property, rule.predicate_from})
        pairs = [(s, o) for s in subjects for o in objects if s != o]
        records = []
        for number, (subject, obj) in enumerate(pairs, start=1):
            edge_id = ns.curie(claim) if len(pairs) == 1 else f"{ns.curie(claim)}#{number}"
            records.append({"id": edge_id, "subject": subject, "predicate": predicate, "object": obj,
                            "category": ["biolink:Association"], **shared})
        return records
    return []


def _ends(graph: _Graph, claim: str, properties: tuple[str, ...]) -> tuple[str, list[str]]:
    for local in properties:
        ids = sorted({graph.node_ids[v.value] for v in graph.values(claim, local) if v.value in graph.node_ids})
        if ids:
            return local, ids
    return "", []


def _predicate(graph: _Graph, claim: str, rule: EdgeRule) -> str | None:
    if rule.predicate:
        return biolink.curie(rule.predicate)
    relation = graph.first(claim, rule.predicate_from)
    name = RELATION_PREDICATES.get(_local(relation)) if relation else None
    return biolink.curie(name) if name else None


def _edge_properties(graph: _Graph, claim: str, ends: set[str]) -> Record:
    sources = sorted({v.value for v in graph.values(claim, _SOURCE)})
    publications = [ns.curie(s) for s in sources]
    publications += [f"doi:{d}" for s in sources for d in sorted(v.value for v in graph.values(s, _DOI))]
    record: Record = {
        "primary_knowledge_source": INFORES,
        "knowledge_level": KNOWLEDGE_LEVEL,
        "agent_type": AGENT_TYPE,
        "publications": publications,
    }
    for predicate, values in sorted(graph.facts[claim].items()):
        local = _local(predicate)
        if local in ends or local in NOT_REPEATED:
            continue
        written = sorted((_value(graph, v) for v in values), key=str)
        if local in EDGE_SLOTS:
            name = biolink.slot(EDGE_SLOTS[local])
            # a single-valued Biolink slot holds its value itself; the shapes allow one value
            record[name] = written if biolink.is_multivalued(name) else written[0]
        else:
            record[_project_property(local)] = written
        if local in PART_PROPERTIES:
            record.update(_part_properties(graph, local, sorted(v.value for v in values)))
    return record


def _part_properties(graph: _Graph, local: str, parts: list[str]) -> Record:
    """The qualifiers of a claim's parts (``hasCondition`` -> ``has_condition_grade``), each
    key with the values of all the parts that have it, in the order of the parts' CURIEs."""
    record: dict[str, list[Value]] = {}
    for part in parts:
        for predicate, values in sorted(graph.facts.get(part, {}).items()):
            part_local = _local(predicate)
            if part_local in PART_SKIPPED:
                continue
            name = _project_property(f"{local}_{part_local}")
            record.setdefault(name, []).extend(sorted((_value(graph, v) for v in values), key=str))
    return dict(record)


def _project_property(local: str) -> str:
    """A claim property's KGX name: its snake case (``doseMin`` -> ``dose_min``), or
    ``claim_<name>`` where that name (or an alias) is a Biolink element of another meaning,
    which kgx would otherwise read as that element (``label``, ``drug``, ``study``)."""
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", local).lower()
    return f"claim_{name}" if biolink.is_element(name) else name


def _value(graph: _Graph, term: ox.NamedNode | ox.Literal) -> Value:
    if isinstance(term, ox.NamedNode):
        return graph.node_ids.get(term.value) or ns.curie(term.value)
    datatype = term.datatype.value
    if datatype == ns.XSD + "boolean":
        return term.value == "true"
    if datatype in (ns.XSD + "integer", ns.XSD + "int"):
        return int(term.value)
    if datatype in (ns.XSD + "decimal", ns.XSD + "double", ns.XSD + "float"):
        number = Decimal(term.value)
        return int(number) if number == number.to_integral_value() and "." not in term.value else float(number)
    return term.value


# ----------------------------------------------------------------------------- identifiers


def _biolink_curie(iri: str) -> str:
    """A standard IRI as a CURIE with the prefix the Biolink model spells it with
    (``UNIPROT:P28074`` -> ``UniProtKB:P28074``); other IRIs as the project's CURIE."""
    shortened = ns.curie(iri)
    prefix, _, local = shortened.partition(":")
    return f"{_biolink_prefixes().get(prefix.lower(), prefix)}:{local}"


_PREFIXES: dict[str, str] = {}


def _biolink_prefixes() -> dict[str, str]:
    """bioregistry's normal form of each Biolink prefix -> the Biolink prefix."""
    if not _PREFIXES:
        import bioregistry

        with open(biolink.prefix_map_path(), encoding="utf-8") as stream:
            for prefix in json.load(stream):
                normal = bioregistry.normalize_prefix(prefix)
                if normal and (normal not in _PREFIXES or prefix.lower() == normal):
                    _PREFIXES[normal] = prefix
        for ours in ns.MAPPING_PREFIXES:
            normal = bioregistry.normalize_prefix(ours)
            if normal in _PREFIXES:
                _PREFIXES[ours.lower()] = _PREFIXES[normal]
    return _PREFIXES


# ----------------------------------------------------------------------------- writing


def _columns(records: list[Record]) -> list[str]:
    first = ["id", "category", "name", "subject", "predicate", "object"]
    keys = {key for record in records for key in record}
    return [k for k in first if k in keys] + sorted(keys - set(first))


def _tsv(records: list[Record]) -> bytes:
    """KGX TSV: one column per property, list values joined with ``|``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    columns = _columns(records)
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(record.get(column)) for column in columns])
    return buffer.getvalue().encode("utf-8")


def _cell(value: Value | list[Value] | None) -> str:
    if value is None:
        return ""
    values = value if isinstance(value, list) else [value]
    return "|".join(_scalar_text(v) for v in values)


def _scalar_text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return re.sub(r"[\t\r\n|]+", " ", str(value))


def _jsonl(records: list[Record]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records).encode("utf-8")
