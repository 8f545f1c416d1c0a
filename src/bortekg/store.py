"""The knowledge graph store: a pyoxigraph dataset with one named graph per provenance layer.

Named graphs (see ``namespaces``): the ontology (TBox), the curated knowledge base,
one graph per accepted submission, inferred triples, and a small meta graph for the
store's own bookkeeping. Queries see the union of all graphs except the meta graph.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg import resources
from bortekg.fingerprint import fingerprint as files_fingerprint
from bortekg.outputs import refuse_inside_store, write_atomically

if TYPE_CHECKING:
    from bortekg.sourcetext import SourceIndex

#: The RDF formats bortekg reads and writes, by their command-line name.
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
EXPORT_FORMATS = RDF_FORMATS

#: The export formats that keep the named graphs; the others write the union of the graphs.
DATASET_FORMATS = ("nq", "trig")

_META = ox.NamedNode(ns.GRAPH_META)
_FINGERPRINT = ox.NamedNode(ns.BKG + "bundleFingerprint")
_STORE_NODE = ox.NamedNode(ns.BASE + "store")

# Provenance of accepted submissions, kept in the meta graph (the store's bookkeeping).
_RDF_TYPE = ox.NamedNode(ns.RDF + "type")
_PROV_ENTITY = ox.NamedNode(ns.PROV + "Entity")
_IDENTIFIER = ox.NamedNode(ns.DCTERMS + "identifier")
_GENERATED_AT = ox.NamedNode(ns.PROV + "generatedAtTime")
_STATED_SOURCE = ox.NamedNode(ns.DCTERMS + "source")
_SUBMITTER = ox.NamedNode(ns.DCTERMS + "creator")
_FILE_NAME = ox.NamedNode(ns.BKG + "submittedFileName")
_FILE_SHA256 = ox.NamedNode(ns.BKG + "submittedFileSha256")
_TRIPLE_COUNT = ox.NamedNode(ns.BKG + "submittedTripleCount")
_XSD_DATETIME = ox.NamedNode(ns.XSD + "dateTime")
_SUBMISSION_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{8}")
# Indexes of the texts of source documents that submissions added (bortekg.sourcetext), kept
# in the meta graph: a submission graph points at its text indexes, each names its source.
_SOURCE_TEXT = ox.NamedNode(ns.BKG + "sourceTextIndex")
_INDEXED_SOURCE = ox.NamedNode(ns.BKG + "indexedSource")
_TEXT_SHA256 = ox.NamedNode(ns.BKG + "textSha256")
_PAIR_HASHES = ox.NamedNode(ns.BKG + "pairHashes")


@dataclass(frozen=True)
class SubmissionRecord:
    """An accepted submission: its named graph and its provenance."""

    id: str
    graph: str
    submitted_at: str
    file_name: str
    sha256: str
    source: str
    submitter: str | None
    triples: int

    def as_dict(self) -> dict:
        return asdict(self)


class UnknownSubmissionError(LookupError):
    """No accepted submission has this identifier."""


class DuplicateSubmissionError(ValueError):
    """The same file (by SHA-256) was already accepted."""


def bundle_fingerprint() -> str:
    """SHA-256 over the packaged ontology and knowledge-base files (names and bytes), from a
    stamp in the cache while their sizes and modification times are unchanged."""
    return files_fingerprint([*resources.tbox_files(), *resources.kb_files()], cache_dir())


def bundled_quads() -> Iterator[ox.Quad]:
    """The packaged TBox in the ontology graph and every KB module in the KB graph."""
    sources = [(path, ns.GRAPH_ONTOLOGY) for path in resources.tbox_files()]
    sources += [(path, ns.GRAPH_KB) for path in resources.kb_files()]
    for path, graph in sources:
        graph_node = ox.NamedNode(graph)
        for triple in ox.parse(path=path, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph_node)


def cache_dir() -> Path:
    """Where the parsed bundle is kept between runs: ``BORTEKG_CACHE_DIR``, else the user's
    cache folder (``$XDG_CACHE_HOME/bortekg`` or ``~/.cache/bortekg``)."""
    configured = os.environ.get("BORTEKG_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "bortekg"


def bundle_nquads(fingerprint: str, *, refresh: bool = False) -> bytes:
    """The packaged graphs as N-Quads, from the cache when it holds this bundle.

    Parsing the Turtle sources takes several times longer than loading N-Quads, and every
    command starts by loading the graph; so the first run writes the parsed bundle to the
    cache, under a name that changes with the bundle's contents and the pyoxigraph version,
    and later runs load that. A cache that cannot be written (a read-only home) only costs
    speed. ``refresh`` rebuilds the cached copy (when it was found damaged).
    """
    key = re.sub(r"[^0-9A-Za-z.]+", "_", f"{fingerprint[:64]}-{ox.__version__}")
    path = cache_dir() / f"bundle-{key}.nq"
    if not refresh:
        try:
            return path.read_bytes()
        except OSError:
            pass
    data = ox.serialize(bundled_quads(), None, ox.RdfFormat.N_QUADS)
    assert data is not None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        week_ago = time.time() - 7 * 24 * 3600
        for stale in path.parent.glob("bundle-*.nq"):
            with contextlib.suppress(OSError):  # another process may be pruning too
                if stale.stat().st_mtime < week_ago:  # other versions' bundles, unused for long
                    stale.unlink()
        import tempfile  # only when the cache is written

        # write then rename, so that a concurrent reader never sees half a file
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".bundle-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        pass
    return data


class ReadOnlyStore:
    """The reading half of a pyoxigraph store: pattern matching, queries, graph listing.

    Handed out instead of the store itself, so that no caller can write to a graph it does
    not own (``Store.query`` runs no updates; ``Store.update``, ``add``, ``remove``, ``load``
    and their kin are simply not here).
    """

    __slots__ = ("_store",)

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None) -> Iterator[ox.Quad]:
        return self._store.quads_for_pattern(subject, predicate, object, graph_name)

    def query(self, query: str, **options):
        return self._store.query(query, **options)

    def named_graphs(self) -> Iterator[ox.NamedNode | ox.BlankNode]:
        return self._store.named_graphs()

    def contains_named_graph(self, graph: ox.NamedNode) -> bool:
        return self._store.contains_named_graph(graph)

    def __contains__(self, quad: ox.Quad) -> bool:
        return quad in self._store

    def __iter__(self) -> Iterator[ox.Quad]:
        return iter(self._store)

    def __len__(self) -> int:
        return len(self._store)


class KnowledgeGraph:
    """The bortekg graph in an embedded pyoxigraph store.

    ``KnowledgeGraph()`` is an in-memory store loaded from the packaged Turtle files.
    ``KnowledgeGraph(store_dir)`` opens (or creates) a persistent on-disk store; it reloads
    the packaged ontology and knowledge base only when they changed since the store was
    last opened, and never touches submission graphs when it does.
    ``extra_kb_files`` adds Turtle modules to the curated graph of an in-memory store: a
    knowledge-base module being edited, to query, validate or reason over before release.
    """

    def __init__(self, store_dir: str | Path | None = None, *, extra_kb_files: Iterable[Path] = ()) -> None:
        self.store_dir = Path(store_dir) if store_dir is not None else None
        extra_kb_files = list(extra_kb_files)
        if self.store_dir is not None:
            if extra_kb_files:
                raise ValueError("extra knowledge-base modules are for an in-memory graph only: "
                                 "a persistent store holds the packaged modules and accepted submissions")
            self.store_dir.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.store_dir))
        else:
            self._store = ox.Store()
        self._ensure_bundle_loaded()
        for path in extra_kb_files:  # a curator's module being edited, checked with the rest
            self._store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(ns.GRAPH_KB))

    @classmethod
    def open_read_only(cls, store_dir: str | Path) -> KnowledgeGraph:
        """An on-disk store opened read-only, as it is, for a query worker beside the process
        that has it open (nothing is reloaded or written)."""
        kg = cls.__new__(cls)
        kg.store_dir = Path(store_dir)
        kg._store = ox.Store.read_only(str(kg.store_dir))
        return kg

    # ------------------------------------------------------------------ loading

    def _ensure_bundle_loaded(self) -> None:
        fingerprint = bundle_fingerprint()
        if self._stored_fingerprint() == fingerprint:
            return
        # Replace the curated layers; submissions and inferred graphs stay. The fingerprint
        # is written last, so an interrupted reload is simply redone on the next open.
        # The meta graph keeps the submissions' provenance: only the fingerprint is replaced.
        for graph in (ns.GRAPH_ONTOLOGY, ns.GRAPH_KB):
            node = ox.NamedNode(graph)
            if self._store.contains_named_graph(node):
                self._store.remove_graph(node)
        for quad in list(self._store.quads_for_pattern(_STORE_NODE, _FINGERPRINT, None, _META)):
            self._store.remove(quad)
        # lenient: the N-Quads are pyoxigraph's own writing of Turtle it already validated, so
        # checking every IRI and language tag again only costs time (about a quarter of the load)
        try:
            self._store.load(bundle_nquads(fingerprint), ox.RdfFormat.N_QUADS, lenient=True)
        except SyntaxError:
            # a damaged cache file (loading is atomic: nothing of it was added)
            self._store.load(bundle_nquads(fingerprint, refresh=True), ox.RdfFormat.N_QUADS, lenient=True)
        self._store.add(ox.Quad(_STORE_NODE, _FINGERPRINT, ox.Literal(fingerprint), _META))
        self._store.flush()

    def _stored_fingerprint(self) -> str | None:
        for quad in self._store.quads_for_pattern(_STORE_NODE, _FINGERPRINT, None, _META):
            return quad.object.value
        return None

    # ------------------------------------------------------------------ access

    @property
    def store(self) -> ReadOnlyStore:
        """The underlying pyoxigraph store, read-only: every write goes through this class,
        whose methods each own one graph (the bundle, a submission, the inferred graph)."""
        return ReadOnlyStore(self._store)

    def content_graphs(self, *, with_inferred: bool = True) -> list[ox.NamedNode]:
        """Every named graph that holds graph content (the meta graph excluded)."""
        graphs = [g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)]
        keep = []
        for graph in graphs:
            if graph.value == ns.GRAPH_META:
                continue
            if graph.value == ns.GRAPH_INFERRED and not with_inferred:
                continue
            keep.append(graph)
        return sorted(keep, key=lambda g: g.value)

    def quads(self, *, with_inferred: bool = True) -> Iterator[ox.Quad]:
        for graph in self.content_graphs(with_inferred=with_inferred):
            yield from self._store.quads_for_pattern(None, None, None, graph)

    def triples(self, *, with_inferred: bool = True) -> set[ox.Triple]:
        """The union of the content graphs as a set of triples (duplicates across graphs merged)."""
        return {quad.triple for quad in self.quads(with_inferred=with_inferred)}

    def __len__(self) -> int:
        return len(self.triples())

    # ------------------------------------------------------------------ writes

    def replace_inferred(self, triples: Iterable[ox.Triple]) -> int:
        """Replace the inferred-triples graph with ``triples``; return how many it now holds.

        The old graph is removed, then the new one is added in one transaction
        (``Store.extend``): a run stopped between the two leaves no inferred graph, as before
        the first ``reason``, never part of one. (One SPARQL update holding the triples as
        INSERT DATA took most of a minute to parse for the 160,000 triples inferred on a graph
        of a million.)
        """
        unique = set(triples)
        graph = ox.NamedNode(ns.GRAPH_INFERRED)
        if self._store.contains_named_graph(graph):
            self._store.remove_graph(graph)
        self._store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in unique)
        if self.store_dir is not None:
            self._store.flush()
        return len(unique)

    def with_scratch_graph(
        self, graph: str, triples: Iterable[ox.Triple], *, base: Iterable[ox.Quad] | None = None
    ) -> KnowledgeGraph:
        """An in-memory copy of this graph plus ``triples`` in the named graph ``graph``.

        For questions about something that must never enter the stored graph (a patient,
        for example): the copy is queried like the original and then dropped. ``base``, when
        given, replaces the copy of every quad: the part of the graph the questions read
        (copying a graph of millions of triples costs seconds).
        """
        scratch = KnowledgeGraph.__new__(KnowledgeGraph)
        scratch.store_dir = None
        scratch._store = ox.Store()
        scratch._store.extend(self._store.quads_for_pattern(None, None, None, None) if base is None else base)
        node = ox.NamedNode(graph)
        scratch._store.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in triples)
        return scratch

    # ------------------------------------------------------------------ query

    def query(
        self,
        sparql: str,
        *,
        bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
        with_inferred: bool = True,
        use_query_dataset: bool = False,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL 1.1 query over the union of the content graphs.

        ``bindings`` binds variables (by name, without ``?``) to RDF terms inside the
        engine, so that parameter values are never pasted into the query text.
        ``use_query_dataset`` lets the query's own FROM / FROM NAMED clauses choose the
        graphs (pyoxigraph would otherwise override them); the caller checks that they
        name graphs of this store.
        """
        substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
        graphs = None if use_query_dataset else self.content_graphs(with_inferred=with_inferred)
        return self._store.query(
            sparql,
            default_graph=graphs or None,
            named_graphs=graphs or None,
            substitutions=substitutions or None,
        )

    # ------------------------------------------------------------------ submissions

    def add_submission(
        self,
        triples: Iterable[ox.Triple],
        *,
        file_name: str,
        sha256: str,
        source: str,
        submitter: str | None = None,
        source_indexes: Iterable[SourceIndex] = (),
    ) -> SubmissionRecord:
        """Store already validated triples as a submission graph of their own, with their
        provenance and the text indexes of the source documents it adds, in one transaction:
        on any failure the store is left as it was.

        Validation is the caller's job (``bortekg.validate.validate_and_add``).
        """
        from datetime import datetime, timezone

        self.refuse_if_added(file_name, sha256)
        now = datetime.now(timezone.utc).replace(microsecond=0)
        submission_id = f"{now:%Y%m%dT%H%M%SZ}-{sha256[:8]}"
        graph = ox.NamedNode(ns.GRAPH_SUBMISSION_PREFIX + submission_id)
        triples = list(triples)
        record = SubmissionRecord(
            id=submission_id,
            graph=graph.value,
            submitted_at=now.isoformat().replace("+00:00", "Z"),
            file_name=file_name,
            sha256=sha256,
            source=source,
            submitter=submitter,
            triples=len(triples),
        )
        indexes = list(source_indexes)
        # One extend is one transaction: the triples and their provenance land together or not at all.
        self._store.extend([*self._submission_quads(triples, graph, record),
                            *self._source_index_quads(indexes, graph)])
        self._store.flush()
        return record

    @staticmethod
    def _submission_quads(
        triples: list[ox.Triple], graph: ox.NamedNode, record: SubmissionRecord
    ) -> Iterator[ox.Quad]:
        for triple in triples:
            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)
        provenance = [
            (_RDF_TYPE, _PROV_ENTITY),
            (_IDENTIFIER, ox.Literal(record.id)),
            (_GENERATED_AT, ox.Literal(record.submitted_at, datatype=_XSD_DATETIME)),
            (_FILE_NAME, ox.Literal(record.file_name)),
            (_FILE_SHA256, ox.Literal(record.sha256)),
            (_STATED_SOURCE, ox.Literal(record.source)),
            (_TRIPLE_COUNT, ox.Literal(record.triples)),
        ]
        if record.submitter:
            provenance.append((_SUBMITTER, ox.Literal(record.submitter)))
        for predicate, value in provenance:
            yield ox.Quad(graph, predicate, value, _META)

    @staticmethod
    def _source_index_quads(indexes: list[SourceIndex], graph: ox.NamedNode) -> Iterator[ox.Quad]:
        for number, index in enumerate(indexes, 1):
            node = ox.NamedNode(f"{graph.value}/source-text/{number}")
            yield ox.Quad(graph, _SOURCE_TEXT, node, _META)
            yield ox.Quad(node, _INDEXED_SOURCE, ox.NamedNode(index.source), _META)
            yield ox.Quad(node, _TEXT_SHA256, ox.Literal(index.sha256), _META)
            yield ox.Quad(node, _PAIR_HASHES, ox.Literal(index.encoded_hashes()), _META)

    def source_index(self, source: str) -> SourceIndex | None:
        """The text index of a source document that an accepted submission added, if any."""
        from bortekg.sourcetext import SourceIndex

        for quad in self._store.quads_for_pattern(None, _INDEXED_SOURCE, ox.NamedNode(source), _META):
            node = quad.subject
            values = {q.predicate: q.object.value for q in self._store.quads_for_pattern(node, None, None, _META)}
            if _PAIR_HASHES in values and _TEXT_SHA256 in values:
                return SourceIndex.from_encoded(source, values[_TEXT_SHA256], values[_PAIR_HASHES])
        return None

    def refuse_if_added(self, file_name: str, sha256: str) -> None:
        """Raise DuplicateSubmissionError when a file with this SHA-256 was already accepted."""
        for record in self.submissions():
            if record.sha256 == sha256:
                raise DuplicateSubmissionError(
                    f"{file_name} was already added as submission {record.id} "
                    f"on {record.submitted_at}; retract it first to replace it"
                )

    def submissions(self) -> list[SubmissionRecord]:
        """Every accepted submission, oldest first."""
        records = []
        for quad in self._store.quads_for_pattern(None, _IDENTIFIER, None, _META):
            graph = quad.subject
            values = {q.predicate: q.object.value for q in self._store.quads_for_pattern(graph, None, None, _META)}
            records.append(SubmissionRecord(
                id=quad.object.value,
                graph=graph.value,
                submitted_at=values.get(_GENERATED_AT, ""),
                file_name=values.get(_FILE_NAME, ""),
                sha256=values.get(_FILE_SHA256, ""),
                source=values.get(_STATED_SOURCE, ""),
                submitter=values.get(_SUBMITTER),
                triples=int(values.get(_TRIPLE_COUNT, "0")),
            ))
        return sorted(records, key=lambda r: (r.submitted_at, r.id))

    def retract(self, submission_id: str) -> SubmissionRecord:
        """Remove exactly one submission: its graph and its provenance, in one transaction."""
        record = next((r for r in self.submissions() if r.id == submission_id), None)
        if record is None or not _SUBMISSION_ID.fullmatch(record.id):
            known = ", ".join(r.id for r in self.submissions()) or "none"
            raise UnknownSubmissionError(
                f"no submission {submission_id!r} in this store (accepted submissions: {known}; "
                "list them with: bortekg submissions)"
            )
        graph = ox.NamedNode(record.graph)
        self._store.update(
            f"DROP SILENT GRAPH {graph} ; "
            f"DELETE WHERE {{ GRAPH {_META} {{ {graph} {_SOURCE_TEXT} ?index . ?index ?ip ?io }} }} ; "
            f"DELETE WHERE {{ GRAPH {_META} {{ {graph} ?p ?o }} }}"
        )
        self._store.flush()
        return record

    # ------------------------------------------------------------------ export

    def export(
        self,
        fmt: str,
        output: str | Path | None = None,
        *,
        with_inferred: bool = False,
        standard_iris: bool = False,
    ) -> bytes | None:
        """Serialise the graph. ``nq`` and ``trig`` keep the named graphs; the triple
        formats write the union of all content graphs. ``standard_iris`` writes each mapped
        entity under its verified standard identifier (``bortekg.standard_iris``).

        With ``output``, the file is written whole or not at all (through a temporary file
        beside it), and a path inside the store's folder is refused (OutputError).
        """
        try:
            rdf_format = EXPORT_FORMATS[fmt]
        except KeyError:
            raise ValueError(
                f"unknown export format {fmt!r}; choose one of: {', '.join(EXPORT_FORMATS)}"
            ) from None
        data: Iterable[ox.Quad] | Iterable[ox.Triple]
        quads: Iterable[ox.Quad] = self.quads(with_inferred=with_inferred)
        if standard_iris:
            from bortekg.standard_iris import with_standard_iris

            quads = with_standard_iris(quads)
        if fmt in DATASET_FORMATS:
            data = list(quads)
        else:
            data = sorted({quad.triple for quad in quads}, key=str)
        prefixes = ns.PREFIXES if fmt in ("ttl", "trig", "xml") else None
        if output is None:
            return ox.serialize(data, None, rdf_format, prefixes=prefixes)
        refuse_inside_store(output, self.store_dir)
        write_atomically(output, ox.serialize(data, None, rdf_format, prefixes=prefixes) or b"")
        return None
