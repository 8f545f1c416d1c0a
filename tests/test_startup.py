"""The read commands start fast: ``python -X importtime`` (every module the real process imports)
shows no validation, reasoning, network or drawing library, no other command's module, and no
hashing of the packaged files once their fingerprint is stamped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bortekg.cli import COMMAND_MODULES, main

CQ = Path(__file__).parent / "fixtures" / "cq"

#: Top-level libraries a read command must not import.
HEAVY_LIBRARIES = ("rdflib", "pyshacl", "owlready2", "networkx", "matplotlib", "jsonschema", "bioregistry",
                   "reasonable", "requests", "urllib.request", "hashlib")
#: bortekg's own packages a read command must not import.
HEAVY_PARTS = ("bortekg.validate", "bortekg.reason", "bortekg.network", "bortekg.clinical", "bortekg.drawing",
               "bortekg.ingest", "bortekg.report")

READ_COMMANDS = {
    "query": (["query", str(CQ / "claims-per-source.rq")], "bortekg.cli.core"),
    "cq run": (["cq", "run", "dose-action-for-grade", "--param", "grade=2"], "bortekg.cli.cq"),
    "describe": (["describe", "bortezomib"], "bortekg.cli.core"),
}


def imported_modules(args: list[str], environment: dict[str, str]) -> set[str]:
    completed = subprocess.run([sys.executable, "-X", "importtime", "-m", "bortekg", *args],
                               capture_output=True, text=True, env=environment, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return {line.split("|")[-1].strip() for line in completed.stderr.splitlines() if line.startswith("import time:")}


def forbidden(imported: set[str], own_module: str) -> set[str]:
    other_commands = {f"bortekg.cli.{module}" for module in COMMAND_MODULES.values()} - {own_module}
    return {module for module in imported
            if module in HEAVY_LIBRARIES or module.split(".")[0] in HEAVY_LIBRARIES
            or any(module == part or module.startswith(part + ".") for part in HEAVY_PARTS)
            or module in other_commands}


@pytest.mark.parametrize("name", READ_COMMANDS)
def test_a_read_command_imports_only_what_it_needs(name: str, tmp_path: Path) -> None:
    args, own_module = READ_COMMANDS[name]
    environment = {**os.environ, "BORTEKG_CQ_DIR": str(CQ), "BORTEKG_CACHE_DIR": str(tmp_path / "cache")}
    imported_modules(args, environment)  # the first run stamps the fingerprint and caches the bundle
    imported = imported_modules(args, environment)
    assert "pyoxigraph" in imported and own_module in imported
    assert not forbidden(imported, own_module), f"bortekg {name} imports {sorted(forbidden(imported, own_module))}"


def test_every_command_is_found_in_the_module_the_table_names() -> None:
    import importlib
    import pkgutil

    import bortekg.cli

    for module in pkgutil.iter_modules(bortekg.cli.__path__):  # every module, listed in the table or not
        importlib.import_module(f"bortekg.cli.{module.name}")
    unlisted = set(main.commands) - set(COMMAND_MODULES)
    assert not unlisted, f"add to bortekg.cli.COMMAND_MODULES, with the module that defines it: {sorted(unlisted)}"
    for name, module in COMMAND_MODULES.items():
        assert main.commands[name].callback.__module__ == f"bortekg.cli.{module}", name


class CountingGraph:
    """A KnowledgeGraph that counts the queries asked of it."""

    def __init__(self, kg) -> None:
        self.kg, self.queries = kg, 0

    def query(self, *args, **kwargs):
        self.queries += 1
        return self.kg.query(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.kg, name)


def test_describe_asks_a_few_queries_however_many_claims_mention_the_node(kg) -> None:
    from bortekg.describe import describe

    counting = CountingGraph(kg)
    description = describe(counting, "https://w3id.org/bortekg/entity/bortezomib")
    assert len(description.claims) > 100  # the node most claims mention
    assert counting.queries <= 6, f"{counting.queries} queries for one description"


def test_an_exact_name_is_looked_up_without_ranking_data(kg) -> None:
    from bortekg.search import SearchIndex
    from bortekg.terms import lookup

    names_only = SearchIndex.build(kg, ranked=False)
    full = SearchIndex.build(kg)
    assert not names_only.ranked and not names_only.weights and not names_only.definitions
    assert names_only.by_name == full.by_name and names_only.brands == full.brands
    counting = CountingGraph(kg)
    assert lookup(counting, "bortezomib").iri == "https://w3id.org/bortekg/entity/bortezomib"
    assert counting.queries == 1  # the names; no definitions, no weights
    names_only.rank(kg)
    assert names_only.weights == full.weights and names_only.definitions == full.definitions
    assert names_only.search("neuropathy") == full.search("neuropathy")
