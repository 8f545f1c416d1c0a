"""The knowledge rules: the gate's second layer, after the shapes.

The shapes check the form of a fact; these rules check what it says against its source
text, its own quote, the graph it joins and the ontology. Each rule has a name (its code
in reports), a family (one module each), a one-line summary, and a message per finding
that names what is wrong and how to fix it. A family module exposes ``RULES`` and
``check(view, context)``, which yields ``Finding`` objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from bortekg import namespaces as ns

if TYPE_CHECKING:
    from bortekg.validate.facts import GraphFacts
    from bortekg.validate.view import SubmissionView

RULES_NS = ns.BASE + "rules/"

#: An annotation that lets a value the graph finds implausible through, with the curator's reason.
REVIEW_NOTE = ns.BKG + "reviewNote"


@dataclass(frozen=True)
class Rule:
    """A named knowledge rule."""

    name: str  # e.g. "quote-verbatim"; the rule's code in every report
    family: str  # the module it lives in: quotes, numbers, plausibility, ...
    summary: str  # what it checks, in one line

    @property
    def iri(self) -> str:
        return RULES_NS + self.name


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one node of a submission."""

    rule: Rule
    focus: ox.NamedNode
    message: str
    path: str | None = None  # the property concerned (IRI)
    value: ox.Term | None = None  # the offending value
    severity: str = "Violation"
    line: int | None = None


@dataclass
class RuleContext:
    """What rules need besides the submission: graph-derived facts and source texts."""

    facts: GraphFacts
    #: source IRI -> text given for a source the submission adds (``--source-text``)
    source_texts: dict[str, bytes] = field(default_factory=dict)


class RuleFamily(Protocol):
    RULES: tuple[Rule, ...]

    def check(self, view: SubmissionView, context: RuleContext) -> Iterator[Finding]: ...


def families() -> list[RuleFamily]:
    """Every rule family, in the order their findings are reported."""
    from bortekg.validate import (
        citations,
        consistency,
        identifiers,
        numbers,
        plausibility,
        protection,
        quotes,
    )

    return [protection, identifiers, quotes, numbers, plausibility, consistency, citations]


def all_rules() -> list[Rule]:
    return [rule for family in families() for rule in family.RULES]


def run_rules(view: SubmissionView, context: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    for family in families():
        findings.extend(family.check(view, context))
    return findings


def reviewed(view: SubmissionView, node: ox.NamedNode) -> bool:
    """Whether the curator marked the node as reviewed (``bkg:reviewNote "why"``)."""
    return any(isinstance(v, ox.Literal) and v.value.strip() for v in view.values(node, REVIEW_NOTE))
