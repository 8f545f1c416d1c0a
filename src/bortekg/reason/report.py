"""What a reasoning run found, in a form the command line prints as text or JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Explanation:
    """A minimal set of axioms that causes a problem, said in words with labels."""

    problem: str
    axioms: list[str]
    individuals: list[str]
    classes: list[str]
    complete: bool = True
    note: str = ""


@dataclass(frozen=True)
class ClassMembers:
    """A defined class and the individuals the reasoner placed in it."""

    cls: str
    members: list[str]


@dataclass
class ReasoningReport:
    profile: str
    reasoner: str
    consistent: bool
    seconds: float
    unsatisfiable: list[str] = field(default_factory=list)
    explanations: list[Explanation] = field(default_factory=list)
    inferred_triples: int = 0
    stored: bool = False
    classes: int = 0
    individuals: int = 0
    defined_classes: list[ClassMembers] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        for entry in data["defined_classes"]:
            entry["class"] = entry.pop("cls")
        return data
