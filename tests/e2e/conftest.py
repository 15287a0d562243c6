"""End-to-end fixtures: ``service_url``, a real ``python -m service`` process on a free port.

Override ``service_env`` (module scope) to start the server with other settings, e.g.::

    @pytest.fixture(scope="module")
    def service_env() -> dict[str, str]:
        return {"MAX_BODY_BYTES": "2048"}
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 20


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/readyz", timeout=1) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture(scope="module")
def service_env() -> dict[str, str]:
    """Extra environment for the server process; empty: the built-in defaults."""
    return {}


@pytest.fixture(scope="module")
def service_url(service_env: dict[str, str]) -> Iterator[str]:
    """The base URL (``http://127.0.0.1:PORT``, no trailing slash) of a running service,
    ready (``/readyz`` answered 200); stopped with SIGTERM after the module's tests."""
    port = _free_port()
    environ = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_FORMAT": "json",
        **service_env,
    }
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service"], cwd=ROOT, env=environ, stdout=log, stderr=log
        )

        def output() -> str:
            log.seek(0)
            return log.read().decode(errors="replace")[-4000:]

        try:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while not _ready(url):
                if process.poll() is not None:
                    pytest.fail(f"the service exited with {process.returncode}:\n{output()}")
                if time.monotonic() > deadline:
                    pytest.fail(f"the service was not ready in {READY_TIMEOUT_S} s:\n{output()}")
                time.sleep(0.05)
            yield url
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=25)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
