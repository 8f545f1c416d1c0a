"""Answers kept for requests asked again: the graph a server serves never changes while it
runs (an in-memory snapshot), so the same query over the same dataset in the same format has
the same answer. Bounded by the bytes it holds; the least recently used answer goes first."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable


class AnswerCache:
    """A least-recently-used map from a request's key to its answer's bytes and media type.

    Each entry counts its answer's bytes and the key's own size (``key_bytes``: a key holds
    the query text, which may be far longer than its answer)."""

    def __init__(self, capacity_bytes: int) -> None:
        self.capacity_bytes = capacity_bytes
        self.size = 0
        self._entries: OrderedDict[Hashable, tuple[bytes, str, int]] = OrderedDict()

    def get(self, key: Hashable) -> tuple[bytes, str] | None:
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        return found[0], found[1]

    def put(self, key: Hashable, body: bytes, content_type: str, key_bytes: int = 0) -> None:
        """Keep an answer; one larger than a quarter of the cache is not kept (it would evict
        many small ones for one that is seldom asked again)."""
        weight = len(body) + key_bytes
        if weight * 4 > self.capacity_bytes or key in self._entries:
            return
        self._entries[key] = (body, content_type, weight)
        self.size += weight
        while self.size > self.capacity_bytes:
            _, (_, _, evicted) = self._entries.popitem(last=False)
            self.size -= evicted

    def __len__(self) -> int:
        return len(self._entries)
