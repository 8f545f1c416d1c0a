"""Bind query parameters as a VALUES block built from typed RDF terms.

The block goes at the start of the query's outermost WHERE group, so the engine joins it
with the group's patterns and every filter of that group sees the bound value; an unbound
parameter is simply left out, and the query then answers for every value. The terms are
written by pyoxigraph's own serialiser (N-Triples syntax, which SPARQL reads as the same
term), never by pasting the text a user typed, and every engine, embedded or remote, gets
the same query: parameters mean the same everywhere.
"""

from __future__ import annotations

import pyoxigraph as ox

from bortekg import sparqlscan as scan
from bortekg.sparqlscan import Token


_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


class BindingError(ValueError):
    """The query has no WHERE group that a VALUES block can join."""


def bind_values(sparql: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with ``VALUES (?a ?b) { (term term) }`` opening its outer WHERE group."""
    if not bindings:
        return sparql
    tokens = scan.tokenize(sparql)
    opening = _where_group(tokens)
    names = sorted(bindings)
    block = (
        f" VALUES ({' '.join('?' + name for name in names)}) "
        f"{{ ({' '.join(str(bindings[name]) for name in names)}) }} "
    )
    start = tokens[opening].start + 1
    following = tokens[opening + 1] if opening + 1 < len(tokens) else None
    if following is not None and following.is_word("SELECT"):
        # a group that is a sub-select takes no other element: nest the sub-select instead
        closing = tokens[scan.matching_close(tokens, opening)].start
        return sparql[:start] + block + "{ " + sparql[start:closing] + " } " + sparql[closing:]
    return sparql[:start] + block + sparql[start:]


def _where_group(tokens: list[Token]) -> int:
    """The index of the ``{`` that opens the outer WHERE group."""
    form = next((i for i, t in enumerate(tokens) if t.is_word(*_FORMS)), None)
    if form is None:
        raise BindingError("not a query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
    start = form + 1
    if tokens[form].is_word("CONSTRUCT") and start < len(tokens):
        if tokens[start].is_word("WHERE"):
            raise BindingError("parameters cannot be bound in the CONSTRUCT WHERE short form; "
                               "write CONSTRUCT { template } WHERE { pattern }")
        if tokens[start].text == "{":
            start = scan.matching_close(tokens, start) + 1  # skip the template
    depth = 0  # brackets of projection expressions, which may hold EXISTS { ... }
    for index in range(start, len(tokens)):
        token = tokens[index]
        if token.kind != scan.PUNCT:
            continue
        if token.text in "([":
            depth += 1
        elif token.text in ")]":
            depth -= 1
        elif token.text == "{" and depth == 0:
            return index
    raise BindingError("the query has no WHERE group to bind parameters in")
