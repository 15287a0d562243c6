"""``python -m service`` as a real process: the seed over HTTP, logs, and a clean stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from service.examples import SEED_EVALUATE, SEED_PAYBACK_WITH_EVALUATION
from tests.conftest import ROOT, Server, free_port, running_server

pytestmark = pytest.mark.e2e


def post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        return answer.status, json.loads(answer.read())


def test_the_seed_over_http(live_server: Server) -> None:
    status, evaluation = post(live_server.url + "/evaluate", SEED_EVALUATE)
    assert status == 200
    assert evaluation["monthly_gain"] == 19082
    assert evaluation["revenue_uplift_ratio"] == 0.238525
    assert [s["projected"] for s in evaluation["stages"]] == [10300, 661, 463]
    status, investment = post(live_server.url + "/payback", SEED_PAYBACK_WITH_EVALUATION)
    assert status == 200
    assert round(investment["payback_months"], 2) == 0.79
    assert investment["npv"] == 213984


def test_json_log_lines_carry_the_request_id(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        request = urllib.request.Request(
            server.url + "/healthz", headers={"x-request-id": "e2e-42"}
        )
        with urllib.request.urlopen(request, timeout=5) as answer:
            assert answer.headers["x-request-id"] == "e2e-42"
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=25) == 0
        lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    access = [
        line
        for line in lines
        if line.get("event") == "request" and line.get("request_id") == "e2e-42"
    ]
    assert len(access) == 1
    assert access[0]["status"] == 200
    assert access[0]["path"] == "/healthz"
    assert {"method", "duration_ms", "timestamp", "level"} <= set(access[0])


def test_settings_errors_stop_the_server_with_a_message(tmp_path: Path) -> None:
    with (
        pytest.raises(RuntimeError, match=r"WORKERS must be 1\.\.64"),
        running_server(tmp_path, WORKERS="0"),
    ):
        pass


@pytest.mark.parametrize("delay", [0.0, 0.3, 0.8])
def test_sigterm_during_start_up_still_exits(tmp_path: Path, delay: float) -> None:
    """A stop signal while the app is still importing must not crash or hang the server."""
    environ = {**os.environ, "PORT": str(free_port()), "LOG_FORMAT": "json"}
    process = subprocess.Popen(
        [sys.executable, "-m", "service"], cwd=ROOT, env=environ,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(delay)
    process.send_signal(signal.SIGTERM)
    try:
        _, stderr = process.communicate(timeout=25)
    finally:  # a hung server must not outlive the test (nor leak its pipe into the next one)
        process.kill()
        process.communicate()
    assert b"Traceback" not in stderr
    assert process.returncode in {0, -signal.SIGTERM}  # -SIGTERM: before any handler existed


def test_a_stop_signal_before_uvicorn_listens_still_stops_the_server() -> None:
    """A SIGTERM that lands after ``main`` installed its handler but before uvicorn installed
    its own (the server is still being set up) was once swallowed, and the server ran on. The
    signal is remembered and acted on as soon as uvicorn listens: the server stops with 0."""
    script = (
        "import signal, uvicorn\n"
        "from service.__main__ import DrainingServer\n"
        "from service.http.app import create_app\n"
        "app = create_app()\n"
        f"config = uvicorn.Config(app, port={free_port()}, log_config=None, loop='uvloop')\n"
        "server = DrainingServer(config, app, drain_seconds=0)\n"
        "signal.signal(signal.SIGTERM, server.remember_signal)\n"
        "signal.raise_signal(signal.SIGTERM)  # before run(): uvicorn is not listening yet\n"
        "server.run()\n"
        "print('stopped', server.started)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=25, check=False,
        env={**os.environ, "LOG_FORMAT": "json"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(b"stopped True")


def test_pipelined_requests_get_whole_answers_in_order(live_server: Server) -> None:
    """HTTP/1.1 pipelining on the server as shipped: several requests sent at once on one
    connection (a POST, a GET, a POST) get whole answers, in order."""
    body = json.dumps(SEED_EVALUATE).encode()
    one = (
        b"POST /evaluate HTTP/1.1\r\nhost: test\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\n\r\n%s" % (len(body), body)
    )
    host, port = live_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(one + b"GET /healthz HTTP/1.1\r\nhost: test\r\n\r\n" + one)
        received = b""
        while received.count(b"HTTP/1.1 ") < 3 or not received.endswith(b"}"):
            chunk = connection.recv(65536)
            assert chunk, received
            received += chunk
    answers = received.split(b"HTTP/1.1 ")[1:]
    assert [answer[:3] for answer in answers] == [b"200", b"200", b"200"]
    payloads = []
    for answer in answers:
        head, _, payload = answer.partition(b"\r\n\r\n")
        assert b"content-length: %d" % len(payload) in head
        payloads.append(json.loads(payload))
    assert payloads[0] == payloads[2]
    assert payloads[0]["monthly_gain"] == 19082
    assert "monthly_gain" not in payloads[1]
