"""The outermost ASGI layer, around the whole Litestar app.

In order: a request id; keys never in the URL; CORS preflights; partner keys (401); rate limits
(429); the in-flight cap (503); a deadline for the body (408). On the way out it adds the
request id, CORS, ``nosniff`` and cache headers to every answer, writes the one log line of the
request, and turns any exception that escapes into a 500 problem. Because it wraps Litestar, it
also sees the answers Litestar gives outside its handlers (404, 405, 413).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from typing import TYPE_CHECKING, Any

import structlog

from service import metrics, problems, routes
from service.limits import BodyTimeout, InFlight, RateLimiter, retry_after
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
# Probes and scrapes are never limited or shed: an overloaded instance must still say so.
_UNGUARDED = frozenset({"/healthz", "/readyz", "/metrics"})

log = structlog.get_logger("roi_service.access")


def request_id_from(scope: Scope) -> str:
    """The client's X-Request-ID when short and safe (≤ 128 of [A-Za-z0-9._-]), else a new one."""
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and _SAFE_REQUEST_ID.match(value):
            return bytes(value).decode("ascii")
    return os.urandom(16).hex()  # 128 random bits, like a UUID4, at a third of the cost


def _header(scope: Scope, wanted: bytes) -> bytes | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return bytes(value)
    return None


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        origin = _header(scope, b"origin")
        extra = [(REQUEST_ID_HEADER, request_id.encode("ascii")), *_ALWAYS]
        if not self.cors.any_origin:
            extra.append(_VARY_ORIGIN)
        if origin is not None and self.cors.allows(origin):
            extra.extend(self.cors.headers(origin))
        response: dict[str, Any] = {"status": None, "partner": None}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                headers = list(message.get("headers", ()))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append(_NO_STORE)
                message["headers"] = [*headers, *extra]
            await send(message)

        async def refuse(
            value: problems.Problem, headers: list[tuple[bytes, bytes]] | None = None
        ) -> None:
            value.request_id = request_id
            value.instance = scope["path"][:200]
            await _send_problem(send_with_headers, value, headers or [])

        try:
            await self._dispatch(
                scope, receive, send_with_headers, refuse=refuse, origin=origin, response=response
            )
        except BodyTimeout as error:
            if response["status"] is None:
                await refuse(self._problem(error))
        except Exception:
            log.exception("unhandled error", path=scope["path"])
            if response["status"] is None:  # nothing sent yet: answer with a problem
                await refuse(
                    problems.problem(
                        "internal-error",
                        "The request failed; quote the request id when you report it.",
                    )
                )
        finally:
            elapsed = time.perf_counter() - started
            metrics.observe(scope["path"], scope["method"], response["status"], elapsed)
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=response["status"],
                duration_ms=round(elapsed * 1000, 3),
                **({"partner": response["partner"]} if response["partner"] else {}),
            )
            structlog.contextvars.clear_contextvars()

    async def _dispatch(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        refuse: Callable[..., Awaitable[None]],
        origin: bytes | None,
        response: dict[str, Any],
    ) -> None:
        """Refuse, answer a preflight, or pass the request on under the in-flight cap."""
        refusal = self._guard(scope, origin, response)
        if refusal is not None:
            await refuse(*refusal)
        elif origin is not None and _is_preflight(scope):
            await _send_preflight(send, self.cors.preflight_headers())
        elif scope["path"] in _UNGUARDED:
            await self.app(scope, receive, send)
        elif not self.in_flight.try_enter():
            await refuse(
                problems.problem("overloaded", "too many requests in flight; retry shortly"),
                [(b"retry-after", b"1")],
            )
        else:
            try:
                compute = routes.ANSWERS.get(scope["path"]) if scope["method"] == "POST" else None
                if compute is None:
                    await self.app(scope, self._deadline(receive), send)
                else:
                    await self._answer(scope, self._deadline(receive), send, compute, refuse)
            finally:
                self.in_flight.leave()

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        compute: Callable[[bytes, str], bytes],
        refuse: Callable[..., Awaitable[None]],
    ) -> None:
        """The hot path: POST /evaluate and /payback without the framework's per-request
        machinery (the same compute functions and problems as the Litestar handlers)."""
        limit = self.settings.max_body_bytes
        content_type = (_header(scope, b"content-type") or b"").decode("latin-1")
        if not routes.is_json(content_type):
            await refuse(self._problem(routes.UnsupportedMediaType(content_type)))
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await refuse(self._too_large())
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client has gone: nobody to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await refuse(self._too_large())
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        language = routes.content_language(
            (_header(scope, b"accept-language") or b"").decode("latin-1")
        )
        try:
            body = compute(b"".join(chunks), language)
        except Exception as error:
            value = routes.problem_for(
                error, body_timeout_seconds=self.settings.body_timeout_seconds
            )
            if value is None:
                raise
            await refuse(value)
            return
        await send({
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"content-language", language.encode("ascii")),
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
        self, scope: Scope, origin: bytes | None, response: dict[str, Any]
    ) -> tuple[problems.Problem, list[tuple[bytes, bytes]]] | None:
        """The first refusal that applies, with its extra headers; None to go ahead."""
        if _KEY_IN_QUERY.search(scope.get("query_string", b"")):
            detail = "credentials never go in the URL; send the key in the X-API-Key header"
            return problems.problem("bad-request", detail), []
        if origin is not None and _is_preflight(scope):
            if not self.cors.allows(origin):
                detail = f"origin {origin[:200].decode('latin-1')!r} may not call this API"
                return problems.problem("origin-not-allowed", detail), []
            return None
        key = _header(scope, API_KEY_HEADER)
        client = "ip:" + (scope.get("client") or ("unknown", 0))[0]
        limiter = self.client_limit
        if key is not None:
            partner = self.partners.partner(key) if self.partners else None
            if partner is None:
                return problems.problem("invalid-api-key", "the X-API-Key is not valid"), [
                    (b"www-authenticate", b'ApiKey header="X-API-Key"')
                ]
            response["partner"] = partner
            client, limiter = "partner:" + partner, self.partner_limit
        if limiter is not None and scope["path"] not in _UNGUARDED:
            wait = limiter.acquire(client)
            if wait:
                detail = "rate limit reached; retry after the number of seconds in Retry-After"
                return problems.problem("rate-limited", detail), [
                    (b"retry-after", retry_after(wait).encode())
                ]
        return None

    def _deadline(self, receive: Receive) -> Receive:
        """``receive`` with a deadline for the whole body, counted from the first call."""
        timeout = self.settings.body_timeout_seconds
        deadline: list[float] = []

        async def receive_within() -> Message:
            if not deadline:
                deadline.append(time.monotonic() + timeout)
            remaining = deadline[0] - time.monotonic()
            try:
                async with asyncio.timeout(max(remaining, 0.001)):
                    return await receive()
            except TimeoutError:
                raise BodyTimeout from None

        return receive_within


def _is_preflight(scope: Scope) -> bool:
    return scope["method"] == "OPTIONS" and (
        _header(scope, b"access-control-request-method") is not None
    )


async def _send_preflight(send: Send, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": headers})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _send_problem(
    send: Send, value: problems.Problem, headers: list[tuple[bytes, bytes]]
) -> None:
    body = problems.encode(value)
    await send(
        {
            "type": "http.response.start",
            "status": value.status,
            "headers": [
                (b"content-type", problems.MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
