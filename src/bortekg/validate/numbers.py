"""Numbers agree with their quote.

Every number of a claim's structured values (percentages, counts, doses, ranges, grades,
durations, years) must be printed by one of the claim's quotes, in any compatible form
(38 and "38%", 0.7 and "0.7 mg/m²", 150 and 600 and "150-600 mg/day", 2003 and "in
2003", 3 and "three"), and where the quote prints a unit right after the number it must be
the value's unit. A value derived rather than printed says so (``bkg:derivedProperty`` the
property, with ``bkg:derivationNote``) and is reported as information. A percentage
written as a fraction is refused with the fix, and a count cannot exceed its denominator.
Positions in a sequence (rule order, step order) are the curator's, not the source's, and
are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.sourcetext import normalise
from bortekg.validate.rules import Finding, Rule, RuleContext
from bortekg.validate.view import SubmissionView, number_text, numeric_value

NUMBER_IN_QUOTE = Rule(
    "number-in-quote", "numbers",
    "every number of a claim is printed by its quote (or is marked as derived, with a note)")
UNIT_IN_QUOTE = Rule(
    "unit-agrees-with-quote", "numbers",
    "where the quote prints a unit after the number, it is the value's unit")
PERCENT_AS_FRACTION = Rule(
    "percentage-not-fraction", "numbers",
    "percentages are in percent (38), not fractions (0.38)")
COUNT_WITHIN_DENOMINATOR = Rule(
    "count-within-denominator", "numbers",
    "a count of patients cannot exceed the number of patients it is counted among")
DOSE_RULE_WORDING = Rule(
    "dose-rule-agrees-with-quote", "numbers",
    "a dose rule's action and each condition's pain status are what its quote says for that grade")
RULES = (NUMBER_IN_QUOTE, UNIT_IN_QUOTE, PERCENT_AS_FRACTION, COUNT_WITHIN_DENOMINATOR, DOSE_RULE_WORDING)

BKG = ns.BKG
DERIVED_PROPERTY = BKG + "derivedProperty"
DERIVATION_NOTE = BKG + "derivationNote"
UNIT_ORDINAL = BKG + "unit-ordinal"
UNIT_PERCENT = BKG + "unit-percent"
UNIT_MONTH = BKG + "unit-calendar-month"
PERCENT_PROPERTIES = {BKG + p for p in ("percentage", "percentageMin", "percentageMax")}
COUNT = BKG + "patientCount"
SAMPLE_SIZE = BKG + "sampleSize"
POPULATION = BKG + "population"
#: New nodes a claim introduces whose numbers its quotes must print (not its parts, not entities).
DESCRIBED = BKG + "Population"
DOSE_RULE = BKG + "DoseModificationRule"
DOSE_ACTION = BKG + "doseAction"
HAS_CONDITION = BKG + "hasCondition"
PAIN = BKG + "painPresent"
GRADE = BKG + "grade"

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+(?![\d])|\d+(?:\.\d+)?|\.\d+)(?![\w])")
_RANGE_JOIN = re.compile(r"\s*(?:-|to|and|or)\s*(?=\d)")
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "single": 1, "once": 1, "twice": 2,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    # number words that lost their "fi" ligature in extraction, as quotes repeat them
    "ive": 5, "rst": 1, "fteen": 15, "fty": 50, "fth": 5,
}
_WORD_NUMBER = re.compile(r"(?i)(?<!\w)(" + "|".join(_WORDS) + r")(?!\w)")
#: Grades as tables abbreviate them: G1, G3-4.
_GRADE_ABBREVIATION = re.compile(r"(?<![A-Za-z])G(\d)(?:-(\d))?(?!\d)")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")
_MONTH = re.compile(r"(?i)(?<!\w)(" + "|".join(m[:3] + "(?:" + m[3:] + ")?" for m in _MONTHS) + r")\.?(?!\w)")


@dataclass(frozen=True)
class PrintedNumber:
    """A number a quote prints, with the text right after it (where a unit would be)."""

    value: Decimal
    after: str


def printed_numbers(quote: str) -> list[PrintedNumber]:
    """Every number the quote prints: digits (ranges give both ends the unit after the range),
    number words and month names."""
    text = normalise(quote)
    found: list[PrintedNumber] = []
    matches = list(_NUMBER.finditer(text))
    for i, match in enumerate(matches):
        after = text[match.end():]
        # the first number of a range shares the unit printed after the second
        if i + 1 < len(matches) and _RANGE_JOIN.fullmatch(text[match.end():matches[i + 1].start()]):
            after = text[matches[i + 1].end():]
        found.append(PrintedNumber(Decimal(match.group(1).replace(",", "")), after))
    for match in _GRADE_ABBREVIATION.finditer(text):
        for group in match.groups():
            if group:
                found.append(PrintedNumber(Decimal(group), ""))
    for match in _WORD_NUMBER.finditer(text):
        found.append(PrintedNumber(Decimal(_WORDS[match.group(1).lower()]), text[match.end():]))
    return found


def printed_months(quote: str) -> set[int]:
    return {_month_number(m.group(1)) for m in _MONTH.finditer(normalise(quote))}


def _month_number(word: str) -> int:
    prefix = word[:3].lower()
    return next(i + 1 for i, m in enumerate(_MONTHS) if m.startswith(prefix))


def check(view: SubmissionView, context: RuleContext) -> Iterator[Finding]:
    described_by: dict[ox.NamedNode, list[str]] = {}
    for claim in view.claims:
        quotes = view.quotes(claim)
        if not quotes:
            continue  # the shapes report the missing quote
        printed = [n for q in quotes for n in printed_numbers(q)]
        months = set().union(*(printed_months(q) for q in quotes))
        parts = view.parts(claim)
        for node in (claim, *parts):
            for triple in view.literals(node):
                yield from _check_value(view, claim, node, triple, printed, months)
        yield from _denominators(view, claim)
        yield from _dose_rule_wording(view, claim, quotes)
        # new populations, cases and studies the claim introduces are stated by its quotes too
        for triple in view.by_subject[claim]:
            target = triple.object
            if (isinstance(target, ox.NamedNode) and target in view.new_nodes and target not in parts
                    and target != claim and view.schema.is_a(view.types(target), DESCRIBED)):
                described_by.setdefault(target, []).extend(quotes)
    for node, quotes in described_by.items():
        printed = [n for q in quotes for n in printed_numbers(q)]
        months = set().union(*(printed_months(q) for q in quotes))
        for triple in view.literals(node):
            yield from _check_value(view, node, node, triple, printed, months)


def _unit_of(view: SubmissionView, node: ox.NamedNode, prop: str) -> str | None:
    spec = view.schema.numeric.get(prop)
    if spec is None:
        return None
    if spec.fixed_unit:
        return spec.fixed_unit
    if spec.unit_property:
        units = view.all_values(node, spec.unit_property)
        return units[0].value if units else None
    return None


def _check_value(view: SubmissionView, claim: ox.NamedNode, node: ox.NamedNode, triple: ox.Triple,
                 printed: list[PrintedNumber], months: set[int]) -> Iterator[Finding]:
    prop = triple.predicate.value
    if prop not in view.schema.numeric:
        return
    value = numeric_value(triple.object)
    if value is None:
        return
    unit = _unit_of(view, node, prop)
    if unit == UNIT_ORDINAL:
        return
    line = view.line(node, prop, triple.object)
    if unit == UNIT_MONTH and value in months:
        return
    if prop in PERCENT_PROPERTIES and 0 < value < 1 and (
            any(n.value == value * 100 for n in printed) or _is_ratio(value, printed)):
        yield Finding(
            PERCENT_AS_FRACTION, node,
            f"{ns.curie(prop)} {number_text(value)} is a fraction, but percentages are written in percent: "
            f"write {ns.curie(prop)} {number_text(value * 100)} ({number_text(value * 100)}%).",
            path=prop, value=triple.object, line=line)
        return
    same = [n for n in printed if n.value == value]
    if same:
        if unit is not None and not any(_unit_fits(view, n.after, unit) for n in same):
            printed_unit = _unit_word_at(view, same[0].after)
            assert printed_unit[0] is not None  # a unit that fits is any where none is printed
            yield Finding(
                UNIT_IN_QUOTE, node,
                f"the quote prints {number_text(value)} {printed_unit[1]} but {ns.curie(prop)} is in "
                f"{_unit_label(view, unit)}: give the value in the unit the source uses "
                f"({ns.curie(printed_unit[0])}), or quote the passage that gives it in "
                f"{_unit_label(view, unit)}.",
                path=prop, value=triple.object, line=line)
        return
    note = _derivation_note(view, node, prop)
    if note is not None:
        yield Finding(
            NUMBER_IN_QUOTE, node,
            f"{ns.curie(prop)} {number_text(value)} is not printed by the quote; it is marked as derived: {note}",
            path=prop, value=triple.object, severity="Info", line=line)
        return
    shown = ", ".join(sorted({number_text(n.value) for n in printed}, key=lambda s: Decimal(s))) or "none"
    yield Finding(
        NUMBER_IN_QUOTE, node,
        f"{ns.curie(prop)} {number_text(value)} is not printed by the claim's quote (the numbers it prints: "
        f"{shown}): correct the value to what the source says, quote the passage that states it, "
        f"or, if it is computed from the source's figures, say so with bkg:derivedProperty "
        f"{ns.curie(prop)} and bkg:derivationNote \"how it was derived\".",
        path=prop, value=triple.object, line=line)


def _unit_word_at(view: SubmissionView, after: str) -> tuple[str, str] | tuple[None, None]:
    """The unit (IRI, word) printed at the start of ``after``: the longest unit word that fits."""
    text = after.lstrip()
    best: tuple[str, str] | None = None
    for unit, words in view.schema.unit_words.items():
        for word in words:
            if text.startswith(word) and (len(text) == len(word) or not text[len(word)].isalnum()):
                if best is None or len(word) > len(best[1]):
                    best = (unit, word)
    return best or (None, None)


def _unit_fits(view: SubmissionView, after: str, unit: str) -> bool:
    printed_unit, _ = _unit_word_at(view, after)
    return printed_unit is None or printed_unit == unit or not _comparable(printed_unit, unit)


#: Units a quote can print after a number that contradict each other.
_UNIT_GROUPS = (
    {BKG + u for u in ("unit-mg-per-m2", "unit-mg-per-day", "unit-mg", "unit-g")},
    {BKG + u for u in ("unit-day", "unit-week", "unit-month", "unit-year")},
    {BKG + u for u in ("unit-percent", "unit-patient", "unit-cycle", "unit-administration", "unit-session")},
)


def _comparable(a: str, b: str) -> bool:
    return any(a in group and b in group for group in _UNIT_GROUPS)


def _unit_label(view: SubmissionView, unit: str) -> str:
    words = view.schema.unit_words.get(unit)
    return min(words, key=len) if words else ns.curie(unit)


def _derivation_note(view: SubmissionView, node: ox.NamedNode, prop: str) -> str | None:
    declared = {v.value for v in view.values(node, DERIVED_PROPERTY) if isinstance(v, ox.NamedNode)}
    if prop not in declared:
        return None
    notes = [v.value.strip() for v in view.values(node, DERIVATION_NOTE) if isinstance(v, ox.Literal)]
    return next((n for n in notes if n), None)


def _denominators(view: SubmissionView, claim: ox.NamedNode) -> Iterator[Finding]:
    """Patient counts of the claim's parts against the sample size above them."""
    population_sizes = [
        numeric_value(v) for p in view.all_values(claim, POPULATION) if isinstance(p, ox.NamedNode)
        for v in view.all_values(p, SAMPLE_SIZE)]
    claim_sizes = [numeric_value(v) for v in view.values(claim, SAMPLE_SIZE)]
    sizes = [s for s in claim_sizes + population_sizes if s is not None]
    if not sizes:
        return
    denominator = max(sizes)
    for node in view.parts(claim):
        for term in view.values(node, COUNT):
            count = numeric_value(term)
            if count is not None and count > denominator:
                yield Finding(
                    COUNT_WITHIN_DENOMINATOR, node,
                    f"{number_text(count)} patients counted among {number_text(denominator)} (the claim's "
                    f"{ns.curie(SAMPLE_SIZE)}): a count cannot exceed its denominator; check both "
                    "numbers against the source.",
                    path=COUNT, value=term, line=view.line(node, COUNT, term))



