"""The expected answers of the competency questions, tests/cq/expected/*.json: read, compared and
regenerated.

One file per parameter case: ``<slug>.json`` for a question without parameters, ``<slug>--<case>.json``
for a bound case of a parameterised one (its ``bindings`` say which). A file holds the columns and
the rows, each row the lexical values of its bound columns.

After a change to the graph or a query, regenerate the files from the current graph and review
the change as a diff before committing it::

    python tests/cq_expected.py --regenerate   # rewrite every file from the embedded store
    git diff tests/cq/expected/                # every changed row is a changed answer: review it
    python tests/cq_expected.py                # exit 1 and list the files that are out of date

The tests do not trust these files alone: every number in an expected row must be in the verbatim
quote of that row's claim, and every quote must be in its source document.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from bortekg import KnowledgeGraph, resources
from bortekg import namespaces as ns
from bortekg.catalogue import CompetencyQuestion, load_question

CQ_DIR = resources.queries_dir() / "cq"
EXPECTED_DIR = Path(__file__).resolve().parent / "cq" / "expected"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

Row = tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class Case:
    """One expected answer: a question, its parameter bindings and the rows it must return."""

    slug: str
    path: Path

    @property
    def id(self) -> str:
        return self.path.stem

    @property
    def query_path(self) -> Path:
        return CQ_DIR / f"{self.slug}.rq"

    def question(self) -> CompetencyQuestion:
        return load_question(self.query_path)

    def document(self) -> dict:
        return json.loads(self.path.read_text(encoding="utf-8"))


def slug_of(expected: Path) -> str:
    return expected.stem.split("--", 1)[0]


def cases() -> list[Case]:
    return [Case(slug_of(p), p) for p in sorted(EXPECTED_DIR.glob("*.json"))]


def canonical(lexical: str | None) -> str | None:
    """A value compared by value: numbers in a canonical decimal form, anything else as written."""
    if lexical is None or not _NUMBER.fullmatch(lexical):
        return lexical
    try:
        return format(Decimal(lexical).normalize(), "f")
    except InvalidOperation:
        return lexical


def expected_rows(document: dict) -> set[Row]:
    columns = document["columns"]
    return {tuple((c, canonical(row.get(c))) for c in columns) for row in document["rows"]}


def lexical(term: ox.Term | None) -> str | None:
    """A result term as the files write it: booleans as true/false, numbers in canonical form."""
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value == ns.XSD + "boolean":
        return "true" if term.value in ("true", "1") else "false"
    return canonical(term.value)


def answer(kg: KnowledgeGraph, question: CompetencyQuestion, bindings: dict[str, str]) -> tuple[list[str], list[dict[str, str]]]:
    """The question's columns and rows (in the query's order) on the embedded store, with the
    parameters bound the way ``bortekg cq run --param`` binds them (none: the query unbound)."""
    results = kg.query(question.sparql, bindings=question.bindings(bindings) if bindings else None)
    columns = [v.value for v in results.variables]
    rows = [{c: lexical(row[c]) for c in columns if row[c] is not None} for row in results]
    return columns, rows


def oxigraph_rows(kg: KnowledgeGraph, question: CompetencyQuestion, bindings: dict[str, str]) -> tuple[list[str], set[Row]]:
    columns, rows = answer(kg, question, bindings)
    return columns, {tuple((c, row.get(c)) for c in columns) for row in rows}


def document_text(columns: list[str], rows: list[dict[str, str]], bindings: dict[str, str]) -> str:
    document: dict = {"bindings": bindings} if bindings else {}
    document.update(columns=columns, rows=rows)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def regenerated(kg: KnowledgeGraph) -> dict[Path, str]:
    """The text every expected file should have now: each existing case answered again, and a
    file for each question without parameters that has none yet (the cases of a parameterised
    question are chosen by a curator: add a ``<slug>--<case>.json`` with its bindings)."""
    texts = {}
    for case in cases():
        bindings = case.document().get("bindings", {})
        texts[case.path] = document_text(*answer(kg, case.question(), bindings), bindings)
    for path in sorted(CQ_DIR.glob("*.rq")):
        question = load_question(path)
        plain = EXPECTED_DIR / f"{path.stem}.json"
        if not question.params and plain not in texts:
            texts[plain] = document_text(*answer(kg, question, {}), {})
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regenerate", action="store_true", help="rewrite the files from the current graph")
    options = parser.parse_args(argv)
    repo = EXPECTED_DIR.parent.parent.parent
    texts = regenerated(KnowledgeGraph())
    stale = [path for path, text in texts.items()
             if not path.is_file() or path.read_text(encoding="utf-8") != text]
    for path in stale:
        if options.regenerate:
            path.write_text(texts[path], encoding="utf-8")
        print(f"{'rewrote' if options.regenerate else 'out of date'}: {path.relative_to(repo)}")
    if options.regenerate:
        print(f"{len(stale)} file(s) rewritten; review the change with: git diff tests/cq/expected/")
        return 0
    if stale:
        print("regenerate with: python tests/cq_expected.py --regenerate (then review: git diff tests/cq/expected/)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
