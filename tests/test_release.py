"""bortekg release: a dated release folder with every artefact, a manifest and a changelog.

One full release is built per module (``release``) and shared; the tests of bad input and of
atomicity build small releases from a few artefacts only."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from bortekg import namespaces as ns
from bortekg.release import (
    ARTEFACTS,
    Artefact,
    ArtefactMissing,
    ReleaseError,
    build_release,
    owlapi,
)
from bortekg.release.artefacts import KGX_FILES, SSSOM_FILE
from bortekg.release.manifest import read_manifest, sha256_of
from bortekg.release.stamp import stamp
from bortekg.store import bundled_quads

DATE = "2026-12-01"
ROOT = Path(__file__).resolve().parent.parent
MODULE_IRIS = {"bortekg": ns.ONTOLOGY_IRI, "bipn-forms": ns.BASE + "ontology/bipn-forms"}
VERSION_IRI = ox.NamedNode(ns.OWL + "versionIRI")
VERSION_INFO = ox.NamedNode(ns.OWL + "versionInfo")
KB_ONLY = [a for a in ARTEFACTS if a.name in ("knowledge-base", "changelog")]


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release") / f"bortekg-{DATE}"
    result = build_release(out, date=DATE)
    assert result.folder == out and result.date == DATE
    return out


@pytest.fixture(scope="module")
def manifest(release: Path) -> dict:
    return read_manifest(release)


def _triples(path: Path, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(path=path, format=fmt)}


def _ground(quads) -> set:
    return {q for q in quads if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}


# --------------------------------------------------------------------------- manifest


def test_manifest_lists_every_file_with_its_hash_and_size(release: Path, manifest: dict) -> None:
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert set(listed) == on_disk - {"manifest.json"}
    for path, entry in listed.items():
        assert entry["sha256"] == sha256_of(release / path), path
        assert entry["size"] == (release / path).stat().st_size, path
    assert manifest["release_date"] == DATE


def test_every_artefact_is_written_when_java_and_ontospy_are_here(manifest: dict) -> None:
    if owlapi.unavailable_reason():
        pytest.skip(owlapi.unavailable_reason())
    assert manifest["missing"] == []
    assert set(manifest["artefacts"]) == {a.name for a in ARTEFACTS}
    assert manifest["artefacts"]["ontology-functional-syntax"] == ["ontology/bortekg.ofn", "ontology/bipn-forms.ofn"]
    assert manifest["artefacts"]["knowledge-base"] == ["kb/bortekg.nq", "kb/bortekg.trig", "kb/bortekg.jsonld"]
    assert manifest["artefacts"]["kgx"] == sorted(KGX_FILES)
    assert manifest["artefacts"]["sssom"] == [SSSOM_FILE]


def test_released_kgx_passes_the_kgx_validator_and_carries_the_release_version(release: Path) -> None:
    from bortekg.exports.kgx_check import PROJECT_PREFIXES, kgx_errors

    for suffix in ("tsv", "jsonl"):
        nodes, edges = release / f"kgx/nodes.{suffix}", release / f"kgx/edges.{suffix}"
        assert kgx_errors(nodes, edges, extra_prefixes=PROJECT_PREFIXES) == []
    kb = {q.triple for q in ox.parse(path=release / "kb/bortekg.nq", format=ox.RdfFormat.N_QUADS)}
    claims = {t.subject.value for t in kb if t.subject.value.startswith(ns.BKC)}
    edge_ids = {line.split("\t")[0] for line in (release / "kgx/edges.tsv").read_text().splitlines()[1:]}
    # every edge is a claim of the released graph (a claim naming two entities or more)
    assert edge_ids and {ns.BKC + e.split("#")[0].removeprefix("bkc:") for e in edge_ids} <= claims


def test_released_sssom_passes_the_sssom_validator_with_the_release_version(release: Path) -> None:
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    table = release / SSSOM_FILE
    reports = validate(parse_sssom_table(table), fail_on_error=False)
    assert [result for report in reports.values() for result in report.results] == []
    assert f"mapping_set_version: {DATE}" in table.read_text(encoding="utf-8").replace("'", "").replace('"', "")


def test_a_release_built_twice_is_byte_identical(release: Path, manifest: dict, tmp_path: Path) -> None:
    again = build_release(tmp_path / "again", date=DATE)
    assert again.folder.is_dir()
    first = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
    second = {entry["path"]: entry["sha256"] for entry in read_manifest(tmp_path / "again")["files"]}
    assert second == first
    assert (tmp_path / "again" / "manifest.json").read_bytes() == (release / "manifest.json").read_bytes()


def test_releases_of_two_dates_differ_only_where_the_date_is_stamped(release: Path, tmp_path: Path) -> None:
    later = "2027-01-15"
    build_release(tmp_path / "later", date=later)
    for path in (p for p in release.rglob("*") if p.is_file()):
        relative = path.relative_to(release).as_posix()
        other = tmp_path / "later" / relative
        assert other.is_file(), relative
        old_text, new_text = path.read_bytes(), other.read_bytes()
        if relative == "manifest.json" or old_text == new_text:
            continue
        # a file that changed holds the date where the first held it, and nothing else differs
        assert old_text.replace(DATE.encode(), later.encode()) == new_text or \
            sorted(old_text.replace(DATE.encode(), later.encode()).splitlines()) == sorted(new_text.splitlines()), relative


def test_a_changed_file_no_longer_matches_its_manifest_hash(release: Path, manifest: dict, tmp_path: Path) -> None:
    """The hash check above can fail: one byte changed in a copy of a released file."""
    entry = next(e for e in manifest["files"] if e["path"] == "ontology/bortekg.ttl")
    copy = tmp_path / "bortekg.ttl"
    copy.write_bytes((release / entry["path"]).read_bytes().replace(b"bortezomib", b"bortezomiB", 1))
    assert sha256_of(copy) != entry["sha256"]


# --------------------------------------------------------------------------- ontology


@pytest.mark.parametrize("suffix, fmt", [(".ttl", ox.RdfFormat.TURTLE), (".owl", ox.RdfFormat.RDF_XML)])
@pytest.mark.parametrize("module", MODULE_IRIS)
def test_released_ontology_parses_and_carries_the_stamped_version(release: Path, module: str, suffix: str, fmt) -> None:
    triples = _triples(release / "ontology" / f"{module}{suffix}", fmt)
    header = ox.NamedNode(MODULE_IRIS[module])
    assert {t.object for t in triples if t.subject == header and t.predicate == VERSION_IRI} == {
        ox.NamedNode(f"{MODULE_IRIS[module]}/{DATE}")}
    assert {t.object for t in triples if t.subject == header and t.predicate == VERSION_INFO} == {ox.Literal(DATE)}


def test_turtle_and_rdfxml_hold_the_same_graph(release: Path) -> None:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    for module in MODULE_IRIS:
        turtle = Graph().parse(release / "ontology" / f"{module}.ttl", format="turtle")
        rdfxml = Graph().parse(release / "ontology" / f"{module}.owl", format="xml")
        assert len(turtle) > 0 and isomorphic(turtle, rdfxml), module


def test_released_module_is_the_repository_module_with_only_its_version_changed(release: Path) -> None:
    source = _triples(ROOT / "ontology" / "bipn-forms.ttl", ox.RdfFormat.TURTLE)
    released = _triples(release / "ontology" / "bipn-forms.ttl", ox.RdfFormat.TURTLE)
    versions = (VERSION_IRI, VERSION_INFO)
    assert len(source) == len(released)
    assert {t for t in _ground_triples(source) if t.predicate not in versions} == {
        t for t in _ground_triples(released) if t.predicate not in versions}


def _ground_triples(triples: set[ox.Triple]) -> set[ox.Triple]:
    return {t for t in triples if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}


def test_repository_files_keep_their_own_version(release: Path) -> None:
    """The stamp is written into the release only: the repository's header is not edited."""
    text = (ROOT / "ontology" / "bortekg.ttl").read_text(encoding="utf-8")
    assert f"ontology/{DATE}" not in text


