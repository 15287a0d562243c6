"""The outermost ASGI layer: request ids, the canonical log line, safe headers, last-resort 500.

It wraps the whole Litestar app, so it also sees answers Litestar gives outside its handlers
(unknown routes, wrong methods, oversized bodies).
"""

from __future__ import annotations

import re
import time
import uuid
from typing import TYPE_CHECKING, Any

import structlog

from service import problems

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
_SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff")]
_CACHE_DEFAULT = (b"cache-control", b"no-store")

log = structlog.get_logger("roi_service.access")


def request_id_from(scope: Scope) -> str:
    """The client's X-Request-ID when short and safe (≤ 128 of [A-Za-z0-9._-]), else a new one."""
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER and _SAFE_REQUEST_ID.match(value):
            return bytes(value).decode("ascii")
    return uuid.uuid4().hex


class ServiceMiddleware:
    """Binds a request id, adds headers to every answer, writes one log line per request."""

    def __init__(self, app: ASGIApp, litestar: Any = None) -> None:
        self.app = app
        self.litestar = litestar  # the wrapped Litestar app, for tests and the server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response: dict[str, Any] = {"status": None}
        extra = [(REQUEST_ID_HEADER, request_id.encode("ascii")), *_SECURITY_HEADERS]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                headers = list(message.get("headers", ()))
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append(_CACHE_DEFAULT)
                message["headers"] = [*headers, *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error", path=scope["path"])
            if response["status"] is None:  # nothing sent yet: answer with a problem
                body = problems.encode(
                    problems.problem(
                        "internal-error",
                        "The request failed; quote the request id when you report it.",
                        request_id=request_id,
                    )
                )
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [
                            (b"content-type", problems.MEDIA_TYPE.encode()),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body, "more_body": False})
        finally:
            log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=response["status"],
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
            )
            structlog.contextvars.clear_contextvars()
