"""``python -m service``: the production server, configured from the environment.

HOST, PORT and WORKERS (defaults 127.0.0.1, 8000, 1); the rest of the settings in the README.
On SIGTERM or SIGINT the instance reports not ready on /readyz, keeps serving for DRAIN_SECONDS
(so a load balancer stops sending it traffic), then stops accepting, finishes every request in
flight and exits with status 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
from collections.abc import Generator
from types import FrameType

import structlog
import uvicorn

from service.logs import configure_logging
from service.protocol import ProblemHttpToolsProtocol
from service.settings import Settings, SettingsError

APP = "service.app:app"
GRACEFUL_TIMEOUT_SECONDS = 20


class DrainingServer(uvicorn.Server):
    """uvicorn's server, with a readiness drain before its graceful shutdown."""

    def __init__(self, config: uvicorn.Config, drain_seconds: float) -> None:
        super().__init__(config)
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
            for sig in self.early_signals:  # arrived while the server was being set up
                self.handle_exit(sig, None)
            self.early_signals.clear()
            yield

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.draining:  # a second signal: stop now
            super().handle_exit(sig, frame)
            return
        self.draining = True
        # The app uvicorn imported, if it has finished importing (a signal may come earlier).
        served = getattr(sys.modules.get("service.app"), "app", None)
        if served is not None:
            served.litestar.state.draining = True
        if served is None or not self.drain_seconds:
            super().handle_exit(sig, frame)
            return
        with contextlib.suppress(Exception):  # a log line must never stop the shutdown
            structlog.get_logger("roi_service").info("draining", seconds=self.drain_seconds)
        asyncio.get_event_loop().call_later(self.drain_seconds, super().handle_exit, sig, frame)


def main() -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"roi-service: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)
    options = {
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "loop": "uvloop",
        "http": ProblemHttpToolsProtocol,  # httptools, with problem+json for unparsable requests
        "log_config": None,  # structlog owns the output (service/logs.py)
        "access_log": False,  # one line per request comes from ServiceMiddleware
        "server_header": False,
        "timeout_graceful_shutdown": GRACEFUL_TIMEOUT_SECONDS,
    }
    if settings.workers > 1:
        # Workers are processes: they share metrics through files (service/metrics.py).
        os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="roi-metrics-"))
        # uvicorn's supervisor forwards SIGTERM to the workers and returns once they have ended.
        uvicorn.run(APP, **options)  # type: ignore[arg-type]
        return 0
    server = DrainingServer(uvicorn.Config(APP, **options), settings.drain_seconds)  # type: ignore[arg-type]
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, server.remember_signal)
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
