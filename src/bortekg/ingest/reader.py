"""Read a submitted RDF file safely, into a scratch structure (never into the store).

Turtle, N-Triples, N-Quads, TriG, JSON-LD and RDF/XML are parsed by pyoxigraph, which is
strict about IRIs, language tags and escapes. This module adds what the parser does not
refuse on its own: entity declarations in RDF/XML (refused before parsing, as they allow
unbounded entity expansion), ``@context`` references in JSON-LD (which would make the
parser fetch a document on behalf of the input), JSON-LD keys and identifiers that JSON-LD
silently drops, ill-typed literals such as ``"abc"^^xsd:integer``, blank nodes (every node
needs an IRI so that reports and retractions can name it), IRIs of schemes other than
http, https and urn (``javascript:``, ``file:``, ``data:`` ...), submissions without a triple,
RDF/XML that is not well-formed (a truncated file) or nested too deep, JSON-LD nested too
deep, and oversized files (streams included: at most the limit plus one byte is read).

Every problem is reported with the file, the line where the format has lines, what is
wrong and how to fix it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import warnings
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.ingest.jsonld import check_jsonld
from bortekg.ingest.problems import (
    IRI_HINT,
    LANGUAGE_HINT,
    SURROGATE_HINT,
    IngestError,
    Problem,
    line_at,
)
from bortekg.ingest.xmlcheck import xml_problem
from bortekg.inputs import InputTooLargeError, read_bounded
from bortekg.store import RDF_FORMATS

#: Input formats by their command-line name: the formats the store writes.
INPUT_FORMATS: dict[str, ox.RdfFormat] = RDF_FORMATS

#: File extensions and the input format they imply.
EXTENSIONS: dict[str, str] = {
    ".ttl": "ttl",
    ".turtle": "ttl",
    ".nt": "nt",
    ".nq": "nq",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
}

#: Formats whose parser can tell on which line each triple ends.
LINE_FORMATS = ("ttl", "nt", "nq", "trig", "xml")

#: The default size limit of a submission (bytes).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

#: IRI schemes accepted for the subjects, predicates and objects of a submission.
ALLOWED_IRI_SCHEMES = ("http", "https", "urn")

_XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"<\?xml[^>]*\bencoding\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_BOM = b"\xef\xbb\xbf"
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_LITERAL_TYPES = (ns.RDF + "XMLLiteral", ns.RDF + "HTML")

#: Hints for the parser's messages, by a fragment of the message.
_HINTS: tuple[tuple[str, str], ...] = (
    ("has not been declared", "declare the prefix at the top of the file, e.g. "
     "@prefix bkg: <https://w3id.org/bortekg/> ."),
    ("No scheme found", "write IRIs in full with their scheme (https://...) or as prefix:name "
     "with a declared prefix; relative IRIs are not accepted"),
    ("IRI", IRI_HINT),
    ("subtag", LANGUAGE_HINT),
    ("language", LANGUAGE_HINT),
    ("not a valid unicode character", SURROGATE_HINT),
    ("not a valid codepoint", SURROGATE_HINT),
    ("Unexpected end", "the file ends inside a statement: check that the last statement is "
     "complete and ends with '.'"),
)


@dataclass(frozen=True)
class Submission:
    """A parsed submission: its triples in file order, with where each one ends in the file."""

    file_name: str
    sha256: str
    format: str
    size: int
    triples: tuple[ox.Triple, ...]
    lines: dict[ox.Triple, int] = field(default_factory=dict, compare=False, repr=False)

    def first_line(
        self,
        subject: ox.NamedNode | None = None,
        predicate: ox.NamedNode | None = None,
        object: ox.Term | None = None,
    ) -> int | None:
        """The first line of a triple that matches the given terms (None where the format has no lines)."""
        if subject is not None and (object is None or predicate is not None):
            # the lookups reports make, once per result: answered from an index
            key = tuple(t for t in (subject, predicate, object) if t is not None)
            return self._first_lines.get(key)
        best = None
        for triple in self.triples:
            if subject is not None and triple.subject != subject:
                continue
            if predicate is not None and triple.predicate != predicate:
                continue
            if object is not None and triple.object != object:
                continue
            line = self.lines.get(triple)
            if line is not None and (best is None or line < best):
                best = line
        return best


    @cached_property
    def _first_lines(self) -> dict[tuple, int]:
        """The first line of each triple, of each (subject, predicate) and of each subject."""
        index: dict[tuple, int] = {}
        for triple, line in self.lines.items():
            for key in ((triple.subject, triple.predicate, triple.object),
                        (triple.subject, triple.predicate), (triple.subject,)):
                if key not in index or line < index[key]:
                    index[key] = line
        return index


def format_for(path: Path, input_format: str | None = None) -> str:
    """The input format of a file: the one given, or the one its extension implies."""
    if input_format is not None:
        if input_format not in INPUT_FORMATS:
            raise IngestError(path.name, [Problem(
                f"unknown input format {input_format!r}",
                hint=f"choose one of: {', '.join(INPUT_FORMATS)}")])
        return input_format
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise IngestError(path.name, [Problem(
            f"cannot tell the format from the extension {path.suffix or '(none)'!r}",
            hint=f"name the file *{', *'.join(EXTENSIONS)} or give --input-format "
                 f"({', '.join(INPUT_FORMATS)})")])
    return fmt


def read_submission(
    path: str | Path, *, input_format: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> Submission:
    """Read and check a submission file; raise IngestError naming every problem found."""
    path = Path(path)
    fmt = format_for(path, input_format)
    try:
        data = read_bounded(path, max_bytes)
    except InputTooLargeError as error:
        raise IngestError(path.name, [_too_large(error.size, max_bytes)]) from None
    except IsADirectoryError:
        raise IngestError(path.name, [Problem("is a folder, not a file")]) from None
    except FileNotFoundError:
        raise IngestError(str(path), [Problem("file not found")]) from None
    except OSError as error:
        raise IngestError(path.name, [Problem(f"cannot read the file: {error.strerror or error}")]) from None
    return parse_submission(data, file_name=path.name, input_format=fmt, max_bytes=max_bytes)


def parse_submission(
    data: bytes, *, file_name: str, input_format: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> Submission:
    """Check and parse the bytes of a submission in the given input format."""
    if input_format not in INPUT_FORMATS:
        raise IngestError(file_name, [Problem(
            f"unknown input format {input_format!r}", hint=f"choose one of: {', '.join(INPUT_FORMATS)}")])
    if len(data) > max_bytes:
        raise IngestError(file_name, [_too_large(len(data), max_bytes)])
    text = _decode(data, file_name)
    if input_format == "xml":
        _check_xml_prolog(data, file_name)
        problem = xml_problem(data.removeprefix(_BOM))
        if problem is not None:
            raise IngestError(file_name, [problem])
    elif input_format == "jsonld":
        problems = check_jsonld(text)
        if problems:
            raise IngestError(file_name, problems)
    triples, lines = _parse(data.removeprefix(_BOM), input_format, file_name)
    if not triples:
        raise IngestError(file_name, [Problem(
            "the submission holds no triples",
            hint="a submission must state at least one fact; check that the file is the one "
                 "you meant and that it is complete")])
    problems = _check_terms(triples, lines)
    if problems:
        raise IngestError(file_name, problems)
    return Submission(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=input_format,
        size=len(data),
        triples=tuple(triples),
        lines=lines,
    )


# --------------------------------------------------------------------------- reading


def _too_large(size: int | None, max_bytes: int) -> Problem:
    amount = f"is {size:,} bytes, over" if size is not None else "is longer than"
    return Problem(
        f"the submission {amount} the limit of {max_bytes:,} bytes",
        hint="split it into smaller submissions, or raise the limit with --max-size",
    )


def _decode(data: bytes, file_name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise IngestError(file_name, [Problem(
            f"bytes that are not UTF-8 ({data[error.start:error.end]!r})",
            line=line_at(data, error.start),
            hint="save the file as UTF-8; surrogate code points cannot be encoded in it")]) from None


class _LineReader(io.RawIOBase):
    """Feeds the parser one line per read, so that the line count at the moment a triple
    comes out (or an error is raised) is the line where that triple ends (or the error is)."""

    def __init__(self, data: bytes) -> None:
        self._lines = data.splitlines(keepends=True)
        self.line_count = len(self._lines)
        self.lines_read = 0
        self._inside_line = False  # part of a long line handed over, the rest still to come

    @property
    def current_line(self) -> int:
        """The line the parser is reading now."""
        return self.lines_read + 1 if self._inside_line else self.lines_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.lines_read >= len(self._lines):
            return 0
        line = self._lines[self.lines_read]
        if len(line) > len(buffer):  # a very long line: hand it over in pieces
            buffer[:] = line[: len(buffer)]
            self._lines[self.lines_read] = line[len(buffer):]
            self._inside_line = True
            return len(buffer)
        self.lines_read += 1
        self._inside_line = False
        buffer[: len(line)] = line
        return len(line)


def _parse(data: bytes, fmt: str, file_name: str) -> tuple[list[ox.Triple], dict[ox.Triple, int]]:
    """Parse into a list of unique triples in file order; graph names of quads are not kept."""
    if fmt in ("nt", "nq"):
        parsed = _parse_one_statement_a_line(data, fmt)
        if parsed is not None:
            return parsed
    reader = _LineReader(data) if fmt in LINE_FORMATS else None
    source: bytes | _LineReader = reader if reader is not None else data
    triples: dict[ox.Triple, None] = {}
    lines: dict[ox.Triple, int] = {}
    try:
        for quad in ox.parse(source, INPUT_FORMATS[fmt]):
            triple = quad.triple
            triples.setdefault(triple)
            if reader is not None:
                lines.setdefault(triple, reader.current_line)
    except SyntaxError as error:
        raise IngestError(file_name, [_syntax_problem(error, reader)]) from None
    except MemoryError as error:  # the parser's buffer limit, for one very long token
        line = reader.current_line if reader is not None else None
        raise IngestError(file_name, [Problem(
            f"a single literal or IRI is too long for the parser ({error})", line=line,
            hint="keep each literal and IRI under 16 MB; long texts belong in a document "
                 "that the graph cites")]) from None
    return list(triples), lines


def _parse_one_statement_a_line(data: bytes, fmt: str) -> tuple[list[ox.Triple], dict[ox.Triple, int]] | None:
    """N-Triples and N-Quads in one pass of the parser over the whole file: each statement is
    one line, so the n-th statement is on the n-th line that is neither blank nor a comment.
    None (read it line by line instead) when the file does not parse, for the line-by-line
    reader's message, or when the statements and lines do not pair up."""
    try:
        quads = list(ox.parse(data, INPUT_FORMATS[fmt]))
    except (SyntaxError, MemoryError):
        return None
    numbers = [number for number, line in enumerate(data.splitlines(), 1)
               if line.strip() and not line.lstrip().startswith(b"#")]
    if len(numbers) != len(quads):
        return None
    triples: dict[ox.Triple, None] = {}
    lines: dict[ox.Triple, int] = {}
    for quad, number in zip(quads, numbers):
        triple = quad.triple
        if triple not in lines:
            triples[triple] = None
            lines[triple] = number
    return list(triples), lines


