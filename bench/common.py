"""Helpers shared by the benchmark scripts: the questions to run and a median timer."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bortekg.catalogue import CompetencyQuestion, catalogue_dir, load_catalogue


def catalogue_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalogue", type=Path, default=None,
                        help="folder of .rq competency questions (default: the packaged queries/cq)")


def questions(folder: Path | None) -> list[CompetencyQuestion]:
    folder = folder or catalogue_dir()
    found = load_catalogue(folder) if folder.is_dir() else []
    if not found:
        sys.exit(f"no competency questions in {folder}; give a folder with --catalogue")
    return found


def cases(kg, folder: Path | None) -> list[tuple[str, str]]:
    """(name, SPARQL) for every question as a user can ask it: unbound unless a parameter is
    required, and for each parameterised question also bound to its header's examples, or to the
    values of its first unbound answer row (as a user asking about one case)."""
    from bortekg.binding import bind_values

    found = []
    for q in questions(folder):
        if not q.required:
            found.append((q.id, q.sparql))
        names = [p.name for p in q.params]
        if not names:
            continue
        if q.examples:
            bound = ", ".join(name for name, _ in q.examples)
            found.append((f"{q.id} [{bound} bound]", bind_values(q.sparql, q.example_bindings())))
            continue
        results = kg.query(q.sparql)
        if not set(names) <= {v.value for v in results.variables}:
            continue
        row = next((r for r in results if all(r[n] is not None for n in names)), None)
        if row is not None:
            found.append((f"{q.id} [{', '.join(names)} bound]", bind_values(q.sparql, {n: row[n] for n in names})))
    return found


def median_ms(action: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    """The median wall time of ``action`` in milliseconds (after ``warmup`` untimed runs)."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "OVER"
