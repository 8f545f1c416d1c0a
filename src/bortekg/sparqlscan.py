"""A SPARQL 1.1 tokenizer: just enough lexical structure to inspect a query safely.

It knows where strings, IRIs, comments, variables and prefixed names begin and end, so that
a keyword is recognised only where it is a keyword (``SERVICE`` inside a string, an IRI, a
comment or ``ex:SERVICE`` is not one). The query checks in ``bortekg.safety`` and the
parameter binding in ``bortekg.binding`` read its tokens; nothing here runs a query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Token kinds.
IRI, STRING, VAR, PNAME, NUMBER, WORD, LANGTAG, PUNCT, OTHER = (
    "iri", "string", "var", "pname", "number", "word", "langtag", "punct", "other",
)


def _name_class(extra: str = "") -> str:
    """A character class of ASCII letters, ``extra`` and every character from U+00C0 up.

    The grammar's exact Unicode ranges cost 20 ms to compile at every start, a negated class
    almost nothing. Tokens can only come out longer than the grammar's: the characters that
    makes a difference to are invalid outside strings, IRIs and comments, so such a query
    fails to parse rather than slipping past a check.
    """
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") | set(extra)
    excluded = [code for code in range(0xC0) if chr(code) not in allowed]
    ranges: list[tuple[int, int]] = []
    for code in excluded:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "[^" + "".join(f"\\x{a:02X}" if a == b else f"\\x{a:02X}-\\x{b:02X}" for a, b in ranges) + "]"


_DIGITS = "0123456789"
_BASE = _name_class()
_MIDDLE_DOT = "\u00B7"
_CHARS = "_-" + _MIDDLE_DOT + _DIGITS
_PN_CHARS = _name_class(_CHARS)
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"{_BASE}(?:{_name_class(_CHARS + '.')}*{_PN_CHARS})?"
_PN_LOCAL = (
    f"(?:{_name_class('_:' + _DIGITS)}|{_PLX})"
    f"(?:(?:{_name_class(_CHARS + '.:')}|{_PLX})*(?:{_name_class(_CHARS + ':')}|{_PLX}))?"
)
_VARNAME = f"{_name_class('_' + _DIGITS)}{_name_class('_' + _MIDDLE_DOT + _DIGITS)}*"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
              |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'
              |"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$]{_VARNAME})
  | (?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?|_:{_name_class('_' + _DIGITS)}(?:{_name_class(_CHARS + '.')}*{_PN_CHARS})?)
  | (?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|[{{}}()\[\];,.|/^*+?!=<>-])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int  # offset in the scanned text
    line: int

    def is_word(self, *words: str) -> bool:
        """True for a bare word equal (case-insensitively) to one of ``words``."""
        return self.kind == WORD and self.text.upper() in words


def tokenize(text: str) -> list[Token]:
    """The query's tokens, without white space and comments."""
    tokens: list[Token] = []
    line = 1
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None  # every alternative of the pattern is a named group
        value = match.group()
        if kind not in ("space", "comment"):
            tokens.append(Token(kind, value, match.start(), line))
        line += value.count("\n")
    return tokens


def unescape_codepoints(text: str) -> str:
    """Replace the \\u escapes (four hex digits) and \\U escapes (eight hex digits) by their characters.

    SPARQL 1.1 lets an engine apply this to the whole query text before parsing; some
    engines do, others only inside IRIs and strings, so a check must look at both readings.
    """

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()

    return _CODEPOINT.sub(replace, text)


def iri_value(token: Token) -> str:
    """The IRI an IRIREF token names, escapes resolved and brackets removed."""
    return unescape_codepoints(token.text[1:-1])


def matching_close(tokens: list[Token], index: int) -> int:
    """The index of the bracket that closes the one at ``index`` (or -1 when none does)."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    opening = tokens[index].text
    closing = pairs[opening]
    depth = 0
    for position in range(index, len(tokens)):
        token = tokens[position]
        if token.kind != PUNCT:
            continue
        if token.text == opening:
            depth += 1
        elif token.text == closing:
            depth -= 1
            if depth == 0:
                return position
    return -1
