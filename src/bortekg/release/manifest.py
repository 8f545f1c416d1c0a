"""The release manifest: every file of a release with its SHA-256 and size."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = "manifest.json"
FORMAT = "bortekg-release-manifest/1"


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the release folder, with forward slashes
    sha256: str
    size: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entries(folder: Path) -> list[FileEntry]:
    """Every file under ``folder`` except the manifest itself, in path order."""
    return [
        FileEntry(path.relative_to(folder).as_posix(), sha256_of(path), path.stat().st_size)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).as_posix() != MANIFEST_NAME
    ]


def write_manifest(folder: Path, *, date: str, version: str, artefacts: dict[str, list[str]],
                   missing: list[dict[str, str]]) -> Path:
    """Write ``manifest.json``: the release's identity, its artefacts and every file's hash and size."""
    manifest = {
        "format": FORMAT,
        "release_date": date,
        "package_version": version,
        "artefacts": artefacts,
        "missing": missing,
        "files": [entry.__dict__ for entry in file_entries(folder)],
    }
    path = folder / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict:
    """The manifest of a release folder; ValueError with a one-line reason when it is not one."""
    path = folder / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{folder}: not a release (no {MANIFEST_NAME}); give a folder written by `bortekg release`") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: unreadable manifest ({error}); rebuild the release") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{path}: not a bortekg release manifest (format {FORMAT!r} expected)")
    return manifest
