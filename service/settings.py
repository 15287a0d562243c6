"""One settings object, read once from the environment (every variable is in the README)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

import msgspec

from service.security import PartnerKeys

LogFormat = Literal["auto", "json", "console"]


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot run with."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Built-in defaults serve http://127.0.0.1:8000 with one worker, as ``make run`` does."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    log_level: str = "info"
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
        try:
            settings = msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as error:
            raise SettingsError(f"invalid environment: {error}") from None
        if not 0 < settings.port < 65536:
            raise SettingsError(f"PORT must be 1..65535, not {settings.port}")
        if not 1 <= settings.workers <= 64:
            raise SettingsError(f"WORKERS must be 1..64, not {settings.workers}")
        if not 1024 <= settings.max_body_bytes <= 1024 * 1024:
            raise SettingsError("MAX_BODY_BYTES must be 1024..1048576")
        if not 0 <= settings.drain_seconds <= 60:
            raise SettingsError("DRAIN_SECONDS must be 0..60")
        if not 0.1 <= settings.body_timeout_seconds <= 120:
            raise SettingsError("BODY_TIMEOUT_SECONDS must be 0.1..120")
        if not 1 <= settings.max_in_flight <= 10_000:
            raise SettingsError("MAX_IN_FLIGHT must be 1..10000")
        if settings.rate_limit_per_minute < 0 or settings.partner_rate_limit_per_minute < 0:
            raise SettingsError("rate limits must be 0 (off) or more")
        try:
            PartnerKeys(settings.partner_key_sha256s)
        except ValueError as error:
            raise SettingsError(f"PARTNER_KEY_SHA256S: {error}") from None
        return settings
