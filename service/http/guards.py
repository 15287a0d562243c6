"""The guards: Litestar middleware that runs on every routed request before its handler.

In order: the path must be canonical (404); CORS preflights (204, or 403 for other origins);
requests that waited too long in the queue are shed (503); keys never in the URL (400); partner
keys (401, counted against the client's rate limit); rate limits (429); the in-flight cap
(503); the body gets a deadline (408). Probes and scrapes (``Route.guarded`` off)
only get the path check: an overloaded instance must still answer them.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from litestar.exceptions import NotFoundException
from litestar.middleware import DefineMiddleware

from service.http import problems
from service.http.errors import Refused
from service.http.limits import BodyDeadlines, InFlight, RateLimiter, retry_after
from service.http.routes import STREAMED, UNGUARDED
from service.http.security import API_KEY_HEADER, CorsPolicy, PartnerKeys, rate_key

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Send

    from service.http.application import Exchange
    from service.settings import Settings

_KEY_IN_QUERY = re.compile(rb"(?:^|&)(?:api[_-]?key|key|token)=", re.IGNORECASE)
_NO_STORE = (b"cache-control", b"no-store")


def is_canonical(scope: Any) -> bool:
    """The path as the client wrote it is the route's own: no percent-escapes, no empty
    segments, no trailing slash. Litestar would route ``//metrics``, ``/metrics/`` and
    ``/%6detrics`` to /metrics, which defeats an ingress rule written for ``/metrics``."""
    raw = scope.get("raw_path") or scope["path"].encode()
    return b"%" not in raw and b"//" not in raw and (raw == b"/" or not raw.endswith(b"/"))


class Guards:
    """The guards' policies and counters, one set for the whole app (see the module's docstring);
    ``middleware()`` puts them in front of every route."""

    def __init__(self, settings: Settings) -> None:
        self.cors = CorsPolicy(settings.cors_origins)
        self.partners = PartnerKeys(settings.partner_key_sha256s)
        self.client_limit = (
            RateLimiter(settings.rate_limit_per_minute) if settings.rate_limit_per_minute else None
        )
        self.partner_limit = (
            RateLimiter(settings.partner_rate_limit_per_minute)
            if settings.partner_rate_limit_per_minute
            else None
        )
        self.in_flight = InFlight(settings.max_in_flight)
        self.deadlines = BodyDeadlines(settings.body_timeout_seconds)
        self.max_wait_seconds = settings.max_wait_seconds

    def middleware(self) -> DefineMiddleware:
        """For ``Litestar(middleware=[...])``: Litestar wraps each route's app in a _Guarded."""
        return DefineMiddleware(_Guarded, guards=self)

    async def handle(self, scope: Any, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if not is_canonical(scope):
            raise NotFoundException
        if scope["route_handler"].name in UNGUARDED:
            await next_app(scope, receive, send)
            return
        exchange: Exchange = scope["state"]["exchange"]
        headers = exchange.headers
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            await self._preflight(send, headers)
            return
        if time.perf_counter() - exchange.started > self.max_wait_seconds:
            # first: a request that is shed costs nothing more, not even a rate-limit token
            raise _overloaded(f"waited over {self.max_wait_seconds:g} s in the queue")
        self._check_credentials_and_rate(scope, headers, exchange)
        if not self.in_flight.try_enter():
            raise _overloaded("too many requests in flight")
        # a body's deadline counts from its first read; a batch (batch.py) gives each of its
        # reads one, as it reads its body a piece at a time while it answers
        if scope["route_handler"].name not in STREAMED:
            receive = self.deadlines.within(receive)
        try:
            await next_app(scope, receive, send)
        finally:
            self.in_flight.leave()

    async def _preflight(self, send: Send, headers: dict[bytes, bytes]) -> None:
        origin = headers.get(b"origin")
        if origin is None or not self.cors.allows(origin):
            shown = (origin or b"")[:200].decode("latin-1")
            raise Refused(
                problems.problem("origin-not-allowed", f"origin {shown!r} may not call this API")
            )
        start: Message = {
            "type": "http.response.start",
            "status": 204,
            "headers": [*self.cors.preflight_headers(), _NO_STORE],
        }
        await send(start)
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _check_credentials_and_rate(
        self, scope: Any, headers: dict[bytes, bytes], exchange: Exchange
    ) -> None:
        """Refused unless the URL holds no key, a presented key is valid and the caller's rate
        limit has room. A wrong key costs the client a token like any request, so guessing
        keys is rate limited too."""
        query = scope.get("query_string", b"")
        if query and _KEY_IN_QUERY.search(query):
            detail = "credentials never go in the URL; send the key in the X-API-Key header"
            raise Refused(problems.problem("bad-request", detail))
        key = headers.get(API_KEY_HEADER)
        partner = None
        if key is not None:
            partner = self.partners.partner(key) if self.partners else None
            if partner is None:
                if self.client_limit is not None:
                    self._take_token(self.client_limit, "ip:" + rate_key(exchange.client))
                raise Refused(
                    problems.problem("invalid-api-key", "the X-API-Key is not valid"),
                    {"www-authenticate": 'ApiKey header="X-API-Key"'},
                )
            exchange.partner = partner
            self._take_token(self.partner_limit, "partner:" + partner)
        elif self.client_limit is not None:
            self._take_token(self.client_limit, "ip:" + rate_key(exchange.client))

    @property
    def limits_rate(self) -> bool:
        return self.client_limit is not None or self.partner_limit is not None

    def item_token(self, exchange: Exchange) -> float:
        """One more request of the exchange's caller (an item of a batch): 0 when it may go
        ahead, else the seconds until it may."""
        if exchange.partner is not None:
            limiter, client = self.partner_limit, "partner:" + exchange.partner
        else:
            limiter, client = self.client_limit, "ip:" + rate_key(exchange.client)
        return 0.0 if limiter is None else limiter.acquire(client)

    @staticmethod
    def _take_token(limiter: RateLimiter | None, client: str) -> None:
        if limiter is None:
            return
        wait = limiter.acquire(client)
        if wait:
            detail = "rate limit reached; retry after the number of seconds in Retry-After"
            raise Refused(
                problems.problem("rate-limited", detail), {"retry-after": retry_after(wait)}
            )


class _Guarded:
    """One route's app behind the guards (plain ASGI middleware: the request has been routed)."""

    def __init__(self, app: ASGIApp, guards: Guards) -> None:
        self.app = app
        self.guards = guards

    async def __call__(self, scope: Any, receive: Receive, send: Send) -> None:
        await self.guards.handle(scope, receive, send, self.app)


def _overloaded(why: str) -> Refused:
    return Refused(problems.problem("overloaded", f"{why}; retry shortly"), {"retry-after": "1"})
