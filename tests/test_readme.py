"""README's quick start and the CI entry point stay in step."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import REPO


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_quick_start_has_exactly_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    assert "bortekg" in commands[0] and "pytest" in commands[1]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert quick_start_commands()[1] in ci_lines


def readme_environment_table() -> set[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Environment variables", 1)[1].split("\n#", 1)[0]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}


def environment_variables_read(source: Path) -> set[str]:
    """Names the code reads: ``envvar="X"``, ``os.environ.get(X)``, ``os.environ[X]``,
    ``os.getenv(X)``, where X is a string or a module-level name bound to one."""
    tree = ast.parse(source.read_text(encoding="utf-8"))
    constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                 for target in node.targets if isinstance(target, ast.Name)}

    def name(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return constants.get(node.id)
        return None

    def is_environ(node: ast.AST) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "environ" or \
            isinstance(node, ast.Name) and node.id == "environ"

    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            reads = isinstance(function, ast.Attribute) and (
                function.attr in ("get", "pop", "setdefault") and is_environ(function.value)
                or function.attr == "getenv")
            if reads and node.args:
                found.add(name(node.args[0]))
            found |= {name(keyword.value) for keyword in node.keywords if keyword.arg == "envvar"}
        elif isinstance(node, ast.Subscript) and is_environ(node.value):
            found.add(name(node.slice))
    assert None not in found, f"{source}: an environment variable named by an expression this test cannot read"
    return found


def test_every_environment_variable_the_code_reads_is_documented() -> None:
    read = set().union(*(environment_variables_read(path) for path in (REPO / "src").rglob("*.py")))
    documented = readme_environment_table()
    assert {"BORTEKG_STORE", "BORTEKG_ENDPOINT_PASSWORD"} <= read  # the scan finds both kinds of read
    assert not read - documented, f"add to README's Environment variables table: {sorted(read - documented)}"
    ours = {name for name in documented if name.startswith(("BORTEKG_", "XDG_"))}
    assert not ours - read, f"README documents variables the code no longer reads: {sorted(ours - read)}"
