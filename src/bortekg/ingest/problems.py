"""What is wrong with a submission, said so that a curator can fix it."""

from __future__ import annotations

from dataclasses import dataclass

#: How many problems one error message lists before it stops.
MAX_LISTED_PROBLEMS = 20

IRI_HINT = (
    "write IRIs in full (https://...) or as prefix:name; spaces and the characters "
    "<>\"{}|^` must be percent-encoded"
)
LANGUAGE_HINT = "use a BCP 47 language tag such as en or en-GB"
SURROGATE_HINT = (
    "surrogate code points (U+D800 to U+DFFF) are not characters: write the character "
    "itself, or an escape of its real code point"
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submission, with its line when the format has lines."""

    message: str
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    def describe(self) -> str:
        where = ""
        if self.line is not None:
            where = f"line {self.line}" + (f", column {self.column}" if self.column else "") + ": "
        return where + self.message + (f" ({self.hint})" if self.hint else "")


class IngestError(ValueError):
    """A submission that cannot be read: it names the file and every problem found."""

    def __init__(self, file_name: str, problems: list[Problem]) -> None:
        self.file_name = file_name
        self.problems = problems
        shown = [p.describe() for p in problems[:MAX_LISTED_PROBLEMS]]
        if len(problems) > MAX_LISTED_PROBLEMS:
            shown.append(f"... and {len(problems) - MAX_LISTED_PROBLEMS} more")
        if len(shown) == 1:
            text = f"{file_name}: {shown[0]}"
        else:
            text = f"{file_name}: {len(problems)} problems:\n" + "\n".join(f"  {s}" for s in shown)
        super().__init__(text)


def line_at(text: bytes | str, offset: int) -> int:
    """The 1-based line of a character (or byte) offset."""
    if isinstance(text, bytes):
        return text.count(b"\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1
