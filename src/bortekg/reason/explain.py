"""Explain an inconsistency or an unsatisfiable class: a minimal set of axioms that causes it.

A black-box search with HermiT as the oracle. Starting Java dominates each call, so the
oracle answers a whole batch of candidate subsets in one Java process ("which is the
first of these subsets that shows the problem?"), and the search is built on that:

1. axioms the user is adding (a file checked with ``reason FILE``, a submission graph):
   the fewest of them that, together with everything else, still cause the problem
   (QuickXplain, Junker 2004: O(k log n) calls for k axioms out of n);
2. then the rest, but only the axioms reachable from what step 1 found (or from the
   unsatisfiable class, or from a clash the OWL 2 RL rules find), one layer of shared
   vocabulary at a time, up to the first layer at which the problem shows (one batch);
3. within those layers, the linear search of the black-box explanation literature: the
   first prefix of the candidates that shows the problem ends with a necessary axiom; keep
   it, drop what follows, repeat (one batch per axiom of the explanation);
4. if there is no start point at all, QuickXplain over all axioms.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import pyoxigraph as ox

from bortekg import namespaces as ns
from bortekg.reason.axioms import Axiom, AxiomSet
from bortekg.reason.hermit import ReasonerTimeoutError, run_hermit

#: Index of the first subset that shows the problem, or None when none does.
Oracle = Callable[[Sequence[Sequence[Axiom]]], "int | None"]

#: Subsets per Java process in the linear search.
BATCH = 48

#: Terms that never start a search: the OWL, RDF and XSD vocabularies themselves.
_VOCABULARY = (ns.RDF, ns.RDFS, ns.OWL, ns.XSD)
#: Axioms about both of their named terms (a disjointness is found from either class).
_SYMMETRIC = {ns.OWL + "disjointWith", ns.OWL + "equivalentClass", ns.OWL + "inverseOf", ns.OWL + "sameAs"}


@dataclass(frozen=True)
class Deadline:
    """The time left for a whole search, shared by its reasoner calls."""

    end: float
    seconds: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds, seconds)

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise ReasonerTimeoutError(self.seconds)
        return left


def inconsistency_oracle(axioms: AxiomSet, deadline: Deadline) -> Oracle:
    def first_inconsistent(subsets: Sequence[Sequence[Axiom]]) -> int | None:
        run = run_hermit([axioms.document(s) for s in subsets], ["-k"], timeout=deadline.remaining())
        return None if run.consistent else run.output.count(" is satisfiable.")

    return first_inconsistent


def unsatisfiability_oracle(axioms: AxiomSet, cls_iri: str, deadline: Deadline) -> Oracle:
    name = ox.NamedNode(cls_iri)

    def first_unsatisfiable(subsets: Sequence[Sequence[Axiom]]) -> int | None:
        documents = [axioms.document(s, [name]) for s in subsets]
        run = run_hermit(documents, [f"-k<{cls_iri}>"], timeout=deadline.remaining())
        answers = [line for line in run.output.splitlines() if "satisfiable." in line]
        for index, answer in enumerate(answers):
            if "is not satisfiable." in answer:
                return index
        return None if run.consistent else len(answers)

    return first_unsatisfiable


def quickxplain(background: Sequence[Axiom], candidates: Sequence[Axiom], oracle: Oracle) -> list[Axiom]:
    """A minimal subset of ``candidates`` that shows the problem together with ``background``.

    Requires: ``background + candidates`` shows it and ``background`` alone does not.
    """

    def conflict(subset: list[Axiom]) -> bool:
        return oracle([subset]) == 0

    def search(base: list[Axiom], added: bool, pool: list[Axiom]) -> list[Axiom]:
        if added and conflict(base):
            return []
        if len(pool) == 1:
            return list(pool)
        half = len(pool) // 2
        first, second = pool[:half], pool[half:]
        from_second = search(base + first, bool(first), second)
        from_first = search(base + from_second, bool(from_second), first)
        return from_first + from_second

    if not candidates:
        return []
    return search(list(background), False, list(candidates))


def linear_minimise(background: Sequence[Axiom], candidates: Sequence[Axiom], oracle: Oracle) -> list[Axiom]:
    """A minimal subset of ``candidates`` that shows the problem with ``background``, found
    with batched prefix tests (same precondition as :func:`quickxplain`)."""
    found: list[Axiom] = []
    pool = list(candidates)
    while True:
        base = [*background, *found]
        # prefix 0 is the base alone: when it shows the problem, ``found`` is complete
        low, high = -1, len(pool)
        while high - low > 1:
            step = max(1, -(-(high - low - 1) // BATCH))
            points = list(range(low + 1, high, step))
            index = oracle([base + pool[:p] for p in points])
            if index is None:
                low = points[-1]
            else:
                high = points[index]
                low = points[index - 1] if index > 0 else low
        if high == 0:
            return found
        found.append(pool[high - 1])
        pool = pool[: high - 1]


def _triggers(axiom: Axiom) -> set[ox.NamedNode]:
    """The named terms whose presence makes an axiom relevant."""
    main = axiom.main
    if isinstance(main.subject, ox.BlankNode):
        return {n for n in axiom.signature() if not n.value.startswith(_VOCABULARY)}
    found = {main.subject}
    if main.predicate.value in _SYMMETRIC and isinstance(main.object, ox.NamedNode):
        found.add(main.object)
    return found


def relevance_layers(axioms: Iterable[Axiom], seeds: AbstractSet[ox.NamedNode]) -> list[list[Axiom]]:
    """Axioms by distance from ``seeds``: layer 1 is about a seed, layer 2 about a term
    that layer 1 mentions, and so on."""
    by_trigger: dict[ox.NamedNode, list[Axiom]] = defaultdict(list)
    for axiom in axioms:
        for term in _triggers(axiom):
            by_trigger[term].append(axiom)
    layers: list[list[Axiom]] = []
    taken: set[Axiom] = set()
    frontier = set(seeds)
    seen_terms = set(seeds)
    while frontier:
        layer = [a for term in frontier for a in by_trigger.get(term, ()) if a not in taken]
        layer = list(dict.fromkeys(layer))
        if not layer:
            break
        taken.update(layer)
        layers.append(layer)
        new_terms = {n for a in layer for n in a.signature() if not n.value.startswith(_VOCABULARY)}
        frontier = new_terms - seen_terms
        seen_terms |= new_terms
    return layers


def minimal_explanation(
    axioms: AxiomSet,
    oracle: Oracle,
    *,
    suspects: AbstractSet[Axiom] = frozenset(),
    seeds: AbstractSet[ox.NamedNode] = frozenset(),
) -> list[Axiom]:
    """A minimal set of axioms that causes the problem ``oracle`` detects."""
    everything = list(axioms.axioms)
    others = [a for a in everything if a not in suspects]
    start: list[Axiom] = []
    if suspects and oracle([others]) is None:
        start = quickxplain(others, [a for a in everything if a in suspects], oracle)
        seeds = set(seeds) | {n for a in start for n in a.signature() if not n.value.startswith(_VOCABULARY)}
    if not seeds:
        return quickxplain([], everything, oracle)
    pool = [a for a in others if a not in start]
    layers = relevance_layers(pool, seeds)
    prefixes: list[list[Axiom]] = []
    for layer in layers:
        prefixes.append([*(prefixes[-1] if prefixes else start), *layer])
    index = oracle(prefixes) if prefixes else None
    module = prefixes[index][len(start):] if index is not None else pool
    # in the order of the layers, so the explanation reads from the problem outwards
    return start + linear_minimise(start, module, oracle)[::-1]
