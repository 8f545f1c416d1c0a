"""Quotes are verified against their source's text.

Every evidence quote must be a verbatim passage of the document its claim cites, checked
against the document's pair-hash index (``bortekg.sourcetext``): the shipped indexes of
the curated sources, the indexes stored with sources that accepted submissions added, and
the text given with this submission for a source it adds. A quote that is not found is
reported with the part of it that is, the closest passage that the graph already quotes
from that source, and any other source it is found in. A quote that names drugs, none of
which is a drug of its claim, is reported as well: the claim points at the wrong entity.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.sourcetext import SourceIndex, normalise, packaged_indexes, text_sha256
from bortekg.validate.rules import Finding, Rule, RuleContext
from bortekg.validate.view import SOURCE_DOCUMENT, SubmissionView

QUOTE_VERBATIM = Rule(
    "quote-verbatim", "quotes",
    "every evidence quote is a verbatim passage of the source its claim cites")
SOURCE_TEXT = Rule(
    "source-text-given", "quotes",
    "a source document a submission adds comes with its text, whose SHA-256 it records")
QUOTE_SUBJECT = Rule(
    "quote-names-claim-drug", "quotes",
    "a quote that names drugs names at least one drug of its claim")
QUOTE_EFFECT = Rule(
    "quote-names-claim-effect", "quotes",
    "a quote that names adverse effects names the claim's adverse effect (or a subtype or supertype of it)")
RULES = (QUOTE_VERBATIM, SOURCE_TEXT, QUOTE_SUBJECT, QUOTE_EFFECT)

QUOTE = ns.BKG + "evidenceQuote"
DERIVED_FROM = ns.PROV + "wasDerivedFrom"
TEXT_SHA256 = ns.BKG + "textSha256"
ADVERSE_EFFECT = ns.BKG + "adverseEffect"


def check(view: SubmissionView, context: RuleContext) -> Iterator[Finding]:
    given = _given_indexes(view, context)
    yield from given.findings
    indexes = {**packaged_indexes(), **given.indexes}
    for claim in view.claims:
        sources = [s for s in view.all_values(claim, DERIVED_FROM) if isinstance(s, ox.NamedNode)]
        for quote_term in view.values(claim, QUOTE):
            if not isinstance(quote_term, ox.Literal):
                continue
            for source in sources:
                index = indexes.get(source.value) or context.facts.kg.source_index(source.value)
                if index is None:
                    yield _no_index(view, claim, source, quote_term)
                    continue
                match = index.find(quote_term.value)
                if not match.found:
                    yield _not_verbatim(view, context, claim, source, quote_term, index, indexes)
        yield from _quote_subject(view, context, claim)
        yield from _quote_effect(view, context, claim)


# ----------------------------------------------------------------------------- source texts


class _Given:
    def __init__(self) -> None:
        self.indexes: dict[str, SourceIndex] = {}
        self.findings: list[Finding] = []


def _given_indexes(view: SubmissionView, context: RuleContext) -> _Given:
    """Indexes of the texts given for the sources this submission adds, with their checks."""
    given = _Given()
    new_sources = [n for n in view.new_nodes if SOURCE_DOCUMENT in view.types(n)]
    for source in new_sources:
        data = context.source_texts.get(source.value)
        recorded = [v.value for v in view.values(source, TEXT_SHA256) if isinstance(v, ox.Literal)]
        if data is None:
            given.findings.append(Finding(
                SOURCE_TEXT, source,
                f"the new source document {view.display(source)} comes without its text, so its "
                "quotes cannot be verified: give the document's text with --source-text FILE "
                f"(or --source-text {ns.curie(source.value)}=FILE when the submission adds several "
                "sources); only an index of it is stored, never the text.",
                line=view.line(source)))
            continue
        digest = text_sha256(data)
        if recorded and recorded[0] != digest:
            given.findings.append(Finding(
                SOURCE_TEXT, source,
                f"bkg:textSha256 says {recorded[0]!r} but the text given for {ns.curie(source.value)} "
                f"has SHA-256 {digest!r}: give the document the facts were taken from, or correct "
                "the recorded digest.",
                path=TEXT_SHA256, value=ox.Literal(recorded[0]), line=view.line(source, TEXT_SHA256)))
            continue
        if not data.strip():
            given.findings.append(Finding(
                SOURCE_TEXT, source,
                f"the text given for {ns.curie(source.value)} is empty: give the document's plain text.",
                line=view.line(source)))
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            given.findings.append(Finding(
                SOURCE_TEXT, source,
                f"the text given for {ns.curie(source.value)} is not UTF-8 (byte {error.start}): "
                "save it as UTF-8 plain text.", line=view.line(source)))
            continue
        given.indexes[source.value] = SourceIndex.build(source.value, text, sha256=digest)
    return given


# ----------------------------------------------------------------------------- messages


def _no_index(view: SubmissionView, claim: ox.NamedNode, source: ox.NamedNode, quote: ox.Literal) -> Finding:
    if source in view.new_nodes:
        advice = "give the text of the source this submission adds with --source-text FILE."
    else:
        advice = ("cite one of the graph's source documents, or add the document as a new "
                  "bkg:SourceDocument in this submission and give its text with --source-text FILE.")
    return Finding(
        QUOTE_VERBATIM, claim,
        f"the quote cannot be verified: no text is known for {view.display(source)}; {advice}",
        path=QUOTE, value=quote, line=view.line(claim, QUOTE, quote))


def _not_verbatim(view: SubmissionView, context: RuleContext, claim: ox.NamedNode, source: ox.NamedNode,
                  quote: ox.Literal, index: SourceIndex, indexes: dict[str, SourceIndex]) -> Finding:
    match = index.find(quote.value)
    parts = [f"the quote is not a verbatim passage of {view.display(source)}"]
    if match.matched_words >= 2:
        place = "its opening" if match.run_start == 0 else "a run of its words"
        where = f"; it leaves the source at {match.diverges_at!r}" if match.diverges_at else ""
        parts.append(f"{place} is there ({match.matched_words} words: {_short(match.matched_text)!r}){where}")
    else:
        parts.append("none of its word pairs occurs there")
    closest = closest_quoted_passage(context, source.value, quote.value)
    if closest:
        parts.append(f"the closest passage the graph quotes from it is {_short(closest[1], 160)!r} "
                     f"({ns.curie(closest[0])})")
    elsewhere = [iri for iri, other in indexes.items() if iri != source.value and other.find(quote.value).found]
    if elsewhere:
        parts.append("it IS found verbatim in " + ", ".join(ns.curie(i) for i in elsewhere)
                     + ": cite that document in prov:wasDerivedFrom")
    parts.append("copy the passage exactly as the source prints it (extraction damage such as "
                 "'signi icant' included; quotes, dashes and spacing may differ)")
    return Finding(QUOTE_VERBATIM, claim, "; ".join(parts) + ".", path=QUOTE, value=quote,
                   line=view.line(claim, QUOTE, quote))


def closest_quoted_passage(context: RuleContext, source: str, quote: str) -> tuple[str, str] | None:
    """The graph's quote from this source most like the given one: (claim IRI, passage)."""
    candidates = context.facts.quotes_of(source)
    if not candidates:
        return None
    wanted = normalise(quote).casefold()
    matcher = difflib.SequenceMatcher(None, "", wanted, autojunk=False)
    scored = []
    for candidate in candidates:  # the cheap upper bound first, the exact ratio for the best few
        matcher.set_seq1(candidate[2])
        scored.append((matcher.quick_ratio(), candidate))
    scored.sort(key=lambda pair: -pair[0])
    best, best_ratio = None, -1.0
    for _, candidate in scored[:25]:
        matcher.set_seq1(candidate[2])
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = candidate, ratio
    assert best is not None  # there was a candidate, and every ratio beats -1
    return best[0], best[1]


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ----------------------------------------------------------------------------- quote subject


