"""The KGX export: Biolink names checked against the pinned model, files valid for the ``kgx``
validator, and a round trip KGX -> RDF (kgx's own transformer) -> the same claims."""

from __future__ import annotations

import csv
import importlib.metadata
import json
import re
import shutil
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.namespace import RDF

from bortekg import namespaces as ns
from bortekg.cli import main
from bortekg.exports import biolink, biolink_map
from bortekg.exports.kgx import FILE_NAMES, INFORES, kgx_records, write_kgx
from bortekg.exports.kgx_check import PROJECT_PREFIXES, kgx_errors, kgx_to_ntriples
from bortekg.outputs import OutputError

pytest.importorskip("kgx")

BIOLINK = "https://w3id.org/biolink/vocab/"
#: Where kgx's RDF writer puts properties that are not Biolink slots.
KGX_UNKNOWN = "https://www.example.org/UNKNOWN/"
BKG = rdflib.Namespace(ns.BKG)


@pytest.fixture(scope="module")
def kgx_dir(kg, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kgx") / "export"
    write_kgx(kg, out)
    return out


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --------------------------------------------------------------------------- the Biolink table


def test_the_pinned_biolink_version_is_the_installed_one() -> None:
    assert biolink.toolkit().get_model_version() == biolink.BIOLINK_VERSION
    assert importlib.metadata.version("biolink-model") == biolink.BIOLINK_VERSION


def test_every_biolink_name_of_the_table_is_in_the_pinned_model() -> None:
    tk = biolink.toolkit()
    for name in biolink_map.CATEGORIES.values():
        assert tk.is_category(name), f"{name!r} is not a Biolink {biolink.BIOLINK_VERSION} category"
    predicates = [rule.predicate for rules in biolink_map.EDGES.values() for rule in rules if rule.predicate]
    for name in [*predicates, *biolink_map.RELATION_PREDICATES.values()]:
        assert tk.is_predicate(name), f"{name!r} is not a Biolink {biolink.BIOLINK_VERSION} predicate"
    for name in biolink_map.EDGE_SLOTS.values():
        assert biolink.is_element(name) and not tk.is_category(name) and not tk.is_predicate(name), name


def test_a_name_biolink_does_not_have_stops_the_export(kg, monkeypatch) -> None:
    with pytest.raises(KeyError, match="not an element of Biolink"):
        biolink.curie("medicinal thing")
    monkeypatch.setitem(biolink_map.CATEGORIES, "Drug", "medicinal thing")
    with pytest.raises(KeyError, match="medicinal thing"):
        kgx_records(kg)


def test_the_table_names_only_classes_and_properties_of_the_ontology(ontology_graph) -> None:
    classes = {str(c) for c in ontology_graph.subjects(RDF.type, rdflib.OWL.Class)}
    properties = {str(p) for kind in (rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty)
                  for p in ontology_graph.subjects(RDF.type, kind)}
    for name in [*biolink_map.CATEGORIES, *biolink_map.EDGES]:
        assert ns.BKG + name in classes, f"bkg:{name} is not a class of the ontology"
    for rules in biolink_map.EDGES.values():
        for rule in rules:
            for prop in [*rule.subject, *rule.object, *filter(None, [rule.predicate_from])]:
                assert ns.BKG + prop in properties, f"bkg:{prop} is not a property of the ontology"
    for relation in biolink_map.RELATION_PREDICATES:
        assert (BKG[relation], RDF.type, BKG.MechanismRelation) in ontology_graph


# --------------------------------------------------------------------------- validity


@pytest.mark.parametrize("ext", ["tsv", "jsonl"])
def test_the_kgx_validator_finds_no_error(kgx_dir: Path, ext: str) -> None:
    errors = kgx_errors(kgx_dir / f"nodes.{ext}", kgx_dir / f"edges.{ext}", extra_prefixes=PROJECT_PREFIXES)
    assert errors == []


def test_with_biolink_prefixes_alone_only_the_project_curies_are_unknown(kgx_dir: Path) -> None:
    errors = kgx_errors(kgx_dir / "nodes.jsonl", kgx_dir / "edges.jsonl")
    assert errors, "the project CURIEs (bke:) are not in the Biolink context, so the validator must say so"
    unknown = {m.group(1) for e in errors for m in [re.search(r"CURIE prefix '([^']+)'", e)] if m}
    assert unknown == {"bke"}
    assert all("CURIE prefix 'bke'" in e for e in errors)


def test_the_validator_reports_a_planted_defect(kgx_dir: Path, tmp_path: Path) -> None:
    nodes, edges = _jsonl(kgx_dir / "nodes.jsonl"), _jsonl(kgx_dir / "edges.jsonl")
    nodes[0]["category"] = ["biolink:MedicinalThing"]
    edges[0]["predicate"] = "biolink:cures_forever"
    for name, records in (("nodes.jsonl", nodes), ("edges.jsonl", edges)):
        (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    errors = kgx_errors(tmp_path / "nodes.jsonl", tmp_path / "edges.jsonl", extra_prefixes=PROJECT_PREFIXES)
    assert any("MedicinalThing" in e for e in errors), errors
    assert any("cures_forever" in e for e in errors), errors


# --------------------------------------------------------------------------- content


def test_tsv_and_jsonl_hold_the_same_records(kgx_dir: Path) -> None:
    for kind in ("nodes", "edges"):
        with open(kgx_dir / f"{kind}.tsv", encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream, delimiter="\t"))
        records = _jsonl(kgx_dir / f"{kind}.jsonl")
        assert len(rows) == len(records) > 100
        for row, record in zip(rows, records, strict=True):
            for key, value in record.items():
                values = value if isinstance(value, list) else [value]
                text = [("true" if v else "false") if isinstance(v, bool) else str(v) for v in values]
                assert row[key].split("|") == [re.sub(r"[\t\r\n|]+", " ", t) for t in text], (record["id"], key)


def test_nodes_carry_verified_identifiers_names_and_the_project_curie(kgx_dir: Path, ontology_graph) -> None:
    nodes = {n["id"]: n for n in _jsonl(kgx_dir / "nodes.jsonl")}
    bortezomib = nodes["CHEBI:52717"]  # ChEBI is the first vocabulary of standard_iris.PREFERENCE
    assert bortezomib["category"] == ["biolink:Drug"] and bortezomib["name"] == "bortezomib"
    assert "bke:bortezomib" in bortezomib["xref"] and "DRUGBANK:DB00188" in bortezomib["xref"]
    assert "Velcade" not in bortezomib.get("synonym", [])  # brand names are look-up names only
    # every entity with a class of the table is a node, under exactly one id
    project = {x for n in nodes.values() for x in [n["id"], *n.get("xref", [])] if x.startswith("bke:")}
    expected = {ns.curie(str(s)) for c in biolink_map.CATEGORIES for s in ontology_graph.subjects(RDF.type, BKG[c])
                if str(s).startswith(ns.BKE)}
    assert project == expected


def test_every_edge_joins_two_nodes_and_keeps_its_provenance(kgx_dir: Path) -> None:
    ids = {n["id"] for n in _jsonl(kgx_dir / "nodes.jsonl")}
    for edge in _jsonl(kgx_dir / "edges.jsonl"):
        assert edge["subject"] in ids and edge["object"] in ids, edge["id"]
        assert edge["primary_knowledge_source"] == INFORES
        assert edge["knowledge_level"] == "knowledge_assertion" and edge["agent_type"] == "manual_agent"
        assert any(p.startswith("bks:") for p in edge["publications"]) and edge["supporting_text"]


def test_claims_without_an_edge_are_those_naming_one_end_only(kg, kgx_dir: Path, ontology_graph) -> None:
    with_edge = {e["id"].split("#")[0] for e in _jsonl(kgx_dir / "edges.jsonl")}
    left_out = []
    for kind, rules in biolink_map.EDGES.items():
        for claim in ontology_graph.subjects(RDF.type, BKG[kind]):
            if ns.curie(str(claim)) in with_edge:
                continue
            left_out.append(ns.curie(str(claim)))
            for rule in rules:
                has = [any(ontology_graph.value(claim, BKG[p]) is not None for p in end)
                       for end in (rule.subject, rule.object)]
                assert not all(has) or rule.predicate_from, f"{claim} has both ends of a rule but no edge"
    assert len(left_out) < 25, left_out  # a handful: how bortezomib is given, patient advice


# --------------------------------------------------------------------------- round trip


def _normal(term: rdflib.term.Node, project_of: dict[str, str]) -> str:
    """One spelling for a value read back from RDF or from the graph: IRIs and CURIEs as the
    project's IRI, numbers by value, booleans in lower case."""
    text = str(term)
    if not isinstance(term, rdflib.URIRef) and re.fullmatch(r"[A-Za-z.]+:[^\s]+", text):
        text = ns.expand(text) or text
    if text in project_of:
        return project_of[text]
    if text in ("True", "False"):
        return text.lower()
    try:
        return str(Decimal(text).normalize()) if re.fullmatch(r"-?\d+(\.\d+)?", text) else text
    except InvalidOperation:
        return text


def _local(iri: rdflib.term.Node) -> str:
    return str(iri)[len(ns.BKG):] if str(iri).startswith(ns.BKG) else re.split(r"[/#]", str(iri))[-1]


def _property_iri(local: str) -> str:
    if local in biolink_map.EDGE_SLOTS:
        return BIOLINK + biolink.slot(biolink_map.EDGE_SLOTS[local])
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", local).lower()
    return KGX_UNKNOWN + (f"claim_{name}" if biolink.is_element(name) else name)


def test_round_trip_through_rdf_gives_back_the_same_claims(kgx_dir: Path, ontology_graph, tmp_path: Path) -> None:
    nt = kgx_to_ntriples(kgx_dir / "nodes.jsonl", kgx_dir / "edges.jsonl", tmp_path / "kgx.nt",
                         extra_prefixes=PROJECT_PREFIXES)
    rdf = rdflib.Graph().parse(nt, format="nt")
    # a node written under a standard identifier names its project IRI among its xrefs
    project_of = {str(node): ns.BKE + str(x)[4:] for node, x in rdf.subject_objects(rdflib.URIRef(BIOLINK + "xref"))
                  if str(x).startswith("bke:")}
    associations = set(rdf.subjects(RDF.type, rdflib.URIRef(BIOLINK + "Association")))
    assert len(associations) == len(_jsonl(kgx_dir / "edges.jsonl"))
    skip = {RDF.type, RDF.subject, RDF.predicate, RDF.object} | {
        rdflib.URIRef(BIOLINK + p) for p in ("primary_knowledge_source", "knowledge_source", "knowledge_level",
                                             "agent_type", "publications", "category")}
    for association in associations:
        claim = rdflib.URIRef(str(association).split("#")[0])
        kind = next(k for k in biolink_map.EDGES if (claim, RDF.type, BKG[k]) in ontology_graph)
        subject = _normal(rdf.value(association, RDF.subject), project_of)
        obj = _normal(rdf.value(association, RDF.object), project_of)
        # the first rule whose ends the claim has; each end is the first of its properties it has
        rule, ends = next((r, ends) for r in biolink_map.EDGES[kind]
                          for ends in [[next((p for p in end if (claim, BKG[p], None) in ontology_graph), None)
                                        for end in (r.subject, r.object)]] if all(ends))
        assert (claim, BKG[ends[0]], rdflib.URIRef(subject)) in ontology_graph, (claim, subject)
        assert (claim, BKG[ends[1]], rdflib.URIRef(obj)) in ontology_graph, (claim, obj)
        ends = set(ends)
        if rule.predicate_from:
            relation = str(ontology_graph.value(claim, BKG[rule.predicate_from]))[len(ns.BKG):]
            predicate = biolink_map.RELATION_PREDICATES[relation]
            ends.add(rule.predicate_from)
        else:
            predicate = rule.predicate
        assert str(rdf.value(association, RDF.predicate)) == BIOLINK + biolink.slot(predicate)
        sources = {str(s) for s in ontology_graph.objects(claim, rdflib.PROV.wasDerivedFrom)}
        publications = {str(p) for p in rdf.objects(association, rdflib.URIRef(BIOLINK + "publications"))}
        assert sources and sources <= publications, claim
        expected = {(_property_iri(_local(p)), _normal(o, project_of))
                    for p, o in ontology_graph.predicate_objects(claim)
                    if p not in (RDF.type, rdflib.PROV.wasDerivedFrom) and _local(p) not in ends}
        expected |= {(_property_iri(f"{_local(p)}_{_local(q)}"), _normal(v, project_of))
                     for p, part in ontology_graph.predicate_objects(claim) if _local(p) in biolink_map.PART_PROPERTIES
                     for q, v in ontology_graph.predicate_objects(part) if q not in (RDF.type, rdflib.RDFS.label)}
        actual = {(str(p), _normal(o, project_of)) for p, o in rdf.predicate_objects(association) if p not in skip}
        assert actual == expected, (f"{claim}: only in KGX {sorted(actual - expected)}; "
                                    f"only in the graph {sorted(expected - actual)}")


# --------------------------------------------------------------------------- files and the command


def test_write_kgx_returns_the_four_files(kgx_dir: Path) -> None:
    assert sorted(p.name for p in kgx_dir.iterdir()) == sorted(FILE_NAMES)


def test_a_file_in_place_of_the_folder_is_refused(kg, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("keep")
    with pytest.raises(OutputError, match="not a folder"):
        write_kgx(kg, target)
    assert target.read_text() == "keep"


def test_a_failed_write_leaves_the_folder_as_it_was(kg, kgx_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(kgx_dir, out)
    (out / "edges.jsonl").unlink()
    (out / "edges.jsonl").mkdir()  # the last file cannot be replaced
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    with pytest.raises(OutputError, match="edges.jsonl"):
        write_kgx(kg, out)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    with pytest.raises(OutputError, match="cannot write into"):
        write_kgx(kg, Path("/proc/self/kgx-export"))  # not writable, even as root


def test_the_command_writes_the_files_and_refuses_bad_output(kgx_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    result = CliRunner().invoke(main, ["export", "--format", "kgx", "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    for name in FILE_NAMES:
        assert (out / name).read_bytes() == (kgx_dir / name).read_bytes()
    afile = tmp_path / "afile"
    afile.write_text("keep")
    refused = CliRunner().invoke(main, ["export", "--format", "kgx", "--out", str(afile)])
    assert refused.exit_code == 2 and refused.stdout == "" and afile.read_text() == "keep"
    assert refused.stderr.count("\n") == 1 and "not a folder" in refused.stderr
    mixed = CliRunner().invoke(main, ["export", "--format", "kgx", "--with-inferred", "--out", str(out)])
    assert mixed.exit_code == 2 and "RDF formats" in mixed.stderr


def test_an_unverified_mapping_is_neither_id_nor_xref(tmp_path: Path) -> None:
    from bortekg import KnowledgeGraph

    extra = tmp_path / "unverified.ttl"
    # bke:bipn has no standard identifier; an unverified one must not give it one
    extra.write_text(f"<{ns.BKE}bipn> <{ns.SKOS}exactMatch> <http://purl.obolibrary.org/obo/MONDO_0000001> ;\n"
                     f"    <{ns.BKG}unverifiedMapping> <http://purl.obolibrary.org/obo/MONDO_0000001> .\n",
                     encoding="utf-8")
    nodes, _ = kgx_records(KnowledgeGraph(extra_kb_files=[extra]))
    bipn = next(n for n in nodes if n["id"] == "bke:bipn")
    assert "MONDO:0000001" not in bipn.get("xref", [])


def test_the_command_line_starts_without_the_export_libraries() -> None:
    import subprocess

    code = ("import sys, bortekg.cli.core; "
            "print(sorted(m for m in ('bmt', 'kgx', 'sssom', 'linkml_runtime') if m in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"


def test_without_the_export_extra_the_command_says_how_to_install_it(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "bmt", None)  # as if bmt were not installed
    biolink.toolkit.cache_clear()
    try:
        result = CliRunner().invoke(main, ["export", "--format", "kgx", "--out", str(tmp_path / "out")])
    finally:
        biolink.toolkit.cache_clear()
    assert result.exit_code == 2 and "pip install 'bortekg[export]'" in result.stderr
    assert result.stderr.count("\n") == 1 and not (tmp_path / "out").exists()
