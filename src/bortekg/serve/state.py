"""What every route of the server shares: its settings and the read-only graph it serves."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bortekg.store import KnowledgeGraph


@dataclass(frozen=True)
class ServeSettings:
    """How ``bortekg serve`` was started (command-line options, with their defaults)."""

    host: str = "127.0.0.1"
    port: int = 8000
    store_dir: Path | None = None
    cors_origins: tuple[str, ...] = ()


@dataclass
class ServerState:
    """The graph a server answers from (opened once, read-only) and its settings."""

    kg: KnowledgeGraph
    settings: ServeSettings = field(default_factory=ServeSettings)
