"""The graph's verified mappings as an SSSOM mapping set (TSV with its metadata block).

Each row is one ``skos:exactMatch`` / ``closeMatch`` / ``broadMatch`` / ``narrowMatch`` link
from a node of the graph to a standard identifier, with the label the verified
cross-reference table (``ontology/verified-xrefs.tsv``) gives the identifier and the evidence
it was verified by. Mappings a submission marked ``bkg:unverifiedMapping`` are left out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg import resources
from bortekg.exports.biolink import ExportUnavailableError
from bortekg.outputs import OutputError, write_atomically

MAPPING_SET_ID = "https://w3id.org/bortekg/mappings/bortekg.sssom.tsv"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
#: Every mapping was checked by hand against its vocabulary before it entered the table.
JUSTIFICATION = "semapv:ManualMappingCuration"
MAPPING_PREDICATES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")

_LABEL = ox.NamedNode(ns.RDFS + "label")
_UNVERIFIED = ox.NamedNode(ns.BKG + "unverifiedMapping")
_VERSION = ox.NamedNode(ns.OWL + "versionInfo")


@dataclass(frozen=True)
class VerifiedId:
    """A row of the verified cross-reference table."""

    official_label: str
    evidence: str


def verified_ids() -> dict[str, VerifiedId]:
    """The verified cross-reference table: CURIE (upper case) -> official label and evidence."""
    table: dict[str, VerifiedId] = {}
    path = resources.ontology_dir() / "verified-xrefs.tsv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            if ":" in row["id"]:
                table.setdefault(row["id"].strip().upper(), VerifiedId(row["official_label"].strip(),
                                                                       row["evidence"].strip()))
    return table


def mapping_rows(kg) -> list[dict[str, str]]:
    """One SSSOM row (column -> value) per verified mapping of the graph, in a stable order."""
    quads = list(kg.quads(with_inferred=False))
    labels = {q.subject.value: q.object.value for q in quads if q.predicate == _LABEL and isinstance(q.object, ox.Literal)}
    unverified = {(q.subject.value, q.object.value) for q in quads if q.predicate == _UNVERIFIED}
    table = verified_ids()
    rows = {}
    for quad in quads:
        predicate = quad.predicate.value
        if not (predicate.startswith(ns.SKOS) and predicate[len(ns.SKOS):] in MAPPING_PREDICATES):
            continue
        subject, target = quad.subject.value, quad.object.value
        if (subject, target) in unverified or not subject.startswith(ns.BASE):
            continue
        object_id = ns.curie(target)
        verified = table.get(object_id.upper())
        row = {
            "subject_id": ns.curie(subject),
            "subject_label": labels.get(subject, ""),
            "predicate_id": "skos:" + predicate[len(ns.SKOS):],
            "object_id": object_id,
            "object_label": verified.official_label if verified else "",
            "mapping_justification": JUSTIFICATION,
            "comment": f"verified: {verified.evidence}" if verified else "",
        }
        rows[(row["subject_id"], row["predicate_id"], object_id)] = {k: v for k, v in row.items() if v}
    return [rows[key] for key in sorted(rows)]


def sssom_bytes(kg) -> bytes:
    """The mapping set as SSSOM TSV, metadata block first (written by the ``sssom`` package)."""
    try:
        from curies import Converter
        from sssom.util import MappingSetDataFrame
        from sssom.writers import write_table
        from sssom_schema import Mapping
    except ImportError:
        raise ExportUnavailableError("the SSSOM export needs the Python package 'sssom': "
                                     "install it with  pip install 'bortekg[export]'") from None
    rows = mapping_rows(kg)
    used = {row[c].split(":", 1)[0] for row in rows for c in ("subject_id", "predicate_id", "object_id")}
    namespaces = {**ns.PREFIXES, **ns.MAPPING_PREFIXES, "semapv": "https://w3id.org/semapv/vocab/"}
    prefix_map = {prefix: iri for prefix, iri in namespaces.items() if prefix in used or prefix == "semapv"}
    version = next((q.object.value for q in kg.quads(with_inferred=False)
                    if q.subject.value == ns.ONTOLOGY_IRI and q.predicate == _VERSION), None)
    metadata = {
        "mapping_set_id": MAPPING_SET_ID,
        "mapping_set_title": "bortekg: verified mappings of the bortezomib knowledge graph",
        "mapping_set_description": "Links from the graph's entities and value-set terms to standard "
                                   "identifiers, each checked against its vocabulary and recorded with its "
                                   "evidence in the verified cross-reference table (ontology/verified-xrefs.tsv).",
        "license": LICENSE,
        "creator_label": ["bortekg curators"],
        "mapping_provider": ns.BASE,
        "mapping_set_source": [ns.ONTOLOGY_IRI],
        "see_also": [ns.ONTOLOGY_IRI],
        **({"mapping_set_version": version} if version else {}),
    }
    mapping_set = MappingSetDataFrame.from_mappings(
        [Mapping(**row) for row in rows], converter=Converter.from_prefix_map(prefix_map), metadata=metadata)
    buffer = io.StringIO()
    write_table(mapping_set, buffer)
    return buffer.getvalue().encode("utf-8")


def write_sssom(kg, path: Path) -> Path:
    """Write the mapping set to ``path`` whole or not at all; return the path written.
    Raises OutputError for a folder or an unwritable path, ExportUnavailableError without
    the ``export`` extra."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder; give a file name for the SSSOM table")
    return write_atomically(path, sssom_bytes(kg))
