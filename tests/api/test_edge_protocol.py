"""The edge protocol's timers and its pipeline queue, driven directly with a fake transport (no
sockets)."""

from __future__ import annotations

import asyncio
import json
import pickle
import re
from dataclasses import dataclass
from typing import Any

import pytest
import structlog
import uvicorn
from uvicorn.server import ServerState

from service.examples import SEED_EVALUATE
from service.http import server
from service.http.app import create_app
from service.http.server import EdgeProtocol, edge_protocol
from service.settings import Settings

pytestmark = pytest.mark.serial  # timers of 0.05-0.2 s on the clock


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.aborted = False
        self.closed = False
        self.reading = True
        self.written = bytearray()
        self.answers = 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("192.0.2.1", 4000), "sockname": ("127.0.0.1", 8000)}.get(name)

    def write(self, data: Any) -> None:
        self.written += data
        self.answers += bytes(data).count(b"HTTP/1.1 ")  # a status line begins each write

    def is_closing(self) -> bool:
        return self.aborted or self.closed

    def abort(self) -> None:
        self.aborted = True

    def close(self) -> None:
        self.closed = True

    def can_write_eof(self) -> bool:
        return False

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True


def made_by_uvicorn(config: uvicorn.Config, loop: asyncio.AbstractEventLoop) -> EdgeProtocol:
    """A connection's protocol, made as uvicorn's server makes it (uvicorn/server.py)."""
    if not config.loaded:
        config.load()
    protocol = config.http_protocol_class(  # type: ignore[call-arg]
        config=config, server_state=ServerState(), app_state={}, _loop=loop
    )
    assert isinstance(protocol, EdgeProtocol)
    return protocol


def protocol_on(loop: asyncio.AbstractEventLoop, **settings: Any) -> tuple[EdgeProtocol, Transport]:
    chosen = Settings(log_format="json", log_level="warning", **settings)
    config = uvicorn.Config(create_app(chosen), log_config=None, http=edge_protocol(chosen))
    protocol = made_by_uvicorn(config, loop)
    transport = Transport()
    protocol.connection_made(transport)
    return protocol, transport


async def plain_app(scope: Any, receive: Any, send: Any) -> None:
    """Not the service's Application: no settings to be found on it."""


CHOSEN = Settings(head_timeout_seconds=0.5, send_timeout_seconds=0.25, max_connections=20)


def limits(protocol: EdgeProtocol) -> tuple[float, float, int]:
    return protocol.heads.timeout, protocol.send_timeout, protocol.heads.max_connections


def test_the_protocol_has_the_settings_it_is_given_whatever_app_it_serves() -> None:
    """It once looked for them along the app's ``.app`` chain, and took the environment's
    without a word when it found none."""

    async def main() -> EdgeProtocol:
        config = uvicorn.Config(plain_app, log_config=None, http=edge_protocol(CHOSEN))
        return made_by_uvicorn(config, asyncio.get_running_loop())

    assert limits(asyncio.run(main())) == (0.5, 0.25, 20)


def test_each_worker_process_gets_the_protocol_with_its_settings() -> None:
    """With WORKERS > 1 uvicorn pickles its Config into every worker process it spawns."""
    config = uvicorn.Config(
        "service.http.app:create_app", factory=True, workers=2, http=edge_protocol(CHOSEN)
    )
    # what uvicorn's spawned worker unpickles; its app is create_app()'s, from the environment
    in_worker = pickle.loads(pickle.dumps(config))  # noqa: S301  our own bytes

    async def main() -> EdgeProtocol:
        return made_by_uvicorn(in_worker, asyncio.get_running_loop())

    assert limits(asyncio.run(main())) == (0.5, 0.25, 20)


def test_no_protocol_without_settings() -> None:
    async def main() -> None:
        config = uvicorn.Config(plain_app, log_config=None, http=EdgeProtocol)
        made_by_uvicorn(config, asyncio.get_running_loop())

    with pytest.raises(TypeError, match="settings"):
        asyncio.run(main())


def test_a_client_that_reads_none_of_its_answers_is_dropped_after_the_send_timeout() -> None:
    """A request blocked on a client that never reads held its in-flight slot for ever."""

    async def main() -> tuple[bool, bool]:
        loop = asyncio.get_running_loop()
        stalled, stalled_transport = protocol_on(loop, send_timeout_seconds=0.1)
        stalled.pause_writing()  # the transport's buffer is full
        reading, reading_transport = protocol_on(loop, send_timeout_seconds=0.1)
        reading.pause_writing()
        await asyncio.sleep(0.05)
        reading.resume_writing()  # the client caught up in time
        await asyncio.sleep(0.2)
        return stalled_transport.aborted, reading_transport.aborted

    assert asyncio.run(main()) == (True, False)


