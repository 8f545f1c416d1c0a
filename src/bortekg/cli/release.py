"""Release commands: ``release`` (a dated, versioned release folder) and ``diff`` (a semantic changelog)."""

from __future__ import annotations

from pathlib import Path

import click

from bortekg.cli import EXIT_OK, EXIT_VIOLATIONS, fail, main


@main.command()
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="The release folder to write (new or empty; see --force).")
@click.option("--date", "date", metavar="YYYY-MM-DD",
              help="The release date, stamped into the ontology's version IRI (default: today, UTC).")
@click.option("--previous", "previous", type=click.Path(path_type=Path),
              help="An earlier release folder: its changes to this one go into CHANGELOG.md.")
@click.option("--force", is_flag=True, help="Replace an existing non-empty --out folder.")
def release(out: Path, date: str | None, previous: Path | None, force: bool) -> None:
    """Build a dated release: ontology (Turtle, RDF/XML, OWL functional syntax), knowledge base
    (N-Quads, TriG, JSON-LD), documentation, a manifest of hashes and a changelog.

    Exit 0 when every artefact was written, 1 when one could not be (each named on stderr with
    the reason), 2 on bad input."""
    from bortekg.release import ReleaseError, build_release
    from bortekg.release.owlapi import OwlApiError

    try:
        result = build_release(out, date=date, previous=previous, force=force)
    except ReleaseError as error:
        fail(str(error))
    except OwlApiError as error:
        fail(f"the OWL API could not write the functional syntax, so no release was written: {error}")
    except OSError as error:
        fail(f"cannot write the release {out}: {error.strerror or error}")
    files = sum(len(paths) for paths in result.artefacts.values())
    click.echo(f"release {result.date}: {files} files in {result.folder} (listed in manifest.json)")
    for gap in result.missing:
        click.echo(f"bortekg: warning: {gap['files']} not written: {gap['reason']}", err=True)
    raise SystemExit(EXIT_VIOLATIONS if result.missing else EXIT_OK)


@main.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff_command(old: Path, new: Path, fmt: str) -> None:
    """What changed from OLD to NEW (each a release folder, a store folder or an RDF file):
    claims added, retracted and changed, entities and mappings, ontology axioms.

    Exit 0 when there is no change, 1 when there are changes, 2 on bad input."""
    from bortekg.diff import DiffInputError, load_snapshot, semantic_diff

    try:
        result = semantic_diff(load_snapshot(old), load_snapshot(new))
    except DiffInputError as error:
        fail(str(error))
    click.echo(result.as_json() if fmt == "json" else result.as_text())
    raise SystemExit(EXIT_OK if result.is_empty else EXIT_VIOLATIONS)