def _syntax_problem(error: SyntaxError, reader: _LineReader | None) -> Problem:
    """Turn a parser error into a problem with its line, what is wrong and a hint."""
    text = error.msg or str(error)
    # the parser gives the position as SyntaxError attributes; its message repeats it first
    line: int | None = error.lineno
    column: int | None = error.offset if line is not None else None
    if text.startswith("Parser error") and ": " in text:
        text = text.split(": ", 1)[1]
    if line is None and reader is not None and reader.lines_read:
        line = reader.lines_read
    if reader is not None and line is not None and line > reader.line_count > 0:
        line, column = reader.line_count, None  # the end of the file: name its last line
    hint = next((h for fragment, h in _HINTS if fragment in text), None)
    return Problem(text, line=line, column=column, hint=hint)


# --------------------------------------------------------------------------- RDF/XML


def _check_xml_prolog(data: bytes, file_name: str) -> None:
    """Refuse DOCTYPE and ENTITY declarations (entity expansion, external entities) and
    declared encodings other than UTF-8, before any XML parser sees the bytes."""
    match = _XML_DECLARATIONS.search(data)
    if match is not None:
        raise IngestError(file_name, [Problem(
            f"RDF/XML with a {match.group(1).decode().upper()} declaration is refused "
            "(entity declarations can expand without bound or read other files)",
            line=line_at(data, match.start()),
            hint="remove the DOCTYPE and write entities out in full")])
    encoding = _XML_ENCODING.search(data[:200])
    if encoding is not None and encoding.group(1).decode().lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii"):
        raise IngestError(file_name, [Problem(
            f"RDF/XML declared as {encoding.group(1).decode()!r}",
            line=1, hint="save the file as UTF-8 and declare encoding=\"UTF-8\"")])


