"""The BIPN forms module is an ontology of its own: its own IRI, an owl:imports of the main
ontology resolved through ontology/catalog-v001.xml, and OWL 2 DL when opened alone
(the OWL API's profile checker, through bortekg.release.owlapi)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from bortekg import namespaces as ns
from bortekg.release import owlapi

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
FORMS_IRI = ns.BASE + "ontology/bipn-forms"

pytestmark = pytest.mark.java


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = owlapi.unavailable_reason()
    if reason:
        pytest.skip(reason)
    return tmp_path_factory.mktemp("owltool")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of ontology/ (modules and catalog) to plant defects in."""
    target = tmp_path / "ontology"
    shutil.copytree(ONTOLOGY, target, ignore=shutil.ignore_patterns("kb", "source-index", "*.tsv", "*.md"))
    return target


def test_forms_module_has_its_own_header_importing_the_main_ontology() -> None:
    triples = {q.triple for q in ox.parse(path=ONTOLOGY / "bipn-forms.ttl", format=ox.RdfFormat.TURTLE)}
    header = ox.NamedNode(FORMS_IRI)
    assert ox.Triple(header, ox.NamedNode(ns.RDF + "type"), ox.NamedNode(ns.OWL + "Ontology")) in triples
    assert ox.Triple(header, ox.NamedNode(ns.OWL + "imports"), ox.NamedNode(ns.ONTOLOGY_IRI)) in triples


def test_catalog_resolves_every_module_to_a_file_beside_it() -> None:
    import xml.etree.ElementTree as ET

    entries = {e.get("name"): e.get("uri") for e in ET.parse(ONTOLOGY / "catalog-v001.xml").getroot()}
    assert entries == {ns.ONTOLOGY_IRI: "bortekg.ttl", FORMS_IRI: "bipn-forms.ttl"}
    assert all((ONTOLOGY / uri).is_file() for uri in entries.values())


def test_forms_module_alone_is_owl2_dl(workdir: Path) -> None:
    report = owlapi.check_dl_profile(ONTOLOGY / "catalog-v001.xml", ONTOLOGY / "bipn-forms.ttl", workdir)
    assert report.in_profile and not report.violations, "\n".join(report.violations)


def test_profile_check_of_the_module_fails_on_a_planted_violation(workdir: Path, copy: Path) -> None:
    """A property of the module's class definitions also declared a data property: illegal punning."""
    with (copy / "bipn-forms.ttl").open("a", encoding="utf-8") as module:
        module.write("\nbkg:hasFeature a owl:DatatypeProperty .\n")
    report = owlapi.check_dl_profile(copy / "catalog-v001.xml", copy / "bipn-forms.ttl", workdir)
    assert not report.in_profile
    assert any(v.startswith("IllegalPunning\t") and "hasFeature" in v for v in report.violations), report.violations


def test_an_import_the_catalog_does_not_resolve_is_an_error_not_a_download(workdir: Path, copy: Path) -> None:
    catalog = copy / "catalog-v001.xml"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace(
        f'<uri name="{ns.ONTOLOGY_IRI}" uri="bortekg.ttl"/>', ""), encoding="utf-8")
    with pytest.raises(owlapi.OwlApiError):
        owlapi.check_dl_profile(catalog, copy / "bipn-forms.ttl", workdir)
