"""Faults around `bortekg add`: kill -9 at chosen points, concurrent adds, an add during a
query, a read-only store and a full disk. After each, the store opens and holds exactly the
quads of the submissions that completed.

A kill is synchronised on a signal from the child, never on a sleep: the child runs the real
CLI under a profiling hook that, when the run reaches the named point (a call of a Python
function or of a pyoxigraph method), writes a marker to a pipe and, for a blocking point,
waits there until it is killed. Read-only and full disks are small tmpfs mounts (this needs
root, or a user allowed to mount; otherwise those two tests are skipped and say why).
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.ingest import read_submission
from gate_helpers import good_claim, snapshot, write_turtle

MARKER_TIMEOUT = 60.0  # seconds a child may take to reach its point on a loaded machine
META = ox.NamedNode(ns.GRAPH_META)

#: The child: the CLI under a hook that signals (and may wait) when the run reaches POINT.
CHILD = textwrap.dedent("""
    import os, sys
    point, blocking, marker = sys.argv[1], sys.argv[2] == "block", int(sys.argv[3])

    def reached(frame, event, arg):
        name = (getattr(arg, "__qualname__", None) if event == "c_call"
                else frame.f_code.co_name if event == "call" else None)
        if name == point:
            sys.setprofile(None)
            os.write(marker, b"reached")
            if blocking:
                os.read(0, 1)  # the parent never writes: wait here for the kill
            return None
        return reached

    from bortekg.cli import main
    sys.setprofile(reached)
    main(sys.argv[4:], prog_name="bortekg")
""")


def start(point: str, blocking: bool, *args: str) -> tuple[subprocess.Popen, int]:
    """Start the CLI with ``args`` in a child that signals when it reaches ``point``."""
    read_end, write_end = os.pipe()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, point, "block" if blocking else "run", str(write_end), *map(str, args)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(write_end,),
    )
    os.close(write_end)
    return child, read_end


def wait_for_point(child: subprocess.Popen, marker: int, point: str) -> None:
    ready, _, _ = select.select([marker], [], [], MARKER_TIMEOUT)
    signalled = bool(ready) and os.read(marker, 16) == b"reached"
    os.close(marker)
    if not signalled:
        child.kill()
        out, err = child.communicate()
        pytest.fail(f"the child never reached {point} (exit {child.returncode}):\n{err.decode()}")


@pytest.fixture(scope="module")
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store_dir = tmp_path_factory.mktemp("faults") / "store"
    KnowledgeGraph(store_dir)
    return store_dir


@pytest.fixture
def store(template_store: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(template_store, tmp_path / "store"))


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four conforming submission files (curated claims restated under new IRIs)."""
    kg = KnowledgeGraph()
    folder = tmp_path_factory.mktemp("submissions")
    return [write_turtle(folder / f"claim-{n}.ttl", good_claim(kg, f"fault-claim-{n}")) for n in range(4)]


def add_args(store: Path, submission: Path) -> list[str]:
    return ["--store", str(store), "add", "--source", "fault suite", "--quiet", str(submission)]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bortekg", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def assert_holds_exactly(store: Path, before: set[ox.Quad], completed: list[Path]) -> None:
    """The store opens, and holds what it held plus exactly the completed submissions."""
    KnowledgeGraph(store)  # opens (and would reload a damaged bundle) without an error
    after = snapshot(store)
    assert before <= after, "quads that were there before are gone"
    added = after - before
    graphs = {q.graph_name for q in added} - {META}
    assert len(graphs) == len(completed), f"{len(graphs)} submission graphs for {len(completed)} completed adds"
    expected = {frozenset(read_submission(path).triples) for path in completed}
    stored = {frozenset(q.triple for q in added if q.graph_name == graph) for graph in graphs}
    assert stored == expected, "a submission graph does not hold exactly its file's triples"
    for graph in graphs:  # each with its full provenance record, and nothing else in the meta graph
        assert len([q for q in added if q.graph_name == META and q.subject == graph]) == 7
    assert len([q for q in added if q.graph_name == META]) == 7 * len(graphs)


