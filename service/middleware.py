"""The outermost ASGI layer, around the whole Litestar app.

In order: a request id; keys never in the URL; CORS preflights; partner keys (401); rate limits
(429); the in-flight cap (503); a deadline for the body (408). On the way out it adds the
request id, CORS, ``nosniff`` and cache headers to every answer, writes the one log line of the
request, and turns any exception that escapes into a 500 problem. Because it wraps Litestar, it
also sees the answers Litestar gives outside its handlers (404, 405, 413).
"""

from __future__ import annotations

import os
import re
import time
from typing import TYPE_CHECKING, Any

import structlog

from service import metrics, problems, routes
from service.limits import BodyDeadlines, BodyTimeout, InFlight, RateLimiter, retry_after
from service.logs import ACCESS
from service.security import API_KEY_HEADER, CorsPolicy, PartnerKeys
from service.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, MutableMapping

    # Plain ASGI: this layer sits outside Litestar and sees raw scopes and messages.
    Scope = MutableMapping[str, Any]
    Message = MutableMapping[str, Any]
    Receive = Callable[[], Awaitable[Message]]
    Send = Callable[[Message], Awaitable[None]]
    ASGIApp = Callable[..., Awaitable[None]]

REQUEST_ID_HEADER = b"x-request-id"
_SAFE_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,128}$")
_KEY_IN_QUERY = re.compile(rb"(?:^|&)(?:api[_-]?key|key|token)=", re.IGNORECASE)
_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
_NO_STORE = (b"cache-control", b"no-store")
_VARY_ORIGIN = (b"vary", b"Origin")
_JSON_TYPE = (b"content-type", b"application/json")
_LANGUAGE = {language: (b"content-language", language.encode()) for language in ("en", "uk")}
# Probes and scrapes are never limited or shed: an overloaded instance must still say so.
_UNGUARDED = frozenset({"/healthz", "/readyz", "/metrics"})

log = structlog.get_logger("roi_service.access")


def request_id_from(headers: dict[bytes, bytes]) -> str:
    """The client's X-Request-ID when short and safe (≤ 128 of [A-Za-z0-9._-]), else a new one."""
    given = headers.get(REQUEST_ID_HEADER)
    if given is not None and _SAFE_REQUEST_ID.match(given):
        return bytes(given).decode("ascii")
    return os.urandom(16).hex()  # 128 random bits, like a UUID4, at a third of the cost


class _Exchange:
    """One request's bookkeeping: its id, the headers every answer gets, what was answered."""

    __slots__ = ("extra", "partner", "path", "request_id", "status")

    def __init__(self, request_id: str, path: str, extra: list[tuple[bytes, bytes]]) -> None:
        self.request_id = request_id
        self.path = path
        self.extra = extra
        self.status: int | None = None
        self.partner: str | None = None


