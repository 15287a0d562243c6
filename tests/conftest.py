"""Shared fixtures: the in-process app for API tests and a real server process for e2e."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import structlog
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient

from service.http.app import create_app
from service.http.application import Application
from service.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

# Deterministic property tests: CI and laptops see the same examples. "thorough" (make fuzz)
# draws 1,000 examples a property; HYPOTHESIS_PROFILE picks the profile.
settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", settings.get_profile("ci"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def app() -> Application:
    """The app as ``make run`` builds it (JSON logs)."""
    service = create_app(Settings(log_format="json"))
    # Cached loggers would bypass structlog.testing.capture_logs().
    structlog.configure(cache_logger_on_first_use=False)
    return service


@pytest.fixture
def client(app: Application) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """The app in-process."""
    with TestClient(app) as test_client:  # type: ignore[arg-type]
        yield test_client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def running_server(tmp_path: Path, *, files: int | None = None, **env: str) -> Iterator[Server]:
    """``python -m service`` as a real process on a free loopback port; stopped with SIGTERM.
    ``files``: the process's limit of open files (soft and hard), as a container might set."""

    def limit_files() -> None:
        if files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    environ = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "LOG_FORMAT": "json", **env}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service"],
            cwd=ROOT, env=environ, stdout=log, stderr=log, preexec_fn=limit_files,  # noqa: PLW1509  setrlimit only
        )  # fmt: skip
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{server.log()}")
            try:
                with urllib.request.urlopen(server.url + "/readyz", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready in 20 s:\n{server.log()}")
            time.sleep(0.05)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=25)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real server for the session's e2e and contract tests."""
    with running_server(tmp_path_factory.mktemp("server")) as server:
        yield server
