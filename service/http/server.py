"""The server's edge: uvicorn's httptools protocol with the limits a public server needs.

uvicorn with httptools has no limit on the request head and no timeout for it, answers a
malformed request in plain text before the answers of the valid requests pipelined ahead of it,
and lets some HTTP/1.1 violations through. This subclass adds, per connection:

- **size**: all of the head at most 32 KiB (431, or 414 while still in the request line),
  counted as the bytes arrive, so an endless head is never buffered; the request line and each
  header line at most 8 KiB (414, 431);
- **time**: a connection must start a request within ``HEAD_TIMEOUT_SECONDS`` of opening or of
  its last answer, and the head must arrive in full within as long of its first byte whatever
  it trickles, else 408 (an idle connection after an answer just closes); one timer sweeps
  every connection; a client that reads none of its answers for ``SEND_TIMEOUT_SECONDS`` is
  dropped;
- **room**: at most ``MAX_CONNECTIONS`` connections (kept under the file limit): past it the
  oldest connection waiting for a head is closed to make room, and the log says so; at most
  ``MAX_PIPELINED`` requests queued on one connection: then the parser stops before the next
  head's end and the connection stops reading until an answer makes room (what the client
  sends meanwhile waits in the socket), so every pipelined request is answered, in memory that
  does not grow with the pipeline's length;
- **rules** (RFC 9112): exactly one Host in HTTP/1.1 (400), only the ``chunked`` transfer
  coding (501), only HTTP/1.0 and 1.1 (505); no upgrades: an Upgrade request is answered as a
  plain one and ends its connection (400 if it has a body, which the parser would skip);
  ``Expect: 100-continue`` ends the connection after its answer;
- **order**: a refusal is sent after the answers to the requests pipelined before it;
- **one voice**: every refusal is a problem+json with a request id, logged in the request
  line's format with the client's address and counted in /metrics; the arrival time of each
  request goes to the app in ``scope["state"]["arrived"]`` (for load shedding; a pipelined
  request arrives when its turn comes).
"""

from __future__ import annotations

import asyncio
import functools
import time
import weakref
from typing import TYPE_CHECKING, Any, cast

import httptools
import structlog
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from service.http import problems
from service.http.application import request_id_from
from service.http.heads import Heads, outside_requests
from service.ops import metrics
from service.ops.logs import ACCESS
from service.settings import Settings

if TYPE_CHECKING:
    from uvicorn.config import Config
    from uvicorn.server import ServerState

MAX_LINE_BYTES = 8 * 1024
MAX_HEAD_BYTES = 32 * 1024
# Bytes are fed to the parser in steps of this size, and counted against MAX_HEAD_BYTES after
# each step while a head is incomplete: the count is exact but for the one step in which a head
# begins (at most this many bytes of the message before it).
FEED_STEP_BYTES = 4 * 1024
# After a refusal the server stops writing but reads (and drops) what the client still sends
# for this long before it closes: closing with unread bytes would reset the connection, and the
# client could lose the refusal before it reads it (nginx's lingering close).
LINGER_SECONDS = 2.0
# Requests queued behind the one being answered on a connection (HTTP/1.1 pipelining): each
# holds its head in memory until its turn, so past it the connection stops reading (uvicorn
# pauses reading too, but only after the whole read is parsed: 256 KiB of small requests queued
# ~7,000 heads).
MAX_PIPELINED = 32
# The end of every request head: the parser refuses a head ended by bare line feeds (a test
# holds it), so a step of bytes holding n of these completes at most n heads.
HEAD_END = b"\r\n\r\n"
_HEADERS = (
    b"content-type: application/problem+json\r\n"
    b"x-content-type-options: nosniff\r\n"
    b"referrer-policy: no-referrer\r\n"
    b"cache-control: no-store\r\n"
    b"connection: close\r\n"
)

log = structlog.get_logger("roi_service.edge")


class _Refused(Exception):
    """Raised in a parser callback to stop the parser at a refused request."""