def _is_ratio(value: Decimal, printed: list[PrintedNumber]) -> bool:
    """Whether the value is one printed count over another (3 of 20 given as 0.15)."""
    numbers = {n.value for n in printed if n.value > 0}
    return any(abs(a / b - value) < Decimal("0.0005") for a in numbers for b in numbers if a < b)


_GRADE_SEGMENT = re.compile(r"(?i)\bgrade\s*(\d)(.*?)(?=\bgrade\s*\d|$)")


def _dose_rule_wording(view: SubmissionView, claim: ox.NamedNode, quotes: list[str]) -> Iterator[Finding]:
    """The rule's action word and each condition's pain status against the quote."""
    if DOSE_RULE not in view.types(claim):
        return
    text = " ".join(normalise(q) for q in quotes)
    for action in view.values(claim, DOSE_ACTION):
        if not isinstance(action, ox.NamedNode):
            continue
        words = _action_words(view, action)
        if words and not any(re.search(r"(?i)(?<![a-z])" + re.escape(w), text) for w in words):
            yield Finding(
                DOSE_RULE_WORDING, claim,
                f"the rule's action is {view.display(action)}, but its quote says nothing of the kind "
                f"(no {' / '.join(sorted(words))}...): give the action the quote states, or quote the "
                "passage that states this one.",
                path=DOSE_ACTION, value=action, line=view.line(claim, DOSE_ACTION, action))
    segments: dict[Decimal, list[str]] = {}
    for match in _GRADE_SEGMENT.finditer(text):
        segments.setdefault(Decimal(match.group(1)), []).append(match.group(2).lower())
    for condition in view.all_values(claim, HAS_CONDITION):
        if not isinstance(condition, ox.NamedNode):
            continue
        grades = [numeric_value(g) for g in view.all_values(condition, GRADE)]
        for pain in view.all_values(condition, PAIN):
            present = pain.value.strip().lower() in ("true", "1")
            for grade in grades:
                said = _pain_said(segments.get(grade, []))
                if said is not None and said != present:
                    wording = "with pain" if said else "without pain"
                    yield Finding(
                        DOSE_RULE_WORDING, condition,
                        f"the quote gives grade {number_text(grade)} {wording}, but the condition says "
                        f"bkg:painPresent {str(present).lower()}: write what the quote says for this grade.",
                        path=PAIN, value=pain, line=view.line(condition, PAIN, pain))


def _pain_said(segments: list[str]) -> bool | None:
    """What the text after "Grade N" says of pain: True, False, or None when it says nothing."""
    for segment in segments:
        if re.search(r"without pain|no pain|painless", segment):
            return False
        if re.search(r"with pain|painful", segment):
            return True
    return None


def _action_words(view: SubmissionView, action: ox.NamedNode) -> set[str]:
    """The first word of each label of the action, cut to its stem (six letters)."""
    words = set()
    for predicate in (ns.RDFS + "label", ns.SKOS + "altLabel"):
        for label in view.all_values(action, predicate):
            first = normalise(label.value).split(" ")[0].strip(",").lower()
            if first:
                words.add(first[:6])
    return words
