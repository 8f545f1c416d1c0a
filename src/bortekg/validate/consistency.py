"""Consistent with the graph: no duplicates, no silent conflicts.

A claim that says the same thing as an existing claim (the same kind, source, subjects and
qualifiers, compared by value: 22.0 equals 22, parts compared by what they say, not by
their IRIs; labels, statements, quotes and notes set aside) is a duplicate. A dose
modification rule for the same drug, grade, grading scale and pain status as an existing
rule, with a different action, dose or schedule, is refused unless it declares the conflict
(``bkg:conflictsWith`` the existing rule): both are then kept, each with its source, and
the conflicts question lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.sourcetext import normalise
from bortekg.validate.rules import Finding, Rule, RuleContext
from bortekg.validate.view import CLAIM_PART, META_GRAPH, RDF_TYPE, SubmissionView, numeric_value

DUPLICATE = Rule(
    "duplicate-claim", "consistency",
    "a claim does not repeat an existing claim of the same source")
DOSE_RULE_CONFLICT = Rule(
    "dose-rule-conflict-declared", "consistency",
    "a dose rule that contradicts an existing rule for the same grade says so (bkg:conflictsWith)")
RULES = (DUPLICATE, DOSE_RULE_CONFLICT)

BKG = ns.BKG
#: What a claim says is not in its wording, its notes or its bookkeeping.
NOT_CONTENT = {
    ns.RDFS + "label", ns.RDFS + "comment", ns.SKOS + "definition", BKG + "statement",
    BKG + "evidenceQuote", BKG + "sourceReference", BKG + "secondaryCitation", BKG + "reviewNote",
    BKG + "derivedProperty", BKG + "derivationNote", BKG + "conflictsWith",
    # positions in a sequence are the curator's, not the source's
    BKG + "ruleOrder", BKG + "stepOrder", BKG + "doseOrder", BKG + "nextStep",
    # how to read a value (its hedge, approximation, convention) is a note on what it says
    BKG + "modality", BKG + "modalityNote", BKG + "approximate", BKG + "approximationNote",
    BKG + "valueConvention", BKG + "conventionNote",
}
_NAMED_INDIVIDUAL = ns.OWL + "NamedIndividual"
DOSE_RULE = BKG + "DoseModificationRule"
CONFLICTS_WITH = BKG + "conflictsWith"
HAS_CONDITION = BKG + "hasCondition"
GRADING_SCALE = BKG + "gradingScale"
ACTION_PROPERTIES = (BKG + "doseAction", BKG + "newDose", BKG + "doseUnit", BKG + "newSchedule")
#: Candidates are looked up by the rarest of these links.
_MAX_CANDIDATES = 5000

Describe = Callable[[ox.NamedNode], list[tuple]]


def _describers(view: SubmissionView, context: RuleContext) -> tuple[Describe, Describe]:
    """What the submission says of a node (else the graph), and what the graph says of it."""
    def describe_stored(node: ox.NamedNode) -> list[tuple]:
        return [(q.predicate.value, q.object) for q in context.facts.kg.store.quads_for_pattern(node, None, None)
                if q.graph_name != META_GRAPH]

    def describe_submitted(node: ox.NamedNode) -> list[tuple]:
        if node in view.by_subject:
            return [(t.predicate.value, t.object) for t in view.by_subject[node]]
        return describe_stored(node)

    return describe_submitted, describe_stored


def check(view: SubmissionView, context: RuleContext) -> Iterator[Finding]:
    describe_submitted, describe_stored = _describers(view, context)
    stored_is_part = lambda node: view.schema.is_a(context.facts.stored_types(node), CLAIM_PART)  # noqa: E731
    submitted_is_part = lambda node: view.schema.is_a(view.types(node), CLAIM_PART)  # noqa: E731
    for claim in view.claims:
        mine = signature(claim, describe_submitted, submitted_is_part)
        for candidate in _candidates(view, context, claim):
            if candidate == claim or candidate in view.by_subject:
                continue
            if signature(candidate, describe_stored, stored_is_part) == mine:
                yield Finding(
                    DUPLICATE, claim,
                    f"this claim says what {view.display(candidate)} already says (same kind, source, "
                    "subjects and values): it is a duplicate. Leave it out; if it adds a qualifier or a "
                    "second passage, submit a claim that states what is new.",
                    value=candidate, line=view.line(claim))
                break
        if DOSE_RULE in view.types(claim):
            yield from _dose_rule_conflicts(view, context, claim)


def signature(node: ox.NamedNode, describe: Describe, is_part: Callable[[ox.NamedNode], bool],
              depth: int = 0) -> frozenset:
    """What a claim (or part) says, compared by value."""
    items = set()
    for predicate, obj in describe(node):
        if predicate in NOT_CONTENT or (predicate == RDF_TYPE.value and obj.value == _NAMED_INDIVIDUAL):
            continue
        if isinstance(obj, ox.NamedNode) and depth < 4 and predicate != RDF_TYPE.value and is_part(obj):
            items.add((predicate, ("part", signature(obj, describe, is_part, depth + 1))))
        else:
            items.add((predicate, value_key(obj)))
    return frozenset(items)


def value_key(term: ox.Term) -> tuple:
    if isinstance(term, ox.Literal):
        number = numeric_value(term)
        if number is not None:
            return ("number", number.normalize())
        if term.datatype.value == ns.XSD + "boolean":
            return ("boolean", term.value.strip().lower() in ("true", "1"))
        return ("text", normalise(term.value).casefold())
    return ("node", term.value)


def _candidates(view: SubmissionView, context: RuleContext, claim: ox.NamedNode) -> list[ox.NamedNode]:
    """Existing claims that share every link of the claim to an existing node.

    The subjects of the most specific link (an entity before a source, a source before a
    value of a value set) are listed, each then checked for the other links by a lookup: a
    link shared by thousands of claims (a source, an evidence kind) is never listed whole.
    """
    links = [(t.predicate, t.object) for t in view.by_subject[claim]
             if isinstance(t.object, ox.NamedNode) and t.predicate.value not in NOT_CONTENT
             and t.predicate != RDF_TYPE and t.object not in view.by_subject]
    if not links:
        return []
    links.sort(key=lambda link: _SPECIFICITY.index(next(
        (prefix for prefix in _SPECIFICITY if link[1].value.startswith(prefix)), "")))
    store = context.facts.kg.store
    first, rest = links[0], links[1:]
    found = []
    for quad in store.quads_for_pattern(None, first[0], first[1]):
        subject = quad.subject
        if quad.graph_name == META_GRAPH or subject in found:
            continue
        if all(next(store.quads_for_pattern(subject, p, o), None) is not None for p, o in rest):
            found.append(subject)
            if len(found) > _MAX_CANDIDATES:
                break
    return found


#: Namespaces from the most to the least specific kind of linked node.
_SPECIFICITY = (ns.BKE, ns.BKC, ns.BKS, ns.BKG, "")


# ----------------------------------------------------------------------------- dose rules


def _conditions(describe: Describe, rule: ox.NamedNode) -> list[tuple[Decimal, str | None, bool | None]]:
    """(grade, grading scale, pain present or None) of each condition of a rule."""
    rule_values = describe(rule)
    rule_scale = next((o.value for p, o in rule_values if p == GRADING_SCALE), None)
    found = []
    for predicate, condition in rule_values:
        if predicate != HAS_CONDITION or not isinstance(condition, ox.NamedNode):
            continue
        values = describe(condition)
        scale = next((o.value for p, o in values if p == GRADING_SCALE), rule_scale)
        pain = next((value_key(o)[1] for p, o in values if p == BKG + "painPresent"), None)
        for p, o in values:
            if p == BKG + "grade" and numeric_value(o) is not None:
                found.append((numeric_value(o).normalize(), scale, pain))
    return found


def _action(describe: Describe, rule: ox.NamedNode) -> frozenset:
    return frozenset((p, value_key(o)) for p, o in describe(rule) if p in ACTION_PROPERTIES)


def _action_text(view: SubmissionView, action: frozenset) -> str:
    parts = []
    for predicate in ACTION_PROPERTIES:
        for p, (kind, value) in action:
            if p == predicate:
                parts.append(ns.curie(value) if kind == "node" else format(value, "f"))
    return " ".join(parts) or "no action"


def _dose_rule_conflicts(view: SubmissionView, context: RuleContext, claim: ox.NamedNode) -> Iterator[Finding]:
    describe_submitted, describe_stored = _describers(view, context)
    declared = {v.value for v in view.values(claim, CONFLICTS_WITH)}
    mine = _conditions(describe_submitted, claim)
    my_action = _action(describe_submitted, claim)
    for drug in view.values(claim, BKG + "drug"):
        for existing in context.facts.subjects_with(BKG + "drug", drug):
            if existing == claim or existing in view.by_subject or existing.value in declared:
                continue
            if DOSE_RULE not in context.facts.stored_types(existing):
                continue
            theirs = _conditions(describe_stored, existing)
            shared = [(g, s, p) for g, s, p in mine for g2, s2, p2 in theirs
                      if g == g2 and s == s2 and (p is None or p2 is None or p == p2)]
            if not shared:
                continue
            their_action = _action(describe_stored, existing)
            if their_action == my_action:
                continue
            grade, scale, pain = shared[0]
            pain_text = "" if pain is None else (" with pain" if pain else " without pain")
            yield Finding(
                DOSE_RULE_CONFLICT, claim,
                f"for grade {grade}{pain_text} ({ns.curie(scale) if scale else 'no scale'}) "
                f"{view.display(existing)} says {_action_text(view, their_action)}, this rule says "
                f"{_action_text(view, my_action)}. If the source really says otherwise, keep both and "
                f"declare it: bkg:conflictsWith {ns.curie(existing.value)}; otherwise correct the grade, "
                "pain status or action.",
                path=CONFLICTS_WITH, value=existing, line=view.line(claim))
