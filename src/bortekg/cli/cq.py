"""The competency questions: cq list, cq show, cq run."""

from __future__ import annotations

import json
import textwrap

import click

from bortekg.cli import fail, main, write_output
from bortekg.cli.querying import endpoint_options, guarded, open_engine, timeout_option


@main.group()
def cq() -> None:
    """The clinical competency questions the graph answers."""


def _question(question_id: str):
    from bortekg.catalogue import CatalogueError, UnknownQuestionError, get_question

    try:
        return get_question(question_id)
    except (UnknownQuestionError, CatalogueError) as error:
        fail(str(error))


@cq.command("list")
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True)
def list_questions(fmt: str) -> None:
    """Every question: its id, title and the clinical question it answers."""
    from bortekg.catalogue import CatalogueError, load_catalogue

    try:
        questions = load_catalogue()
    except CatalogueError as error:
        fail(str(error))
    if fmt == "json":
        rows = [{"id": q.id, "title": q.title, "question": q.question,
                 "params": [p.name for p in q.params],
                 "required": [p.name for p in q.required]} for q in questions]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for q in questions:
        click.echo(f"{q.id}  {q.title}")
        click.echo(textwrap.fill(q.question, width=100, initial_indent="    ", subsequent_indent="    "))
        if q.required:
            click.echo(f"    asks about one case: {q.example_command()}")
    click.echo(f"({len(questions)} questions; bortekg cq show ID for the SPARQL, bortekg cq run ID to answer)")


@cq.command()
@click.argument("question_id", metavar="ID")
def show(question_id: str) -> None:
    """The question ID asks, its sources and parameters, and its SPARQL."""
    q = _question(question_id)
    click.echo(f"{q.id}: {q.title}")
    click.echo(textwrap.fill(q.question, width=100))
    click.echo(f"sources: {', '.join(q.sources)}")
    for param in q.params:
        need = ", required" if param.required else ""
        click.echo(f"parameter {param.name} ({param.datatype}{need}): {param.description}")
    if q.examples:
        click.echo(f"example: {q.example_command()}")
    click.echo("\n" + q.body.strip())


@cq.command()
@click.argument("question_id", metavar="ID")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A value for one of the question's parameters (repeat for several).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml", "records"]),
              default="table", show_default=True,
              help="records: a JSON list of plain objects, one per row, keyed by column.")
@click.option("--with-evidence", is_flag=True,
              help="Add each row's evidence: its claim's verbatim quote and source document.")
@click.option("--wide", is_flag=True, help="Table cells in full, however wide the terminal.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="For a question that lists the whole graph: at most N rows (a page).")
@click.option("--after", metavar="KEY",
              help="For a question that lists the whole graph: the rows after KEY "
                   "(the key printed on stderr at the end of the previous page).")
@timeout_option
@endpoint_options
@click.pass_context
def run(ctx: click.Context, question_id: str, params: tuple[str, ...], fmt: str, with_evidence: bool,
        wide: bool, limit: int | None, after: str | None, timeout: float, endpoint: str | None,
        user: str | None) -> None:
    """Answer the question ID (on the embedded store, or on a server with --endpoint)."""
    from bortekg.engines import run_query
    from bortekg.results import format_results, terminal_width

    q = _question(question_id)
    values: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            fail(f"--param {item!r}: write NAME=VALUE, for example --param grade=2")
        if name.strip() in values:
            fail(f"--param {name.strip()} is given twice")
        values[name.strip()] = value
    bindings = guarded(q.id, lambda: q.bindings(values))
    sparql, page_bindings = guarded(q.id, lambda: q.page(limit=limit, after=after))
    engine = open_engine(ctx, endpoint, user, timeout)
    results = guarded(q.id, lambda: run_query(engine, sparql, bindings={**bindings, **page_bindings},
                                              timeout=timeout))
    if q.page_key is not None and limit is not None:
        results = _announce_next_page(q, results, limit, values)
    if with_evidence or fmt == "records":
        import pyoxigraph

        from bortekg.answers import Answer
        from bortekg.answers import with_evidence as add_evidence

        if not isinstance(results, pyoxigraph.QuerySolutions):
            fail(f"{q.id}: --with-evidence and --format records need a SELECT question")
        answer = Answer.of(results)
        if with_evidence:
            answer = guarded(q.id, lambda: add_evidence(
                answer, lambda sparql: run_query(engine, sparql, timeout=timeout)))
        if fmt == "records":
            click.echo(json.dumps(answer.records(), indent=2, ensure_ascii=False))
            return
        results = answer.solutions()
    data = format_results(results, fmt, width=terminal_width(wide) if fmt == "table" else None)
    if fmt == "table":
        # the question first, for people; machine formats stay exactly the answer
        click.echo(f"{q.title} ({q.id})")
    write_output(data, None)


def _announce_next_page(q, results, limit: int, values: dict[str, str]):
    """Say on stderr how to ask for the next page when this one is full; return the same
    results (read once here, so handed back as a fresh solutions object)."""
    import shlex

    from bortekg.answers import Answer

    answer = Answer.of(results)
    key = guarded(q.id, lambda: q.next_page_key(answer.rows, limit))
    if key is not None:
        options = "".join(f" --param {shlex.quote(f'{name}={value}')}" for name, value in values.items())
        click.echo(f"bortekg: more rows may follow; the next page: bortekg cq run {q.id}{options} "
                   f"--limit {limit} --after {shlex.quote(key)}", err=True)
    return answer.solutions()
