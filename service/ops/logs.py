"""structlog, configured once at start-up: JSON lines off a terminal, console output on one."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import sys
import time
from typing import Any

import msgspec
import structlog

from service.settings import Settings


class Timestamp:
    """``structlog.processors.TimeStamper(fmt="iso", utc=True)``, the same text
    (``2026-11-27T22:38:43.722576Z``) at a quarter of the cost: the part up to the second is
    formatted once a second. It runs for every request's log line."""

    __slots__ = ("prefix", "second")

    def __init__(self) -> None:
        self.second = -1
        self.prefix = ""

    def __call__(self, logger: Any, name: str, event: dict[str, Any]) -> dict[str, Any]:
        event["timestamp"] = self.now()
        return event

    def now(self) -> str:
        now = time.time()
        second = int(now)
        if second != self.second:
            self.second = second
            self.prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self.prefix}.{int((now - second) * 1e6):06d}Z"


# Container runtimes split lines longer than 16 KiB, and a shipper then sees broken JSON: every
# field a client can fill is cut to a bound, so every line stays one JSON object well within it.
MAX_PATH_CHARS = 256
MAX_FIELD_CHARS = 2048  # any other string of any line (a traceback keeps its last lines)
MAX_EXCEPTION_CHARS = 8192


def bounded(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying so when it was."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _RequestLine(msgspec.Struct, omit_defaults=True, gc=False):
    """The keys of a request line (a Struct encodes faster than a dict); ``partner`` appears
    only for requests with a partner key."""

    request_id: str
    method: str
    path: str
    status: int | None
    duration_ms: float
    client: str
    event: str
    level: str
    timestamp: str
    partner: str | None = None


def bound_fields(logger: Any, name: str, event: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor: no string field of a line beyond its bound."""
    for key, value in event.items():
        if isinstance(value, str):
            limit = MAX_EXCEPTION_CHARS if key == "exception" else MAX_FIELD_CHARS
            if len(value) > limit:
                # a traceback's end says where it failed: keep that part
                event[key] = "…" + value[-limit:] if key == "exception" else bounded(value, limit)
    return event


class AccessLog:
    """The one line per request (event ``request``): the service's most frequent log call.

    In JSON mode it renders the same line structlog would (the same keys, level and timestamp)
    and writes it to stdout directly: structlog's processor chain costs four times the
    rendering itself (docs/performance.md). The first line of a turn of the event loop is
    written at once, the others of the same turn together at its end: under load that is two
    system calls per turn instead of one per request (the container sets PYTHONUNBUFFERED, so
    every write is one). On a terminal the line goes through structlog's console renderer like
    every other line.
    """

    def __init__(self) -> None:
        self.enabled = True
        self.as_json = True
        self.encoder = msgspec.json.Encoder()
        self.timestamp = Timestamp()
        self.pending: list[str] | None = None  # lines after the first of this loop turn
        atexit.register(self.flush)

    def configure(self, *, level: int, as_json: bool) -> None:
        self.enabled = level <= logging.INFO
        self.as_json = as_json

    def request(
        self,
        request_id: str,
        method: str,
        path: str,
        status: int | None,
        *,
        duration_ms: float,
        client: str,
        partner: str | None,
    ) -> None:
        """The request's line: the method and request id are bounded by the server and the
        application, the path here; the client is an address."""
        if not self.enabled:
            return
        if len(path) > MAX_PATH_CHARS:
            path = bounded(path, MAX_PATH_CHARS)
        if not self.as_json:
            structlog.get_logger("roi_service.access").info(
                "request",
                request_id=request_id,
                method=method,
                path=path,
                status=status,
                duration_ms=duration_ms,
                client=client,
                **({} if partner is None else {"partner": partner}),
            )
            return
        line = _RequestLine(
            request_id, method, path, status, duration_ms, client, "request", "info",
            self.timestamp.now(), partner,
        )  # fmt: skip
        text = self.encoder.encode(line).decode() + "\n"
        if self.pending is not None:  # not the turn's first line: goes out with the others
            self.pending.append(text)
            return
        stream = sys.stdout  # looked up each time, as structlog's PrintLogger does
        stream.write(text)
        stream.flush()
        with contextlib.suppress(RuntimeError):  # no event loop running: no batching
            asyncio.get_running_loop().call_soon(self.flush)
            self.pending = []

    def flush(self) -> None:
        """End of the event loop's turn: write the lines that came after its first one."""
        lines, self.pending = self.pending, None
        if lines:
            stream = sys.stdout
            stream.write("".join(lines))
            stream.flush()


ACCESS = AccessLog()


def configure_logging(settings: Settings) -> None:
    """Route structlog (and the stdlib loggers of the server) to stdout in one format.

    Request ids arrive through contextvars (``structlog.contextvars.bind_contextvars``), so
    every line of a request carries its ``request_id``.
    """
    level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)
    as_json = settings.log_format == "json" or (
        settings.log_format == "auto" and not sys.stdout.isatty()
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        Timestamp(),
    ]
    renderer: Any
    if as_json:
        shared.append(structlog.processors.format_exc_info)
        shared.append(bound_fields)
        # msgspec renders the line several times faster than json.dumps (one line per request).
        encoder = msgspec.json.Encoder(enc_hook=str)
        renderer = structlog.processors.JSONRenderer(
            serializer=lambda event, **_: encoder.encode(event).decode()
        )
    else:
        renderer = structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    # The server's own loggers (start-up, errors) go through the same renderer.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=[*shared[:-1], structlog.stdlib.add_logger_name, shared[-1]],
        )
    )
    ACCESS.configure(level=level, as_json=as_json)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # One access line per request comes from our middleware; the server's would be a second.
    logging.getLogger("uvicorn.access").disabled = True
