"""The edge protocol's timers, driven directly with a fake transport (no sockets)."""

from __future__ import annotations

import asyncio
import pickle
from typing import Any

import pytest
import structlog
import uvicorn
from uvicorn.server import ServerState

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

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("192.0.2.1", 4000), "sockname": ("127.0.0.1", 8000)}.get(name)

    def write(self, data: Any) -> None:
        pass

    def is_closing(self) -> bool:
        return self.aborted or self.closed

    def abort(self) -> None:
        self.aborted = True

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


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
