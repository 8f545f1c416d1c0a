"""Package metadata: one version, written only in pyproject.toml; the licences README states;
the type marker."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

import bortekg
from conftest import REPO

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_version_comes_from_the_installed_metadata() -> None:
    assert bortekg.__version__ == metadata.version("bortekg")
    shown = subprocess.run([sys.executable, "-m", "bortekg", "--version"],
                           capture_output=True, text=True, check=True).stdout
    assert bortekg.__version__ in shown


def test_pyproject_is_the_only_place_the_version_is_written() -> None:
    version = pyproject()["project"]["version"]
    written = re.compile(rf"""(__version__|version)\s*[:=]\s*["']{re.escape(version)}["']""")
    offenders = [str(path.relative_to(REPO)) for path in (REPO / "src").rglob("*.py")
                 if written.search(path.read_text(encoding="utf-8"))]
    assert not offenders, f"the version is written in {offenders}: read it with importlib.metadata instead"


def test_the_licence_files_match_the_declared_licence_and_readme() -> None:
    project = pyproject()["project"]
    assert project["license"] == "CC-BY-4.0 AND MIT"
    files = project["license-files"]
    texts = {name: (REPO / name).read_text(encoding="utf-8") for name in files}
    assert texts["LICENSE"].startswith("MIT License\n")
    assert texts["LICENSE-DATA"].startswith("Attribution 4.0 International\n")
    assert "Creative Commons Attribution 4.0 International Public License" in texts["LICENSE-DATA"]
    licence_section = (REPO / "README.md").read_text(encoding="utf-8").split("\n## Licence", 1)[1]
    assert "CC BY 4.0" in licence_section and "MIT" in licence_section
    assert all(name in licence_section for name in files), "README's Licence section names the licence files"


def test_the_package_is_marked_as_typed() -> None:
    assert (REPO / "src" / "bortekg" / "py.typed").is_file()
