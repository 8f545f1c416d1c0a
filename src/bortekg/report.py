"""Validation reports a curator can act on: human text, JSON with stable keys, or a standard
SHACL ``sh:ValidationReport`` in Turtle.

A report holds its results twice: as display entries (focus node with its label, the
property path as a CURIE, the value, severity, message, file and line) and as the SHACL
report graph, so that the Turtle output stays a standard report with pyshacl's own paths.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from bortekg import namespaces as ns

if TYPE_CHECKING:
    import rdflib

SH = "http://www.w3.org/ns/shacl#"
SEVERITIES = ("Violation", "Warning", "Info")

#: Output formats of a report.
REPORT_FORMATS = ("human", "json", "turtle")


@dataclass(frozen=True)
class Entry:
    """One result of a report, in the words a curator reads."""

    file: str
    line: int | None
    focus: str
    focus_label: str | None
    path: str | None
    value: str | None
    severity: str
    message: str
    source_shape: str | None
    constraint: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    """The results of validating one or more submissions."""

    entries: list[Entry] = field(default_factory=list)
    graph: rdflib.Graph | None = None
    files: list[str] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        """True when no result is a violation (warnings and infos do not block a submission)."""
        return not any(e.severity == "Violation" for e in self.entries)

    def count(self, severity: str) -> int:
        return sum(1 for e in self.entries if e.severity == severity)

    @classmethod
    def merge(cls, reports: list[Report]) -> Report:
        """One report over several submissions (one sh:ValidationReport node)."""
        import rdflib
        from rdflib.namespace import RDF

        merged = cls()
        graph = new_report_graph()
        report_node = next(graph.subjects(RDF.type, rdflib.URIRef(SH + "ValidationReport")))
        for report in reports:
            merged.entries.extend(report.entries)
            merged.files.extend(report.files)
            if report.graph is not None:
                copy_results(report.graph, graph, report_node)
        set_conforms(graph, merged.conforms)
        merged.graph = graph
        return merged


def new_report_graph() -> rdflib.Graph:
    """An empty sh:ValidationReport that conforms."""
    import rdflib
    from rdflib.namespace import RDF

    graph = rdflib.Graph()
    graph.bind("sh", SH)
    for prefix, namespace in ns.PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.bind("bksh", ns.BASE + "shapes/")
    report = rdflib.BNode()
    graph.add((report, RDF.type, rdflib.URIRef(SH + "ValidationReport")))
    graph.add((report, rdflib.URIRef(SH + "conforms"), rdflib.Literal(True)))
    return graph


def copy_results(source: rdflib.Graph, target: rdflib.Graph, report_node) -> None:
    """Every result of the reports in ``source`` (with its paths and values), under ``report_node``."""
    import rdflib
    from rdflib.namespace import RDF

    reports = set(source.subjects(RDF.type, rdflib.URIRef(SH + "ValidationReport")))
    for result in source.objects(None, rdflib.URIRef(SH + "result")):
        target.add((report_node, rdflib.URIRef(SH + "result"), result))
    for triple in source:
        if triple[0] not in reports:
            target.add(triple)


def set_conforms(graph: rdflib.Graph, conforms: bool) -> None:
    import rdflib
    from rdflib.namespace import RDF

    for report in graph.subjects(RDF.type, rdflib.URIRef(SH + "ValidationReport")):
        graph.set((report, rdflib.URIRef(SH + "conforms"), rdflib.Literal(conforms)))


# --------------------------------------------------------------------------- rendering


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "turtle":
        return render_turtle(report)
    if fmt == "human":
        return render_human(report)
    raise ValueError(f"unknown report format {fmt!r}; choose one of: {', '.join(REPORT_FORMATS)}")


def render_json(report: Report) -> str:
    document = {
        "conforms": report.conforms,
        "files": report.files,
        "violations": report.count("Violation"),
        "warnings": report.count("Warning"),
        "infos": report.count("Info"),
        "results": [e.as_dict() for e in report.entries],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_turtle(report: Report) -> str:
    graph = report.graph if report.graph is not None else new_report_graph()
    return graph.serialize(format="turtle")


def render_human(report: Report) -> str:
    """Results grouped by file and focus node, each node named by its label and IRI."""
    lines: list[str] = []
    groups: dict[tuple[str, str], list[Entry]] = {}
    for entry in report.entries:
        groups.setdefault((entry.file, entry.focus), []).append(entry)
    for (file, focus), entries in groups.items():
        label = next((e.focus_label for e in entries if e.focus_label), None)
        title = f'"{label}" ' if label else ""
        lines.append(f"{title}{ns.curie(focus)}  <{focus}>  ({file})")
        for entry in entries:
            subject = entry.path or "(the node itself)"
            if entry.value is not None:
                subject += f" = {entry.value}"
            at = f"line {entry.line}: " if entry.line is not None else ""
            lines.append(f"  {entry.severity}: {at}{subject}")
            lines.append(f"    {entry.message}")
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines) + "\n"


def summary(report: Report) -> str:
    files = ", ".join(report.files) or "no file"
    counts = [
        f"{report.count(s)} {s.lower()}{'s' if report.count(s) != 1 else ''}"
        for s in SEVERITIES
        if report.count(s)
    ]
    if report.conforms:
        verdict = "conforms" + (f" ({', '.join(counts)})" if counts else "")
    else:
        nodes = len({(e.file, e.focus) for e in report.entries if e.severity == "Violation"})
        verdict = f"does not conform: {', '.join(counts)} on {nodes} node{'s' if nodes != 1 else ''}"
    return f"{files}: {verdict}"
