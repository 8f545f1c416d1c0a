"""Verbatim-quote verification without the source documents: hashed word-pair indexes.

The product must prove that a claim's quote is a verbatim passage of its source on a
user's machine, where the documents themselves are not shipped. Each document is reduced
to an index: its normalised token sequence, as one 8-byte hash per *pair* of adjacent
tokens (each token's keyed hash, the two mixed), in document order. A quote of n tokens is verbatim exactly when its n-1
pair hashes occur at consecutive positions of the index, which needs no document text; the
index cannot be read back as text (each entry hides two words behind a hash).

Normalisation is what a reader treats as the same text: Unicode compatibility forms (NFKC:
"²" is "2", the "ﬁ" ligature is "fi"), typographic quotes and dashes as their ASCII forms,
and any run of whitespace as one space. Case and punctuation are kept, and so is text
damaged by extraction ("signi icant"): a quote repeats the source as it stands.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import unicodedata
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path

#: Bumped whenever normalisation or hashing changes (indexes then need rebuilding).
INDEX_VERSION = 2
_HASH_KEY = b"bortekg-source-text-v2"

_TYPOGRAPHIC = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\ufe63": "-", "\uff0d": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})
_TOKEN = re.compile(r"\w+|[^\w\s]")


def normalise(text: str) -> str:
    """The text as the index sees it: NFKC, ASCII quotes and dashes, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC)
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    """Word and punctuation tokens of the normalised text ("0.7 mg/m²" -> 0 . 7 mg / m 2)."""
    return _TOKEN.findall(normalise(text))


_MASK = (1 << 64) - 1


@lru_cache(maxsize=65536)
def _word_hash(word: str) -> int:
    digest = hashlib.blake2b(word.encode(), digest_size=8, key=_HASH_KEY).digest()
    return int.from_bytes(digest, "big")


def pair_hash(first: str, second: str) -> int:
    """A 64-bit hash of two adjacent words: their keyed hashes, mixed (splitmix64 finaliser)."""
    value = ((_word_hash(first) * 0x9E3779B97F4A7C15) ^ _word_hash(second)) & _MASK
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
    return value ^ (value >> 31)


def pair_hashes(words: list[str]) -> list[int]:
    return [pair_hash(a, b) for a, b in zip(words, words[1:])]


def text_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote is found in a source, or how much of it is."""

    found: bool
    position: int | None  # token position of the first quoted word, when found
    matched_words: int  # the longest run of the quote's words found in order in the source
    diverges_at: str | None  # the quote's word next to that run where it leaves the source
    matched_text: str  # that run of words, as the quote writes them
    run_start: int = 0  # where that run starts among the quote's words


@dataclass
class SourceIndex:
    """One source document's pair-hash index."""

    source: str  # the source document's IRI
    sha256: str  # SHA-256 of the document text the index was built from
    hashes: array = field(repr=False)  # unsigned 64-bit pair hashes in document order

    @classmethod
    def build(cls, source: str, text: str, *, sha256: str | None = None) -> SourceIndex:
        words = tokens(text)
        return cls(source, sha256 or text_sha256(text.encode("utf-8")), array("Q", pair_hashes(words)))

    @cached_property
    def _positions(self) -> dict[int, list[int]]:
        positions: dict[int, list[int]] = {}
        for index, value in enumerate(self.hashes):
            positions.setdefault(value, []).append(index)
        return positions

    def find(self, quote: str) -> QuoteMatch:
        """Whether the quote is verbatim here; if not, its longest run of words that is."""
        words = tokens(quote)
        wanted = pair_hashes(words)
        if not wanted:
            return QuoteMatch(False, None, 0, words[0] if words else None, "")
        for start in self._positions.get(wanted[0], ()):
            if self._run(start, wanted, 0) == len(wanted):
                return QuoteMatch(True, start, len(words), None, " ".join(words))
        best_start, best_len = 0, 0
        for offset in range(len(wanted)):
            for start in self._positions.get(wanted[offset], ()):
                run = self._run(start, wanted, offset)
                if run > best_len:
                    best_start, best_len = offset, run
        if best_len == 0:
            return QuoteMatch(False, None, 0, words[0], "")
        end = best_start + best_len + 1  # pairs -> words
        after = words[end] if end < len(words) else None
        before = words[best_start - 1] if best_start > 0 else None
        return QuoteMatch(False, None, best_len + 1, after or before, _join(words[best_start:end]), best_start)

    def _run(self, start: int, wanted: list[int], offset: int) -> int:
        run = 0
        hashes = self.hashes
        while offset + run < len(wanted) and start + run < len(hashes) and hashes[start + run] == wanted[offset + run]:
            run += 1
        return run

    # ----------------------------------------------------------------- (de)serialisation

    def to_json(self) -> str:
        return json.dumps({
            "source": self.source,
            "sha256": self.sha256,
            "version": INDEX_VERSION,
            "pairs": len(self.hashes),
            "hashes": self.encoded_hashes(),
        }, indent=1) + "\n"

    def encoded_hashes(self) -> str:
        data = array("Q", self.hashes)
        if data.itemsize != 8:
            raise RuntimeError("unsigned 64-bit arrays are needed for source indexes")
        return base64.b64encode(data.tobytes()).decode("ascii")

    @classmethod
    def from_encoded(cls, source: str, sha256: str, encoded: str) -> SourceIndex:
        data = array("Q")
        data.frombytes(base64.b64decode(encoded))
        return cls(source, sha256, data)

    @classmethod
    def from_json(cls, text: str) -> SourceIndex:
        document = json.loads(text)
        if document.get("version") != INDEX_VERSION:
            raise ValueError(f"source index of version {document.get('version')}, expected {INDEX_VERSION}")
        return cls.from_encoded(document["source"], document["sha256"], document["hashes"])


def _join(words: Iterable[str]) -> str:
    """Tokens back to readable text (no space before punctuation)."""
    out = ""
    for word in words:
        if out and (word[0].isalnum() or word[0] == "_") and (out[-1].isalnum() or out[-1] in ".,;:)%"):
            out += " "
        elif out and word in "(":
            out += " "
        out += word
    return out


def index_dir() -> Path:
    from bortekg import resources

    return resources.ontology_dir() / "source-index"


@cache
def packaged_indexes() -> dict[str, SourceIndex]:
    """The shipped indexes of the curated source documents, by source IRI."""
    indexes = {}
    for path in sorted(index_dir().glob("*.json")):
        index = SourceIndex.from_json(path.read_text(encoding="utf-8"))
        indexes[index.source] = index
    return indexes


def write_index(index: SourceIndex, slug: str, folder: Path | None = None) -> Path:
    path = (folder or index_dir()) / f"{slug}.json"
    path.write_text(index.to_json(), encoding="utf-8")
    return path
