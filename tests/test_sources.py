"""Every claim's quote is in its source document, and every mapping is a verified identifier."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest
import rdflib
from rdflib.namespace import SKOS

from bortekg import KnowledgeGraph, resources
from bortekg import namespaces as ns
from conftest import SOURCE_FILES, select_rows

pytestmark = pytest.mark.sources
BKG = rdflib.Namespace("https://w3id.org/bortekg/")


def normalise(text: str) -> str:
    return " ".join(text.split())


QUOTES = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX bkg: <https://w3id.org/bortekg/>
SELECT ?claim ?source ?quote WHERE { ?claim prov:wasDerivedFrom ?source ; bkg:evidenceQuote ?quote }
"""

MAPPINGS = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entity ?relation ?target WHERE {
  VALUES ?relation { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch }
  ?entity ?relation ?target .
}
"""


def test_every_quote_is_verbatim_in_its_source(kg: KnowledgeGraph, shared_dir, ontology_graph) -> None:
    texts = {iri: normalise((shared_dir / "sources" / name).read_text(encoding="utf-8"))
             for iri, name in SOURCE_FILES.items()}
    rows = select_rows(kg, QUOTES)
    # every quote of the Turtle files (read by rdflib) is checked, none is lost by the query
    assert len(rows) == len(set(ontology_graph.subject_objects(BKG.evidenceQuote)))
    missing = [
        f"{ns.curie(r['claim'])}: {r['quote'][:100]!r}"
        for r in rows
        if r["source"] not in texts or normalise(r["quote"]) not in texts[r["source"]]
    ]
    assert not missing, "quotes not found verbatim in their source:\n" + "\n".join(missing)


def verified_identifiers(shared_dir) -> dict[str, set[str]]:
    """Verified CURIEs of xrefs.tsv -> the entity labels they were verified for."""
    verified: dict[str, set[str]] = defaultdict(set)
    with open(shared_dir / "xrefs.tsv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["status"].strip() == "verified":
                verified[row["id"].strip().upper()].add(row["entity_label"])
    return verified


def test_every_mapping_is_a_verified_identifier(kg: KnowledgeGraph, shared_dir, ontology_graph) -> None:
    verified = verified_identifiers(shared_dir)
    rows = select_rows(kg, MAPPINGS)
    mappings = {(s, p, o) for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)
                for s, o in ontology_graph.subject_objects(p)}
    assert len(rows) == len(mappings)  # every mapping of the Turtle files (read by rdflib) is checked
    unverified = []
    for r in rows:
        curie = ns.curie(r["target"])
        if curie == r["target"] or curie.upper() not in verified:
            unverified.append(f"{ns.curie(r['entity'])} {ns.curie(r['relation'])} {r['target']}")
    assert not unverified, "mappings without a verified xrefs.tsv row:\n" + "\n".join(unverified)


def test_curie_expansion_round_trips_every_mapping(kg: KnowledgeGraph) -> None:
    for r in select_rows(kg, MAPPINGS):
        assert ns.expand(ns.curie(r["target"])) == r["target"]


def test_the_shipped_identifier_table_is_the_verified_rows_of_the_cross_reference_table(shared_dir) -> None:
    columns = ["entity_label", "vocabulary", "id", "official_label", "evidence"]
    with open(shared_dir / "xrefs.tsv", encoding="utf-8") as handle:
        verified = [[row[c].strip() for c in columns] for row in csv.DictReader(handle, delimiter="\t")
                    if row["status"].strip() == "verified"]
    shipped_path = resources.ontology_dir() / "verified-xrefs.tsv"
    lines = [line for line in shipped_path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    shipped = [row for row in csv.reader(lines, delimiter="\t")]
    assert shipped[0] == columns
    assert shipped[1:] == verified, "ontology/verified-xrefs.tsv differs from the verified rows of ../shared/xrefs.tsv"
