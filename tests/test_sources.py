"""Every claim's quote is in its source document, and every mapping is a verified identifier."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns

from conftest import SOURCE_FILES, select_rows

pytestmark = pytest.mark.sources


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


def test_every_quote_is_verbatim_in_its_source(kg: KnowledgeGraph, shared_dir) -> None:
    texts = {iri: normalise((shared_dir / "sources" / name).read_text(encoding="utf-8"))
             for iri, name in SOURCE_FILES.items()}
    rows = select_rows(kg, QUOTES)
    assert len(rows) > 150
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


def test_every_mapping_is_a_verified_identifier(kg: KnowledgeGraph, shared_dir) -> None:
    verified = verified_identifiers(shared_dir)
    rows = select_rows(kg, MAPPINGS)
    assert len(rows) > 200
    unverified = []
    for r in rows:
        curie = ns.curie(r["target"])
        if curie == r["target"] or curie.upper() not in verified:
            unverified.append(f"{ns.curie(r['entity'])} {ns.curie(r['relation'])} {r['target']}")
    assert not unverified, "mappings without a verified xrefs.tsv row:\n" + "\n".join(unverified)


def test_curie_expansion_round_trips_every_mapping(kg: KnowledgeGraph) -> None:
    for r in select_rows(kg, MAPPINGS):
        assert ns.expand(ns.curie(r["target"])) == r["target"]
