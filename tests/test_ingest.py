"""Reading submissions: every format, lines for every problem, hostile and broken input refused."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from bortekg.ingest import (
    EXTENSIONS,
    INPUT_FORMATS,
    IngestError,
    Problem,
    format_for,
    parse_submission,
    read_submission,
)
from bortekg.ingest.jsonld import check_jsonld

PREFIXES = b"@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
XML_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n')

A = ox.NamedNode("http://example.org/a")
P = ox.NamedNode("http://example.org/p")

SAME_FACTS = {
    "ttl": PREFIXES + b'ex:a ex:p "x"@en ;\n    ex:q 7 .\n',
    "nt": b'<http://example.org/a> <http://example.org/p> "x"@en .\n'
          b'<http://example.org/a> <http://example.org/q> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    "nq": b'<http://example.org/a> <http://example.org/p> "x"@en <http://example.org/g> .\n'
          b'<http://example.org/a> <http://example.org/q> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    "trig": PREFIXES + b'ex:g { ex:a ex:p "x"@en ; ex:q 7 . }\n',
    "jsonld": b'{"@context": {"ex": "http://example.org/", "xsd": "http://www.w3.org/2001/XMLSchema#"},\n'
              b' "@id": "ex:a", "ex:p": {"@value": "x", "@language": "en"},\n'
              b' "ex:q": {"@value": "7", "@type": "xsd:integer"}}\n',
    "xml": XML_HEAD + b'<rdf:Description rdf:about="http://example.org/a">\n<ex:p xml:lang="en">x</ex:p>\n'
           b'<ex:q rdf:datatype="http://www.w3.org/2001/XMLSchema#integer">7</ex:q>\n'
           b'</rdf:Description>\n</rdf:RDF>\n',
}


def problems(data: bytes, fmt: str) -> list[Problem]:
    with pytest.raises(IngestError) as caught:
        parse_submission(data, file_name=f"facts.{fmt}", input_format=fmt)
    assert str(caught.value).startswith(f"facts.{fmt}: ")
    return caught.value.problems


def only_problem(data: bytes, fmt: str) -> Problem:
    [problem] = problems(data, fmt)
    return problem


@pytest.mark.parametrize("fmt", list(INPUT_FORMATS))
def test_every_format_reads_the_same_triples(fmt: str) -> None:
    submission = parse_submission(SAME_FACTS[fmt], file_name=f"facts.{fmt}", input_format=fmt)
    assert set(submission.triples) == {
        ox.Triple(A, P, ox.Literal("x", language="en")),
        ox.Triple(A, ox.NamedNode("http://example.org/q"), ox.Literal(7)),
    }
    assert submission.format == fmt and submission.size == len(SAME_FACTS[fmt])
    assert len(submission.sha256) == 64


def test_lines_are_where_each_triple_ends() -> None:
    data = PREFIXES + b'\nex:a ex:p ex:b ;\n    ex:q """two\nlines""" .\nex:c ex:p ex:a .\n'
    submission = parse_submission(data, file_name="f.ttl", input_format="ttl")
    assert [submission.lines[t] for t in submission.triples] == [4, 6, 7]
    assert submission.first_line(subject=A) == 4
    assert submission.first_line(predicate=P, object=A) == 7
    assert submission.first_line(subject=ox.NamedNode("http://example.org/none")) is None


def test_rdfxml_has_lines_and_jsonld_has_none() -> None:
    xml = parse_submission(SAME_FACTS["xml"], file_name="f.rdf", input_format="xml")
    assert sorted(xml.lines.values()) == [4, 5]
    jsonld = parse_submission(SAME_FACTS["jsonld"], file_name="f.jsonld", input_format="jsonld")
    assert jsonld.lines == {} and jsonld.first_line(subject=A) is None


def test_format_from_extension_or_option(tmp_path: Path) -> None:
    assert format_for(Path("x.TTL")) == "ttl" and format_for(Path("x.rdf")) == "xml"
    assert format_for(Path("x.txt"), "nt") == "nt"
    assert set(EXTENSIONS.values()) == set(INPUT_FORMATS)
    with pytest.raises(IngestError, match="cannot tell the format from the extension '.txt'.*--input-format"):
        format_for(Path("x.txt"))
    with pytest.raises(IngestError, match="unknown input format 'n3'"):
        format_for(Path("x.ttl"), "n3")


def test_read_submission_from_file(tmp_path: Path) -> None:
    path = tmp_path / "facts.ttl"
    path.write_bytes(SAME_FACTS["ttl"])
    assert read_submission(path).file_name == "facts.ttl"
    with pytest.raises(IngestError, match="file not found"):
        read_submission(tmp_path / "missing.ttl")
    folder = tmp_path / "folder.ttl"
    folder.mkdir()
    with pytest.raises(IngestError, match="is a folder"):
        read_submission(folder)


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.ttl"
    path.write_bytes(SAME_FACTS["ttl"])
    with pytest.raises(IngestError) as caught:
        read_submission(path, max_bytes=10)
    assert f"the submission is {len(SAME_FACTS['ttl']):,} bytes, over the limit of 10 bytes" in str(caught.value)
    assert "--max-size" in str(caught.value)


# --------------------------------------------------------------------------- broken input


def test_parse_error_on_the_last_line() -> None:
    problem = only_problem(PREFIXES + b"ex:a ex:p ex:b .\nex:a ex:p ex:c\n", "ttl")
    assert problem.line == 4 and "Unexpected end" in problem.message  # the last line, not past it
    assert "ends with '.'" in problem.hint


def test_undeclared_prefix_says_how_to_declare_it() -> None:
    problem = only_problem(b"bkx:a bkx:p bkx:b .\n", "ttl")
    assert problem.line == 1 and "bkx: has not been declared" in problem.message
    assert "@prefix" in problem.hint


@pytest.mark.parametrize("fmt,data,line,fragment", [
    ("ttl", PREFIXES + b"ex:a ex:p <http://exa mple.org/b> .\n", 3, "Invalid IRI code point ' '"),
    ("nt", b"<http://example.org/a> <http://example.org/p> <not an iri> .\n", 1, "Invalid IRI"),
    ("ttl", PREFIXES + b"ex:a ex:p <relative> .\n", 3, "No scheme found"),
    ("xml", XML_HEAD + b'<rdf:Description rdf:about="http://example.org/a b"/>\n</rdf:RDF>\n', 3, "Invalid IRI"),
])
def test_invalid_iri_is_rejected_with_its_line(fmt: str, data: bytes, line: int, fragment: str) -> None:
    problem = only_problem(data, fmt)
    assert problem.line == line and fragment in problem.message and "IRI" in problem.hint


@pytest.mark.parametrize("fmt,data,line", [
    ("ttl", PREFIXES + b'ex:a ex:p "x" .\nex:a ex:p "y"@en-123456789 .\n', 4),
    ("nq", b'<http://example.org/a> <http://example.org/p> "y"@e1 .\n', 1),
    ("xml", XML_HEAD + b'<rdf:Description rdf:about="http://example.org/a">\n'
            b'<ex:p xml:lang="en-123456789">y</ex:p>\n</rdf:Description>\n</rdf:RDF>\n', 4),
    ("jsonld", b'{"@id": "http://example.org/a",\n "http://example.org/p": {"@value": "y", "@language": "en-123456789"}}', 2),
])
def test_invalid_language_tag_is_rejected_with_its_line(fmt: str, data: bytes, line: int) -> None:
    problem = only_problem(data, fmt)
    assert problem.line == line and "BCP 47" in problem.hint


@pytest.mark.parametrize("fmt,data,line", [
    ("ttl", PREFIXES + b'ex:a ex:p "x\\uD800y" .\n', 3),
    ("nt", b'<http://example.org/a> <http://example.org/p> "x\\uDC00" .\n', 1),
    ("xml", XML_HEAD + b'<rdf:Description rdf:about="http://example.org/a">\n'
            b'<ex:p>x&#xD800;</ex:p>\n</rdf:Description>\n</rdf:RDF>\n', 4),
    ("jsonld", b'{"@id": "http://example.org/a",\n "http://example.org/p": "x\\ud800y"}', 2),
    ("ttl", PREFIXES + b'ex:a ex:p "x\xed\xa0\x80" .\n', 3),  # a surrogate encoded in the bytes
])
def test_lone_surrogate_is_rejected_with_its_line(fmt: str, data: bytes, line: int) -> None:
    problem = only_problem(data, fmt)
    assert problem.line == line
    assert "surrogate" in problem.message + problem.hint


@pytest.mark.parametrize("literal,datatype", [
    (b'"abc"^^xsd:integer', "xsd:integer"),
    (b'"1.2.3"^^xsd:decimal', "xsd:decimal"),
    (b'"yes"^^xsd:boolean', "xsd:boolean"),
    (b'"2024-13-45"^^xsd:date', "xsd:date"),
    (b'"-1"^^xsd:nonNegativeInteger', "xsd:nonNegativeInteger"),
])
def test_malformed_literal_is_rejected_with_its_line(literal: bytes, datatype: str) -> None:
    problem = only_problem(PREFIXES + b"ex:a ex:p 1 ;\n    ex:q " + literal + b" .\n", "ttl")
    assert problem.line == 4
    assert problem.message.endswith(f"is not a valid {datatype}")


def test_every_problem_after_parsing_is_listed() -> None:
    data = PREFIXES + b'ex:a ex:p "abc"^^xsd:integer .\nex:a ex:q _:b .\nex:b ex:p "x"^^xsd:boolean .\n'
    found = problems(data, "ttl")
    assert [(p.line, p.message.split(" (")[0]) for p in found] == [
        (3, "the value 'abc' is not a valid xsd:integer"),
        (4, "a node without an IRI"),
        (5, "the value 'x' is not a valid xsd:boolean"),
    ]


def test_blank_nodes_are_refused_with_a_fix() -> None:
    problem = only_problem(b'{"http://example.org/p": "x"}', "jsonld")
    assert "blank node" in problem.message and '"@id"' in problem.hint


def test_non_utf8_bytes_are_refused_with_their_line() -> None:
    problem = only_problem(PREFIXES + b'ex:a ex:p "caf\xe9" .\n', "ttl")
    assert problem.line == 3 and "not UTF-8" in problem.message


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize("declaration", [
    b'<!DOCTYPE rdf:RDF [<!ENTITY ex "http://example.org/">]>\n',
    b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n',
    b'<!doctype rdf:RDF SYSTEM "file:///etc/passwd">\n',
])
def test_rdfxml_with_doctype_or_entity_is_refused_before_parsing(declaration: bytes) -> None:
    data = b'<?xml version="1.0"?>\n' + declaration + XML_HEAD.split(b"\n", 1)[1] + b"</rdf:RDF>\n"
    problem = only_problem(data, "xml")
    assert problem.line == 2
    assert "DOCTYPE declaration is refused" in problem.message
    assert "entity" in problem.message


def test_rdfxml_in_another_encoding_is_refused() -> None:
    problem = only_problem(b'<?xml version="1.0" encoding="UTF-16"?>\n<rdf:RDF/>', "xml")
    assert "declared as 'UTF-16'" in problem.message


def test_xml_literal_with_entity_declaration_is_refused() -> None:
    data = PREFIXES + b'ex:a ex:p "<!DOCTYPE x [<!ENTITY e \\"e\\">]><x>&e;</x>"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral> .\n'
    problem = only_problem(data, "ttl")
    assert problem.line == 3 and "XML literal" in problem.message


@pytest.mark.parametrize("context,kind", [
    (b'"http://example.org/context.jsonld"', "a remote @context"),
    (b'"file:///etc/passwd"', "a file: @context"),
    (b'["https://schema.org/", {"ex": "http://example.org/"}]', "a remote @context"),
    (b'{"@import": "https://example.org/ctx.jsonld"}', "a remote @context"),
    (b'{"ex": {"@id": "http://example.org/p", "@context": "file:///tmp/scoped.jsonld"}}', "a file: @context"),
])
def test_jsonld_context_by_reference_is_refused(context: bytes, kind: str) -> None:
    data = b'{\n"@context": ' + context + b',\n"@id": "http://example.org/a"}'
    problem = only_problem(data, "jsonld")
    assert problem.message.startswith(kind) and "reads nothing on behalf of input data" in problem.message
    assert problem.line == 2 and "inline" in problem.hint


def test_jsonld_context_in_a_nested_node_is_refused() -> None:
    data = b'{"@id": "http://example.org/a",\n "http://example.org/p": {"@context": "http://example.org/c", "@id": "http://example.org/b"}}'
    assert only_problem(data, "jsonld").line == 2


def test_jsonld_what_processors_drop_silently_is_an_error() -> None:
    data = (b'{"@context": {"ex": "http://example.org/", "name": "http://example.org/name",\n'
            b'             "link": {"@id": "http://example.org/link", "@type": "@id"}},\n'
            b' "@id": "ex:a",\n "nmae": "x",\n "@type": "Drug",\n "ex:r": {"@id": "relative"},\n'
            b' "link": "also-relative",\n "ex:s": {"@id": "http://example.org/b c"}}')
    found = problems(data, "jsonld")
    assert [(p.line, p.message.split(" (")[0]) for p in found] == [
        (4, "the key 'nmae' is not defined by the @context"),
        (5, "the type 'Drug' is not defined by the @context"),
        (6, "relative IRI 'relative'"),
        (7, "relative IRI 'also-relative'"),
        (8, "invalid IRI 'http://example.org/b c': Invalid IRI code point ' '"),
    ]


def test_jsonld_with_vocab_and_base_is_complete() -> None:
    data = b'{"@context": {"@vocab": "http://example.org/", "@base": "http://example.org/"}, "@id": "a", "p": "x"}'
    submission = parse_submission(data, file_name="f.jsonld", input_format="jsonld")
    assert set(submission.triples) == {ox.Triple(A, P, ox.Literal("x"))}


def test_check_jsonld_reports_invalid_json_with_line() -> None:
    [problem] = check_jsonld('{"@id": "http://example.org/a",\n "p": }')
    assert problem.line == 2 and problem.message.startswith("invalid JSON")
    assert check_jsonld('{"@id": "http://example.org/a", "http://example.org/p": "x"}') == []
