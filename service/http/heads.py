"""The connections of one server that wait for a request head (service/http/server.py's edge):
one timer for all of them, and the oldest of them to close when a new connection needs room."""

from __future__ import annotations

import asyncio
import contextvars
from typing import TYPE_CHECKING

import structlog

if TYPE_CHECKING:
    from service.http.server import EdgeProtocol
    from service.settings import Settings

log = structlog.get_logger("roi_service.edge")


def outside_requests() -> contextvars.Context:
    """The context for the edge's timers: they may be set while a request is served (an answer
    fills the send buffer, or completes), but what they log is the connection's, and must not
    carry that request's id (service/http/application.py binds it in the request's context)."""
    return contextvars.Context()


class Heads:
    """The connections of one server that wait for a request head, oldest first.

    Every head gets the same timeout, so insertion order is deadline order: a sweep a few times
    a second closes those past their deadline from the front, and ``oldest`` is the first.
    """

    def __init__(self, settings: Settings, loop: asyncio.AbstractEventLoop) -> None:
        self.timeout = settings.head_timeout_seconds
        self.max_connections = settings.max_connections
        self.loop = loop
        self.waiting: dict[EdgeProtocol, float] = {}
        self.tick = min(0.25, self.timeout / 4)
        self.timer: asyncio.TimerHandle | None = None

    def wait(self, protocol: EdgeProtocol) -> None:
        """``protocol`` waits for a head from now on (moved to the back if it waited already)."""
        self.waiting.pop(protocol, None)
        self.waiting[protocol] = self.loop.time() + self.timeout
        if self.timer is None:
            self.timer = self.loop.call_later(self.tick, self.sweep, context=outside_requests())

    def done(self, protocol: EdgeProtocol) -> None:
        self.waiting.pop(protocol, None)

    def sweep(self) -> None:
        now = self.loop.time()
        while self.waiting:
            protocol, deadline = next(iter(self.waiting.items()))
            if deadline > now:
                break
            del self.waiting[protocol]
            protocol.head_timed_out(self.timeout)
        self.timer = (
            self.loop.call_later(self.tick, self.sweep, context=outside_requests())
            if self.waiting
            else None
        )

    def make_room(self, connections: int) -> bool:
        """Past the connection limit, close the oldest connection that waits for a head (an
        unfinished one, or none yet after an answer); False when every connection is busy with
        a request (the new one must go)."""
        if connections <= self.max_connections:
            return True
        if not self.waiting:
            return False
        oldest = next(iter(self.waiting))
        self.done(oldest)
        log.warning(
            "connection dropped to make room",
            client=oldest.client_address(),
            connections=connections,
            max_connections=self.max_connections,
            reason="the oldest connection waiting for a request head",
        )
        oldest.transport.close()
        return True
