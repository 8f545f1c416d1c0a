"""Bounded concurrency: a few queries run at once, a bounded number wait, the rest are told to
come back later (HTTP 503 with Retry-After) instead of piling up in memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")


class Busy(RuntimeError):
    """Every running slot and every waiting place is taken."""


class Admission:
    """``max_running`` queries run at once, each in a thread of its own (which waits for its
    worker process); up to ``max_waiting`` more wait for a slot; one more raises Busy."""

    def __init__(self, max_running: int, max_waiting: int) -> None:
        if max_running < 1 or max_waiting < 0:
            raise ValueError("at least one query must be able to run, and no fewer than 0 wait")
        self.max_running = max_running
        self.max_waiting = max_waiting
        self.in_flight = 0
        self._limiter: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = None

    def _slots(self) -> anyio.CapacityLimiter:
        # a limiter belongs to one event loop; a test client may start several in turn
        loop = asyncio.get_running_loop()
        if self._limiter is None or self._limiter[0] is not loop:
            self._limiter = (loop, anyio.CapacityLimiter(self.max_running))
        return self._limiter[1]

    @asynccontextmanager
    async def _admitted(self) -> AsyncIterator[None]:
        if self.in_flight >= self.max_running + self.max_waiting:
            raise Busy(f"{self.max_running} queries are running and {self.max_waiting} waiting; "
                       "try again in a moment")
        self.in_flight += 1  # only the event loop's thread counts: no lock needed
        try:
            yield
        finally:
            self.in_flight -= 1

    async def run(self, work: Callable[[], T]) -> T:
        """Run the blocking ``work`` in a thread once a slot is free; Busy when none will be soon."""
        async with self._admitted():
            return await anyio.to_thread.run_sync(work, limiter=self._slots())
