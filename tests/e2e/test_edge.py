"""The server's edge, tried as a hostile client would, over raw sockets against the server as
shipped (``python -m service``): what uvicorn with httptools let through before
service/http/server.py, each test named after what it protects."""

from __future__ import annotations

import contextlib
import json
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.examples import SEED_EVALUATE
from tests.conftest import Server, running_server
from tests.tools.heavy import heaviest_schedule

pytestmark = pytest.mark.e2e

SEED = json.dumps(SEED_EVALUATE).encode()
HEAD_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(
        tmp_path_factory.mktemp("edge"), HEAD_TIMEOUT_SECONDS=str(HEAD_TIMEOUT)
    ) as server:
        yield server


def address(server: Server) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").split(":")
    return host, int(port)


def connect(server: Server, timeout: float = 10) -> socket.socket:
    return socket.create_connection(address(server), timeout=timeout)


def read_all(connection: socket.socket, limit_seconds: float = 10) -> bytes:
    """Everything the server sends until it closes (or the time runs out)."""
    received = b""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        try:
            chunk = connection.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        received += chunk
    return received


def statuses(raw: bytes) -> list[int]:
    return [int(status) for status in re.findall(rb"HTTP/1\.1 (\d{3}) ", raw)]


def problem_of(raw: bytes) -> dict[str, object]:
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"content-type: application/problem+json" in head.lower()
    problem: dict[str, object] = json.loads(body)
    assert re.search(rb"x-request-id: " + str(problem["request_id"]).encode(), head)
    return problem


def send_until_answered(connection: socket.socket, chunks: Iterator[bytes]) -> bytes:
    """Send chunk after chunk, as a client streaming a huge head would, until the server
    answers or stops reading; then read its answer."""
    for chunk in chunks:
        readable, _, _ = select.select([connection], [], [], 0)
        if readable:
            break
        try:
            connection.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            break
    return read_all(connection)


def rss_kib(server: Server) -> int:
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    assert match
    return int(match[1])


# ---- size ---------------------------------------------------------------------------------------


def test_a_head_of_endless_small_headers_is_431_at_once_and_memory_stays_flat(
    edge: Server,
) -> None:
    """13 MB of small headers once grew the process by 240 MiB (the pod limit is 256 MiB)."""
    before = rss_kib(edge)

    def headers() -> Iterator[bytes]:
        yield b"GET /healthz HTTP/1.1\r\nhost: x\r\n"
        for block in range(200):  # up to 13 MB in 64 KiB blocks
            yield b"".join(b"x-a%d-%d: b\r\n" % (block, i) for i in range(6500))

    with connect(edge) as connection:
        answer = send_until_answered(connection, headers())
    assert statuses(answer) == [431]
    assert problem_of(answer)["type"] == "/problems/headers-too-large"
    assert rss_kib(edge) - before < 8 * 1024


def test_one_huge_header_value_is_refused_within_a_second(edge: Server) -> None:
    """One 64 MiB header value once took 4 s of event-loop time (quadratic in its size)."""
    started = time.monotonic()

    def value() -> Iterator[bytes]:
        yield b"GET /healthz HTTP/1.1\r\nhost: x\r\naccept-language: "
        for _ in range(1024):
            yield b"a" * 65536

    with connect(edge) as connection:
        answer = send_until_answered(connection, value())
    assert statuses(answer) == [431]
    assert time.monotonic() - started < 3  # the refusal itself comes at 8 KiB


def test_a_long_request_line_is_414(edge: Server) -> None:
    with connect(edge) as connection:
        connection.sendall(b"GET /" + b"a" * 60_000 + b" HTTP/1.1\r\nhost: x\r\n\r\n")
        answer = read_all(connection)
    assert statuses(answer) == [414]
    assert problem_of(answer)["type"] == "/problems/uri-too-long"


def test_headers_within_the_limits_are_served(edge: Server) -> None:
    many = b"".join(b"x-h%d: %s\r\n" % (i, b"v" * 100) for i in range(200))  # ~22 KiB
    with connect(edge) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n" + many)
        connection.sendall(b"\r\n")
        assert statuses(read_all(connection)) == [200]


# ---- time ---------------------------------------------------------------------------------------


def test_a_silent_connection_is_closed_after_the_head_timeout(edge: Server) -> None:
    started = time.monotonic()
    with connect(edge) as connection:
        answer = read_all(connection, limit_seconds=10)
    waited = time.monotonic() - started
    assert HEAD_TIMEOUT <= waited < HEAD_TIMEOUT + 1.5
    assert statuses(answer) == [408]


