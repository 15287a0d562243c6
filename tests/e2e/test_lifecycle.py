"""The production server under stress: shutdown with uploads in flight, shedding, slow bodies,
metrics across workers."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from service.__main__ import shared_metrics_directory
from service.examples import SEED_EVALUATE
from service.ops.logs import configure_logging
from service.settings import Settings
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


@pytest.mark.parametrize(
    ("stop", "drain_seconds"),
    [(signal.SIGTERM, "0"), (signal.SIGTERM, "1"), (signal.SIGHUP, "0")],
    ids=["sigterm", "sigterm-drain", "sighup"],
)  # the built-in default, a drain, and SIGHUP, which once killed a single worker at once
def test_a_stop_signal_finishes_twenty_uploads_in_flight_and_exits_0(
    tmp_path: Path, stop: signal.Signals, drain_seconds: str
) -> None:
    with running_server(tmp_path, DRAIN_SECONDS=drain_seconds) as server:
        uploads = [start_upload(server) for _ in range(20)]
        time.sleep(0.3)  # every request has started: headers and half a body are in
        server.process.send_signal(stop)
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


def metrics_directories(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("roi-metrics-*"))


@pytest.mark.parametrize(
    ("workers", "stop"),
    [("1", signal.SIGTERM), ("2", signal.SIGTERM), ("2", signal.SIGINT)],
    ids=["1-worker", "2-workers-sigterm", "2-workers-sigint"],
)
def test_the_metrics_directory_is_removed_when_the_server_exits(
    tmp_path: Path, workers: str, stop: signal.Signals
) -> None:
    """It was left in /tmp at every exit: a container restarted in its pod keeps its emptyDir,
    and each start added one more. With one worker there is none; with two the supervisor makes
    it, the workers keep it through a SIGHUP restart, and the supervisor removes it."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    with running_server(tmp_path, WORKERS=workers, TMPDIR=str(tmp)) as server:
        assert status_of(server.url + "/healthz") == 200
        made = metrics_directories(tmp)
        assert len(made) == (1 if workers == "2" else 0)
        if workers == "2":
            server.process.send_signal(signal.SIGHUP)  # the workers restart one by one
            deadline = time.monotonic() + 30
            while "restarting processes" not in server.log() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert status_of(server.url + "/metrics") == 200
            assert metrics_directories(tmp) == made
        server.process.send_signal(stop)
        assert server.process.wait(timeout=25) == 0
    assert metrics_directories(tmp) == []


def test_an_operators_own_metrics_directory_is_left_in_place(tmp_path: Path) -> None:
    given = tmp_path / "metrics"
    given.mkdir()
    with running_server(tmp_path, WORKERS="2", PROMETHEUS_MULTIPROC_DIR=str(given)) as server:
        assert status_of(server.url + "/healthz") == 200
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=25) == 0
    assert list(given.glob("counter_*.db"))  # the workers' samples, kept with the directory


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


@contextmanager
def small_tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` at ``where``, as a pod's /tmp (an emptyDir with a size limit)."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"mounting a small tmpfs needs root (CAP_SYS_ADMIN): {mounted.stderr!r}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(directory: Path) -> None:
    """Write until the file system is full."""
    with (directory / "filler").open("wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass


def test_two_workers_keep_serving_when_tmp_fills_after_start(tmp_path: Path) -> None:
    """The workers' shared metrics files are memory-mapped: a full /tmp once put them in a
    SIGBUS crash loop. Their blocks are reserved at start, so new series still fit."""
    with (
        small_tmpfs(tmp_path / "tmp", "8m") as tmp,
        running_server(tmp_path, WORKERS="2", TMPDIR=str(tmp)) as server,
    ):
        fill(tmp)
        for path in ("/healthz", "/readyz", "/nowhere", "/", "/schema") * 20:
            assert status_of(server.url + path) in {200, 404}
        with urllib.request.urlopen(server.url + "/metrics", timeout=5) as answer:
            text = answer.read().decode()
        assert 'route="other"' in text
        assert server.process.poll() is None
    assert "died" not in server.log().lower() and "sigbus" not in server.log().lower()


@pytest.mark.parametrize("state", ["full", "read-only"])
def test_two_workers_serve_when_tmp_is_unusable_at_start_and_say_what_metrics_lose(
    tmp_path: Path, state: str
) -> None:
    """A full or read-only /tmp at start was a 24-line traceback and no service, although the
    directory only serves metrics. (The metrics directory is given, as an operator would: with
    an unusable TMPDIR, Python's tempfile falls back to another directory by itself.)"""
    with small_tmpfs(tmp_path / "tmp", "1m") as tmp:
        (tmp / "metrics").mkdir()
        if state == "full":
            fill(tmp)
        else:
            subprocess.run(["mount", "-o", "remount,ro", str(tmp)], check=True)
        with running_server(
            tmp_path, WORKERS="2", PROMETHEUS_MULTIPROC_DIR=str(tmp / "metrics")
        ) as server:
            assert status_of(server.url + "/evaluate") == 405
            assert status_of(server.url + "/metrics") == 200
        log = server.log()
    assert "metrics not shared between workers" in log
    assert "Traceback" not in log


def test_no_directory_for_shared_metrics_is_logged_not_fatal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """When python -m service cannot make the workers' metrics directory, it says so and
    serves with per-worker metrics."""

    def no_room(**_: object) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.setattr(tempfile, "mkdtemp", no_room)
    configure_logging(Settings(log_format="json"))
    with shared_metrics_directory():
        assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["event"] == "metrics not shared between workers"
    assert "No space left" in line["reason"]
