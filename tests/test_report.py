"""Validation reports: grouping, severities, merging, and the three output formats."""

from __future__ import annotations

import json

import pytest
import rdflib

from bortekg.report import (
    Entry,
    Report,
    copy_results,
    new_report_graph,
    render,
    render_human,
    render_json,
    render_turtle,
    set_conforms,
    summary,
)

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
CLAIM = "https://w3id.org/bortekg/claim/x"


def entry(severity: str = "Violation", **changes) -> Entry:
    values = dict(file="f.ttl", line=3, focus=CLAIM, focus_label="claim x", path="bkg:grade", value="7",
                  severity=severity, message="A grade is 0 to 5.", source_shape=None,
                  constraint="sh:MaxInclusiveConstraintComponent")
    values.update(changes)
    return Entry(**values)


def report_with(*entries: Entry) -> Report:
    graph = new_report_graph()
    node = next(graph.subjects(rdflib.RDF.type, SH.ValidationReport))
    for e in entries:
        result = rdflib.BNode()
        graph.add((node, SH.result, result))
        graph.add((result, SH.focusNode, rdflib.URIRef(e.focus)))
    report = Report(entries=list(entries), graph=graph, files=["f.ttl"])
    set_conforms(graph, report.conforms)
    return report


def test_only_violations_make_a_report_fail() -> None:
    assert report_with(entry("Warning"), entry("Info")).conforms
    assert not report_with(entry("Warning"), entry()).conforms
    assert report_with(entry("Warning"), entry()).count("Warning") == 1


def test_human_report_groups_by_node_with_label_iri_path_value_and_line() -> None:
    text = render_human(report_with(entry(), entry(path="prov:wasDerivedFrom", value=None, line=1,
                                                   message="Add the source.")))
    assert text.splitlines()[:5] == [
        f'"claim x" bkc:x  <{CLAIM}>  (f.ttl)',
        "  Violation: line 3: bkg:grade = 7",
        "    A grade is 0 to 5.",
        "  Violation: line 1: prov:wasDerivedFrom",
        "    Add the source.",
    ]
    assert text.rstrip().endswith("f.ttl: does not conform: 2 violations on 1 node")


def test_summary_counts_severities() -> None:
    assert summary(report_with()) == "f.ttl: conforms"
    assert summary(report_with(entry("Warning"))) == "f.ttl: conforms (1 warning)"


def test_json_report_has_stable_keys() -> None:
    data = json.loads(render_json(report_with(entry())))
    assert list(data) == ["conforms", "files", "violations", "warnings", "infos", "results"]
    assert data["results"] == [entry().as_dict()]


def test_turtle_report_is_a_shacl_report() -> None:
    graph = rdflib.Graph().parse(data=render_turtle(report_with(entry())), format="turtle")
    assert (None, SH.conforms, rdflib.Literal(False)) in graph
    assert len(list(graph.objects(None, SH.result))) == 1


def test_merge_makes_one_report_node_with_every_result() -> None:
    merged = Report.merge([report_with(entry()), report_with(), report_with(entry("Info"))])
    assert merged.files == ["f.ttl"] * 3 and len(merged.entries) == 2
    assert len(list(merged.graph.subjects(rdflib.RDF.type, SH.ValidationReport))) == 1
    assert len(list(merged.graph.objects(None, SH.result))) == 2
    assert (None, SH.conforms, rdflib.Literal(False)) in merged.graph


def test_copy_results_keeps_result_details_but_not_the_source_report_node() -> None:
    source = report_with(entry()).graph
    target = new_report_graph()
    node = next(target.subjects(rdflib.RDF.type, SH.ValidationReport))
    copy_results(source, target, node)
    [result] = target.objects(node, SH.result)
    assert target.value(result, SH.focusNode) == rdflib.URIRef(CLAIM)
    assert len(list(target.subjects(rdflib.RDF.type, SH.ValidationReport))) == 1


def test_render_dispatches_and_refuses_unknown_formats() -> None:
    report = report_with()
    assert render(report, "human") == render_human(report)
    assert render(report, "json") == render_json(report)
    with pytest.raises(ValueError, match="human, json, turtle"):
        render(report, "yaml")