def assert_clean_refusal(result: subprocess.CompletedProcess, fragment: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert result.stderr.startswith("bortekg: ") and fragment in result.stderr, result.stderr


# --------------------------------------------------------------------------- kill -9 during add


@pytest.mark.parametrize("point,blocking,commits", [
    ("Store.quads_for_pattern", True, False),  # the store has just been opened
    ("add_submission", True, False),  # validated, about to write
    ("Store.extend", True, False),  # the write's transaction is about to start
    ("Store.extend", False, None),  # killed as the transaction runs: all or nothing
    ("Store.flush", True, True),  # the transaction has committed, not yet flushed
])
def test_a_kill_during_add_leaves_all_or_nothing(store: Path, submissions: list[Path], point: str,
                                                 blocking: bool, commits: bool | None) -> None:
    before = snapshot(store)
    child, marker = start(point, blocking, *add_args(store, submissions[0]))
    wait_for_point(child, marker, point)
    child.send_signal(signal.SIGKILL)
    child.communicate()
    assert child.returncode == -signal.SIGKILL
    if commits is None:
        commits = snapshot(store) != before
    assert_holds_exactly(store, before, [submissions[0]] if commits else [])
    # the store takes the same file again only if it was not stored
    again = cli(*add_args(store, submissions[0]))
    assert again.returncode == (2 if commits else 0), again.stderr


def test_a_kill_while_a_new_store_loads_the_packaged_graph(tmp_path: Path, submissions: list[Path]) -> None:
    store = tmp_path / "store"
    child, marker = start("Store.load", False, *add_args(store, submissions[0]))
    wait_for_point(child, marker, "Store.load")
    child.send_signal(signal.SIGKILL)
    child.communicate()
    # reopening redoes an interrupted load (the bundle's fingerprint is written last)
    KnowledgeGraph(store)
    packaged = set(KnowledgeGraph().quads())
    stored = {q for q in snapshot(store) if q.graph_name != META}
    assert len(stored) == len(packaged)  # blank nodes are named anew by each load: compare the rest
    assert {q for q in stored if not _has_blank(q)} == {q for q in packaged if not _has_blank(q)}
    assert_holds_exactly(store, snapshot(store), [])
    result = cli(*add_args(store, submissions[0]))
    assert result.returncode == 0, result.stderr


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


# --------------------------------------------------------------------------- concurrency


def test_concurrent_adds_each_land_whole_or_are_refused_cleanly(store: Path, submissions: list[Path]) -> None:
    before = snapshot(store)
    children = [subprocess.Popen([sys.executable, "-m", "bortekg", *add_args(store, path)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for path in submissions]
    outcomes = [(child, *child.communicate(timeout=120)) for child in children]
    completed = []
    for path, (child, _out, err) in zip(submissions, outcomes):
        assert "Traceback" not in err
        if child.returncode == 0:
            completed.append(path)
        else:
            assert child.returncode == 2 and "another bortekg process is using it" in err, err
    assert completed, "no add completed"
    assert_holds_exactly(store, before, completed)


def test_an_add_during_a_query_is_refused_and_the_query_completes(store: Path, submissions: list[Path],
                                                                   tmp_path: Path) -> None:
    before = snapshot(store)
    query = tmp_path / "count.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    reader, marker = start("run_isolated", True, "--store", str(store), "query", "--format", "csv", str(query))
    wait_for_point(reader, marker, "run_isolated")  # the query holds the store open
    try:
        refused = cli(*add_args(store, submissions[1]))
    finally:
        out, err = reader.communicate(input=b"x", timeout=120)  # let the query run on
    assert_clean_refusal(refused, "another bortekg process is using it")
    assert reader.returncode == 0, err.decode()
    assert out.decode().splitlines()[1].strip().isdigit()
    assert_holds_exactly(store, before, [])
    assert cli(*add_args(store, submissions[1])).returncode == 0
    assert_holds_exactly(store, before, [submissions[1]])


# --------------------------------------------------------------------------- read-only and full disks


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'mount failed'}): "
                    "run as root (or in a container with CAP_SYS_ADMIN) to test disk faults")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_an_add_to_a_read_only_store_is_refused_cleanly(template_store: Path, tmp_path: Path,
                                                         submissions: list[Path]) -> None:
    with tmpfs(tmp_path / "disk", "64m") as disk:
        store = Path(shutil.copytree(template_store, disk / "store"))
        before = snapshot(store)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        assert_clean_refusal(cli(*add_args(store, submissions[0])), f"cannot open the store at {store}")
        assert snapshot(store) == before
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        assert_holds_exactly(store, before, [])


def fill(disk: Path) -> Path:
    """Fill the disk to its last byte; return the filler file."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as out:
        for block in (1024 * 1024, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * block)
    return filler


@pytest.mark.parametrize("when", ["before the store opens", "as the submission is written"])
def test_an_add_to_a_full_disk_is_refused_cleanly(template_store: Path, tmp_path: Path,
                                                   submissions: list[Path], when: str) -> None:
    with tmpfs(tmp_path / "disk", "64m") as disk:
        store = Path(shutil.copytree(template_store, disk / "store"))
        KnowledgeGraph(store)  # settle the store's files before the disk fills
        before = snapshot(store)
        if when == "before the store opens":
            filler = fill(disk)
            result = cli(*add_args(store, submissions[0]))
            assert_clean_refusal(result, "No space left on device")
        else:
            child, marker = start("add_submission", True, *add_args(store, submissions[0]))
            wait_for_point(child, marker, "add_submission")  # open and validated, about to write
            filler = fill(disk)
            out, err = child.communicate(input=b"x", timeout=120)
            result = subprocess.CompletedProcess(child.args, child.returncode, out.decode(), err.decode())
            assert_clean_refusal(result, "was not added and the store is unchanged")
        filler.unlink()
        assert_holds_exactly(store, before, [])
        assert cli(*add_args(store, submissions[0])).returncode == 0
        assert_holds_exactly(store, before, [submissions[0]])


# --------------------------------------------------------------------------- outputs on bad disks


@pytest.mark.parametrize("disk_state,message", [
    ("full", "No space left on device (free some space or write to another disk)"),
    ("read-only", "Read-only file system (the disk is read-only: choose another folder)"),
])
def test_an_export_to_a_full_or_read_only_disk_leaves_no_partial_file(tmp_path: Path, disk_state: str,
                                                                       message: str) -> None:
    with tmpfs(tmp_path / "disk", "256k") as disk:
        (disk / "out.nt").write_bytes(b"the previous export\n")
        if disk_state == "full":
            (disk / "filler").write_bytes(b"\0" * (200 * 1024))  # room for a little, not for an export
        else:
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        result = cli("export", "--format", "nt", "-o", disk / "out.nt")
        assert_clean_refusal(result, f"cannot write {disk / 'out.nt'}: {message}")
        assert (disk / "out.nt").read_bytes() == b"the previous export\n"
        assert sorted(p.name for p in disk.iterdir()) == sorted(["out.nt"] + (["filler"] if disk_state == "full" else []))
