"""Check a JSON-LD submission before any JSON-LD processor sees it.

A ``@context`` given by reference (an IRI, ``file:`` included) or through ``@import`` would
make the processor fetch a document on behalf of the input: refused. JSON-LD processors also
drop, without a word, keys that no context defines, relative or invalid identifiers and
invalid language tags; here each of them is an error with its line.

The check reads the contexts loosely (every inline context of the document counts
everywhere): it never refuses what JSON-LD would keep, and catches what it would drop in
the documents curators write.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyoxigraph as ox

from bortekg.ingest.problems import IRI_HINT, LANGUAGE_HINT, SURROGATE_HINT, Problem, line_at
from bortekg.inputs import JsonInputError, load_json

#: Keywords whose values are not IRIs to check here (their contents are walked).
_PLAIN_KEYWORDS = {
    "@value", "@direction", "@index", "@list", "@set", "@graph", "@reverse", "@included",
    "@nest", "@json", "@version", "@protected", "@propagate",
}
_SURROGATE_ESCAPE = re.compile(r"\\u([dD][89a-fA-F][0-9a-fA-F]{2})")


def check_jsonld(text: str) -> list[Problem]:
    """Every problem of a JSON-LD document; an empty list when it is safe and complete."""
    try:
        document = load_json(text)  # nesting depth checked first: deep documents crash parsers
    except JsonInputError as error:
        return [Problem(error.message, line=error.line, column=error.column)]
    checker = _Checker(text)
    refused = list(checker.collect_contexts(document))
    if refused:
        return refused
    return list(checker.walk(document))


@dataclass
class _Checker:
    text: str
    terms: dict[str, str | None] = field(default_factory=dict)
    iri_valued_terms: set[str] = field(default_factory=set)
    has_vocab: bool = False
    has_base: bool = False

    # ------------------------------------------------------------------ contexts

    def collect_contexts(self, value) -> Iterator[Problem]:
        """Record the terms of every inline context; yield a problem per context by reference."""
        if isinstance(value, list):
            for item in value:
                yield from self.collect_contexts(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key == "@context":
                    yield from self._read_context(item)
                elif key == "@import":
                    yield self._reference(item)
                else:
                    yield from self.collect_contexts(item)

    def _read_context(self, context) -> Iterator[Problem]:
        for item in context if isinstance(context, list) else [context]:
            if isinstance(item, str):
                yield self._reference(item)
            elif isinstance(item, dict):
                yield from self._read_context_object(item)

    def _read_context_object(self, context: dict) -> Iterator[Problem]:
        if "@import" in context:
            yield self._reference(context["@import"])
        self.has_vocab |= context.get("@vocab") is not None
        self.has_base |= context.get("@base") is not None
        if isinstance(context.get("@language"), str):
            yield from self._language(context["@language"])
        for term, definition in context.items():
            if term.startswith("@"):
                continue
            if isinstance(definition, str):
                self.terms[term] = definition
                continue
            if not isinstance(definition, dict):
                self.terms[term] = None
                continue
            iri = definition.get("@id")
            self.terms[term] = iri if isinstance(iri, str) else None
            if definition.get("@type") in ("@id", "@vocab"):
                self.iri_valued_terms.add(term)
            if isinstance(definition.get("@language"), str):
                yield from self._language(definition["@language"])
            if "@context" in definition:  # a scoped context
                yield from self._read_context(definition["@context"])

    def _reference(self, reference) -> Problem:
        kind = "a file: @context" if str(reference).lower().startswith("file:") else "a remote @context"
        return Problem(
            f"{kind} ({reference!r}) is refused: bortekg reads nothing on behalf of input data",
            line=self._line_of(str(reference)),
            hint="put the context inline, as a JSON object under \"@context\"",
        )

    # ------------------------------------------------------------------ nodes

    def walk(self, value) -> Iterator[Problem]:
        if isinstance(value, list):
            for item in value:
                yield from self.walk(item)
        elif isinstance(value, str):
            if _has_surrogate(value):
                yield self._surrogate()
        elif isinstance(value, dict):
            for key, item in value.items():
                yield from self._entry(key, item)

    def _entry(self, key: str, item) -> Iterator[Problem]:
        if _has_surrogate(key):
            yield self._surrogate()
        elif key == "@context":
            return  # read by collect_contexts
        elif key == "@language":
            if isinstance(item, str):
                yield from self._language(item)
        elif key == "@id":
            if isinstance(item, str):
                yield from self._identifier(item)
        elif key == "@type":
            for name in item if isinstance(item, list) else [item]:
                if isinstance(name, str):
                    yield from self._vocabulary_name(name, what="type")
        elif key.startswith("@"):
            if key not in _PLAIN_KEYWORDS:
                yield Problem(f"unknown JSON-LD keyword {key!r}", line=self._line_of(key))
            yield from self.walk(item)
        else:
            yield from self._vocabulary_name(key, what="key")
            if key in self.iri_valued_terms:
                for name in item if isinstance(item, list) else [item]:
                    if isinstance(name, str):
                        yield from self._identifier(name)
            yield from self.walk(item)

    def _identifier(self, iri: str) -> Iterator[Problem]:
        """A node identifier: absolute, compact with a known prefix, or relative to an @base."""
        if iri.startswith("_:"):
            return  # a blank node: reported after parsing, with the other blank nodes
        prefix, colon, local = iri.partition(":")
        if not colon:
            if not self.has_base:
                yield Problem(
                    f"relative IRI {iri!r} (JSON-LD would drop it)", line=self._line_of(iri),
                    hint="write the IRI in full, as prefix:name with a prefix of the @context, "
                         "or set @base in the context")
            return
        yield from self._valid_iri(iri, prefix, local)

    def _vocabulary_name(self, name: str, *, what: str) -> Iterator[Problem]:
        """A property key or a type: a term, a compact or absolute IRI, or covered by @vocab."""
        if name in self.terms or name.startswith("@"):
            return
        prefix, colon, local = name.partition(":")
        if colon:
            yield from self._valid_iri(name, prefix, local)
        elif not self.has_vocab:
            yield Problem(
                f"the {what} {name!r} is not defined by the @context (JSON-LD would drop it "
                "without a word)", line=self._line_of(name),
                hint="define it in the @context, or write it as a full IRI or prefix:name")

    def _valid_iri(self, iri: str, prefix: str, local: str) -> Iterator[Problem]:
        namespace = self.terms.get(prefix)
        expanded = namespace + local if namespace else iri
        try:
            ox.NamedNode(expanded)
        except ValueError as error:
            yield Problem(f"invalid IRI {iri!r}: {error}", line=self._line_of(iri), hint=IRI_HINT)

    def _language(self, tag: str) -> Iterator[Problem]:
        try:
            ox.Literal("x", language=tag)
        except ValueError as error:
            yield Problem(f"invalid language tag {tag!r}: {error}", line=self._line_of(tag),
                          hint=LANGUAGE_HINT)

    def _surrogate(self) -> Problem:
        return Problem("a lone surrogate (half of a UTF-16 pair) in a string",
                       line=_line_of_surrogate(self.text), hint=SURROGATE_HINT)

    def _line_of(self, value: str) -> int | None:
        position = self.text.find(json.dumps(value, ensure_ascii=False))
        return line_at(self.text, position) if position >= 0 else None


def _has_surrogate(value: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)


def _line_of_surrogate(text: str) -> int | None:
    """The line of the first \\uD800-\\uDFFF escape that is not half of a valid pair."""
    pending_high: int | None = None  # offset of a high surrogate waiting for its low half
    previous_end = -1
    for match in _SURROGATE_ESCAPE.finditer(text):
        is_high = int(match.group(1), 16) < 0xDC00
        if pending_high is not None:
            if not is_high and match.start() == previous_end:
                pending_high = None
                continue
            return line_at(text, pending_high)
        if not is_high:
            return line_at(text, match.start())
        pending_high, previous_end = match.start(), match.end()
    return line_at(text, pending_high) if pending_high is not None else None
