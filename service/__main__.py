"""``python -m service``: the production server, configured from the environment.

HOST, PORT and WORKERS (defaults 127.0.0.1, 8000, 1); the rest of the settings in the README.
On SIGTERM, SIGINT or SIGHUP the instance reports not ready on /readyz, keeps serving for
DRAIN_SECONDS (so a load balancer stops sending it traffic), then stops accepting, finishes
every request in flight and exits with status 0. (With WORKERS > 1, uvicorn's supervisor
handles the signals: SIGHUP restarts the workers one by one; the workers' metrics directory
lives as long as the supervisor.)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import shutil
import signal
import sys
import tempfile
from collections.abc import Generator
from types import FrameType
from typing import Any

import structlog
import uvicorn

from service.http.app import create_app
from service.http.application import Application
from service.http.server import edge_protocol
from service.ops.logs import configure_logging
from service.settings import Settings, SettingsError

FACTORY = "service.http.app:create_app"
GRACEFUL_TIMEOUT_SECONDS = 20
# How long uvicorn's supervisor waits for a worker's answer before it kills it as hung; also
# how long a new worker has to import the service (numpy, scipy.special, litestar: ~2 s on an
# idle core, 8 s on a loaded node, where uvicorn's 5 s killed every worker, in a loop).
WORKER_HEALTHCHECK_SECONDS = 30
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
# Descriptors kept for everything but client connections (listening socket, logs, metrics).
SPARE_FILES = 64

log = structlog.get_logger("roi_service")


class DrainingServer(uvicorn.Server):
    """uvicorn's server, with a readiness drain before its graceful shutdown."""

    def __init__(self, config: uvicorn.Config, app: Application, drain_seconds: float) -> None:
        super().__init__(config)
        self.app = app
        self.drain_seconds = drain_seconds
        self.draining = False
        self.early_signals: list[int] = []

    def remember_signal(self, sig: int, frame: FrameType | None) -> None:
        """The handler before uvicorn's own and after it: a stop signal that arrives before
        uvicorn listens for them is acted on once it does (see capture_signals); the one uvicorn
        raises again after a clean shutdown is ignored, so that shutdown exits with status 0."""
        self.early_signals.append(sig)

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        with super().capture_signals():
            # uvicorn listens for SIGTERM and SIGINT; a SIGHUP (a closed terminal, an operator's
            # reload) must not kill the requests in flight either.
            previous = signal.signal(signal.SIGHUP, self.handle_exit)
            for sig in self.early_signals:  # arrived while the server was being set up
                self.handle_exit(sig, None)
            self.early_signals.clear()
            try:
                yield
            finally:
                signal.signal(signal.SIGHUP, previous)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.draining:  # a second signal: stop now
            super().handle_exit(sig, frame)
            return
        self.draining = True
        self.app.state.draining = True
        if not self.drain_seconds:
            super().handle_exit(sig, frame)
            return
        with contextlib.suppress(Exception):  # a log line must never stop the shutdown
            log.info("draining", seconds=self.drain_seconds, signal=signal.Signals(sig).name)
        asyncio.get_event_loop().call_later(self.drain_seconds, super().handle_exit, sig, frame)


def connection_room(settings: Settings) -> Settings:
    """The settings with MAX_CONNECTIONS under the process's file limit (raised to its hard
    limit first), so that the server never runs out of descriptors: it drops idle connections
    instead (service/http/server.py)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = settings.max_connections + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new_soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft != resource.RLIM_INFINITY and soft < wanted:
        room = max(16, soft - SPARE_FILES)
        log.warning(
            "fewer connections than MAX_CONNECTIONS",
            max_connections=room,
            wanted=settings.max_connections,
            reason=f"the file limit is {soft}",
        )
        os.environ["MAX_CONNECTIONS"] = str(room)  # for workers, which read the environment
        return Settings.from_env()
    return settings


@contextlib.contextmanager
def shared_metrics_directory() -> Generator[None, None, None]:
    """With several workers, a directory for their shared samples (service/ops/metrics.py),
    made by this process (uvicorn's supervisor) and removed when it exits: a container that
    restarts in its pod keeps /tmp (an ``emptyDir``), and each start would leave one more. The
    workers never remove it (they restart one by one on SIGHUP, and don't run this function).
    Without one (a full or read-only /tmp) the service still serves, and says what is lost."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield  # the operator's own directory (never removed by the service)
        return
    try:
        directory = tempfile.mkdtemp(prefix="roi-metrics-")
    except OSError as error:
        log.warning(
            "metrics not shared between workers",
            reason=f"no directory for them: {error.strerror or error}",
            lost="/metrics shows only the samples of the worker that answers the scrape",
        )
        yield
        return
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
    try:
        yield
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main() -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"roi-service: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)
    settings = connection_room(settings)
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "loop": "uvloop",
        # httptools, with the limits of service/http/server.py, read from these settings (a
        # worker gets them pickled with uvicorn's Config; its app reads the same environment)
        "http": edge_protocol(settings),
        "ws": "none",  # no WebSockets: an Upgrade request is answered as a plain request
        "proxy_headers": False,  # X-Forwarded-For is read by the app (FORWARDED_ALLOW_IPS)
        "log_config": None,  # structlog owns the output (service/ops/logs.py)
        "access_log": False,  # one line per request comes from the Application
        "server_header": False,
        "timeout_graceful_shutdown": GRACEFUL_TIMEOUT_SECONDS,
    }
    if settings.workers > 1:
        # Each worker builds its app with create_app(); the supervisor forwards SIGTERM to the
        # workers and returns once they have ended, and restarts them one by one on SIGHUP.
        with shared_metrics_directory():
            uvicorn.run(
                FACTORY, factory=True, workers=settings.workers,
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS, **options,
            )  # fmt: skip
        return 0
    app = create_app(settings)
    server = DrainingServer(uvicorn.Config(app, **options), app, settings.drain_seconds)
    for stop in STOP_SIGNALS:
        signal.signal(stop, server.remember_signal)
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
