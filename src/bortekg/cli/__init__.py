"""The ``bortekg`` command line: a thin layer over the Python API.

Contract: results on stdout, messages on stderr; exit 0 on success, 1 when a check finds
violations, 2 on bad input or an error (with nothing on stdout). Each area's commands live
in their own module and register on ``main`` when imported, which happens only for the command
that runs (``COMMAND_MODULES``); heavy libraries are imported inside commands.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    """Print a message on stderr and exit (2 by default)."""
    click.echo(f"bortekg: {message}", err=True)
    sys.exit(code)


def open_graph(ctx: click.Context):
    """The graph named by the global --store option (in memory when absent)."""
    from bortekg.store import KnowledgeGraph

    store_dir = ctx.obj.get("store")
    try:
        return KnowledgeGraph(store_dir)
    except OSError as error:
        hint = ("; another bortekg process is using it: retry when it has finished"
                if "lock" in str(error).lower() else "")
        fail(f"cannot open the store at {store_dir}: {error}{hint}")


def write_output(data: bytes, output: Path | None, store_dir: Path | None = None) -> None:
    """Write bytes to stdout, or whole to a file (never one inside the store's folder)."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from bortekg.outputs import OutputError, refuse_inside_store, write_atomically

    try:
        refuse_inside_store(output, store_dir)
        write_atomically(output, data)
    except OutputError as error:
        fail(str(error))


def check_output_path(ctx: click.Context, output: Path | None) -> None:
    """Refuse, before any work, an output file inside the store's folder."""
    from bortekg.outputs import OutputError, refuse_inside_store

    if output is not None:
        try:
            refuse_inside_store(output, ctx.obj.get("store"))
        except OutputError as error:
            fail(str(error))


class FeatureCommand(click.Command):
    """A command that, before it runs, checks the libraries of the extra it needs, and turns
    a library found missing later (an option's own extra) into the same one-line message."""

    def invoke(self, ctx: click.Context) -> Any:
        from bortekg.extras import COMMAND_EXTRAS, MissingExtraError, explain_missing, require

        what = f"bortekg {self.name}"
        extra = COMMAND_EXTRAS.get(self.name or "")
        try:
            if extra is not None:
                require(extra, what)
            return super().invoke(ctx)
        except MissingExtraError as error:
            fail(str(error))
        except ModuleNotFoundError as error:
            missing = explain_missing(error, what, extra)
            if missing is None:
                raise
            fail(str(missing))


class Commands(click.Group):
    """bortekg's command groups: every command and sub-group they make is of the kinds above."""

    command_class = FeatureCommand
    group_class: type[click.Group] | type[type] | None = type  # sub-groups (cq) are Commands too


class LazyCommands(Commands):
    """The top-level group: a command's module is imported when that command runs (or when
    ``--help`` lists them all), so that a command pays for no other's imports."""

    group_class = Commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            # the module registers its commands on ``main``; __import__, unlike importlib's
            # import_module, shows in ``python -X importtime`` like any import statement
            __import__(f"bortekg.cli.{COMMAND_MODULES[cmd_name]}")
        return super().get_command(ctx, cmd_name)


#: Each command and the module of ``bortekg.cli`` that defines it (and registers it on ``main``).
COMMAND_MODULES: dict[str, str] = {
    "stats": "core", "query": "core", "export": "core", "describe": "core",
    "cq": "cq",
    "search": "lookup",
    "load": "endpoint",
    "validate": "validate", "add": "validate", "submissions": "validate", "retract": "validate",
    "paths": "network", "neighbors": "network", "draw": "network",
    "reason": "reason",
    "assess": "assess",
    "serve": "serve",
    "release": "release", "diff": "release",
}


@click.group(cls=LazyCommands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="BORTEKG_STORE",
    help="Persistent store folder (default: an in-memory store loaded from the packaged files).",
)
@click.version_option(package_name="bortekg")
@click.pass_context
def main(ctx: click.Context, store: Path | None) -> None:
    """bortekg: a clinical reasoning knowledge graph about bortezomib."""
    ctx.ensure_object(dict)
    ctx.obj["store"] = store
