"""The search command: find nodes by label, synonym, brand name, identifier or definition."""

from __future__ import annotations

import json

import click

from bortekg.cli import EXIT_VIOLATIONS, main, open_graph


@main.command()
@click.argument("text")
@click.option("--format", "fmt", type=click.Choice(["human", "json"]), default="human", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True,
              help="Show at most this many matches.")
@click.pass_context
def search(ctx: click.Context, text: str, fmt: str, limit: int) -> None:
    """Find the nodes whose label, synonym, brand name, standard identifier or definition
    matches TEXT, best first; exit 1 with a suggestion when nothing matches."""
    from bortekg.results import render_table, terminal_width
    from bortekg.search import SearchIndex

    index = SearchIndex.build(open_graph(ctx))
    hits = index.search(text)
    if fmt == "json":
        click.echo(json.dumps([h.as_dict() for h in hits[:limit]], indent=2, ensure_ascii=False))
    elif hits:
        rows = [[h.curie, h.label, h.rank_name, f"{h.field}: {h.matched}"] for h in hits[:limit]]
        table = render_table(["curie", "label", "match", "matched"], rows, width=terminal_width())
        click.echo(table, nl=False)
        if len(hits) > limit:
            click.echo(f"({len(hits) - limit} more: --limit {len(hits)} to see them all)")
    if not hits:
        suggestions = index.suggest(text)
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        click.echo(f"bortekg: nothing matches {text!r}{hint}", err=True)
        ctx.exit(EXIT_VIOLATIONS)

