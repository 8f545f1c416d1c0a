"""The artefacts of a release, each written by one function into the folder being built.

A release is the list ``ARTEFACTS``: adding an artefact is one line there. A writer takes
the ``ReleaseContext`` and returns the paths it wrote (relative to the release folder); a
writer that cannot run here (no Java, an optional package not installed) raises
``ArtefactMissing`` naming the files it did not write and why, and the release goes on.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.diff import Snapshot, semantic_diff
from bortekg.release import owlapi

_TYPE = ox.NamedNode(ns.RDF + "type")
_ONTOLOGY = ox.NamedNode(ns.OWL + "Ontology")

#: The file names of the knowledge base (the ontology and curated named graphs) per format.
KB_FILES = {"nq": "kb/bortekg.nq", "trig": "kb/bortekg.trig", "jsonld": "kb/bortekg.jsonld"}
_KB_FORMATS = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}
CATALOG = "ontology/catalog-v001.xml"


@dataclass(frozen=True)
class ReleaseContext:
    """What every writer reads: the stamped content and where to write it."""

    folder: Path  # the temporary folder the release is built in
    date: str  # YYYY-MM-DD
    modules: dict[str, list[ox.Triple]]  # ontology module (file stem) -> its stamped triples
    dataset: list[ox.Quad]  # the ontology and curated knowledge-base named graphs, stamped
    previous: Snapshot | None  # the previous release, for the changelog
    workdir: Path  # where helper programs are compiled (a cache, outside the release)


class ArtefactMissing(Exception):
    """An artefact that could not be written here: which files, and why."""

    def __init__(self, files: list[str], reason: str) -> None:
        self.files = files
        self.reason = reason
        super().__init__(f"{', '.join(files)} not written: {reason}")


@dataclass(frozen=True)
class Artefact:
    name: str
    write: Callable[[ReleaseContext], list[str]]


def ontology_iri(triples: list[ox.Triple]) -> str:
    """The IRI of a module's owl:Ontology header."""
    for triple in triples:
        if triple.predicate == _TYPE and triple.object == _ONTOLOGY and isinstance(triple.subject, ox.NamedNode):
            return triple.subject.value
    raise ValueError("an ontology module without an owl:Ontology header")


def _write(folder: Path, relative: str, data: bytes) -> str:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return relative


def write_ontology(ctx: ReleaseContext) -> list[str]:
    """Each module in Turtle and RDF/XML, and a catalog that resolves their imports to these files."""
    written = []
    for stem, triples in ctx.modules.items():
        header = ontology_iri(triples)
        ordered = sorted(triples, key=lambda t: (t.subject.value != header, str(t)))  # the header first
        for suffix, fmt in ((".ttl", ox.RdfFormat.TURTLE), (".owl", ox.RdfFormat.RDF_XML)):
            data = ox.serialize(ordered, None, fmt, prefixes=ns.PREFIXES) or b""
            written.append(_write(ctx.folder, f"ontology/{stem}{suffix}", data))
    entries = "".join(
        f"    <uri name={quoteattr(ontology_iri(triples))} uri={quoteattr(stem + '.ttl')}/>\n"
        for stem, triples in ctx.modules.items()
    )
    catalog = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
               '<catalog prefer="public" xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">\n'
               f"{entries}</catalog>\n")
    written.append(_write(ctx.folder, CATALOG, catalog.encode()))
    return written


def write_functional_syntax(ctx: ReleaseContext) -> list[str]:
    """Each module in OWL functional syntax, written by the OWL API (needs Java)."""
    targets = [f"ontology/{stem}.ofn" for stem in ctx.modules]
    reason = owlapi.unavailable_reason()
    if reason:
        raise ArtefactMissing(targets, reason)
    pairs = [(ctx.folder / f"ontology/{stem}.ttl", ctx.folder / target) for stem, target in zip(ctx.modules, targets)]
    try:
        owlapi.write_functional(ctx.folder / CATALOG, pairs, ctx.workdir)
    except owlapi.OwlApiUnavailable as error:  # Java is here but the OWL API helper cannot be compiled
        raise ArtefactMissing(targets, str(error)) from None
    return targets


def write_knowledge_base(ctx: ReleaseContext) -> list[str]:
    """The ontology and curated named graphs as N-Quads, TriG and JSON-LD."""
    quads = sorted(ctx.dataset, key=str)
    written = []
    for name, fmt in _KB_FORMATS.items():
        prefixes = ns.PREFIXES if name == "trig" else None
        written.append(_write(ctx.folder, KB_FILES[name], ox.serialize(quads, None, fmt, prefixes=prefixes) or b""))
    return written


# Ontospy stamps the page with the time it was made ("on Wed, 02 Dec 2026 18:58:41"): a
# release built twice would differ by it
_GENERATED_AT = re.compile(r"on (?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}")


