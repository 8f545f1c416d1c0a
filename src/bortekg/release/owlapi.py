"""Run the OWL API (Debian package ``libowlapi-java``) through the small ``OwlTool.java``.

The classpath is not hard-coded: Debian installs a Maven repository under
/usr/share/maven-repo with one POM per library, versions rewritten to the installed ones.
The owlapi-apibinding POM is found through ``dpkg-query -L libowlapi-java`` and its runtime
dependencies are walked from there. ``OwlTool.java`` is compiled once into the cache folder.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = "libowlapi-java"
MAVEN_REPO = Path("/usr/share/maven-repo")
ROOT_ARTIFACT = "owlapi-apibinding"  # provides OWLManager; its POM pulls in the rest
SOURCE = Path(__file__).with_name("OwlTool.java")
_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
_RUNTIME_SCOPES = {"", "compile", "runtime"}


class OwlApiUnavailable(RuntimeError):
    """Java or the OWL API is not installed; the message says what to install."""


class OwlApiError(RuntimeError):
    """The OWL API could not read a file or resolve an import (message from the OWL API)."""


@dataclass(frozen=True)
class ProfileReport:
    """The OWL 2 DL profile check of one ontology document with its imports closure."""

    in_profile: bool
    violations: list[str]  # "kind<TAB>text"


def _dpkg_files(package: str) -> list[str]:
    if shutil.which("dpkg-query") is None:
        return []
    done = subprocess.run(["dpkg-query", "-L", package], check=False, capture_output=True, text=True)
    return done.stdout.split() if done.returncode == 0 else []


def _text(elem: ET.Element, tag: str) -> str:
    return (elem.findtext(f"m:{tag}", "", _NS) or "").strip()


def _artifact_dir(group: str, artifact: str, version: str) -> Path | None:
    """The installed version directory; Debian POMs say "debian" or "2.x" where upstream pinned one."""
    base = MAVEN_REPO.joinpath(*group.split("."), artifact)
    for candidate in (version, "debian"):
        if candidate and (base / candidate).is_dir():
            return base / candidate
    dirs = sorted(p for p in base.glob("*") if p.is_dir()) if base.is_dir() else []
    return dirs[0] if dirs else None


def _pom_dependencies(pom: Path) -> list[tuple[str, str, str]]:
    """Runtime dependencies of a POM and of its parents, as (group, artifact, version)."""
    deps: list[tuple[str, str, str]] = []
    seen: set[Path] = set()
    current: Path | None = pom
    while current is not None and current not in seen:
        seen.add(current)
        root = ET.parse(current).getroot()
        for dep in root.findall("m:dependencies/m:dependency", _NS):
            if _text(dep, "scope") in _RUNTIME_SCOPES and _text(dep, "optional") != "true":
                deps.append((_text(dep, "groupId"), _text(dep, "artifactId"), _text(dep, "version")))
        parent = root.find("m:parent", _NS)
        current = None
        if parent is not None:
            pdir = _artifact_dir(_text(parent, "groupId"), _text(parent, "artifactId"), _text(parent, "version"))
            poms = sorted(pdir.glob("*.pom")) if pdir else []
            current = poms[0] if poms else None
    return deps


@cache
def classpath() -> str | None:
    """The OWL API classpath (jars joined by ':'), or None when it is not installed."""
    roots = [Path(n) for n in _dpkg_files(PACKAGE)]
    root = next((p for p in roots if p.suffix == ".pom" and p.parent.parent.name == ROOT_ARTIFACT), None)
    if root is None or not root.is_file():
        return None
    jars: dict[Path, None] = {}  # an ordered set
    todo, visited = [root], set()
    while todo:
        pom = todo.pop(0)
        if pom in visited:
            continue
        visited.add(pom)
        for jar in sorted(pom.parent.glob(f"{pom.stem}.jar")):
            jars.setdefault(jar.resolve(), None)
        for group, artifact, version in _pom_dependencies(pom):
            found = None if "${" in group + artifact else _artifact_dir(group, artifact, version)
            if found is not None:
                todo.extend(sorted(found.glob(f"{artifact}-*.pom")))
    # SLF4J without a binding prints a warning on every run; the no-op binding keeps stderr clean.
    nop = MAVEN_REPO / "org/slf4j/slf4j-nop/debian/slf4j-nop-debian.jar"
    if nop.exists():
        jars.setdefault(nop.resolve(), None)
    existing = [str(j) for j in jars if j.is_file()]
    return ":".join(existing) if any("owlapi-api" in Path(j).name for j in existing) else None


def unavailable_reason() -> str | None:
    """Why the OWL API cannot run here (what to install), or None when it can."""
    if shutil.which("java") is None or shutil.which("javac") is None:
        return "Java not found: install a JDK (apt-get install default-jdk-headless) and the OWL API (apt-get install libowlapi-java)"
    if classpath() is None:
        return f"the OWL API is not installed: apt-get install {PACKAGE}"
    return None


def _compiled(workdir: Path) -> Path:
    """The folder holding OwlTool.class, compiled once per version of its source."""
    reason = unavailable_reason()
    jars = classpath()
    if reason or jars is None:
        raise OwlApiUnavailable(reason or f"the OWL API is not installed: apt-get install {PACKAGE}")
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:16]
    target = workdir / f"owltool-{digest}"
    if (target / "OwlTool.class").is_file():
        return target
    building = workdir / f".owltool-{digest}-{id(target)}"
    building.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["javac", "-Xlint:-path", "-cp", jars, "-d", str(building), str(SOURCE)],
        check=False, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise OwlApiUnavailable(f"javac could not compile {SOURCE.name}: {done.stderr.strip()}")
    try:
        building.rename(target)  # atomic: a concurrent build that finished first wins
    except OSError:
        shutil.rmtree(building, ignore_errors=True)
    return target


def _run(args: list[str], workdir: Path, *, timeout: float) -> subprocess.CompletedProcess[str]:
    classes = _compiled(workdir)
    done = subprocess.run(
        ["java", "-cp", f"{classes}:{classpath()}", "OwlTool", *args],
        check=False, capture_output=True, text=True, timeout=timeout,
    )
    if done.returncode == 2:
        raise OwlApiError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "OwlTool failed")
    return done


def check_dl_profile(catalog: Path, ontology: Path, workdir: Path, *, timeout: float = 300) -> ProfileReport:
    """OWL 2 DL profile of ``ontology`` with its imports closure, imports resolved by ``catalog``."""
    done = _run(["profile", str(catalog), str(ontology)], workdir, timeout=timeout)
    lines = done.stdout.splitlines()
    if not lines or not lines[-1].startswith("OWL2DL\t"):
        raise OwlApiError(f"unexpected output from the profile check: {done.stderr.strip()}{done.stdout.strip()}")
    violations = [line.removeprefix("VIOLATION\t") for line in lines if line.startswith("VIOLATION\t")]
    return ProfileReport(in_profile=done.returncode == 0, violations=violations)


def write_functional(catalog: Path, pairs: list[tuple[Path, Path]], workdir: Path, *, timeout: float = 300) -> None:
    """Write each (Turtle or RDF/XML input, output) pair in OWL functional syntax."""
    args = ["functional", str(catalog)]
    for source, target in pairs:
        args += [str(source), str(target)]
    done = _run(args, workdir, timeout=timeout)
    if done.returncode != 0:
        raise OwlApiError(done.stderr.strip() or "OwlTool failed")
