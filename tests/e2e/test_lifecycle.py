"""The production server under stress: shutdown with uploads in flight, shedding, slow bodies,
metrics across workers."""

from __future__ import annotations

import json
import re
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from service.examples import SEED_EVALUATE
from tests.conftest import Server, running_server

pytestmark = pytest.mark.e2e
SEED = json.dumps(SEED_EVALUATE).encode()


def start_upload(server: Server, body: bytes = SEED, sent: int | None = None) -> socket.socket:
    """A POST /evaluate whose body has only partly arrived."""
    port = int(server.url.rsplit(":", 1)[1])
    connection = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        f"POST /evaluate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    connection.sendall(head + body[: len(body) // 2 if sent is None else sent])
    return connection


def finish_upload(connection: socket.socket, body: bytes = SEED) -> tuple[int, bytes]:
    connection.sendall(body[len(body) // 2 :])
    return read_answer(connection)


def read_answer(connection: socket.socket) -> tuple[int, bytes]:
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    connection.close()
    head, _, payload = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), payload


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("drain_seconds", ["0", "1"])  # the built-in default, and a drain
def test_sigterm_finishes_twenty_uploads_in_flight_and_exits_0(
    tmp_path: Path, drain_seconds: str
) -> None:
    with running_server(tmp_path, DRAIN_SECONDS=drain_seconds) as server:
        uploads = [start_upload(server) for _ in range(20)]
        time.sleep(0.3)  # every request has started: headers and half a body are in
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        if drain_seconds != "0":
            assert status_of(server.url + "/readyz") == 503  # draining, still answering
        answers = [finish_upload(connection) for connection in uploads]
        assert [status for status, _ in answers] == [200] * 20
        assert all(json.loads(body)["monthly_gain"] == 19082 for _, body in answers)
        assert server.process.wait(timeout=25) == 0


def test_overload_is_shed_at_once_with_retry_after(tmp_path: Path) -> None:
    with running_server(tmp_path, MAX_IN_FLIGHT="2") as server:
        held = [start_upload(server) for _ in range(2)]
        time.sleep(0.3)
        started = time.perf_counter()
        request = urllib.request.Request(
            server.url + "/evaluate", data=SEED, headers={"content-type": "application/json"}
        )
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=5)
        assert raised.value.code == 503
        assert raised.value.headers["retry-after"] == "1"
        assert json.loads(raised.value.read())["type"] == "/problems/overloaded"
        assert time.perf_counter() - started < 1
        assert status_of(server.url + "/healthz") == 200  # probes are not shed
        assert [finish_upload(connection)[0] for connection in held] == [200, 200]


def test_a_body_that_never_finishes_gets_408(tmp_path: Path) -> None:
    with running_server(tmp_path, BODY_TIMEOUT_SECONDS="0.5") as server:
        connection = start_upload(server, sent=10)
        status, payload = read_answer(connection)
        assert status == 408
        assert json.loads(payload)["type"] == "/problems/body-timeout"


def test_metrics_add_up_across_two_workers(tmp_path: Path) -> None:
    with running_server(tmp_path, WORKERS="2") as server:
        for _ in range(30):
            assert status_of(server.url + "/healthz") == 200
        with urllib.request.urlopen(server.url + "/metrics", timeout=5) as answer:
            text = answer.read().decode()
            assert answer.headers["content-type"].startswith("text/plain")
        pattern = r'roi_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)'
        counts = [float(value) for value in re.findall(pattern, text)]
        assert sum(counts) == 30
        assert "roi_request_duration_seconds_bucket" in text
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=25) == 0


@pytest.mark.parametrize(
    "raw",
    [b"GARBAGE\r\n\r\n", b"GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
     b"POST /evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
     b"GET /\x00 HTTP/1.1\r\n\r\n"],
)  # fmt: skip
def test_requests_the_server_cannot_parse_get_a_problem_too(
    live_server: Server, raw: bytes
) -> None:
    port = int(live_server.url.rsplit(":", 1)[1])
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    connection.sendall(raw)
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    connection.close()
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"content-type: application/problem+json" in head.lower()
    # The headers every answer of the service carries (README, "Security")
    for line in (b"x-content-type-options: nosniff", b"referrer-policy: no-referrer",
                 b"cache-control: no-store", b"x-request-id: "):  # fmt: skip
        assert line in head.lower()
    assert json.loads(body)["status"] == 400