@pytest.mark.java
def test_functional_syntax_loads_in_the_owl_api_in_owl2_dl(release: Path, tmp_path_factory) -> None:
    if owlapi.unavailable_reason():
        pytest.skip(owlapi.unavailable_reason())
    workdir = tmp_path_factory.mktemp("owltool")
    for module, iri in MODULE_IRIS.items():
        path = release / "ontology" / f"{module}.ofn"
        assert f"<{iri}/{DATE}>" in path.read_text(encoding="utf-8")
        report = owlapi.check_dl_profile(release / "ontology" / "catalog-v001.xml", path, workdir)
        assert report.in_profile, report.violations


# --------------------------------------------------------------------------- knowledge base, docs, changelog


def test_knowledge_base_formats_hold_the_stamped_packaged_graphs(release: Path) -> None:
    expected = stamp(bundled_quads(), DATE)
    for name, fmt in (("nq", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG), ("jsonld", ox.RdfFormat.JSON_LD)):
        quads = list(ox.parse(path=release / "kb" / f"bortekg.{name}", format=fmt))
        assert len(set(quads)) == len(set(expected)), name
        assert _ground(quads) == _ground(expected), name
    graphs = {q.graph_name for q in expected}
    assert graphs == {ox.NamedNode(ns.GRAPH_ONTOLOGY), ox.NamedNode(ns.GRAPH_KB)}
    released = set(ox.parse(path=release / "kb" / "bortekg.nq", format=ox.RdfFormat.N_QUADS))
    ontology = ox.NamedNode(ns.ONTOLOGY_IRI)
    assert {q.object for q in released if q.subject == ontology and q.predicate == VERSION_IRI} == {
        ox.NamedNode(f"{ns.ONTOLOGY_IRI}/{DATE}")}


