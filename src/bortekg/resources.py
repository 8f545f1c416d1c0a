"""Locate the packaged ontology, shapes and queries.

In a wheel they live in ``bortekg/_data/``; in a source checkout (editable install or
tests run from the clone) they are the repository's top-level folders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The folder that holds ``ontology/``, ``shapes/`` and ``queries/``."""
    packaged = _PACKAGE_DIR / "_data"
    if (packaged / "ontology").is_dir():
        return packaged
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "ontology").is_dir():
        return checkout
    raise FileNotFoundError(
        "bortekg data files not found: reinstall the package (pip install bortekg) "
        "or run from a complete source checkout"
    )


def ontology_dir() -> Path:
    return data_root() / "ontology"


def tbox_file() -> Path:
    """The main TBox module: classes, properties and axioms."""
    return ontology_dir() / "bortekg.ttl"


def tbox_files() -> list[Path]:
    """Every TBox module (``ontology/*.ttl``), the main module first."""
    main_module = tbox_file()
    others = sorted(p for p in ontology_dir().glob("*.ttl") if p != main_module)
    return [main_module, *others]


def kb_files() -> list[Path]:
    """The knowledge-base modules (individuals), in a stable order."""
    return sorted((ontology_dir() / "kb").glob("*.ttl"))


def shapes_files() -> list[Path]:
    return sorted((data_root() / "shapes").glob("*.ttl"))


def queries_dir() -> Path:
    return data_root() / "queries"
