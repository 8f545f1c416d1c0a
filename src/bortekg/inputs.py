"""Reading what users hand over, within limits: bounded reads and JSON checked before parsing.

Every input is read with a byte limit, streams and standard input included (a file's size
says nothing about ``/dev/zero`` or a pipe), and JSON is checked for its nesting depth
before any recursive parser sees it (Python's ``json`` raises RecursionError, and a native
JSON-LD parser may crash, on documents nested some thousands deep). JSON's non-numbers
(NaN, Infinity, and numbers too large for a float) are refused.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any, BinaryIO

#: The deepest nesting of arrays and objects accepted in a JSON document.
MAX_JSON_DEPTH = 100

_CHUNK = 1024 * 1024


class InputTooLargeError(ValueError):
    """More bytes than the limit; ``size`` is the file's size when known, else None."""

    def __init__(self, max_bytes: int, size: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.size = size
        if size is None:
            super().__init__(f"the input is longer than the limit of {max_bytes:,} bytes")
        else:
            super().__init__(f"the input is {size:,} bytes, over the limit of {max_bytes:,} bytes")


class JsonInputError(ValueError):
    """A JSON document refused before or while parsing, with its line and column."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(where + message)


def read_bounded(source: str | Path | BinaryIO, max_bytes: int) -> bytes:
    """The bytes of a file or a binary stream; InputTooLargeError past ``max_bytes``.

    A regular file over the limit is refused from its size, before reading; anything else
    (a device, a pipe, standard input) is read up to ``max_bytes + 1`` bytes at most.
    OSError (missing file, folder, no permission) passes to the caller.
    """
    if not isinstance(source, (str, Path)):
        return _read_at_most(source, max_bytes)
    with open(source, "rb") as stream:  # a folder raises IsADirectoryError here
        try:
            size = Path(source).stat().st_size
        except OSError:
            size = 0
        if size > max_bytes and Path(source).is_file():
            raise InputTooLargeError(max_bytes, size)
        return _read_at_most(stream, max_bytes)


def _read_at_most(stream: BinaryIO, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = stream.read(min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    raise InputTooLargeError(max_bytes)


def nesting_too_deep(text: str, max_depth: int = MAX_JSON_DEPTH) -> int | None:
    """The offset where JSON nesting first goes deeper than ``max_depth``, or None.

    A linear scan that skips strings (escapes included); it needs no valid JSON, so it runs
    before the parser and the parser reports any syntax error itself.
    """
    depth = 0
    in_string = False
    escaped = False
    for offset, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return offset
        elif char in "]}":
            depth -= 1
    return None


def load_json(text: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON that is nested at most ``max_depth`` deep and holds only finite numbers."""
    too_deep = nesting_too_deep(text, max_depth)
    if too_deep is not None:
        line, column = _position(text, too_deep)
        raise JsonInputError(
            f"JSON nested more than {max_depth} levels deep is refused (the limit is {max_depth})",
            line, column)
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        raise JsonInputError(f"invalid JSON: {error.msg}", error.lineno, error.colno) from None
    except _NotANumber as error:
        offset = text.find(error.text)
        where: tuple[int, int] | tuple[None, None] = _position(text, offset) if offset >= 0 else (None, None)
        raise JsonInputError(
            f"{error.text} is not a finite number (write a decimal number such as 1.5)",
            *where) from None
    except ValueError:  # an integer of more digits than Python converts
        raise JsonInputError(f"invalid JSON: a number of more than {sys.get_int_max_str_digits():,} "
                             "digits (write a shorter number)") from None


class _NotANumber(ValueError):
    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(text)


def _refuse_constant(name: str) -> float:
    raise _NotANumber(name)


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _NotANumber(literal)
    return value


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