def _quote_subject(view: SubmissionView, context: RuleContext, claim: ox.NamedNode) -> Iterator[Finding]:
    names = context.facts.drug_names
    linked: set[str] = set()
    for node in (claim, *view.parts(claim)):
        for triple in view.by_subject.get(node, ()):
            if isinstance(triple.object, ox.NamedNode):
                linked.add(triple.object.value)
    own_drugs = {ns.BKG + "drug", ns.BKG + "intervention"}
    claim_drugs = [v for p in own_drugs for v in view.values(claim, p)
                   if isinstance(v, ox.NamedNode) and v.value in names.drugs]
    if not claim_drugs:
        return
    named = set().union(*(names.named_in(q) for q in view.quotes(claim)))
    named_entities = {entity for entity, _ in named} | {drug for _, drug in named}
    yield from _quote_intervention(view, context, claim, named)
    if named and not (named_entities & linked):
        quoted = ", ".join(sorted({names.label.get(d, ns.curie(d)) for _, d in named}))
        ours = ", ".join(view.display(d) for d in claim_drugs)
        yield Finding(
            QUOTE_SUBJECT, claim,
            f"the quote names {quoted} but the claim is about {ours}: point bkg:drug (or "
            "bkg:intervention) at the drug the passage is about, or quote the passage that "
            "names this drug.",
            path=ns.BKG + "drug", value=claim_drugs[0], line=view.line(claim, ns.BKG + "drug"))


