"""``WORKERS=2``: uvicorn spawns the worker processes, and the edge in each has the settings."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from tests.conftest import running_server

pytestmark = pytest.mark.e2e


def test_the_edge_of_every_worker_has_the_settings(tmp_path: Path) -> None:
    """The protocol's settings travel pickled in uvicorn's Config to each spawned worker: a
    silent connection gets its 408 after HEAD_TIMEOUT_SECONDS, not the built-in 5 s. (Several
    connections, so that the workers share them.)"""
    with running_server(tmp_path, WORKERS="2", HEAD_TIMEOUT_SECONDS="1") as server:
        host, port = server.url.removeprefix("http://").split(":")
        connections = [socket.create_connection((host, int(port)), timeout=10) for _ in range(6)]
        started = time.monotonic()
        try:
            answers = [connection.recv(64) for connection in connections]
            waited = time.monotonic() - started
        finally:
            for connection in connections:
                connection.close()
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers)
    assert waited < 3
