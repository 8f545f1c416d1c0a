"""The hostile-input corpus: every case is refused through the CLI with its exit code and a
clear message, without a traceback, and leaves the store exactly as it was.

The cases are the files under ``tests/hostile/``: ``submissions/`` (run through `validate`
and through `add` on a persistent store), ``patients/`` (`assess`) and ``queries/``
(`query`). Each file's first line says what it attacks and what must happen::

    # ATTACK: <what it attacks> | EXPECT: <exit code> | <a fragment of the message>

(``<!-- ... -->`` in RDF/XML); files that cannot carry a comment (JSON, empty files, a byte
order mark first) are listed in ``cases.tsv`` instead. Cases too large for the repository,
streams, and output paths are made here (``GENERATED``).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from bortekg import KnowledgeGraph
from gate_helpers import snapshot

CORPUS = Path(__file__).resolve().parent / "hostile"
COMMANDS = {"submissions": "submission", "patients": "patient", "queries": "query"}
HEADER = re.compile(
    r"(?:#|<!--)\s*ATTACK:\s*(?P<attack>.+?)\s*\|\s*EXPECT:\s*(?P<exit>\d)\s*\|\s*(?P<message>.+?)\s*(?:-->)?")
SUBMISSION = "<https://w3id.org/bortekg/claim/hostile> <http://www.w3.org/2000/01/rdf-schema#seeAlso> "
MIB = 1024 * 1024


@dataclass(frozen=True)
class Case:
    """One hostile input: the command it is given to, what must happen, and its arguments."""

    name: str
    command: str  # submission, patient, query, export or into-store
    exit_code: int
    message: str
    attack: str
    path: Path | None = None  # a corpus file, or None when ``make`` builds the input
    make: Callable[[Path, Path], list[str]] | None = field(default=None, compare=False)


# --------------------------------------------------------------------------- the corpus files


def corpus_cases() -> list[Case]:
    """Every corpus file with its expectation; a file with none, or with two, is an error."""
    table = {}
    with open(CORPUS / "cases.tsv", encoding="utf-8", newline="") as stream:
        rows = csv.DictReader((line for line in stream if not line.startswith("#")), delimiter="\t")
        for row in rows:
            table[row["file"]] = row
    cases = []
    for folder, command in COMMANDS.items():
        for path in sorted((CORPUS / folder).iterdir()):
            relative = f"{folder}/{path.name}"
            first_line = path.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
            header = HEADER.fullmatch(first_line.strip())
            row = table.pop(relative, None)
            if (header is None) == (row is None):
                raise AssertionError(f"{relative}: give its expectation either in its first line or in "
                                     "cases.tsv (exactly one of them)")
            spec = header.groupdict() if header else row
            cases.append(Case(relative, command, int(spec["exit"]), spec["message"], spec["attack"], path=path))
    if table:
        raise AssertionError(f"cases.tsv names files that do not exist: {', '.join(sorted(table))}")
    return cases


# --------------------------------------------------------------------------- generated cases


def _file(name: str, data: bytes, *options: str) -> Callable[[Path, Path], list[str]]:
    def make(folder: Path, _store: Path) -> list[str]:
        path = folder / name
        path.write_bytes(data)
        return [*options, str(path)]
    return make


def _endless_fifo(name: str, readers: int) -> Callable[[Path, Path], list[str]]:
    """A named pipe that a thread fills for as long as each of ``readers`` runs reads it."""
    def make(folder: Path, _store: Path) -> list[str]:
        path = folder / name
        os.mkfifo(path)

        def feed() -> None:
            for _ in range(readers):
                try:
                    with open(path, "wb") as pipe:
                        while True:
                            pipe.write(b"<https://x.example/a> <https://x.example/b> <https://x.example/c> .\n" * 1000)
                except OSError:  # the reader stopped reading: the point of the test
                    pass

        threading.Thread(target=feed, daemon=True).start()
        return [str(path)]
    return make


def _export(target: Callable[[Path, Path], Path], *command: str) -> Callable[[Path, Path], list[str]]:
    def make(folder: Path, store: Path) -> list[str]:
        return [*command, "-o", str(target(folder, store))]
    return make


def _symlink(folder: Path, name: str, to: Path) -> Path:
    link = folder / name
    link.symlink_to(to)
    return link


#: An output into the store's folder: refused before the store is opened, so not one of the
#: store's files may change (opening a store rotates its log files, so other cases compare quads).
INTO_STORE = "into-store"

GENERATED = [
    Case("deep-collection-100000.ttl", "submission", 2, "99,999 nodes without an IRI (blank nodes)",
         "an RDF collection nested 100,000 deep",
         make=_file("deep.ttl", (SUBMISSION + "(" * 100_000 + ")" * 100_000 + " .\n").encode())),
    Case("deep-blank-nodes-100000.ttl", "submission", 2, "line 1, column",
         "blank-node property lists nested 100,000 deep",
         make=_file("deep.ttl", (SUBMISSION + "[ <https://x.example/p> " * 100_000 + "]" * 100_000 + " .\n").encode())),
    Case("deep-5000.jsonld", "submission", 2, "JSON nested more than 100 levels deep is refused",
         "JSON-LD nested 5,000 deep (a recursive parser overflows its stack)",
         make=_file("deep.jsonld", ('{"@id": "https://w3id.org/bortekg/claim/hostile", '
                                    + '"https://x.example/p": {' * 5000 + "}" * 5001).encode())),
    Case("deep-150.rdf", "submission", 2, "XML elements nested more than 100 deep are refused",
         "RDF/XML nested 150 deep (parsing time grows with the square of the depth)",
         make=_file("deep.rdf", (
             '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:p="https://x.example/">'
             + '<rdf:Description rdf:about="https://x.example/a"><p:p>' * 75
             + "</p:p></rdf:Description>" * 75 + "</rdf:RDF>").encode())),
    Case("literal-17MiB.nt", "submission", 2, "line 1: a single literal or IRI is too long for the parser",
         "a literal longer than the parser's 16 MiB buffer, with --max-size raised",
         make=_file("long.nt", (SUBMISSION + '"' + "a" * (17 * MIB) + '" .\n').encode(), "--max-size", "20M")),
    Case("oversize.nt", "submission", 2, "over the limit of 1,024 bytes", "a file over --max-size",
         make=_file("big.nt", (SUBMISSION + '"' + "a" * 2000 + '" .\n').encode(), "--max-size", "1k")),
    Case("dev-zero.ttl", "submission", 2, "the submission is longer than the limit of 1,048,576 bytes",
         "/dev/zero: an endless stream whose size reads as 0",
         make=lambda folder, store: ["--max-size", "1M", "--input-format", "ttl", "/dev/zero"]),
    Case("endless-pipe.nt", "submission", 2, "the submission is longer than the limit of 1,048,576 bytes",
         "a named pipe that never ends", make=lambda folder, store: ["--max-size", "1M", *_endless_fifo("endless.nt", readers=2)(folder, store)]),
    Case("deep-100000.json", "patient", 2, "JSON nested more than 20 levels deep is refused",
         "a patient document nested 100,000 deep",
         make=_file("deep.json", ('{"findings": ' + "[" * 100_000 + "]" * 100_000 + "}").encode())),
    Case("huge-20MB.json", "patient", 2, "the input is 20,971,541 bytes, over the limit of 1,048,576 bytes",
         "a 20 MB patient document",
         make=_file("huge.json", b'{"id": "' + b"a" * (20 * MIB) + b'", "age": 60}')),
    Case("dev-zero.json", "patient", 2, "the input is longer than the limit of 1,048,576 bytes",
         "/dev/zero as a patient document", make=lambda folder, store: ["/dev/zero"]),
    Case("endless-pipe.json", "patient", 2, "the input is longer than the limit of 1,048,576 bytes",
         "a named pipe that never ends, as a patient document", make=_endless_fifo("endless.json", readers=1)),
    Case("deep-braces-5000.rq", "query", 2, "the query is nested more than 64 levels deep",
         "a query with groups nested 5,000 deep",
         make=_file("deep.rq", ("SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000).encode())),
    Case("deep-parentheses-5000.rq", "query", 2, "the query is nested more than 64 levels deep",
         "a FILTER expression nested 5,000 deep",
         make=_file("deep.rq", ("SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }").encode())),
    Case("huge-2MB.rq", "query", 2, "a query is at most 1,048,576 bytes", "a 2 MB query",
         make=_file("huge.rq", b"SELECT * WHERE { ?s ?p ?o } #" + b"x" * (2 * MIB))),
    Case("dev-zero.rq", "query", 2, "the input is longer than the limit of 1,048,576 bytes",
         "/dev/zero as a query", make=lambda folder, store: ["/dev/zero"]),
    Case("export-onto-store-file", INTO_STORE, 2, "is inside the store folder",
         "export -o onto a file of the store", make=_export(lambda f, s: s / "CURRENT", "export")),
    Case("export-new-file-in-store", INTO_STORE, 2, "is inside the store folder",
         "export -o a new file in the store folder", make=_export(lambda f, s: s / "export.ttl", "export")),
    Case("export-through-file-symlink", INTO_STORE, 2, "writing there would corrupt the store",
         "export -o a symlink to a file of the store",
         make=_export(lambda f, s: _symlink(f, "innocent.ttl", s / "CURRENT"), "export", "--format", "nt")),
    Case("export-through-folder-symlink", INTO_STORE, 2, "writing there would corrupt the store",
         "export -o a file under a symlink to the store folder",
         make=_export(lambda f, s: _symlink(f, "elsewhere", s) / "IDENTITY", "export", "--format", "nq")),
    Case("export-graphml-into-store", INTO_STORE, 2, "is inside the store folder",
         "the network export into the store folder",
         make=_export(lambda f, s: s / "OPTIONS-000007", "export", "--format", "graphml")),
    Case("query-output-into-store", INTO_STORE, 2, "is inside the store folder",
         "query -o into the store folder",
         make=lambda f, s: ["query", "-o", str(s / "CURRENT"), str(_query_file(f))]),
    Case("draw-into-store", INTO_STORE, 2, "is inside the store folder",
         "draw -o into the store folder", make=_export(lambda f, s: s / "picture.png", "draw", "bortezomib")),
    Case("export-to-dev-full", "export", 2, "cannot write /dev/full: No space left on device",
         "export to a device that is always full", make=_export(lambda f, s: Path("/dev/full"), "export")),
    Case("export-to-missing-folder", "export", 2, "does not exist", "export into a folder that does not exist",
         make=_export(lambda f, s: f / "missing" / "out.ttl", "export")),
]


def _query_file(folder: Path) -> Path:
    path = folder / "q.rq"
    path.write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1\n")
    return path


CASES = corpus_cases() + GENERATED


def test_the_corpus_is_large_and_every_case_says_what_it_attacks() -> None:
    assert len(CASES) >= 100
    assert len({case.name for case in CASES}) == len(CASES)
    for case in CASES:
        assert case.attack and case.message and case.exit_code in (1, 2), case.name


# --------------------------------------------------------------------------- running a case


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A persistent store shared by the module's cases, and its content (which must never change)."""
    store_dir = tmp_path_factory.mktemp("hostile") / "store"
    KnowledgeGraph(store_dir)  # created and released: each CLI run opens it
    return {"dir": store_dir, "quads": snapshot(store_dir)}