def new_source_indexes(source_texts: Mapping[str, bytes]) -> list[SourceIndex]:
    """The indexes to store for the sources a submission adds (their texts passed the checks)."""
    return [SourceIndex.build(source, data.decode("utf-8"), sha256=text_sha256(data))
            for source, data in sorted(source_texts.items())]


def _quote_effect(view: SubmissionView, context: RuleContext, claim: ox.NamedNode) -> Iterator[Finding]:
    effects = [v for v in view.values(claim, ADVERSE_EFFECT) if isinstance(v, ox.NamedNode)]
    if not effects:
        return
    named = {entity for q in view.quotes(claim) for entity, _ in context.facts.effect_names.named_in(q)}
    if not named:
        return
    for effect in effects:
        if named & context.facts.subtype_family(effect.value):
            continue
        quoted = ", ".join(sorted(view.display(ox.NamedNode(e)) for e in named)[:4])
        yield Finding(
            QUOTE_EFFECT, claim,
            f"the quote names {quoted} but the claim's adverse effect is {view.display(effect)}: point "
            "bkg:adverseEffect at the effect the passage states, or quote the passage that states this one.",
            path=ADVERSE_EFFECT, value=effect, line=view.line(claim, ADVERSE_EFFECT, effect))


def _quote_intervention(view: SubmissionView, context: RuleContext, claim: ox.NamedNode,
                        named: set[tuple[str, str]]) -> Iterator[Finding]:
    """A drug given as the claim's intervention is the one its quote names, when the quote
    names drugs besides the claim's own drug (a vitamin C warning filed under pyridoxine)."""
    names = context.facts.drug_names
    own = {v.value for v in view.values(claim, ns.BKG + "drug")}
    others = {drug for entity, drug in named if entity == drug and drug not in own}
    if not others:
        return
    for intervention in view.values(claim, ns.BKG + "intervention"):
        if not isinstance(intervention, ox.NamedNode):
            continue
        # a drug, or an intervention that uses drugs (high-dose pyridoxine uses pyridoxine)
        drugs = ([intervention] if intervention.value in names.drugs else
                 [d for d in view.all_values(intervention, ns.BKG + "usesDrug")
                  if isinstance(d, ox.NamedNode) and d.value in names.drugs])
        if not drugs or any(others & context.facts.subtype_family(d.value) for d in drugs):
            continue
        quoted = ", ".join(sorted(names.label.get(d, ns.curie(d)) for d in others))
        yield Finding(
            QUOTE_SUBJECT, claim,
            f"the quote names {quoted} but the claim's intervention is {view.display(intervention)}: "
            "point bkg:intervention at the drug the passage is about, or quote the passage that names "
            "this one.",
            path=ns.BKG + "intervention", value=intervention, line=view.line(claim, ns.BKG + "intervention"))
