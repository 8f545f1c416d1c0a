"""Run the OWL API's OWL 2 DL profile checker (Debian package ``libowlapi-java``).

The classpath is not hard-coded: Debian installs a Maven repository under
/usr/share/maven-repo with one cleaned-up POM per library (versions rewritten to
the installed ones).  ``find_owlapi_classpath`` finds the owlapi-apibinding POM
through ``dpkg -L libowlapi-java`` and walks the runtime dependencies of the POMs
from there (guava, caffeine, hppcrt, rdf4j, jsonld-java, commons-*, jackson, ...).
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

PACKAGE = "libowlapi-java"
INSTALL_HINT = f"OWL API jars not found: run `apt-get install -y {PACKAGE}` (Debian/Ubuntu)"
MAVEN_REPO = Path("/usr/share/maven-repo")
ROOT_ARTIFACT = "owlapi-apibinding"  # provides OWLManager; its POM pulls in the rest
SOURCE = Path(__file__).with_name("ProfileCheck.java")
_NS = {"m": "http://maven.apache.org/POM/4.0.0"}
_RUNTIME_SCOPES = {"", "compile", "runtime"}


def _dpkg_files(package: str) -> list[str]:
    if shutil.which("dpkg-query") is None:
        return []
    done = subprocess.run(["dpkg-query", "-L", package], capture_output=True, text=True)
    return done.stdout.split() if done.returncode == 0 else []


def _root_pom() -> Path | None:
    for name in _dpkg_files(PACKAGE):
        path = Path(name)
        if path.suffix == ".pom" and path.parent.parent.name == ROOT_ARTIFACT and path.is_file():
            return path
    return None


def _artifact_dir(group: str, artifact: str, version: str) -> Path | None:
    """The installed version directory; Debian POMs say "debian" or "2.x" where upstream pinned one."""
    base = MAVEN_REPO.joinpath(*group.split("."), artifact)
    for candidate in (version, "debian"):
        if candidate and (base / candidate).is_dir():
            return base / candidate
    dirs = sorted(p for p in base.glob("*") if p.is_dir()) if base.is_dir() else []
    return dirs[0] if dirs else None


def _text(elem: ET.Element, tag: str) -> str:
    return (elem.findtext(f"m:{tag}", "", _NS) or "").strip()


def _pom_dependencies(pom: Path) -> list[tuple[str, str, str]]:
    """Runtime dependencies of a POM and of its parents (as (group, artifact, version))."""
    deps: list[tuple[str, str, str]] = []
    seen_parents: set[Path] = set()
    current: Path | None = pom
    while current is not None and current not in seen_parents:
        seen_parents.add(current)
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


def find_owlapi_classpath() -> str | None:
    """Classpath (os.pathsep-joined jars) for the Debian OWL API, or None if it is not installed."""
    root = _root_pom()
    if root is None:
        return None
    jars: dict[Path, None] = {}  # ordered set of resolved jar paths
    todo = [root]
    visited: set[Path] = set()
    while todo:
        pom = todo.pop(0)
        if pom in visited:
            continue
        visited.add(pom)
        for jar in sorted(pom.parent.glob(f"{pom.stem}.jar")):
            jars.setdefault(jar.resolve(), None)
        for group, artifact, version in _pom_dependencies(pom):
            if "${" in group + artifact:
                continue  # unresolved property: Debian POMs normally have none
            found = _artifact_dir(group, artifact, version)
            if found is not None:
                todo.extend(sorted(found.glob(f"{artifact}-*.pom")))
    # SLF4J 1.7 without a binding prints a three-line warning; the no-op binding keeps stderr clean.
    nop = MAVEN_REPO / "org/slf4j/slf4j-nop/debian/slf4j-nop-debian.jar"
    if nop.exists():
        jars.setdefault(nop.resolve(), None)
    existing = [str(j) for j in jars if j.is_file()]
    if not any("owlapi-api" in Path(j).name for j in existing):
        return None
    return ":".join(existing)


def check_dl_profile(files: list[Path], workdir: Path) -> tuple[bool, list[str]]:
    """Check the union of ``files`` against OWL 2 DL.

    Returns (in_profile, violation lines "VIOLATION\\t<kind>\\t<text>").  Raises
    RuntimeError when the OWL API is missing or a file cannot be loaded.
    """
    if shutil.which("javac") is None or shutil.which("java") is None:
        raise RuntimeError("javac/java not found: install a JDK (e.g. `apt-get install -y default-jdk-headless`)")
    classpath = find_owlapi_classpath()
    if classpath is None:
        raise RuntimeError(INSTALL_HINT)
    workdir.mkdir(parents=True, exist_ok=True)
    compiled = workdir / "ProfileCheck.class"
    if not compiled.exists() or compiled.stat().st_mtime < SOURCE.stat().st_mtime:
        done = subprocess.run(
            ["javac", "-Xlint:-path", "-cp", classpath, "-d", str(workdir), str(SOURCE)],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"javac failed on {SOURCE}:\n{done.stderr}")
    done = subprocess.run(
        ["java", "-cp", f"{workdir}:{classpath}", "ProfileCheck", *map(str, files)],
        capture_output=True, text=True, timeout=600,
    )
    lines = done.stdout.splitlines()
    if done.returncode not in (0, 1) or not lines or not lines[-1].startswith("OWL2DL\t"):
        raise RuntimeError(f"ProfileCheck failed (exit {done.returncode}):\n{done.stderr}{done.stdout}")
    violations = [line for line in lines if line.startswith("VIOLATION\t")]
    return done.returncode == 0, violations
