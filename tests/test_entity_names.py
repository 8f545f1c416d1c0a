"""EntityNames finds the names a passage holds word by word; it must find exactly what one
regular expression of every name as a whole word finds (the reference, written here)."""

from __future__ import annotations

import re

import pytest

from bortekg import KnowledgeGraph
from bortekg.sourcetext import normalise
from bortekg.validate.facts import EntityNames, GraphFacts


def reference_named_in(names: EntityNames, passage: str) -> set[tuple[str, str]]:
    """Every name as a whole word, found by one alternation with a lookahead (overlaps too)."""
    text = normalise(passage)
    found: set[tuple[str, str]] = set()
    for table, flags in ((names._exact, ""), (names._folded, "(?i)")):
        if not table:
            continue
        words = sorted(table, key=len, reverse=True)
        pattern = re.compile(flags + r"(?=(?<!\w)(" + "|".join(re.escape(w) for w in words) + r")(?!\w))")
        for match in pattern.finditer(text):
            found |= table[match.group(1).casefold() if flags else match.group(1)]
    return found


@pytest.fixture(scope="module")
def facts() -> GraphFacts:
    from bortekg.validate import Gate

    return Gate.of(KnowledgeGraph()).facts


@pytest.fixture(scope="module")
def passages(facts: GraphFacts) -> list[str]:
    rows = facts.kg.query("SELECT DISTINCT ?q WHERE { ?c <https://w3id.org/bortekg/evidenceQuote> ?q }")
    quotes = [row["q"].value for row in rows]
    crafted = ["Bortezomib-induced peripheral neuropathy (BIPN) under VELCADE", "bortezomibs and xbortezomib",
               "VAD, vad, MP and mp", "vitamin B12 and B12-deficiency", "neuropathy_grade NF-κB", ""]
    return quotes + crafted


@pytest.mark.parametrize("which", ["drug_names", "effect_names"])
def test_names_found_word_by_word_are_those_of_the_whole_word_expression(facts: GraphFacts, passages: list[str],
                                                                            which: str) -> None:
    names = getattr(facts, which)
    found_any = False
    for passage in passages:
        expected = reference_named_in(names, passage)
        assert names.named_in(passage) == expected, passage
        found_any |= bool(expected)
    assert found_any


def test_a_name_inside_a_longer_word_is_not_found(facts: GraphFacts) -> None:
    names = facts.drug_names
    assert names.named_in("bortezomib") and not names.named_in("xbortezomib") and not names.named_in("bortezomibs")
