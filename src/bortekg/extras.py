"""Optional features and the libraries they need: ``pip install 'bortekg[EXTRA]'``.

The core install (pyoxigraph, click, requests) queries, describes, searches, counts and
exports; each other feature is an extra of pyproject.toml. This module names, for a command
or a missing module, the extra that brings it, so that every command says the same thing.
It imports nothing itself: whether a library is there is asked with ``find_spec``.
"""

from __future__ import annotations

import importlib.util

#: Each extra and the top-level modules it brings (as imported, not as named on PyPI);
#: pyproject.toml's ``[project.optional-dependencies]`` lists the same libraries.
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "validate": ("rdflib", "pyshacl", "bioregistry"),
    "reason": ("owlready2", "reasonable", "rdflib", "jsonschema"),
    "network": ("networkx", "matplotlib"),
    "serve": ("starlette", "uvicorn", "httptools", "jinja2", "python_multipart", "mimeparse"),
    "release": ("ontospy",),
    "export": ("bmt", "biolink_model", "sssom"),
}

#: Commands that need an extra whatever their options (others may need one for an option:
#: ``export --format graphml`` and ``stats --network`` need ``network``).
COMMAND_EXTRAS: dict[str, str] = {
    "validate": "validate",
    "add": "validate",
    "reason": "reason",
    "assess": "reason",
    "paths": "network",
    "neighbors": "network",
    "draw": "network",
    "serve": "serve",
}


class MissingExtraError(ImportError):
    """A feature's library is not installed; the message names the extra to install."""

    def __init__(self, what: str, module: str, extra: str) -> None:
        self.module, self.extra = module, extra
        super().__init__(f"{what} needs {module}, which is not installed: "
                         f"pip install 'bortekg[{extra}]'", name=module)


def extra_for_module(module: str, preferred: str | None = None) -> str | None:
    """The extra that brings ``module`` (a dotted name is read by its top level), the
    ``preferred`` one when it does; None for a module of no extra."""
    top = module.split(".")[0]
    holders = [extra for extra, modules in EXTRA_MODULES.items() if top in modules]
    if preferred in holders:
        return preferred
    return holders[0] if holders else None


def missing_modules(extra: str) -> list[str]:
    """The modules of ``extra`` that cannot be imported here (found without importing them)."""
    return [module for module in EXTRA_MODULES[extra] if importlib.util.find_spec(module) is None]


def require(extra: str, what: str) -> None:
    """Raise MissingExtraError, naming ``extra``, when any of its libraries is missing."""
    missing = missing_modules(extra)
    if missing:
        raise MissingExtraError(what, missing[0], extra)


def explain_missing(error: ModuleNotFoundError, what: str, preferred: str | None = None) -> MissingExtraError | None:
    """The MissingExtraError for an import that failed, or None when no extra brings the
    module (a broken installation, not a missing feature)."""
    module = error.name or ""
    extra = extra_for_module(module, preferred)
    return MissingExtraError(what, module.split(".")[0], extra) if extra else None
