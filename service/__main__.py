"""``python -m service``: the production server, configured from the environment.

HOST, PORT and WORKERS (defaults 127.0.0.1, 8000, 1); the rest of the settings in the README.
"""

from __future__ import annotations

import sys

import uvicorn

from service.logs import configure_logging
from service.settings import Settings, SettingsError


def main() -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"roi-service: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)
    uvicorn.run(
        "service.app:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        http="httptools",
        log_config=None,  # structlog owns the output (service/logs.py)
        access_log=False,  # one line per request comes from ServiceMiddleware
        server_header=False,
        timeout_graceful_shutdown=20,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
