"""Refuse hostile or dangerous queries before any engine sees them.

Every read path (``bortekg query``, ``bortekg cq run``, the Python API's checked runs) calls
``check_query`` first. It refuses, with the line and what to do instead:

- ``SERVICE`` (a federated call to another server) and ``LOAD`` (fetches a document);
- updates of any kind (``INSERT``, ``DELETE``, ``CLEAR``, ``DROP``, ``CREATE``, ``ADD``,
  ``MOVE``, ``COPY``, ``WITH``): the read path never changes the graph;
- ``FROM`` / ``FROM NAMED`` whose IRI is not one of the graph names the caller allows, such
  as ``file:`` or ``http:`` documents an engine might fetch;
- a keyword written against the word before or after it (``SERVICEex:sparql``,
  ``trueSERVICE<...>``, ``ASKFROM<...>``, ``PREFIXg: <...>``, a prefix named ``service:``):
  pyoxigraph's parser reads keywords without looking for the end of the word, so such a
  token can be SERVICE, FROM, NAMED or PREFIX to the engine while it is a name to a
  tokenizer. Any bare word or prefix name that contains one of these four is refused;
- queries nested more deeply, or made of more operators, than the engine's parser can take:
  pyoxigraph's recursive parser overflows the stack (and kills the process) at about 2,000
  nested groups or 2,600 chained OPTIONAL or BIND clauses, measured here.

The checks read tokens (``bortekg.sparqlscan``), so keywords inside strings, IRIs, comments
and prefixed names are not mistaken for commands. Because SPARQL 1.1 allows an engine to
resolve ``\\u`` escapes anywhere in the text before parsing, a query that contains one is
checked in both readings.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import NoReturn

import pyoxigraph as ox

from bortekg import sparqlscan as scan
from bortekg.sparqlscan import Token

#: Deepest nesting of brackets plus runs of prefix operators (``!``, ``-``, ``^``) accepted.
MAX_NESTING = 64
#: Most keywords, operators and brackets accepted: long chains of OPTIONAL, BIND, UNION,
#: ``+`` or ``/`` build deep trees too (VALUES rows and commas do not count).
MAX_OPERATORS = 3000

_UPDATES = ("INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_OPENING = ("{", "(", "[")
_CLOSING = ("}", ")", "]")
_PREFIX_OPERATORS = ("!", "-", "+", "^")
# After these tokens a following ``-``, ``+`` or ``^`` is a prefix operator, not a binary one.
_EXPECTS_OPERAND = ("(", "{", "[", ",", ";", "!", "-", "+", "*", "/", "|", "^", "||", "&&",
                    "=", "!=", "<", ">", "<=", ">=")


#: Keywords pyoxigraph's parser finds inside longer words and prefix names.
_HIDDEN = ("SERVICE", "FROM", "NAMED", "PREFIX")


class UnsafeQueryError(ValueError):
    """The query is refused; the message says why and where.

    ``reason`` is the message without its position; ``line`` and ``column`` (1-based) are the
    position of the offending token, when there is one.
    """

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        where = "" if line is None else f"line {line}: " if column is None else f"line {line}, column {column}: "
        super().__init__(where + reason)
        self.reason = reason
        self.line = line
        self.column = column


@dataclass(frozen=True)
class QueryShape:
    """What the checks learned about an accepted query."""

    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    dataset: tuple[str, ...]  # the IRIs of its FROM / FROM NAMED clauses, resolved

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def check_query(text: str, allowed_graphs: Collection[str]) -> QueryShape:
    """Check a query; return its shape, or raise UnsafeQueryError.

    ``allowed_graphs`` are the graph names a FROM or FROM NAMED clause may name.
    """
    shape = _check_reading(text, scan.tokenize(text), allowed_graphs)
    unescaped = scan.unescape_codepoints(text)
    if unescaped != text:
        try:
            _check_reading(unescaped, scan.tokenize(unescaped), allowed_graphs)
        except UnsafeQueryError as error:
            # positions in the unescaped text differ from the file's: give the line only
            raise UnsafeQueryError(f"{error.reason} (with the \\u escapes read first, as SPARQL 1.1 "
                                   "lets an engine do)", error.line) from None
    return shape


def _check_reading(text: str, tokens: list[Token], allowed_graphs: Collection[str]) -> QueryShape:
    _check_size(text, tokens)
    form = None
    for token in tokens:
        _check_hidden_keyword(text, token)
        if token.is_word("SERVICE"):
            _refuse(text, token, "SERVICE (a call to another SPARQL server) is not allowed: "
                    "bortekg queries only its own graph")
        if token.is_word("LOAD"):
            _refuse(text, token, "LOAD (fetching a document into the graph) is not allowed")
        if token.is_word(*_UPDATES):
            _refuse(text, token, f"{token.text.upper()} is an update: queries here only read the graph "
                    "(changes go through the validated add path)")
        if form is None and token.is_word(*_FORMS):
            form = token.text.upper()
    if form is None:
        raise UnsafeQueryError("not a query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    return QueryShape(form, tuple(_dataset(text, tokens, allowed_graphs)))


def _refuse(text: str, token: Token, message: str) -> NoReturn:
    column = token.start - text.rfind("\n", 0, token.start)
    raise UnsafeQueryError(message, token.line, column)


def _check_hidden_keyword(text: str, token: Token) -> None:
    """Refuse a word or prefix name that the engine may read as SERVICE, FROM, NAMED or PREFIX."""
    if token.kind == scan.WORD:
        name = token.text
    elif token.kind == scan.PNAME and not token.text.startswith("_:"):
        name = token.text.partition(":")[0] + ":"  # the local part is read whole by every parser
    else:
        return
    upper = name.upper()
    hidden = next((word for word in _HIDDEN if word in upper and upper != word), None)
    if hidden is not None:
        _refuse(text, token, f"{token.text} contains the keyword {hidden}, which the query engine can read "
                "as a keyword even without a space around it; separate keywords from other words with "
                "a space, and name prefixes so that they contain none of SERVICE, FROM, NAMED, PREFIX")


def _check_size(text: str, tokens: list[Token]) -> None:
    depth = 0
    prefix_run = 0
    operators = 0
    in_values = False  # a VALUES table is flat data, however many rows it has
    previous: Token | None = None
    for token in tokens:
        if token.is_word("VALUES"):
            in_values = True
        if token.kind == scan.WORD and not in_values:
            operators += 1
        if token.kind != scan.PUNCT:
            prefix_run = 0
            previous = token
            continue
        if token.text in _OPENING:
            depth += 1
        elif token.text in _CLOSING:
            depth = max(depth - 1, 0)
            if in_values and token.text == "}":
                in_values = False
        if not in_values and token.text != ",":
            operators += 1
        is_prefix = token.text == "!" or (
            token.text in _PREFIX_OPERATORS
            and (previous is None or previous.kind == scan.WORD
                 or (previous.kind == scan.PUNCT and previous.text in _EXPECTS_OPERAND))
        )
        prefix_run = prefix_run + 1 if is_prefix else 0
        if depth + prefix_run > MAX_NESTING:
            _refuse(text, token, f"the query is nested more than {MAX_NESTING} levels deep; "
                    "flatten it (or split it into several queries)")
        previous = token
    if operators > MAX_OPERATORS:
        raise UnsafeQueryError(
            f"the query has {operators} keywords, operators and brackets, more than the {MAX_OPERATORS} "
            "accepted; split it into several queries"
        )


def _dataset(text: str, tokens: list[Token], allowed_graphs: Collection[str]) -> list[str]:
    """Resolve every FROM / FROM NAMED IRI and refuse those not among the allowed graphs."""
    base: str | None = None
    prefixes: dict[str, str] = {}
    named: list[str] = []
    for index, token in enumerate(tokens):
        following = tokens[index + 1:index + 3]
        if token.is_word("BASE") and following and following[0].kind == scan.IRI:
            base = _resolve_iri(following[0], base)
        elif token.is_word("PREFIX") and len(following) == 2 and following[0].kind == scan.PNAME \
                and following[1].kind == scan.IRI:
            name, namespace = following[0].text[:-1], _resolve_iri(following[1], base)
            if namespace is None:
                prefixes.pop(name, None)  # the engine refuses it; FROM name:... is refused here
            else:
                prefixes[name] = namespace
        elif token.is_word("FROM"):
            target = following[1] if following and following[0].is_word("NAMED") else (
                following[0] if following else None)
            iri = _resolve(target, base, prefixes)
            if iri is None or iri not in allowed_graphs:
                shown = iri or (target.text if target else "nothing")
                allowed = ", ".join(f"<{g}>" for g in sorted(allowed_graphs)) or "none"
                _refuse(text, token, f"FROM {shown} is not allowed: a FROM or FROM NAMED clause may only "
                        f"name a graph of this store ({allowed})")
            named.append(iri)
    return named


def _resolve_iri(token: Token, base: str | None) -> str | None:
    """The IRI a bracketed IRI names, resolved against ``base`` exactly as the engine does it.

    pyoxigraph's own parser resolves it: ``urljoin`` differs from the engine (it drops an
    empty fragment, so ``<...kb\\u0023>`` would pass as the kb graph). None when it does
    not resolve (a relative IRI without a base, an invalid one): such a FROM is refused.
    """
    document = f"{token.text} <urn:x:p> <urn:x:o> .".encode()
    try:
        quads = list(ox.parse(document, ox.RdfFormat.TURTLE, base_iri=base or None))
    except (SyntaxError, ValueError):
        return None
    return quads[0].subject.value if len(quads) == 1 and isinstance(quads[0].subject, ox.NamedNode) else None


def _resolve(token: Token | None, base: str | None, prefixes: dict[str, str]) -> str | None:
    if token is None:
        return None
    if token.kind == scan.IRI:
        return _resolve_iri(token, base)
    if token.kind == scan.PNAME and not token.text.startswith("_:"):
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
    return None
