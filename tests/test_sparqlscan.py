"""The tokenizer finds keywords only where they are keywords."""

from __future__ import annotations

import pytest

from bortekg import sparqlscan as scan


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, t.text) for t in scan.tokenize(text)]


def test_tokens_of_a_typical_query() -> None:
    text = ('PREFIX bkg: <https://w3id.org/bortekg/>\n'
            'SELECT ?x (COUNT(*) AS ?n) WHERE { ?x a bkg:Drug ; bkg:doseMin 1.5e3 . '
            'FILTER(?x != "a" && LANG(?l) = "en") ?x bkg:label "b"@en-GB } # SERVICE here is a comment')
    assert kinds(text)[:4] == [("word", "PREFIX"), ("pname", "bkg:"),
                               ("iri", "<https://w3id.org/bortekg/>"), ("word", "SELECT")]
    assert ("number", "1.5e3") in kinds(text) and ("langtag", "@en-GB") in kinds(text)
    assert ("punct", "&&") in kinds(text) and ("punct", "!=") in kinds(text)
    assert not any(text == "SERVICE" for _, text in kinds(text))


@pytest.mark.parametrize("text,kind,value", [
    ("'''a ' b '' c'''", "string", "'''a ' b '' c'''"),
    ('"""line\none"""', "string", '"""line\none"""'),
    (r'"esc \" SERVICE"', "string", r'"esc \" SERVICE"'),
    ("<http://e/a#SERVICE>", "iri", "<http://e/a#SERVICE>"),
    (r"<http://e/\u0041>", "iri", r"<http://e/\u0041>"),
    ("ex:SERVICE", "pname", "ex:SERVICE"),
    (r"ex:a\-b.c", "pname", r"ex:a\-b.c"),
    ("_:b1", "pname", "_:b1"),
    ("?SERVICE", "var", "?SERVICE"),
    ("$x·y", "var", "$x·y"),
    ("?é", "var", "?é"),
])
def test_strings_iris_names_and_variables_are_single_tokens(text: str, kind: str, value: str) -> None:
    assert kinds(text) == [(kind, value)]


def test_less_than_is_an_operator_when_no_iri_can_follow() -> None:
    assert kinds("?a < ?b")[1] == ("punct", "<")
    assert kinds("FILTER(?a<?b && ?c>?d)")[3] == ("punct", "<")


def test_trailing_dot_ends_a_prefixed_name() -> None:
    assert kinds("?s a bkg:C.")[-2:] == [("pname", "bkg:C"), ("punct", ".")]


def test_line_numbers() -> None:
    tokens = scan.tokenize("SELECT *\n# comment\nWHERE {\n  ?s ?p '''a\nb''' .\n}")
    assert [(t.text, t.line) for t in tokens if t.kind == "word"] == [("SELECT", 1), ("WHERE", 3)]
    assert tokens[-1].line == 6


def test_unescape_codepoints() -> None:
    assert scan.unescape_codepoints(r"\u0053ERVICE \U0001F600 \uD800") == "SERVICE \U0001F600 \\uD800"


def test_iri_value_resolves_escapes() -> None:
    token = scan.tokenize(r"<\u0066ile:///etc>")[0]
    assert scan.iri_value(token) == "file:///etc"


def test_matching_close() -> None:
    tokens = scan.tokenize("{ ( [ ] ) { } }")
    assert scan.matching_close(tokens, 0) == 7
    assert scan.matching_close(tokens, 1) == 4
    assert scan.matching_close(scan.tokenize("{ {"), 0) == -1


def test_token_is_word_is_case_insensitive() -> None:
    token = scan.tokenize("select")[0]
    assert token.is_word("SELECT") and not token.is_word("ASK")
    assert not scan.tokenize("?select")[0].is_word("SELECT")
