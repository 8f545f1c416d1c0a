"""Writing output files safely: never into the store's folder, never half a file.

A file is written to a temporary file in the target's folder and renamed over the target
only when complete, so a full disk or an interrupted run leaves the old file (or none),
never a truncated one. A path inside the store's folder is refused after symlinks are
resolved: writing there would corrupt the store.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path

_HINTS = {
    errno.ENOSPC: "free some space or write to another disk",
    errno.EDQUOT: "free some space or write to another disk",
    errno.EACCES: "choose a folder you may write to",
    errno.EPERM: "choose a folder you may write to",
    errno.EROFS: "the disk is read-only: choose another folder",
    errno.ENOENT: "create the folder first",
    errno.EISDIR: "give a file name, not a folder",
}


class OutputError(OSError):
    """An output file that cannot or must not be written; the message says why and what to do."""


def inside(path: str | Path, folder: str | Path) -> bool:
    """Whether ``path`` (symlinks resolved, existing or not) lies in ``folder`` (resolved)."""
    resolved = Path(path).resolve()
    root = Path(folder).resolve()
    return resolved == root or root in resolved.parents


def refuse_inside_store(path: str | Path, store_dir: str | Path | None) -> None:
    """Raise OutputError when ``path`` would land in the store's folder."""
    if store_dir is not None and inside(path, store_dir):
        raise OutputError(
            f"cannot write {path}: it is inside the store folder {store_dir} "
            f"(resolved: {Path(path).resolve()}), and writing there would corrupt the store; "
            "write the output somewhere else")


def write_atomically(path: str | Path, content: bytes | Callable[[Path], object]) -> Path:
    """Write ``content`` (bytes, or a function that writes a given path) to ``path`` through a
    temporary file in the same folder; return the path written (symlinks resolved).

    A symlink is followed: its target is replaced, the link stays. A device or a pipe
    (``/dev/stdout``) is written directly, as it cannot be replaced. Any OSError becomes an
    OutputError that names the file and the fix; no partial file is left behind.
    """
    if Path(path).exists() and not Path(path).is_file():  # a device or a pipe (/dev/stdout)
        return _write_in_place(path, Path(path), content)
    import tempfile  # here: only a command that writes a file needs it

    target = Path(path).resolve()
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as error:
        raise _output_error(path, error) from None
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            if isinstance(content, bytes):
                stream.write(content)
        if not isinstance(content, bytes):
            content(temporary)
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise _output_error(path, error) from None
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    return target


def _write_in_place(path: str | Path, target: Path, content: bytes | Callable[[Path], object]) -> Path:
    try:
        if isinstance(content, bytes):
            with open(target, "wb") as stream:
                stream.write(content)
        else:
            content(target)
    except OSError as error:
        raise _output_error(path, error) from None
    return target


def _mode_for(target: Path) -> int:
    """The mode of the file being replaced, or what a new file would get under the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _output_error(path: str | Path, error: OSError) -> OutputError:
    reason = error.strerror or str(error)
    hint = _HINTS.get(error.errno or 0)
    return OutputError(f"cannot write {path}: {reason}" + (f" ({hint})" if hint else ""))
