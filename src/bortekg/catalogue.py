"""The catalogue of competency questions: one ``.rq`` file per question, its metadata in a header.

Each file opens with comment lines::

    # title: First-line treatment of painful BIPN
    # question: Which drug is recommended first line ... ?
    # source: bks:bipn-treatment-answer, bks:fasciculation-answer
    # param: grade xsd:integer Toxicity grade of the neuropathy (1-4)
    # param: claim iri required The claim (a bkc: IRI)
    # example: claim=bkc:bipntx-first-line-pregabalin

``title``, ``question`` and ``source`` are required, once each; ``param`` lines (zero or more)
give a name, a datatype (``xsd:integer``, ``xsd:decimal``, ``xsd:boolean``, ``xsd:string`` or
``iri``), optionally the word ``required``, and a description. A parameter is a variable of
the query; a value given for it is turned into a typed RDF term here (and refused when it does
not fit the datatype), and the engine binds that term, never the text the user typed. An
optional parameter left out answers for every value; a required one must be given, for
questions about one thing (one claim) whose every-value answer would be a whole-graph listing
that grows with the graph. ``example`` lines (``NAME=VALUE``, one per parameter) show a value
to ask with; every required parameter has one.

A question whose answer lists the whole graph (and so grows with it) is read in pages::

    # page: entity

names the variable that orders the rows and tells them apart (its string form is unique per
row). Such a query orders by ``STR(?entity)`` and holds the filter
``FILTER (!BOUND(?after) || STR(?entity) > ?after)`` next to the pattern that binds ``?entity``:
a page after a key binds ``?after`` to it (keyset paging, so a later page costs what the first
does, where OFFSET would produce and drop every earlier row), and ``limit`` ends the query with
``LIMIT n``. The next page starts after the last row's key (``next_page_key``).
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg import resources
from bortekg import sparqlscan as scan

_HEADER_LINE = re.compile(r"#\s*(?P<key>[A-Za-z][\w-]*)\s*:\s*(?P<value>.*?)\s*$")
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")
_INTEGER = re.compile(r"[+-]?[0-9]+$")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
_BOOLEANS = {"true": "true", "1": "true", "false": "false", "0": "false"}
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_FIELDS = ("title", "question", "source", "param", "example", "page")
_REQUIRED = ("title", "question", "source")

#: Parameter datatypes, with the words used to tell a user what a value must look like.
DATATYPES: dict[str, str] = {
    "xsd:integer": "a whole number such as 2",
    "xsd:decimal": "a number such as 1.3",
    "xsd:boolean": "true or false",
    "xsd:string": "any text",
    "iri": "a CURIE such as bke:pregabalin or a full IRI",
}


class CatalogueError(ValueError):
    """A competency-question file is malformed; the message names the file and line."""


class ParameterError(ValueError):
    """A parameter value or name does not fit the question's declared parameters."""


#: The variable a paged question compares its key with (bound to the key a page starts after).
AFTER = "after"


