"""The shipped source-text indexes: rebuilt from the documents they are identical, and they
prove verbatim passages without holding the text."""

from __future__ import annotations

import json

import pytest

from bortekg.sourcetext import SourceIndex, index_dir, normalise, packaged_indexes, tokens
from build_source_index import build_all, slug
from conftest import SOURCE_FILES


@pytest.mark.sources
def test_shipped_indexes_match_the_source_documents(shared_dir) -> None:
    rebuilt = build_all()
    for iri, index in rebuilt.items():
        shipped = (index_dir() / f"{slug(iri)}.json").read_text(encoding="utf-8")
        assert shipped == index.to_json(), (
            f"the shipped index of {iri} is out of date: run python tests/build_source_index.py")
    assert set(packaged_indexes()) == set(SOURCE_FILES)


def test_every_curated_quote_is_found_and_a_changed_one_is_not(kg) -> None:
    indexes = packaged_indexes()
    rows = kg.query("PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX bkg: <https://w3id.org/bortekg/> "
                    "SELECT ?s ?q WHERE { ?c prov:wasDerivedFrom ?s ; bkg:evidenceQuote ?q }")
    quotes = [(r["s"].value, r["q"].value) for r in rows]
    assert len(quotes) == len({(s, q) for s, q in quotes}) or quotes
    missing = [q for s, q in quotes if not indexes[s].find(q).found]
    assert not missing
    changed = [q.replace("0.7", "7") for s, q in quotes if "0.7" in q]
    assert changed and not any(indexes[s].find(c).found for s, _ in quotes for c in changed if c)


def test_typographic_variants_match_and_words_do_not() -> None:
    index = SourceIndex.build("urn:x", "Grade 2 with pain \u2014 restart at 0.7 mg/m\u00b2 \u201conce weekly\u201d.")
    assert index.find('Grade 2 with pain - restart at 0.7 mg/m2 "once weekly"').found
    assert index.find("restart  at\n0.7").found
    assert not index.find("restart at 7 mg").found
    assert not index.find("grade 2 with pain").found  # case is kept


def test_a_quote_not_found_reports_its_longest_run_and_where_it_diverges() -> None:
    index = SourceIndex.build("urn:x", "Withhold bortezomib until symptoms resolve, then restart at 0.7 mg/m2 once weekly")
    match = index.find("then restart at 1.0 mg/m2 once weekly")
    # the longest run is the end, "mg / m2 once weekly" (five tokens), next to the changed "0"
    assert not match.found and match.matched_text == "mg/m2 once weekly" and match.diverges_at == "0"
    match = index.find("then restart at 1.0 mg")
    assert match.matched_text == "then restart at" and match.diverges_at == "1"


def test_the_index_holds_no_text() -> None:
    text = "Bortezomib is a proteasome inhibitor used in multiple myeloma."
    document = json.loads(SourceIndex.build("urn:x", text).to_json())
    serialised = json.dumps(document)
    assert all(word not in serialised for word in ("proteasome", "inhibitor", "myeloma"))
    assert SourceIndex.from_json(json.dumps(document)).find("a proteasome inhibitor").found


def test_normalise_and_tokens() -> None:
    assert normalise("a\u00a0b \u2013 \ufb01ber\n") == "a b - fiber"
    assert tokens("0.7 mg/m\u00b2") == ["0", ".", "7", "mg", "/", "m2"]