def run(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; an exception other than an exit is a failure, shown whole."""
    import gc

    from bortekg.cli import main

    result = CliRunner().invoke(main, list(args))
    code, out, err = result.exit_code, result.stdout, result.stderr
    exception = result.exception
    del result
    gc.collect()  # release the store's lock before the next run
    if exception is not None and not isinstance(exception, SystemExit):
        raise AssertionError(f"uncaught {type(exception).__name__}: {exception}") from exception
    return code, out, err


def commands(case: Case, args: list[str], store: Path) -> list[list[str]]:
    if case.command == "submission":
        return [["validate", *args], ["--store", str(store), "add", "--source", "hostile corpus", *args]]
    if case.command == "patient":
        return [["assess", *args]]
    if case.command == "query":
        return [["query", *args]]
    return [["--store", str(store), *args]]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input_is_refused_cleanly(case: Case, hostile_store: dict, tmp_path: Path) -> None:
    store = hostile_store["dir"]
    if case.path is not None:
        # a copy, so that the message names the file and the corpus stays untouched
        args = [str(shutil.copyfile(case.path, tmp_path / case.path.name))]
    else:
        assert case.make is not None
        args = case.make(tmp_path, store)
    store_files = {p.name: p.read_bytes() for p in store.iterdir() if p.is_file()} if case.command == INTO_STORE else {}
    for command in commands(case, args, store):
        code, out, err = run(*command)
        said = out + err
        assert "Traceback" not in said, f"{case.attack}: a traceback\n{said}"
        assert code == case.exit_code, f"{case.attack}: exit {code}, expected {case.exit_code}\n{said}"
        assert case.message in said, f"{case.attack}: the message lacks {case.message!r}\n{said}"
        if code == 2:
            assert out == "", f"{case.attack}: output on stdout with exit 2\n{out}"
            assert err.startswith("bortekg: "), err
    if case.command in ("submission", "export", INTO_STORE):
        assert snapshot(store) == hostile_store["quads"], f"{case.attack}: the store changed"
    for name, data in store_files.items():
        assert (store / name).read_bytes() == data, f"{case.attack}: the store's file {name} changed"