class ServiceMiddleware:
    """Guards, headers and the canonical log line for every HTTP request."""

    def __init__(
        self, app: ASGIApp, litestar: Any = None, settings: Settings | None = None
    ) -> None:
        settings = settings or Settings()
        self.app = app
        self.litestar = litestar  # the wrapped Litestar app, for tests and the server
        self.settings = settings
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
        # The headers every answer carries after its own (the request id goes first).
        self.always = [*_ALWAYS] if self.cors.any_origin else [*_ALWAYS, _VARY_ORIGIN]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])  # ASGI header names are lower-case
        request_id = request_id_from(headers)
        origin = headers.get(b"origin")
        extra = [(REQUEST_ID_HEADER, request_id.encode("ascii")), *self.always]
        if origin is not None and self.cors.allows(origin):
            extra += self.cors.headers(bytes(origin))
        exchange = _Exchange(request_id, scope["path"], extra)
        try:
            await self._dispatch(scope, receive, send, headers, exchange)
        except BodyTimeout as error:
            if exchange.status is None:
                await self._refuse(send, exchange, self._problem(error))
        except Exception:
            log.exception("unhandled error", path=exchange.path, request_id=request_id)
            if exchange.status is None:  # nothing sent yet: answer with a problem
                await self._refuse(
                    send,
                    exchange,
                    problems.problem(
                        "internal-error",
                        "The request failed; quote the request id when you report it.",
                    ),
                )
        finally:
            elapsed = time.perf_counter() - started
            metrics.observe(exchange.path, scope["method"], exchange.status, elapsed)
            ACCESS.request(
                request_id,
                scope["method"],
                exchange.path,
                exchange.status,
                duration_ms=round(elapsed * 1000, 3),
                partner=exchange.partner,
            )

    async def _dispatch(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[bytes, bytes],
        exchange: _Exchange,
    ) -> None:
        """Refuse, answer a preflight, or pass the request on under the in-flight cap."""
        refusal = self._guard(scope, headers, exchange)
        if refusal is not None:
            await self._refuse(send, exchange, *refusal)
        elif scope["method"] == "OPTIONS" and _is_preflight(headers):
            exchange.status = 204
            await _send_preflight(
                send, [*self.cors.preflight_headers(), _NO_STORE, *exchange.extra]
            )
        elif exchange.path in _UNGUARDED:
            await self._through_litestar(scope, receive, send, exchange)
        elif not self.in_flight.try_enter():
            await self._refuse(
                send,
                exchange,
                problems.problem("overloaded", "too many requests in flight; retry shortly"),
                [(b"retry-after", b"1")],
            )
        else:
            try:
                compute = routes.ANSWERS.get(exchange.path) if scope["method"] == "POST" else None
                if compute is None:
                    await self._through_litestar(scope, self._deadline(receive), send, exchange)
                else:
                    await self._answer(receive, send, headers, exchange, compute)
            finally:
                self.in_flight.leave()

    async def _through_litestar(
        self, scope: Scope, receive: Receive, send: Send, exchange: _Exchange
    ) -> None:
        """Everything but the hot path: Litestar answers, and this layer adds its headers."""
        scope.setdefault("state", {})["request_id"] = exchange.request_id
        structlog.contextvars.bind_contextvars(request_id=exchange.request_id)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                answer = list(message.get("headers", ()))
                if not any(name.lower() == b"cache-control" for name, _ in answer):
                    answer.append(_NO_STORE)
                message["headers"] = [*answer, *exchange.extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            structlog.contextvars.clear_contextvars()

    async def _answer(
        self,
        receive: Receive,
        send: Send,
        headers: dict[bytes, bytes],
        exchange: _Exchange,
        compute: Callable[[bytes, str], bytes],
    ) -> None:
        """The hot path: POST /evaluate and /payback without the framework's per-request
        machinery (the same compute functions and problems as the Litestar handlers)."""
        limit = self.settings.max_body_bytes
        content_type = headers.get(b"content-type", b"")
        if content_type != b"application/json" and not routes.is_json(
            bytes(content_type).decode("latin-1")
        ):
            unsupported = routes.UnsupportedMediaType(bytes(content_type).decode("latin-1"))
            await self._refuse(send, exchange, self._problem(unsupported))
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, exchange, self._too_large())
            return
        body = await self._read_body(receive, limit)
        if body is None:
            return  # the client has gone: nobody to answer
        if body is _TOO_LARGE:
            await self._refuse(send, exchange, self._too_large())
            return
        wanted = headers.get(b"accept-language")
        language = "en" if wanted is None else routes.content_language(wanted.decode("latin-1"))
        try:
            answer = compute(body, language)
        except Exception as error:
            value = routes.problem_for(
                error, body_timeout_seconds=self.settings.body_timeout_seconds
            )
            if value is None:
                raise
            await self._refuse(send, exchange, value)
            return
        exchange.status = 200
        await send({
            "type": "http.response.start",
            "status": 200,
            "headers": [
                _JSON_TYPE,
                (b"content-length", b"%d" % len(answer)),
                _LANGUAGE[language],
                _NO_STORE,
                *exchange.extra,
            ],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": answer, "more_body": False})

    async def _read_body(self, receive: Receive, limit: int) -> bytes | None:
        """The whole body within the deadline; None if the client left; _TOO_LARGE past
        ``limit`` bytes (chunked uploads declare no length)."""
        deadlines = self.deadlines
        deadline = deadlines.deadline()
        message = await deadlines.receive(receive, deadline)
        body = message.get("body", b"")
        if not message.get("more_body", False):  # the usual case: one message
            if message["type"] == "http.disconnect":
                return None
            return _TOO_LARGE if len(body) > limit else body
        chunks, size = [body], len(body)
        while True:
            message = await deadlines.receive(receive, deadline)
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return _TOO_LARGE
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(
        self,
        send: Send,
        exchange: _Exchange,
        value: problems.Problem,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        value.request_id = exchange.request_id
        value.instance = exchange.path[:200]
        body = problems.encode(value)
        exchange.status = value.status
        await send({
            "type": "http.response.start",
            "status": value.status,
            "headers": [
                (b"content-type", problems.MEDIA_TYPE.encode()),
                (b"content-length", b"%d" % len(body)),
                *(headers or ()),
                _NO_STORE,
                *exchange.extra,
            ],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": body, "more_body": False})

    def _too_large(self) -> problems.Problem:
        limit = self.settings.max_body_bytes
        return problems.problem("body-too-large", f"the body may be at most {limit} bytes")

    def _problem(self, error: Exception) -> problems.Problem:
        value = routes.problem_for(error, body_timeout_seconds=self.settings.body_timeout_seconds)
        assert value is not None  # noqa: S101  callers pass errors of the request
        return value

    def _guard(
        self, scope: Scope, headers: dict[bytes, bytes], exchange: _Exchange
    ) -> tuple[problems.Problem, list[tuple[bytes, bytes]]] | None:
        """The first refusal that applies, with its extra headers; None to go ahead."""
        query = scope.get("query_string", b"")
        if query and _KEY_IN_QUERY.search(query):
            detail = "credentials never go in the URL; send the key in the X-API-Key header"
            return problems.problem("bad-request", detail), []
        origin = headers.get(b"origin")
        if origin is not None and scope["method"] == "OPTIONS" and _is_preflight(headers):
            if not self.cors.allows(origin):
                detail = f"origin {bytes(origin[:200]).decode('latin-1')!r} may not call this API"
                return problems.problem("origin-not-allowed", detail), []
            return None
        key = headers.get(API_KEY_HEADER)
        limiter = self.client_limit
        if key is not None:
            partner = self.partners.partner(bytes(key)) if self.partners else None
            if partner is None:
                return problems.problem("invalid-api-key", "the X-API-Key is not valid"), [
                    (b"www-authenticate", b'ApiKey header="X-API-Key"')
                ]
            exchange.partner = partner
            limiter = self.partner_limit
        if limiter is not None and exchange.path not in _UNGUARDED:
            client = (
                "ip:" + (scope.get("client") or ("unknown", 0))[0]
                if exchange.partner is None
                else "partner:" + exchange.partner
            )
            wait = limiter.acquire(client)
            if wait:
                detail = "rate limit reached; retry after the number of seconds in Retry-After"
                return problems.problem("rate-limited", detail), [
                    (b"retry-after", retry_after(wait).encode())
                ]
        return None

    def _deadline(self, receive: Receive) -> Receive:
        """``receive`` with a deadline for the whole body, counted from the first call."""
        deadline: list[float] = []

        async def receive_within() -> Message:
            if not deadline:
                deadline.append(self.deadlines.deadline())
            message: Message = await self.deadlines.receive(receive, deadline[0])
            return message

        return receive_within


_TOO_LARGE = b"\x00too large"  # a sentinel _read_body returns (compared by identity)


def _is_preflight(headers: dict[bytes, bytes]) -> bool:
    """An OPTIONS request is a CORS preflight when it names the method it wants to use."""
    return b"access-control-request-method" in headers


async def _send_preflight(send: Send, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
