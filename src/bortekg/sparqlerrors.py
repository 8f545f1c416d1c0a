"""Plain messages for SPARQL queries the engine cannot parse.

pyoxigraph's SPARQL parser reports a failure as "error at LINE:COLUMN: expected one of ..."
with its grammar's internals, often at the end of the text whatever the mistake (its
``SyntaxError`` carries no ``lineno`` or ``offset`` for queries, unlike its RDF parsers, so
the position is read from the message). ``explain`` looks for the common human mistakes in
the query's tokens first and names them where they are; only when none is found does it fall
back on the engine's position, with the token found there.

Relative IRIs: a query has no base IRI here. A relative IRI resolved against some base would
mean different things on the embedded store and on a SPARQL server (each server picks its
own base), so it is refused with a message that shows the full IRI and the BASE line to add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bortekg import namespaces as ns
from bortekg import sparqlscan as scan
from bortekg.sparqlscan import Token

_ENGINE_POSITION = re.compile(r"error at (\d+):(\d+): ")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

#: Words that may stand before "(": SPARQL 1.1 functions, aggregates and the keywords that
#: take a bracket (a list, an expression, a projection).
_CALLABLE = frozenset("""
    STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN
    UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY
    HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE
    IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE
    COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT FILTER BIND VALUES IN BY HAVING SELECT DISTINCT
    REDUCED ASC DESC A AS WHERE
""".split())

#: Every other bare word of SPARQL 1.1 queries.
_KEYWORDS = _CALLABLE | frozenset("""
    BASE PREFIX CONSTRUCT DESCRIBE ASK ORDER LIMIT OFFSET FROM NAMED GRAPH OPTIONAL UNION
    MINUS SERVICE SILENT UNDEF TRUE FALSE EXISTS NOT GROUP SEPARATOR
""".split())

_PROJECTION_END = ("WHERE", "FROM")


@dataclass(frozen=True)
class _Finding:
    token: Token
    message: str


class QuerySyntaxError(SyntaxError):
    """A query that does not parse: ``msg`` says what is wrong and how to fix it, at
    ``lineno`` and ``offset`` (the 1-based column)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.lineno = line
        self.offset = column

    def __str__(self) -> str:
        return f"line {self.lineno}, column {self.offset}: {self.msg}"


def explain(text: str, engine_message: str) -> QuerySyntaxError:
    """The plain error for a query the engine refused with ``engine_message``."""
    tokens = scan.tokenize(text)
    for find in (_unbalanced, _undeclared_prefix, _relative_iri, _unknown_function, _unknown_word,
                 _bound_twice, _ungrouped_variable):
        finding = find(tokens)
        if finding is not None:
            line, column = _position(text, finding.token)
            return QuerySyntaxError(finding.message, line, column)
    return _at_engine_position(text, tokens, engine_message)


def _position(text: str, token: Token) -> tuple[int, int]:
    return token.line, token.start - text.rfind("\n", 0, token.start)


def _unbalanced(tokens: list[Token]) -> _Finding | None:
    pairs = {"{": "}", "(": ")", "[": "]"}
    stack: list[Token] = []
    for token in tokens:
        if token.kind != scan.PUNCT:
            continue
        if token.text in pairs:
            stack.append(token)
        elif token.text in pairs.values():
            if not stack:
                return _Finding(token, f"{token.text} closes nothing; remove it or add the bracket it should close")
            if pairs[stack[-1].text] != token.text:
                return _never_closed(stack[-1], pairs[stack[-1].text])
            stack.pop()
    return _never_closed(stack[-1], pairs[stack[-1].text]) if stack else None


def _never_closed(opening: Token, closing: str) -> _Finding:
    return _Finding(opening, f"this {opening.text} is never closed; add {closing} where the group or "
                    "expression it opens ends")


def _declared_prefixes(tokens: list[Token]) -> set[str]:
    return {tokens[i + 1].text[:-1] for i, token in enumerate(tokens[:-1])
            if token.is_word("PREFIX") and tokens[i + 1].kind == scan.PNAME}