def test_a_trickling_head_is_closed_at_its_deadline_not_kept_alive_by_each_byte(
    edge: Server,
) -> None:
    """A deadline for the whole head: one byte every 0.2 s does not reset it."""
    started = time.monotonic()
    closed_after = None
    with connect(edge) as connection:
        for byte in b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: " + b"a" * 100:
            try:
                connection.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            readable, _, _ = select.select([connection], [], [], 0.2)
            if readable:
                closed_after = time.monotonic() - started
                answer = read_all(connection)
                break
        else:
            pytest.fail("the trickling head was never closed")
    assert closed_after is not None and closed_after < HEAD_TIMEOUT + 1.5
    assert statuses(answer) == [408]
    assert problem_of(answer)["type"] == "/problems/head-timeout"


def test_a_server_full_of_unfinished_heads_still_serves_a_new_client(tmp_path: Path) -> None:
    """600 connections that never finished their head exhausted a 512-file limit, and new
    clients were reset with nothing logged. Under a 256-file limit, 400 of them now make the
    server drop the oldest, log it, and serve the new client."""
    with running_server(
        tmp_path, files=256, HEAD_TIMEOUT_SECONDS="30", MAX_CONNECTIONS="1000"
    ) as server:
        idle = []
        try:
            for _ in range(400):
                connection = connect(server)
                connection.sendall(b"GET /healthz HTTP/1.1\r\n")
                idle.append(connection)
            started = time.monotonic()
            with connect(server, timeout=5) as client:
                client.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                assert statuses(read_all(client, limit_seconds=5)) == [200]
            assert time.monotonic() - started < 3
        finally:
            for connection in idle:
                connection.close()
        log = server.log()
    assert "fewer connections than MAX_CONNECTIONS" in log
    assert "connection dropped to make room" in log


# ---- order and rules ----------------------------------------------------------------------------


def test_a_malformed_request_pipelined_after_a_valid_one_gets_its_own_answer_after_it(
    edge: Server,
) -> None:
    """Before, only the 400 came back, and the client read it as its valid request's answer."""
    valid = (
        b"POST /evaluate HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\n\r\n%s" % (len(SEED), SEED)
    )
    with connect(edge) as connection:
        connection.sendall(valid + b"GARBAGE\r\n\r\n")
        answer = read_all(connection)
    assert statuses(answer) == [200, 400]
    assert b'"monthly_gain":19082.00' in answer


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (b"GET /healthz HTTP/1.1\r\n\r\n", 400),  # no Host (RFC 9112 3.2)
        (b"GET /healthz HTTP/1.1\r\nhost: a\r\nhost: b\r\n\r\n", 400),
        (b"GET /healthz HTTP/2.0\r\nhost: a\r\n\r\n", 505),
        (
            b"POST /evaluate HTTP/1.1\r\nhost: a\r\ncontent-type: application/json\r\n"
            b"transfer-encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            501,
        ),
        (b"GET /healthz HTTP/1.0\r\n\r\n", 200),  # HTTP/1.0 needs no Host
    ],
    ids=["no-host", "two-hosts", "http-2.0", "gzip-chunked", "http-1.0"],
)
def test_http11_framing_rules_are_enforced(edge: Server, head: bytes, status: int) -> None:
    with connect(edge) as connection:
        connection.sendall(head)
        answer = read_all(connection)
    assert statuses(answer)[:1] == [status]


@pytest.mark.parametrize("path", ["/metrics/", "//metrics", "/%6detrics", "/healthz/"])
def test_only_canonical_paths_are_served(edge: Server, path: str) -> None:
    """Aliases of /metrics would slip past an ingress rule written for /metrics."""
    with connect(edge) as connection:
        connection.sendall(
            b"GET %s HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n" % path.encode()
        )
        answer = read_all(connection)
    assert statuses(answer) == [404]


