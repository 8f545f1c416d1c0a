"""The pinned Biolink model, read from the copy the ``biolink-model`` package ships.

``bmt`` and ``kgx`` fetch the model, its predicate map and JSON-LD contexts from GitHub by
default; here every one of them is read from an installed package, so exports and their
validation run offline and always against the Biolink version the export declares.
"""

from __future__ import annotations

import importlib.resources
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bmt import Toolkit

#: The Biolink model release the KGX export declares and is checked against.
BIOLINK_VERSION = "4.4.6"

# bmt reads a predicate map only to translate other vocabularies' predicates into Biolink;
# the export names Biolink predicates directly, and the biolink-model package ships no copy.
_NO_PREDICATE_MAP: dict[str, list[object]] = {"predicate mappings": []}


class ExportUnavailableError(RuntimeError):
    """An export whose libraries are not installed; the message says how to install them."""


def _require(module: str) -> None:
    try:
        __import__(module)
    except ImportError:
        raise ExportUnavailableError(
            f"this export needs the Python package {module!r}: "
            "install it with  pip install 'bortekg[export]'") from None


def schema_path() -> Path:
    """The Biolink model YAML that the ``biolink-model`` package ships."""
    _require("biolink_model")
    return Path(str(importlib.resources.files("biolink_model") / "schema" / "biolink_model.yaml"))


def prefix_map_path() -> Path:
    """The Biolink model's prefix map (its JSON-LD context), as shipped by ``biolink-model``."""
    _require("biolink_model")
    return Path(str(importlib.resources.files("biolink_model") / "prefixmaps" / "biolink_model_prefix_map.json"))


@lru_cache(maxsize=1)
def toolkit() -> Toolkit:
    """A Biolink model toolkit over the shipped schema; refuses any version but the pinned one."""
    _require("bmt")
    from bmt import Toolkit

    found = Toolkit(schema=str(schema_path()), predicate_map=_NO_PREDICATE_MAP)
    if found.get_model_version() != BIOLINK_VERSION:
        raise ExportUnavailableError(
            f"the installed biolink-model package holds Biolink {found.get_model_version()}, "
            f"the export is pinned to {BIOLINK_VERSION}: install it with  pip install 'biolink-model=={BIOLINK_VERSION}'")
    return found


def curie(name: str) -> str:
    """``biolink:`` CURIE of a Biolink element given by name (``"drug"`` -> ``biolink:Drug``)."""
    element = toolkit().get_element(name)
    if element is None:
        raise KeyError(f"{name!r} is not an element of Biolink {BIOLINK_VERSION}")
    if toolkit().is_category(element.name):
        return "biolink:" + "".join(word[:1].upper() + word[1:] for word in re.split(r"[ _]", element.name))
    return "biolink:" + snake(element.name)


def slot(name: str) -> str:
    """The KGX property name of a Biolink slot given by name (``"has percentage"`` -> ``has_percentage``)."""
    element = toolkit().get_element(name)
    if element is None or toolkit().is_category(element.name):
        raise KeyError(f"{name!r} is not a slot of Biolink {BIOLINK_VERSION}")
    return snake(element.name)


def is_element(name: str) -> bool:
    """Whether ``name`` (or an alias of it) names a class, slot or type of the pinned model."""
    return toolkit().get_element(name) is not None


def is_multivalued(name: str) -> bool:
    """Whether the Biolink slot ``name`` holds a list of values."""
    return bool(toolkit().get_element(name).multivalued)


def snake(name: str) -> str:
    return name.replace(" ", "_")


def prepare_kgx() -> None:
    """Point ``kgx`` at the shipped Biolink model and prefix contexts before it is imported:
    as released it downloads them when its modules load."""
    for module in ("bmt", "kgx", "prefixcommons"):
        _require(module)
    import bmt
    import bmt.toolkit
    import kgx.config

    schema = str(schema_path())

    class ShippedToolkit(bmt.toolkit.Toolkit):
        """bmt's Toolkit with the shipped schema in place of its download address."""

        def __init__(self, schema_source: object = None, predicate_map: object = None, **options: object) -> None:
            if schema_source is None or str(schema_source).startswith("http"):
                schema_source = schema
            super().__init__(schema_source, predicate_map or _NO_PREDICATE_MAP, **options)

    bmt.Toolkit = ShippedToolkit
    bmt.toolkit.Toolkit = ShippedToolkit
    registry = importlib.resources.files("prefixcommons") / "registry"
    kgx.config.get_config()["jsonld-context"] = {
        "biolink": str(prefix_map_path()),
        "monarch_context": str(registry / "monarch_context.jsonld"),
        "obo_context": str(registry / "obo_context.jsonld"),
    }
