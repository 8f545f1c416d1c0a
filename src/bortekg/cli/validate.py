"""Submission commands: validate, add, submissions, retract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from bortekg.cli import EXIT_OK, EXIT_VIOLATIONS, fail, main, open_graph

_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]?)i?b?", re.IGNORECASE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
MAX_SHAPES_BYTES = 10 * 1024**2


def _parse_size(text: str) -> int:
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise click.BadParameter(f"{text!r} is not a size: write e.g. 500k, 10M or 1048576")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _input_options(command):
    """Options shared by the commands that read submissions."""
    from bortekg.ingest import DEFAULT_MAX_BYTES, INPUT_FORMATS
    from bortekg.report import REPORT_FORMATS

    command = click.option(
        "--max-size", default=f"{DEFAULT_MAX_BYTES // 1024**2}M", show_default=True, metavar="SIZE",
        envvar="BORTEKG_MAX_SUBMISSION_SIZE",
        help="Largest submission accepted (bytes, or with k, M, G).")(command)
    command = click.option(
        "--input-format", type=click.Choice(list(INPUT_FORMATS)),
        help="Input format (default: from the file extension).")(command)
    command = click.option(
        "--shapes", "extra_shapes", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="An extra SHACL shapes file (Turtle), checked with the packaged shapes; repeatable.")(command)
    command = click.option(
        "--source-text", "source_texts", multiple=True, metavar="[SOURCE=]FILE",
        help="The plain text of a source document the submission adds, to verify its quotes "
             "against (SOURCE: its IRI or CURIE, needed when the submission adds several); "
             "repeatable. Only an index of the text is stored.")(command)
    command = click.option(
        "--engine", type=click.Choice(["compiled", "pyshacl"]), default="compiled", show_default=True,
        help="What evaluates the SHACL shapes: the shapes compiled to SPARQL (fast), or pyshacl, "
             "the reference engine (slower; also takes SHACL features the compiled engine refuses).")(command)
    command = click.option("--quiet", "-q", is_flag=True, help="Print nothing; the exit status says it all.")(command)
    command = click.option(
        "--format", "fmt", type=click.Choice(list(REPORT_FORMATS)), default="human",
        show_default=True, help="Report format; turtle is a standard sh:ValidationReport.")(command)
    return command


def _read(files: tuple[Path, ...], input_format: str | None, max_size: str) -> list:
    """Read every file; report every unreadable one on stderr and exit 2 if any."""
    from bortekg.ingest import IngestError, read_submission

    try:
        max_bytes = _parse_size(max_size)
    except click.BadParameter as error:
        fail(f"--max-size: {error.message}")
    submissions, errors = [], []
    for path in files:
        try:
            submissions.append(read_submission(path, input_format=input_format, max_bytes=max_bytes))
        except IngestError as error:
            errors.append(str(error))
    if errors:
        fail("cannot read the submission:\n" + "\n".join(errors) if len(errors) == 1 else
             "cannot read the submissions:\n" + "\n".join(errors))
    return submissions


def _source_texts(specs: tuple[str, ...], submissions: list, max_size: str) -> dict[str, bytes]:
    """--source-text values as {source IRI: text bytes}; a text without a named source goes to
    the one source document the submissions add."""
    from bortekg import namespaces as ns
    from bortekg.ingest import new_source_documents
    from bortekg.inputs import InputTooLargeError, read_bounded

    if not specs:
        return {}
    max_bytes = _parse_size(max_size)
    added = sorted({s for submission in submissions for s in new_source_documents(submission)})
    texts: dict[str, bytes] = {}
    for spec in specs:
        name, sep, file_name = spec.partition("=")
        if sep and not Path(spec).exists():
            source = ns.expand(name.strip()) or name.strip()
        else:
            if not added:
                fail(f"--source-text {spec}: the submission adds no source document; the option gives "
                     "the text of a new bkg:SourceDocument it declares, to check that document's quotes")
            if len(added) != 1:
                listed = ", ".join(ns.curie(s) for s in added) or "none"
                fail(f"--source-text {spec}: say which source the text is for, as "
                     f"--source-text SOURCE={spec} (source documents the submission adds: {listed})")
            source, file_name = added[0], spec
        if source not in added:
            listed = ", ".join(ns.curie(s) for s in added) or "none"
            fail(f"--source-text {spec}: {ns.curie(source)} is not a source document this submission "
                 f"adds (it adds: {listed}); texts are given only for new sources")
        try:
            texts[source] = read_bounded(file_name, max_bytes)
        except InputTooLargeError as error:
            fail(f"--source-text {spec}: {error} (--max-size raises it)")
        except OSError as error:
            fail(f"--source-text {spec}: cannot read {file_name}: {error.strerror or error}")
    return texts


def _gate(kg, extra_shapes: tuple[Path, ...], engine: str = "compiled"):
    """The packaged shapes plus any given with --shapes; a shapes file that does not parse is an error."""
    from bortekg import resources
    from bortekg.inputs import InputTooLargeError, read_bounded
    from bortekg.validate import Gate, load_shapes

    for path in extra_shapes:  # refused before any parser sees an endless or huge file
        try:
            read_bounded(path, MAX_SHAPES_BYTES)
        except InputTooLargeError as error:
            fail(f"--shapes {path}: {error}; a shapes file is a few hundred kilobytes at most")
        except OSError as error:
            fail(f"--shapes {path}: cannot read it: {error.strerror or error}")
    try:
        shapes = load_shapes([*resources.shapes_files(), *extra_shapes])
    except (SyntaxError, ValueError, OSError) as error:
        fail(f"cannot read the shapes: {error}")
    try:
        return Gate.of(kg, shapes, engine=engine)
    except ValueError as error:  # a shape the compiled engine cannot evaluate
        fail(f"cannot use the shapes: {error}")


def _emit(text: str, quiet: bool) -> None:
    if not quiet:
        click.echo(text, nl=False)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE...")
@_input_options
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], fmt: str, quiet: bool, source_texts: tuple[str, ...],
             extra_shapes: tuple[Path, ...], input_format: str | None, max_size: str, engine: str) -> None:
    """Check submitted facts against the vocabulary, the SHACL shapes (in the context of the
    graph) and the knowledge rules (quotes in their source, numbers in their quote,
    plausibility, duplicates and conflicts, identifiers, ontology protection, citations).
    Exit 0 conforms, 1 violations, 2 unreadable input.

    Each FILE is checked as one submission (as `bortekg add` would take it). Turtle,
    N-Triples, N-Quads, TriG, JSON-LD and RDF/XML are read; graph names in N-Quads and TriG
    are not kept.
    """
    from bortekg.progress import for_people
    from bortekg.report import Report, render
    from bortekg.validate import validate_submission

    submissions = _read(files, input_format, max_size)
    texts = _source_texts(source_texts, submissions, max_size)
    kg = open_graph(ctx)
    gate = _gate(kg, extra_shapes, engine)
    progress = for_people()
    report = Report.merge([validate_submission(kg, s, gate=gate, source_texts=texts, progress=progress)
                           for s in submissions])
    _emit(render(report, fmt), quiet)
    ctx.exit(EXIT_OK if report.conforms else EXIT_VIOLATIONS)


def _require_store(ctx: click.Context, command: str) -> None:
    if ctx.obj.get("store") is None:
        fail(f"{command} needs a persistent store: give --store DIR (or set BORTEKG_STORE); "
             "the default in-memory store is rebuilt from the packaged files on every run")


def _persistent_graph(ctx: click.Context, command: str):
    _require_store(ctx, command)
    return open_graph(ctx)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--source", required=True, help="Where the facts come from (a citation, a URL, a document).")
@click.option("--submitter", help="Who submits them.")
@_input_options
@click.pass_context
def add(ctx: click.Context, file: Path, source: str, submitter: str | None, fmt: str, quiet: bool,
        source_texts: tuple[str, ...], extra_shapes: tuple[Path, ...], input_format: str | None,
        max_size: str, engine: str) -> None:
    """Validate FILE exactly as `validate` does, then merge it atomically into the store as a
    submission graph of its own, with its provenance. On any failure the store is unchanged."""
    from bortekg.progress import for_people
    from bortekg.report import render, render_json
    from bortekg.store import DuplicateSubmissionError
    from bortekg.validate import SubmissionRejected, validate_and_add

    if not source.strip():
        fail("--source is empty: say where the facts come from")
    _require_store(ctx, "add")
    [submission] = _read((file,), input_format, max_size)  # before the store is opened and locked
    texts = _source_texts(source_texts, [submission], max_size)
    kg = _persistent_graph(ctx, "add")
    try:
        report, record = validate_and_add(kg, submission, source=source, submitter=submitter, progress=for_people(),
                                          gate=_gate(kg, extra_shapes, engine), source_texts=texts)
    except SubmissionRejected as rejected:
        _emit(render(rejected.report, fmt), quiet)
        click.echo(f"bortekg: {file.name} was not added; the store is unchanged", err=True)
        ctx.exit(EXIT_VIOLATIONS)
    except DuplicateSubmissionError as error:
        fail(str(error))
    except OSError as error:  # a full or read-only disk: the transaction did not commit
        fail(f"cannot write to the store at {ctx.obj['store']}: {error}; {file.name} was not "
             "added and the store is unchanged")
    added = (f"added submission {record.id}: {record.triples} triples from {record.file_name} "
             f"(graph <{record.graph}>)")
    if fmt == "json":
        document = json.loads(render_json(report))
        document["submission"] = record.as_dict()
        _emit(json.dumps(document, indent=2, ensure_ascii=False) + "\n", quiet)
    elif fmt == "turtle":
        _emit(render(report, fmt), quiet)
        click.echo(f"bortekg: {added}", err=True)
    else:
        _emit((render(report, fmt) if report.entries else "") + added + "\n", quiet)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True)
@click.pass_context
def submissions(ctx: click.Context, fmt: str) -> None:
    """List the accepted submissions of the store, oldest first."""
    records = _persistent_graph(ctx, "submissions").submissions()
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in records], indent=2, ensure_ascii=False))
        return
    if not records:
        click.echo("no submissions")
        return
    from bortekg.results import render_table

    header = ["id", "submitted", "triples", "file", "source", "submitter"]
    rows = [[r.id, r.submitted_at, str(r.triples), r.file_name, r.source, r.submitter or ""] for r in records]
    click.echo(render_table(header, rows), nl=False)


@main.command()
@click.argument("submission_id", metavar="ID")
@click.pass_context
def retract(ctx: click.Context, submission_id: str) -> None:
    """Remove exactly one submission (its triples and its provenance) from the store."""
    from bortekg.store import UnknownSubmissionError

    kg = _persistent_graph(ctx, "retract")
    try:
        record = kg.retract(submission_id)
    except UnknownSubmissionError as error:
        fail(str(error))
    click.echo(f"retracted submission {record.id}: {record.triples} triples from {record.file_name}")