def refusals_counted(server: Server) -> float:
    with connect(server) as connection:
        connection.sendall(b"GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        exposition = read_all(connection).decode()
    pattern = r'roi_requests_total\{method="OTHER",route="other",status="400"\} (\S+)'
    return sum(float(count) for count in re.findall(pattern, exposition))


def test_the_servers_own_refusals_are_logged_with_request_id_status_and_client_and_counted(
    edge: Server,
) -> None:
    before = refusals_counted(edge)
    with connect(edge) as connection:
        connection.sendall(b"NOT-HTTP\r\n\r\n")
        problem = problem_of(read_all(connection))
    assert refusals_counted(edge) == before + 1
    lines = [json.loads(line) for line in edge.log().splitlines() if line.startswith("{")]
    (line,) = [line for line in lines if line.get("request_id") == problem["request_id"]]
    assert line["status"] == 400 and line["client"] == "127.0.0.1"


def test_an_upgrade_attempt_is_answered_and_logged_as_a_plain_request(edge: Server) -> None:
    """uvicorn logged upgrade attempts in lines of its own, without request id or status."""
    with connect(edge) as connection:
        connection.sendall(
            b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: Upgrade\r\nupgrade: websocket\r\n"
            b"x-request-id: upgrade-attempt\r\nsec-websocket-version: 13\r\n"
            b"sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        )
        answer = read_all(connection, limit_seconds=3)
    assert statuses(answer) == [200]
    lines = [json.loads(line) for line in edge.log().splitlines()]
    assert any(
        line.get("request_id") == "upgrade-attempt" and line["status"] == 200 for line in lines
    )
    assert not [line for line in lines if "upgrade" in str(line.get("event", "")).lower()]


def test_every_log_line_is_one_json_object_under_16_kib(edge: Server) -> None:
    """A 60 KB path was logged whole; container runtimes split lines at 16 KiB. The path of a
    line the app writes is cut to 256 characters; a request line over 8 KiB is refused."""
    with connect(edge) as connection:
        connection.sendall(b"GET /" + b"%22" * 20_000 + b" HTTP/1.1\r\nhost: x\r\n\r\n")
        assert statuses(read_all(connection)) == [414]
    with connect(edge) as connection:  # 2,600 escaped quotes: 5,200 characters of JSON
        request = b"GET /" + b"%22" * 2600 + b" HTTP/1.1\r\nhost: x\r\nx-request-id: long-path\r\n"
        connection.sendall(request + b"connection: close\r\n\r\n")
        assert statuses(read_all(connection)) == [404]
    (line,) = [json.loads(line) for line in edge.log().splitlines() if "long-path" in line]
    assert len(line["path"]) == 256
    lines = edge.log().splitlines()
    assert lines
    for line in lines:
        assert len(line.encode()) < 16 * 1024
        json.loads(line)


# ---- load ---------------------------------------------------------------------------------------


def test_an_overload_of_the_heaviest_requests_is_shed_and_probes_answer_within_a_second(
    tmp_path: Path,
) -> None:
    """200 of the heaviest valid /payback requests at once were all served one after another,
    none got 503, and /healthz took 2.3 s (the liveness probe gives up at 3 s). Now a request
    that waited past MAX_WAIT_SECONDS gets 503 + Retry-After, and the probe is answered."""
    body = json.dumps(heaviest_schedule()).encode()
    request = (
        b"POST /payback HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
    )
    with running_server(tmp_path, MAX_WAIT_SECONDS="0.1", LOG_LEVEL="warning") as server:
        connections = [connect(server, timeout=30) for _ in range(200)]
        probe = connect(server, timeout=30)
        try:
            for connection in connections:  # all but the last byte: nothing is served yet
                connection.sendall(request[:-1])
            time.sleep(0.5)
            for connection in connections:  # then all 200 at once, and the probe right after
                connection.sendall(request[-1:])
            started = time.monotonic()
            probe.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            assert statuses(read_all(probe, limit_seconds=30)) == [200]
            probe_seconds = time.monotonic() - started
            answers = [read_all(connection, limit_seconds=30) for connection in connections]
        finally:
            probe.close()
            for connection in connections:
                connection.close()
    got = [statuses(answer)[0] for answer in answers]
    assert probe_seconds < 1.0
    assert set(got) == {200, 503}, got
    shed = next(answer for answer in answers if statuses(answer) == [503])
    assert b"retry-after: 1" in shed.lower()
    assert problem_of(shed)["type"] == "/problems/overloaded"


# ---- found by review: what slipped past the first version of the edge ---------------------------


def test_an_upgrade_request_with_a_body_is_refused_and_cannot_smuggle_a_request(
    edge: Server,
) -> None:
    """The parser skips an Upgrade request's body: it was read as the next request, and a
    "body" of GET /metrics got past an ingress rule written for /metrics."""
    smuggled = b"GET /metrics HTTP/1.1\r\nhost: x\r\n\r\n"
    with connect(edge) as connection:
        connection.sendall(
            b"POST /evaluate HTTP/1.1\r\nhost: x\r\nconnection: keep-alive, upgrade\r\n"
            b"upgrade: foo\r\ncontent-type: application/json\r\n"
            b"content-length: %d\r\n\r\n" % len(smuggled)
        )
        time.sleep(0.2)
        with contextlib.suppress(OSError):
            connection.sendall(smuggled)
        answer = read_all(connection)
    assert statuses(answer) == [400]
    assert b"roi_requests_total" not in answer


def test_nothing_is_read_after_an_upgrade_request(edge: Server) -> None:
    started = time.monotonic()
    with connect(edge) as connection:
        connection.sendall(
            b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: foo\r\n\r\n"
            b"GET /readyz HTTP/1.1\r\nhost: x\r\n\r\n"
        )
        answer = read_all(connection)
    assert statuses(answer) == [200]  # and the connection closes, so the client knows
    assert time.monotonic() - started < 3


def test_bytes_that_start_no_request_do_not_keep_an_idle_connection_open(edge: Server) -> None:
    """A CRLF after an answer, or the rest of a body the handler never read, once left the
    connection with neither the keep-alive timer nor a head deadline."""
    for first in (
        b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n",
    ):
        with connect(edge) as connection:
            connection.sendall(first)
            assert connection.recv(65536).startswith(b"HTTP/1.1 200")
            connection.sendall(b"\r\n" if b"length" not in first else b"x")
            started = time.monotonic()
            read_all(connection, limit_seconds=15)
            assert time.monotonic() - started < HEAD_TIMEOUT + 6  # uvicorn's keep-alive: 5 s


def test_a_server_full_of_idle_connections_drops_the_oldest_for_a_new_client(
    tmp_path: Path,
) -> None:
    with running_server(tmp_path, MAX_CONNECTIONS="16", HEAD_TIMEOUT_SECONDS="30") as server:
        idle = []
        try:
            for _ in range(16):
                connection = connect(server)
                connection.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
                assert connection.recv(65536).startswith(b"HTTP/1.1 200")
                connection.sendall(b"\r\n")
                idle.append(connection)
            with connect(server, timeout=5) as client:
                client.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                assert statuses(read_all(client, limit_seconds=5)) == [200]
        finally:
            for connection in idle:
                connection.close()
        assert "connection dropped to make room" in server.log()


def test_an_early_answer_to_expect_100_continue_closes_the_connection(edge: Server) -> None:
    """The client never sends a body refused before it was asked for: what it sends next
    would have been read as that body."""
    with connect(edge) as connection:
        connection.sendall(
            b"POST /evaluate HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            b"expect: 100-continue\r\ncontent-length: 100000\r\n\r\n"
        )
        answer = read_all(connection, limit_seconds=5)
    assert statuses(answer) == [413]
    assert b"connection: close" in answer.lower()


def test_a_malformed_chunk_gets_one_400_at_once(edge: Server) -> None:
    """A parse error in the body being read waited for the body deadline, then got 408 and
    400 for one request."""
    started = time.monotonic()
    with connect(edge) as connection:
        connection.sendall(
            b"POST /evaluate HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            b"transfer-encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n"
        )
        answer = read_all(connection)
    assert statuses(answer) == [400]
    assert time.monotonic() - started < 3


def pipelined_requests(count: int) -> bytes:
    """``count`` requests, each with its number as its request id (every tenth a POST with a
    body), the last one closing the connection."""
    requests = []
    for number in range(count):
        close = b"connection: close\r\n" if number == count - 1 else b""
        if number % 10 == 5:
            requests.append(
                b"POST /evaluate HTTP/1.1\r\nhost: x\r\nx-request-id: %d\r\n%s"
                b"content-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                % (number, close, len(SEED), SEED)
            )
        else:
            requests.append(
                b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-request-id: %d\r\n%s\r\n" % (number, close)
            )
    return b"".join(requests)


def answered_ids(raw: bytes) -> list[int]:
    return [int(found) for found in re.findall(rb"(?i)\r\nx-request-id: (\d+)\r\n", raw)]


def test_101_pipelined_requests_are_all_answered_in_order_on_one_connection(edge: Server) -> None:
    """Past 32 queued requests the 33rd got a 400 and the rest were lost (33 answers of 101);
    nginx and Go answer them all. The server now stops reading while its queue is full."""
    with connect(edge) as connection:
        connection.sendall(pipelined_requests(101))
        answer = read_all(connection, limit_seconds=60)
    assert statuses(answer) == [200] * 101
    assert answered_ids(answer) == list(range(101))
    assert answer.count(b'"monthly_gain":19082.00') == 10


def test_a_client_that_reads_its_pipelined_answers_late_gets_every_one(edge: Server) -> None:
    """2,000 requests sent at once and nothing read for a second: the server stops reading
    (the requests wait in the socket's buffers), and answers them all once the client reads."""
    with connect(edge, timeout=60) as connection:
        sender = threading.Thread(target=connection.sendall, args=(pipelined_requests(2000),))
        sender.start()
        time.sleep(1)
        answer = read_all(connection, limit_seconds=120)
        sender.join()
    assert statuses(answer) == [200] * 2000
    assert answered_ids(answer) == list(range(2000))
