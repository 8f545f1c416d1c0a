"""The gate's corpus: submissions written as a curator would, each with one realistic mistake
(``tests/gate/refused/``) or none (``tests/gate/accepted/``).

Each file opens with a header naming what it tests:

    # expect: refused rule: quote-verbatim
    # expect: accepted rule: source-text-given
    # source-text: jco-abstract.txt            (optional, repeatable: a text for a new source,
    # source-text: bks:x=other.txt              relative to the case file)

JSON-LD and RDF/XML cases, which cannot open with a comment, keep these lines in a side file
named like the case with ``.expect`` instead of their extension.

A refused case must be refused for the reason its header names (a violation of that rule;
``expect: unreadable rule: TEXT`` for a mistake the reader refuses first, its message holding
TEXT),
an accepted case must conform. Every knowledge rule has refused cases, every family at least
three, and there are at least 25 accepted cases; accepted cases are also added to a store one
after another and retracted again, which must give back the store as it was.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bortekg import KnowledgeGraph
from bortekg import namespaces as ns
from bortekg.ingest import EXTENSIONS, IngestError, read_submission
from bortekg.validate import Gate, all_rules, validate_and_add, validate_submission

CORPUS = Path(__file__).resolve().parent / "gate"
_HEADER = re.compile(r"^#\s*expect:\s*(accepted|refused|unreadable)\s+rule:\s*(\S+)\s*$")
_SOURCE_TEXT = re.compile(r"^#\s*source-text:\s*(?:(\S+)=)?(\S+)\s*$")


def cases(kind: str) -> list[Path]:
    return sorted(p for p in (CORPUS / kind).iterdir() if p.suffix in EXTENSIONS)


def header(path: Path) -> tuple[str, str, dict[str | None, Path]]:
    """(expectation, rule, texts) from a case's opening comment lines, or, for formats without
    comments (JSON-LD, RDF/XML), from a side file of the same name ending in ``.expect``."""
    side = path.with_suffix(".expect")
    lines = (side if side.exists() else path).read_text(encoding="utf-8").splitlines()
    match = _HEADER.match(lines[0]) if lines else None
    assert match, f"{path.name}: the first line must be '# expect: accepted|refused rule: NAME'"
    texts: dict[str | None, Path] = {}
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        text = _SOURCE_TEXT.match(line)
        if text:
            texts[text.group(1)] = path.parent / text.group(2)
    return match.group(1), match.group(2), texts


def source_texts(path: Path, texts: dict[str | None, Path], submission) -> dict[str, bytes]:
    from bortekg.ingest import new_source_documents

    added = new_source_documents(submission)
    found = {}
    for name, file in texts.items():
        source = ns.expand(name) if name else (added[0] if len(added) == 1 else None)
        assert source, f"{path.name}: say which source {file.name} is the text of (source-text: bks:x={file.name})"
        found[source] = file.read_bytes()
    return found


@pytest.fixture(scope="module")
def gate(kg: KnowledgeGraph) -> Gate:
    return Gate.of(kg)


def _validate(kg: KnowledgeGraph, gate: Gate, path: Path):
    _, _, texts = header(path)
    submission = read_submission(path)
    return validate_submission(kg, submission, gate=gate, source_texts=source_texts(path, texts, submission))


def _show(report) -> str:
    return "\n".join(f"  {e.severity} {e.constraint} {ns.curie(e.focus)} {e.path}: {e.message}" for e in report.entries)


@pytest.mark.parametrize("path", cases("refused"), ids=lambda p: p.stem)
def test_refused_for_the_reason_its_header_names(kg: KnowledgeGraph, gate: Gate, path: Path) -> None:
    expect, rule, _ = header(path)
    assert expect in ("refused", "unreadable"), f"{path.name} is in refused/ but expects {expect}"
    if expect == "unreadable":  # refused by the reader already, with the fix the rule would give
        with pytest.raises(IngestError) as refused:
            read_submission(path)
        assert rule in str(refused.value), f"{path.name}: the reader said {refused.value}"
        return
    report = _validate(kg, gate, path)
    reasons = {e.constraint for e in report.entries if e.severity == "Violation"}
    assert f"rule:{rule}" in reasons, f"{path.name} should be refused by {rule}; the gate said:\n{_show(report)}"


@pytest.mark.parametrize("path", cases("accepted"), ids=lambda p: p.stem)
def test_accepted(kg: KnowledgeGraph, gate: Gate, path: Path) -> None:
    expect, _, _ = header(path)
    assert expect == "accepted", f"{path.name} is in accepted/ but expects {expect}"
    report = _validate(kg, gate, path)
    assert report.conforms, f"{path.name} should conform; the gate said:\n{_show(report)}"


def test_every_rule_has_refused_cases_and_every_family_three() -> None:
    named = Counter(header(p)[1] for p in cases("refused") if header(p)[0] == "refused")
    rules = {rule.name: rule.family for rule in all_rules()}
    unknown = sorted(set(named) - set(rules))
    assert not unknown, f"refused cases name rules that do not exist: {unknown}"
    missing = sorted(set(rules) - set(named))
    assert not missing, f"rules without a refused case in tests/gate/refused/: {missing}"
    per_family = Counter()
    for name, count in named.items():
        per_family[rules[name]] += count
    thin = {family: n for family, n in per_family.items() if n < 3}
    assert not thin, f"families with fewer than three refused cases: {thin}"


def test_at_least_25_accepted_cases() -> None:
    assert len(cases("accepted")) >= 25


def test_accepted_cases_add_and_retract_back_to_the_same_store(tmp_path: Path) -> None:
    kg = KnowledgeGraph(tmp_path / "store")
    before = set(kg.store)
    records = []
    for path in cases("accepted"):
        _, _, texts = header(path)
        submission = read_submission(path)
        _, record = validate_and_add(kg, submission, source=f"test corpus: {path.name}",
                                     source_texts=source_texts(path, texts, submission))
        records.append(record)
    assert len(kg.submissions()) == len(records)
    for record in reversed(records):
        kg.retract(record.id)
    assert set(kg.store) == before


def test_every_rule_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [rule.name for rule in all_rules() if f"`{rule.name}`" not in readme]
    assert not missing, f"rules missing from the README's table of knowledge rules: {missing}"


def test_refused_cases_leave_the_store_as_it_was(tmp_path: Path) -> None:
    from bortekg.validate import SubmissionRejected

    kg = KnowledgeGraph(tmp_path / "store")
    before = set(kg.store)
    gate = Gate.of(kg)
    for path in cases("refused"):
        expect, _, texts = header(path)
        if expect == "unreadable":
            continue
        submission = read_submission(path)
        with pytest.raises(SubmissionRejected):
            validate_and_add(kg, submission, source=f"test corpus: {path.name}", gate=gate,
                             source_texts=source_texts(path, texts, submission))
    assert kg.submissions() == [] and set(kg.store) == before


def test_a_declared_conflict_shows_in_the_conflicts_question(tmp_path: Path) -> None:
    from bortekg.catalogue import get_question
    from bortekg.engines import EmbeddedEngine, run_query

    path = CORPUS / "accepted" / "fasc-dose-rule-grade3-interrupt-conflict.ttl"
    submission = read_submission(path)
    claim = next(t.subject.value for t in submission.triples if t.predicate.value == ns.BKG + "conflictsWith")
    targets = {t.object.value for t in submission.triples if t.predicate.value == ns.BKG + "conflictsWith"}
    kg = KnowledgeGraph(tmp_path / "store")
    question = get_question("declared-conflicts")

    def pairs() -> set[tuple[str, str]]:
        return {(row["claim"].value, row["conflictsWith"].value) for row in run_query(EmbeddedEngine(kg), question.sparql)}

    assert not any(c == claim for c, _ in pairs())
    _, record = validate_and_add(kg, submission, source="test")
    assert {(claim, target) for target in targets} <= pairs()
    kg.retract(record.id)
    assert not any(c == claim for c, _ in pairs())
