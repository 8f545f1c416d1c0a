"""Render query results: SELECT/ASK as table, CSV, TSV, JSON or XML; CONSTRUCT/DESCRIBE as RDF."""

from __future__ import annotations

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.store import EXPORT_FORMATS

RESULT_FORMATS: dict[str, ox.QueryResultsFormat | None] = {
    "table": None,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}

ALL_FORMATS = [*RESULT_FORMATS, *(f for f in EXPORT_FORMATS if f not in RESULT_FORMATS)]


def term_text(term: ox.Term | None) -> str:
    """A compact human form of a term: CURIEs for IRIs, bare values for literals."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return ns.curie(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def render_table(header: list[str], rows: list[list[str]]) -> str:
    """A plain-text table that stays readable in a terminal and in a log."""
    if not header:
        return ""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def format_results(
    results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple], fmt: str
) -> bytes:
    """Serialise query results in the requested format.

    Graph results (CONSTRUCT, DESCRIBE: QueryTriples or a list of triples) take an RDF format
    and default to Turtle when a tabular format is asked for; SELECT and ASK take a results format.
    """
    if isinstance(results, (ox.QueryTriples, list)):
        rdf_format = EXPORT_FORMATS.get(fmt)
        if rdf_format is None:
            rdf_format = ox.RdfFormat.TURTLE
        if rdf_format.supports_datasets:
            raise ValueError(f"a graph result has no named graphs: use ttl, nt, jsonld or xml, not {fmt}")
        return ox.serialize(list(results), None, rdf_format, prefixes=ns.PREFIXES if fmt == "ttl" else None)
    if fmt not in RESULT_FORMATS:
        raise ValueError(
            f"unknown result format {fmt!r}; choose one of: {', '.join(RESULT_FORMATS)}"
        )
    if isinstance(results, ox.QueryBoolean):
        if fmt == "table":
            return (("true" if bool(results) else "false") + "\n").encode()
        return results.serialize(format=RESULT_FORMATS[fmt])
    if fmt == "table":
        header = [v.value for v in results.variables]
        rows = [[term_text(solution[name]) for name in header] for solution in results]
        return render_table(header, rows).encode()
    return results.serialize(format=RESULT_FORMATS[fmt])
