"""Run HermiT, the OWL 2 DL reasoner that owlready2 ships, as a Java process we control.

owlready2's own ``sync_reasoner_hermit`` cannot be stopped (no time limit), leaves its
temporary dump behind when Java fails, and asks HermiT for property hierarchies we do not
use (several seconds more on this graph). So the jar is run here directly: the input is
written to a private temporary folder that is always removed, the JVM is told to write
nothing outside it (no perf data, crash logs inside the folder), and the process is killed
when the time limit passes. owl:imports are never part of the input, so nothing is fetched.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = (
    "HermiT needs a Java runtime (java not found on PATH): install one, for example "
    "`apt-get install default-jre-headless` (Debian/Ubuntu) or any Java 11+ runtime; "
    "without Java, `bortekg reason --profile rl` runs OWL 2 RL materialisation in Python"
)

#: JVM options for a short run: the C1 compiler alone halves HermiT's time on this graph;
#: no hsperfdata file (it would be left in /tmp when the process is killed).
_JVM_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xss8m"]
_MAIN_CLASS = "org.semanticweb.HermiT.cli.CommandLine"
#: What HermiT's command line prints when it gives up (parse errors, unsupported input).
_FAILURE = "It all went pear-shaped"


class ReasonerError(RuntimeError):
    """HermiT could not run or failed; the message says why and what to do."""


class JavaNotFoundError(ReasonerError):
    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


class ReasonerTimeoutError(ReasonerError):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"the reasoner did not finish within {seconds:g} s and was stopped; "
            "give it more time with --timeout"
        )


@dataclass(frozen=True)
class HermitRun:
    """What one HermiT process answered."""

    consistent: bool
    output: str


def java_executable() -> str:
    java = shutil.which("java")
    if java is None:
        raise JavaNotFoundError()
    return java


def hermit_classpath() -> str:
    """HermiT's jar as owlready2 ships it (found without importing owlready2)."""
    spec = importlib.util.find_spec("owlready2")
    if spec is None or not spec.submodule_search_locations:
        raise ReasonerError("owlready2 is not installed: pip install 'bortekg[reason]'")
    hermit_dir = Path(next(iter(spec.submodule_search_locations))) / "hermit"
    jar = hermit_dir / "HermiT.jar"
    if not jar.is_file():
        raise ReasonerError(f"HermiT.jar not found in {hermit_dir}: reinstall owlready2")
    return os.pathsep.join([str(hermit_dir), str(jar)])


def run_hermit(documents: bytes | list[bytes], actions: list[str], *, timeout: float) -> HermitRun:
    """Run HermiT with ``actions`` (command-line flags such as ``-c -I`` or ``-k``) on one
    N-Triples document, or on several in one Java process, in order.

    An inconsistent ontology is an answer, not an error: HermiT stops at the first one,
    ``consistent`` is then False and ``output`` holds the answers for the documents before it.
    """
    java = java_executable()
    classpath = hermit_classpath()
    if isinstance(documents, bytes):
        documents = [documents]
    with tempfile.TemporaryDirectory(prefix="bortekg-hermit-") as folder:
        work = Path(folder)
        sources = []
        for number, document in enumerate(documents):
            source = work / f"input-{number}.nt"
            source.write_bytes(document)
            sources.append(source.as_uri())
        command = [
            java,
            *_JVM_OPTIONS,
            f"-Djava.io.tmpdir={work}",
            f"-XX:ErrorFile={work / 'hs_err_%p.log'}",
            "-cp",
            classpath,
            _MAIN_CLASS,
            *actions,
            *sources,
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, cwd=work, check=False)
        except subprocess.TimeoutExpired:
            raise ReasonerTimeoutError(timeout) from None
    stdout = done.stdout.decode("utf-8", "replace")
    stderr = done.stderr.decode("utf-8", "replace")
    if "InconsistentOntologyException" in stderr:
        return HermitRun(consistent=False, output=stdout)
    # HermiT's command line exits 0 even when it cannot parse its input
    if done.returncode != 0 or _FAILURE in stderr or _FAILURE in stdout:
        detail = next((line for line in (stderr + stdout).splitlines() if _FAILURE in line), stderr.strip()[-500:])
        raise ReasonerError(f"HermiT failed (exit {done.returncode}): {detail}")
    return HermitRun(consistent=True, output=stdout)