def test_knowledge_base_files_are_read_alike_by_an_independent_parser(release: Path) -> None:
    from rdflib import BNode, Dataset

    expected = {(q.graph_name.value, q.subject.value, q.predicate.value, q.object.value)
                for q in _ground(ox.parse(path=release / "kb" / "bortekg.nq", format=ox.RdfFormat.N_QUADS))}
    for name, fmt in (("nq", "nquads"), ("trig", "trig"), ("jsonld", "json-ld")):
        read = Dataset()
        read.parse(release / "kb" / f"bortekg.{name}", format=fmt)
        ground = {(str(g), str(s), str(p), str(o)) for s, p, o, g in read.quads()
                  if not isinstance(s, BNode) and not isinstance(o, BNode)}
        assert ground == expected, name


def test_documentation_page_documents_the_module_classes_offline(release: Path, manifest: dict) -> None:
    assert "documentation" in manifest["artefacts"], f"no documentation page: {manifest['missing']}"
    page = (release / "docs" / "index.html").read_text(encoding="utf-8")
    for term in ("SuspectedImmuneMediatedBipnCase", "SuspectedToxicBipnCase", "PatientCase"):
        assert term in page
    assert 'src="http' not in page  # nothing the page needs is fetched from the network


def test_first_release_changelog_says_it_compares_with_nothing(release: Path) -> None:
    text = (release / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith(f"# bortekg release {DATE}\n")
    assert "No previous release" in text


def test_changelog_of_a_later_release_lists_the_changes_since_the_previous(release: Path, tmp_path: Path) -> None:
    later = tmp_path / "later"
    build_release(later, date="2026-12-15", previous=release, artefacts=KB_ONLY)
    text = (later / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"Changes since release {DATE}." in text
    assert "bkg:ontology/2026-12-15" in text and f"bkg:ontology/{DATE}" in text
    assert "claims" not in text  # same claims: only the version stamps changed


# --------------------------------------------------------------------------- bad input, atomicity


def _note(ctx) -> list[str]:
    (ctx.folder / "note.txt").write_text("x", encoding="utf-8")
    return ["note.txt"]


NOTE_ONLY = [Artefact("note", _note)]


@pytest.mark.parametrize("date", ["2026-13-01", "yesterday", "2026-1-1", "2026-02-30"])
def test_a_bad_date_is_refused_before_anything_is_written(tmp_path: Path, date: str) -> None:
    with pytest.raises(ReleaseError, match="YYYY-MM-DD"):
        build_release(tmp_path / "out", date=date, artefacts=NOTE_ONLY)
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_folder_is_kept_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ReleaseError, match="--force"):
        build_release(out, date=DATE, artefacts=NOTE_ONLY)
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    build_release(out, date=DATE, force=True, artefacts=NOTE_ONLY)
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "note.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing left beside it


def test_an_empty_folder_is_used_and_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    build_release(tmp_path / "empty", date=DATE, artefacts=NOTE_ONLY)
    assert (tmp_path / "empty" / "note.txt").is_file()
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(ReleaseError, match="not a folder"):
        build_release(tmp_path / "file", date=DATE, artefacts=NOTE_ONLY)


def test_a_damaged_manifest_is_not_a_release(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="unreadable manifest"):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "something else"}', encoding="utf-8")
    with pytest.raises(ValueError, match="not a bortekg release manifest"):
        read_manifest(tmp_path)