# --------------------------------------------------------------------------- terms


def _check_terms(triples: list[ox.Triple], lines: dict[ox.Triple, int]) -> list[Problem]:
    """Blank nodes, IRIs of schemes not allowed, triple terms and bad literals, in file order,
    each with the line of its triple. All blank nodes make one problem, where the first is:
    a collection alone can make thousands."""
    problems: list[Problem] = []
    blank_nodes: set[str] = set()
    first_blank: tuple[int, int | None] | None = None  # (index among the problems, line)
    seen_iri: set[str] = set()
    for triple in triples:
        line = lines.get(triple)
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode) and term.value not in seen_iri:
                seen_iri.add(term.value)
                if not _allowed_scheme(term.value):
                    problems.append(_scheme_problem(term.value, line))
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.Triple):
                problems.append(Problem(
                    "a triple term (an RDF 1.2 statement about a statement)", line=line,
                    hint="describe the statement as a node of its own with an IRI, as the "
                         "graph's claims do"))
            if isinstance(term, ox.BlankNode) and term.value not in blank_nodes:
                if first_blank is None:
                    first_blank = (len(problems), line)
                blank_nodes.add(term.value)
        if isinstance(triple.object, ox.Literal):
            problem = _literal_problem(triple.object, line)
            if problem is not None:
                problems.append(problem)
    if first_blank is not None:
        count = len(blank_nodes)
        index, line = first_blank
        problems.insert(index, Problem(
            "a node without an IRI (blank node)" if count == 1 else
            f"{count:,} nodes without an IRI (blank nodes), the first here", line=line,
            hint="give every node an IRI (bkc:..., bke:...) so that reports and "
                 "retractions can name it; in JSON-LD give each object an \"@id\""))
    return problems


