"""Run the OWL API's OWL 2 DL profile checker (Debian package ``libowlapi-java``) on the
union of several files (``ProfileCheck.java``). The classpath comes from the product's own
OWL API runner, ``bortekg.release.owlapi``, which finds the jars through Debian's Maven
repository; a module checked on its own, imports resolved by a catalog, goes through
``bortekg.release.owlapi.check_dl_profile``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bortekg.release.owlapi import PACKAGE
from bortekg.release.owlapi import classpath as find_owlapi_classpath

INSTALL_HINT = f"OWL API jars not found: run `apt-get install -y {PACKAGE}` (Debian/Ubuntu)"
SOURCE = Path(__file__).with_name("ProfileCheck.java")


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
