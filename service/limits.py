"""Per-instance protections: rate limits (token buckets) and a cap on requests in flight."""

from __future__ import annotations

import math
import time
from collections import OrderedDict


class BodyTimeout(Exception):
    """The client did not finish sending its body within the deadline."""


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests a minute, in bursts of up to as many.

    Memory is bounded: the least recently seen clients are forgotten beyond ``max_clients``
    (a forgotten client starts again with a full bucket, which errs on the side of serving).
    """

    def __init__(self, per_minute: int, max_clients: int = 100_000) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def acquire(self, client: str, now: float | None = None) -> float:
        """0 when the request may go ahead; else the seconds until it may (for Retry-After)."""
        now = time.monotonic() if now is None else now
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
