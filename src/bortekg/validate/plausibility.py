"""Plausibility from the graph itself: no clinical limit is written by hand.

For a drug, a dose quantity and a unit, the graph's sourced claims give a recorded range;
a new dose more than a factor of 3 outside it, a dose unit never recorded for the drug, or
a route never recorded for it is refused unless the curator marks the claim as reviewed
(``bkg:reviewNote "why it stands"``), and the message shows the graph's range with the
claims behind it. Likewise a mechanism step whose object is of a kind the graph never links
with that relation (bortezomib "inhibits" a disease or an anatomical structure). A drug the
graph records no dose or route for has no reference, and is not judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.validate.facts import DOSE_PROPERTIES, DOSE_UNIT, ROUTE_PROPERTIES, RecordedValue
from bortekg.validate.rules import Finding, Rule, RuleContext, reviewed
from bortekg.validate.view import SubmissionView, number_text, numeric_value

DOSE_RANGE = Rule(
    "dose-within-recorded-range", "plausibility",
    "a dose is within a factor of 3 of the range the graph records for the drug and unit")
DOSE_UNIT_KNOWN = Rule(
    "dose-unit-recorded", "plausibility",
    "a dose is in a unit the graph records for the drug")
ROUTE_KNOWN = Rule(
    "route-recorded", "plausibility",
    "a route is one the graph records for the drug")
STEP_OBJECT = Rule(
    "mechanism-object-fits-relation", "plausibility",
    "a mechanism step links its relation to a kind of object the graph links it to")
RULES = (DOSE_RANGE, DOSE_UNIT_KNOWN, ROUTE_KNOWN, STEP_OBJECT)

FACTOR = Decimal(3)
STEP_RELATION = ns.BKG + "stepRelation"
STEP_OBJECT_PROPERTY = ns.BKG + "stepObject"
_REVIEW_HINT = ('if the source really says so, keep it and add bkg:reviewNote "checked against the '
                'source: why it stands" to the claim')


def check(view: SubmissionView, context: RuleContext) -> Iterator[Finding]:
    facts = context.facts
    for claim in view.claims:
        is_reviewed = reviewed(view, claim)
        for node in (claim, *view.parts(claim)):
            drug = facts.drug_of(node, claim, view.all_values, view.types)
            if drug is None:
                continue
            for finding in (*_doses(view, context, claim, node, drug), *_routes(view, context, claim, node, drug)):
                yield _as_reviewed(finding) if is_reviewed or reviewed(view, node) else finding
        for finding in _step_objects(view, context, claim):
            yield _as_reviewed(finding) if is_reviewed else finding


def _as_reviewed(finding: Finding) -> Finding:
    return Finding(finding.rule, finding.focus, finding.message.split("; if the source")[0]
                   + "; accepted as reviewed (bkg:reviewNote).", finding.path, finding.value, "Info", finding.line)


def _doses(view: SubmissionView, context: RuleContext, claim: ox.NamedNode, node: ox.NamedNode,
           drug: ox.NamedNode) -> Iterator[Finding]:
    recorded = context.facts.doses(drug)
    if not recorded:
        return
    units = [u for u in view.all_values(node, DOSE_UNIT) if isinstance(u, ox.NamedNode)]
    for prop in DOSE_PROPERTIES:
        for term in view.values(node, prop):
            value = numeric_value(term)
            if value is None or not units:
                continue
            unit = units[0].value
            line = view.line(node, prop, term)
            if unit not in recorded:
                if prop != next(p for p in DOSE_PROPERTIES if view.values(node, p)):
                    continue  # one finding per node for its unit
                known = "; ".join(_range_text(unit_values, u) for u, unit_values in sorted(recorded.items()))
                yield Finding(
                    DOSE_UNIT_KNOWN, node,
                    f"{view.display(drug)} is never dosed in {ns.curie(unit)} in the graph (recorded: {known}); "
                    f"check the unit against the source; {_REVIEW_HINT}.",
                    path=DOSE_UNIT, value=units[0], line=view.line(node, DOSE_UNIT))
                continue
            values = recorded[unit]
            low, high = min(v.value for v in values), max(v.value for v in values)
            if value > high * FACTOR or value * FACTOR < low:
                yield Finding(
                    DOSE_RANGE, node,
                    f"{ns.curie(prop)} {number_text(value)} {ns.curie(unit)} for {view.display(drug)} is more than "
                    f"{FACTOR} times outside the range the graph records ({_range_text(values, unit)}); "
                    f"check the number and its unit against the source; {_REVIEW_HINT}.",
                    path=prop, value=term, line=line)


def _routes(view: SubmissionView, context: RuleContext, claim: ox.NamedNode, node: ox.NamedNode,
            drug: ox.NamedNode) -> Iterator[Finding]:
    recorded = context.facts.routes(drug)
    if not recorded:
        return
    for prop in ROUTE_PROPERTIES:
        for route in view.values(node, prop):
            if isinstance(route, ox.NamedNode) and route.value not in recorded:
                known = ", ".join(
                    f"{ns.curie(r)} ({', '.join(sorted({ns.curie(c.value) for c in claims})[:3])})"
                    for r, claims in sorted(recorded.items()))
                yield Finding(
                    ROUTE_KNOWN, node,
                    f"the graph never records {view.display(route)} for {view.display(drug)} (recorded: "
                    f"{known}); check the route against the source; {_REVIEW_HINT}.",
                    path=prop, value=route, line=view.line(node, prop, route))


def _step_objects(view: SubmissionView, context: RuleContext, claim: ox.NamedNode) -> Iterator[Finding]:
    table = context.facts.step_object_classes
    for relation in view.values(claim, STEP_RELATION):
        fitting = table.get(relation.value)
        if not fitting:
            continue
        for obj in view.values(claim, STEP_OBJECT_PROPERTY):
            classes = {c for c in view.types(obj) if c.startswith(ns.BKG)}
            if classes and not classes & fitting:
                kinds = ", ".join(sorted(ns.curie(c) for c in fitting))
                yield Finding(
                    STEP_OBJECT, claim,
                    f"{view.display(relation)} links to {kinds} in the graph, never to a "
                    f"{_most_specific(view, classes)} such as {view.display(obj)}: check the relation "
                    f"and its object against the source; {_REVIEW_HINT}.",
                    path=STEP_OBJECT_PROPERTY, value=obj, line=view.line(claim, STEP_OBJECT_PROPERTY, obj))


def _most_specific(view: SubmissionView, classes: set[str]) -> str:
    specific = [c for c in classes if not any(c in view.schema.superclasses.get(o, ()) for o in classes)]
    return ", ".join(sorted(ns.curie(c) for c in specific))


def _range_text(values: list[RecordedValue], unit: str) -> str:
    low = min(values, key=lambda v: v.value)
    high = max(values, key=lambda v: v.value)
    if low.value == high.value:
        return f"{number_text(low.value)} {ns.curie(unit)} ({ns.curie(low.claim.value)})"
    if low.claim == high.claim:
        return f"{number_text(low.value)}-{number_text(high.value)} {ns.curie(unit)} ({ns.curie(low.claim.value)})"
    return (f"{number_text(low.value)}-{number_text(high.value)} {ns.curie(unit)} "
            f"({ns.curie(low.claim.value)} to {ns.curie(high.claim.value)})")