def _undeclared_prefix(tokens: list[Token]) -> _Finding | None:
    declared = _declared_prefixes(tokens)
    for index, token in enumerate(tokens):
        if token.kind != scan.PNAME or token.text.startswith("_:"):
            continue
        if index > 0 and tokens[index - 1].is_word("PREFIX"):
            continue
        prefix = token.text.partition(":")[0]
        if prefix not in declared:
            namespace = ns.PREFIXES.get(prefix) or ns.MAPPING_PREFIXES.get(prefix) or "...the namespace IRI..."
            return _Finding(token, f"the prefix {prefix}: is not declared; add the line "
                            f"PREFIX {prefix}: <{namespace}> at the top of the query")
    return None


def _relative_iri(tokens: list[Token]) -> _Finding | None:
    if any(token.is_word("BASE") for token in tokens):
        return None
    for token in tokens:
        # <?a&&?b> in FILTER(?x<?a&&?b>?c) is a comparison to the engine, not an IRI
        if token.kind == scan.IRI and not _SCHEME.match(scan.iri_value(token)) \
                and not token.text.startswith(("<?", "<$")):
            relative = scan.iri_value(token)
            return _Finding(token, f"{token.text} is a relative IRI and queries here have no base IRI; "
                            f"write it in full, e.g. <{ns.BASE}{relative.lstrip('/')}>, or add the line "
                            f"BASE <{ns.BASE}> at the top of the query")
    return None


def _unknown_function(tokens: list[Token]) -> _Finding | None:
    for token, following in zip(tokens, tokens[1:]):
        if token.kind == scan.WORD and following.text == "(" and token.text.upper() not in _CALLABLE:
            return _Finding(token, f"{token.text} is not a SPARQL function; see the list of functions "
                            "in the SPARQL 1.1 specification, section 17.4 (for example STRLEN, CONTAINS, "
                            "LCASE)")
    return None


def _unknown_word(tokens: list[Token]) -> _Finding | None:
    for token in tokens:
        if token.kind == scan.WORD and token.text.upper() not in _KEYWORDS:
            return _Finding(token, f"{token.text} is not a SPARQL keyword; check its spelling (a name needs a "
                            "prefix, as bkg:name, or angle brackets, as <https://...>)")
    return None


def _bound_twice(tokens: list[Token]) -> _Finding | None:
    group_by = _outer_group_by(tokens)
    for index, token in enumerate(tokens[:-1]):
        variable = tokens[index + 1]
        if not token.is_word("AS") or variable.kind != scan.VAR:
            continue
        if group_by is not None and index > group_by:
            continue  # GROUP BY (expression AS ?x) names a new group key
        name = variable.text[1:]
        if _in_projection(tokens, index):
            where_start = next(i for i, t in enumerate(tokens) if t.text == "{" and t.kind == scan.PUNCT)
            where_end = scan.matching_close(tokens, where_start)
            earlier = [t for t in tokens[:index] if t.kind == scan.VAR and t.text[1:] == name
                       and _depth(tokens, tokens.index(t)) == 0]
            others = earlier + [t for t in _binding_occurrences(tokens, where_start, where_end)
                                if t.text[1:] == name]
            where = "the query's WHERE clause or projection"
        else:  # BIND(... AS ?x): the variable must be new in its group so far
            bind = next((i for i in range(index, -1, -1) if tokens[i].is_word("BIND")), index)
            others = [t for t in _binding_occurrences(tokens, _enclosing_group_start(tokens, index), bind)
                      if t.text[1:] == name]
            where = "its group before the BIND"
        if others:
            return _Finding(variable, f"?{name} is bound twice: AS ?{name} gives a value to a variable that "
                            f"{where} already binds; choose a new name for the expression's value")
    return None


def _depth(tokens: list[Token], index: int) -> int:
    """How many round brackets are open at ``index``."""
    depth = 0
    for token in tokens[:index]:
        if token.kind == scan.PUNCT and token.text == "(":
            depth += 1
        elif token.kind == scan.PUNCT and token.text == ")":
            depth -= 1
    return depth