class UnknownQuestionError(LookupError):
    def __init__(self, question_id: str, known: list[str]) -> None:
        close = difflib.get_close_matches(question_id, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        super().__init__(
            f"unknown competency question {question_id!r}{hint} (bortekg cq list shows them all)"
        )


@dataclass(frozen=True)
class Param:
    name: str
    datatype: str
    description: str
    required: bool = False

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The typed RDF term for a value typed by a user, or ParameterError."""
        def refuse() -> ParameterError:
            return ParameterError(
                f"parameter {self.name}: {value!r} is not {self.datatype} "
                f"(give {DATATYPES[self.datatype]})"
            )

        text = value.strip()
        if self.datatype == "xsd:integer":
            if not _INTEGER.match(text):
                raise refuse()
            return ox.Literal(str(int(text)), datatype=ox.NamedNode(ns.XSD + "integer"))
        if self.datatype == "xsd:decimal":
            if not _DECIMAL.match(text):
                raise refuse()
            return ox.Literal(_canonical_decimal(text), datatype=ox.NamedNode(ns.XSD + "decimal"))
        if self.datatype == "xsd:boolean":
            if text.lower() not in _BOOLEANS:
                raise refuse()
            return ox.Literal(_BOOLEANS[text.lower()], datatype=ox.NamedNode(ns.XSD + "boolean"))
        if self.datatype == "xsd:string":
            return ox.Literal(value)
        iri = ns.expand(text) if "://" not in text else text
        if iri is None or not _ABSOLUTE_IRI.match(iri):
            raise refuse()
        try:
            return ox.NamedNode(iri)
        except ValueError:
            raise refuse() from None


def _canonical_decimal(text: str) -> str:
    """The canonical xsd:decimal form: no exponent, at least one digit after the point."""
    number = format(Decimal(text), "f")
    if "." not in number:
        number += ".0"
    whole, fraction = number.split(".")
    return f"{whole}.{fraction.rstrip('0') or '0'}"


@dataclass(frozen=True)
class CompetencyQuestion:
    id: str
    title: str
    question: str
    sources: tuple[str, ...]
    params: tuple[Param, ...]
    sparql: str
    path: Path
    examples: tuple[tuple[str, str], ...] = ()
    #: The variable that orders a paged question's rows (None: the question is not paged).
    page_key: str | None = None

    def page(self, *, limit: int | None = None, after: str | None = None) -> tuple[str, dict[str, ox.Literal]]:
        """The query for one page and the binding of ``?after``: the rows whose key comes after
        ``after`` (from the first row when None), at most ``limit`` of them (all when None).
        ParameterError for a question that is not paged, or a limit below 1."""
        if self.page_key is None:
            if limit is None and after is None:
                return self.sparql, {}
            raise ParameterError(f"{self.id} is not read in pages: it answers in full "
                                 "(only questions that list the whole graph take --limit and --after)")
        if limit is not None and limit < 1:
            raise ParameterError(f"--limit {limit}: a page holds at least one row")
        sparql = self.sparql if limit is None else f"{self.sparql.rstrip()}\nLIMIT {limit}\n"
        return sparql, ({AFTER: ox.Literal(after)} if after is not None else {})

    def next_page_key(self, rows: list[dict], limit: int | None) -> str | None:
        """The key to ask the next page with: the last row's, when the page is full."""
        if self.page_key is None or limit is None or len(rows) < limit:
            return None
        last = rows[-1].get(self.page_key)
        if last is None:
            raise ParameterError(f"{self.id}: its last row has no {self.page_key}, the key it is paged by")
        return last.value

    @property
    def required(self) -> tuple[Param, ...]:
        return tuple(param for param in self.params if param.required)

    def example_bindings(self) -> dict[str, ox.NamedNode | ox.Literal]:
        """Typed terms for the header's example values (every required parameter has one)."""
        return self.bindings(dict(self.examples))

    def example_command(self) -> str:
        """The shell command that asks the question with its example values."""
        options = "".join(f" --param {shlex.quote(f'{name}={value}')}" for name, value in self.examples)
        return f"bortekg cq run {self.id}{options}"

    @property
    def body(self) -> str:
        """The SPARQL without the header lines."""
        lines = self.sparql.splitlines()
        for index, line in enumerate(lines):
            if line.strip() and not line.lstrip().startswith("#"):
                return "\n".join(lines[index:]) + "\n"
        return ""

    def bindings(self, values: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Typed terms for ``{name: text}``; unknown names and ill-typed values raise ParameterError."""
        declared = {param.name: param for param in self.params}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            if declared:
                listing = "; ".join(f"{p.name} ({p.datatype}): {p.description}" for p in self.params)
                accepted = f"its parameters are: {listing}"
            else:
                accepted = "it takes no parameters"
            raise ParameterError(
                f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                f"for {self.id}; {accepted}"
            )
        missing = [param for param in self.required if param.name not in values]
        if missing:
            needs = "; ".join(f"--param {p.name}=VALUE ({p.datatype}): {p.description}" for p in missing)
            example = f"; for example: {self.example_command()}" if self.examples else ""
            raise ParameterError(f"{self.id} asks about one case and needs {needs}{example}")
        return {name: declared[name].term(value) for name, value in values.items()}


def catalogue_dir() -> Path:
    """The catalogue folder: ``BORTEKG_CQ_DIR`` when set, else the packaged ``queries/cq``."""
    configured = os.environ.get("BORTEKG_CQ_DIR")
    return Path(configured) if configured else resources.queries_dir() / "cq"


def load_question(path: Path) -> CompetencyQuestion:
    """Parse one ``.rq`` file; CatalogueError names the file and line of any header fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{path}: cannot read: {error}") from None
    fields: dict[str, str] = {}
    lines: dict[str, int] = {}
    params: list[Param] = []
    examples: list[tuple[str, str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break  # the header ends where the query begins
            continue
        if not stripped.lstrip("#").strip():
            continue
        where = f"{path}, line {number}"
        match = _HEADER_LINE.match(stripped)
        if match is None:
            raise CatalogueError(f"{where}: expected '# field: value' with a field among "
                                 f"{', '.join(_FIELDS)}, found {stripped!r}")
        key, value = match.group("key").lower(), match.group("value")
        if key not in _FIELDS:
            raise CatalogueError(f"{where}: unknown header field {key!r}; "
                                 f"the fields are {', '.join(_FIELDS)}")
        if not value:
            raise CatalogueError(f"{where}: the {key} field is empty")
        if key == "param":
            params.append(_parse_param(value, where, params))
            lines[params[-1].name] = number
        elif key == "example":
            name, sep, example = value.partition("=")
            if not sep or not name.strip() or not example.strip():
                raise CatalogueError(f"{where}: an example line is NAME=VALUE, "
                                     "for example '# example: claim=bkc:bipntx-first-line-pregabalin'")
            examples.append((name.strip(), example.strip(), number))
        elif key in fields:
            raise CatalogueError(f"{where}: a second {key} line (each question has one)")
        else:
            fields[key] = value
            lines[key] = number
    missing = [key for key in _REQUIRED if key not in fields]
    if missing:
        raise CatalogueError(f"{path}: the header lacks {', '.join(missing)} "
                             f"(add '# {missing[0]}: ...' before the query)")
    sources = tuple(s.strip() for s in fields["source"].split(","))
    for source in sources:
        if ns.expand(source) is None:
            raise CatalogueError(f"{path}, line {lines['source']}: source {source!r} is not a CURIE "
                                 "with a known prefix or an IRI (for example bks:bipn-treatment-answer)")
    variables = {token.text[1:] for token in scan.tokenize(text) if token.kind == scan.VAR}
    for param in params:
        if param.name not in variables:
            raise CatalogueError(f"{path}, line {lines[param.name]}: parameter {param.name!r} "
                                 f"is not a variable of the query (no ?{param.name} in it)")
    _check_examples(path, params, examples)
    page_key = _check_paging(path, fields.get("page"), lines.get("page"), text, variables)
    return CompetencyQuestion(
        id=path.stem,
        title=fields["title"],
        question=fields["question"],
        sources=sources,
        params=tuple(params),
        sparql=text,
        path=path,
        examples=tuple((name, value) for name, value, _ in examples),
        page_key=page_key,
    )


def _check_paging(path: Path, value: str | None, line: int | None, text: str, variables: set[str]) -> str | None:
    """The page key of a ``page`` header, checked against the query (see the module's docstring)."""
    if value is None:
        return None
    where = f"{path}, line {line}"
    key = value.removeprefix("?")
    if not _PARAM_NAME.match(key) or key not in variables:
        raise CatalogueError(f"{where}: page key {value!r} is not a variable of the query")
    if AFTER not in variables:
        raise CatalogueError(f"{where}: a paged question filters on ?{AFTER}; add "
                             f"FILTER (!BOUND(?{AFTER}) || STR(?{key}) > ?{AFTER}) beside the pattern "
                             f"that binds ?{key}")
    words = [token.text.upper() for token in scan.tokenize(text) if token.kind == scan.WORD]
    if "LIMIT" in words or "OFFSET" in words:
        raise CatalogueError(f"{where}: a paged question has no LIMIT or OFFSET of its own "
                             "(a page's limit is added when it is asked)")
    if "ORDER" not in words:
        raise CatalogueError(f"{where}: a paged question orders its rows by its key: "
                             f"end it with ORDER BY STR(?{key})")
    return key


def _check_examples(path: Path, params: list[Param], examples: list[tuple[str, str, int]]) -> None:
    """Each example names a declared parameter once, with a value of its datatype; each
    required parameter has an example."""
    declared = {param.name: param for param in params}
    seen: set[str] = set()
    for name, value, number in examples:
        where = f"{path}, line {number}"
        if name not in declared:
            raise CatalogueError(f"{where}: example for {name!r}, which is not a parameter "
                                 f"(declare it with '# param: {name} DATATYPE description')")
        if name in seen:
            raise CatalogueError(f"{where}: a second example for {name} (give one per parameter)")
        seen.add(name)
        try:
            declared[name].term(value)
        except ParameterError as error:
            raise CatalogueError(f"{where}: example {error}") from None
    for param in params:
        if param.required and param.name not in seen:
            raise CatalogueError(f"{path}: required parameter {param.name} has no example; "
                                 f"add '# example: {param.name}=VALUE' to the header")


def _parse_param(value: str, where: str, earlier: list[Param]) -> Param:
    parts = value.split(None, 2)
    required = len(parts) == 3 and parts[2].split(None, 1)[0] == "required"
    if required:
        parts = [parts[0], parts[1], *parts[2].split(None, 1)[1:]]
    if len(parts) < 3:
        raise CatalogueError(f"{where}: a param line needs a name, a datatype, optionally the word "
                             "'required', and a description, for example "
                             "'# param: grade xsd:integer Neuropathy grade (1-4)'")
    name, datatype, description = parts
    if not _PARAM_NAME.match(name):
        raise CatalogueError(f"{where}: {name!r} is not a SPARQL variable name (letters, digits, _)")
    if datatype not in DATATYPES:
        raise CatalogueError(f"{where}: unknown datatype {datatype!r} for parameter {name}; "
                             f"use one of {', '.join(DATATYPES)}")
    if any(param.name == name for param in earlier):
        raise CatalogueError(f"{where}: parameter {name} is declared twice")
    return Param(name, datatype, description, required)


def question_ids(folder: Path | None = None) -> list[str]:
    folder = folder or catalogue_dir()
    return sorted(path.stem for path in folder.glob("*.rq"))


def get_question(question_id: str, folder: Path | None = None) -> CompetencyQuestion:
    """One question by its id (the file name without ``.rq``); reads that file only."""
    folder = folder or catalogue_dir()
    path = folder / f"{question_id}.rq"
    if "/" in question_id or "\\" in question_id or not path.is_file():
        raise UnknownQuestionError(question_id, question_ids(folder))
    return load_question(path)


def load_catalogue(folder: Path | None = None) -> list[CompetencyQuestion]:
    """Every question of a catalogue folder, sorted by id."""
    folder = folder or catalogue_dir()
    return [load_question(folder / f"{qid}.rq") for qid in question_ids(folder)]
