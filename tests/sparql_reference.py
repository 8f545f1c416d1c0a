"""What real SPARQL parsers find in a query: the reference the safety checker is compared with.

rdflib's parser gives a parse tree to walk (SERVICE patterns, LOAD, updates, FROM and FROM
NAMED clauses with their IRIs resolved by rdflib's own prologue handling). It applies the
``\\u`` escapes to the whole text before parsing, as SPARQL 1.1 allows; pyoxigraph applies
them only inside IRIs and strings, so the raw text is also given to rdflib's grammar.
pyoxigraph, the engine bortekg runs, says whether it accepts the text as a query at all.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql import parser as rdflib_parser
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parserutils import CompValue

#: The rdflib parse-tree nodes of the SPARQL 1.1 Update operations.
UPDATE_OPERATIONS = frozenset({
    "Load", "Clear", "Drop", "Create", "Add", "Move", "Copy",
    "InsertData", "DeleteData", "DeleteWhere", "Modify",
})


@dataclass
class Reading:
    """What one parse of the text holds."""

    kind: str  # "query" or "update"
    service: bool = False
    load: bool = False
    updates: list[str] = field(default_factory=list)
    dataset: list[str] = field(default_factory=list)  # FROM and FROM NAMED IRIs, resolved

    def unsafe(self, allowed_graphs: Collection[str]) -> str | None:
        """Why a checker must refuse this reading, or None."""
        if self.service:
            return "SERVICE"
        if self.load:
            return "LOAD"
        if self.kind == "update" and self.updates:
            return "update " + ", ".join(self.updates)
        outside = [iri for iri in self.dataset if iri not in allowed_graphs]
        if outside:
            return "FROM " + ", ".join(outside)
        return None


def _nodes(value: Any) -> Iterator[CompValue]:
    if isinstance(value, CompValue):
        yield value
        for child in value.values():
            yield from _nodes(child)
    elif isinstance(value, (list, tuple, ParseResults)):
        for child in value:
            yield from _nodes(child)


def _read_tree(kind: str, tree: Any) -> Reading:
    reading = Reading(kind)
    prologue = None
    for node in _nodes(tree):
        if node.name == "ServiceGraphPattern":
            reading.service = True
        elif node.name == "Load":
            reading.load = True
        if node.name in UPDATE_OPERATIONS:
            reading.updates.append(node.name)
    if kind == "query":
        prologue = translatePrologue(tree[0], None)
        # (CompValue.get answers a missing key with the key itself: test membership instead)
        for clause in tree[1]["datasetClause"] if "datasetClause" in tree[1] else []:
            term = clause["default"] if "default" in clause else clause["named"]
            reading.dataset.append(str(prologue.absolutize(term)))
    return reading


_ESCAPE = re.compile(r"\\\\|\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: Characters an escape may stand for without changing how the text splits into tokens.
_NEUTRAL = set(string.ascii_letters + string.digits + "-._~:/?#@!$&()*+,;=%")


def engine_style(text: str) -> str:
    """The text as pyoxigraph reads it, for rdflib's grammar: escapes only inside IRIs and strings.

    pyoxigraph refuses an escape anywhere else, so in a text it accepts each escape is a
    character of an IRI or a string: written out when it cannot end or split either (so
    FROM <...k\\u0062> still names ...kb), a plain letter otherwise.
    """

    def replace(match: re.Match[str]) -> str:
        if match.group() == "\\\\":
            return match.group()
        character = chr(int(match.group(1) or match.group(2), 16))
        return character if character in _NEUTRAL else "X"

    return _ESCAPE.sub(replace, text)


def rdflib_readings(text: str) -> list[Reading]:
    """Every way rdflib's parser reads the text: escapes applied first, as SPARQL 1.1 allows
    and rdflib does, and escapes inside IRIs and strings only, as pyoxigraph does."""
    readings = []
    # rdflib ends a comment only at a line feed; the grammar at a carriage return too. Line
    # ends never change what a query holds, so give rdflib line feeds.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sources = [rdflib_parser.expandUnicodeEscapes(text)] if "\\" in text else [text]
    if "\\" in text and engine_style(text) not in sources:
        sources.append(engine_style(text))
    for source in sources:
        for name, grammar in (("query", rdflib_parser.Query), ("update", rdflib_parser.UpdateUnit)):
            try:
                tree = grammar.parse_string(source, parse_all=True)
            except ParseException:
                continue
            except Exception:  # rdflib's parse actions raise on some valid input (e.g. -1.0)
                continue
            try:
                readings.append(_read_tree(name, tree if name == "query" else tree[0]))
            except Exception as error:  # an undeclared prefix: rdflib refuses the query too
                if "Unknown namespace prefix" in str(error):
                    continue
                raise
    return readings


def oxigraph_accepts_query(text: str) -> bool:
    """True when pyoxigraph parses the text as a query (an empty store; nothing is fetched)."""
    try:
        ox.Store().query(text)
    except SyntaxError:
        return False
    except Exception:  # an evaluation error: the text parsed
        return True
    return True
