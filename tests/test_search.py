"""bortekg search and the shared term look-up behind describe and assess: ranking, brand
names from verified rows only, identifiers, suggestions, and tables that fit the terminal."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from bortekg import namespaces as ns
from bortekg import resources
from bortekg.cli import main
from bortekg.clinical import build_patient
from bortekg.results import fit_widths, render_table
from bortekg.search import DEFINITION, EXACT_LABEL, EXACT_SYNONYM, PREFIX, WORDS, Name, SearchIndex, brand_names, search
from bortekg.terms import AmbiguousTermError, UnknownTermError, lookup, resolve


def cli(*args: str, **env: str):
    return CliRunner(env=env).invoke(main, list(args))


@pytest.fixture(scope="module")
def index(kg) -> SearchIndex:
    return SearchIndex.build(kg)


def toy_index() -> SearchIndex:
    """Five nodes, each matching "red fox" in one way only; the weaker matches weigh more."""
    index = SearchIndex(
        names=[Name("urn:a", "red fox", "label"), Name("urn:b", "Vulpes", "label"),
               Name("urn:b", "Red Fox", "synonym"), Name("urn:c", "red foxes of Europe", "label"),
               Name("urn:d", "the fox that is red", "label"), Name("urn:e", "canid", "label")],
        labels={"urn:a": "red fox", "urn:b": "Vulpes", "urn:c": "red foxes of Europe",
                "urn:d": "the fox that is red", "urn:e": "canid"},
        definitions={"urn:e": "A dog-like mammal, such as the red fox."},
        weights={"urn:a": 1, "urn:b": 2, "urn:c": 3, "urn:d": 4, "urn:e": 5},
    )
    index._index_exact_names()
    return index


def test_ranking_exact_label_synonym_prefix_words_definition() -> None:
    hits = toy_index().search("Red  FOX")
    assert [(h.iri, h.rank) for h in hits] == [
        ("urn:a", EXACT_LABEL), ("urn:b", EXACT_SYNONYM), ("urn:c", PREFIX), ("urn:d", WORDS),
        ("urn:e", DEFINITION)]


def test_within_a_rank_the_node_referred_to_most_comes_first() -> None:
    index = toy_index()
    index.weights["urn:d"] = 0
    index.names.append(Name("urn:e", "red, the fox", "synonym"))
    # "fox red" is a word match of every name holding both words: weight decides
    assert [h.iri for h in index.search("fox red")] == ["urn:e", "urn:b", "urn:a", "urn:d"]


@pytest.mark.parametrize("term,iri,exact", [
    ("Velcade", ns.BKE + "bortezomib", True),
    ("velcade", ns.BKE + "bortezomib", True),
    ("CHEBI:52717", ns.BKE + "bortezomib", True),
    ("IV", ns.BKG + "route-intravenous", True),
    ("SC", ns.BKG + "route-subcutaneous", True),
    ("twice weekly", ns.BKG + "schedule-twice-weekly", True),
    ("neuropathy", ns.BKE + "bipn", False),
    ("vitamin B12", ns.BKE + "vitamin-b12-deficiency", False),
])
def test_lookup_resolves_what_people_type(kg, index, term: str, iri: str, exact: bool) -> None:
    found = lookup(kg, term, index)
    assert (found.iri, found.exact) == (iri, exact)
    assert (found.note(term) is None) == (exact and term.casefold() != "velcade")
    assert resolve(kg, term, index) == iri


def test_a_brand_name_is_a_name_from_a_verified_brand_row_only(index) -> None:
    path = resources.ontology_dir() / "verified-xrefs.tsv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))
    brand_rows = {(r["entity_label"], r["id"]) for r in rows if "brand name" in r["vocabulary"]}
    assert brand_rows, "the verified table has no brand-name row"
    found = {(index.labels[n.node], n.text) for n in brand_names(index.labels)}
    assert found == brand_rows
    [hit] = index.search("Velcade")
    assert (hit.label, hit.field, hit.rank) == ("bortezomib", "brand name", EXACT_SYNONYM)


def test_brand_names_are_not_facts_of_the_graph(kg) -> None:
    assert not kg.query('ASK { ?s ?p ?o FILTER(isLiteral(?o) && LCASE(STR(?o)) = "velcade") }')


def test_unknown_and_ambiguous_terms(kg, index) -> None:
    with pytest.raises(UnknownTermError) as unknown:
        lookup(kg, "Velcde", index)
    assert unknown.value.suggestions[0] == "Velcade"
    toy = SearchIndex(names=[Name("urn:c", "red fox den", "label"), Name("urn:d", "red fox hunt", "label")],
                      labels={"urn:c": "red fox den", "urn:d": "red fox hunt"}, weights={"urn:c": 2, "urn:d": 2})
    toy._index_exact_names()
    with pytest.raises(AmbiguousTermError, match="red fox den"):
        lookup(kg, "red fox", toy)
    toy.weights["urn:d"] = 3
    assert lookup(kg, "red fox", toy).iri == "urn:d"


def test_search_function_and_definitions(kg) -> None:
    hits = search(kg, "apoptosis")
    assert hits[0].iri == ns.BKE + "apoptosis" and hits[0].rank == EXACT_LABEL
    assert any(h.rank == DEFINITION for h in hits)
    assert len(search(kg, "neuropathy", limit=3)) == 3


def test_cli_search_human_json_limit_and_no_match() -> None:
    human = cli("search", "Velcade", COLUMNS="80")
    assert human.exit_code == 0 and "bke:bortezomib" in human.stdout and "brand name: Velcade" in human.stdout
    data = json.loads(cli("search", "vitamin B12", "--format", "json", "--limit", "2").stdout)
    assert [d["curie"] for d in data] == ["bke:vitamin-b12-deficiency", "bke:vitamin-b12-deficiency-check"]
    assert data[0]["match"] == "prefix"
    many = cli("search", "neuropathy", "--limit", "2")
    assert "(2 rows)" in many.stdout and "more: --limit" in many.stdout
    none = cli("search", "Velcde")
    assert none.exit_code == 1 and none.stdout == ""
    assert "nothing matches 'Velcde'; did you mean 'Velcade'" in none.stderr


def test_cli_describe_uses_the_same_lookup() -> None:
    brand = cli("describe", "Velcade", "--format", "json")
    assert brand.exit_code == 0 and json.loads(brand.stdout)["curie"] == "bke:bortezomib"
    assert "note: 'Velcade' is a brand name of bke:bortezomib" in brand.stderr
    assert "Velcade" not in brand.stdout  # a look-up name, not a fact the description states
    approximate = cli("describe", "neuropathy")
    assert approximate.exit_code == 0 and approximate.stdout.startswith("bortezomib-induced peripheral neuropathy")
    assert "note: 'neuropathy' is not an exact name; read as 'bortezomib-induced peripheral neuropathy'" in approximate.stderr


def test_a_patient_document_takes_the_same_names(kg) -> None:
    short = build_patient(kg, {"bortezomib": {"route": "IV", "schedule": "twice weekly"},
                               "comorbidities": ["vitamin B12"], "medications": ["Velcade"]}, "p.json")
    assert (short.route, short.schedule) == ("intravenous", "twice-weekly")
    assert short.comorbidities[0].iri == ns.BKE + "vitamin-b12-deficiency" and short.comorbidities[0].note
    assert short.medications[0].iri == ns.BKE + "bortezomib"
    assert "'Velcade' is a brand name of bke:bortezomib" in short.medications[0].note
    assert short.comorbidities[0].note.startswith("'vitamin B12' is not an exact name")
    sc = build_patient(kg, {"bortezomib": {"route": "SC", "schedule": "weekly"}}, "p.json")
    assert (sc.route, sc.schedule) == ("subcutaneous", "weekly")


def test_render_table_fits_a_width_and_keeps_every_word() -> None:
    header = ["id", "text"]
    rows = [["a", "one two three four five six seven eight nine ten " * 3], ["b", "short"]]
    table = render_table(header, rows, width=40)
    lines = table.splitlines()
    assert max(len(line) for line in lines) <= 40
    assert " ".join(table.split()).count("seven") == 3
    assert render_table(header, rows).splitlines()[2].startswith("a   one two")  # whole cells
    assert len(render_table(header, rows).splitlines()) == 5


def test_fit_widths_narrows_the_widest_first() -> None:
    assert fit_widths([10, 50, 30], 100) == [10, 50, 30]
    assert fit_widths([10, 50, 30], 60) == [10, 25, 25]
    assert sum(fit_widths([3, 200, 200, 9], 80)) == 80


def test_paths_take_the_same_lookup_and_say_when_a_term_was_not_exact() -> None:
    result = cli("paths", "Velcade", "vitamin B12", "--max", "1")
    assert result.exit_code == 0, result.stderr
    assert "from bortezomib (bke:bortezomib) to vitamin B12 deficiency (bke:vitamin-b12-deficiency)" in result.stdout
    assert "note: 'vitamin B12' is not an exact name" in result.stderr