def _binding_occurrences(tokens: list[Token], start: int, end: int) -> list[Token]:
    """The variables between ``start`` and ``end`` outside FILTER constraints (which bind nothing)."""
    found: list[Token] = []
    index = start
    while index < end:
        token = tokens[index]
        if token.is_word("FILTER"):
            after = index + 1
            while after < end and tokens[after].is_word("NOT", "EXISTS"):
                after += 1
            if after < end and tokens[after].text in ("(", "{"):
                close = scan.matching_close(tokens, after)
                index = close + 1 if close > 0 else end
                continue
        if token.kind == scan.VAR:
            found.append(token)
        index += 1
    return found


def _in_projection(tokens: list[Token], index: int) -> bool:
    """True when the token at ``index`` is in the projection of the outer SELECT."""
    for token in tokens[:index]:
        if token.is_word(*_PROJECTION_END) or token.text == "{":
            return False
    return any(token.is_word("SELECT") for token in tokens[:index])


def _enclosing_group_start(tokens: list[Token], index: int) -> int:
    depth = 0
    for position in range(index - 1, -1, -1):
        text = tokens[position].text if tokens[position].kind == scan.PUNCT else ""
        if text == "}":
            depth += 1
        elif text == "{":
            if depth == 0:
                return position
            depth -= 1
    return 0


def _ungrouped_variable(tokens: list[Token]) -> _Finding | None:
    select = next((i for i, t in enumerate(tokens) if t.is_word("SELECT")), None)
    if select is None:
        return None
    projection: list[Token] = []
    aggregated = False
    depth = 0
    for token in tokens[select + 1:]:
        if depth == 0 and (token.is_word(*_PROJECTION_END) or token.text == "{"):
            break
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth > 0 and token.is_word("COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"):
            aggregated = True
        elif depth == 0 and token.kind == scan.VAR:
            projection.append(token)
    group = _outer_group_by(tokens)
    if group is None and not aggregated:
        return None
    grouped = set()
    if group is not None:
        for token in tokens[group + 2:]:
            if token.is_word("HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES") or token.text == "}":
                break
            if token.kind == scan.VAR:
                grouped.add(token.text[1:])
    for token in projection:
        if token.text[1:] not in grouped:
            name = token.text
            return _Finding(token, f"{name} is selected but not grouped: a query with GROUP BY or an aggregate "
                            f"may select only grouped variables and aggregates; add {name} to GROUP BY, or "
                            f"select (SAMPLE({name}) AS ?{name[1:]}_sample)")
    return None


def _outer_group_by(tokens: list[Token]) -> int | None:
    """The index of the outer query's GROUP (outside every brace), or None."""
    depth = 0
    for index, token in enumerate(tokens[:-1]):
        if token.text == "{" and token.kind == scan.PUNCT:
            depth += 1
        elif token.text == "}" and token.kind == scan.PUNCT:
            depth -= 1
        elif depth == 0 and token.is_word("GROUP") and tokens[index + 1].is_word("BY"):
            return index
    return None


def _at_engine_position(text: str, tokens: list[Token], engine_message: str) -> QuerySyntaxError:
    match = _ENGINE_POSITION.match(engine_message)
    if match is None:
        return QuerySyntaxError(f"the query does not parse ({engine_message}); check its syntax", 1, 1)
    line, column = int(match.group(1)), int(match.group(2))
    lines = text.split("\n")
    offset = sum(len(part) + 1 for part in lines[:line - 1]) + column - 1
    found = next((t for t in tokens if t.start <= offset < t.start + len(t.text)), None)
    if found is None:
        found = next((t for t in tokens if t.start >= offset), None)
    if found is None:
        return QuerySyntaxError("the query ends too early; finish the clause or group it was in", line, column)
    return QuerySyntaxError(f"the query does not parse at {found.text}; check the syntax just before it "
                            "(a missing dot, a keyword out of place, a misspelt keyword)", line, column)
