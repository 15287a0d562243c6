"""The application the server runs: the Litestar app, and what every exchange with it shares.

It answers nothing itself (Litestar routes and answers every request, its guards included), but
it sees every exchange, also the ones Litestar refuses before any handler (404, 405): it names
the client (behind trusted proxies) and the request id, adds the headers every answer carries
(the request id, CORS, ``nosniff``, ``no-store`` unless the answer says otherwise), counts the
request in the metrics and writes its one log line; every other line logged while it serves the
request carries the request id (bound through structlog's contextvars). Only when Litestar
itself fails before it answers does it send the 500 problem.
"""

from __future__ import annotations

import os
import re
import time
from typing import TYPE_CHECKING, Any

import structlog

from service.http import problems
from service.http.errors import INTERNAL_DETAIL
from service.http.security import CorsPolicy, Proxies
from service.ops import metrics
from service.ops.logs import ACCESS

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

    from litestar import Litestar

    # Plain ASGI: this layer sees every scope and message as the server sends them.
    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]

    from service.settings import Settings

REQUEST_ID_HEADER = b"x-request-id"
_SAFE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,128}$")
_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
_NO_STORE = (b"cache-control", b"no-store")
_VARY_ORIGIN = (b"vary", b"Origin")
_FORWARDED_FOR = b"x-forwarded-for"

log = structlog.get_logger("roi_service.access")


def request_id_from(headers: dict[bytes, bytes]) -> str:
    """The client's X-Request-ID when short and safe (≤ 128 of [A-Za-z0-9._-]), else a new one."""
    given = headers.get(REQUEST_ID_HEADER)
    if given is not None and _SAFE_REQUEST_ID.match(given):
        return given.decode("ascii")
    return os.urandom(16).hex()  # 128 random bits, like a UUID4, at a third of the cost


class Exchange:
    """One request's bookkeeping, shared with the guards through ``scope["state"]``."""

    __slots__ = ("client", "headers", "partner", "request_id", "started", "status")

    def __init__(
        self, request_id: str, headers: dict[bytes, bytes], client: str, started: float
    ) -> None:
        self.request_id = request_id
        self.headers = headers
        self.client = client
        self.started = started  # when the server read the request (perf_counter seconds)
        self.status: int | None = None
        self.partner: str | None = None


class Application:
    """``create_app``'s product: what the server runs (see the module's docstring)."""

    def __init__(self, litestar: Litestar, settings: Settings) -> None:
        self.litestar = litestar
        self.routed: Callable[..., Awaitable[None]] = litestar  # the same, as plain ASGI
        self.settings = settings
        self.cors = CorsPolicy(settings.cors_origins)
        self.proxies = Proxies(settings.forwarded_allow_ips)
        # The headers every answer carries after its own (the request id goes first).
        self.always = [*_ALWAYS] if self.cors.any_origin else [*_ALWAYS, _VARY_ORIGIN]

    @property
    def state(self) -> Any:
        """The app's state (``draining``, the settings), which the server and handlers share."""
        return self.litestar.state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan
            await self.routed(scope, receive, send)
            return
        path = scope["path"]  # as the client sent it (Litestar's router rewrites scope["path"])
        state = scope.setdefault("state", {})
        # The edge (service/http/server.py) notes when it read the request; other servers don't.
        started = state.get("arrived") or time.perf_counter()
        headers = dict(scope["headers"])  # ASGI header names are lower-case
        request_id = request_id_from(headers)
        exchange = Exchange(request_id, headers, self._client(scope, headers), started)
        state["exchange"] = exchange
        state["request_id"] = request_id
        extra = [(REQUEST_ID_HEADER, request_id.encode("ascii")), *self.always]
        origin = headers.get(b"origin")
        if origin is not None and self.cors.allows(origin):
            extra += self.cors.headers(origin)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                answer = [*message.get("headers", ()), *extra]
                # Litestar and the handlers write header names in lower case
                if not any(name == b"cache-control" for name, _ in answer):
                    answer.append(_NO_STORE)
                message["headers"] = answer
            await send(message)

        # Every line logged while the request is served carries its id (merge_contextvars, the
        # first processor); reset after it, so that no line outside it does.
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.routed(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error", path=path[:200])
            if exchange.status is None:  # nothing sent yet: answer with a problem
                await self._internal_error(send_with_headers, scope, request_id)
        finally:
            elapsed = time.perf_counter() - started
            route = metrics.route_label(scope.get("path_template"))
            metrics.observe(route, scope["method"], exchange.status, elapsed)
            ACCESS.request(  # written by hand, not through structlog: it names its id itself
                request_id,
                scope["method"],
                path,
                exchange.status,
                duration_ms=round(elapsed * 1000, 3),
                client=exchange.client,
                partner=exchange.partner,
            )
            structlog.contextvars.reset_contextvars(**bound)

    def _client(self, scope: Scope, headers: dict[bytes, bytes]) -> str:
        """The client's address; ``scope["client"]`` says the same from here on."""
        peer = (scope.get("client") or ("unknown", 0))[0]
        if _FORWARDED_FOR not in headers:
            return str(peer)
        forwarded = [value for name, value in scope["headers"] if name == _FORWARDED_FOR]
        client = self.proxies.client(peer, forwarded)
        if client != peer:
            scope["client"] = (client, 0)
        return client

    @staticmethod
    async def _internal_error(send: Send, scope: Scope, request_id: str) -> None:
        value = problems.problem("internal-error", INTERNAL_DETAIL, request_id=request_id)
        value.instance = scope["path"][:200]
        body = problems.encode(value)
        await send({
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", problems.MEDIA_TYPE.encode()),
                (b"content-length", b"%d" % len(body)),
            ],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": body, "more_body": False})