def test_the_edges_own_lines_carry_no_id_of_the_request_that_set_their_timer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A request's answer fills the send buffer (pause_writing runs in the request's context,
    where its id is bound); the line that drops the connection later is the connection's."""

    async def main() -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        protocol, _ = protocol_on(loop, send_timeout_seconds=0.1)
        # a logger cached by an earlier test would bypass capture_logs
        structlog.configure(cache_logger_on_first_use=False)
        monkeypatch.setattr(server, "log", structlog.get_logger("roi_service.edge"))

        async def answer() -> None:
            structlog.contextvars.bind_contextvars(request_id="req-1")
            protocol.pause_writing()

        with structlog.testing.capture_logs([structlog.contextvars.merge_contextvars]) as logs:
            await asyncio.create_task(answer())
            await asyncio.sleep(0.2)
        return logs

    (line,) = [line for line in asyncio.run(main()) if line["event"] == "connection dropped"]
    assert "request_id" not in line


# ---- the pipeline queue ------------------------------------------------------------------------

SEED = json.dumps(SEED_EVALUATE).encode()


def pipelined(count: int) -> bytes:
    """``count`` requests numbered by their request id, every fiftieth a POST with a body."""
    requests = []
    for number in range(count):
        if number % 50 == 25:
            requests.append(
                b"POST /evaluate HTTP/1.1\r\nhost: x\r\nx-request-id: %d\r\ncontent-type: "
                b"application/json\r\ncontent-length: %d\r\n\r\n%s" % (number, len(SEED), SEED)
            )
        else:
            requests.append(
                b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-request-id: %d\r\n\r\n" % number
            )
    return b"".join(requests)


def answered_ids(transport: Transport) -> list[int]:
    return [int(n) for n in re.findall(rb"\r\nx-request-id: (\d+)\r\n", transport.written)]


@dataclass
class Pipelining:
    longest_queue: int  # the most requests the protocol held queued at once
    reading_while_full: bool  # whether the transport read on while the queue was full
    answered: list[int]  # the request ids answered, in order
    statuses: list[int]


def pipeline_through(
    count: int, read_bytes: int, unread_seconds: float = 0.0, **settings: Any
) -> Pipelining:
    """A client sends ``count`` pipelined requests, read by the protocol ``read_bytes`` at a
    time while the transport reads (a paused socket delivers nothing); for ``unread_seconds``
    at first it reads none of the answers (its socket's buffer is full)."""

    async def main() -> Pipelining:
        loop = asyncio.get_running_loop()
        protocol, transport = protocol_on(loop, **settings)
        data, sent, longest, reading_while_full = pipelined(count), 0, 0, False
        if unread_seconds:
            protocol.pause_writing()
            loop.call_later(unread_seconds, protocol.resume_writing)
        deadline = loop.time() + 60
        while transport.answers < count and loop.time() < deadline:
            if transport.reading and sent < len(data):
                protocol.data_received(data[sent : sent + read_bytes])
                sent += read_bytes
            longest = max(longest, len(protocol.pipeline))
            if len(protocol.pipeline) == server.MAX_PIPELINED and transport.reading:
                reading_while_full = True
            await asyncio.sleep(0)
        return Pipelining(
            longest,
            reading_while_full,
            answered_ids(transport),
            [int(n) for n in re.findall(rb"HTTP/1\.1 (\d{3}) ", transport.written)],
        )

    return asyncio.run(main())


@pytest.mark.parametrize(
    ("read_bytes", "longest_queue"),
    [(256 * 1024, 32), (4096, 32), (7, 1)],
    ids=["one-read", "4-KiB", "7-B"],
)  # (with small reads, uvicorn's own pause while a request is queued keeps one queued)
def test_a_client_that_reads_its_answers_late_gets_every_one_with_at_most_32_queued(
    read_bytes: int, longest_queue: int
) -> None:
    """Past 32 queued requests the 33rd was refused and the rest lost; pausing reads after a
    read (uvicorn's own way) would have queued every request of the read. While the client
    reads nothing, no request is answered: the server holds 32 queued heads and what it read
    past them, reading paused, and the rest stays in the socket. The heads held back (here or
    in the socket) are not timed out as slow, nor shed for the second they waited
    (MAX_WAIT_SECONDS is 0.5) behind the answers the client did not read; all are answered, in
    order, once it reads."""
    done = pipeline_through(
        1000, read_bytes, unread_seconds=1.0, head_timeout_seconds=0.1, send_timeout_seconds=5
    )
    assert done.longest_queue == longest_queue <= server.MAX_PIPELINED
    assert not done.reading_while_full
    assert done.answered == list(range(1000))
    assert done.statuses == [200] * 1000


def test_a_head_ends_only_with_crlf_crlf() -> None:
    """The queue's bound counts heads by CRLF CRLF (server.HEAD_END): a head that ends with
    bare line feeds is refused, so it cannot slip past the count."""

    async def main() -> bytes | None:
        protocol, _ = protocol_on(asyncio.get_running_loop())
        protocol.data_received(b"GET /healthz HTTP/1.1\nhost: x\n\nGET /healthz HTTP/1.1\n\n")
        return protocol.refusal

    refusal = asyncio.run(main())
    assert refusal is not None
    assert refusal.startswith(b"HTTP/1.1 400 ")
