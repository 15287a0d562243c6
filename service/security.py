"""Partner API keys and CORS for the sales site."""

from __future__ import annotations

import hashlib
import hmac

API_KEY_HEADER = b"x-api-key"
CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "content-type, x-request-id, x-api-key, accept-language"
CORS_EXPOSE = "x-request-id, retry-after, content-language"
CORS_MAX_AGE = "600"


class PartnerKeys:
    """Partner keys, configured only as SHA-256 hex digests (``name:digest`` or ``digest``).

    A presented key is hashed and compared with every configured digest in constant time.
    """

    def __init__(self, spec: str) -> None:
        self.digests: list[tuple[str, bytes]] = []
        for index, item in enumerate(part.strip() for part in spec.split(",")):
            if not item:
                continue
            name, _, digest = item.rpartition(":")
            digest = digest.strip().lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise ValueError(f"partner key {index + 1} is not a SHA-256 hex digest")
            self.digests.append((name.strip() or f"partner-{index + 1}", bytes.fromhex(digest)))

    def __bool__(self) -> bool:
        return bool(self.digests)

    def partner(self, key: bytes) -> str | None:
        """The partner's name for a presented key, None when no digest matches."""
        presented = hashlib.sha256(key).digest()
        found = None
        for name, digest in self.digests:
            if hmac.compare_digest(presented, digest):
                found = name
        return found


class CorsPolicy:
    """Which browser origins may call the API. ``*`` allows any origin; no credentials ever,
    so a wildcard is never combined with credentials."""

    def __init__(self, spec: str) -> None:
        origins = {part.strip().rstrip("/") for part in spec.split(",") if part.strip()}
        self.any_origin = "*" in origins
        self.origins = {origin.encode() for origin in origins - {"*"}}

    def allows(self, origin: bytes) -> bool:
        return self.any_origin or origin in self.origins

    def headers(self, origin: bytes) -> list[tuple[bytes, bytes]]:
        """The headers of an answer to an allowed cross-origin request."""
        allowed = b"*" if self.any_origin else origin
        return [
            (b"access-control-allow-origin", allowed),
            (b"access-control-expose-headers", CORS_EXPOSE.encode()),
        ]

    @staticmethod
    def preflight_headers() -> list[tuple[bytes, bytes]]:
        """What a preflight answer adds to the headers of every allowed answer."""
        return [
            (b"access-control-allow-methods", CORS_METHODS.encode()),
            (b"access-control-allow-headers", CORS_HEADERS.encode()),
            (b"access-control-max-age", CORS_MAX_AGE.encode()),
        ]
