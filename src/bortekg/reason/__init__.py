"""Reasoning over the knowledge graph.

``profile="dl"``: OWL 2 DL with HermiT (owlready2's bundled jar, needs Java): consistency,
classification and realisation, with an explanation of any problem in labels.
``profile="rl"``: OWL 2 RL materialisation in Python (``reasonable``), no Java needed.
Either way the entailed triples that are not asserted replace the graph's inferred-triples
named graph (unless extra, unstored triples were given).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from bortekg.progress import Progress, silent
from bortekg.reason.hermit import JavaNotFoundError, ReasonerError, ReasonerTimeoutError
from bortekg.reason.report import ClassMembers, Explanation, ReasoningReport
from bortekg.store import KnowledgeGraph

__all__ = [
    "PROFILES",
    "ClassMembers",
    "Explanation",
    "JavaNotFoundError",
    "ReasonerError",
    "ReasonerTimeoutError",
    "ReasoningReport",
    "reason",
]

PROFILES = ("dl", "rl")


def reason(
    kg: KnowledgeGraph,
    *,
    profile: str = "dl",
    extra: Iterable[ox.Triple] = (),
    timeout: float = 60.0,
    explain: bool = True,
    progress: Progress = silent,
) -> ReasoningReport:
    """Reason over ``kg`` (and ``extra`` triples, checked but not stored) with ``profile``;
    ``progress`` is told each step of DL reasoning as it starts."""
    if profile == "dl":
        from bortekg.reason.dl import reason_dl

        return reason_dl(kg, extra=extra, timeout=timeout, explain=explain, progress=progress)
    if profile == "rl":
        from bortekg.reason.rl import reason_rl

        return reason_rl(kg, extra=extra)
    raise ValueError(f"unknown profile {profile!r}; choose one of: {', '.join(PROFILES)}")
