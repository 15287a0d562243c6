"""CORS, partner keys and rate limits, switched on through settings."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator

import pytest
import structlog
from litestar.testing import TestClient

from service.examples import SEED_EVALUATE
from service.http.app import create_app
from service.http.limits import RateLimiter
from service.http.security import Proxies, rate_key
from service.settings import Settings, SettingsError
from tests.conftest import ROOT

Client = TestClient  # type: ignore[type-arg]
SEED = json.dumps(SEED_EVALUATE).encode()
JSON = {"content-type": "application/json"}
PARTNER_KEY = "s3cret-partner-key"
SITE = "https://crm.example"


def configured(**settings: object) -> Iterator[Client]:
    app = create_app(Settings(log_format="json", **settings))  # type: ignore[arg-type]
    structlog.configure(cache_logger_on_first_use=False)
    with TestClient(app) as client:  # type: ignore[arg-type]
        yield client


@pytest.fixture
def guarded() -> Iterator[Client]:
    yield from configured(
        cors_origins=SITE,
        partner_key_sha256s="acme:" + hashlib.sha256(PARTNER_KEY.encode()).hexdigest(),
        rate_limit_per_minute=3,
        partner_rate_limit_per_minute=6,
    )


def test_the_allowed_origin_gets_cors_headers_and_vary(guarded: Client) -> None:
    response = guarded.post("/evaluate", content=SEED, headers={**JSON, "origin": SITE})
    assert response.headers["access-control-allow-origin"] == SITE
    assert "x-request-id" in response.headers["access-control-expose-headers"]
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in response.headers


def test_other_origins_get_no_cors_headers(guarded: Client) -> None:
    response = guarded.post(
        "/evaluate", content=SEED, headers={**JSON, "origin": "https://evil.example"}
    )
    assert response.status_code == 200  # the browser, not the server, withholds the answer
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["vary"] == "Origin"


def test_preflight_from_the_site_is_answered(guarded: Client) -> None:
    response = guarded.options(
        "/evaluate",
        headers={
            "origin": SITE,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == SITE
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"]
    assert int(response.headers["access-control-max-age"]) > 0


def test_preflight_from_another_origin_is_403(guarded: Client) -> None:
    response = guarded.options(
        "/evaluate",
        headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
    )
    assert response.status_code == 403
    assert response.json()["type"] == "/problems/origin-not-allowed"


def test_a_wildcard_origin_never_comes_with_credentials() -> None:
    for client in configured(cors_origins="*"):
        response = client.post(
            "/evaluate", content=SEED, headers={**JSON, "origin": "https://any.example"}
        )
        assert response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in response.headers


def test_a_wrong_partner_key_is_401(guarded: Client) -> None:
    response = guarded.post("/evaluate", content=SEED, headers={**JSON, "x-api-key": "guess"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/invalid-api-key"
    assert "guess" not in response.text


def test_keys_are_refused_when_none_are_configured(client: Client) -> None:
    response = client.post("/evaluate", content=SEED, headers={**JSON, "x-api-key": PARTNER_KEY})
    assert response.status_code == 401


def test_anonymous_clients_are_rate_limited_with_retry_after(guarded: Client) -> None:
    statuses = [guarded.post("/evaluate", content=SEED, headers=JSON).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = guarded.post("/evaluate", content=SEED, headers=JSON)
    assert response.json()["type"] == "/problems/rate-limited"
    assert 1 <= int(response.headers["retry-after"]) <= 20
    assert guarded.get("/healthz").status_code == 200  # probes are never limited


def test_partners_have_their_own_higher_limit(guarded: Client) -> None:
    for _ in range(4):
        guarded.post("/evaluate", content=SEED, headers=JSON)  # the anonymous budget is spent
    partner = {**JSON, "x-api-key": PARTNER_KEY}
    statuses = [
        guarded.post("/evaluate", content=SEED, headers=partner).status_code for _ in range(7)
    ]
    assert statuses == [200] * 6 + [429]


def test_limits_are_off_in_the_built_in_defaults(client: Client) -> None:
    assert {
        client.post("/evaluate", content=SEED, headers=JSON).status_code for _ in range(50)
    } == {200}


def test_token_bucket_refills_over_time() -> None:
    limiter = RateLimiter(per_minute=60)
    assert all(limiter.acquire("c", now=0.0) == 0 for _ in range(60))
    assert limiter.acquire("c", now=0.0) == pytest.approx(1.0)
    assert limiter.acquire("c", now=1.0) == 0  # one token a second


def test_the_limiter_forgets_the_oldest_clients_beyond_its_bound() -> None:
    limiter = RateLimiter(per_minute=1, max_clients=100)
    for client in range(1000):
        limiter.acquire(str(client), now=0.0)
    assert len(limiter.buckets) == 100


@pytest.mark.parametrize(
    "environ",
    [{"PORT": "0"}, {"PORT": "http"}, {"WORKERS": "100"}, {"PARTNER_KEY_SHA256S": "not-a-digest"},
     {"MAX_BODY_BYTES": "10"}, {"RATE_LIMIT_PER_MINUTE": "-1"}, {"LOG_FORMAT": "xml"},
     # these were once accepted silently:
     {"CORS_ORIGINS": "not a url"}, {"CORS_ORIGINS": "https://crm.example/calculator"},
     {"CORS_ORIGINS": "HTTPS://CRM.EXAMPLE"}, {"LOG_LEVEL": "verbose"},
     {"FORWARDED_ALLOW_IPS": "not-an-ip"}, {"FORWARDED_ALLOW_IPS": "10.0.0.0/33"},
     {"PARTNER_KEY_SHA256S": f"a:{'0' * 64},b:{'0' * 64}"},
     {"PARTNER_KEY_SHA256S": f"a:{'0' * 64},a:{'1' * 64}"},
     {"PARTNER_KEY_SHA256S": f"two words:{'0' * 64}"},
     {"MAX_WAIT_SECONDS": "0"}, {"HEAD_TIMEOUT_SECONDS": "600"}, {"MAX_CONNECTIONS": "1"}],
)  # fmt: skip
def test_bad_settings_are_refused_with_a_message(environ: dict[str, str]) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert str(refused.value).startswith(next(iter(environ)))  # names the variable


@pytest.mark.parametrize(
    "environ",
    [{"CORS_ORIGINS": "*"}, {"CORS_ORIGINS": "https://crm.example, http://localhost:8000"},
     {"CORS_ORIGINS": "http://[::1]:8000"}, {"LOG_LEVEL": "WARNING"},
     {"FORWARDED_ALLOW_IPS": "10.0.0.0/8, 2001:db8::/32, 127.0.0.1"}, {"FORWARDED_ALLOW_IPS": "*"}],
)  # fmt: skip
def test_good_settings_are_accepted(environ: dict[str, str]) -> None:
    Settings.from_env(environ)


def test_a_bad_setting_stops_the_server_with_exit_2_and_a_message() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "service"], cwd=ROOT, capture_output=True, timeout=30, check=False,
        env={**os.environ, "CORS_ORIGINS": "not a url"},
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.decode().startswith("roi-service: CORS_ORIGINS:")


# ---- the client's address behind proxies ------------------------------------------------------


def limited_behind(proxies: str) -> Iterator[Client]:
    yield from configured(forwarded_allow_ips=proxies, rate_limit_per_minute=2)


def post_from(client: Client, forwarded_for: str) -> int:
    headers = {**JSON, "x-forwarded-for": forwarded_for}
    return client.post("/evaluate", content=SEED, headers=headers).status_code


def test_a_client_behind_a_trusted_proxy_cannot_choose_its_own_address() -> None:
    """uvicorn took the left-most X-Forwarded-For entry, which the client writes: with '*' a
    client escaped its rate limit by sending a new address each time. The address that counts
    is the one the trusted proxy wrote, the right-most."""
    for client in limited_behind("*"):
        forged = [post_from(client, f"10.9.{i}.1, 203.0.113.7") for i in range(5)]
        assert forged == [200, 200, 429, 429, 429]
        assert post_from(client, "198.51.100.1") == 200  # another client has its own bucket


def test_behind_listed_proxies_the_client_is_the_right_most_untrusted_hop(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for client in configured(forwarded_allow_ips="10.0.0.0/8"):
        # the test client's peer is "testclient", not an address: never a trusted proxy
        client.get("/healthz", headers={"x-forwarded-for": "203.0.113.7"})
    assert '"client":"testclient"' in capsys.readouterr().out
    proxies = Proxies("10.0.0.0/8")
    assert proxies.client("10.0.0.1", [b"1.1.1.1, 203.0.113.7, 10.0.0.5"]) == "203.0.113.7"
    assert proxies.client("10.0.0.1", [b"1.1.1.1", b"203.0.113.9"]) == "203.0.113.9"
    assert proxies.client("10.0.0.1", [b"garbage, 10.0.0.5"]) == "10.0.0.5"
    assert proxies.client("192.0.2.1", [b"203.0.113.7"]) == "192.0.2.1"  # not a proxy of ours
    assert proxies.client("10.0.0.1", [b"x" * 4000]) == "10.0.0.1"


def test_an_ipv6_client_is_limited_by_its_64_prefix() -> None:
    assert rate_key("2001:db8:1:2:aaaa::1") == rate_key("2001:db8:1:2:bbbb::9")
    assert rate_key("2001:db8:1:3::1") != rate_key("2001:db8:1:2::1")
    assert rate_key("192.0.2.1") == "192.0.2.1"
    assert rate_key("::ffff:192.0.2.1") == "192.0.2.1"  # an IPv4 client as some proxies write it


def test_wrong_api_keys_count_against_the_clients_rate_limit() -> None:
    """100 wrong keys from one address all got 401 under a limit of 30: guessing was free."""
    for client in configured(
        rate_limit_per_minute=30,
        partner_key_sha256s="acme:" + hashlib.sha256(PARTNER_KEY.encode()).hexdigest(),
    ):
        statuses = [
            client.post(
                "/evaluate", content=SEED, headers={**JSON, "x-api-key": f"guess-{i}"}
            ).status_code
            for i in range(100)
        ]
    assert statuses[:30] == [401] * 30
    assert set(statuses[30:]) == {429}


def test_the_limiter_stays_small_whatever_the_clients_send() -> None:
    """20,000 forged 4 KB addresses grew the limiter by 79 MiB, which stayed."""
    limiter = RateLimiter(per_minute=10)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(limiter.max_clients + 20_000):
            limiter.acquire(f"ip:{i}" + "x" * 4000, now=float(i))
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(limiter.buckets) == limiter.max_clients
    assert grown < 20 * 1024 * 1024, grown  # the bound the README states


def test_the_index_varies_on_accept(client: Client) -> None:
    """GET / answers the page or JSON by Accept, and may be cached publicly: without
    Vary: Accept a shared cache could serve the HTML page to an API client."""
    for accept in ("text/html", "application/json"):
        vary = client.get("/", headers={"accept": accept}).headers["vary"]
        assert "Accept" in [part.strip() for part in vary.split(",")]


def test_settings_come_from_the_environment() -> None:
    settings = Settings.from_env({"PORT": "9000", "WORKERS": "2", "CORS_ORIGINS": SITE})
    assert (settings.port, settings.workers, settings.cors_origins) == (9000, 2, SITE)
    assert Settings.from_env({}) == Settings()
