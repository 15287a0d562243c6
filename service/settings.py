"""One settings object, read once from the environment (every variable is in the README).

The settings that are lists (partner keys, CORS origins, trusted proxies) are parsed here too,
so a bad value stops the service at start; service/http/security.py builds on the parsed lists.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from typing import Literal

import msgspec

LogFormat = Literal["auto", "json", "console"]
LogLevel = Literal["debug", "info", "warning", "error"]


class SettingsError(ValueError):
    """An environment variable holds a value the service cannot run with."""


# The numeric settings' bounds: a value outside is refused at start, not clamped.
_RANGES: dict[str, tuple[float, float]] = {
    "port": (1, 65535),
    "workers": (1, 64),
    "max_body_bytes": (1024, 1024 * 1024),
    "max_batch_body_bytes": (1024, 64 * 1024 * 1024),
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
    # A JSON batch of up to 500 requests (an NDJSON batch is read a line at a time, each line
    # within max_body_bytes).
    max_batch_body_bytes: int = 4 * 1024 * 1024
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
            ("PARTNER_KEY_SHA256S", partner_digests),
            ("CORS_ORIGINS", cors_origins),
            ("FORWARDED_ALLOW_IPS", trusted_proxies),
        ):
            try:
                parse(getattr(settings, name.lower()))
            except ValueError as error:
                raise SettingsError(f"{name}: {error}") from None
        return settings


# ---- the settings that are lists: parsed here, used by service/http/security.py ---------------

_PARTNER_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_ORIGIN = re.compile(r"^https?://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def partner_digests(spec: str) -> list[tuple[str, bytes]]:
    """PARTNER_KEY_SHA256S (``name:digest`` or ``digest``, comma-separated) as (name, SHA-256
    digest) pairs; an unnamed key is ``partner-N``. ValueError names the entry that is wrong."""
    digests: list[tuple[str, bytes]] = []
    for index, item in enumerate(part.strip() for part in spec.split(",")):
        if not item:
            continue
        name, _, digest = item.rpartition(":")
        digest = digest.strip().lower()
        name = name.strip() or f"partner-{index + 1}"
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"partner key {index + 1} is not a SHA-256 hex digest")
        if not _PARTNER_NAME.match(name):
            raise ValueError(
                f"partner key {index + 1}: a name is 1-64 of [A-Za-z0-9._-], not {name[:80]!r}"
            )
        if any(digest == known.hex() for _, known in digests):
            raise ValueError(f"partner key {index + 1} repeats an earlier digest")
        if any(name == known for known, _ in digests):
            raise ValueError(f"partner key {index + 1} repeats the name {name!r}")
        digests.append((name, bytes.fromhex(digest)))
    return digests


def cors_origins(spec: str) -> set[str]:
    """CORS_ORIGINS (comma-separated) as a set of origins, ``*`` for any."""
    origins = {part.strip() for part in spec.split(",") if part.strip()}
    for origin in origins - {"*"}:
        # A browser's Origin is scheme://host[:port], lower-case, nothing after: any other
        # entry could never match, and would fail silently.
        if not _ORIGIN.match(origin):
            raise ValueError(
                f"{origin[:100]!r} is not an origin like https://crm.example or "
                "http://localhost:8000 (lower-case scheme and host, no path)"
            )
    return origins


def trusted_proxies(spec: str) -> tuple[bool, list[Network]]:
    """FORWARDED_ALLOW_IPS (comma-separated addresses or networks) as (``*`` given, networks);
    ValueError names the entry that is not an address or network."""
    parts = [part.strip() for part in spec.split(",") if part.strip()]
    return "*" in parts, [ipaddress.ip_network(part, strict=False) for part in parts if part != "*"]
