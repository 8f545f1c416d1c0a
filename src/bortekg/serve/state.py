"""What every route of the server shares: its settings and the read-only graph it serves."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bortekg.serve.admission import Admission
    from bortekg.serve.cache import AnswerCache
    from bortekg.store import KnowledgeGraph

#: Hosts a server bound to loopback answers to (``Host`` header, any port): a page on another
#: site that points a browser at ``127.0.0.1`` through a name of its own (DNS rebinding) is refused.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


@dataclass(frozen=True)
class ServeSettings:
    """How ``bortekg serve`` was started (command-line options, with their defaults)."""

    host: str = "127.0.0.1"
    port: int = 8000
    store_dir: Path | None = None
    cors_origins: tuple[str, ...] = ()
    #: Each query is stopped after this many seconds (the command line's default).
    timeout: float = 30.0
    #: The longest query text accepted, in bytes (URL parameter or request body).
    max_query_bytes: int = 128 * 1024
    #: The largest answer sent, in bytes once serialised; a larger one is refused (add a LIMIT).
    max_result_bytes: int = 16 * 1024 * 1024
    #: Queries running at once (each in a worker process of its own).
    max_running: int = 4
    #: Queries waiting for a running slot; one more is answered 503 with Retry-After.
    max_waiting: int = 64
    #: Answers kept for repeated identical requests (the graph served never changes), in bytes;
    #: 0 turns the cache off.
    cache_bytes: int = 64 * 1024 * 1024

    @property
    def is_loopback(self) -> bool:
        return self.host in ("127.0.0.1", "localhost", "::1") or self.host.startswith("127.")


@dataclass
class ServerState:
    """The graph a server answers from (opened once, read-only) and its settings."""

    kg: KnowledgeGraph
    settings: ServeSettings = field(default_factory=ServeSettings)

    @cached_property
    def graph_sizes(self) -> dict[str, int]:
        """Triples per content graph, counted once: the graph served does not change."""
        return {graph.value: sum(1 for _ in self.kg.store.quads_for_pattern(None, None, None, graph))
                for graph in self.kg.content_graphs()}

    @cached_property
    def triples(self) -> int:
        """Triples of the default graph (the union of the content graphs, duplicates merged)."""
        return len(self.kg)

    @cached_property
    def admission(self) -> Admission:
        from bortekg.serve.admission import Admission

        return Admission(self.settings.max_running, self.settings.max_waiting)

    @cached_property
    def answers(self) -> AnswerCache:
        from bortekg.serve.cache import AnswerCache

        return AnswerCache(self.settings.cache_bytes)
