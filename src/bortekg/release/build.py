"""Build a dated release folder atomically: every artefact, a manifest, a changelog.

The release is built in a temporary folder beside ``out`` and renamed into place only when
complete, so an interrupted or failed build leaves ``out`` as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from bortekg import __version__, resources
from bortekg.diff import Snapshot, load_snapshot
from bortekg.release.artefacts import (
    ARTEFACTS,
    Artefact,
    ArtefactMissing,
    ReleaseContext,
)
from bortekg.release.manifest import read_manifest, write_manifest
from bortekg.release.stamp import parse_release_date, stamp
from bortekg.store import bundled_quads, cache_dir


class ReleaseError(ValueError):
    """A release that cannot be built from what was given; the message says what to change."""


@dataclass(frozen=True)
class ReleaseResult:
    folder: Path
    date: str
    artefacts: dict[str, list[str]]  # artefact name -> files written
    missing: list[dict[str, str]]  # {"artefact", "files", "reason"} for each one not written here


def build_release(
    out: str | Path,
    *,
    date: str | None = None,
    previous: str | Path | None = None,
    force: bool = False,
    artefacts: Sequence[Artefact] | None = None,
) -> ReleaseResult:
    """Build the release of ``date`` (default: today, UTC) into the folder ``out``.

    ``previous`` is an earlier release folder whose differences go into the CHANGELOG.md of
    this one. An existing non-empty ``out`` is replaced only with ``force``. ``artefacts``
    defaults to every artefact (``ARTEFACTS``). Raises ReleaseError for bad input, before
    anything is written.
    """
    out = Path(out)
    release_date = _release_date(date)
    previous_release = _previous_release(previous)
    _check_target(out, force=force)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.building-"))
    except OSError as error:
        raise ReleaseError(f"cannot write beside {out}: {error.strerror or error}; choose a folder you may write to") from None
    try:
        context = ReleaseContext(
            folder=building,
            date=release_date,
            modules=_stamped_modules(release_date),
            dataset=canonical(stamp(bundled_quads(), release_date)),
            previous=previous_release,
            workdir=cache_dir() / "owlapi",
        )
        written: dict[str, list[str]] = {}
        missing: list[dict[str, str]] = []
        for artefact in ARTEFACTS if artefacts is None else artefacts:
            try:
                written[artefact.name] = artefact.write(context)
            except ArtefactMissing as gap:
                missing.append({"artefact": artefact.name, "files": ", ".join(gap.files), "reason": gap.reason})
        write_manifest(building, date=release_date, version=__version__, artefacts=written, missing=missing)
        os.chmod(building, 0o755)  # mkdtemp makes it private; a release is for others to read
        _move_into_place(building, out)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return ReleaseResult(folder=out, date=release_date, artefacts=written, missing=missing)


def _release_date(date: str | None) -> str:
    if date is None:
        return dt.datetime.now(dt.timezone.utc).date().isoformat()
    try:
        return parse_release_date(date)
    except ValueError as error:
        raise ReleaseError(str(error)) from None


def _previous_release(previous: str | Path | None) -> Snapshot | None:
    """The earlier release, read whole before anything is written (its knowledge base is what
    the changelog compares with)."""
    if previous is None:
        return None
    path = Path(previous)
    if not path.is_dir():
        raise ReleaseError(f"{path}: no such release folder; give --previous the folder of an earlier `bortekg release`")
    try:
        read_manifest(path)
        return load_snapshot(path)
    except ValueError as error:  # DiffInputError included: a damaged or incomplete release
        raise ReleaseError(str(error)) from None


def _check_target(out: Path, *, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ReleaseError(f"{out} exists and is not a folder; give --out a new or empty folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ReleaseError(f"{out} exists and is not empty; give a new folder, or --force to replace it")


def _stamped_modules(date: str) -> dict[str, list[ox.Triple]]:
    """Every ontology module (``ontology/*.ttl``) with its version stamped, by file stem."""
    modules = {}
    for path in resources.tbox_files():
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                 for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE, rename_blank_nodes=True)]
        modules[path.stem] = [q.triple for q in canonical(stamp(quads, date))]
    return modules


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with their blank nodes named canonically (RDFC-1.0) and in a fixed order, so
    that a release built twice from the same files is the same bytes (a parser names blank
    nodes at random)."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=str)


def _move_into_place(building: Path, out: Path) -> None:
    """Rename the finished release to ``out``; a replaced release is removed only afterwards."""
    if out.is_dir() and any(out.iterdir()):
        retired = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.replaced-"))
        os.replace(out, retired / "release")
        os.replace(building, out)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(building, out)  # onto a missing or empty folder: one rename
