"""The fingerprint of the packaged ontology and knowledge base, cheap to ask at every start.

The fingerprint is a SHA-256 over the files' names and bytes: it names the parsed bundle in
the cache and tells a persistent store that the packaged files changed. Hashing every file at
every start costs time proportional to the bundle, so the digest is kept in a small stamp file
beside the cache together with each file's path, size and modification time; while none of
those changed, the stamp answers and no file is read. A stamp that is missing, stale, damaged
or cannot be written only costs the hashing.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Sequence
from pathlib import Path


def content_digest(files: Sequence[Path]) -> str:
    """SHA-256 over each file's name and bytes, in the order given."""
    import hashlib  # only when the stamp cannot answer: OpenSSL's start-up is not free

    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def file_signature(files: Sequence[Path]) -> str:
    """Each file's absolute path, size and modification time (ns), one line each."""
    lines = []
    for path in files:
        status = path.stat()
        lines.append(f"{path.resolve()}\t{status.st_size}\t{status.st_mtime_ns}")
    return "\n".join(lines)


def stamp_path(files: Sequence[Path], stamp_dir: Path) -> Path:
    """The stamp of this set of files: one per folder, so that two installations sharing a
    cache keep a stamp each."""
    folders = "\n".join(sorted({str(path.resolve().parent) for path in files}))
    return stamp_dir / f"fingerprint-{zlib.crc32(folders.encode()):08x}.txt"


def fingerprint(files: Sequence[Path], stamp_dir: Path) -> str:
    """``content_digest(files)``, read from the stamp while the files are unchanged."""
    signature = file_signature(files)
    stamp = stamp_path(files, stamp_dir)
    try:
        digest, _, stamped = stamp.read_text(encoding="utf-8").partition("\n")
        if stamped == signature and len(digest) == 64:
            return digest
    except (OSError, UnicodeDecodeError):
        pass
    digest = content_digest(files)
    if file_signature(files) == signature:  # not rewritten while it was being read
        _write_stamp(stamp, f"{digest}\n{signature}")
    return digest


def _write_stamp(stamp: Path, text: str) -> None:
    import tempfile

    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=stamp.parent, prefix=".fingerprint-")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, stamp)  # a concurrent reader sees the old stamp or the new, whole
    except OSError:
        pass