def test_previous_must_be_a_release(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    (tmp_path / "incomplete").mkdir()
    (tmp_path / "incomplete" / "manifest.json").write_text(
        '{"format": "bortekg-release-manifest/1", "files": []}', encoding="utf-8")
    for previous in (tmp_path / "missing", tmp_path / "other", tmp_path / "incomplete"):
        with pytest.raises(ReleaseError, match="release"):
            build_release(tmp_path / "out", date=DATE, previous=previous, artefacts=NOTE_ONLY)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["incomplete", "other"]


def test_a_failing_writer_leaves_no_release_and_no_temporary_folder(tmp_path: Path) -> None:
    def broken(ctx) -> list[str]:
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        build_release(tmp_path / "out", date=DATE, artefacts=[*NOTE_ONLY, Artefact("broken", broken)])
    assert list(tmp_path.iterdir()) == []


def test_a_missing_artefact_is_named_in_the_manifest(tmp_path: Path) -> None:
    def needs_java(ctx) -> list[str]:
        raise ArtefactMissing(["ontology/x.ofn"], "Java not found")

    result = build_release(tmp_path / "out", date=DATE, artefacts=[*NOTE_ONLY, Artefact("ofn", needs_java)])
    assert result.missing == [{"artefact": "ofn", "files": "ontology/x.ofn", "reason": "Java not found"}]
    assert read_manifest(tmp_path / "out")["missing"] == result.missing


def test_without_java_the_functional_syntax_is_named_as_not_written(monkeypatch, tmp_path: Path) -> None:
    from bortekg.release import artefacts

    monkeypatch.setattr(artefacts.owlapi, "unavailable_reason", lambda: "Java not found: install a JDK")
    result = build_release(tmp_path / "out", date=DATE,
                           artefacts=[a for a in ARTEFACTS if a.name.startswith("ontology")])
    assert result.missing == [{"artefact": "ontology-functional-syntax",
                               "files": "ontology/bortekg.ofn, ontology/bipn-forms.ofn",
                               "reason": "Java not found: install a JDK"}]
    assert not list((tmp_path / "out").rglob("*.ofn"))


def test_an_owl_api_that_cannot_be_compiled_is_a_missing_artefact(monkeypatch, tmp_path: Path) -> None:
    from bortekg.release import artefacts

    def cannot_compile(*args, **kwargs) -> None:
        raise owlapi.OwlApiUnavailable("javac could not compile OwlTool.java: planted")

    monkeypatch.setattr(artefacts.owlapi, "unavailable_reason", lambda: None)
    monkeypatch.setattr(artefacts.owlapi, "write_functional", cannot_compile)
    result = build_release(tmp_path / "out", date=DATE,
                           artefacts=[a for a in ARTEFACTS if a.name.startswith("ontology")])
    assert [gap["reason"] for gap in result.missing] == ["javac could not compile OwlTool.java: planted"]


# --------------------------------------------------------------------------- command line


def _cli(*args: str):
    from click.testing import CliRunner

    from bortekg.cli import main

    return CliRunner().invoke(main, list(args))


def test_cli_refuses_bad_input_with_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("", encoding="utf-8")
    for args in (["--out", str(tmp_path / "a"), "--date", "2026-02-30"],
                 ["--out", str(tmp_path / "full")],
                 ["--out", str(tmp_path / "b"), "--previous", str(tmp_path / "full")]):
        done = _cli("release", *args)
        assert done.exit_code == 2, done.stderr
        assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert done.exception is None or isinstance(done.exception, SystemExit)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]


def test_cli_release_reports_its_files(monkeypatch, release: Path, tmp_path: Path) -> None:
    from bortekg.release import build

    monkeypatch.setattr(build, "ARTEFACTS", KB_ONLY)
    done = _cli("release", "--out", str(tmp_path / "r"), "--date", "2026-12-02", "--previous", str(release))
    assert done.exit_code == 0, done.stderr
    assert done.stdout == f"release 2026-12-02: 4 files in {tmp_path / 'r'} (listed in manifest.json)\n"
    assert read_manifest(tmp_path / "r")["release_date"] == "2026-12-02"


def test_cli_reports_an_owl_api_failure_in_one_line(monkeypatch, tmp_path: Path) -> None:
    from bortekg.release import build

    def fails(ctx) -> list[str]:
        raise owlapi.OwlApiError("error: planted parse failure")

    monkeypatch.setattr(build, "ARTEFACTS", [*NOTE_ONLY, Artefact("ofn", fails)])
    done = _cli("release", "--out", str(tmp_path / "r"), "--date", DATE)
    assert done.exit_code == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "planted parse failure" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_names_an_artefact_not_written_and_exits_1(monkeypatch, tmp_path: Path) -> None:
    from bortekg.release import build

    def needs_java(ctx) -> list[str]:
        raise ArtefactMissing(["ontology/bortekg.ofn"], "Java not found: install a JDK")

    monkeypatch.setattr(build, "ARTEFACTS", [*NOTE_ONLY, Artefact("ofn", needs_java)])
    done = _cli("release", "--out", str(tmp_path / "r"), "--date", DATE)
    assert done.exit_code == 1
    assert done.stderr == "bortekg: warning: ontology/bortekg.ofn not written: Java not found: install a JDK\n"
