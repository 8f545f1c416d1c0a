"""Content negotiation for SPARQL answers: the ``Accept`` header (with q-values, read by
python-mimeparse) or a ``format`` parameter picks the serialisation.

Formats carry the command line's names (``bortekg query --format``), so that ``format=csv`` on
the server means what ``--format csv`` means on the command line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import mimeparse

#: Media types offered for SELECT and ASK answers, with the format name each one means; the
#: first is the default for ``*/*`` or no Accept header.
RESULT_MEDIA_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
#: Media types offered for CONSTRUCT and DESCRIBE answers (and the service description).
GRAPH_MEDIA_TYPES: dict[str, str] = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "xml",
    "text/plain": "nt",
    "application/json": "jsonld",
}
#: The media type sent for each format name.
_RESULT_TYPE = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values"}
_GRAPH_TYPE = {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
               "xml": "application/rdf+xml"}


class NotAcceptable(ValueError):
    """No format the answer can take is acceptable to the client (HTTP 406)."""


class UnknownFormat(ValueError):
    """The ``format`` parameter names no format this kind of answer takes (HTTP 400)."""


@dataclass(frozen=True)
class Choice:
    """The format an answer is written in: its command-line name and the media type sent."""

    name: str
    media_type: str

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/") or self.media_type.endswith(("json", "xml"))
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


#: Other names clients give in a ``format`` parameter (SPARQLWrapper sends ``turtle``, ``json-ld``,
#: ``rdf+xml`` and ``n3``; Turtle is a subset of N3, so an N3 reader reads it).
_RESULT_ALIASES = {"srj": "json", "srx": "xml"}
_GRAPH_ALIASES = {"turtle": "ttl", "n3": "ttl", "json-ld": "jsonld", "json": "jsonld", "rdf+xml": "xml",
                  "rdfxml": "xml", "ntriples": "nt", "n-triples": "nt"}


def choose(returns_graph: bool, accept: str | None, format_names: Sequence[str] = ()) -> Choice:
    """The format for an answer: RDF for a graph (CONSTRUCT, DESCRIBE), a results format otherwise.

    ``format_names`` (format names or media types; several only when they all mean the same
    format, as some clients send) win over ``accept``; without either, JSON for results and
    Turtle for a graph.
    """
    offered = GRAPH_MEDIA_TYPES if returns_graph else RESULT_MEDIA_TYPES
    sent = _GRAPH_TYPE if returns_graph else _RESULT_TYPE
    if format_names:
        aliases = _GRAPH_ALIASES if returns_graph else _RESULT_ALIASES
        names = set()
        for given in format_names:
            # a value may list media types, as an Accept header does (SPARQLWrapper sends
            # "application/ld+json,application/x-json+ld"): the ones known here count
            parts = [part.split(";")[0].strip().lower() for part in given.split(",")]
            known = {offered.get(part, aliases.get(part, part)) for part in parts} & set(sent)
            if not known:
                kind = "a CONSTRUCT or DESCRIBE answer" if returns_graph else "a SELECT or ASK answer"
                raise UnknownFormat(f"format={given} does not fit {kind}; give one of "
                                    f"{', '.join(sent)} (or leave it out and send an Accept header)")
            names |= known
        if len(names) > 1:
            raise UnknownFormat(f"the format parameters ask for {' and '.join(sorted(names))} at once; give one")
        name = names.pop()
        return Choice(name, sent[name])
    if not accept or not accept.strip():
        accept = "*/*"
    # best_match prefers the later of equally good offers: list the default last
    candidates = list(reversed(offered))
    try:
        match = mimeparse.best_match(candidates, accept)
    except (ValueError, IndexError):  # a malformed Accept header is as good as none acceptable
        match = ""
    if not match:
        raise NotAcceptable(f"none of the media types in Accept: {accept} can carry this answer; "
                            f"accept one of {', '.join(offered)}")
    return Choice(offered[match], match if match in sent.values() else sent[offered[match]])
