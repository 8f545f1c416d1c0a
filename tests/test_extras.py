"""Optional features: the core install runs the read commands; every command whose extra is
missing says, in one line and with exit 2, which extra to install, and changes nothing.

A missing library is simulated in a child process by ``sys.modules[name] = None``: Python then
refuses to import it (ModuleNotFoundError) and ``importlib.util.find_spec`` reports it absent,
as in an environment where it was never installed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bortekg import KnowledgeGraph
from bortekg.extras import (
    COMMAND_EXTRAS,
    EXTRA_MODULES,
    MissingExtraError,
    explain_missing,
    extra_for_module,
    missing_modules,
    require,
)
from conftest import REPO
from gate_helpers import snapshot

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

EXAMPLES = REPO / "examples"
EVERY_EXTRA_MODULE = sorted({module for modules in EXTRA_MODULES.values() for module in modules})
#: PyPI names whose import name differs from the name lower-cased with - as _.
IMPORT_NAMES = {"python-multipart": "python_multipart", "python-mimeparse": "mimeparse"}


def run_without(modules: list[str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``bortekg ARGS`` in a child process in which ``modules`` cannot be imported."""
    script = (f"import sys\nfor name in {modules!r}:\n    sys.modules[name] = None\n"
              f"from bortekg.cli import main\nmain({list(args)!r}, prog_name='bortekg')\n")
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=cwd)


def test_pyproject_extras_bring_the_modules_the_code_checks() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    for extra, modules in EXTRA_MODULES.items():
        # a requirement for some platforms only (uvloop) speeds a library up; nothing checks for it
        names = [re.split(r"[<>=!;\[ ]", requirement, maxsplit=1)[0].lower() for requirement in extras[extra]
                 if "sys_platform" not in requirement]
        assert sorted(IMPORT_NAMES.get(name, name.replace("-", "_")) for name in names) == sorted(modules), extra
    assert extras["all"] == [f"bortekg[{','.join(EXTRA_MODULES)}]"]
    assert "bortekg[all]" in extras["test"]
    core = {re.split(r"[<>=!;\[ ]", requirement, maxsplit=1)[0] for requirement in project["dependencies"]}
    assert core == {"pyoxigraph", "click", "requests"}


def test_extra_for_module_reads_the_top_level_name_and_prefers_the_command_extra() -> None:
    assert extra_for_module("networkx.algorithms") == "network"
    assert extra_for_module("rdflib", preferred="reason") == "reason"
    assert extra_for_module("rdflib", preferred="validate") == "validate"
    assert extra_for_module("rdflib", preferred="network") == "validate"
    assert extra_for_module("json") is None


def test_require_names_the_extra_of_a_missing_module(monkeypatch: pytest.MonkeyPatch) -> None:
    require("network", "bortekg paths")  # installed here: no error
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert missing_modules("network") == ["matplotlib"]
    with pytest.raises(MissingExtraError) as raised:
        require("network", "bortekg draw")
    assert str(raised.value) == ("bortekg draw needs matplotlib, which is not installed: "
                                 "pip install 'bortekg[network]'")


def test_explain_missing_maps_an_import_error_or_declines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyshacl", None)
    with pytest.raises(ModuleNotFoundError) as raised:
        import pyshacl  # noqa: F401
    explained = explain_missing(raised.value, "bortekg validate")
    assert explained is not None and explained.extra == "validate" and explained.module == "pyshacl"
    assert explain_missing(ModuleNotFoundError("no", name="no_such_module"), "bortekg x") is None


CORE_COMMANDS = [
    ("stats",),
    ("query", str(REPO / "tests" / "fixtures" / "cq" / "claims-per-source.rq")),
    ("describe", "bortezomib"),
    ("search", "Velcade"),
    ("cq", "list"),
    ("cq", "run", "administration-routes"),
    ("export", "--format", "nt"),
    ("submissions",),
]


@pytest.mark.parametrize("args", CORE_COMMANDS, ids=" ".join)
def test_core_commands_run_without_any_extra(args: tuple[str, ...], tmp_path: Path) -> None:
    store = ["--store", str(tmp_path / "store")] if args[0] == "submissions" else []
    completed = run_without(EVERY_EXTRA_MODULE, *store, *args)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout


FEATURE_COMMANDS = [
    (("validate", str(EXAMPLES / "new-facts.ttl")), "validate"),
    (("reason",), "reason"),
    (("assess", str(EXAMPLES / "patient.json")), "reason"),
    (("paths", "bortezomib", "peripheral neuropathy"), "network"),
    (("neighbors", "bortezomib"), "network"),
    (("draw", "bortezomib", "-o", "picture.png"), "network"),
    (("export", "--format", "graphml"), "network"),
    (("stats", "--network"), "network"),
]


def test_every_command_that_needs_an_extra_is_checked() -> None:
    checked = {args[0] for args, _ in FEATURE_COMMANDS} | {"add"}
    assert set(COMMAND_EXTRAS) - {"serve"} <= checked


@pytest.mark.parametrize(("args", "extra"), FEATURE_COMMANDS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_a_command_without_its_extra_names_it_in_one_line(args: tuple[str, ...], extra: str, tmp_path: Path) -> None:
    completed = run_without(list(EXTRA_MODULES[extra]), *args, cwd=tmp_path)
    assert completed.returncode == 2 and completed.stdout == ""
    command = "bortekg " + args[0]
    assert re.fullmatch(rf"bortekg: {command} needs \w+, which is not installed: "
                        rf"pip install 'bortekg\[{extra}\]'\n", completed.stderr), completed.stderr
    assert not (tmp_path / "picture.png").exists()


def test_add_without_its_extra_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = tmp_path / "store"
    KnowledgeGraph(store)
    before = snapshot(store)
    completed = run_without(["pyshacl"], "--store", str(store), "add", str(EXAMPLES / "new-facts.ttl"),
                            "--source", "a test")
    assert completed.returncode == 2 and completed.stdout == ""
    assert completed.stderr == ("bortekg: bortekg add needs pyshacl, which is not installed: "
                                "pip install 'bortekg[validate]'\n")
    assert snapshot(store) == before


def test_an_import_error_of_no_extra_is_not_disguised() -> None:
    """A module of bortekg itself missing is a broken installation: the error stays as it is."""
    completed = run_without(["bortekg.describe"], "describe", "bortezomib")
    assert completed.returncode == 1 and "ModuleNotFoundError" in completed.stderr
    assert "pip install 'bortekg[" not in completed.stderr
