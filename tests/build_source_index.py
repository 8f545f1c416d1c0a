"""Rebuild the shipped source-text indexes (``ontology/source-index/*.json``) from the source
documents in ../shared/sources. Run after a source document changes:

    python tests/build_source_index.py

``tests/test_sourcetext.py`` fails while a shipped index differs from the one this builds.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bortekg.sourcetext import SourceIndex, index_dir, text_sha256, write_index  # noqa: E402
from conftest import SHARED, SOURCE_FILES  # noqa: E402


def build_all() -> dict[str, SourceIndex]:
    indexes = {}
    for iri, name in SOURCE_FILES.items():
        data = (SHARED / "sources" / name).read_bytes()
        indexes[iri] = SourceIndex.build(iri, data.decode("utf-8"), sha256=text_sha256(data))
    return indexes


def slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


if __name__ == "__main__":
    index_dir().mkdir(parents=True, exist_ok=True)
    for iri, index in build_all().items():
        print(write_index(index, slug(iri)))