_HEADS: weakref.WeakKeyDictionary[Any, Heads] = weakref.WeakKeyDictionary()


def edge_protocol(settings: Settings) -> type[asyncio.Protocol]:
    """The protocol for ``uvicorn.Config(http=...)``: EdgeProtocol with these settings.

    uvicorn makes each connection's protocol by calling ``http`` with keywords only
    (``uvicorn/server.py``, ``create_protocol``), so a partial serves as well as a class; and
    unlike a class made here, it pickles (by name, with the settings) into the worker processes
    that uvicorn spawns for WORKERS > 1.
    """
    # a callable that makes protocols, which is all uvicorn asks of the class it is typed as
    return cast("type[asyncio.Protocol]", functools.partial(EdgeProtocol, settings=settings))


class EdgeProtocol(HttpToolsProtocol):
    """See the module's docstring; made through ``edge_protocol(settings)``."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        settings: Settings,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        heads = _HEADS.get(self.server_state)
        if heads is None:
            heads = _HEADS[self.server_state] = Heads(settings, self.loop)
        self.heads = heads
        self.url = b""  # uvicorn sets it per message; a refusal may come before the first
        self.in_head = False
        self.head_bytes = 0
        self.received_at = 0.0
        self.refusal: bytes | None = None  # the refusal, sent once those before it are answered
        self.refused = False  # sent
        self.linger = True  # after a refusal, read and drop what the client still sends
        self.answered = False  # a request of this connection has been answered
        self.upgraded = False  # an Upgrade request was parsed: nothing after it is read
        # What was read and not yet parsed is ``received[parsed:]``, held while the queue is full;
        # the few bytes before it are kept because a head's end may span two reads.
        self.received = b""
        self.parsed = 0
        self.send_timeout = settings.send_timeout_seconds
        self.write_timer: asyncio.TimerHandle | None = None

    def client_address(self) -> str:
        return self.client[0] if self.client else "unknown"

    # ---- the connection ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if not self.heads.make_room(len(self.connections)):
            self.linger = False  # no descriptor to spare: answer and close at once
            self.refuse("overloaded", "the server has no room for another connection")
            return
        self.heads.wait(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.heads.done(self)
        self.received = b""
        if self.write_timer is not None:
            self.write_timer.cancel()
        super().connection_lost(exc)

    def head_timed_out(self, seconds: float) -> None:
        """No head within the deadline: 408 to a connection that owes one (a head begun, or
        none yet on a new connection); an idle connection after an answer just closes."""
        if self.answered and not self.in_head:
            self.transport.close()
        else:
            self.refuse("head-timeout", f"the request head did not arrive within {seconds:g} s")

    def pause_writing(self) -> None:
        """The client reads slower than we answer: it has ``SEND_TIMEOUT_SECONDS`` to catch up,
        or the connection is dropped (a request blocked on it holds an in-flight slot)."""
        super().pause_writing()
        if self.write_timer is None:
            self.write_timer = self.loop.call_later(
                self.send_timeout, self._write_stalled, context=outside_requests()
            )

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.write_timer is not None:
            self.write_timer.cancel()
            self.write_timer = None

    def _write_stalled(self) -> None:
        self.write_timer = None
        log.warning(
            "connection dropped",
            client=self.client_address(),
            reason=f"the client read none of its answers for {self.send_timeout:g} s",
        )
        self.transport.abort()

    def data_received(self, data: bytes) -> None:
        if self.refusal is not None or self.upgraded:
            return  # answered with a refusal, or after an Upgrade: the rest is not read
        self._unset_keepalive_if_required()
        self.received_at = time.perf_counter()
        # after what is held, if reading resumed meanwhile (an answer, or a handler's receive)
        kept = max(self.parsed - len(HEAD_END) + 1, 0)
        self.received, self.parsed = self.received[kept:] + data, self.parsed - kept
        self._parse()

    def _parse(self) -> None:
        """Feed the parser the bytes read, in steps, until the queue is full: the rest is held
        and reading pauses; on_response_complete feeds it when an answer makes room."""
        data, start = self.received, self.parsed
        view = memoryview(data)  # steps without copies
        self.received = b""  # (the rest is dropped after a refusal or an upgrade)
        while start < len(data):
            end = self._step_end(data, start)
            if end == start:
                self.flow.pause_reading()
                break
            step = view[start:end]
            start = end
            try:
                self.parser.feed_data(step)
            except httptools.HttpParserUpgrade:
                # No upgrades here: the request is answered as a plain one, and the connection
                # closes after it (what follows is in an unknown protocol).
                self.upgraded = True
                if self.cycle is not None:
                    self.cycle.keep_alive = False
                return
            except httptools.HttpParserError:  # also a refusal raised in on_headers_complete
                self.refuse("bad-request", "the HTTP request could not be parsed")
                return
            if self.in_head:
                self.head_bytes += len(step)
                if self.head_bytes > MAX_HEAD_BYTES:
                    self._head_too_large()
                    return
        if start < len(data):
            self.received, self.parsed = data, start
        else:
            self.received = data[-len(HEAD_END) + 1 :]
            self.parsed = len(self.received)
        if self.in_head and self.flow.read_paused:
            # The rest of this head is held here or in the socket, by the server's choice (the
            # queue is full, or uvicorn pauses reading while a request is queued): not the
            # client's delay. The deadline starts again when reading does (on_response_complete).
            self.heads.done(self)

    def _step_end(self, data: bytes, start: int) -> int:
        """Where the parser's next step in ``data`` ends: after at most FEED_STEP_BYTES, and
        before the last byte of the first head the queue has no room for (``start`` if that
        is the next byte)."""
        room = MAX_PIPELINED - len(self.pipeline)
        if self.cycle is None or self.cycle.response_complete:
            room += 1  # the next request is answered at once, not queued
        end = min(len(data), start + FEED_STEP_BYTES)
        at = max(start - len(HEAD_END) + 1, 0)  # a head's end may span two steps
        for _ in range(max(room, 0) + 1):
            found = data.find(HEAD_END, at, end)
            if found < 0:
                return end
            at = found + len(HEAD_END)
        return at - 1

    def _head_too_large(self) -> None:
        if not self.headers:  # still in the request line
            self.refuse("uri-too-long", f"the request line is over {MAX_LINE_BYTES} bytes")
        else:
            self.refuse("headers-too-large", f"the headers are over {MAX_HEAD_BYTES} bytes")

    # ---- the parser's callbacks ----------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_head = True
        self.head_bytes = 0
        self.heads.wait(self)  # the head's deadline counts from its first byte

    def on_headers_complete(self) -> None:
        self.in_head = False
        self.heads.done(self)
        broken = self._broken_rule()
        if broken is not None:
            self.refuse(*broken)
            # stops the parser here: this request's body must not reach the request before it
            raise _Refused
        self.scope["state"]["arrived"] = self.received_at
        super().on_headers_complete()
        if self.expect_100_continue:
            # The answer may come before the body, which the client then never sends: the
            # next bytes could be a body or a request, so the connection ends with the answer.
            self.cycle.keep_alive = False

    def _broken_rule(self) -> tuple[str, str] | None:  # noqa: PLR0911  one return per rule
        """The first limit or rule of RFC 9112 the head breaks, as (problem, detail)."""
        if len(self.url) > MAX_LINE_BYTES:
            return "uri-too-long", f"the request line is over {MAX_LINE_BYTES} bytes"
        version = self.parser.get_http_version()
        if version not in ("1.1", "1.0"):
            return "http-version-not-supported", f"HTTP/{version} is not spoken here"
        hosts, codings, longest, upgrade, length = 0, b"", 0, False, b"0"
        for name, value in self.headers:
            longest = max(longest, len(name) + len(value))
            if name == b"host":
                hosts += 1
            elif name == b"transfer-encoding":
                codings += b"," + value if codings else value
            elif name == b"upgrade":
                upgrade = True
            elif name == b"content-length":
                length = value
        if longest > MAX_LINE_BYTES:
            return "headers-too-large", f"a header line is over {MAX_LINE_BYTES} bytes"
        if hosts > 1 or (hosts == 0 and version == "1.1"):
            return "bad-request", f"an HTTP/1.1 request has exactly one Host header, not {hosts}"
        if codings and [c.strip().lower() for c in codings.split(b",")] != [b"chunked"]:
            shown = codings[:100].decode("latin-1")
            return "not-implemented", f"Transfer-Encoding {shown!r}: only 'chunked' is supported"
        if upgrade and (codings or length.strip() != b"0"):
            # the parser would skip the body and read it as the next request
            return "bad-request", "an Upgrade request may not have a body (no upgrades here)"
        return None

    def _unsupported_upgrade_warning(self) -> None:
        """An Upgrade request is answered as a plain request, and logged as one by the app."""

    # ---- refusals ------------------------------------------------------------------------------

    def send_400_response(self, msg: str) -> None:
        self.refuse("bad-request", "the HTTP request could not be parsed")

    def refuse(self, slug: str, detail: str) -> None:
        """Answer ``slug`` and close, once the requests pipelined before this one are answered."""
        if self.refusal is not None:
            return
        started = self.received_at or time.perf_counter()
        request_id = request_id_from(dict(self.headers or ()))
        value = problems.problem(slug, detail, request_id=request_id)
        body = problems.encode(value)
        self.refusal = b"".join([
            STATUS_LINE[value.status],
            _HEADERS,
            b"content-length: %d\r\n" % len(body),
            b"x-request-id: %s\r\n\r\n" % request_id.encode(),
            body,
        ])  # fmt: skip
        self.flow.pause_reading()
        method = (self.scope or {}).get("method") or "-"
        path = (self.scope or {}).get("path") or self.url.decode("latin-1") or "-"
        seconds = time.perf_counter() - started
        metrics.observe("other", method, value.status, seconds)
        ACCESS.request(
            request_id, method, path, value.status,
            duration_ms=round(seconds * 1000, 3), client=self.client_address(), partner=None,
        )  # fmt: skip
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            if not self.pipeline:
                self._send_refusal()
        elif cycle.more_body and not cycle.response_started and not self.pipeline:
            # The error is in the body of the request being served: this is its answer. The
            # handler waiting for the body hears that the client has gone.
            cycle.disconnected = True
            cycle.message_event.set()
            self._send_refusal()

    def _send_refusal(self) -> None:
        if self.refusal is None or self.refused:
            return
        self.refused = True
        self.heads.done(self)
        self._unset_keepalive_if_required()
        if self.transport.is_closing():
            return
        self.transport.write(self.refusal)
        if self.linger and self.transport.can_write_eof():
            self.transport.write_eof()
            self.flow.resume_reading()  # read and drop the rest, then close
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()

    def on_response_complete(self) -> None:
        self.answered = True
        if self.pipeline:
            # Its turn: the time it waited behind this connection's earlier requests is the
            # client's order, not a busy server (load shedding reads "arrived").
            cycle, _ = self.pipeline[-1]
            cycle.scope["state"]["arrived"] = time.perf_counter()
        super().on_response_complete()  # starts the next pipelined request, resumes reading
        if self.transport.is_closing():
            return
        if self.in_head and self not in self.heads.waiting:
            self.heads.wait(self)  # a head's deadline is lifted while the server does not read
        if self.parsed < len(self.received):
            # Room in the queue: the requests held back are parsed, as if read from the socket
            # now (reading resumes once all of them are).
            self.received_at = time.perf_counter()
            self._unset_keepalive_if_required()
            self._parse()
        if self.pipeline or not self.cycle.response_complete:
            return
        if self.refusal is not None:
            self._send_refusal()
        elif not self.in_head:  # (a head already begun keeps the deadline of its first byte)
            self.heads.wait(self)  # idle until the next head: timed, and the first to drop
