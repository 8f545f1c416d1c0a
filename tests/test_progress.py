"""Long work tells a person watching what it is doing; scripts see only results."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bortekg import KnowledgeGraph
from bortekg.cli import main
from bortekg.ingest import parse_submission
from bortekg.progress import for_people, silent
from bortekg.validate import validate_submission

GOOD = Path(__file__).resolve().parent.parent / "examples" / "new-source.ttl"
TEXT = GOOD.with_name("case-report-abstract.txt")


def test_steps_are_shown_when_asked_and_hidden_from_scripts(monkeypatch, capsys) -> None:
    monkeypatch.setenv("BORTEKG_PROGRESS", "1")
    report = for_people()
    report("a step")
    assert "bortekg: a step (" in capsys.readouterr().err
    monkeypatch.setenv("BORTEKG_PROGRESS", "0")
    assert for_people() is silent
    monkeypatch.delenv("BORTEKG_PROGRESS")
    assert for_people() is silent  # stderr is captured here, not a terminal


def test_the_gate_names_each_layer(kg: KnowledgeGraph) -> None:
    steps: list[str] = []
    submission = parse_submission(GOOD.read_bytes(), file_name="new-source.ttl", input_format="ttl")
    validate_submission(kg, submission, source_texts={"https://w3id.org/bortekg/source/case-report-abstract": TEXT.read_bytes()},
                        progress=steps.append)
    assert [s.split(": ", 1)[1].split(" ")[0] for s in steps] == ["vocabulary", "shapes,", "knowledge"]


@pytest.mark.parametrize(("variable", "shown"), [("1", True), ("0", False)])
def test_validate_prints_its_steps_on_stderr_only(variable: str, shown: bool) -> None:
    result = CliRunner(env={"BORTEKG_PROGRESS": variable}).invoke(
        main, ["validate", str(GOOD), "--source-text", str(TEXT)])
    assert result.exit_code == 0 and result.stdout == "new-source.ttl: conforms\n"
    assert ("bortekg: new-source.ttl: knowledge rules (" in result.stderr) is shown


@pytest.mark.java
def test_reason_reports_hermit_and_the_stored_inferences() -> None:
    result = CliRunner(env={"BORTEKG_PROGRESS": "1"}).invoke(main, ["reason", "--no-explain"])
    assert result.exit_code == 0, result.stderr
    for step in ("reading the graph", "HermiT: consistency, classification and realisation", "storing"):
        assert f"bortekg: {step}" in result.stderr


def test_draw_reports_its_steps(tmp_path: Path) -> None:
    result = CliRunner(env={"BORTEKG_PROGRESS": "1"}).invoke(
        main, ["draw", "pregabalin", "-o", str(tmp_path / "p.png")])
    assert result.exit_code == 0, result.stderr
    assert "bortekg: building the network view" in result.stderr
    assert "bortekg: laying out and drawing the picture" in result.stderr
