"""Per-instance protections: rate limits (token buckets) and a cap on requests in flight."""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from typing import Any


class BodyTimeout(Exception):
    """The client did not finish sending its body within the deadline."""


class BodyDeadlines:
    """Deadlines for request bodies, kept by one timer for every request of the process.

    A request registers its task and deadline only while it waits in ``receive()``; a sweep
    every ``tick`` seconds cancels the tasks past their deadline, and ``receive`` turns that
    cancellation into BodyTimeout. So a late body is refused between ``seconds`` and
    ``seconds + tick`` after its first read. (``asyncio.timeout`` would arm and disarm a timer
    for every request: the most expensive step of a fast request.)
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.tick = min(0.25, seconds / 4)
        self.waiting: dict[asyncio.Task[Any], float] = {}
        self.timed_out: set[asyncio.Task[Any]] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.timer: asyncio.TimerHandle | None = None

    def deadline(self) -> float:
        """The deadline of a body whose first read starts now."""
        return asyncio.get_running_loop().time() + self.seconds

    async def receive(self, receive: Any, deadline: float) -> Any:
        """``await receive()``, or BodyTimeout once ``deadline`` (loop time) has passed."""
        task = asyncio.current_task()
        assert task is not None  # noqa: S101  always called from a request's task
        loop = task.get_loop()
        if loop is not self.loop:  # another event loop (tests): forget the old one's requests
            self.waiting = {t: d for t, d in self.waiting.items() if t.get_loop() is loop}
            self.loop, self.timer = loop, None
        self.waiting[task] = deadline
        if self.timer is None:
            self.timer = loop.call_later(self.tick, self._sweep, loop)
        try:
            return await receive()
        except asyncio.CancelledError:
            if task not in self.timed_out:
                raise
            task.uncancel()
            raise BodyTimeout from None
        finally:
            self.waiting.pop(task, None)
            self.timed_out.discard(task)

    def within(self, receive: Any) -> Any:
        """``receive`` with a deadline for the whole body, counted from its first call."""
        deadline: list[float] = []

        async def receive_within() -> Any:
            if not deadline:
                deadline.append(self.deadline())
            return await self.receive(receive, deadline[0])

        return receive_within

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        if loop is not self.loop:
            return
        now = loop.time()
        for task in [task for task, deadline in self.waiting.items() if deadline <= now]:
            del self.waiting[task]
            self.timed_out.add(task)
            task.cancel()
        self.timer = loop.call_later(self.tick, self._sweep, loop) if self.waiting else None


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests a minute, in bursts of up to as many.

    Memory is bounded: the least recently seen clients are forgotten beyond ``max_clients``
    (a forgotten client starts again with a full bucket, which errs on the side of serving).
    Client names are at most ``MAX_CLIENT_CHARS`` long (an address, or a configured partner
    name), so an entry costs at most ~400 bytes (test_guards measures it): 50,000 clients are
    under 20 MiB whatever the clients send.
    """

    MAX_CLIENT_CHARS = 80

    def __init__(self, per_minute: int, max_clients: int = 50_000) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def acquire(self, client: str, now: float | None = None) -> float:
        """0 when the request may go ahead; else the seconds until it may (for Retry-After)."""
        now = time.monotonic() if now is None else now
        client = client[: self.MAX_CLIENT_CHARS]
        tokens, last = self.buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self.buckets[client] = (tokens, now)
        if len(self.buckets) > self.max_clients:
            self.buckets.popitem(last=False)
        return wait


def retry_after(seconds: float) -> str:
    """Retry-After in whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))


class InFlight:
    """Counts requests being served; past the cap new ones are shed at once (503)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def try_enter(self) -> bool:
        if self.count >= self.limit:
            return False
        self.count += 1
        return True

    def leave(self) -> None:
        self.count -= 1
