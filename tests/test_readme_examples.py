"""Every example command of the README runs against the files in examples/: a console block
(``$ bortekg ...`` followed by its output) must print exactly that output, and every
``bortekg`` line of a bash block must succeed. Submission ids and times, which change with
every run, are compared by their shape."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bortekg
from conftest import REPO

README = REPO / "README.md"
EXAMPLES = REPO / "examples"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
_SUBMISSION_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{8}")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")

#: Commands that need what a test cannot have offline: a SPARQL server, or the user's own file.
NEEDS_MORE = ("--endpoint", "bortekg load", "my.rq", "oxigraph serve")


def blocks() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(text)]


def console_blocks() -> list[list[tuple[str, str]]]:
    """Each block with ``$ bortekg`` lines, as (command, expected output) pairs."""
    found = []
    for _, body in blocks():
        if "\n$ bortekg" not in "\n" + body:
            continue
        steps: list[tuple[str, list[str]]] = []
        for line in body.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
        found.append([(command, "\n".join(lines)) for command, lines in steps])
    return found


def bash_commands() -> list[str]:
    commands = []
    for language, body in blocks():
        if language != "bash":
            continue
        for line in body.splitlines():
            if line.startswith("bortekg ") and not any(n in line for n in NEEDS_MORE):
                commands.append(line)
    return commands


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    args = shlex.split(command, comments=True)
    assert args[0] == "bortekg", command
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("COLUMNS", "BORTEKG_STORE", "BORTEKG_ENDPOINT", "BORTEKG_CQ_DIR")}
    # the commands run the package under test, whatever the working folder
    package_root = str(Path(bortekg.__file__).resolve().parent.parent)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, environment.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "bortekg", *args[1:]], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=300, check=False)


def shape(text: str) -> str:
    return _TIME.sub("<time>", _SUBMISSION_ID.sub("<submission>", text)).rstrip()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of examples/, so that stores and pictures the commands write stay out of the checkout."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    return tmp_path


def test_the_readme_has_examples_to_run() -> None:
    assert len(console_blocks()) >= 3 and len(bash_commands()) >= 10


@pytest.mark.parametrize("steps", console_blocks(), ids=lambda steps: steps[0][0][:60])
def test_console_examples_print_what_the_readme_shows(workspace: Path, steps) -> None:
    folder = workspace / "examples"
    submission = None
    for command, expected in steps:
        if submission is not None:
            command = _SUBMISSION_ID.sub(submission, command)
        result = run(command, folder)
        added = re.search(r"added submission (\S+):", result.stdout)
        submission = added.group(1) if added else submission
        assert "Traceback" not in result.stderr, result.stderr
        assert shape(result.stdout) == shape(expected), f"$ {command}\n{result.stderr}"


@pytest.mark.parametrize("command", bash_commands())
def test_bash_examples_succeed(workspace: Path, command: str) -> None:
    if " reason" in command and "--profile rl" not in command and shutil.which("java") is None:
        pytest.skip("HermiT needs a Java runtime")
    result = run(command, workspace)
    assert result.returncode == 0 and "Traceback" not in result.stderr, f"{command}\n{result.stderr[-2000:]}"


def test_every_example_file_is_used_by_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    unused = [p.name for p in EXAMPLES.iterdir() if p.name not in text]
    assert not unused, f"examples/ holds files the README never uses: {unused}"
