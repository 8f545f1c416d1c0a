"""Reading large submissions: N-Triples and N-Quads in one pass of the parser, with the line of
every triple exactly as the line-by-line reader gives it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bortekg.ingest import IngestError, parse_submission
from bortekg.ingest.reader import _LineReader, _parse, _parse_one_statement_a_line

NT = b"""# a comment
<urn:x:a> <urn:x:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .

<urn:x:a> <urn:x:p> <urn:x:b> .   # a comment after a statement
   # an indented comment
<urn:x:b> <urn:x:p> "text"@en .
<urn:x:a> <urn:x:p> <urn:x:b> .
"""


def _line_by_line(data: bytes, fmt: str) -> dict:
    reader = _LineReader(data)
    lines = {}
    for quad in ox.parse(reader, ox.RdfFormat.N_TRIPLES if fmt == "nt" else ox.RdfFormat.N_QUADS):
        lines.setdefault(quad.triple, reader.current_line)
    return lines


def test_one_pass_gives_the_lines_of_the_line_by_line_reader() -> None:
    triples, lines = _parse_one_statement_a_line(NT, "nt")
    assert len(triples) == 3  # the repeated statement is one triple, at its first line
    assert sorted(lines.values()) == [2, 4, 6]
    assert lines == _line_by_line(NT, "nt")


def test_n_quads_in_one_pass() -> None:
    data = b'<urn:x:a> <urn:x:p> <urn:x:b> <urn:x:g> .\n\n<urn:x:a> <urn:x:p> "2" .\n'
    triples, lines = _parse(data, "nq", "x.nq")
    assert [lines[t] for t in triples] == [1, 3]


def test_a_syntax_error_is_reported_with_its_line() -> None:
    with pytest.raises(IngestError) as refused:
        parse_submission(NT + b'<urn:x:a> <urn:x:p> "open .\n', file_name="bad.nt", input_format="nt")
    assert refused.value.problems[0].line == 8


def test_an_ill_typed_literal_is_refused_each_time_it_appears() -> None:
    data = b"".join(f'<urn:x:n{i}> <urn:x:p> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'.encode()
                    for i in range(3))
    with pytest.raises(IngestError) as refused:
        parse_submission(data, file_name="bad.nt", input_format="nt")
    assert [p.line for p in refused.value.problems] == [1, 2, 3]
