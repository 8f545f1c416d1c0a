"""cq run for people and programs: the title first, tables that fit the terminal, the
evidence of each row, plain records; and the claim column every question returns."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from bortekg.answers import EVIDENCE_COLUMNS, Answer, NoClaimColumnError, rows_as_records, with_evidence
from bortekg.catalogue import get_question, load_catalogue
from bortekg.cli import main
from bortekg.engines import EmbeddedEngine, run_query

#: Questions whose rows are not claims: counts, entities, and values of claims and of their parts.
NO_CLAIM = {"claims-per-source", "entities-without-identifier", "value-caveats"}


def cli(*args: str, **env: str):
    return CliRunner(env=env).invoke(main, list(args))


def answer_of(kg, question_id: str, **params: str) -> Answer:
    q = get_question(question_id)
    return Answer.of(run_query(EmbeddedEngine(kg), q.sparql, bindings=q.bindings(params)))


def test_every_question_returns_its_claim(kg) -> None:
    for q in load_catalogue():
        if q.id in NO_CLAIM or q.required:
            continue
        answer = answer_of(kg, q.id)
        assert "claim" in answer.columns, f"{q.id}: add a ?claim column (the claim each row rests on)"


def test_title_first_in_a_table_only() -> None:
    table = cli("cq", "run", "indications")
    assert table.exit_code == 0 and table.stdout.startswith("Approved and off-label indications (indications)\n")
    plain = cli("cq", "run", "indications", "--format", "csv")
    assert plain.stdout.startswith("disease,status,context,claim,source")


@pytest.mark.parametrize("columns", [60, 100, 140])
def test_tables_fit_the_terminal_and_wide_keeps_cells_whole(columns: int) -> None:
    fitted = cli("cq", "run", "fasciculation", COLUMNS=str(columns))
    assert fitted.exit_code == 0
    assert max(len(line) for line in fitted.stdout.splitlines()) <= columns
    wide = cli("cq", "run", "fasciculation", "--wide", COLUMNS=str(columns))
    assert max(len(line) for line in wide.stdout.splitlines()) > 300
    # the same rows, and every claim of the answer in whole
    assert wide.stdout.splitlines()[-1] == fitted.stdout.splitlines()[-1]
    claims = {word for word in wide.stdout.split() if word.startswith("bkc:")}
    assert claims and all(claim in fitted.stdout for claim in claims)


def test_few_columns_make_a_wrapped_table() -> None:
    result = cli("cq", "run", "indications", COLUMNS="140")
    lines = result.stdout.splitlines()
    assert lines[1].startswith("disease") and "claim" in lines[1] and max(map(len, lines)) <= 140
    assert len(lines) > 2 + 6 + 1  # some cells wrapped onto further lines


def test_with_evidence_gives_each_rows_own_quote_and_source(kg) -> None:
    result = cli("cq", "run", "route-effect-on-neuropathy", "--with-evidence", "--format", "records")
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert records and all(set(EVIDENCE_COLUMNS) <= set(r) for r in records)
    for record in records:
        claim = ox.NamedNode(record["claim"])
        quotes = {row["q"].value for row in kg.query(
            "SELECT ?c ?q WHERE { ?c <https://w3id.org/bortekg/evidenceQuote> ?q }", bindings={"c": claim})}
        assert set(record["evidenceQuote"].split("\n")) == quotes
        assert record["evidenceSource"] == record["source"]


def test_with_evidence_in_every_format() -> None:
    table = cli("cq", "run", "first-line-bipn-pain", "--with-evidence", "--wide")
    assert "evidenceQuote" in table.stdout and "Pregabalin 150-600 mg/day for at least three months" in table.stdout
    rows = list(csv.DictReader(io.StringIO(cli("cq", "run", "first-line-bipn-pain", "--with-evidence",
                                                  "--format", "csv").stdout)))
    assert rows and all(r["evidenceQuote"] for r in rows)
    document = json.loads(cli("cq", "run", "first-line-bipn-pain", "--with-evidence", "--format", "json").stdout)
    assert document["head"]["vars"][-2:] == list(EVIDENCE_COLUMNS)


def test_with_evidence_needs_a_claim_column() -> None:
    result = cli("cq", "run", "claims-per-source", "--with-evidence")
    assert result.exit_code == 2 and result.stdout == ""
    assert "no 'claim' column to join evidence on" in result.stderr


def test_records_have_the_answers_columns_as_keys_and_plain_values(kg) -> None:
    result = cli("cq", "run", "dose-modification", "--param", "grade=2", "--param", "pain=true", "--format", "records")
    records = json.loads(result.stdout)
    answer = answer_of(kg, "dose-modification", grade="2", pain="true")
    assert records == answer.records() and all(list(r) == answer.columns for r in records)
    first = records[0]
    assert first["grade"] == 2 and first["pain"] is True and isinstance(first["newDose"], float)
    assert first["claim"].startswith("https://w3id.org/bortekg/claim/")


def test_rows_as_records_and_the_round_trip_through_solutions(kg) -> None:
    q = get_question("first-line-bipn-pain")
    results = run_query(EmbeddedEngine(kg), q.sparql)
    records = rows_as_records(results)
    answer = answer_of(kg, "first-line-bipn-pain")
    again = Answer.of(answer.solutions())
    assert again.columns == answer.columns and again.rows == answer.rows
    assert records == answer.records() and records[0]["drug"] == "pregabalin"
    with pytest.raises(NoClaimColumnError):
        with_evidence(Answer(["x"], []), lambda sparql: None)


def test_terminal_width_follows_columns_a_terminal_and_wide(monkeypatch) -> None:
    from bortekg.results import terminal_width

    monkeypatch.setenv("COLUMNS", "77")
    assert terminal_width() == 77 and terminal_width(wide=True) is None
    monkeypatch.delenv("COLUMNS")
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert terminal_width() is None  # a file or a pipe gets whole cells
