"""Compare query answers from different engines as multisets of rows, by value.

Engines write the same value differently: Virtuoso returns ``1.0`` as ``"1"^^xsd:decimal``, and
``true`` as ``"1"^^xsd:boolean`` or, once it went through a VALUES block, as the integer 1;
rdflib keeps the lexical form it parsed, a string may come
back as ``"x"`` or ``"x"^^xsd:string``. These differences are handled in the comparison, not
in the queries: numbers compare by numeric value, booleans as the numbers 1 and 0 (the
only way Virtuoso's answers can be compared), blank nodes as blank.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                             "nonNegativeInteger", "positiveInteger", "negativeInteger",
                             "nonPositiveInteger", "unsignedInt", "unsignedLong")}
Value = tuple


def value_of(term: ox.Term | None) -> Value:
    """A comparable value for one term of a result row."""
    if term is None:
        return ("unbound",)
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("blank",)
    assert isinstance(term, ox.Literal)
    datatype = term.datatype.value
    if datatype in NUMERIC:
        try:
            return ("number", Decimal(term.value).normalize())
        except InvalidOperation:
            return ("number", term.value)  # INF, NaN
    if datatype == XSD + "boolean":
        return ("number", Decimal(1 if term.value.strip().lower() in ("true", "1") else 0))
    if term.language:
        return ("text", term.value, term.language.lower())
    if datatype == XSD + "string":
        return ("text", term.value, "")
    return ("typed", term.value, datatype)


def row_multiset(results: ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]) -> Counter:
    """Rows (or triples, or the boolean) as a multiset of value tuples, variables in name order."""
    if isinstance(results, ox.QueryBoolean):
        return Counter({("ask", bool(results)): 1})
    if isinstance(results, list):
        return Counter((value_of(t.subject), value_of(t.predicate), value_of(t.object)) for t in results)
    names = sorted(v.value for v in results.variables)
    return Counter(tuple(value_of(row[name]) for name in names) for row in results)


def describe_difference(expected: Counter, actual: Counter, limit: int = 8) -> str:
    """Rows only in one of two multisets, for a failure message."""
    only_expected = list((expected - actual).elements())[:limit]
    only_actual = list((actual - expected).elements())[:limit]
    lines = [f"{sum(expected.values())} rows expected, {sum(actual.values())} returned"]
    lines += [f"  only in expected: {row}" for row in only_expected]
    lines += [f"  only in actual:   {row}" for row in only_actual]
    return "\n".join(lines)