def write_documentation(ctx: ReleaseContext) -> list[str]:
    """One HTML page documenting every class and property of the ontology (Ontospy)."""
    try:
        import ontospy
        from ontospy.gendocs.viz.viz_html_single import HTMLVisualizer
    except ImportError:
        raise ArtefactMissing(["docs/index.html"], "Ontospy is not installed: pip install 'bortekg[release]'") from None
    union = sorted({t for triples in ctx.modules.values() for t in triples}, key=str)
    turtle = (ox.serialize(union, None, ox.RdfFormat.TURTLE, prefixes=ns.PREFIXES) or b"").decode()
    target = ctx.folder / "docs"
    # Ontospy reports its progress on stdout and stderr; the command's own output goes there
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        model = ontospy.Ontospy(data=turtle, rdf_format="turtle", verbose=False)
        HTMLVisualizer(model, title="bortekg ontology").build(str(target))
    for page in target.rglob("*.html"):  # the release date in place of the time it was built
        html = page.read_text(encoding="utf-8")
        page.write_text(_GENERATED_AT.sub(f"for the release of {ctx.date}", html), encoding="utf-8")
    for folder in sorted(target.rglob("*"), reverse=True):  # the asset folders the page does not use
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return sorted(p.relative_to(ctx.folder).as_posix() for p in target.rglob("*") if p.is_file())


def write_changelog(ctx: ReleaseContext) -> list[str]:
    """CHANGELOG.md: what changed since ``--previous`` (a semantic diff), or that this is a first release."""
    lines = [f"# bortekg release {ctx.date}", ""]
    if ctx.previous is None:
        lines += ["No previous release was given: this release is not compared with another.", ""]
    else:
        new = Snapshot(name=f"release {ctx.date}", triples=frozenset(q.triple for q in ctx.dataset))
        lines += [f"Changes since {ctx.previous.name}.", "", semantic_diff(ctx.previous, new).as_markdown()]
    return [_write(ctx.folder, "CHANGELOG.md", "\n".join(lines).rstrip("\n").encode() + b"\n")]


KGX_FILES = ("kgx/nodes.tsv", "kgx/edges.tsv", "kgx/nodes.jsonl", "kgx/edges.jsonl")
SSSOM_FILE = "mappings/bortekg.sssom.tsv"


def _released_graph(ctx: ReleaseContext):
    """The release's own graph (the stamped ontology and knowledge base) to export from, so
    that the exports carry the release's version and nothing a local store added."""
    from bortekg.store import KnowledgeGraph

    return KnowledgeGraph().with_scratch_graph(ns.GRAPH_KB, [], base=ctx.dataset)


def write_kgx_files(ctx: ReleaseContext) -> list[str]:
    """The graph as Biolink KGX nodes and edges, TSV and JSON Lines (``export --format kgx``)."""
    from bortekg.exports.biolink import ExportUnavailableError
    from bortekg.exports.kgx import write_kgx

    try:
        paths = write_kgx(_released_graph(ctx), ctx.folder / "kgx")
    except ExportUnavailableError as error:
        raise ArtefactMissing(list(KGX_FILES), str(error)) from None
    return sorted(p.relative_to(ctx.folder).as_posix() for p in paths)


def write_sssom_file(ctx: ReleaseContext) -> list[str]:
    """The verified mappings as an SSSOM table with its metadata (``export --format sssom``)."""
    from bortekg.exports.biolink import ExportUnavailableError
    from bortekg.exports.sssom import write_sssom

    (ctx.folder / SSSOM_FILE).parent.mkdir(parents=True, exist_ok=True)
    try:
        write_sssom(_released_graph(ctx), ctx.folder / SSSOM_FILE)
    except ExportUnavailableError as error:
        raise ArtefactMissing([SSSOM_FILE], str(error)) from None
    return [SSSOM_FILE]


#: The exchange formats of the field: Biolink KGX and SSSOM (``bortekg.exports``).
EXPORT_ARTEFACTS: tuple[Artefact, ...] = (
    Artefact("kgx", write_kgx_files),
    Artefact("sssom", write_sssom_file),
)

#: Every artefact of a release, in the order they are written (the functional syntax reads
#: the Turtle files and the catalog that ``ontology`` writes).
ARTEFACTS: tuple[Artefact, ...] = (
    Artefact("ontology", write_ontology),
    Artefact("ontology-functional-syntax", write_functional_syntax),
    Artefact("knowledge-base", write_knowledge_base),
    Artefact("documentation", write_documentation),
    *EXPORT_ARTEFACTS,
    Artefact("changelog", write_changelog),
)

__all__ = ["ARTEFACTS", "EXPORT_ARTEFACTS", "Artefact", "ArtefactMissing", "ReleaseContext"]
