"""The SSSOM export: valid for the ``sssom`` package's validator, and exactly the graph's
verified mappings, labelled as the verified cross-reference table labels them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from bortekg import KnowledgeGraph, resources
from bortekg import namespaces as ns
from bortekg.cli import main
from bortekg.exports.sssom import (
    JUSTIFICATION,
    mapping_rows,
    sssom_bytes,
    verified_ids,
    write_sssom,
)
from bortekg.outputs import OutputError

pytest.importorskip("sssom")

SKOS = rdflib.Namespace(ns.SKOS)
UNVERIFIED = rdflib.URIRef(ns.BKG + "unverifiedMapping")


@pytest.fixture(scope="module")
def sssom_file(kg, tmp_path_factory) -> Path:
    return write_sssom(kg, tmp_path_factory.mktemp("sssom") / "bortekg.sssom.tsv")


def _problems(path: Path) -> list[str]:
    """Every result of the sssom validator's default checks (JSON schema, prefix map
    completeness, strict CURIE format) for the table at ``path``."""
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    reports = validate(parse_sssom_table(path), fail_on_error=False)
    return [f"{kind.value}: {result}" for kind, report in reports.items() for result in report.results]


def _table_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))


def test_the_sssom_validator_finds_no_problem(sssom_file: Path) -> None:
    assert _problems(sssom_file) == []


def test_the_validator_reports_a_planted_defect(sssom_file: Path, tmp_path: Path) -> None:
    text = sssom_file.read_text(encoding="utf-8")
    broken = tmp_path / "broken.sssom.tsv"
    # a vocabulary the curie_map does not declare (the parser fills in missing metadata and
    # drops rows it cannot read, so this is the defect the validator itself can see)
    broken.write_text(text.replace("\tCHEBI:52717\t", "\tNOTAPREFIX:52717\t", 1), encoding="utf-8")
    problems = _problems(broken)
    assert any("NOTAPREFIX" in p for p in problems), problems


def test_the_metadata_block_says_what_the_set_is(sssom_file: Path) -> None:
    import yaml

    header = "".join(line[2:] for line in sssom_file.read_text(encoding="utf-8").splitlines(keepends=True)
                     if line.startswith("# "))
    metadata = yaml.safe_load(header)
    assert metadata["mapping_set_id"].startswith(ns.BASE) and metadata["license"].startswith("https://creativecommons.org/")
    assert metadata["mapping_provider"] == ns.BASE and metadata["creator_label"]
    assert "verified-xrefs.tsv" in metadata["mapping_set_description"]
    used = {row[c].split(":")[0] for row in _table_rows(sssom_file) for c in ("subject_id", "predicate_id", "object_id")}
    assert used <= set(metadata["curie_map"])


def test_rows_are_the_verified_mappings_of_the_graph(sssom_file: Path, ontology_graph) -> None:
    verified: dict[str, str] = {}
    path = resources.ontology_dir() / "verified-xrefs.tsv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"):
            verified.setdefault(row["id"].upper(), row["official_label"])
    expected = {(ns.curie(str(s)), "skos:" + str(p)[len(ns.SKOS):], ns.curie(str(o)))
                for p in (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)
                for s, o in ontology_graph.subject_objects(p)
                if (s, UNVERIFIED, o) not in ontology_graph}
    rows = _table_rows(sssom_file)
    assert {(r["subject_id"], r["predicate_id"], r["object_id"]) for r in rows} == expected
    for row in rows:
        assert row["object_id"].upper() in verified, f"{row['object_id']} is not in the verified table"
        assert row["object_label"] == verified[row["object_id"].upper()]
        assert row["mapping_justification"] == JUSTIFICATION
        assert row["subject_label"] == str(ontology_graph.value(rdflib.URIRef(ns.expand(row["subject_id"])),
                                                                rdflib.RDFS.label))


def test_an_unverified_mapping_is_left_out(tmp_path: Path) -> None:
    extra = tmp_path / "unverified.ttl"
    extra.write_text(f"<{ns.BKE}pregabalin> <{ns.SKOS}closeMatch> <http://purl.obolibrary.org/obo/CHEBI_1> ;\n"
                     f"    <{ns.BKG}unverifiedMapping> <http://purl.obolibrary.org/obo/CHEBI_1> .\n",
                     encoding="utf-8")
    rows = mapping_rows(KnowledgeGraph(extra_kb_files=[extra]))
    pregabalin = [r["object_id"] for r in rows if r["subject_id"] == "bke:pregabalin"]
    assert pregabalin and "CHEBI:1" not in pregabalin


def test_verified_ids_reads_the_table() -> None:
    table = verified_ids()
    assert table["CHEBI:52717"].official_label == "bortezomib"
    assert "biomappings" in table["CHEBI:52717"].evidence


def test_write_sssom_refuses_a_folder_and_an_unwritable_path(kg, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="it is a folder"):
        write_sssom(kg, tmp_path)
    with pytest.raises(OutputError, match="cannot write"):
        write_sssom(kg, Path("/proc/self/bortekg.sssom.tsv"))


def test_the_command_writes_the_table_or_prints_it(kg, sssom_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.sssom.tsv"
    written = CliRunner().invoke(main, ["export", "--format", "sssom", "--out", str(out)])
    assert written.exit_code == 0, written.stderr
    assert out.read_bytes() == sssom_file.read_bytes() == sssom_bytes(kg)
    printed = CliRunner().invoke(main, ["export", "--format", "sssom"])
    assert printed.exit_code == 0 and printed.stdout_bytes == sssom_file.read_bytes()
    refused = CliRunner().invoke(main, ["export", "--format", "sssom", "--out", str(tmp_path)])
    assert refused.exit_code == 2 and refused.stdout == "" and refused.stderr.count("\n") == 1
