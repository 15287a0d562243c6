"""Batches on the server as shipped: an NDJSON book read late keeps the worker's memory flat, a
client that leaves stops the pricing, and probes are answered while a heavy batch runs."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from service.examples import PARTNER_QUOTE
from tests.conftest import Server, running_server
from tests.tools.heavy import heaviest_lines

pytestmark = pytest.mark.e2e

QUOTE = {key: value for key, value in PARTNER_QUOTE.items() if key != "solve"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("batches")) as running:
        yield running


def status_kib(server: Server, field: str) -> int:
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1])
    raise KeyError(field)


def cpu_seconds(server: Server) -> float:
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


def book(request: dict[str, object], count: int) -> Iterator[bytes]:
    for i in range(count):
        yield json.dumps({"id": f"q{i}", "request": request}).encode() + b"\n"


def connect(server: Server, path: str) -> http.client.HTTPConnection:
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    connection.putrequest("POST", path)
    connection.putheader("Content-Type", "application/x-ndjson")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    return connection


def send_chunked(connection: http.client.HTTPConnection, lines: Iterator[bytes]) -> None:
    try:
        for line in lines:
            connection.send(b"%x\r\n%s\r\n" % (len(line), line))
        connection.send(b"0\r\n\r\n")
    except OSError:  # the test's client left (shut its socket down) mid-book
        return


def test_a_book_read_late_is_answered_whole_with_flat_memory(server: Server) -> None:
    count = 2000
    connection = connect(server, "/payback/batch?view=summary")
    before = status_kib(server, "VmRSS")
    sender = threading.Thread(target=send_chunked, args=(connection, book(QUOTE, count)))
    sender.start()
    time.sleep(3)  # the client starts reading 3 s late: the server stops reading meanwhile
    response = connection.getresponse()
    lines = response.read().splitlines()
    sender.join()
    connection.close()
    assert response.status == 200
    assert len(lines) == count + 1
    assert [json.loads(line)["id"] for line in lines[:3]] == ["q0", "q1", "q2"]
    assert json.loads(lines[-1]) == {"done": True, "items": count, "counts": {"200": count}}
    grown_mib = (status_kib(server, "VmHWM") - before) / 1024
    assert grown_mib < 20, grown_mib


def test_a_client_that_leaves_stops_the_pricing(server: Server) -> None:
    heavy = heaviest_lines()
    heavy.pop("solve")
    connection = connect(server, "/payback/batch?view=summary")
    sender = threading.Thread(target=send_chunked, args=(connection, book(heavy, 300)))
    sender.start()
    try:
        response = connection.getresponse()
        assert response.status == 200
        assert json.loads(response.readline())["status"] == 200
        # the client goes away mid-book: shut down, not only closed (a close while the sender
        # thread is blocked in send() would leave the connection open until that send returns)
        connection.sock.shutdown(socket.SHUT_RDWR)  # type: ignore[union-attr]
        sender.join()
    finally:
        connection.close()
    time.sleep(0.5)  # the item being priced when it left may finish
    spent = cpu_seconds(server)
    time.sleep(1.5)
    # 300 items of ~50 ms are 15 s of work: had pricing gone on, 1.5 s of CPU here
    assert cpu_seconds(server) - spent < 0.3


def test_probes_are_answered_while_a_heavy_batch_runs(server: Server) -> None:
    heavy = heaviest_lines()
    heavy.pop("solve")
    connection = connect(server, "/payback/batch?view=summary")
    sender = threading.Thread(target=send_chunked, args=(connection, book(heavy, 100)))
    sender.start()
    waits = []
    reader = threading.Thread(target=lambda: connection.getresponse().read())
    reader.start()
    while reader.is_alive() and len(waits) < 40:
        started = time.monotonic()
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as probe:
            assert probe.status == 200
        waits.append(time.monotonic() - started)
        time.sleep(0.05)
    reader.join(timeout=120)
    sender.join()
    connection.close()
    assert len(waits) >= 5  # the batch ran while the probes were answered
    assert max(waits) < 1.0, max(waits)
