"""A wheel built from the checkout carries the ontology, shapes, queries and licences, and runs
outside the clone in a fresh virtual environment with the core install alone (no extras)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from bortekg import KnowledgeGraph
from conftest import REPO

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

pytestmark = pytest.mark.wheel


@dataclass(frozen=True)
class Installed:
    wheel: Path
    env_dir: Path
    outside: Path
    environment: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.env_dir / "bin" / "bortekg"), *args], cwd=self.outside,
                              env=self.environment, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel installed with no extras: ``pip install bortekg`` as a user runs it."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)],
        check=True,
    )
    wheel = next(dist.glob("bortekg-*.whl"))
    env_dir = root / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True)
    outside = root / "elsewhere"
    outside.mkdir()
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    environment["BORTEKG_CACHE_DIR"] = str(root / "cache")
    return Installed(wheel, env_dir, outside, environment)


def test_wheel_runs_stats_in_a_fresh_environment(installed: Installed) -> None:
    completed = installed.run("stats", "--format", "json")
    assert completed.returncode == 0, completed.stderr
    assert '"claims":' in completed.stdout
    located = subprocess.run(
        [str(installed.env_dir / "bin" / "python"), "-c", "from bortekg import resources; print(resources.data_root())"],
        cwd=installed.outside, env=installed.environment, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert located.startswith(str(installed.env_dir)) and located.endswith("_data")


def test_the_core_install_has_no_library_of_an_extra(installed: Installed) -> None:
    script = ("import importlib.util as u; print([m for m in ('rdflib', 'pyshacl', 'owlready2', 'networkx', "
              "'matplotlib', 'jsonschema', 'bioregistry', 'reasonable', 'starlette') if u.find_spec(m)])")
    found = subprocess.run([str(installed.env_dir / "bin" / "python"), "-c", script], cwd=installed.outside,
                           env=installed.environment, capture_output=True, text=True, check=True).stdout.strip()
    assert found == "[]"


def test_the_core_install_queries_describes_answers_and_exports(installed: Installed, kg: KnowledgeGraph) -> None:
    query = installed.outside / "claims.rq"
    query.write_text("PREFIX bkg: <https://w3id.org/bortekg/>\n"
                     "SELECT (COUNT(?claim) AS ?claims) WHERE { ?claim bkg:evidenceQuote ?quote }\n")
    claims = next(iter(kg.query(query.read_text())))["claims"].value  # the same question in this process
    for args, expected in (
        (("query", str(query), "--format", "csv"), f"claims\n{claims}\n"),
        (("describe", "bortezomib"), "bortezomib"),
        (("cq", "run", "administration-routes"), "subcutaneous"),
        (("export", "--format", "nt"), "<https://w3id.org/bortekg/entity/bortezomib>"),
    ):
        completed = installed.run(*args)
        assert completed.returncode == 0, (args, completed.stderr)
        assert expected in completed.stdout, args


def test_the_core_install_names_the_extra_validate_needs(installed: Installed) -> None:
    submission = REPO / "examples" / "new-facts.ttl"
    completed = installed.run("validate", str(submission))
    assert completed.returncode == 2 and completed.stdout == ""
    assert completed.stderr.endswith("which is not installed: pip install 'bortekg[validate]'\n")
    assert completed.stderr.count("\n") == 1


def test_the_wheel_carries_the_licences_the_type_marker_and_the_version(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    assert "bortekg/py.typed" in names
    licences = {Path(name).name for name in names if "/licenses/" in name}
    assert licences == {"LICENSE", "LICENSE-DATA"}
    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    shown = installed.run("--version")
    assert shown.returncode == 0 and version in shown.stdout
