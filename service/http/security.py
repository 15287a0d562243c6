"""Partner API keys and CORS for the sales site."""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress

from service.settings import cors_origins, partner_digests, trusted_proxies

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
        self.digests = partner_digests(spec)  # ValueError: Settings reports it at start

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
        origins = cors_origins(spec)
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


MAX_FORWARDED_HOPS = 20


class Proxies:
    """The proxies trusted to say who the client is (``FORWARDED_ALLOW_IPS``), and the client's
    address behind them.

    ``X-Forwarded-For`` is read from the right, where the nearest proxy wrote it: the client is
    the right-most address that is not a trusted proxy, so a client cannot choose its own
    address by sending the header itself. ``*`` trusts whatever peer connects, one hop deep:
    the client is the last address that peer wrote.
    """

    def __init__(self, spec: str) -> None:
        self.any_peer, self.networks = trusted_proxies(spec)
        self._trusts = functools.lru_cache(maxsize=4096)(self._is_trusted)

    def _is_trusted(self, address: str) -> bool:
        ip = _address(address)
        return ip is not None and any(ip in network for network in self.networks)

    def trusts(self, peer: str) -> bool:
        return self.any_peer or self._trusts(peer)

    def client(self, peer: str, forwarded_for: list[bytes]) -> str:
        """The client's address: the peer's own unless it is a trusted proxy that forwarded
        the request; never anything but a well-formed IP address."""
        if not forwarded_for or not self.trusts(peer):
            return peer
        hops = b",".join(forwarded_for).decode("latin-1").split(",")[-MAX_FORWARDED_HOPS:]
        closest = peer
        for hop in reversed(hops):
            ip = _address(hop.strip())
            if ip is None:  # garbage: the proxy that passed it on is as far as we can see
                return closest
            closest = str(ip)
            if self.any_peer or not self._trusts(closest):
                return closest
        return closest


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address in ``text`` (an IPv4-mapped IPv6 address as the IPv4 one); None if none."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def rate_key(address: str) -> str:
    """The rate limiter's key for a client address: an IPv6 client owns its whole /64 (one
    host can take any address in it), an IPv4 client its address."""
    if ":" in address:
        ip = _address(address)
        if isinstance(ip, ipaddress.IPv6Address):
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        if ip is not None:
            return str(ip)
    return address
