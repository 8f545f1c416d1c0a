"""The bundle fingerprint is the SHA-256 of the packaged files, and is read from a stamp, not
recomputed, while their sizes and modification times are unchanged."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from bortekg import fingerprint as fp
from bortekg import resources
from bortekg import store as store_module


def sha256_of(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "data"
    folder.mkdir()
    made = []
    for name, text in (("a.ttl", "<urn:a> <urn:p> 1 .\n"), ("b.ttl", "<urn:b> <urn:p> 2 .\n")):
        (folder / name).write_text(text)
        made.append(folder / name)
    return made


def forbid_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(files):
        raise AssertionError("the files were hashed although the stamp holds their digest")

    monkeypatch.setattr(fp, "content_digest", refuse)


def test_the_bundle_fingerprint_is_the_sha256_of_the_packaged_files(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BORTEKG_CACHE_DIR", str(tmp_path / "cache"))
    expected = sha256_of([*resources.tbox_files(), *resources.kb_files()])
    assert store_module.bundle_fingerprint() == expected
    forbid_hashing(monkeypatch)
    assert store_module.bundle_fingerprint() == expected


def test_the_stamp_answers_while_the_files_are_unchanged(files: list[Path], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    stamps = tmp_path / "stamps"
    first = fp.fingerprint(files, stamps)
    assert first == sha256_of(files) and len(list(stamps.iterdir())) == 1
    forbid_hashing(monkeypatch)
    assert fp.fingerprint(files, stamps) == first


def test_a_changed_file_is_hashed_again(files: list[Path], tmp_path: Path) -> None:
    stamps = tmp_path / "stamps"
    first = fp.fingerprint(files, stamps)
    status = files[1].stat()
    files[1].write_text("<urn:b> <urn:p> 3 .\n")  # same size, new content
    os.utime(files[1], ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000))
    assert fp.fingerprint(files, stamps) == sha256_of(files) != first


def test_a_damaged_stamp_is_rewritten(files: list[Path], tmp_path: Path) -> None:
    stamps = tmp_path / "stamps"
    fp.fingerprint(files, stamps)
    (stamp,) = stamps.iterdir()
    for damage in (b"", b"\xff\xfe not text", b"short\n" + stamp.read_bytes().partition(b"\n")[2]):
        stamp.write_bytes(damage)
        assert fp.fingerprint(files, stamps) == sha256_of(files)
        assert stamp.read_text().partition("\n")[0] == sha256_of(files)


def test_an_unwritable_stamp_folder_only_costs_the_hashing(files: list[Path], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the stamp folder should be")
    assert fp.fingerprint(files, blocker / "stamps") == sha256_of(files)


def test_two_sets_of_files_keep_a_stamp_each(files: list[Path], tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.ttl").write_text("<urn:c> <urn:p> 4 .\n")
    stamps = tmp_path / "stamps"
    assert fp.stamp_path(files, stamps) != fp.stamp_path([other / "a.ttl"], stamps)
    fp.fingerprint(files, stamps)
    fp.fingerprint([other / "a.ttl"], stamps)
    assert len(list(stamps.iterdir())) == 2
