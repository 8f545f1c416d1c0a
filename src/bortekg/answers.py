"""Answers of competency questions as plain rows: records (dicts) for programs, and the
evidence behind each row (its claim's verbatim quote and source) joined on its claim column.

Every question returns the claim a row rests on in its ``claim`` column, so the evidence is
one query away, whatever the number of rows (no query per row).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from bortekg import namespaces as ns

#: The column every question uses for the claim a row rests on.
CLAIM_COLUMN = "claim"
#: The columns ``with_evidence`` adds.
EVIDENCE_COLUMNS = ("evidenceQuote", "evidenceSource")

_EVIDENCE_QUERY = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX bkg: <https://w3id.org/bortekg/>
SELECT ?claim ?quote ?source WHERE {
  VALUES ?claim { %s }
  ?claim bkg:evidenceQuote ?quote ; prov:wasDerivedFrom ?source .
}
"""
# claims per evidence query: keeps each query small on a large answer
_BATCH = 200

_INTEGER_TYPES = {ns.XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger",
                                       "positiveInteger", "nonPositiveInteger", "negativeInteger")}
_FLOAT_TYPES = {ns.XSD + t for t in ("decimal", "double", "float")}


@dataclass
class Answer:
    """A SELECT answer as columns and rows (unbound cells are None)."""

    columns: list[str]
    rows: list[dict[str, ox.Term | None]]

    @classmethod
    def of(cls, results: ox.QuerySolutions) -> Answer:
        columns = [v.value for v in results.variables]
        return cls(columns, [{c: solution[c] for c in columns} for solution in results])

    def records(self) -> list[dict[str, Any]]:
        """Plain JSON-ready dicts, one per row, every column a key (None when unbound):
        IRIs as strings, numbers as numbers, booleans as booleans, other literals as text."""
        return [{c: plain_value(row[c]) for c in self.columns} for row in self.rows]

    def solutions(self) -> ox.QuerySolutions:
        """The answer as pyoxigraph query solutions, for the standard result formats."""
        bindings = [{c: _json_term(t) for c, t in row.items() if t is not None} for row in self.rows]
        document = {"head": {"vars": self.columns}, "results": {"bindings": bindings}}
        return ox.parse_query_results(json.dumps(document).encode(), format=ox.QueryResultsFormat.JSON)


def rows_as_records(results: ox.QuerySolutions) -> list[dict[str, Any]]:
    """The rows of a SELECT answer as plain dicts with the answer's column names as keys
    (a list ``pandas.DataFrame`` takes as it is)."""
    return Answer.of(results).records()


def plain_value(term: ox.Term | None) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGER_TYPES:
                return int(term.value)
            if datatype in _FLOAT_TYPES:
                return float(term.value)
        except ValueError:
            return term.value
        if datatype == ns.XSD + "boolean":
            return term.value in ("true", "1")
        return term.value
    return term.value


def _json_term(term: ox.Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    found = {"type": "literal", "value": term.value}
    if term.language:
        found["xml:lang"] = term.language
    elif term.datatype.value != ns.XSD + "string":
        found["datatype"] = term.datatype.value
    return found


class NoClaimColumnError(ValueError):
    """The answer has no claim column to join evidence on."""


def with_evidence(answer: Answer, fetch, claim_column: str = CLAIM_COLUMN) -> Answer:
    """The answer with each row's evidence: its claim's verbatim quote(s) and source document. ``fetch(sparql)`` runs a SELECT and returns its QuerySolutions (on the same
    engine as the answer). A claim with several quotes gets them all, one per line."""
    if claim_column not in answer.columns:
        raise NoClaimColumnError(
            f"this question has no {claim_column!r} column to join evidence on "
            f"(its columns: {', '.join(answer.columns)})")
    claims = sorted({claim.value for row in answer.rows
                     if isinstance(claim := row[claim_column], ox.NamedNode)})
    quotes: dict[str, set[str]] = {}
    sources: dict[str, set[str]] = {}
    for start in range(0, len(claims), _BATCH):
        values = " ".join(str(ox.NamedNode(c)) for c in claims[start:start + _BATCH])
        for solution in fetch(_EVIDENCE_QUERY % values):
            claim = solution["claim"].value
            quotes.setdefault(claim, set()).add(solution["quote"].value)
            sources.setdefault(claim, set()).add(solution["source"].value)

    def joined(found: dict[str, set[str]], claim: str, as_iri: bool = False) -> ox.Term | None:
        if claim not in found:
            return None
        if as_iri and len(found[claim]) == 1:
            return ox.NamedNode(next(iter(found[claim])))
        return ox.Literal("\n".join(sorted(found[claim])))

    rows = []
    for row in answer.rows:
        claim_term = row[claim_column]
        claim = claim_term.value if isinstance(claim_term, ox.NamedNode) else ""
        rows.append({**row, "evidenceQuote": joined(quotes, claim),
                     "evidenceSource": joined(sources, claim, as_iri=True)})
    return Answer([*answer.columns, *EVIDENCE_COLUMNS], rows)