def _scheme_problem(iri: str, line: int | None) -> Problem:
    """A disallowed scheme; a CURIE written as an IRI (``<MONDO:0009693>``) gets its full IRI."""
    expanded = ns.expand(iri)
    if expanded is not None and expanded != iri and _allowed_scheme(expanded):
        return Problem(f"<{iri}> is a CURIE written as an IRI", line=line,
                       hint=f"write the full IRI <{expanded}>, or {iri} without the angle brackets "
                            "with its prefix declared")
    return Problem(f"the IRI <{iri}> has a scheme that is not allowed", line=line,
                   hint=f"allowed schemes: {', '.join(ALLOWED_IRI_SCHEMES)}")


def _allowed_scheme(iri: str) -> bool:
    return iri.partition(":")[0].lower() in ALLOWED_IRI_SCHEMES


def _literal_problem(literal: ox.Literal, line: int | None) -> Problem | None:
    if literal.direction is not None:
        return Problem(f"a literal with a base direction (@{literal.language}--{literal.direction}), "
                       "an RDF 1.2 feature the graph's tools do not support", line=line,
                       hint=f"write the language tag alone (@{literal.language})")
    control = _CONTROL_CHARACTER.search(literal.value)
    if control is not None:
        return Problem(
            f"a control character (U+{ord(control.group()):04X}) in a literal", line=line,
            hint="remove it: control characters other than tab and line breaks cannot be "
                 "written in RDF/XML or shown, and are usually a sign of a damaged file")
    datatype = literal.datatype.value
    if datatype in _XML_LITERAL_TYPES:
        if _XML_DECLARATIONS.search(literal.value.encode()):
            return Problem("an XML literal with a DOCTYPE or ENTITY declaration is refused", line=line,
                           hint="remove the declaration")
        return None
    if not datatype.startswith(ns.XSD) or not _ill_typed(literal.value, datatype):
        return None
    return Problem(
        f"the value {literal.value!r} is not a valid {ns.curie(datatype)}", line=line,
        hint=_datatype_hint(datatype),
    )


@lru_cache(maxsize=65536)
def _ill_typed(lexical: str, datatype: str) -> bool:
    """Whether rdflib (which knows the XSD lexical spaces) rejects the lexical form (asked
    once per form: a large submission repeats the same numbers and dates many times)."""
    import rdflib

    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # rdflib logs every failed conversion with a traceback
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return bool(rdflib.Literal(lexical, datatype=rdflib.URIRef(datatype)).ill_typed)
    finally:
        logger.setLevel(level)


def _datatype_hint(datatype: str) -> str:
    local = datatype[len(ns.XSD):]
    examples = {
        "integer": "write a whole number such as 7, without quotes or units",
        "decimal": "write a number such as 1.3, with a dot and without units",
        "boolean": "write true or false",
        "date": "write a date as YYYY-MM-DD",
        "dateTime": "write a date and time as YYYY-MM-DDThh:mm:ss",
    }
    return examples.get(local, f"write a value in the lexical form of xsd:{local}, or change its datatype")


_SOURCE_DOCUMENT = ox.NamedNode(ns.BKG + "SourceDocument")
_TYPE = ox.NamedNode(ns.RDF + "type")


def new_source_documents(submission: Submission) -> list[str]:
    """The IRIs of the nodes a submission types as source documents, in file order."""
    return list(dict.fromkeys(t.subject.value for t in submission.triples
                              if t.predicate == _TYPE and t.object == _SOURCE_DOCUMENT))
