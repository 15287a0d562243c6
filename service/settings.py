"""One settings object, read once from the environment (every variable is in the README)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

import msgspec

from service.http.security import CorsPolicy, PartnerKeys, Proxies

LogFormat = Literal["auto", "json", "console"]
LogLevel = Literal["debug", "info", "warning", "error"]


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot run with."""


# The numeric settings' bounds: a value outside is refused at start, not clamped.
_RANGES: dict[str, tuple[float, float]] = {
    "port": (1, 65535),
    "workers": (1, 64),
    "max_body_bytes": (1024, 1024 * 1024),
    "drain_seconds": (0, 60),
    "body_timeout_seconds": (0.1, 120),
    "max_in_flight": (1, 10_000),
    "max_wait_seconds": (0.01, 60),
    "head_timeout_seconds": (0.1, 120),
    "send_timeout_seconds": (0.1, 120),
    "max_connections": (16, 100_000),
    "rate_limit_per_minute": (0, 1_000_000),
    "partner_rate_limit_per_minute": (0, 1_000_000),
}


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Built-in defaults serve http://127.0.0.1:8000 with one worker, as ``make run`` does."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: LogLevel = "info"
    # auto: JSON lines when stdout is not a terminal, readable console output when it is.
    log_format: LogFormat = "auto"
    # The largest legitimate request is a /payback with an embedded 10-stage evaluation and 40
    # cost lines: about 12 KiB pretty-printed. 64 KiB leaves room and stops abuse early.
    max_body_bytes: int = 64 * 1024
    # After SIGTERM: seconds of answering 503 on /readyz while still serving, before stopping.
    drain_seconds: float = 0.0
    # A body that has not fully arrived after this long is answered 408 (slow-loris guard).
    body_timeout_seconds: float = 10.0
    # Requests served at once per worker; beyond it new ones get 503 + Retry-After at once.
    max_in_flight: int = 64
    # A request that waited longer than this between its arrival and its turn on the event loop
    # gets 503 + Retry-After instead of its answer (load shedding; probes are never shed).
    max_wait_seconds: float = 0.5
    # The request line and headers must arrive in full within this many seconds of the first
    # byte (or of the connection, for its first request); else 408 and the connection closes.
    head_timeout_seconds: float = 5.0
    # A client that reads none of its answers for this long is dropped (it would hold a slot).
    send_timeout_seconds: float = 10.0
    # Open connections per worker; past it the oldest connection still waiting for a request
    # head is closed to make room (kept below the process's file limit).
    max_connections: int = 1000
    # Proxies whose X-Forwarded-For is believed: addresses or networks, or "*" (one hop, any
    # peer). The client is the right-most address that is not a trusted proxy.
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # Browser origins allowed to call the API (comma-separated; "*" for any, never credentials).
    cors_origins: str = "http://localhost:8000,http://127.0.0.1:8000"
    # Partner keys as SHA-256 hex digests, comma-separated, each optionally "name:digest".
    partner_key_sha256s: str = ""
    # Requests a minute per client address (0: off) and per partner key (0: off). Per instance.
    rate_limit_per_minute: int = 0
    partner_rate_limit_per_minute: int = 0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from the upper-case environment variable of each field (HOST, PORT, ...)."""
        env = os.environ if environ is None else environ
        raw = {field: env[field.upper()] for field in cls.__struct_fields__ if field.upper() in env}
        if "log_level" in raw:
            raw["log_level"] = raw["log_level"].strip().lower()
        try:
            settings = msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as error:
            # msgspec says "... - at `$.log_level`": name the variable the operator sets
            message, _, where = str(error).partition(" - at `$.")
            name = where.rstrip("`").upper() or "the environment"
            raise SettingsError(f"{name}: {message}") from None
        for field, (low, high) in _RANGES.items():
            value = getattr(settings, field)
            if not low <= value <= high:
                raise SettingsError(f"{field.upper()} must be {low:g}..{high:g}, not {value:g}")
        for name, parse in (
            ("PARTNER_KEY_SHA256S", PartnerKeys),
            ("CORS_ORIGINS", CorsPolicy),
            ("FORWARDED_ALLOW_IPS", Proxies),
        ):
            try:
                parse(getattr(settings, name.lower()))
            except ValueError as error:
                raise SettingsError(f"{name}: {error}") from None
        return settings
