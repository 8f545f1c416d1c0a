"""Render query results: SELECT/ASK as table, CSV, TSV, JSON or XML; CONSTRUCT/DESCRIBE as RDF."""

from __future__ import annotations

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.store import DATASET_FORMATS, EXPORT_FORMATS

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


def render_table(header: list[str], rows: list[list[str]], width: int | None = None) -> str:
    """A plain-text table that stays readable in a terminal and in a log.

    With ``width``, the widest columns are narrowed until a line fits and their cells wrap
    onto further lines, words kept whole; when even that cannot fit, each row is printed as a
    block of ``column: value`` lines (``render_blocks``). Without it, cells are whole.
    """
    if not header:
        return ""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, *(len(x) for x in cell.splitlines() or [""])) for w, cell in zip(widths, row)]
    if width is not None:
        budget = width - 2 * (len(widths) - 1)
        # keep words whole where the width allows it (a word longer than MAX_WORD may break)
        words = [max((len(word) for cell in column for word in cell.split()), default=0)
                 for column in zip(header, *rows)]
        minimums = [min(w, max(MIN_COLUMN, min(word, MAX_WORD))) for w, word in zip(widths, words)]
        if sum(minimums) > budget:
            # too many columns for the width: one block per row reads better than cut words
            return render_blocks(header, rows, width)
        widths = fit_widths(widths, budget, minimums)
    line = "  ".join("-" * w for w in widths)
    out = _table_lines(header, widths) + [line]
    for row in rows:
        out += _table_lines(row, widths)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


MIN_COLUMN, MAX_WORD = 8, 48  # identifiers (CURIEs) stay whole up to MAX_WORD


def fit_widths(widths: list[int], budget: int, minimums: list[int] | None = None) -> list[int]:
    """Column widths whose sum fits ``budget``: the widest columns give way first, none below
    its minimum (default MIN_COLUMN, or its natural width when smaller); when the minimums
    alone exceed the budget, the table stays wider than the budget."""
    if sum(widths) <= budget:
        return widths
    if minimums is None:
        minimums = [min(w, MIN_COLUMN) for w in widths]

    def capped(cap: int) -> list[int]:
        return [max(m, min(w, cap)) for w, m in zip(widths, minimums)]

    low, high = 0, max(widths)
    while low < high:  # the largest cap whose capped widths fit
        cap = (low + high + 1) // 2
        if sum(capped(cap)) <= budget:
            low = cap
        else:
            high = cap - 1
    result = capped(low)
    # share what is left among the narrowed columns, left to right
    spare = budget - sum(result)
    for i, w in enumerate(widths):
        if spare <= 0:
            break
        if w > result[i]:
            extra = min(spare, w - result[i])
            result[i] += extra
            spare -= extra
    return result


def render_blocks(header: list[str], rows: list[list[str]], width: int) -> str:
    """Each row as a block of ``column: value`` lines wrapped to ``width``; empty cells left out."""
    name_width = max(len(h) for h in header)
    value_width = max(width - name_width - 2, MIN_COLUMN)
    out: list[str] = []
    for number, row in enumerate(rows, 1):
        out.append(f"-[ row {number} ]".ljust(min(width, name_width + 2 + value_width), "-"))
        for name, cell in zip(header, row):
            if not cell:
                continue
            lines = _wrap(cell, value_width)
            out.append(f"{name.rjust(name_width)}  {lines[0]}".rstrip())
            out += [" " * (name_width + 2) + line for line in lines[1:]]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _table_lines(cells: list[str], widths: list[int]) -> list[str]:
    """One table row as one or more lines, each cell wrapped to its column."""
    wrapped = [_wrap(cell, w) for cell, w in zip(cells, widths)]
    height = max((len(c) for c in wrapped), default=1)
    return ["  ".join((c[i] if i < len(c) else "").ljust(w) for c, w in zip(wrapped, widths)).rstrip()
            for i in range(height)]


def _wrap(cell: str, width: int) -> list[str]:
    if len(cell) <= width and "\n" not in cell:
        return [cell]
    import textwrap

    lines: list[str] = []
    for paragraph in cell.splitlines() or [""]:
        lines += textwrap.wrap(paragraph, width=width, break_long_words=True, break_on_hyphens=False) or [""]
    return lines


def terminal_width(wide: bool = False) -> int | None:
    """The width a table should fit: the terminal's when stdout is one (or COLUMNS is set);
    None (whole cells) for ``--wide`` and for output to a file or a pipe."""
    import os
    import sys

    if wide or not (os.environ.get("COLUMNS") or sys.stdout.isatty()):
        return None
    import shutil  # only for a terminal: shutil brings bz2 and lzma along

    return shutil.get_terminal_size().columns


def format_results(
    results: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple], fmt: str,
    width: int | None = None,
) -> bytes:
    """Serialise query results in the requested format.

    Graph results (CONSTRUCT, DESCRIBE: QueryTriples or a list of triples) take an RDF format
    and default to Turtle when a tabular format is asked for; SELECT and ASK take a results format.
    """
    if isinstance(results, (ox.QueryTriples, list)):
        rdf_format = EXPORT_FORMATS.get(fmt)
        if rdf_format is None:
            rdf_format = ox.RdfFormat.TURTLE
        if fmt in DATASET_FORMATS:  # JSON-LD supports datasets too, and serialises a plain graph
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
        return render_table(header, rows, width).encode()
    return results.serialize(format=RESULT_FORMATS[fmt])
