"""The reason command: OWL 2 DL reasoning with HermiT, or OWL 2 RL without Java."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bortekg import namespaces as ns
from bortekg.cli import EXIT_VIOLATIONS, fail, main, open_graph

#: Formats accepted for files checked together with the graph (RDF/XML is left out: its
#: DOCTYPE can expand entities without bound).
_FILE_FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES"}


def _read_files(files: tuple[Path, ...]) -> list:
    import pyoxigraph as ox

    from bortekg.ingest import DEFAULT_MAX_BYTES
    from bortekg.inputs import InputTooLargeError, read_bounded

    triples = []
    for path in files:
        fmt = _FILE_FORMATS.get(path.suffix.lower())
        if fmt is None:
            fail(f"{path}: unsupported file type {path.suffix or '(none)'}; give Turtle (.ttl) or N-Triples (.nt)")
        if not path.exists():
            fail(f"{path}: file not found")
        try:
            data = read_bounded(path, DEFAULT_MAX_BYTES)
            triples.extend(ox.parse(data, format=getattr(ox.RdfFormat, fmt)))
        except InputTooLargeError as error:
            fail(f"{path}: {error}; give a smaller file")
        except MemoryError as error:
            fail(f"{path}: a literal or IRI is too long for the parser ({error})")
        except SyntaxError as error:
            fail(f"{path}: invalid {fmt.replace('_', '-').title()}: {error}; fix the file and retry")
        except (OSError, UnicodeDecodeError) as error:
            fail(f"cannot read {path}: {error}")
    return triples


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--profile",
    type=click.Choice(["dl", "rl"]),
    default="dl",
    show_default=True,
    help="dl: OWL 2 DL with HermiT (needs Java); rl: OWL 2 RL materialisation in Python.",
)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
              help="Seconds the reasoner may take (and again for an explanation).")
@click.option("--no-explain", is_flag=True, help="Report problems without searching for their cause.")
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True)
@click.pass_context
def reason(ctx: click.Context, files: tuple[Path, ...], profile: str, timeout: float, no_explain: bool, fmt: str) -> None:
    """Check consistency, classify and realise the graph; explain any problem.

    FILES (Turtle or N-Triples) are checked together with the graph but not stored; without
    FILES the inferred triples replace the graph's inferred-triples graph.
    """
    from bortekg.progress import for_people
    from bortekg.reason import ReasonerError
    from bortekg.reason import reason as run_reasoner

    extra = _read_files(files)
    kg = open_graph(ctx)
    try:
        report = run_reasoner(kg, profile=profile, extra=extra, timeout=timeout, explain=not no_explain,
                              progress=for_people())
    except ReasonerError as error:
        fail(str(error))
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_report(report))
    if not report.ok:
        ctx.exit(EXIT_VIOLATIONS)


def render_report(report) -> str:
    title = "OWL 2 DL" if report.profile == "dl" else "OWL 2 RL"
    lines = [f"{title} reasoning with {report.reasoner}: {report.seconds:g} s"]
    lines.append(f"consistent: {'yes' if report.consistent else 'NO'}")
    if report.profile == "dl" and report.consistent:
        lines.append(f"unsatisfiable classes: {', '.join(map(ns.curie, report.unsatisfiable)) or 'none'}")
    lines.append(f"classes: {report.classes}, individuals: {report.individuals}")
    if report.ok:
        where = f"stored in {ns.GRAPH_INFERRED}" if report.stored else "not stored (files were given)"
        lines.append(f"inferred triples: {report.inferred_triples} ({where})")
    for defined in report.defined_classes:
        lines.append(f"\n{defined.cls}: {len(defined.members)} individual(s)")
        lines.extend(f"  - {member}" for member in defined.members)
    for explanation in report.explanations:
        lines.append(f"\nproblem: {explanation.problem}")
        if explanation.axioms:
            lines.append("  because:")
            lines.extend(f"    {n}. {axiom}" for n, axiom in enumerate(explanation.axioms, 1))
            lines.append(f"  individuals: {', '.join(explanation.individuals) or 'none'}")
            lines.append(f"  classes: {', '.join(explanation.classes) or 'none'}")
        if explanation.note:
            lines.append(f"  {explanation.note}")
    return "\n".join(lines)
